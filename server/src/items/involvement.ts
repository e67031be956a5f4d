import { type RawBuilder, sql } from 'kysely';
import type { Queryable, Tx } from '../db/client.ts';

/** The units an item involves (assigning, supervising, assigned — returned ones included), with their region paths. */
function involvedUnits(itemId: string | null): RawBuilder<unknown> {
  const items = itemId === null ? sql`true` : sql`id = ${itemId}`;
  const assignments = itemId === null ? sql`true` : sql`item_id = ${itemId}`;
  return sql`
    select x.item_id, x.unit_id, r.path
    from (
      select id as item_id, assigning_unit_id as unit_id from items where ${items}
      union select id, supervising_unit_id from items where ${items} and supervising_unit_id is not null
      union select item_id, unit_id from assignments where ${assignments}
    ) x
    join units u on u.id = x.unit_id
    join regions r on r.code = u.region_code`;
}

/**
 * Rewrites the item_units rows of one item. Called in the transaction of every command that
 * changes its assigning or supervising unit or its set of assigned units; a unit that handled an
 * item keeps seeing it after returning it.
 */
export async function syncItemUnits(tx: Tx, itemId: string): Promise<void> {
  await tx.deleteFrom('item_units').where('item_id', '=', itemId).execute();
  await sql`insert into item_units (item_id, unit_id, region_path) ${involvedUnits(itemId)}`.execute(tx);
}

/** Fills item_units for items written in bulk outside the commands (benchmarks, imports). */
export async function syncAllItemUnits(db: Queryable): Promise<void> {
  await sql`insert into item_units (item_id, unit_id, region_path) ${involvedUnits(null)}
    on conflict (item_id, unit_id) do nothing`.execute(db);
}
