import crypto from 'node:crypto';
import type { Queryable, Tx } from '../db/client.ts';
import { appendEvents } from '../events/append.ts';
import { compositeScore } from '../items/lifecycle.ts';
import { itemNotFound } from '../items/perform-action.ts';
import { notify } from '../notify/notify.ts';
import { type Actor, hasRole } from '../shared/actor.ts';
import { DomainError, validationError } from '../shared/errors.ts';
import { assertClosed, assertSupervises, itemSupervisorIds, loadVisibleItem } from './access.ts';
import { evalDb, evalTx } from './tables.ts';

/**
 * 第三方评估: supervisors put evaluators on a completed item; each evaluator declares conflicts of
 * interest first (a conflict withdraws them: they lose the item), then scores once, blind — the
 * scores never reach another evaluator, nor the item's events.
 */

export type Scores = { quality: number; timeliness: number; effectiveness: number; comment: string };

export async function assignEvaluators(tx: Tx, actor: Actor, itemId: string, userIds: string[], now: Date) {
  const row = await loadVisibleItem(tx, actor, itemId);
  await assertSupervises(tx, actor, row, '指派第三方评估人员');
  assertClosed(row);
  const db = evalTx(tx);
  const added: string[] = [];
  for (const [i, userId] of userIds.entries()) {
    const user = await tx
      .selectFrom('users')
      .select(['id', 'roles', 'active'])
      .where('id', '=', userId)
      .executeTakeFirst();
    if (!user?.active || !user.roles.includes('evaluator'))
      throw validationError([
        {
          field: `body.userIds.${i}`,
          message: 'not an active evaluator',
          messageZh: '该用户不是在职的第三方评估人员',
        },
      ]);
    const existing = await db
      .selectFrom('third_party_evaluations')
      .select('status')
      .where('item_id', '=', itemId)
      .where('user_id', '=', userId)
      .executeTakeFirst();
    if (existing?.status === 'withdrawn')
      throw new DomainError(
        'CONFLICT',
        { zh: '该评估人员已声明利益冲突并回避', en: 'This evaluator withdrew for a conflict of interest' },
        { field: `body.userIds.${i}` },
      );
    if (existing || added.includes(userId)) continue;
    await db
      .insertInto('third_party_evaluations')
      .values({
        id: crypto.randomUUID(),
        item_id: itemId,
        user_id: userId,
        status: 'assigned',
        assigned_by: actor.userId,
        assigned_at: now,
      })
      .execute();
    await tx.insertInto('evaluator_assignments').values({ item_id: itemId, user_id: userId }).execute();
    added.push(userId);
  }
  if (added.length === 0) return;
  await appendEvents(tx, [{ type: 'item.evaluators_assigned', itemId, evaluatorIds: added }], {
    actorId: actor.userId,
    at: now,
  });
  await notify(
    tx,
    {
      recipients: added,
      kind: 'item.evaluation_assigned',
      title: `【第三方评估】${row.number} ${row.title}`,
      body: '您被指派评估该督办事项，请先声明是否存在利益冲突，再独立评分。',
      link: `/items/${itemId}`,
      itemId,
      urgent: false,
      data: { itemId, number: row.number },
    },
    now,
  );
}

/** Takes an evaluator off the panel; one who has scored stays (409): the score is on record. */
export async function removeEvaluator(tx: Tx, actor: Actor, itemId: string, userId: string, now: Date) {
  const row = await loadVisibleItem(tx, actor, itemId);
  await assertSupervises(tx, actor, row, '调整第三方评估人员');
  const db = evalTx(tx);
  const existing = await db
    .selectFrom('third_party_evaluations')
    .select(['id', 'status'])
    .where('item_id', '=', itemId)
    .where('user_id', '=', userId)
    .forUpdate()
    .executeTakeFirst();
  if (!existing) throw new DomainError('NOT_FOUND', { zh: '该评估人员未被指派', en: 'No such evaluator' });
  if (existing.status === 'scored')
    throw new DomainError('CONFLICT', {
      zh: '该评估人员已评分，不能撤销指派',
      en: 'This evaluator has already scored',
    });
  await db.deleteFrom('third_party_evaluations').where('id', '=', existing.id).execute();
  await tx
    .deleteFrom('evaluator_assignments')
    .where('item_id', '=', itemId)
    .where('user_id', '=', userId)
    .execute();
  await appendEvents(tx, [{ type: 'item.evaluator_removed', itemId, evaluatorId: userId }], {
    actorId: actor.userId,
    at: now,
  });
}

