import { isIsoDate, type ListItemsParams } from '@duban/schema';
import { sql } from 'kysely';
import { lightFor, lightInSql } from '../clock/light.ts';
import type { Queryable } from '../db/client.ts';
import { listSlots, storedSchedule } from '../reporting/slots.ts';
import type { Actor } from '../shared/actor.ts';
import { DomainError } from '../shared/errors.ts';
import { shanghaiDate } from '../shared/time.ts';
import { allowedActions } from './lifecycle.ts';
import { type ItemState, type ItemStatus, STATUS_NAMES_ZH } from './model.ts';
import { itemNotFound } from './perform-action.ts';
import { canSeeItem, participantFor, visibleTo } from './policy.ts';
import { toState } from './repository.ts';

/** One item as the API presents it, with the actions the caller may take now. */
export async function getItemDetail(db: Queryable, actor: Actor, itemId: string, now: Date) {
  const row = await db
    .selectFrom('items as i')
    .selectAll('i')
    .where('i.id', '=', itemId)
    .where(visibleTo(actor))
    .executeTakeFirst();
  if (!row) throw itemNotFound();
  const assignments = await db
    .selectFrom('assignments as a')
    .innerJoin('units as u', 'u.id', 'a.unit_id')
    .selectAll('a')
    .select('u.name as unit_name')
    .where('a.item_id', '=', itemId)
    .orderBy('a.role', 'desc')
    .orderBy('u.name')
    .execute();
  const children = await db
    .selectFrom('items as i')
    .innerJoin('units as u', 'u.id', 'i.assigning_unit_id')
    .select([
      'i.id',
      'i.number',
      'i.title',
      'i.status',
      'i.progress',
      'i.weight',
      'i.deadline',
      'i.light_yellow_on',
      'i.light_red_on',
      'i.light_overdue_on',
      'i.light_lag_on',
      'i.clock_paused_on',
      'i.due_at',
      'u.name as assigning_unit_name',
    ])
    .where('i.parent_id', '=', itemId)
    .orderBy('i.number')
    .execute();
  const units = await db
    .selectFrom('units')
    .select(['id', 'name'])
    .where('id', 'in', [row.assigning_unit_id, ...(row.supervising_unit_id ? [row.supervising_unit_id] : [])])
    .execute();
  const unitName = (id: string | null) => units.find((u) => u.id === id)?.name ?? null;
  const state = toState(row, assignments, children.length > 0);
  const participant = await participantFor(db, actor, row.assigning_unit_id);
  const status = row.status as ItemStatus;
  return {
    id: row.id,
    number: row.number,
    title: row.title,
    content: row.content,
    source: row.source,
    categoryCode: row.category_code,
    urgency: row.urgency,
    sensitivity: row.sensitivity,
    status,
    statusName: STATUS_NAMES_ZH[status],
    light: lightFor({ ...row, status }, now, [row.clock_paused_on]),
    assigningUnit: { id: row.assigning_unit_id, name: unitName(row.assigning_unit_id) },
    supervisingUnit: row.supervising_unit_id
      ? { id: row.supervising_unit_id, name: unitName(row.supervising_unit_id) }
      : null,
    regionCode: row.region_code,
    responsiblePersons: row.responsible_persons,
    deadline: row.deadline,
    deadlineRule: state.deadlineRule,
    /** Provisional: the rule has not been fixed by dispatch (or, 签收后, by the lead's acceptance). */
    deadlineProvisional: deadlineProvisional(state),
    milestones: state.milestones.map((m) => ({ ...m, reachedOn: m.reachedOn ?? null })),
    targets: row.targets,
    progress: row.progress,
    parentId: row.parent_id,
    weight: Number(row.weight),
    rectifiesItemId: row.rectifies_item_id,
    isPublic: row.is_public,
    isDemo: row.is_demo,
    completionRequest: row.completion_request,
    evaluation: row.evaluation,
    createdAt: row.created_at.toISOString(),
    updatedAt: row.updated_at.toISOString(),
    dispatchedAt: row.dispatched_at?.toISOString() ?? null,
    dueAt: row.due_at?.toISOString() ?? null,
    completedAt: row.completed_at?.toISOString() ?? null,
    archivedAt: row.archived_at?.toISOString() ?? null,
    version: row.version,
    reportSchedule: storedSchedule(row.report_schedule),
    reportSlots: await listSlots(db, itemId),
    assignments: assignments.map((a) => ({
      unitId: a.unit_id,
      unitName: a.unit_name,
      role: a.role,
      deadline: a.deadline,
      status: a.status,
      progress: a.progress,
      acceptedAt: a.accepted_at?.toISOString() ?? null,
      returnReason: a.return_reason,
      pendingExtension: a.pending_extension,
      // An assignment's clock also stands while its extension request is pending.
      light:
        a.status === 'returned'
          ? null
          : lightFor({ ...a, status, due_at: row.due_at }, now, [
              row.clock_paused_on,
              extensionPausedOn(a.pending_extension),
            ]),
    })),
    children: children.map((c) => ({
      id: c.id,
      number: c.number,
      title: c.title,
      status: c.status,
      progress: c.progress,
      weight: Number(c.weight),
      deadline: c.deadline,
      assigningUnitName: c.assigning_unit_name,
      light: lightFor({ ...c, status: c.status as ItemStatus }, now, [c.clock_paused_on]),
    })),
    allowedActions: allowedActions(state, participant),
  };
}

