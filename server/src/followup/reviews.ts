import crypto from 'node:crypto';
import type { FollowupOutcome, FollowupStatus } from '@duban/schema';
import { sql } from 'kysely';
import type { Db, Queryable, Tx } from '../db/client.ts';
import type { ItemRow } from '../db/schema.ts';
import {
  assertSupervises,
  CLOSED_STATUSES,
  itemSupervisorIds,
  loadVisibleItem,
  supervises,
} from '../evaluation/access.ts';
import { type EvalTx, evalDb, evalTx } from '../evaluation/tables.ts';
import { appendEvents } from '../events/append.ts';
import { performAction } from '../items/perform-action.ts';
import { canSeeItem, visibleTo } from '../items/policy.ts';
import { notify } from '../notify/notify.ts';
import { findActor } from '../org/scope.ts';
import { type Actor, hasRole } from '../shared/actor.ts';
import { DomainError, validationError } from '../shared/errors.ts';
import { addDays, shanghaiDate } from '../shared/time.ts';
import { addMonths, DEFAULT_MONTHS_AFTER } from './schedule.ts';

/**
 * 回头看: reviews of closed items some months after 办结 (per category, default 3 and 6), or at
 * once when a citizen complaint matches a closed item (proposeFollowup). A supervisor assigns a
 * reviewer; the reviewer's 巩固 closes the review, 反弹 opens a linked 整改 item through the
 * lifecycle's own `reopen` action, in the same transaction.
 */

function reviewNotFound() {
  return new DomainError('NOT_FOUND', { zh: '回头看任务不存在', en: 'Follow-up review not found' });
}

/** Creates the item's scheduled reviews if it is closed and has none yet; the ids created. */
export async function scheduleFollowups(tx: Tx, itemId: string, now: Date): Promise<string[]> {
  const item = await tx
    .selectFrom('items')
    .select(['id', 'status', 'completed_at', 'category_code'])
    .where('id', '=', itemId)
    .executeTakeFirst();
  if (!item?.completed_at || !(CLOSED_STATUSES as readonly string[]).includes(item.status)) return [];
  const db = evalTx(tx);
  const schedule = await db
    .selectFrom('followup_schedules')
    .select('months_after')
    .where('category_code', '=', item.category_code)
    .executeTakeFirst();
  const months = schedule ? schedule.months_after : DEFAULT_MONTHS_AFTER;
  if (months.length === 0) return [];
  const completedOn = shanghaiDate(item.completed_at);
  const created = await db
    .insertInto('followup_reviews')
    .values(
      months.map((m) => ({
        id: crypto.randomUUID(),
        item_id: itemId,
        source: 'schedule' as const,
        months_after: m,
        due_on: addMonths(completedOn, m),
        created_at: now,
      })),
    )
    .onConflict((oc) =>
      oc.columns(['item_id', 'months_after']).where('months_after', 'is not', null).doNothing(),
    )
    .returning(['id', 'due_on', 'months_after'])
    .execute();
  if (created.length === 0) return [];
  await appendEvents(
    tx,
    [
      {
        type: 'item.followup_scheduled',
        itemId,
        reviews: created.map((r) => ({
          reviewId: r.id,
          dueOn: r.due_on,
          monthsAfter: Number(r.months_after),
        })),
      },
    ],
    { actorId: null, at: now },
  );
  return created.map((r) => r.id);
}

/** Closed items that have no scheduled review yet (and whose category schedules any): a batch of ids. */
export async function unscheduledItemIds(db: Queryable, limit = 500): Promise<string[]> {
  const rows = await sql<{ id: string }>`
    select i.id from items i
    left join followup_schedules s on s.category_code = i.category_code
    where i.completed_at is not null
      and i.status in ('completed', 'evaluated', 'archived')
      and coalesce(cardinality(s.months_after), 1) > 0
      and not exists (select 1 from followup_reviews r where r.item_id = i.id and r.source = 'schedule')
    order by i.completed_at, i.id
    limit ${limit}`.execute(db);
  return rows.rows.map((r) => r.id);
}

