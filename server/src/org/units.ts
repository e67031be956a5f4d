import { randomUUID } from 'node:crypto';
import type { Queryable, Tx } from '../db/client.ts';
import type { UnitRow } from '../db/schema.ts';
import { appendEvents } from '../events/append.ts';
import { DomainError, notFound } from '../shared/errors.ts';
import { regionSubtreeCondition } from './scope.ts';

/**
 * 单位类型. 'government' is the people's government itself (where leaders sit),
 * 'supervision_office' the 督查室, 'government_office' the 政府办, 'department' any 职能部门.
 * Other kinds (e.g. 'township', 'enterprise') may be stored; these are the ones Duban knows.
 */
export const KNOWN_UNIT_KINDS = [
  'government',
  'supervision_office',
  'government_office',
  'department',
] as const;
export type UnitKind = (typeof KNOWN_UNIT_KINDS)[number];

export type NewUnit = {
  name: string;
  kind: string;
  regionCode: string;
  shortName?: string | null;
  sortOrder?: number;
  /** 上级单位 (checked by the caller). */
  parentId?: string | null;
  /** Preset id (demo data, exchange imports); a fresh UUID otherwise. */
  id?: string;
};

export type EventMeta = { actorId: string | null; at: Date };

/** Creates one unit in the caller's transaction and records `unit.created`. */
export async function createUnit(tx: Tx, input: NewUnit, meta: EventMeta): Promise<UnitRow> {
  const name = input.name.trim();
  if (name.length === 0 || name.length > 100) {
    throw new DomainError(
      'VALIDATION_FAILED',
      { zh: '单位名称应为 1–100 个字符', en: 'unit name must be 1–100 characters' },
      { field: 'name' },
    );
  }
  const region = await tx
    .selectFrom('regions')
    .select('code')
    .where('code', '=', input.regionCode)
    .executeTakeFirst();
  if (!region) {
    throw notFound('REGION_NOT_FOUND', {
      zh: `行政区划 ${input.regionCode}`,
      en: `region ${input.regionCode}`,
    });
  }
  const clash = await tx
    .selectFrom('units')
    .select('id')
    .where('region_code', '=', input.regionCode)
    .where('name', '=', name)
    .executeTakeFirst();
  if (clash) {
    throw new DomainError('CONFLICT', {
      zh: `本地区已有名为“${name}”的单位`,
      en: `a unit named ${name} already exists in this region`,
    });
  }
  const unit = await tx
    .insertInto('units')
    .values({
      id: input.id ?? randomUUID(),
      name,
      short_name: input.shortName ?? null,
      kind: input.kind,
      region_code: input.regionCode,
      sort_order: input.sortOrder ?? 0,
      parent_id: input.parentId ?? null,
      created_at: meta.at,
    })
    .returningAll()
    .executeTakeFirstOrThrow();
  await appendEvents(
    tx,
    [
      {
        type: 'unit.created',
        unitId: unit.id,
        name: unit.name,
        regionCode: unit.region_code,
        kind: unit.kind,
        ...(unit.parent_id ? { parentId: unit.parent_id } : {}),
      },
    ],
    meta,
  );
  return unit;
}

export type UnitListing = {
  id: string;
  name: string;
  shortName: string | null;
  kind: string;
  regionCode: string;
  regionName: string;
  parentId: string | null;
  sortOrder: number;
  active: boolean;
  requireHeadApproval: boolean;
};

export type UnitFilter = {
  /** Only units of this region (and, with subtree, of the regions beneath it). */
  regionCode?: string | undefined;
  subtree?: boolean | undefined;
  /** Substring of the unit's name. */
  q?: string | undefined;
  limit?: number | undefined;
  /** Deactivated units too (administration); pickers see active units only. */
  includeInactive?: boolean | undefined;
};

/** Units ordered by region (tree order), then configured order, then name. */
export async function listUnits(db: Queryable, filter: UnitFilter): Promise<UnitListing[]> {
  let q = db
    .selectFrom('units')
    .innerJoin('regions', 'regions.code', 'units.region_code')
    .select([
      'units.id',
      'units.name',
      'units.short_name as shortName',
      'units.kind',
      'units.region_code as regionCode',
      'regions.name as regionName',
      'units.parent_id as parentId',
      'units.sort_order as sortOrder',
      'units.active',
      'units.require_head_approval as requireHeadApproval',
    ])
    .orderBy('regions.path')
    .orderBy('units.sort_order')
    .orderBy('units.name')
    .limit(filter.limit ?? 500);
  if (filter.regionCode !== undefined) {
    if (filter.subtree) {
      const root = await db
        .selectFrom('regions')
        .select('path')
        .where('code', '=', filter.regionCode)
        .executeTakeFirst();
      if (!root) return [];
      q = q.where(regionSubtreeCondition(root.path));
    } else {
      q = q.where('units.region_code', '=', filter.regionCode);
    }
  }
  if (!filter.includeInactive) q = q.where('units.active', '=', true);
  if (filter.q !== undefined && filter.q.trim() !== '') {
    q = q.where('units.name', 'like', `%${escapeLike(filter.q.trim())}%`);
  }
  return q.execute();
}

export async function findUnit(db: Queryable, id: string): Promise<UnitRow | undefined> {
  return db.selectFrom('units').selectAll().where('id', '=', id).executeTakeFirst();
}

/** Escapes LIKE wildcards so user text matches literally (backslash is PostgreSQL's default escape). */
export function escapeLike(text: string): string {
  return text.replace(/[\\%_]/g, (c) => `\\${c}`);
}

/** Units whose name matches exactly (a name is unique within a region, not across regions). */
export async function findUnitsByName(db: Queryable, name: string): Promise<UnitRow[]> {
  return db.selectFrom('units').selectAll().where('name', '=', name).orderBy('region_code').execute();
}
