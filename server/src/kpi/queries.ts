import { type Expression, type SqlBool, sql } from 'kysely';
import type { Queryable } from '../db/client.ts';
import { isRegionPathInScope, isUuid, regionSubtreeCondition } from '../org/scope.ts';
import { type Actor, hasRole } from '../shared/actor.ts';
import { DomainError, notFound, validationError } from '../shared/errors.ts';
import { shanghaiDate } from '../shared/time.ts';
import { compilePart, type KpiDefinition, loadDefinitions, type StoredDefinition } from './definitions.ts';

export type KpiDimension = 'unit' | 'region' | 'category';

/** What a figure is about, resolved against the caller's data scope. */
export type KpiTarget = {
  dimension: KpiDimension;
  /** The kpi_rollups key. */
  key: string;
  /** The facts condition picking the target's items (alias f). */
  condition: Expression<SqlBool>;
  /** 'unit': 1; 'region' / 'category': the units of the region subtree (基层报送负担's "per unit"). */
  unitCount: () => Promise<number>;
};

export type KpiQuery = {
  dimension: KpiDimension;
  key: string;
  region?: string | undefined;
  from?: string | undefined;
  to?: string | undefined;
};

/** Months 'YYYY-MM' from … to (inclusive): twelve months up to the current one by default. */
export function monthRange(
  q: Pick<KpiQuery, 'from' | 'to'>,
  now: Date,
): { from: string; to: string; months: number } {
  const to = q.to ?? shanghaiDate(now).slice(0, 7);
  const from = q.from ?? shiftMonth(to, -11);
  const months = monthIndex(to) - monthIndex(from) + 1;
  if (months < 1)
    throw validationError([
      {
        field: 'querystring.from',
        message: 'from must not be after to',
        messageZh: '起始月份不能晚于截止月份',
      },
    ]);
  if (months > 120)
    throw validationError([
      { field: 'querystring.from', message: 'at most 120 months', messageZh: '时间范围不能超过 120 个月' },
    ]);
  return { from, to, months };
}

const monthIndex = (m: string) => Number(m.slice(0, 4)) * 12 + Number(m.slice(5, 7)) - 1;
function shiftMonth(m: string, by: number): string {
  const i = monthIndex(m) + by;
  return `${String(Math.floor(i / 12)).padStart(4, '0')}-${String((i % 12) + 1).padStart(2, '0')}`;
}

const unitNotFound = () => notFound('UNIT_NOT_FOUND', { zh: '单位', en: 'unit' });
const regionNotFound = () => notFound('REGION_NOT_FOUND', { zh: '地区', en: 'region' });

/** Region subtree holders (supervisors, leaders, auditors) see any unit or region beneath them; handlers their own unit. */
const broad = (actor: Actor) => hasRole(actor, 'supervisor', 'leader', 'auditor');
const ownUnit = (actor: Actor) => hasRole(actor, 'handler', 'unit_head');

/** A region the caller may see figures of (broad roles, within their subtree); else 404. */
export async function regionInScope(db: Queryable, actor: Actor, code: string) {
  const region = await db
    .selectFrom('regions')
    .select(['code', 'path'])
    .where('code', '=', code)
    .executeTakeFirst();
  if (!region || !broad(actor) || !isRegionPathInScope(actor, region.path)) throw regionNotFound();
  return region;
}

/** The units of a region and its subtree. */
export function unitsInRegionQuery(db: Queryable, path: string) {
  return db
    .selectFrom('units')
    .innerJoin('regions', 'regions.code', 'units.region_code')
    .where(regionSubtreeCondition(path));
}

function unitsInRegion(db: Queryable, path: string) {
  return async () => {
    const r = await unitsInRegionQuery(db, path)
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .executeTakeFirstOrThrow();
    return Number(r.n);
  };
}