/**
 * 回头看到期提醒: once per review (the notified_at claim), the item's supervisors hear that a
 * review fell due and still has no reviewer or outcome.
 */
export async function remindDueFollowups(db: Db, now: Date): Promise<number> {
  const today = shanghaiDate(now);
  return db.transaction().execute(async (tx) => {
    const claimed = await evalTx(tx)
      .updateTable('followup_reviews')
      .set({ notified_at: now })
      .where('due_on', '<=', today)
      .where('outcome', 'is', null)
      .where('notified_at', 'is', null)
      .returning(['id', 'item_id', 'due_on'])
      .execute();
    for (const r of claimed) {
      const item = await tx
        .selectFrom('items')
        .select(['number', 'title', 'assigning_unit_id', 'supervising_unit_id'])
        .where('id', '=', r.item_id)
        .executeTakeFirstOrThrow();
      await notify(
        tx,
        {
          recipients: await itemSupervisorIds(tx, item),
          kind: 'item.followup_due',
          title: `【回头看】${item.number} ${item.title}`,
          body: `该事项的回头看已于 ${r.due_on} 到期，请安排人员开展回头看。`,
          link: '/followups',
          itemId: r.item_id,
          urgent: false,
          data: { itemId: r.item_id, reviewId: r.id, dueOn: r.due_on },
        },
        now,
      );
    }
    return claimed.length;
  });
}

/**
 * 投诉回流: a citizen complaint matches a closed item — a review due today. An open complaint
 * review of the item absorbs further complaints (its id is returned). The reason is kept in the
 * row (it may quote the complaint), never in the event.
 */
export async function proposeFollowup(
  db: Db | Tx,
  itemId: string,
  reason: string,
  now: Date = new Date(),
): Promise<string> {
  const run = async (tx: Tx): Promise<string> => {
    const item = await tx
      .selectFrom('items')
      .select(['id', 'number', 'title', 'completed_at', 'assigning_unit_id', 'supervising_unit_id'])
      .where('id', '=', itemId)
      .forUpdate()
      .executeTakeFirst();
    if (!item) throw new DomainError('ITEM_NOT_FOUND', { zh: '督办事项不存在', en: 'Item not found' });
    if (item.completed_at === null)
      throw new DomainError('TRANSITION_REFUSED', {
        zh: '事项尚未办结，无需回头看',
        en: 'Only a completed item gets a follow-up review',
      });
    const db2 = evalTx(tx);
    const open = await db2
      .selectFrom('followup_reviews')
      .select('id')
      .where('item_id', '=', itemId)
      .where('source', '=', 'complaint')
      .where('outcome', 'is', null)
      .executeTakeFirst();
    if (open) return open.id;
    const id = crypto.randomUUID();
    const dueOn = shanghaiDate(now);
    await db2
      .insertInto('followup_reviews')
      .values({
        id,
        item_id: itemId,
        source: 'complaint',
        months_after: null,
        reason: reason.trim().slice(0, 2000),
        due_on: dueOn,
        created_at: now,
        notified_at: now,
      })
      .execute();
    await appendEvents(tx, [{ type: 'item.followup_proposed', itemId, reviewId: id, dueOn }], {
      actorId: null,
      at: now,
    });
    await notify(
      tx,
      {
        recipients: await itemSupervisorIds(tx, item),
        kind: 'item.followup_proposed',
        title: `【回头看建议】${item.number} ${item.title}`,
        body: '有群众诉求与该已办结事项相关，建议开展回头看。',
        link: '/followups',
        itemId,
        urgent: false,
        data: { itemId, reviewId: id },
      },
      now,
    );
    return id;
  };
  if (db.isTransaction) return run(db as Tx);
  return db.transaction().execute(run);
}

function statusOf(r: { outcome: string | null; reviewer_id: string | null; due_on: string }, today: string) {
  const status: FollowupStatus =
    r.outcome !== null
      ? 'done'
      : r.reviewer_id !== null
        ? 'assigned'
        : r.due_on <= today
          ? 'due'
          : 'scheduled';
  return status;
}