function deadlineProvisional(s: ItemState): boolean {
  const rule = s.deadlineRule;
  if (rule === null) return false;
  if (s.dispatchedAt === null) return true;
  const lead = s.assignments.find((a) => a.role === 'lead' && a.status !== 'returned');
  return rule.kind === 'working-days' && rule.from === 'acceptance' && !lead?.acceptedAt;
}

export function extensionPausedOn(pending: unknown): string | null {
  const at = (pending as { requestedAt?: unknown } | null)?.requestedAt;
  return typeof at === 'string' ? shanghaiDate(new Date(at)) : null;
}

type Cursor = { v: string; id: string };

function encodeCursor(c: Cursor): string {
  return Buffer.from(JSON.stringify(c)).toString('base64url');
}

const UUID_RE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** The sort value as encodeCursor writes it: a calendar date, or an instant in toISOString form. */
function isCursorValue(v: string, column: 'deadline' | 'created_at'): boolean {
  if (column === 'deadline') return isIsoDate(v);
  const t = Date.parse(v);
  return Number.isFinite(t) && new Date(t).toISOString() === v;
}

function decodeCursor(raw: string, column: 'deadline' | 'created_at'): Cursor {
  try {
    const c: unknown = JSON.parse(Buffer.from(raw, 'base64url').toString('utf8'));
    // Checked before it reaches SQL: a cast of a bad value would fail there as a 500.
    if (
      typeof c === 'object' &&
      c !== null &&
      'v' in c &&
      'id' in c &&
      typeof c.v === 'string' &&
      typeof c.id === 'string' &&
      UUID_RE.test(c.id) &&
      isCursorValue(c.v, column)
    )
      return { v: c.v, id: c.id };
  } catch {
    // fall through to the error below
  }
  throw new DomainError(
    'VALIDATION_FAILED',
    { zh: '分页游标无效', en: 'Invalid cursor' },
    { field: 'querystring.cursor' },
  );
}

