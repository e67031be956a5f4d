import crypto from 'node:crypto';
import type { DeadlineRule, Urgency } from '@duban/schema';
import type { Tx } from '../db/client.ts';
import type { AssignmentRow, ItemRow } from '../db/schema.ts';
import { DomainError } from '../shared/errors.ts';
import { syncItemUnits } from './involvement.ts';
import { type ItemClock, refreshLights } from './lights.ts';
import type {
  Assignment,
  CompletionRequest,
  Evaluation,
  ExtensionRequest,
  ItemState,
  ItemStatus,
  Milestone,
  Target,
} from './model.ts';

/**
 * Loads an item's lifecycle state, locking the row for the rest of the transaction, and then its
 * ancestors, child before parent: a change may roll up into them, and taking them only then, after
 * the event counter, deadlocks against a command on the parent (parent row, then event counter).
 */
export async function loadItemForUpdate(
  tx: Tx,
  itemId: string,
): Promise<{ row: ItemRow; state: ItemState } | null> {
  const row = await tx
    .selectFrom('items')
    .selectAll()
    .where('id', '=', itemId)
    .forUpdate()
    .executeTakeFirst();
  if (!row) return null;
  for (let parentId = row.parent_id; parentId !== null; ) {
    const parent = await tx
      .selectFrom('items')
      .select('parent_id')
      .where('id', '=', parentId)
      .forUpdate()
      .executeTakeFirst();
    parentId = parent?.parent_id ?? null;
  }
  const assignments = await tx
    .selectFrom('assignments')
    .selectAll()
    .where('item_id', '=', itemId)
    .orderBy('role', 'desc')
    .orderBy('id')
    .execute();
  const child = await tx
    .selectFrom('items')
    .select('id')
    .where('parent_id', '=', itemId)
    .limit(1)
    .executeTakeFirst();
  return { row, state: toState(row, assignments, child !== undefined) };
}

export function toState(row: ItemRow, assignments: AssignmentRow[], hasChildren: boolean): ItemState {
  return {
    id: row.id,
    status: row.status as ItemStatus,
    statusBeforeSuspend: (row.status_before_suspend as ItemStatus | null) ?? null,
    assigningUnitId: row.assigning_unit_id,
    deadline: row.deadline,
    progress: row.progress,
    hasChildren,
    targets: row.targets as Target[],
    assignments: assignments.map(toAssignment),
    completionRequest: (row.completion_request as CompletionRequest | null) ?? null,
    evaluation: (row.evaluation as Evaluation | null) ?? null,
    dispatchedAt: row.dispatched_at?.toISOString() ?? null,
    completedAt: row.completed_at?.toISOString() ?? null,
    archivedAt: row.archived_at?.toISOString() ?? null,
    clockPausedOn: row.clock_paused_on,
    urgency: row.urgency as Urgency,
    dueAt: row.due_at === null ? null : new Date(row.due_at).toISOString(),
    deadlineRule: (row.deadline_rule as DeadlineRule | null) ?? null,
    milestones: (row.milestones as Milestone[] | null) ?? [],
  };
}

function toAssignment(a: AssignmentRow): Assignment {
  return {
    unitId: a.unit_id,
    role: a.role,
    deadline: a.deadline,
    status: a.status,
    progress: a.progress,
    acceptedAt: a.accepted_at?.toISOString() ?? null,
    acceptedBy: a.accepted_by,
    returnReason: a.return_reason,
    pendingExtension: (a.pending_extension as ExtensionRequest | null) ?? null,
  };
}

const json = (v: unknown) => (v === null ? null : JSON.stringify(v));

/**
 * Writes a new lifecycle state over the one loaded, bumping the optimistic version. A version that
 * moved meanwhile means another writer won: VERSION_CONFLICT (409).
 */
export async function saveItemState(
  tx: Tx,
  before: ItemState,
  after: ItemState,
  version: number,
  at: Date,
  clock?: ItemClock,
) {
  const res = await tx
    .updateTable('items')
    .set({
      clock_paused_on: after.clockPausedOn,
      due_at: after.dueAt,
      status: after.status,
      status_before_suspend: after.statusBeforeSuspend,
      deadline: after.deadline,
      progress: after.progress,
      completion_request: json(after.completionRequest),
      evaluation: json(after.evaluation),
      dispatched_at: after.dispatchedAt,
      completed_at: after.completedAt,
      archived_at: after.archivedAt,
      ...(after.milestones !== before.milestones && { milestones: JSON.stringify(after.milestones) }),
      updated_at: at,
      version: version + 1,
    })
    .where('id', '=', after.id)
    .where('version', '=', version)
    .executeTakeFirst();
  if (Number(res.numUpdatedRows) !== 1) throw versionConflict();
  if (after.assignments !== before.assignments) {
    await saveAssignments(tx, before, after);
    if (unitSet(before) !== unitSet(after)) await syncItemUnits(tx, after.id);
  }
  await refreshLights(tx, after.id, clock);
  return version + 1;
}

async function saveAssignments(tx: Tx, before: ItemState, state: ItemState) {
  // transition() returns untouched assignments as the same objects: write only what changed.
  const unchanged = new Set(before.assignments);
  // Demote before promote: at most one live lead may exist at any moment (partial unique index).
  const ordered = state.assignments
    .filter((a) => !unchanged.has(a))
    .sort((a, b) => leadLast(a) - leadLast(b));
  for (const a of ordered) {
    const values = {
      role: a.role,
      deadline: a.deadline,
      status: a.status,
      progress: a.progress,
      accepted_at: a.acceptedAt,
      accepted_by: a.acceptedBy,
      return_reason: a.returnReason,
      pending_extension: json(a.pendingExtension),
    };
    await tx
      .insertInto('assignments')
      .values({ id: crypto.randomUUID(), item_id: state.id, unit_id: a.unitId, ...values })
      .onConflict((oc) => oc.columns(['item_id', 'unit_id']).doUpdateSet(values))
      .execute();
  }
}

export function versionConflict() {
  return new DomainError('VERSION_CONFLICT', {
    zh: '事项已被他人修改，请刷新后重试',
    en: 'The item was changed by someone else; reload and retry',
  });
}

const leadLast = (a: Assignment) => (a.role === 'lead' && a.status !== 'returned' ? 1 : 0);

const unitSet = (s: ItemState) =>
  s.assignments
    .map((a) => a.unitId)
    .sort()
    .join();
