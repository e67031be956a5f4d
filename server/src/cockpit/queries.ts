import { type SqlBool, sql } from 'kysely';
import type { Queryable } from '../db/client.ts';
import { kpiValues, resolveTarget } from '../kpi/queries.ts';
import { regionSubtreeCondition } from '../org/scope.ts';
import type { Actor } from '../shared/actor.ts';
import { notFound } from '../shared/errors.ts';

/*
 * 领导驾驶舱 (leader cockpit): one read-only overview of a region over a month range, built on the
 * KPI module's roll-ups and facts (kpi/queries.ts), so every figure here is a figure the KPI API
 * gives too, and its drill-down (GET /api/v1/kpis/{code}/items with the same dimension, key and
 * months) lists exactly the items it counted. What the KPI API has no figure for — the open items
 * by status and the open overdue items — comes from the open facts kept with their item's status
 * (migration 0031: cockpit_open_items, and their counts per region path, status and overdue in
 * cockpit_open_counts, both kept by triggers on the facts and the items). The counts here and the
 * totals and lists of GET /api/v1/cockpit/items read them with the same conditions (openFilter),
 * so a figure is the count of its list.
 */

export type MonthRange = { from: string; to: string; months: number };

/** The KPIs the cockpit's charts break down (numerator / denominator of each, from the roll-ups). */
const TRACKED = ['completion_rate', 'on_time_rate', 'overdue_rate', 'avg_working_days'] as const;
type Tracked = (typeof TRACKED)[number];

/** The numerator and denominator of the tracked KPIs for one group (a month, a region, a unit…). */
export type Counts = {
  /** 应办结 (completion_rate denominator) and 办结 (its numerator). */
  due: number;
  completed: number;
  /** 按期办结率: denominator (excluding extended and exempted items) and numerator. */
  onTimeDue: number;
  onTime: number;
  /** 超期数 (overdue_rate numerator). */
  overdue: number;
  /** 平均办结工作日: sum of working days, and the completed items it is over. */
  workingDays: number;
  workingDaysOf: number;
};

const zero = (): Counts => ({
  due: 0,
  completed: 0,
  onTimeDue: 0,
  onTime: 0,
  overdue: 0,
  workingDays: 0,
  workingDaysOf: 0,
});

/** The order of the roll-up arrays (kpi_state.kpi_codes; none before the first catch-up). */
async function kpiCodes(db: Queryable): Promise<string[]> {
  const state = await db.selectFrom('kpi_state').select('kpi_codes').executeTakeFirst();
  return state?.kpi_codes ?? [];
}

/**
 * The roll-ups of a dimension over the months, summed per group (the row's key or its month) in
 * the database: Counts per group. The sums are taken there, not in JS, because a province's unit
 * ranking covers every unit's month rows (32k rows of numeric arrays at 3,000 units).
 */
function rollups(
  db: Queryable,
  codes: Codes,
  dimension: 'unit' | 'region' | 'category',
  range: MonthRange,
  group: 'key' | 'period_month',
) {
  // PostgreSQL arrays count from 1; a KPI not (yet) in the roll-ups sums to 0.
  const part = (column: 'numerators' | 'denominators', code: Tracked) => {
    const i = codes.indexOf(code);
    return i < 0 ? sql<string>`0` : sql<string>`coalesce(sum(${sql.ref(column)}[${sql.lit(i + 1)}]), 0)`;
  };
  return db
    .selectFrom('kpi_rollups')
    .select([
      sql.ref<string>(group).as('g'),
      part('denominators', 'completion_rate').as('due'),
      part('numerators', 'completion_rate').as('completed'),
      part('denominators', 'on_time_rate').as('on_time_due'),
      part('numerators', 'on_time_rate').as('on_time'),
      part('numerators', 'overdue_rate').as('overdue'),
      part('numerators', 'avg_working_days').as('working_days'),
      part('denominators', 'avg_working_days').as('working_days_of'),
    ])
    .where('dimension', '=', dimension)
    .where('period_month', '>=', range.from)
    .where('period_month', '<=', range.to)
    .groupBy(group);
}

/** Counts per group of a rollups() query. */
async function countsOf(query: ReturnType<typeof rollups>): Promise<Map<string, Counts>> {
  const rows = await query.execute();
  return new Map(
    rows.map((r) => [
      r.g,
      {
        due: Number(r.due),
        completed: Number(r.completed),
        onTimeDue: Number(r.on_time_due),
        onTime: Number(r.on_time),
        overdue: Number(r.overdue),
        workingDays: Number(r.working_days),
        workingDaysOf: Number(r.working_days_of),
      },
    ]),
  );
}

