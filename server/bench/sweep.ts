/**
 * The deadline sweep at scale: how long one sweep takes to find today's due items among a million
 * open ones (the items_chase_next_idx partial index on (chase_next_on, id), paged by keyset), and what one item's chase costs.
 */
import { sql } from 'kysely';
import type { DbHandle } from '../src/db/client.ts';
import { chaseItem, forEachDueItem } from '../src/escalation/chase.ts';
import { shanghaiDate } from '../src/shared/time.ts';
import { fillOpenItems } from './fill.ts';
import { fmt, ms, now, phase, summarize, table } from './lib.ts';
import type { World } from './world.ts';

/**
 * Adds open (in progress) items set-wise until `target` are open, their next chase days spread
 * over today and the next 99 days — 1 % due today, as in the steady state of a sweep that runs
 * every minute and keeps up (the others were dealt with on earlier days).
 */
async function fillToTarget(handle: DbHandle, world: World, target: number, today: string): Promise<number> {
  const open = await handle.db
    .selectFrom('items')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .where('status', 'in', ['dispatched', 'in_progress'])
    .executeTakeFirstOrThrow();
  const missing = target - Number(open.n);
  if (missing <= 0) return Number(open.n);
  await fillOpenItems(handle, {
    count: missing,
    office: world.provOffice,
    today,
    chaseDays: 100,
    deadlineFrom: -60,
    deadlineDays: 240,
  });
  return target;
}

export async function benchSweep(
  kind: string,
  handle: DbHandle,
  world: World,
  target: number,
  out: (line: string) => void,
): Promise<void> {
  if (target <= 0) return;
  const at = new Date();
  const today = shanghaiDate(at);
  const fill = await phase(() => fillToTarget(handle, world, target, today));
  out(`\n[${kind}] Deadline sweep over ${fill.result} open items (filler ${fmt(fill.ms / 1000, 1)} s)`);
  const due: string[] = [];
  const runs: number[] = [];
  for (let i = 0; i < 5; i++) {
    due.length = 0;
    const t = now();
    await forEachDueItem(handle.db, at, async (id) => {
      due.push(id);
    });
    runs.push(ms(t));
  }
  const s = summarize(runs);
  out(
    `  one sweep (find every item due today, keyset pages of 1000): ${due.length} due — p50 ${fmt(s.p50, 0)} ms, max ${fmt(s.max, 0)} ms over ${s.n} runs`,
  );
  const plan = await sql<{ 'QUERY PLAN': string }>`explain select id, chase_next_on from items
    where chase_next_on <= ${today}::date order by chase_next_on, id limit 1000`.execute(handle.db);
  out(`  plan: ${plan.rows.map((r) => r['QUERY PLAN'].trim()).join(' | ')}`);

  const sample = due.slice(0, 200);
  const chase: number[] = [];
  let notices = 0;
  for (const id of sample) {
    const t = now();
    notices += await chaseItem(handle.db, id, at);
    chase.push(ms(t));
  }
  const c = summarize(chase);
  out(
    table(
      ['per-item chase job', 'n', 'notices', 'p50 ms', 'p95 ms', 'items/s (1 worker)'],
      [['chaseItem', c.n, notices, fmt(c.p50, 1), fmt(c.p95, 1), fmt(1000 / Math.max(c.mean, 0.001), 0)]],
    ),
  );
}
