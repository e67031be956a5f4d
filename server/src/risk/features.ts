import { type Calendar, workingDaysBetween } from '../calendar/calendar.ts';
import { loadCalendar } from '../calendar/store.ts';
import type { Queryable } from '../db/client.ts';
import { STANDARD_CATEGORIES } from '../items/categories.ts';
import { shanghaiDate } from '../shared/time.ts';

/*
 * The features of an item at a snapshot time t, computed only from what was known at t: the
 * item's own events up to t, and its lead unit's items closed before t. The same function serves
 * the back-test (snapshots in the life of closed items) and the scoring of open items (t = now).
 */

const DAY = 86_400_000;

/** Statuses whose items are scored (open and running). */
export const SCORED_STATUSES = ['dispatched', 'in_progress', 'completion_requested'] as const;

export type ItemHistory = {
  id: string;
  status: string;
  categoryCode: string;
  leadUnitId: string | null;
  collaborators: number;
  recurring: boolean;
  /** The first dispatch. */
  start: Date;
  /** The deadline in force from each time on (the first from the first dispatch). */
  deadlines: { at: Date; deadline: string }[];
  /** The item's deadline now. */
  finalDeadline: string;
  /** Item progress (0–100) after each report or roll-up. */
  progress: { at: Date; percent: number }[];
  reports: Date[];
  extensions: Date[];
  returns: Date[];
  completedAt: Date | null;
};

/** Per lead unit: its closed items, by completion time, and whether each was on time. */
export type UnitRecord = Map<string, { at: number; onTime: boolean }[]>;

const CATEGORY_CODES = STANDARD_CATEGORIES.map((c) => c.code);

export const FEATURES = [
  'elapsed_share',
  'progress',
  'velocity',
  'days_since_report',
  'extensions',
  'returns',
  'unit_on_time_rate',
  'recurring',
  'collaborators',
  ...CATEGORY_CODES.map((c) => `category:${c}`),
];

/** Names for the factors shown with a score. */
export const FEATURE_LABELS: Record<string, { zh: string; en: string }> = {
  elapsed_share: { zh: '时间进度', en: 'elapsed share of working days' },
  progress: { zh: '报送进度', en: 'reported progress' },
  velocity: { zh: '进度/时间比', en: 'progress per elapsed share' },
  days_since_report: { zh: '距上次报送天数', en: 'days since the last report' },
  extensions: { zh: '延期申请次数', en: 'extension requests' },
  returns: { zh: '退回次数', en: 'returns' },
  unit_on_time_rate: { zh: '牵头单位历史按期率', en: "lead unit's on-time history" },
  recurring: { zh: '定期报送事项', en: 'recurring reports' },
  collaborators: { zh: '协办单位数', en: 'collaborating units' },
  ...Object.fromEntries(
    STANDARD_CATEGORIES.map((c) => [
      `category:${c.code}`,
      { zh: `分类：${c.name}`, en: `category ${c.code}` },
    ]),
  ),
};

/** Whether the item missed its deadline, as far as `today` tells: null while it may still make it. */
export function lateLabel(h: ItemHistory, today: string): 0 | 1 | null {
  if (h.completedAt) return shanghaiDate(h.completedAt) > h.finalDeadline ? 1 : 0;
  if (h.status === 'cancelled' || h.status === 'suspended' || h.status === 'draft') return null;
  return h.finalDeadline < today ? 1 : null;
}

/** Each lead unit's closed items with their on-time flag (only completion before t is ever used). */
export function unitRecord(histories: ItemHistory[]): UnitRecord {
  const out: UnitRecord = new Map();
  addToUnitRecord(out, histories);
  return sortUnitRecord(out);
}

/** Adds a batch's closed items to a record being built (sortUnitRecord once every batch is in). */
export function addToUnitRecord(out: UnitRecord, histories: ItemHistory[]): void {
  for (const h of histories) {
    if (!h.completedAt || !h.leadUnitId) continue;
    const list = out.get(h.leadUnitId) ?? [];
    list.push({ at: h.completedAt.getTime(), onTime: shanghaiDate(h.completedAt) <= h.finalDeadline });
    out.set(h.leadUnitId, list);
  }
}