/** Months 'YYYY-MM' from … to, inclusive. */
function monthsOf(range: MonthRange): string[] {
  const out: string[] = [];
  let y = Number(range.from.slice(0, 4));
  let m = Number(range.from.slice(5, 7));
  for (let i = 0; i < range.months; i++) {
    out.push(`${String(y).padStart(4, '0')}-${String(m).padStart(2, '0')}`);
    m += 1;
    if (m > 12) {
      m = 1;
      y += 1;
    }
  }
  return out;
}

/** A region in the caller's data scope (404 otherwise, as the KPI API answers). */
export async function scopedRegion(db: Queryable, actor: Actor, code: string) {
  await resolveTarget(db, actor, { dimension: 'region', key: code });
  const region = await db
    .selectFrom('regions')
    .select(['code', 'name', 'level', 'path', 'parent_code'])
    .where('code', '=', code)
    .executeTakeFirst();
  if (!region) throw notFound('REGION_NOT_FOUND', { zh: '地区', en: 'region' });
  return region;
}

/** Which open items a count or list covers: all open ones, one status, or the overdue ones. */
export type OpenFilter = { status?: string | undefined; overdue?: boolean | undefined };

/**
 * Open (not yet completed) dispatched items of the region subtree: the open KPI facts (alias o,
 * cockpit_open_items) with their item's status. Overdue means what 超期率 counts: past the deadline
 * while the clock runs, not exempted (容错免责).
 */
function openItems(db: Queryable, regionPath: string, filter: OpenFilter) {
  let q = db.selectFrom('cockpit_open_items as o').where(regionSubtreeCondition(regionPath, 'o.region_path'));
  if (filter.status !== undefined) q = q.where('o.status', '=', filter.status);
  if (filter.overdue) q = q.where('o.overdue', '=', true);
  return q;
}

/** The counts of the same open items (delta rows of cockpit_open_counts, alias c: sum n). */
function openCounts(db: Queryable, regionPath: string, filter: OpenFilter) {
  let q = db
    .selectFrom('cockpit_open_counts as c')
    .where(regionSubtreeCondition(regionPath, 'c.region_path'));
  if (filter.status !== undefined) q = q.where('c.status', '=', filter.status);
  if (filter.overdue) q = q.where('c.overdue', '=', true);
  return q;
}

export type CockpitItem = {
  id: string;
  number: string;
  title: string;
  status: string;
  categoryCode: string;
  leadUnitId: string | null;
  leadUnitName: string | null;
  regionCode: string;
  deadline: string;
  overdue: boolean;
};

/** The open items of the filter, most overdue first, with their total. */
export async function listOpenItems(
  db: Queryable,
  regionPath: string,
  filter: OpenFilter,
  page: { limit: number; offset: number },
): Promise<{ total: number; items: CockpitItem[] }> {
  const [total, rows] = await Promise.all([
    openCounts(db, regionPath, filter)
      .select(sql<string>`coalesce(sum(c.n), 0)`.as('n'))
      .executeTakeFirstOrThrow(),
    openItems(db, regionPath, filter)
      .innerJoin('items as i', 'i.id', 'o.item_id')
      .leftJoin('units as u', 'u.id', 'o.lead_unit_id')
      .select([
        'o.item_id as id',
        'o.number',
        'i.title',
        'o.status',
        'o.category_code',
        'o.lead_unit_id',
        'u.name as lead_unit_name',
        'o.region_code',
        'o.deadline',
        'o.overdue as is_overdue',
      ])
      // The order of an index of cockpit_open_items: only the page's rows are read from items.
      .orderBy('o.deadline')
      .orderBy('o.number')
      .orderBy('o.item_id')
      .limit(page.limit)
      .offset(page.offset)
      .execute(),
  ]);
  return {
    total: Number(total.n),
    items: rows.map((r) => ({
      id: r.id,
      number: r.number,
      title: r.title,
      status: r.status,
      categoryCode: r.category_code,
      leadUnitId: r.lead_unit_id,
      leadUnitName: r.lead_unit_name,
      regionCode: r.region_code,
      deadline: r.deadline,
      overdue: Boolean(r.is_overdue),
    })),
  };
}

/** How many units the rankings list at each end. */
const RANKED = 10;

/** Everything the cockpit shows for a region and months. */
export async function cockpitOverview(db: Queryable, actor: Actor, regionCode: string, range: MonthRange) {
  const region = await scopedRegion(db, actor, regionCode);
  const [target, codes] = await Promise.all([
    resolveTarget(db, actor, { dimension: 'region', key: region.code }),
    kpiCodes(db),
  ]);
  // The parts below are independent reads: run them side by side (on the pool, one connection each).
  const [kpis, trend, regions, categories, units, open, overdue] = await Promise.all([
    kpiValues(db, target, range),
    regionTrend(db, codes, region.code, range),
    childRegions(db, codes, region.code, range),
    regionCategories(db, codes, region.code, range),
    unitRanking(db, codes, region.path, range),
    openByStatus(db, region.path),
    listOpenItems(db, region.path, { overdue: true }, { limit: 10, offset: 0 }),
  ]);
  return {
    region: { code: region.code, name: region.name, level: region.level, parentCode: region.parent_code },
    from: range.from,
    to: range.to,
    kpis,
    trend,
    regions,
    categories,
    units,
    open,
    overdue,
  };
}

