import type { ItemRisk, RiskCounts, RiskItem, RiskLevel, RiskModelInfo, RiskOverview } from '@duban/schema';
import { scopedRegion } from '../cockpit/queries.ts';
import type { Queryable } from '../db/client.ts';
import { visibleTo } from '../items/policy.ts';
import { regionSubtreeCondition } from '../org/scope.ts';
import type { Actor } from '../shared/actor.ts';
import { SCORED_STATUSES } from './features.ts';
import type { TopFactor } from './service.ts';
import { latestModel } from './service.ts';
import { riskDb } from './tables.ts';

/*
 * Reads of the stored scores. The overview's figures and the drill-down's lists come from one
 * base query (riskBase): open scored items the caller sees, within a region subtree — so a cell's
 * count is the drill-down's total.
 */

export type RiskFilter = {
  unit?: string | undefined;
  category?: string | undefined;
  level?: RiskLevel | undefined;
};

function riskBase(db: Queryable, actor: Actor, where: { regionPath?: string; ids?: string[] }) {
  let q = riskDb(db)
    .selectFrom('item_risk as r')
    .innerJoin('items as i', 'i.id', 'r.item_id')
    .innerJoin('regions as g', 'g.code', 'i.region_code')
    .where('i.status', 'in', [...SCORED_STATUSES])
    .where(visibleTo(actor));
  if (where.regionPath !== undefined) q = q.where(regionSubtreeCondition(where.regionPath, 'g.path'));
  if (where.ids !== undefined) q = q.where('i.id', 'in', where.ids);
  return q;
}

const zero = (): RiskCounts => ({ count: 0, low: 0, medium: 0, high: 0, mean: 0 });

function add(c: RiskCounts, level: RiskLevel, p: number) {
  // mean is kept as a sum until finish()
  c.count++;
  c[level]++;
  c.mean += p;
}
const finish = (c: RiskCounts): RiskCounts => ({
  ...c,
  mean: c.count === 0 ? 0 : Math.round((c.mean / c.count) * 1000) / 1000,
});

export async function modelInfo(db: Queryable): Promise<RiskModelInfo | null> {
  const m = await latestModel(db);
  if (!m) return null;
  return {
    version: m.version,
    trainedAt: m.trainedAt.toISOString(),
    kind: m.metrics.kind,
    auc: m.metrics.auc,
    brier: m.metrics.brier,
    rollingAuc: m.metrics.rolling?.auc ?? null,
    testSnapshots: m.metrics.test.snapshots,
  };
}

/** 风险热力: the region's open items by sub-region, lead unit, category and unit × category. */
export async function riskOverview(db: Queryable, actor: Actor, regionCode: string): Promise<RiskOverview> {
  const region = await scopedRegion(db, actor, regionCode);
  const rows = await riskBase(db, actor, { regionPath: region.path })
    .select(['r.probability', 'r.level', 'r.lead_unit_id', 'i.category_code', 'g.path'])
    .execute();
  const children = await db
    .selectFrom('regions')
    .select(['code', 'name', 'path'])
    .where('parent_code', '=', region.code)
    .orderBy('code')
    .execute();
  const totals = zero();
  const byRegion = new Map<string, RiskCounts>();
  const byUnit = new Map<string, RiskCounts>();
  const byCategory = new Map<string, RiskCounts>();
  const byCell = new Map<string, RiskCounts>();
  const bump = (m: Map<string, RiskCounts>, key: string, level: RiskLevel, p: number) => {
    const c = m.get(key) ?? zero();
    add(c, level, p);
    m.set(key, c);
  };
  for (const r of rows) {
    const p = Number(r.probability);
    add(totals, r.level, p);
    const child = children.find((c) => r.path === c.path || r.path.startsWith(`${c.path}.`));
    if (child) bump(byRegion, child.code, r.level, p);
    bump(byCategory, r.category_code, r.level, p);
    if (r.lead_unit_id) {
      bump(byUnit, r.lead_unit_id, r.level, p);
      bump(byCell, `${r.lead_unit_id}|${r.category_code}`, r.level, p);
    }
  }
  const unitIds = [...byUnit.keys()];
  const unitNames =
    unitIds.length === 0
      ? []
      : await db.selectFrom('units').select(['id', 'name']).where('id', 'in', unitIds).execute();
  const categoryNames = await db
    .selectFrom('categories')
    .select(['code', 'name'])
    .orderBy('sort_order')
    .execute();
  return {
    region: { code: region.code, name: region.name },
    model: await modelInfo(db),
    totals: finish(totals),
    regions: children.map((c) => ({ code: c.code, name: c.name, ...finish(byRegion.get(c.code) ?? zero()) })),
    units: unitNames
      .map((u) => ({ id: u.id, name: u.name, ...finish(byUnit.get(u.id) ?? zero()) }))
      .sort((a, b) => b.mean - a.mean || b.count - a.count || a.name.localeCompare(b.name, 'zh-CN')),
    categories: categoryNames
      .filter((c) => byCategory.has(c.code))
      .map((c) => ({ code: c.code, name: c.name, ...finish(byCategory.get(c.code) ?? zero()) })),
    cells: [...byCell.entries()].map(([key, c]) => {
      const [unitId = '', categoryCode = ''] = key.split('|');
      return { unitId, categoryCode, ...finish(c) };
    }),
  };
}

