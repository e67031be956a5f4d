import { areaList } from '@vant/area-data';
import type { Db, Queryable } from '../db/client.ts';
import type { RegionRow } from '../db/schema.ts';
import { appendEvents } from '../events/append.ts';
import { DomainError, notFound } from '../shared/errors.ts';

/** 行政区划 level: 1 province (省级), 2 city (地级), 3 county (县级). */
export type RegionLevel = 1 | 2 | 3;

export type RegionSeed = {
  code: string;
  name: string;
  level: RegionLevel;
  parentCode: string | null;
  path: string;
};

export type AreaList = {
  province_list: Record<string, string>;
  city_list: Record<string, string>;
  county_list: Record<string, string>;
};

const PROVINCE_CODE = /^\d{2}0000$/;

/**
 * Turns the GB/T 2260 lists into rows with parents and paths, parents before children. A city
 * XXYY00 hangs under XX0000; a county XXYYZZ under XXYY00, or — for county-level units directly
 * under a province or municipality whose city entry is missing — under the nearest existing ancestor.
 * With `provinceCode`, only that province and what lies beneath it. Pure: tested without a database.
 */
export function buildRegionSeeds(list: AreaList, provinceCode?: string): RegionSeed[] {
  const prefix = provinceCode ? provinceCode.slice(0, 2) : '';
  const inScope = (code: string) => code.startsWith(prefix);
  const seeds = new Map<string, RegionSeed>();
  const add = (code: string, name: string, level: RegionLevel, ancestors: string[]) => {
    const parent = ancestors.map((c) => seeds.get(c)).find((s) => s !== undefined);
    seeds.set(code, {
      code,
      name,
      level,
      parentCode: parent?.code ?? null,
      path: parent ? `${parent.path}.${code}` : code,
    });
  };
  const sorted = (r: Record<string, string>) =>
    Object.entries(r)
      .filter(([code]) => inScope(code))
      .sort(([a], [b]) => a.localeCompare(b));
  for (const [code, name] of sorted(list.province_list)) add(code, name, 1, []);
  for (const [code, name] of sorted(list.city_list)) add(code, name, 2, [`${code.slice(0, 2)}0000`]);
  for (const [code, name] of sorted(list.county_list)) {
    add(code, name, 3, [`${code.slice(0, 4)}00`, `${code.slice(0, 2)}0000`]);
  }
  return [...seeds.values()];
}

const BATCH = 500;

/**
 * Imports (upserts) the region tree from @vant/area-data: all of China, or one province with its
 * cities and counties when `code` names it. Idempotent; emits `regions.imported`.
 */
export async function importRegions(
  db: Db,
  opts: { code?: string | undefined; actorId?: string | null; at?: Date } = {},
): Promise<{ count: number }> {
  const code = opts.code;
  if (code !== undefined && !PROVINCE_CODE.test(code)) {
    throw new DomainError(
      'VALIDATION_FAILED',
      { zh: '请填写省级行政区划代码（如 330000）', en: 'code must be a province code such as 330000' },
      { field: 'code' },
    );
  }
  if (code !== undefined && areaList.province_list[code] === undefined) {
    throw notFound('REGION_NOT_FOUND', { zh: `行政区划 ${code}`, en: `region ${code}` });
  }
  const seeds = buildRegionSeeds(areaList, code);
  await db.transaction().execute(async (tx) => {
    for (let i = 0; i < seeds.length; i += BATCH) {
      const rows = seeds.slice(i, i + BATCH).map((s) => ({
        code: s.code,
        name: s.name,
        level: s.level,
        parent_code: s.parentCode,
        path: s.path,
      }));
      await tx
        .insertInto('regions')
        .values(rows)
        .onConflict((oc) =>
          oc.column('code').doUpdateSet((eb) => ({
            name: eb.ref('excluded.name'),
            level: eb.ref('excluded.level'),
            parent_code: eb.ref('excluded.parent_code'),
            path: eb.ref('excluded.path'),
          })),
        )
        .execute();
    }
    await appendEvents(tx, [{ type: 'regions.imported', rootCode: code ?? null, count: seeds.length }], {
      actorId: opts.actorId ?? null,
      at: opts.at ?? new Date(),
    });
  });
  return { count: seeds.length };
}

export async function findRegion(db: Queryable, code: string): Promise<RegionRow | undefined> {
  return db.selectFrom('regions').selectAll().where('code', '=', code).executeTakeFirst();
}

export async function getRegion(db: Queryable, code: string): Promise<RegionRow> {
  const region = await findRegion(db, code);
  if (!region) throw notFound('REGION_NOT_FOUND', { zh: `行政区划 ${code}`, en: `region ${code}` });
  return region;
}

/** Children of `parentCode`, or the roots (provinces) when it is undefined; ordered by code. */
export async function listRegions(db: Queryable, parentCode: string | undefined): Promise<RegionRow[]> {
  let q = db.selectFrom('regions').selectAll().orderBy('code');
  q = parentCode === undefined ? q.where('parent_code', 'is', null) : q.where('parent_code', '=', parentCode);
  return q.execute();
}
