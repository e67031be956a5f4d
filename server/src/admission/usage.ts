import type { Queryable } from '../db/client.ts';
import { isUnitInScope, isUuid, unitIdsInScopeQuery } from '../org/scope.ts';
import { type Actor, hasRole } from '../shared/actor.ts';
import { shanghaiDate } from '../shared/time.ts';
import type { QuotaValue } from './events.ts';
import { periodOf } from './periods.ts';
import { forbidden, seesRegionQuotas, unitNotFound } from './quotas.ts';
import { admDb } from './tables.ts';

/** One unit's quota use in the period (month or quarter, by its quota) that holds the month asked. */
export type UnitUsage = {
  unitId: string;
  unitName: string;
  unitKind: string;
  regionCode: string;
  quotaSource: 'unit' | 'kind' | 'none';
  periodKind: 'month' | 'quarter';
  period: string;
  from: string;
  to: string;
  limit: number | null;
  used: number;
  pending: number;
};

type UnitLite = { id: string; name: string; kind: string; region_code: string };

/** The current month in Beijing, 'YYYY-MM'. */
export function currentMonth(now: Date): string {
  return shanghaiDate(now).slice(0, 7);
}

async function usageOf(db: Queryable, units: UnitLite[], month: string): Promise<UnitUsage[]> {
  if (units.length === 0) return [];
  const adm = admDb(db);
  const ids = units.map((u) => u.id);
  const quarter = periodOf('quarter', `${month}-01`);
  const monthSpan = periodOf('month', `${month}-01`);
  const own = new Map(
    (
      await adm
        .selectFrom('admission_unit_quotas')
        .select(['unit_id', 'period', 'max_items'])
        .where('unit_id', 'in', ids)
        .execute()
    ).map((q) => [q.unit_id, { period: q.period, limit: q.max_items } as QuotaValue]),
  );
  const byKind = new Map(
    (
      await adm.selectFrom('admission_kind_quotas').select(['unit_kind', 'period', 'max_items']).execute()
    ).map((q) => [q.unit_kind, { period: q.period, limit: q.max_items } as QuotaValue]),
  );
  // Entries of the quarter, per unit and whether they fall in the month asked.
  const counts = await adm
    .selectFrom('admission_entries')
    .select((eb) => [
      'unit_id',
      eb.fn.countAll<number>().as('quarter'),
      eb.fn
        .count<number>('item_id')
        .filterWhere((w) =>
          w.and([w('dispatched_on', '>=', monthSpan.from), w('dispatched_on', '<', monthSpan.to)]),
        )
        .as('month'),
    ])
    .where('unit_id', 'in', ids)
    .where('dispatched_on', '>=', quarter.from)
    .where('dispatched_on', '<', quarter.to)
    .groupBy('unit_id')
    .execute();
  const used = new Map(
    counts.map((c) => [c.unit_id, { quarter: Number(c.quarter), month: Number(c.month) }]),
  );
  const pendingRows = await adm
    .selectFrom('admission_requests')
    .select((eb) => ['unit_id', eb.fn.countAll<number>().as('n')])
    .where('unit_id', 'in', ids)
    .where('status', '=', 'pending')
    .groupBy('unit_id')
    .execute();
  const pending = new Map(pendingRows.map((p) => [p.unit_id, Number(p.n)]));
  return units.map((u) => {
    const q = own.get(u.id) ?? byKind.get(u.kind);
    const source = own.has(u.id) ? 'unit' : byKind.has(u.kind) ? 'kind' : 'none';
    const periodKind = q?.period ?? 'month';
    const span = periodKind === 'quarter' ? quarter : monthSpan;
    const n = used.get(u.id);
    return {
      unitId: u.id,
      unitName: u.name,
      unitKind: u.kind,
      regionCode: u.region_code,
      quotaSource: source,
      periodKind,
      period: span.label,
      from: span.from,
      to: span.to,
      limit: q?.limit ?? null,
      used: (periodKind === 'quarter' ? n?.quarter : n?.month) ?? 0,
      pending: pending.get(u.id) ?? 0,
    };
  });
}

/**
 * Quota use for the month: supervisors, leaders, admins and auditors see the units of their scope
 * that have a quota, a use or a pending request (all of them with `all`); a handler or unit head
 * sees their own unit.
 */
export async function listUsage(db: Queryable, actor: Actor, month: string, all = false) {
  let units: UnitLite[];
  if (seesRegionQuotas(actor)) {
    units = await db
      .selectFrom('units')
      .select(['id', 'name', 'kind', 'region_code'])
      .where('id', 'in', unitIdsInScopeQuery(db, actor))
      .orderBy('region_code')
      .orderBy('name')
      .execute();
  } else if (hasRole(actor, 'handler', 'unit_head')) {
    units = await db
      .selectFrom('units')
      .select(['id', 'name', 'kind', 'region_code'])
      .where('id', '=', actor.unitId)
      .execute();
  } else {
    throw forbidden('无权查看准入限额使用情况', 'You may not see quota use');
  }
  const rows = await usageOf(db, units, month);
  const own = !seesRegionQuotas(actor);
  return rows.filter((r) => own || all || r.limit !== null || r.used > 0 || r.pending > 0);
}

/** One unit's use; 404 outside the actor's scope. */
export async function unitUsage(
  db: Queryable,
  actor: Actor,
  unitId: string,
  month: string,
): Promise<UnitUsage> {
  const visible =
    isUuid(unitId) &&
    ((seesRegionQuotas(actor) && (await isUnitInScope(db, actor, unitId))) ||
      (hasRole(actor, 'handler', 'unit_head') && actor.unitId === unitId));
  if (!visible) throw unitNotFound();
  const unit = await db
    .selectFrom('units')
    .select(['id', 'name', 'kind', 'region_code'])
    .where('id', '=', unitId)
    .executeTakeFirst();
  if (!unit) throw unitNotFound();
  const [row] = await usageOf(db, [unit], month);
  if (!row) throw unitNotFound();
  return row;
}