function reviewQuery(db: Queryable) {
  return evalDb(db)
    .selectFrom('followup_reviews as r')
    .innerJoin('items as i', 'i.id', 'r.item_id')
    .leftJoin('users as u', 'u.id', 'r.reviewer_id')
    .select([
      'r.id',
      'r.item_id',
      'i.number',
      'i.title',
      'i.completed_at',
      'r.source',
      'r.months_after',
      'r.reason',
      'r.due_on',
      'r.reviewer_id',
      'u.display_name as reviewer_name',
      'r.assigned_at',
      'r.outcome',
      'r.findings',
      'r.decided_at',
      'r.rectification_item_id',
    ]);
}

type ReviewRow = Awaited<ReturnType<ReturnType<typeof reviewQuery>['executeTakeFirstOrThrow']>>;

function view(r: ReviewRow, today: string) {
  return {
    id: r.id,
    itemId: r.item_id,
    itemNumber: r.number,
    itemTitle: r.title,
    completedOn: r.completed_at ? shanghaiDate(r.completed_at) : null,
    source: r.source,
    monthsAfter: r.months_after,
    reason: r.reason,
    dueOn: r.due_on,
    status: statusOf(r, today),
    reviewer: r.reviewer_id ? { id: r.reviewer_id, displayName: r.reviewer_name } : null,
    assignedAt: r.assigned_at?.toISOString() ?? null,
    outcome: r.outcome,
    findings: r.findings,
    decidedAt: r.decided_at?.toISOString() ?? null,
    rectificationItemId: r.rectification_item_id,
  };
}

export type FollowupView = ReturnType<typeof view>;

function assertMayListFollowups(actor: Actor) {
  if (!hasRole(actor, 'supervisor', 'leader', 'auditor'))
    throw new DomainError('FORBIDDEN', {
      zh: '只有督查员、领导和审计人员可以查看回头看',
      en: 'Only supervisors, leaders and auditors list follow-up reviews',
    });
}

export async function listFollowups(
  db: Queryable,
  actor: Actor,
  query: {
    status?: 'due' | 'assigned' | 'done' | undefined;
    itemId?: string | undefined;
    limit: number;
    offset: number;
  },
  now: Date,
) {
  assertMayListFollowups(actor);
  const today = shanghaiDate(now);
  let q = reviewQuery(db).where(visibleTo(actor));
  if (query.itemId) q = q.where('r.item_id', '=', query.itemId);
  if (query.status === 'done') q = q.where('r.outcome', 'is not', null);
  if (query.status === 'assigned')
    q = q.where('r.outcome', 'is', null).where('r.reviewer_id', 'is not', null);
  if (query.status === 'due')
    q = q.where('r.outcome', 'is', null).where('r.reviewer_id', 'is', null).where('r.due_on', '<=', today);
  const rows = await q
    .orderBy('r.due_on')
    .orderBy('r.id')
    .limit(query.limit + 1)
    .offset(query.offset)
    .execute();
  return {
    followups: rows.slice(0, query.limit).map((r) => view(r, today)),
    hasMore: rows.length > query.limit,
  };
}

/** The review and its item, locked, if the actor sees the item; else 404. */
async function loadReview(
  tx: Tx,
  actor: Actor,
  reviewId: string,
): Promise<{ db: EvalTx; item: ItemRow; review: ReviewRow }> {
  const db = evalTx(tx);
  const locked = await db
    .selectFrom('followup_reviews')
    .select(['id', 'item_id'])
    .where('id', '=', reviewId)
    .forUpdate()
    .executeTakeFirst();
  if (!locked || !(await canSeeItem(tx, actor, locked.item_id))) throw reviewNotFound();
  const item = await loadVisibleItem(tx, actor, locked.item_id);
  const review = await reviewQuery(tx).where('r.id', '=', reviewId).executeTakeFirstOrThrow();
  return { db, item, review };
}

