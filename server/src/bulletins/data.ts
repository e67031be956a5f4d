import {
  type ItemStatus,
  LIGHT_NAMES_ZH,
  SOURCE_NAMES_ZH,
  type Source,
  STATUS_NAMES_ZH,
} from '@duban/schema';
import type { Queryable } from '../db/client.ts';
import { type ListedItem, readItemsForListing } from '../items/batch-read.ts';
import { findCategory } from '../items/categories.ts';
import { listItems } from '../items/queries.ts';
import { loadDefinitions } from '../kpi/definitions.ts';
import { kpiValues, resolveTarget } from '../kpi/queries.ts';
import { findRegion } from '../org/regions.ts';
import { isRegionPathInScope } from '../org/scope.ts';
import type { Actor } from '../shared/actor.ts';
import { hasRole } from '../shared/actor.ts';
import { DomainError, notFound } from '../shared/errors.ts';
import { daysBetween, shanghaiDate } from '../shared/time.ts';
import type { Period } from './period.ts';

/*
 * What the lists and bulletins show, read through the items module's and the KPI module's public
 * query functions, in the caller's data scope (the schedule reads as a province-level leader).
 */

/** An item as the lists and bulletins read it (one set-based read for the whole scope). */
export type ItemDetail = ListedItem;

export type Scope = { regionCode: string; regionName: string; regionPath: string };

/** Statuses the lists leave out: drafts were never registered, cancelled items were dropped. */
const LISTED: ItemStatus[] = [
  'registered',
  'dispatched',
  'returned',
  'in_progress',
  'completion_requested',
  'completed',
  'evaluated',
  'archived',
  'suspended',
];

const DONE: ItemStatus[] = ['completed', 'evaluated', 'archived'];

/** Supervisors, leaders and auditors read lists and bulletins of their region subtree. */
export function assertMayRead(actor: Actor): void {
  if (!hasRole(actor, 'supervisor', 'leader', 'auditor'))
    throw new DomainError('FORBIDDEN', {
      zh: '仅督查人员、领导和审计人员可查看清单与通报',
      en: 'Only supervisors, leaders and auditors may read the lists and bulletins',
    });
}

/** The region (default the caller's own), in the caller's region subtree; otherwise 404. */
export async function resolveScope(
  db: Queryable,
  actor: Actor,
  regionCode: string | undefined,
): Promise<Scope> {
  const region = await findRegion(db, regionCode ?? actor.regionCode);
  if (!region || !isRegionPathInScope(actor, region.path))
    throw notFound('REGION_NOT_FOUND', { zh: '行政区划', en: 'region' });
  return { regionCode: region.code, regionName: region.name, regionPath: region.path };
}

/** Every listed item of the region subtree, with assignments, milestones and evaluation, by deadline. */
export async function loadScopeItems(
  db: Queryable,
  actor: Actor,
  scope: Scope,
  now: Date,
): Promise<ItemDetail[]> {
  const ids: string[] = [];
  let cursor: string | undefined;
  do {
    const page = await listItems(
      db,
      actor,
      { regionCode: scope.regionCode, status: LISTED, sort: 'deadline', limit: 200, cursor },
      now,
    );
    for (const i of page.items) ids.push(i.id);
    cursor = page.nextCursor ?? undefined;
  } while (cursor !== undefined);
  return readItemsForListing(db, actor, ids, now);
}

export function leadOf(item: ItemDetail) {
  return item.assignments.find((a) => a.role === 'lead' && a.status !== 'returned') ?? null;
}

export function collaboratorsOf(item: ItemDetail): string[] {
  return item.assignments.filter((a) => a.role !== 'lead' && a.status !== 'returned').map((a) => a.unitName);
}

export const statusName = (s: ItemStatus) => STATUS_NAMES_ZH[s];
export const lightName = (l: ItemDetail['light']) => (l === null ? '—' : LIGHT_NAMES_ZH[l]);
export const categoryName = (code: string) => findCategory(code)?.name ?? code;
export const sourceName = (s: string) => SOURCE_NAMES_ZH[s as Source] ?? s;
export const isDone = (i: ItemDetail) => DONE.includes(i.status);

/** Beijing date of an ISO instant, or null. */
export const dayOf = (instant: string | null) => (instant === null ? null : shanghaiDate(new Date(instant)));

export type OverdueRow = {
  number: string;
  title: string;
  leadUnitName: string;
  deadline: string;
  daysOverdue: number;
  progress: number;
};

export type RankingRow = {
  rank: number;
  unitName: string;
  /** Items due in the period (办结率's denominator). */
  due: number;
  completed: number;
  completionRate: number | null;
  onTimeRate: number | null;
  overdueRate: number | null;
  /** 季考核: 按期办结率 × 60% + 办结率 × 40% (null without items due). */
  score: number | null;
};

export type BulletinData = {
  kind: Period['kind'];
  period: Period;
  scope: Scope;
  generatedOn: string;
  totals: {
    items: number;
    active: number;
    newInPeriod: number;
    completedInPeriod: number;
    overdue: number;
    red: number;
    yellow: number;
  };
  ranking: RankingRow[];
  overdue: OverdueRow[];
  /** 周调度: items dispatched and items completed in the week. */
  dispatchedInPeriod: { number: string; title: string; leadUnitName: string; deadline: string }[];
  completedInPeriod: { number: string; title: string; leadUnitName: string; completedOn: string }[];
};

