import crypto from 'node:crypto';
import type { AdmissionRequestStatus } from '@duban/schema';
import { sql } from 'kysely';
import type { Queryable, Tx } from '../db/client.ts';
import { loadVisibleItem, supervises } from '../evaluation/access.ts';
import { appendEvents } from '../events/append.ts';
import { notify } from '../notify/notify.ts';
import { isUnitInScope, isUuid, unitIdsInScopeQuery } from '../org/scope.ts';
import { leaderIdsOver } from '../org/users.ts';
import { type Actor, hasRole } from '../shared/actor.ts';
import { DomainError, notFound, validationError } from '../shared/errors.ts';
import { shanghaiDate } from '../shared/time.ts';
import { countUsed } from './admit.ts';
import { periodOf } from './periods.ts';
import { effectiveQuota, forbidden, seesRegionQuotas } from './quotas.ts';
import { admDb, admTx } from './tables.ts';

/** 超额审批: a supervisor asks, a leader over the unit approves or rejects; each step on the ledger. */
export type AdmissionRequestView = {
  id: string;
  itemId: string;
  itemNumber: string;
  itemTitle: string;
  unitId: string;
  unitName: string;
  period: string;
  reason: string;
  status: AdmissionRequestStatus;
  requestedBy: string;
  requestedByName: string;
  requestedAt: string;
  decidedBy: string | null;
  decidedAt: string | null;
  decisionReason: string;
};

const DISPATCHABLE = ['registered', 'returned'];

function requestNotFound() {
  return notFound('NOT_FOUND', { zh: '超额审批申请', en: 'over-quota request' });
}

function baseQuery(db: Queryable) {
  return admDb(db)
    .selectFrom('admission_requests as r')
    .innerJoin('items as i', 'i.id', 'r.item_id')
    .innerJoin('units as u', 'u.id', 'r.unit_id')
    .innerJoin('users as q', 'q.id', 'r.requested_by')
    .select([
      'r.id',
      'r.item_id',
      'i.number',
      'i.title',
      'r.unit_id',
      'u.name as unit_name',
      'r.period',
      'r.reason',
      'r.status',
      'r.requested_by',
      'q.display_name as requested_by_name',
      'r.requested_at',
      'r.decided_by',
      'r.decided_at',
      'r.decision_reason',
    ]);
}

type Row = Awaited<ReturnType<ReturnType<typeof baseQuery>['executeTakeFirstOrThrow']>>;

function present(r: Row): AdmissionRequestView {
  return {
    id: r.id,
    itemId: r.item_id,
    itemNumber: r.number,
    itemTitle: r.title,
    unitId: r.unit_id,
    unitName: r.unit_name,
    period: r.period,
    reason: r.reason,
    status: r.status,
    requestedBy: r.requested_by,
    requestedByName: r.requested_by_name,
    requestedAt: new Date(r.requested_at).toISOString(),
    decidedBy: r.decided_by,
    decidedAt: r.decided_at === null ? null : new Date(r.decided_at).toISOString(),
    decisionReason: r.decision_reason,
  };
}

/** Who sees a request: supervisors, leaders, admins, auditors over its unit; the unit's own users. */
async function seesUnit(db: Queryable, actor: Actor, unitId: string): Promise<boolean> {
  if (seesRegionQuotas(actor) && (await isUnitInScope(db, actor, unitId))) return true;
  return hasRole(actor, 'handler', 'unit_head') && actor.unitId === unitId;
}

export async function getRequest(db: Queryable, actor: Actor, id: string): Promise<AdmissionRequestView> {
  if (!isUuid(id)) throw requestNotFound();
  const row = await baseQuery(db).where('r.id', '=', id).executeTakeFirst();
  if (!row || !(await seesUnit(db, actor, row.unit_id))) throw requestNotFound();
  return present(row);
}

export async function listRequests(
  db: Queryable,
  actor: Actor,
  q: { status?: AdmissionRequestStatus | undefined; itemId?: string | undefined },
): Promise<AdmissionRequestView[]> {
  let query = baseQuery(db);
  if (seesRegionQuotas(actor)) query = query.where('r.unit_id', 'in', unitIdsInScopeQuery(db, actor));
  else if (hasRole(actor, 'handler', 'unit_head')) query = query.where('r.unit_id', '=', actor.unitId);
  else throw forbidden('无权查看超额审批申请', 'You may not see over-quota requests');
  if (q.status) query = query.where('r.status', '=', q.status);
  if (q.itemId) query = query.where('r.item_id', '=', q.itemId);
  const rows = await query.orderBy('r.requested_at', 'desc').orderBy('r.id').limit(500).execute();
  return rows.map(present);
}

