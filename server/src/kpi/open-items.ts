import { sql } from 'kysely';
import type { Tx } from '../db/client.ts';
import { rebuildTable } from '../db/rebuild-table.ts';

/*
 * The cockpit's open items and their counts (migration 0031: cockpit_open_items, cockpit_open_counts),
 * kept beside the facts by triggers. A full recompute turns the facts' insert and truncate triggers
 * off for its transaction (they would delete and re-insert every open row through four indexes: the
 * recompute took three times as long) and rebuilds both tables from the new facts at the end, in
 * copies swapped in (db/rebuild-table.ts): item commands, whose trigger moves an open row on a status
 * change, do not wait for the recompute, only for the swap. A status change made meanwhile is
 * replaced by the copy and comes back with the next catch-up (its event is after the recompute's mark).
 */

/** The facts' triggers that a full recompute replaces by rebuildOpenTables. */
const FACT_TRIGGERS = ['cockpit_facts_inserted', 'cockpit_facts_truncated'];

/** Before the facts are truncated: their cockpit triggers off (for this transaction only). */
export async function pauseOpenTracking(tx: Tx) {
  await sql
    .raw(`alter table kpi_item_facts ${FACT_TRIGGERS.map((t) => `disable trigger ${t}`).join(', ')}`)
    .execute(tx);
}

/** After the facts are filled: both tables rebuilt from them, and the triggers on again. */
export async function rebuildOpenTables(tx: Tx) {
  await rebuildTable(tx, 'cockpit_open_items', async (copy) => {
    await sql
      .raw(`
        insert into ${copy} (item_id, region_path, status, deadline, overdue, number, category_code,
          lead_unit_id, region_code)
        select f.item_id, f.region_path, i.status, f.deadline, f.overdue and not f.exempted, i.number,
          f.category_code, f.lead_unit_id, f.region_code
        from kpi_item_facts f
        join items i on i.id = f.item_id
        where not f.completed`)
      .execute(tx);
  });
  await rebuildTable(tx, 'cockpit_open_counts', async (copy) => {
    await sql
      .raw(`
        insert into ${copy} (region_path, status, overdue, n)
        select region_path, status, overdue, count(*) from cockpit_open_items
        group by region_path, status, overdue`)
      .execute(tx);
  });
  await sql
    .raw(`alter table kpi_item_facts ${FACT_TRIGGERS.map((t) => `enable trigger ${t}`).join(', ')}`)
    .execute(tx);
}