/** Resolves the dimension key in the caller's data scope; outside it (or unknown): 404. */
export async function resolveTarget(db: Queryable, actor: Actor, q: KpiQuery): Promise<KpiTarget> {
  switch (q.dimension) {
    case 'unit': {
      if (!isUuid(q.key)) throw unitNotFound();
      const unit = await db
        .selectFrom('units')
        .innerJoin('regions', 'regions.code', 'units.region_code')
        .select(['units.id', 'regions.path'])
        .where('units.id', '=', q.key)
        .executeTakeFirst();
      const allowed =
        unit !== undefined &&
        ((broad(actor) && isRegionPathInScope(actor, unit.path)) ||
          (ownUnit(actor) && unit.id === actor.unitId));
      if (!allowed) throw unitNotFound();
      return {
        dimension: 'unit',
        key: q.key,
        condition: sql<SqlBool>`f.lead_unit_id = ${q.key}::uuid`,
        unitCount: async () => 1,
      };
    }
    case 'region': {
      const region = await regionInScope(db, actor, q.key);
      return {
        dimension: 'region',
        key: region.code,
        condition: regionSubtreeCondition(region.path, 'f.region_path'),
        unitCount: unitsInRegion(db, region.path),
      };
    }
    case 'category': {
      const region = await regionInScope(db, actor, q.region ?? actor.regionCode);
      const category = await db
        .selectFrom('categories')
        .select('code')
        .where('code', '=', q.key)
        .executeTakeFirst();
      if (!category) throw notFound('CATEGORY_NOT_FOUND', { zh: '督办分类', en: 'category' });
      return {
        dimension: 'category',
        key: `${category.code}@${region.code}`,
        condition: sql<SqlBool>`(f.category_code = ${category.code} and ${regionSubtreeCondition(region.path, 'f.region_path')})`,
        unitCount: unitsInRegion(db, region.path),
      };
    }
  }
}

export type KpiFigure = {
  code: string;
  nameZh: string;
  nameEn: string;
  unit: string;
  direction: KpiDefinition['direction'];
  numerator: number | null;
  denominator: number | null;
  /** Null when there is no data source (noData says why) or nothing to divide by (denominator 0). */
  value: number | null;
  noData: { zh: string; en: string } | null;
};

function ratio(def: KpiDefinition, n: number, d: number): number | null {
  if (d === 0) return null;
  const v = def.unit === '%' ? (n / d) * 100 : n / d;
  return Math.round(v * 100) / 100;
}

/** Every KPI's figure for the target over the months, from the roll-ups. */
export async function kpiValues(
  db: Queryable,
  target: KpiTarget,
  range: { from: string; to: string; months: number },
): Promise<KpiFigure[]> {
  const defs = await loadDefinitions(db);
  // No state row yet (before the first catch-up, or after a crash emptied the unlogged tables): no counts.
  const state = (await db.selectFrom('kpi_state').select('kpi_codes').executeTakeFirst()) ?? {
    kpi_codes: [],
  };
  const rows = await db
    .selectFrom('kpi_rollups')
    .select(['numerators', 'denominators'])
    .where('dimension', '=', target.dimension)
    .where('key', '=', target.key)
    .where('period_month', '>=', range.from)
    .where('period_month', '<=', range.to)
    .execute();
  const byCode = new Map<string, { n: number; d: number }>();
  state.kpi_codes.forEach((code, i) => {
    let n = 0;
    let d = 0;
    for (const r of rows) {
      n += Number(r.numerators[i] ?? 0);
      d += Number(r.denominators[i] ?? 0);
    }
    byCode.set(code, { n, d });
  });
  const figures: KpiFigure[] = [];
  for (const def of defs) {
    const head = {
      code: def.code,
      nameZh: def.nameZh,
      nameEn: def.nameEn,
      unit: def.unit,
      direction: def.direction,
    };
    if (def.noData !== null) {
      figures.push({ ...head, numerator: null, denominator: null, value: null, noData: def.noData });
      continue;
    }
    const got = byCode.get(def.code) ?? { n: 0, d: 0 };
    const d = 'unitMonths' in def.denominator ? (await target.unitCount()) * range.months : got.d;
    figures.push({ ...head, numerator: got.n, denominator: d, value: ratio(def, got.n, d), noData: null });
  }
  return figures;
}