export function sortUnitRecord(out: UnitRecord): UnitRecord {
  for (const list of out.values()) list.sort((a, b) => a.at - b.at);
  return out;
}

/** The unit record of every dispatched item, read batch by batch (forEachHistoryBatch). */
export async function loadUnitRecord(db: Queryable, size = HISTORY_BATCH): Promise<UnitRecord> {
  const out: UnitRecord = new Map();
  await forEachHistoryBatch(db, (batch) => addToUnitRecord(out, batch), size);
  return sortUnitRecord(out);
}

function lastAtOrBefore<T extends { at: Date }>(list: T[], t: number): T | undefined {
  let found: T | undefined;
  for (const e of list) if (e.at.getTime() <= t) found = e;
  return found;
}

const clip = (v: number, lo: number, hi: number) => Math.max(lo, Math.min(hi, v));

/** The feature vector (in FEATURES order) of an item at time t. */
export function featuresAt(h: ItemHistory, at: Date, units: UnitRecord, cal: Calendar): number[] {
  const t = at.getTime();
  const today = shanghaiDate(at);
  const start = shanghaiDate(h.start);
  const deadline = lastAtOrBefore(h.deadlines, t)?.deadline ?? h.deadlines[0]?.deadline ?? h.finalDeadline;
  const span = Math.max(1, workingDaysBetween(cal, start, deadline));
  const elapsed = clip(workingDaysBetween(cal, start, today) / span, 0, 3);
  const progress = (lastAtOrBefore(h.progress, t)?.percent ?? 0) / 100;
  const velocity = clip(progress / Math.max(elapsed, 0.05), 0, 3);
  const reports = h.reports.filter((r) => r.getTime() <= t);
  const lastReport = reports.length > 0 ? (reports[reports.length - 1] as Date) : h.start;
  const sinceReport = clip((t - lastReport.getTime()) / DAY / 30, 0, 3);
  const before = (list: Date[]) => list.filter((d) => d.getTime() <= t).length;
  const record = (h.leadUnitId ? units.get(h.leadUnitId) : undefined) ?? [];
  let closed = 0;
  let onTime = 0;
  for (const r of record) {
    if (r.at >= t) break;
    closed++;
    if (r.onTime) onTime++;
  }
  const unitRate = (onTime + 1) / (closed + 2);
  return [
    elapsed,
    progress,
    velocity,
    sinceReport,
    before(h.extensions),
    before(h.returns),
    unitRate,
    h.recurring ? 1 : 0,
    h.collaborators,
    ...CATEGORY_CODES.map((c) => (h.categoryCode === c ? 1 : 0)),
  ];
}

type EventRow = { item_id: string | null; type: string; occurred_at: Date; payload: unknown };

const HISTORY_EVENTS = [
  'item.dispatched',
  'item.accepted',
  'item.returned',
  'item.progress_reported',
  'item.progress_rolled_up',
  'item.extension_requested',
  'item.extension_approved',
];

/** Items per round of forEachHistoryBatch: a pass over every history holds one batch at a time. */
export const HISTORY_BATCH = 2_000;

/**
 * Every dispatched item's history, from the items, their lead assignment and the event log, a batch
 * of items at a time (in id order; their assignments and events read for the batch alone), so a
 * pass over a million items holds one batch in memory, not the whole table. `lastItemId` closes the
 * id range the batch covers (items without a dispatch event have no history, so it may be none of
 * the batch's).
 */
export async function forEachHistoryBatch(
  db: Queryable,
  each: (batch: ItemHistory[], lastItemId: string) => void | Promise<void>,
  size = HISTORY_BATCH,
): Promise<void> {
  let after: string | undefined;
  for (;;) {
    let q = db
      .selectFrom('items as i')
      .select(['i.id', 'i.status', 'i.category_code', 'i.deadline', 'i.completed_at', 'i.report_schedule'])
      .where('i.dispatched_at', 'is not', null)
      .orderBy('i.id')
      .limit(size);
    if (after !== undefined) q = q.where('i.id', '>', after);
    const items = await q.execute();
    const last = items.at(-1);
    if (!last) return;
    await each(await historiesOf(db, items, after, last.id), last.id);
    if (items.length < size) return;
    after = last.id;
  }
}

