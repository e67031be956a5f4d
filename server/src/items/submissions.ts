import crypto from 'node:crypto';
import { type ColumnType, type Expression, type Kysely, type SqlBool, sql, type Transaction } from 'kysely';
import type { Queryable, Tx } from '../db/client.ts';
import type { Database, ItemRow } from '../db/schema.ts';
import { appendEvents } from '../events/append.ts';
import { notify } from '../notify/notify.ts';
import { findActor } from '../org/scope.ts';
import { activeUserIds } from '../org/users.ts';
import { type Actor, hasRole } from '../shared/actor.ts';
import { DomainError } from '../shared/errors.ts';
import { guard } from './lifecycle.ts';
import { ACTION_NAMES_ZH, type ItemAction } from './model.ts';
import { performAction } from './perform-action.ts';
import { participantFor, visibleTo } from './policy.ts';
import { toState } from './repository.ts';

/**
 * 单位负责人审批 (issue 5): in a unit with `require_head_approval`, a handler's 进展反馈, 延期申请 and
 * 办结申请 do not reach the supervisors at once. performAction() checks the action as usual and
 * then, instead of performing it, holds it here as a pending submission (202). The unit's head
 * approves it — the action is then performed as the submitter, in the same transaction — or
 * returns it with a reason. A unit head's own submissions, and every action of units without the
 * setting, go straight through as before.
 */

export const SUBMITTABLE_ACTIONS = ['report', 'request-extension', 'request-completion'] as const;
export type SubmittableAction = (typeof SUBMITTABLE_ACTIONS)[number];
export const SUBMISSION_STATUSES = ['pending', 'approved', 'rejected'] as const;
export type SubmissionStatus = (typeof SUBMISSION_STATUSES)[number];

type Timestamp = ColumnType<Date, Date | string, Date | string>;
type UnitSubmissionTable = {
  id: string;
  item_id: string;
  unit_id: string;
  action: SubmittableAction;
  body: ColumnType<unknown, string, string>;
  submitted_by: string;
  status: ColumnType<SubmissionStatus, SubmissionStatus | undefined, SubmissionStatus>;
  decided_by: string | null;
  reason: ColumnType<string, string | undefined, string>;
  created_at: Timestamp;
  decided_at: Timestamp | null;
};
type SubmissionTables = { unit_submissions: UnitSubmissionTable };
type SubDb = Kysely<Database & SubmissionTables> | Transaction<Database & SubmissionTables>;
const subDb = (db: Queryable): SubDb => db.withTables<SubmissionTables>();

function isSubmittable(action: ItemAction): action is SubmittableAction {
  return (SUBMITTABLE_ACTIONS as readonly string[]).includes(action);
}

export type SubmissionView = {
  id: string;
  itemId: string;
  itemNumber: string;
  itemTitle: string;
  unitId: string;
  unitName: string;
  action: SubmittableAction;
  body: unknown;
  status: SubmissionStatus;
  submittedBy: { id: string; name: string };
  decidedBy: { id: string; name: string } | null;
  reason: string;
  createdAt: string;
  decidedAt: string | null;
  /** A pending submission the item has moved past: why approving it now would be refused. */
  blocked: { reason: string; zh: string; en: string } | null;
};

/**
 * Called by performAction() once the action has passed every check and before anything is
 * written: holds it when the actor's unit requires its head's approval, has an active head, and
 * the actor is not a head of it. Returns the pending submission, or null to perform the action now.
 */
export async function holdForHeadApproval(
  tx: Tx,
  actor: Actor,
  input: { action: ItemAction; body: unknown; now: Date },
  row: ItemRow,
): Promise<SubmissionView | null> {
  if (!isSubmittable(input.action) || hasRole(actor, 'unit_head')) return null;
  const unit = await tx
    .selectFrom('units')
    .select('require_head_approval')
    .where('id', '=', actor.unitId)
    .executeTakeFirst();
  if (!unit?.require_head_approval) return null;
  // A unit without an active head could never have it approved: it goes straight through.
  const heads = await activeUserIds(tx, actor.unitId, ['unit_head']);
  if (heads.length === 0) return null;
  const id = crypto.randomUUID();
  await subDb(tx)
    .insertInto('unit_submissions')
    .values({
      id,
      item_id: row.id,
      unit_id: actor.unitId,
      action: input.action,
      body: JSON.stringify(input.body),
      submitted_by: actor.userId,
      created_at: input.now,
    })
    .execute();
  await appendEvents(
    tx,
    [
      {
        type: 'submission.created',
        itemId: row.id,
        submissionId: id,
        unitId: actor.unitId,
        action: input.action,
      },
    ],
    { actorId: actor.userId, at: input.now },
  );
  await notify(
    tx,
    {
      recipients: heads,
      kind: 'submission.created',
      title: `【待审批】${row.number} ${ACTION_NAMES_ZH[input.action]}`,
      body: `${actor.displayName} 提交了「${row.title}」的${ACTION_NAMES_ZH[input.action]}，请审批。`,
      link: '/workbench?tab=submissions',
      itemId: row.id,
      urgent: false,
      data: { itemId: row.id, submissionId: id, action: input.action },
    },
    input.now,
  );
  return (await readSubmissions(tx, { id }))[0] ?? null;
}