/** The list API: scoped in SQL to what the caller may see, filtered, sorted, cursor-paginated. */
export async function listItems(db: Queryable, actor: Actor, p: ListItemsParams, now: Date) {
  const desc = p.sort.startsWith('-');
  const column = p.sort.endsWith('eadline') ? 'deadline' : 'created_at';
  let q = db
    .selectFrom('items as i')
    .innerJoin('units as u', 'u.id', 'i.assigning_unit_id')
    .select([
      'i.id',
      'i.number',
      'i.title',
      'i.status',
      'i.category_code',
      'i.urgency',
      'i.sensitivity',
      'i.deadline',
      'i.progress',
      'i.region_code',
      'i.parent_id',
      'i.is_public',
      'i.is_demo',
      'i.created_at',
      'i.light_yellow_on',
      'i.light_red_on',
      'i.light_overdue_on',
      'i.light_lag_on',
      'i.clock_paused_on',
      'i.due_at',
      'i.version',
      'u.name as assigning_unit_name',
    ])
    .select(
      sql<string | null>`(select lu.name from assignments la join units lu on lu.id = la.unit_id
      where la.item_id = i.id and la.role = 'lead' and la.status <> 'returned')`.as('lead_unit_name'),
    )
    .where(visibleTo(actor));
  if (p.status) q = q.where('i.status', 'in', p.status);
  if (p.category) q = q.where('i.category_code', '=', p.category);
  if (p.urgency) q = q.where('i.urgency', '=', p.urgency);
  if (p.sensitivity) q = q.where('i.sensitivity', '=', p.sensitivity);
  if (p.deadlineFrom) q = q.where('i.deadline', '>=', p.deadlineFrom);
  if (p.deadlineTo) q = q.where('i.deadline', '<=', p.deadlineTo);
  if (p.parentId) q = q.where('i.parent_id', '=', p.parentId);
  if (p.myAssignment)
    q = q.where(
      sql<boolean>`exists (select 1 from assignments ma where ma.item_id = i.id
        and ma.unit_id = ${actor.unitId} and ma.status = ${p.myAssignment})`,
    );
  if (p.q)
    q = q.where(
      sql<boolean>`(i.title ilike ${`%${escapeLike(p.q)}%`} or i.number ilike ${`%${escapeLike(p.q)}%`})`,
    );
  // Index-usable bounds first (lit status, the first day of the light), the exact light after.
  if (p.light) q = q.where(lightInSql(now, p.light));
  if (p.unitId) {
    const unitId = p.unitId;
    // item_units holds every unit an item involves (returned assignments too): a superset found
    // by its unit index, narrowed to the assigning unit or a live assignment.
    q = q.where(
      sql<boolean>`(i.id in (select fu.item_id from item_units fu where fu.unit_id = ${unitId})
        and (i.assigning_unit_id = ${unitId} or exists (select 1 from assignments a where a.item_id = i.id and a.unit_id = ${unitId} and a.status <> 'returned')))`,
    );
  }
  if (p.regionCode) {
    const region = await db
      .selectFrom('regions')
      .select('path')
      .where('code', '=', p.regionCode)
      .executeTakeFirst();
    if (!region)
      throw new DomainError(
        'VALIDATION_FAILED',
        { zh: '行政区划不存在', en: 'Unknown region' },
        { field: 'querystring.regionCode' },
      );
    q = q.where(
      sql<boolean>`i.region_code in (select r.code from regions r where r.path = ${region.path} or r.path like ${`${region.path}.%`})`,
    );
  }
  if (p.cursor) {
    const c = decodeCursor(p.cursor, column);
    const col = sql.ref(`i.${column}`);
    const v = column === 'deadline' ? sql`${c.v}::date` : sql`${c.v}::timestamptz`;
    q = q.where(
      desc ? sql<boolean>`(${col}, i.id) < (${v}, ${c.id})` : sql<boolean>`(${col}, i.id) > (${v}, ${c.id})`,
    );
  }
  const rows = await q
    .orderBy(`i.${column}`, desc ? 'desc' : 'asc')
    .orderBy('i.id', desc ? 'desc' : 'asc')
    .limit(p.limit + 1)
    .execute();
  const page = rows.slice(0, p.limit);
  const last = page.at(-1);
  const nextCursor =
    rows.length > p.limit && last
      ? encodeCursor({
          v: column === 'deadline' ? last.deadline : last.created_at.toISOString(),
          id: last.id,
        })
      : null;
  return {
    items: page.map((r) => {
      const status = r.status as ItemStatus;
      return {
        id: r.id,
        number: r.number,
        title: r.title,
        status,
        statusName: STATUS_NAMES_ZH[status],
        categoryCode: r.category_code,
        urgency: r.urgency,
        sensitivity: r.sensitivity,
        deadline: r.deadline,
        progress: r.progress,
        light: lightFor({ ...r, status }, now, [r.clock_paused_on]),
        regionCode: r.region_code,
        assigningUnitName: r.assigning_unit_name,
        leadUnitName: r.lead_unit_name,
        parentId: r.parent_id,
        isPublic: r.is_public,
        isDemo: r.is_demo,
        createdAt: r.created_at.toISOString(),
        version: r.version,
      };
    }),
    nextCursor,
  };
}