/** A supervisor of the item asks to dispatch it to a unit over the unit's quota. */
export async function createRequest(
  tx: Tx,
  actor: Actor,
  body: { itemId: string; unitId: string; reason: string },
  now: Date,
): Promise<AdmissionRequestView> {
  if (!hasRole(actor, 'supervisor'))
    throw forbidden('只有督查员可以申请超额交办', 'Only supervisors may ask for an over-quota dispatch');
  const item = await loadVisibleItem(tx, actor, body.itemId);
  if (!(await supervises(tx, actor, item)))
    throw forbidden('只有负责该事项的督查员可以申请超额交办', 'Only a supervisor of this item may ask');
  if (!DISPATCHABLE.includes(item.status))
    throw new DomainError(
      'TRANSITION_REFUSED',
      { zh: '事项当前状态不能交办，无需超额审批', en: 'The item cannot be dispatched in its current state' },
      { details: { itemStatus: item.status } },
    );
  const unit = await tx
    .selectFrom('units')
    .select(['id', 'name', 'kind', 'region_code'])
    .where('id', '=', body.unitId)
    .executeTakeFirst();
  if (!unit)
    throw validationError([{ field: 'body.unitId', message: 'unknown unit', messageZh: '单位不存在' }]);
  const quota = await effectiveQuota(tx, unit);
  if (quota.limit === null)
    throw new DomainError(
      'CONFLICT',
      { zh: `${unit.name}未设准入限额，无需超额审批`, en: `${unit.name} has no quota` },
      { field: 'body.unitId' },
    );
  const span = periodOf(quota.period, shanghaiDate(now));
  const used = await countUsed(tx, unit.id, span);
  const id = crypto.randomUUID();
  const inserted = await admTx(tx)
    .insertInto('admission_requests')
    .values({
      id,
      item_id: item.id,
      unit_id: unit.id,
      period: span.label,
      reason: body.reason,
      status: 'pending',
      requested_by: actor.userId,
      requested_at: now,
    })
    .onConflict((oc) =>
      oc.columns(['item_id', 'unit_id']).where(sql<boolean>`status in ('pending', 'approved')`).doNothing(),
    )
    .returning('id')
    .executeTakeFirst();
  if (!inserted)
    throw new DomainError('CONFLICT', {
      zh: '该事项对该单位已有待审批或已批准的超额申请',
      en: 'There is already a pending or approved over-quota request for this item and unit',
    });
  await appendEvents(
    tx,
    [
      {
        type: 'item.over_quota_requested',
        itemId: item.id,
        requestId: id,
        unitId: unit.id,
        period: span.label,
        used,
        limit: quota.limit,
        reason: body.reason,
      },
    ],
    { actorId: actor.userId, at: now },
  );
  await notify(
    tx,
    {
      recipients: await leaderIdsOver(tx, unit.region_code),
      kind: 'admission.requested',
      title: `【超额交办审批】${item.number} ${item.title}`,
      body: `${unit.name}（${span.label}）已牵头 ${used} 项，限额 ${quota.limit} 项。申请理由：${body.reason}`,
      link: '/admission',
      itemId: item.id,
      urgent: false,
      data: { requestId: id, itemId: item.id, unitId: unit.id, period: span.label, used, limit: quota.limit },
    },
    now,
  );
  return getRequest(tx, actor, id);
}

/** A leader whose scope holds the unit approves or rejects (a rejection needs its reason). */
export async function decideRequest(
  tx: Tx,
  actor: Actor,
  id: string,
  decision: { approve: boolean; reason: string },
  now: Date,
): Promise<AdmissionRequestView> {
  if (!isUuid(id)) throw requestNotFound();
  const adm = admTx(tx);
  const row = await adm
    .selectFrom('admission_requests')
    .selectAll()
    .where('id', '=', id)
    .forUpdate()
    .executeTakeFirst();
  if (!row || !(await seesUnit(tx, actor, row.unit_id))) throw requestNotFound();
  if (!hasRole(actor, 'leader') || !(await isUnitInScope(tx, actor, row.unit_id)))
    throw forbidden('只有对该单位有管辖权的领导可以审批超额交办', 'Only a leader over the unit may decide');
  if (row.status !== 'pending')
    throw new DomainError(
      'CONFLICT',
      { zh: '该申请已审批', en: 'The request has already been decided' },
      { details: { status: row.status } },
    );
  const status = decision.approve ? 'approved' : 'rejected';
  await adm
    .updateTable('admission_requests')
    .set({ status, decided_by: actor.userId, decided_at: now, decision_reason: decision.reason })
    .where('id', '=', id)
    .execute();
  await appendEvents(
    tx,
    [
      {
        type: decision.approve ? 'item.over_quota_approved' : 'item.over_quota_rejected',
        itemId: row.item_id,
        requestId: id,
        unitId: row.unit_id,
        reason: decision.reason,
      },
    ],
    { actorId: actor.userId, at: now },
  );
  const view = await getRequest(tx, actor, id);
  await notify(
    tx,
    {
      recipients: [row.requested_by],
      kind: decision.approve ? 'admission.approved' : 'admission.rejected',
      title: `【超额交办${decision.approve ? '已批准' : '已驳回'}】${view.itemNumber} ${view.itemTitle}`,
      body: `${view.unitName}：${decision.reason || (decision.approve ? '同意超额交办' : '')}`,
      link: `/items/${row.item_id}`,
      itemId: row.item_id,
      urgent: false,
      data: { requestId: id, itemId: row.item_id, unitId: row.unit_id, status },
    },
    now,
  );
  return view;
}
