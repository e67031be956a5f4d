/**
 * The atomic claim: how an at-least-once job does its effect exactly once.
 *
 * Deadline work follows sweep → per-item job → claim:
 *   1. a recurring sweep selects what is due (cheap, read-only, may run in several processes);
 *   2. it sends one job per item (`singletonKey` = the item, so a second sweep queues no copy);
 *   3. the job, in ONE transaction, claims the item and — only when the claim returned a row —
 *      does the effect (notify(), an event, a state change). The claim is a conditional write that
 *      only one transaction can win:
 *
 *        update items set next_reminder_at = $next
 *        where id = $id and next_reminder_at <= $now        -- still due?
 *        returning id                                       -- no row: someone else did it
 *
 *      Under READ COMMITTED a second worker's UPDATE waits for the first one's row lock and then
 *      re-evaluates the WHERE on the committed row, which is no longer due: it updates nothing.
 *      If the first transaction rolls back, the row is still due and the second one wins instead.
 *
 * `claimDue` is that UPDATE for any table with an `id` and a timestamp column. `claimOnce` is the
 * same guarantee for effects that have no such column: the first transaction to insert a key into
 * `job_claims` owns the effect (a concurrent insert of the key waits and then finds it taken).
 * Build keys from what makes the effect unique — `reminder:${itemId}:${deadline}:3d` sends again
 * after an extension changes the deadline, and never twice for the same one.
 */
import { type SelectType, sql } from 'kysely';
import type { Tx } from '../db/client.ts';
import type { Database } from '../db/schema.ts';

/** Tables with a text `id` column. */
type TableWithId = {
  [T in keyof Database]: Database[T] extends { id: infer I }
    ? SelectType<I> extends string
      ? T
      : never
    : never;
}[keyof Database];

/** The timestamp columns of a table. */
type DueColumn<T extends keyof Database> = {
  [C in keyof Database[T]]: SelectType<Database[T][C]> extends Date | null ? C : never;
}[keyof Database[T]] &
  string;

/** What a claim moves the column to: null (never due again) only where the column allows it. */
type NextValue<T extends keyof Database, C extends keyof Database[T]> =
  null extends SelectType<Database[T][C]> ? Date | null : Date;

/**
 * Claims row `id` of `table` if `column` is due (≤ now) by moving it to `next`. True when this
 * transaction won the claim; false when the row is not due (any more) or does not exist. Call it
 * inside the transaction that does the effect.
 */
export async function claimDue<T extends TableWithId, C extends DueColumn<T>>(
  tx: Tx,
  table: T,
  id: string,
  column: C,
  at: { now: Date; next: NextValue<T, C> },
): Promise<boolean> {
  const result = await sql<{ id: string }>`
    update ${sql.table(table)} set ${sql.ref(column)} = ${at.next}
    where id = ${id} and ${sql.ref(column)} <= ${at.now}
    returning id`.execute(tx);
  return result.rows.length === 1;
}

/**
 * Claims `key` for this transaction: true for the first (committed) claimant, false for every
 * later or concurrent one. Rolled back with the transaction, so a failed effect can be retried.
 */
export async function claimOnce(tx: Tx, key: string, at: Date): Promise<boolean> {
  const row = await tx
    .insertInto('job_claims')
    .values({ key, claimed_at: at })
    .onConflict((oc) => oc.column('key').doNothing())
    .returning('key')
    .executeTakeFirst();
  return row !== undefined;
}