type StoredFactors = { top?: TopFactor[] };

function toRisk(r: {
  probability: number;
  level: RiskLevel;
  factors: unknown;
  scored_at: Date;
  model_version: string;
}): ItemRisk {
  return {
    probability: Math.round(Number(r.probability) * 1000) / 1000,
    level: r.level,
    topFactors: (r.factors as StoredFactors).top ?? [],
    scoredAt: new Date(r.scored_at).toISOString(),
    modelVersion: r.model_version,
  };
}

/** The open scored items of a region (filtered) or of the given ids, riskiest first, with the total. */
export async function listRiskItems(
  db: Queryable,
  actor: Actor,
  where: { regionCode?: string; ids?: string[] },
  filter: RiskFilter,
  page: { limit: number; offset: number },
): Promise<{ total: number; items: RiskItem[] }> {
  const scope: { regionPath?: string; ids?: string[] } = {};
  if (where.ids) scope.ids = where.ids;
  else scope.regionPath = (await scopedRegion(db, actor, where.regionCode ?? actor.regionCode)).path;
  const filtered = () => {
    let q = riskBase(db, actor, scope);
    if (filter.unit) q = q.where('r.lead_unit_id', '=', filter.unit);
    if (filter.category) q = q.where('i.category_code', '=', filter.category);
    if (filter.level) q = q.where('r.level', '=', filter.level);
    return q;
  };
  const total = await filtered()
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .executeTakeFirstOrThrow();
  const rows = await filtered()
    .leftJoin('units as u', 'u.id', 'r.lead_unit_id')
    .select([
      'i.id',
      'i.number',
      'i.title',
      'i.status',
      'i.category_code',
      'r.lead_unit_id',
      'u.name as lead_unit_name',
      'i.region_code',
      'i.deadline',
      'r.probability',
      'r.level',
      'r.factors',
      'r.scored_at',
      'r.model_version',
    ])
    .orderBy('r.probability', 'desc')
    .orderBy('i.number')
    .orderBy('i.id')
    .limit(page.limit)
    .offset(page.offset)
    .execute();
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
      ...toRisk(r),
    })),
  };
}

/** One item's score (null when it is not scored: not open, or not yet rescored). */
export async function itemRisk(db: Queryable, itemId: string): Promise<ItemRisk | null> {
  const row = await riskDb(db)
    .selectFrom('item_risk as r')
    .innerJoin('items as i', 'i.id', 'r.item_id')
    .select(['r.probability', 'r.level', 'r.factors', 'r.scored_at', 'r.model_version'])
    .where('r.item_id', '=', itemId)
    .where('i.status', 'in', [...SCORED_STATUSES])
    .executeTakeFirst();
  return row ? toRisk(row) : null;
}
