import type { Queryable, Tx } from '../db/client.ts';
import { DomainError } from '../shared/errors.ts';
import { shanghaiDate } from '../shared/time.ts';
import { type PeriodSpan, periodOf } from './periods.ts';
import { effectiveQuota } from './quotas.ts';
import { admDb, admTx } from './tables.ts';

/** How many items a unit received as lead in a period. */
export async function countUsed(db: Queryable, unitId: string, span: PeriodSpan): Promise<number> {
  const row = await admDb(db)
    .selectFrom('admission_entries')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .where('unit_id', '=', unitId)
    .where('dispatched_on', '>=', span.from)
    .where('dispatched_on', '<', span.to)
    .executeTakeFirstOrThrow();
  return Number(row.n);
}

export function quotaExceeded(
  field: string,
  o: { itemId: string; unitId: string; unitName: string; used: number; limit: number; span: PeriodSpan },
) {
  return new DomainError(
    'QUOTA_EXCEEDED',
    {
      zh: `${o.unitName}（${o.span.label}）已牵头承办 ${o.used} 项督办事项，达到准入限额 ${o.limit} 项；超额交办须经领导审批`,
      en: `${o.unitName} has received ${o.used} items as lead in ${o.span.label}, its quota is ${o.limit}; over-quota dispatch needs a leader's approval`,
    },
    {
      field,
      details: {
        itemId: o.itemId,
        unitId: o.unitId,
        unitName: o.unitName,
        used: o.used,
        limit: o.limit,
        period: o.span.label,
        periodKind: o.span.kind,
      },
    },
  );
}

/**
 * 督办事项准入 at 交办 (the dispatch hook): each lead unit the item reaches for the first time counts
 * once against the unit's quota for the period of the dispatch day (Beijing). Over the quota the
 * dispatch is refused (409 QUOTA_EXCEEDED) unless a leader approved an over-quota request for
 * this item and unit. Runs in the dispatch's transaction, before anything is written.
 */
export async function admitLeads(
  tx: Tx,
  itemId: string,
  assignments: readonly { unitId: string; role: string }[],
  now: Date,
): Promise<void> {
  const adm = admTx(tx);
  const day = shanghaiDate(now);
  for (const [i, a] of assignments.entries()) {
    if (a.role !== 'lead') continue;
    const seen = await adm
      .selectFrom('admission_entries')
      .select('item_id')
      .where('item_id', '=', itemId)
      .where('unit_id', '=', a.unitId)
      .executeTakeFirst();
    if (seen) continue;
    const unit = await tx
      .selectFrom('units')
      .select(['id', 'name', 'kind'])
      .where('id', '=', a.unitId)
      .executeTakeFirstOrThrow();
    const quota = await effectiveQuota(tx, unit);
    let requestId: string | null = null;
    if (quota.limit !== null) {
      // One admission at a time per unit, so two dispatches cannot both take its last place.
      await tx.selectFrom('units').select('id').where('id', '=', unit.id).forNoKeyUpdate().execute();
      const span = periodOf(quota.period, day);
      const used = await countUsed(tx, unit.id, span);
      if (used >= quota.limit) {
        const approved = await adm
          .selectFrom('admission_requests')
          .select('id')
          .where('item_id', '=', itemId)
          .where('unit_id', '=', unit.id)
          .where('status', '=', 'approved')
          .executeTakeFirst();
        if (!approved)
          throw quotaExceeded(`body.assignments.${i}.unitId`, {
            itemId,
            unitId: unit.id,
            unitName: unit.name,
            used,
            limit: quota.limit,
            span,
          });
        requestId = approved.id;
      }
    }
    await adm
      .insertInto('admission_entries')
      .values({ item_id: itemId, unit_id: unit.id, dispatched_on: day, request_id: requestId })
      .execute();
  }
}