const within = (d: string | null, p: Period) => d !== null && d >= p.from && d <= p.to;

/**
 * The units with KPI roll-ups in the months, or null when that cannot decide (办结率 over 单位·月):
 * a unit without any has no item due (办结率's denominator 0) and is left out of the ranking
 * without reading its figures one by one.
 */
async function unitsWithRollups(
  db: Queryable,
  unitIds: string[],
  range: { from: string; to: string },
): Promise<Set<string> | null> {
  if (unitIds.length === 0) return new Set();
  const completion = (await loadDefinitions(db)).find((d) => d.code === 'completion_rate');
  if (completion !== undefined && 'unitMonths' in completion.denominator) return null;
  const rows = await db
    .selectFrom('kpi_rollups')
    .select('key')
    .distinct()
    .where('dimension', '=', 'unit')
    .where('key', 'in', unitIds)
    .where('period_month', '>=', range.from)
    .where('period_month', '<=', range.to)
    .execute();
  return new Set(rows.map((r) => r.key));
}

/** Rankings by 按期办结率, then 办结率, from the KPI roll-ups of the period's months. */
async function rankUnits(
  db: Queryable,
  actor: Actor,
  items: ItemDetail[],
  period: Period,
): Promise<RankingRow[]> {
  const units = new Map<string, string>();
  for (const i of items) {
    const lead = leadOf(i);
    if (lead) units.set(lead.unitId, lead.unitName);
  }
  const months =
    (Number(period.monthTo.slice(0, 4)) - Number(period.monthFrom.slice(0, 4))) * 12 +
    Number(period.monthTo.slice(5)) -
    Number(period.monthFrom.slice(5)) +
    1;
  const range = { from: period.monthFrom, to: period.monthTo, months };
  const rows: Omit<RankingRow, 'rank'>[] = [];
  const counted = await unitsWithRollups(db, [...units.keys()], range);
  for (const [unitId, unitName] of units) {
    if (counted !== null && !counted.has(unitId)) continue;
    const target = await resolveTarget(db, actor, { dimension: 'unit', key: unitId });
    const figures = await kpiValues(db, target, range);
    const fig = (code: string) => figures.find((f) => f.code === code);
    const completion = fig('completion_rate');
    const onTime = fig('on_time_rate');
    const due = completion?.denominator ?? 0;
    if (due === 0) continue;
    const completionRate = completion?.value ?? null;
    const onTimeRate = onTime?.value ?? null;
    rows.push({
      unitName,
      due,
      completed: completion?.numerator ?? 0,
      completionRate,
      onTimeRate,
      overdueRate: fig('overdue_rate')?.value ?? null,
      score:
        completionRate === null
          ? null
          : Math.round(((onTimeRate ?? 0) * 0.6 + completionRate * 0.4) * 100) / 100,
    });
  }
  const key = (v: number | null) => v ?? -1;
  rows.sort(
    (a, b) =>
      key(b.onTimeRate) - key(a.onTimeRate) ||
      key(b.completionRate) - key(a.completionRate) ||
      a.unitName.localeCompare(b.unitName, 'zh-CN'),
  );
  return rows.map((r, i) => ({ rank: i + 1, ...r }));
}

export async function bulletinData(
  db: Queryable,
  actor: Actor,
  scope: Scope,
  period: Period,
  now: Date,
): Promise<BulletinData> {
  const items = await loadScopeItems(db, actor, scope, now);
  const today = shanghaiDate(now);
  const leadName = (i: ItemDetail) => leadOf(i)?.unitName ?? '（未交办）';
  const overdue = items
    .filter((i) => i.light === 'overdue')
    .map((i) => ({
      number: i.number,
      title: i.title,
      leadUnitName: leadName(i),
      deadline: i.deadline,
      daysOverdue: Math.max(0, daysBetween(i.deadline, today)),
      progress: i.progress,
    }))
    .sort((a, b) => b.daysOverdue - a.daysOverdue || a.number.localeCompare(b.number));
  const dispatched = items.filter((i) => within(dayOf(i.dispatchedAt), period));
  const completed = items.filter((i) => within(dayOf(i.completedAt), period));
  return {
    kind: period.kind,
    period,
    scope,
    generatedOn: today,
    totals: {
      items: items.length,
      active: items.filter((i) => !isDone(i)).length,
      newInPeriod: dispatched.length,
      completedInPeriod: completed.length,
      overdue: overdue.length,
      red: items.filter((i) => i.light === 'red').length,
      yellow: items.filter((i) => i.light === 'yellow').length,
    },
    ranking: await rankUnits(db, actor, items, period),
    overdue,
    dispatchedInPeriod: dispatched.map((i) => ({
      number: i.number,
      title: i.title,
      leadUnitName: leadName(i),
      deadline: i.deadline,
    })),
    completedInPeriod: completed.map((i) => ({
      number: i.number,
      title: i.title,
      leadUnitName: leadName(i),
      completedOn: dayOf(i.completedAt) ?? '',
    })),
  };
}