/**
 * Who sees a submission: the handlers and heads of its unit, and the supervisors, leaders and
 * auditors who see its item. Everyone else: as if it did not exist (404).
 */
function submissionVisibleTo(actor: Actor): Expression<SqlBool> {
  const branches: Expression<SqlBool>[] = [];
  if (hasRole(actor, 'handler', 'unit_head')) branches.push(sql<SqlBool>`s.unit_id = ${actor.unitId}`);
  if (hasRole(actor, 'supervisor', 'leader', 'auditor')) branches.push(visibleTo(actor));
  if (branches.length === 0) return sql<SqlBool>`false`;
  return sql<SqlBool>`(${sql.join(branches, sql` or `)})`;
}

type Filter = {
  id?: string;
  itemId?: string | undefined;
  status?: SubmissionStatus | undefined;
  actor?: Actor;
  limit?: number;
};

async function readSubmissions(db: Queryable, f: Filter): Promise<SubmissionView[]> {
  let q = subDb(db)
    .selectFrom('unit_submissions as s')
    .innerJoin('items as i', 'i.id', 's.item_id')
    .innerJoin('units as un', 'un.id', 's.unit_id')
    .innerJoin('users as su', 'su.id', 's.submitted_by')
    .leftJoin('users as du', 'du.id', 's.decided_by')
    .select([
      's.id',
      's.item_id',
      's.unit_id',
      's.action',
      's.body',
      's.status',
      's.submitted_by',
      's.decided_by',
      's.reason',
      's.created_at',
      's.decided_at',
      'i.number',
      'i.title',
      'un.name as unit_name',
      'su.display_name as submitter_name',
      'du.display_name as decider_name',
    ])
    .orderBy('s.created_at', 'desc')
    .orderBy('s.id');
  if (f.id !== undefined) q = q.where('s.id', '=', f.id);
  if (f.itemId !== undefined) q = q.where('s.item_id', '=', f.itemId);
  if (f.status !== undefined) q = q.where('s.status', '=', f.status);
  if (f.actor) q = q.where(submissionVisibleTo(f.actor));
  const rows = await q.limit(f.limit ?? 200).execute();
  const out: SubmissionView[] = [];
  for (const r of rows) {
    out.push({
      id: r.id,
      itemId: r.item_id,
      itemNumber: r.number,
      itemTitle: r.title,
      unitId: r.unit_id,
      unitName: r.unit_name,
      action: r.action,
      body: r.body,
      status: r.status,
      submittedBy: { id: r.submitted_by, name: r.submitter_name },
      decidedBy: r.decided_by ? { id: r.decided_by, name: r.decider_name ?? '' } : null,
      reason: r.reason,
      createdAt: new Date(r.created_at).toISOString(),
      decidedAt: r.decided_at ? new Date(r.decided_at).toISOString() : null,
      blocked: r.status === 'pending' ? await blockedReason(db, r.item_id, r.action, r.submitted_by) : null,
    });
  }
  return out;
}

/** Why the submitter could not take the action now (the item moved on, or they left), else null. */
async function blockedReason(
  db: Queryable,
  itemId: string,
  action: SubmittableAction,
  submitterId: string,
): Promise<SubmissionView['blocked']> {
  const submitter = await findActor(db, submitterId, 'system');
  if (!submitter)
    return { reason: 'SUBMITTER_INACTIVE', zh: '提交人账号已停用', en: 'The submitter is no longer active' };
  const row = await db.selectFrom('items').selectAll().where('id', '=', itemId).executeTakeFirstOrThrow();
  const assignments = await db
    .selectFrom('assignments')
    .selectAll()
    .where('item_id', '=', itemId)
    .orderBy('role', 'desc')
    .orderBy('id')
    .execute();
  const state = toState(row, assignments, false);
  const refusal = guard(state, action, await participantFor(db, submitter, row.assigning_unit_id));
  return refusal ? { reason: refusal.reason, zh: refusal.zh, en: refusal.en } : null;
}

export async function listSubmissions(
  db: Queryable,
  actor: Actor,
  q: { status?: SubmissionStatus | undefined; itemId?: string | undefined },
): Promise<SubmissionView[]> {
  return readSubmissions(db, { actor, status: q.status, itemId: q.itemId });
}

const submissionNotFound = () =>
  new DomainError('NOT_FOUND', { zh: '审批事项不存在', en: 'Submission not found' });