export async function definitionOf(db: Queryable, code: string): Promise<StoredDefinition> {
  const def = (await loadDefinitions(db)).find((d) => d.code === code);
  if (!def) throw notFound('NOT_FOUND', { zh: '绩效指标', en: 'KPI' });
  return def;
}

export type DrillDown = {
  code: string;
  part: 'numerator' | 'denominator';
  /** Items counted; for a count part it equals the figure's numerator or denominator. */
  total: number;
  /** What the items contribute together: equals the figure's part (for a sum part, e.g. 工作日之和). */
  sum: number;
  limit: number;
  offset: number;
  items: {
    id: string;
    number: string;
    title: string;
    status: string;
    leadUnitId: string | null;
    leadUnitName: string | null;
    periodMonth: string;
    deadline: string;
    completedOn: string | null;
    value: number;
  }[];
};

/** 下钻: exactly the items a part of a figure counted (the same compiled predicate as the roll-ups). */
export async function kpiDrillDown(
  db: Queryable,
  def: KpiDefinition,
  target: KpiTarget,
  range: { from: string; to: string },
  page: {
    part: 'numerator' | 'denominator';
    limit: number;
    offset: number;
    /** 考核记分卡's drill-down: 容错免责 items left out of every part (scorecards.ts). */
    excludeExempted?: boolean;
  },
): Promise<DrillDown> {
  if (def.noData !== null)
    throw new DomainError(
      'CONFLICT',
      {
        zh: `「${def.nameZh}」暂无数据：${def.noData.zh}`,
        en: `${def.nameEn} has no data: ${def.noData.en}`,
      },
      { details: { noData: def.noData } },
    );
  const compiledPart = compilePart(page.part === 'numerator' ? def.numerator : def.denominator);
  if (compiledPart.kind === 'unitMonths')
    throw validationError([
      {
        field: 'querystring.part',
        message: 'this denominator is units × months, not a list of items',
        messageZh: '该指标的分母为单位数 × 月数，不对应事项清单',
      },
    ]);
  const base = db
    .selectFrom('kpi_item_facts as f')
    .where(target.condition)
    .where('f.period_month', '>=', range.from)
    .where('f.period_month', '<=', range.to)
    .where(sql<SqlBool>`${sql.raw(compiledPart.condition)}`)
    .where(page.excludeExempted ? sql<SqlBool>`not f.exempted` : sql<SqlBool>`true`);
  const value = sql<number>`${sql.raw(compiledPart.value)}`;
  const totals = await base
    .select((eb) => [
      eb.fn.countAll<number>().as('total'),
      eb.fn.coalesce(eb.fn.sum<number>(value), sql<number>`0`).as('sum'),
    ])
    .executeTakeFirstOrThrow();
  const rows = await base
    .innerJoin('items as i', 'i.id', 'f.item_id')
    .leftJoin('units as u', 'u.id', 'f.lead_unit_id')
    .select([
      'i.id',
      'i.number',
      'i.title',
      'i.status',
      'f.lead_unit_id',
      'u.name as lead_unit_name',
      'f.period_month',
      'f.deadline',
      'f.completed_on',
    ])
    .select(value.as('value'))
    .orderBy('f.period_month')
    .orderBy('i.number')
    .orderBy('i.id')
    .limit(page.limit)
    .offset(page.offset)
    .execute();
  return {
    code: def.code,
    part: page.part,
    total: Number(totals.total),
    sum: Number(totals.sum),
    limit: page.limit,
    offset: page.offset,
    items: rows.map((r) => ({
      id: r.id,
      number: r.number,
      title: r.title,
      status: r.status,
      leadUnitId: r.lead_unit_id,
      leadUnitName: r.lead_unit_name,
      periodMonth: r.period_month,
      deadline: r.deadline,
      completedOn: r.completed_on,
      value: Number(r.value),
    })),
  };
}