type Codes = readonly string[];

/** Trend: the region's roll-ups month by month. */
async function regionTrend(db: Queryable, codes: Codes, regionCode: string, range: MonthRange) {
  const byMonth = await countsOf(
    rollups(db, codes, 'region', range, 'period_month').where('key', '=', regionCode),
  );
  return monthsOf(range).map((month) => ({ month, ...(byMonth.get(month) ?? zero()) }));
}

/** The map and region ranking: the region's children (cities of a province, counties of a city). */
async function childRegions(db: Queryable, codes: Codes, regionCode: string, range: MonthRange) {
  const children = await db
    .selectFrom('regions')
    .select(['code', 'name'])
    .where('parent_code', '=', regionCode)
    .orderBy('code')
    .execute();
  const childCounts =
    children.length === 0
      ? new Map<string, Counts>()
      : await countsOf(
          rollups(db, codes, 'region', range, 'key').where(
            'key',
            'in',
            children.map((c) => c.code),
          ),
        );
  return children.map((c) => ({
    code: c.code,
    name: c.name,
    ...(childCounts.get(c.code) ?? zero()),
  }));
}

/** Categories within the region (roll-up key '<category>@<region>'), those with any figure. */
async function regionCategories(db: Queryable, codes: Codes, regionCode: string, range: MonthRange) {
  const categoryNames = await db
    .selectFrom('categories')
    .select(['code', 'name'])
    .orderBy('sort_order')
    .execute();
  // The keys of the known categories (a look-up of the primary key, not a scan for '%@<region>').
  const byKey =
    categoryNames.length === 0
      ? new Map<string, Counts>()
      : await countsOf(
          rollups(db, codes, 'category', range, 'key').where(
            'key',
            'in',
            categoryNames.map((c) => `${c.code}@${regionCode}`),
          ),
        );
  return categoryNames
    .map((c) => ({ code: c.code, name: c.name, ...(byKey.get(`${c.code}@${regionCode}`) ?? zero()) }))
    .filter((c) => c.due > 0 || c.completed > 0 || c.overdue > 0);
}

/** Units of the region subtree that led items falling due in the months: the best and the lagging. */
async function unitRanking(db: Queryable, codes: Codes, regionPath: string, range: MonthRange) {
  const subtree = db
    .selectFrom('units')
    .innerJoin('regions', 'regions.code', 'units.region_code')
    .where(regionSubtreeCondition(regionPath));
  // A top-level region has (nearly) every unit: summing every unit's month rows and keeping the
  // region's afterwards is cheaper than joining the rows (35k at 3,000 units over 12 months) to its
  // units first, which the planner does (province overview 140-160 -> 100-115 ms for this query).
  // A smaller region's rows are picked by its units first.
  const wide = !regionPath.includes('.');
  const [byUnit, unitNames] = await Promise.all([
    countsOf(
      wide
        ? rollups(db, codes, 'unit', range, 'key')
        : rollups(db, codes, 'unit', range, 'key').where(
            'key',
            'in',
            subtree.select(sql<string>`units.id::text`.as('id')),
          ),
    ),
    subtree.select(['units.id', 'units.name']).execute(),
  ]);
  const ranked = unitNames
    .flatMap((u) => {
      const c = byUnit.get(u.id);
      return c && c.due > 0 ? [{ id: u.id, name: u.name, ...c, rate: c.completed / c.due }] : [];
    })
    .sort((a, b) => b.rate - a.rate || b.due - a.due || a.name.localeCompare(b.name, 'zh-CN'));
  const strip = ({ rate: _rate, ...u }: (typeof ranked)[number]) => u;
  return {
    total: ranked.length,
    best: ranked.slice(0, RANKED).map(strip),
    lagging: ranked
      .slice(Math.max(RANKED, ranked.length - RANKED))
      .reverse()
      .map(strip),
  };
}

/** Open items now, by status (and how many of them are overdue). */
async function openByStatus(db: Queryable, regionPath: string) {
  const statusRows = await openCounts(db, regionPath, {})
    .select(['c.status', sql<string>`sum(c.n)`.as('n')])
    .groupBy('c.status')
    .having(sql<SqlBool>`sum(c.n) > 0`)
    .orderBy('c.status')
    .execute();
  const byStatus = statusRows.map((r) => ({ status: r.status, count: Number(r.n) }));
  return { total: byStatus.reduce((s, r) => s + r.count, 0), byStatus };
}