/** A pending submission the actor may decide, locked; 404 out of sight, 403 not its unit's head, 409 decided. */
async function decidable(tx: Tx, actor: Actor, id: string) {
  const locked = await subDb(tx)
    .selectFrom('unit_submissions as s')
    .innerJoin('items as i', 'i.id', 's.item_id')
    .selectAll('s')
    .select(['i.number', 'i.title'])
    .where('s.id', '=', id)
    .where(submissionVisibleTo(actor))
    .forUpdate(['s'])
    .executeTakeFirst();
  if (!locked) throw submissionNotFound();
  if (!hasRole(actor, 'unit_head') || actor.unitId !== locked.unit_id)
    throw new DomainError('FORBIDDEN', {
      zh: '只有本单位负责人可以审批',
      en: 'Only a head of the submitting unit may decide on it',
    });
  if (locked.status !== 'pending')
    throw new DomainError(
      'CONFLICT',
      { zh: '该提交已审批', en: 'This submission has already been decided' },
      { details: { status: locked.status } },
    );
  return locked;
}

/**
 * 批准: performs the held action as the submitter, with its stored body, in this transaction; the
 * item's own events follow the submitter, `submission.approved` names the approver. When the item
 * has moved on and the action is refused, answers 409 and the submission stays pending.
 */
export async function approveSubmission(
  tx: Tx,
  actor: Actor,
  id: string,
  now: Date,
): Promise<SubmissionView> {
  const s = await decidable(tx, actor, id);
  const submitter = await findActor(tx, s.submitted_by, 'system');
  if (!submitter || submitter.unitId !== s.unit_id)
    throw stale(s.id, {
      reason: 'SUBMITTER_INACTIVE',
      zh: '提交人账号已停用或调离本单位',
      en: 'The submitter is no longer active in this unit',
    });
  try {
    await performAction(tx, submitter, {
      itemId: s.item_id,
      action: s.action,
      body: s.body,
      now,
      approvedBy: actor.userId,
    });
  } catch (err) {
    if (
      err instanceof DomainError &&
      // The stored body was checked when submitted; refused now, the item (or the calendar) moved on.
      ['TRANSITION_REFUSED', 'FORBIDDEN', 'ITEM_NOT_FOUND', 'VALIDATION_FAILED'].includes(err.code)
    ) {
      const reason = typeof err.details?.reason === 'string' ? err.details.reason : err.code;
      throw stale(s.id, { reason, zh: err.messageZh, en: err.message });
    }
    throw err;
  }
  await decide(tx, actor, s, 'approved', '', now);
  return (await readSubmissions(tx, { id }))[0] as SubmissionView;
}

function stale(id: string, why: { reason: string; zh: string; en: string }) {
  return new DomainError(
    'CONFLICT',
    { zh: `事项已变化，无法批准：${why.zh}`, en: `The item has moved on: ${why.en}` },
    { details: { reason: why.reason, submissionId: id } },
  );
}

/** 退回: the submission is closed with the reason and its submitter told; nothing reaches the item. */
export async function rejectSubmission(
  tx: Tx,
  actor: Actor,
  id: string,
  reason: string,
  now: Date,
): Promise<SubmissionView> {
  const s = await decidable(tx, actor, id);
  await decide(tx, actor, s, 'rejected', reason, now);
  return (await readSubmissions(tx, { id }))[0] as SubmissionView;
}

async function decide(
  tx: Tx,
  actor: Actor,
  s: {
    id: string;
    item_id: string;
    unit_id: string;
    action: SubmittableAction;
    submitted_by: string;
    number: string;
    title: string;
  },
  status: 'approved' | 'rejected',
  reason: string,
  now: Date,
) {
  await subDb(tx)
    .updateTable('unit_submissions')
    .set({ status, decided_by: actor.userId, decided_at: now, reason })
    .where('id', '=', s.id)
    .execute();
  const base = {
    itemId: s.item_id,
    submissionId: s.id,
    unitId: s.unit_id,
    action: s.action,
    submittedBy: s.submitted_by,
  };
  await appendEvents(
    tx,
    [
      status === 'approved'
        ? { type: 'submission.approved', ...base, approvedBy: actor.userId }
        : { type: 'submission.rejected', ...base, reason },
    ],
    { actorId: actor.userId, at: now },
  );
  const what = ACTION_NAMES_ZH[s.action];
  await notify(
    tx,
    {
      recipients: [s.submitted_by],
      kind: `submission.${status}`,
      title: status === 'approved' ? `【已批准】${s.number} ${what}` : `【已退回】${s.number} ${what}`,
      body:
        status === 'approved'
          ? `单位负责人已批准您提交的「${s.title}」${what}，已报送督查部门。`
          : `单位负责人退回了您提交的「${s.title}」${what}。退回理由：${reason}`,
      link: `/items/${s.item_id}`,
      itemId: s.item_id,
      urgent: false,
      data: { itemId: s.item_id, submissionId: s.id, action: s.action, status },
    },
    now,
  );
}
