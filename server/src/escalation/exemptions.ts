import crypto from 'node:crypto';
import type { Queryable, Tx } from '../db/client.ts';
import { appendEvents } from '../events/append.ts';
import { itemNotFound } from '../items/perform-action.ts';
import { canSeeItem, participantFor } from '../items/policy.ts';
import { itemBrief } from '../items/queries.ts';
import { notify } from '../notify/notify.ts';
import { activeUserIds } from '../org/users.ts';
import { type Actor, hasRole } from '../shared/actor.ts';
import { DomainError } from '../shared/errors.ts';

/**
 * 容错免责: a unit handling an item asks to be excused (force majeure, a policy change beyond its
 * power); a supervisor with authority over the item approves or rejects. An approved exemption
 * stops the chase for the item (chase.ts) and keeps it out of KPIs.
 */
const OPEN = ['dispatched', 'in_progress', 'completion_requested'];

/** The item in the caller's data scope; ITEM_NOT_FOUND (404) when it does not exist or lies outside. */
export async function visibleItem(tx: Queryable, actor: Actor, itemId: string) {
  const item = await itemBrief(tx, itemId);
  if (!item || !(await canSeeItem(tx, actor, itemId))) throw itemNotFound();
  return item;
}

export type ExemptionView = {
  id: string;
  unitId: string;
  unitName: string;
  reason: string;
  status: 'pending' | 'approved' | 'rejected';
  requestedBy: string;
  requestedAt: string;
  decidedBy: string | null;
  decidedAt: string | null;
  decisionComment: string;
};

export async function listExemptions(db: Queryable, actor: Actor, itemId: string): Promise<ExemptionView[]> {
  await visibleItem(db, actor, itemId);
  const rows = await db
    .selectFrom('exemptions as e')
    .innerJoin('units as u', 'u.id', 'e.unit_id')
    .selectAll('e')
    .select('u.name as unit_name')
    .where('e.item_id', '=', itemId)
    .orderBy('e.requested_at')
    .execute();
  return rows.map((r) => ({
    id: r.id,
    unitId: r.unit_id,
    unitName: r.unit_name,
    reason: r.reason,
    status: r.status,
    requestedBy: r.requested_by,
    requestedAt: new Date(r.requested_at).toISOString(),
    decidedBy: r.decided_by,
    decidedAt: r.decided_at === null ? null : new Date(r.decided_at).toISOString(),
    decisionComment: r.decision_comment,
  }));
}

/** 督办单 and reminders made for an item, oldest first. */
export async function listNotices(db: Queryable, actor: Actor, itemId: string) {
  await visibleItem(db, actor, itemId);
  const rows = await db
    .selectFrom('supervision_notices')
    .select([
      'id',
      'key',
      'kind',
      'step',
      'step_kind',
      'name',
      'color',
      'unit_id',
      'deadline',
      'due_on',
      'created_at',
    ])
    .where('item_id', '=', itemId)
    .orderBy('created_at')
    .orderBy('due_on')
    .execute();
  return rows.map((r) => ({
    id: r.id,
    key: r.key,
    kind: r.kind,
    step: r.step,
    stepKind: r.step_kind,
    name: r.name,
    color: r.color,
    unitId: r.unit_id,
    deadline: r.deadline,
    dueOn: r.due_on,
    createdAt: new Date(r.created_at).toISOString(),
  }));
}