function escapeLike(s: string): string {
  return s.replace(/[\\%_]/g, (c) => `\\${c}`);
}

export async function listItemEvents(db: Queryable, actor: Actor, itemId: string) {
  if (!(await canSeeItem(db, actor, itemId))) throw itemNotFound();
  const rows = await db
    .selectFrom('events as e')
    .leftJoin('users as u', 'u.id', 'e.actor_id')
    .select([
      'e.seq',
      'e.id',
      'e.type',
      'e.occurred_at',
      'e.payload',
      'e.actor_id',
      'u.display_name as actor_name',
    ])
    .where('e.item_id', '=', itemId)
    .orderBy('e.seq')
    .execute();
  return {
    events: rows.map((e) => ({
      seq: e.seq,
      id: e.id,
      type: e.type,
      at: e.occurred_at.toISOString(),
      actor: e.actor_id ? { id: e.actor_id, name: e.actor_name } : null,
      payload: e.payload,
    })),
  };
}

export async function listItemReports(db: Queryable, actor: Actor, itemId: string) {
  if (!(await canSeeItem(db, actor, itemId))) throw itemNotFound();
  const rows = await db
    .selectFrom('progress_reports as p')
    .innerJoin('units as u', 'u.id', 'p.unit_id')
    .innerJoin('users as a', 'a.id', 'p.author_id')
    .select([
      'p.id',
      'p.percent',
      'p.narrative',
      'p.problems',
      'p.next_steps',
      'p.indicator_values',
      'p.attachments',
      'p.created_at',
      'u.name as unit_name',
      'p.unit_id',
      'a.display_name as author_name',
    ])
    .where('p.item_id', '=', itemId)
    .orderBy('p.created_at')
    .orderBy('p.ord')
    .execute();
  const remarks = await db
    .selectFrom('remarks as r')
    .innerJoin('users as a', 'a.id', 'r.author_id')
    .select(['r.id', 'r.kind', 'r.body', 'r.created_at', 'a.display_name as author_name'])
    .where('r.item_id', '=', itemId)
    .orderBy('r.created_at')
    .orderBy('r.ord')
    .execute();
  return {
    reports: rows.map((r) => ({
      id: r.id,
      unitId: r.unit_id,
      unitName: r.unit_name,
      authorName: r.author_name,
      percent: r.percent,
      narrative: r.narrative,
      problems: r.problems,
      nextSteps: r.next_steps,
      indicatorValues: r.indicator_values,
      attachments: r.attachments,
      createdAt: r.created_at.toISOString(),
    })),
    remarks: remarks.map((r) => ({
      id: r.id,
      kind: r.kind,
      body: r.body,
      authorName: r.author_name,
      createdAt: r.created_at.toISOString(),
    })),
  };
}

/** The little other modules need of an item: number, title, status, assigning unit, live units. */
export async function itemBrief(db: Queryable, itemId: string) {
  const row = await db
    .selectFrom('items')
    .select(['id', 'number', 'title', 'status', 'assigning_unit_id'])
    .where('id', '=', itemId)
    .executeTakeFirst();
  if (!row) return null;
  const live = await db
    .selectFrom('assignments')
    .select(['unit_id', 'role'])
    .where('item_id', '=', itemId)
    .where('status', '<>', 'returned')
    .execute();
  return {
    id: row.id,
    number: row.number,
    title: row.title,
    status: row.status as ItemStatus,
    assigningUnitId: row.assigning_unit_id,
    liveUnits: live.map((a) => ({ unitId: a.unit_id, role: a.role })),
  };
}
