import type { DbHandle } from '../src/db/client.ts';
import { ensureStandardCategories } from '../src/items/categories.ts';
import { importRegions } from '../src/org/regions.ts';
import { loadActor } from '../src/org/scope.ts';
import { createUnit } from '../src/org/units.ts';
import { createUser } from '../src/org/users.ts';
import type { Actor } from '../src/shared/actor.ts';

export type BenchUnit = {
  id: string;
  name: string;
  kind: 'supervision_office' | 'department';
  regionCode: string;
  regionPath: string;
  level: 1 | 2 | 3;
};

export type World = {
  units: BenchUnit[];
  /** Supervision offices, the units that assign items. */
  offices: BenchUnit[];
  provOffice: BenchUnit;
  provDepts: BenchUnit[];
  cityOffice: BenchUnit;
  handlerUnit: BenchUnit;
  /** A county with units, under the city of cityOffice (for region filters). */
  countyCode: string;
  categories: string[];
  actors: { provSup: Actor; citySup: Actor; handler: Actor };
};

const PROVINCE = '330000';
const CITY = '330100'; // 杭州市
/** Counties given an office and a department: two in 杭州, the first one of four other cities. */
const COUNTY_CITIES = [CITY, CITY, '330200', '330300', '330600', '331000'];

/**
 * 浙江: the region tree, the standard categories, 50 units (province: office + 4 departments;
 * each of the 11 cities: office + 2 departments; 6 counties: office + 1 department) and three
 * users — the province supervisor, the 杭州 supervisor and a handler of 杭州市住房和城乡建设局.
 */
export async function buildWorld(handle: DbHandle): Promise<World> {
  const db = handle.db;
  await importRegions(db, { code: PROVINCE });
  await ensureStandardCategories(db);
  const regions = await db
    .selectFrom('regions')
    .select(['code', 'name', 'level', 'parent_code', 'path'])
    .execute();
  const byCode = new Map(regions.map((r) => [r.code, r]));
  const cities = regions.filter((r) => r.level === 2).sort((a, b) => a.code.localeCompare(b.code));
  const counties: typeof regions = [];
  for (const cityCode of COUNTY_CITIES) {
    const next = regions
      .filter((r) => r.parent_code === cityCode && !counties.includes(r))
      .sort((a, b) => a.code.localeCompare(b.code))[0];
    if (next) counties.push(next);
  }

  const specs: { name: string; kind: BenchUnit['kind']; regionCode: string; shortName: string | null }[] = [
    { name: '浙江省人民政府督查室', kind: 'supervision_office', regionCode: PROVINCE, shortName: '浙' },
    ...['省住房和城乡建设厅', '省教育厅', '省财政厅', '省生态环境厅'].map((name) => ({
      name: `浙江${name}`,
      kind: 'department' as const,
      regionCode: PROVINCE,
      shortName: null,
    })),
  ];
  for (const c of cities) {
    specs.push({
      name: `${c.name}人民政府督查室`,
      kind: 'supervision_office',
      regionCode: c.code,
      shortName: c.name.slice(0, 1),
    });
    for (const d of ['住房和城乡建设局', '教育局'])
      specs.push({ name: `${c.name}${d}`, kind: 'department', regionCode: c.code, shortName: null });
  }
  for (const c of counties) {
    specs.push({
      name: `${c.name}人民政府督查室`,
      kind: 'supervision_office',
      regionCode: c.code,
      shortName: c.name.slice(0, 2),
    });
    specs.push({
      name: `${c.name}住房和城乡建设局`,
      kind: 'department',
      regionCode: c.code,
      shortName: null,
    });
  }

  const units: BenchUnit[] = [];
  for (const s of specs) {
    // Found rather than made on a database an earlier run kept (BENCH_DB_NAME).
    const row =
      (await db
        .selectFrom('units')
        .select('id')
        .where('name', '=', s.name)
        .where('region_code', '=', s.regionCode)
        .executeTakeFirst()) ??
      (await db.transaction().execute((tx) => createUnit(tx, { ...s }, { actorId: null, at: new Date() })));
    const region = byCode.get(s.regionCode);
    if (!region) throw new Error(`bench: no region ${s.regionCode}`);
    units.push({
      id: row.id,
      name: s.name,
      kind: s.kind,
      regionCode: s.regionCode,
      regionPath: region.path,
      level: region.level as 1 | 2 | 3,
    });
  }
  const find = (name: string) => {
    const u = units.find((x) => x.name === name);
    if (!u) throw new Error(`bench: no unit ${name}`);
    return u;
  };
  const provOffice = find('浙江省人民政府督查室');
  const cityOffice = find('杭州市人民政府督查室');
  const handlerUnit = find('杭州市住房和城乡建设局');
  const county = counties[0];
  if (!county) throw new Error('bench: no county');

  const user = (username: string, unitId: string, roles: string[]) =>
    benchUser(handle, { username, displayName: username, unitId, roles });
  const provSupId = await user('bench_prov_sup', provOffice.id, ['supervisor']);
  const citySupId = await user('bench_city_sup', cityOffice.id, ['supervisor']);
  const handlerId = await user('bench_handler', handlerUnit.id, ['handler']);
  const categories = (await db.selectFrom('categories').select('code').orderBy('sort_order').execute()).map(
    (c) => c.code,
  );
  return {
    units,
    offices: units.filter((u) => u.kind === 'supervision_office'),
    provOffice,
    provDepts: units.filter((u) => u.regionCode === PROVINCE && u.kind === 'department'),
    cityOffice,
    handlerUnit,
    countyCode: county.code,
    categories,
    actors: {
      provSup: await loadActor(db, provSupId, 'session'),
      citySup: await loadActor(db, citySupId, 'session'),
      handler: await loadActor(db, handlerId, 'session'),
    },
  };
}

/** The bench user of that name: found on a kept database (BENCH_DB_NAME), else created. */
export async function benchUser(
  handle: DbHandle,
  u: { username: string; displayName: string; unitId: string; roles: string[] },
): Promise<string> {
  const found = await handle.db
    .selectFrom('users')
    .select('id')
    .where('username', '=', u.username)
    .executeTakeFirst();
  if (found) return found.id;
  return (await createUser(handle.db, { ...u, password: 'bench-password-123' })).id;
}