export async function requestExemption(tx: Tx, actor: Actor, itemId: string, reason: string, now: Date) {
  const item = await visibleItem(tx, actor, itemId);
  const own = item.liveUnits.find((u) => u.unitId === actor.unitId);
  if (!hasRole(actor, 'handler', 'unit_head') || !own) {
    throw new DomainError('FORBIDDEN', {
      zh: '只有承办该事项的单位可以申请容错免责',
      en: 'Only a unit handling the item may ask for an exemption',
    });
  }
  if (!OPEN.includes(item.status)) {
    throw new DomainError('TRANSITION_REFUSED', {
      zh: '事项当前状态不能申请容错免责',
      en: 'An exemption cannot be requested in the item’s current state',
    });
  }
  const id = crypto.randomUUID();
  const inserted = await tx
    .insertInto('exemptions')
    .values({
      id,
      item_id: itemId,
      unit_id: actor.unitId,
      reason,
      status: 'pending',
      requested_by: actor.userId,
      requested_at: now,
    })
    .onConflict((oc) => oc.columns(['item_id', 'unit_id']).where('status', '=', 'pending').doNothing())
    .returning('id')
    .executeTakeFirst();
  if (!inserted) {
    throw new DomainError('CONFLICT', {
      zh: '本单位已有待审批的容错免责申请',
      en: 'Your unit already has an exemption request awaiting a decision',
    });
  }
  await appendEvents(
    tx,
    [{ type: 'item.exemption_requested', itemId, exemptionId: id, unitId: actor.unitId, reason }],
    { actorId: actor.userId, at: now },
  );
  await notify(
    tx,
    {
      recipients: await activeUserIds(tx, item.assigningUnitId, ['supervisor']),
      kind: 'item.exemption_requested',
      title: `【容错免责申请】${item.number} ${item.title}`,
      body: `${actor.unitName}申请容错免责：${reason}`,
      link: `/items/${itemId}`,
      itemId,
      urgent: false,
      data: { itemId, exemptionId: id },
    },
    now,
  );
  return id;
}

export async function decideExemption(
  tx: Tx,
  actor: Actor,
  ids: { itemId: string; exemptionId: string },
  decision: { approve: boolean; comment: string },
  now: Date,
) {
  const item = await visibleItem(tx, actor, ids.itemId);
  const row = await tx
    .selectFrom('exemptions')
    .selectAll()
    .where('id', '=', ids.exemptionId)
    .where('item_id', '=', ids.itemId)
    .forUpdate()
    .executeTakeFirst();
  if (!row) {
    throw new DomainError('NOT_FOUND', { zh: '容错免责申请不存在', en: 'Exemption request not found' });
  }
  if (!(await participantFor(tx, actor, item.assigningUnitId)).supervises) {
    throw new DomainError('FORBIDDEN', {
      zh: '只有对该事项有督办权限的督查人员可以审批',
      en: 'Only a supervisor with authority over the item may decide',
    });
  }
  if (row.status !== 'pending') {
    throw new DomainError('TRANSITION_REFUSED', {
      zh: '该申请已审批',
      en: 'The request has already been decided',
    });
  }
  await tx
    .updateTable('exemptions')
    .set({
      status: decision.approve ? 'approved' : 'rejected',
      decided_by: actor.userId,
      decided_at: now,
      decision_comment: decision.comment,
    })
    .where('id', '=', row.id)
    .execute();
  await appendEvents(
    tx,
    [
      {
        type: 'item.exemption_decided',
        itemId: ids.itemId,
        exemptionId: row.id,
        unitId: row.unit_id,
        approved: decision.approve,
        comment: decision.comment,
      },
    ],
    { actorId: actor.userId, at: now },
  );
  await notify(
    tx,
    {
      recipients: await activeUserIds(tx, row.unit_id, ['handler', 'unit_head']),
      kind: 'item.exemption_decided',
      title: `【容错免责${decision.approve ? '已批准' : '未批准'}】${item.number} ${item.title}`,
      body:
        decision.comment || (decision.approve ? '申请已批准，督办升级暂停。' : '申请未获批准，请按期办理。'),
      link: `/items/${ids.itemId}`,
      itemId: ids.itemId,
      urgent: false,
      data: { itemId: ids.itemId, exemptionId: row.id, approved: decision.approve },
    },
    now,
  );
}

/** Whether an approved exemption covers the unit on the item (the chase then stops). */
export async function isExempted(db: Queryable, itemId: string, unitId: string | null): Promise<boolean> {
  if (unitId === null) return false;
  const row = await db
    .selectFrom('exemptions')
    .select('id')
    .where('item_id', '=', itemId)
    .where('unit_id', '=', unitId)
    .where('status', '=', 'approved')
    .limit(1)
    .executeTakeFirst();
  return row !== undefined;
}
