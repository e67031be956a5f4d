import type { QuotaInput, QuotaPeriod } from '@duban/schema';
import type { Queryable, Tx } from '../db/client.ts';
import { appendEvents } from '../events/append.ts';
import { isProvinceLevel, isUnitInScope, unitIdsInScopeQuery } from '../org/scope.ts';
import { type Actor, hasRole } from '../shared/actor.ts';
import { DomainError, notFound, validationError } from '../shared/errors.ts';
import type { QuotaValue } from './events.ts';
import { admDb, admTx } from './tables.ts';

/** The quota that applies to a unit: its own, else its kind's default, else none (no limit). */
export type EffectiveQuota = QuotaValue & { source: 'unit' | 'kind' | 'none' };

export async function effectiveQuota(
  db: Queryable,
  unit: { id: string; kind: string },
): Promise<EffectiveQuota> {
  const adm = admDb(db);
  const own = await adm
    .selectFrom('admission_unit_quotas')
    .select(['period', 'max_items'])
    .where('unit_id', '=', unit.id)
    .executeTakeFirst();
  if (own) return { period: own.period, limit: own.max_items, source: 'unit' };
  const byKind = await adm
    .selectFrom('admission_kind_quotas')
    .select(['period', 'max_items'])
    .where('unit_kind', '=', unit.kind)
    .executeTakeFirst();
  if (byKind) return { period: byKind.period, limit: byKind.max_items, source: 'kind' };
  return { period: 'month', limit: null, source: 'none' };
}

/** Who sees quotas and usage of a region subtree: supervisors, leaders, admins and auditors. */
export function seesRegionQuotas(actor: Actor): boolean {
  return hasRole(actor, 'supervisor', 'leader', 'admin', 'auditor');
}

export function forbidden(zh: string, en: string) {
  return new DomainError('FORBIDDEN', { zh, en });
}

export function unitNotFound() {
  return notFound('UNIT_NOT_FOUND', { zh: '单位', en: 'unit' });
}

/** The kinds' defaults and the own quotas of the units in the actor's scope. */
export async function listQuotas(db: Queryable, actor: Actor) {
  if (!seesRegionQuotas(actor))
    throw forbidden(
      '只有督查员、领导和管理员可以查看准入限额',
      'Only supervisors, leaders and admins see quotas',
    );
  const adm = admDb(db);
  const kinds = await adm
    .selectFrom('admission_kind_quotas')
    .select(['unit_kind', 'period', 'max_items', 'updated_at'])
    .orderBy('unit_kind')
    .execute();
  const units = await adm
    .selectFrom('admission_unit_quotas as q')
    .innerJoin('units as u', 'u.id', 'q.unit_id')
    .select(['q.unit_id', 'u.name', 'u.kind', 'u.region_code', 'q.period', 'q.max_items', 'q.updated_at'])
    .where('q.unit_id', 'in', unitIdsInScopeQuery(db, actor))
    .orderBy('u.region_code')
    .orderBy('u.name')
    .execute();
  return {
    kinds: kinds.map((k) => ({
      unitKind: k.unit_kind,
      period: k.period,
      limit: k.max_items,
      updatedAt: new Date(k.updated_at).toISOString(),
    })),
    units: units.map((u) => ({
      unitId: u.unit_id,
      unitName: u.name,
      unitKind: u.kind,
      regionCode: u.region_code,
      period: u.period,
      limit: u.max_items,
      updatedAt: new Date(u.updated_at).toISOString(),
    })),
  };
}

/**
 * Sets (or, with `inherit`, removes) a unit's own quota or a kind's default, with its ledger
 * event. Units: supervisors and admins whose scope holds the unit (else 404). Kinds' defaults
 * apply everywhere: province-level supervisors and admins only.
 */
export async function setQuota(tx: Tx, actor: Actor, body: QuotaInput, now: Date) {
  if (!hasRole(actor, 'supervisor', 'admin'))
    throw forbidden('只有督查员和管理员可以设置准入限额', 'Only supervisors and admins may set quotas');
  const hasUnit = body.unitId !== undefined;
  if (hasUnit === (body.unitKind !== undefined))
    throw validationError([
      {
        field: 'body.unitId',
        message: 'give exactly one of unitId and unitKind',
        messageZh: '须指定单位或单位类别之一',
      },
    ]);
  if (body.inherit && !hasUnit)
    throw validationError([
      { field: 'body.inherit', message: 'only for a unit', messageZh: '仅适用于单位限额' },
    ]);
  if (!body.inherit && body.limit === undefined)
    throw validationError([
      { field: 'body.limit', message: 'required (null: no limit)', messageZh: '须填写限额（null 表示不限）' },
    ]);
  const adm = admTx(tx);
  const quota: QuotaValue | null = body.inherit ? null : { period: body.period, limit: body.limit ?? null };
  const values = (period: QuotaPeriod, limit: number | null) => ({
    period,
    max_items: limit,
    updated_by: actor.userId,
    updated_at: now,
  });
  let previous: QuotaValue | null;
  let target: { unitId: string } | { unitKind: string };
  if (body.unitId !== undefined) {
    const unitId = body.unitId;
    if (!(await isUnitInScope(tx, actor, unitId))) throw unitNotFound();
    target = { unitId };
    const before = await adm
      .selectFrom('admission_unit_quotas')
      .select(['period', 'max_items'])
      .where('unit_id', '=', unitId)
      .forUpdate()
      .executeTakeFirst();
    previous = before ? { period: before.period, limit: before.max_items } : null;
    if (quota === null) await adm.deleteFrom('admission_unit_quotas').where('unit_id', '=', unitId).execute();
    else
      await adm
        .insertInto('admission_unit_quotas')
        .values({ unit_id: unitId, ...values(quota.period, quota.limit) })
        .onConflict((oc) => oc.column('unit_id').doUpdateSet(values(quota.period, quota.limit)))
        .execute();
  } else {
    const unitKind = body.unitKind as string;
    if (!(hasRole(actor, 'admin', 'supervisor') && isProvinceLevel(actor)))
      throw forbidden(
        '单位类别的默认限额只能由省级督查员或管理员设置',
        'Only province-level supervisors and admins set the defaults of a kind of unit',
      );
    target = { unitKind };
    const before = await adm
      .selectFrom('admission_kind_quotas')
      .select(['period', 'max_items'])
      .where('unit_kind', '=', unitKind)
      .forUpdate()
      .executeTakeFirst();
    previous = before ? { period: before.period, limit: before.max_items } : null;
    const q = quota as QuotaValue;
    await adm
      .insertInto('admission_kind_quotas')
      .values({ unit_kind: unitKind, ...values(q.period, q.limit) })
      .onConflict((oc) => oc.column('unit_kind').doUpdateSet(values(q.period, q.limit)))
      .execute();
  }
  await appendEvents(tx, [{ type: 'admission.quota_changed', target, quota, previous }], {
    actorId: actor.userId,
    at: now,
  });
  return { target, quota, previous };
}