export async function assignReviewer(tx: Tx, actor: Actor, reviewId: string, userId: string, now: Date) {
  const { db, item, review } = await loadReview(tx, actor, reviewId);
  await assertSupervises(tx, actor, item, '指派回头看人员');
  if (review.outcome !== null)
    throw new DomainError('CONFLICT', { zh: '该回头看已完成', en: 'This review is already done' });
  // The reviewer may open a 整改 item on 反弹: a supervisor with authority over the item.
  const reviewer = await findActor(tx, userId, 'session');
  const fit =
    reviewer !== undefined &&
    hasRole(reviewer, 'supervisor') &&
    (await canSeeItem(tx, reviewer, item.id)) &&
    (await supervises(tx, reviewer, item));
  if (!fit)
    throw validationError([
      {
        field: 'body.userId',
        message: 'must be an active supervisor with authority over the item',
        messageZh: '回头看人员须为有权督办该事项的在职督查员',
      },
    ]);
  await db
    .updateTable('followup_reviews')
    .set({ reviewer_id: userId, assigned_by: actor.userId, assigned_at: now })
    .where('id', '=', reviewId)
    .execute();
  await appendEvents(
    tx,
    [{ type: 'item.followup_assigned', itemId: item.id, reviewId, reviewerId: userId }],
    { actorId: actor.userId, at: now },
  );
  if (userId !== actor.userId)
    await notify(
      tx,
      {
        recipients: [userId],
        kind: 'item.followup_assigned',
        title: `【回头看】${item.number} ${item.title}`,
        body: `请对该已办结事项开展回头看（应于 ${review.due_on} 开展），并记录巩固或反弹情况。`,
        link: '/followups',
        itemId: item.id,
        urgent: false,
        data: { itemId: item.id, reviewId },
      },
      now,
    );
  return view(
    await reviewQuery(tx).where('r.id', '=', reviewId).executeTakeFirstOrThrow(),
    shanghaiDate(now),
  );
}

export async function recordOutcome(
  tx: Tx,
  actor: Actor,
  reviewId: string,
  input: {
    outcome: FollowupOutcome;
    findings: string;
    deadline?: string | undefined;
    title?: string | undefined;
  },
  now: Date,
) {
  const { db, item, review } = await loadReview(tx, actor, reviewId);
  if (review.reviewer_id !== actor.userId)
    throw new DomainError('FORBIDDEN', {
      zh: '只有指派的回头看人员可以记录结果',
      en: 'Only the assigned reviewer records the outcome',
    });
  if (review.outcome !== null)
    throw new DomainError('CONFLICT', { zh: '该回头看已记录结果', en: 'The outcome is already recorded' });
  // The outcome first: if the 整改 item cannot be made, the whole transaction (this too) rolls back.
  await db
    .updateTable('followup_reviews')
    .set({ outcome: input.outcome, findings: input.findings, decided_at: now, decided_by: actor.userId })
    .where('id', '=', reviewId)
    .execute();
  let rectificationItemId: string | null = null;
  if (input.outcome === 'rebound') {
    await performAction(tx, actor, {
      itemId: item.id,
      action: 'reopen',
      body: {
        reason: `回头看发现问题反弹：${input.findings}`,
        deadline: input.deadline ?? addDays(shanghaiDate(now), 30),
        ...(input.title ? { title: input.title } : {}),
      },
      now,
    });
    const reopened = await tx
      .selectFrom('events')
      .select('payload')
      .where('item_id', '=', item.id)
      .where('type', '=', 'item.reopened')
      .orderBy('seq', 'desc')
      .executeTakeFirstOrThrow();
    rectificationItemId = (reopened.payload as { rectificationItemId: string }).rectificationItemId;
    await db
      .updateTable('followup_reviews')
      .set({ rectification_item_id: rectificationItemId })
      .where('id', '=', reviewId)
      .execute();
  }
  await appendEvents(
    tx,
    [
      {
        type: 'item.followup_decided',
        itemId: item.id,
        reviewId,
        outcome: input.outcome,
        rectificationItemId,
      },
    ],
    { actorId: actor.userId, at: now },
  );
  return view(
    await reviewQuery(tx).where('r.id', '=', reviewId).executeTakeFirstOrThrow(),
    shanghaiDate(now),
  );
}