/** Every dispatched item's history at once (small databases and tests; the jobs go batch by batch). */
export async function loadHistories(db: Queryable): Promise<ItemHistory[]> {
  const out: ItemHistory[] = [];
  await forEachHistoryBatch(db, (batch) => {
    for (const h of batch) out.push(h);
  });
  return out;
}

type ItemRow = {
  id: string;
  status: string;
  category_code: string;
  deadline: string;
  completed_at: Date | string | null;
  report_schedule: unknown;
};

/** The histories of a batch of items, whose ids are all in (after, last]: two index range scans. */
async function historiesOf(
  db: Queryable,
  items: ItemRow[],
  after: string | undefined,
  last: string,
): Promise<ItemHistory[]> {
  const assignments = await db
    .selectFrom('assignments')
    .select(['item_id', 'unit_id', 'role', 'status'])
    .where('item_id', '<=', last)
    .$if(after !== undefined, (q) => q.where('item_id', '>', after as string))
    .execute();
  const leadOf = new Map<string, string>();
  const collaborators = new Map<string, number>();
  for (const a of assignments) {
    if (a.role === 'lead' && (a.status !== 'returned' || !leadOf.has(a.item_id)))
      leadOf.set(a.item_id, a.unit_id);
    if (a.role === 'collaborator') collaborators.set(a.item_id, (collaborators.get(a.item_id) ?? 0) + 1);
  }
  const events = (await db
    .selectFrom('events')
    .select(['item_id', 'type', 'occurred_at', 'payload'])
    .where('type', 'in', HISTORY_EVENTS)
    .where('item_id', '<=', last)
    .$if(after !== undefined, (q) => q.where('item_id', '>', after as string))
    .orderBy('item_id')
    .orderBy('seq')
    .execute()) as EventRow[];
  const byItem = new Map<string, EventRow[]>();
  for (const e of events) {
    if (!e.item_id) continue;
    const list = byItem.get(e.item_id) ?? [];
    list.push(e);
    byItem.set(e.item_id, list);
  }
  const out: ItemHistory[] = [];
  for (const i of items) {
    const lead = leadOf.get(i.id) ?? null;
    const h: ItemHistory = {
      id: i.id,
      status: i.status,
      categoryCode: i.category_code,
      leadUnitId: lead,
      collaborators: collaborators.get(i.id) ?? 0,
      recurring: i.report_schedule !== null,
      start: new Date(0),
      deadlines: [],
      finalDeadline: i.deadline,
      progress: [],
      reports: [],
      extensions: [],
      returns: [],
      completedAt: i.completed_at ? new Date(i.completed_at) : null,
    };
    let started = false;
    for (const e of byItem.get(i.id) ?? []) {
      const at = new Date(e.occurred_at);
      const p = (e.payload ?? {}) as Record<string, unknown>;
      switch (e.type) {
        case 'item.dispatched': {
          if (!started) {
            h.start = at;
            started = true;
          }
          const list = (p.assignments ?? []) as { role: string; deadline: string }[];
          const d = list.find((a) => a.role === 'lead')?.deadline ?? (p.deadline as string | undefined);
          if (d) h.deadlines.push({ at, deadline: d });
          break;
        }
        case 'item.accepted':
          if (typeof p.deadline === 'string' && p.unitId === lead)
            h.deadlines.push({ at, deadline: p.deadline });
          break;
        case 'item.extension_approved':
          if (typeof p.newDeadline === 'string' && p.unitId === lead)
            h.deadlines.push({ at, deadline: p.newDeadline });
          break;
        case 'item.extension_requested':
          h.extensions.push(at);
          break;
        case 'item.returned':
          h.returns.push(at);
          break;
        case 'item.progress_reported':
          h.reports.push(at);
          if (typeof p.itemProgress === 'number') h.progress.push({ at, percent: p.itemProgress });
          break;
        case 'item.progress_rolled_up':
          if (typeof p.progress === 'number') h.progress.push({ at, percent: p.progress });
          break;
        default:
          break;
      }
    }
    if (started) out.push(h);
  }
  return out;
}

export async function nationalCalendar(db: Queryable): Promise<Calendar> {
  return loadCalendar(db, null);
}