/** An evaluator's own assignments (never anyone else's scores). */
export async function listAssigned(db: Queryable, actor: Actor) {
  if (!hasRole(actor, 'evaluator'))
    throw new DomainError('FORBIDDEN', {
      zh: '只有第三方评估人员可以查看评估任务',
      en: 'Only evaluators have evaluation assignments',
    });
  const rows = await evalDb(db)
    .selectFrom('third_party_evaluations as t')
    .innerJoin('items as i', 'i.id', 't.item_id')
    .select([
      't.item_id',
      'i.number',
      'i.title',
      'i.status as item_status',
      'i.completed_at',
      't.status',
      't.has_conflict',
      't.assigned_at',
      't.declared_at',
      't.scored_at',
      't.quality',
      't.timeliness',
      't.effectiveness',
      't.score',
      't.comment',
    ])
    .where('t.user_id', '=', actor.userId)
    .orderBy('t.assigned_at', 'desc')
    .execute();
  return rows.map((r) => ({
    itemId: r.item_id,
    number: r.number,
    title: r.title,
    itemStatus: r.item_status,
    completedAt: r.completed_at?.toISOString() ?? null,
    status: r.status,
    hasConflict: r.has_conflict,
    assignedAt: r.assigned_at.toISOString(),
    declaredAt: r.declared_at?.toISOString() ?? null,
    scoredAt: r.scored_at?.toISOString() ?? null,
    myScores:
      r.status === 'scored'
        ? {
            quality: Number(r.quality),
            timeliness: Number(r.timeliness),
            effectiveness: Number(r.effectiveness),
            score: Number(r.score),
            comment: r.comment,
          }
        : null,
  }));
}

/** The caller's own row on the item's panel, locked; 404 when they are not (or no longer) on it. */
async function ownRow(tx: Tx, actor: Actor, itemId: string) {
  const row = await loadVisibleItem(tx, actor, itemId);
  const mine = await evalTx(tx)
    .selectFrom('third_party_evaluations')
    .selectAll()
    .where('item_id', '=', itemId)
    .where('user_id', '=', actor.userId)
    .forUpdate()
    .executeTakeFirst();
  if (!mine || mine.status === 'withdrawn') {
    if (!hasRole(actor, 'evaluator')) throw itemNotFound();
    throw new DomainError('FORBIDDEN', {
      zh: '您不是该事项的第三方评估人员',
      en: 'You are not an evaluator of this item',
    });
  }
  return { row, mine };
}

export async function declareConflict(
  tx: Tx,
  actor: Actor,
  itemId: string,
  input: { hasConflict: boolean; statement: string },
  now: Date,
) {
  if (!hasRole(actor, 'evaluator'))
    throw new DomainError('FORBIDDEN', {
      zh: '只有第三方评估人员可以声明利益冲突',
      en: 'Only evaluators declare conflicts of interest',
    });
  const { row, mine } = await ownRow(tx, actor, itemId);
  if (input.hasConflict && input.statement === '')
    throw validationError([
      {
        field: 'body.statement',
        message: 'describe the conflict of interest',
        messageZh: '请说明利益冲突情况',
      },
    ]);
  if (mine.status !== 'assigned')
    throw new DomainError('CONFLICT', {
      zh: '已声明过利益冲突',
      en: 'The conflict-of-interest declaration was already made',
    });
  const db = evalTx(tx);
  await db
    .updateTable('third_party_evaluations')
    .set({
      status: input.hasConflict ? 'withdrawn' : 'declared',
      has_conflict: input.hasConflict,
      conflict_statement: input.statement,
      declared_at: now,
    })
    .where('id', '=', mine.id)
    .execute();
  if (input.hasConflict)
    await tx
      .deleteFrom('evaluator_assignments')
      .where('item_id', '=', itemId)
      .where('user_id', '=', actor.userId)
      .execute();
  await appendEvents(
    tx,
    [
      {
        type: 'item.evaluator_conflict_declared',
        itemId,
        evaluatorId: actor.userId,
        hasConflict: input.hasConflict,
      },
    ],
    { actorId: actor.userId, at: now },
  );
  if (input.hasConflict)
    await notify(
      tx,
      {
        recipients: await itemSupervisorIds(tx, row),
        kind: 'item.evaluator_withdrawn',
        title: `【评估回避】${row.number} ${row.title}`,
        body: `第三方评估人员 ${actor.displayName} 声明存在利益冲突，已回避，请另行指派。`,
        link: `/items/${itemId}`,
        itemId,
        urgent: false,
        data: { itemId, evaluatorId: actor.userId },
      },
      now,
    );
  return { status: input.hasConflict ? 'withdrawn' : 'declared' };
}

export async function submitScores(tx: Tx, actor: Actor, itemId: string, scores: Scores, now: Date) {
  if (!hasRole(actor, 'evaluator'))
    throw new DomainError('FORBIDDEN', {
      zh: '只有第三方评估人员可以评分',
      en: 'Only evaluators submit third-party scores',
    });
  const { mine } = await ownRow(tx, actor, itemId);
  if (mine.status === 'assigned')
    throw new DomainError('TRANSITION_REFUSED', {
      zh: '请先声明是否存在利益冲突',
      en: 'Declare conflicts of interest first',
    });
  if (mine.status === 'scored')
    throw new DomainError('CONFLICT', { zh: '已评分，不能重复评分', en: 'You have already scored' });
  const score = compositeScore(scores.quality, scores.timeliness, scores.effectiveness);
  await evalTx(tx)
    .updateTable('third_party_evaluations')
    .set({
      status: 'scored',
      quality: scores.quality,
      timeliness: scores.timeliness,
      effectiveness: scores.effectiveness,
      score,
      comment: scores.comment,
      scored_at: now,
    })
    .where('id', '=', mine.id)
    .execute();
  await appendEvents(tx, [{ type: 'item.third_party_scored', itemId, evaluatorId: actor.userId }], {
    actorId: actor.userId,
    at: now,
  });
  return { ...scores, score, scoredAt: now.toISOString() };
}
