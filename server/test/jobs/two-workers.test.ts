/**
 * Sweep → per-item job → atomic claim, with two workers. Each worker runs the sweep, and the sweep
 * deliberately sends its per-item jobs WITHOUT a singleton key, so every item's job runs twice
 * (once per sweep) — the claim alone must keep each reminder to one notification.
 *
 * PostgreSQL: two pg-boss runners on two connection pools sharing the queues (two worker
 * processes). PGlite: two in-process runners in this process.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DbHandle } from '../../src/db/client.ts';
import { claimOnce } from '../../src/jobs/claim.ts';
import { createJobRunner, defineJob, type JobRunner } from '../../src/jobs/index.ts';
import { notify } from '../../src/notify/notify.ts';
import { secondHandle, waitFor } from '../notify/support.ts';
import { createTestContext, type TestContext } from '../support/context.ts';
import { buildWorld, type World } from '../support/factories.ts';

const N = 200;
const SWEEP = defineJob<{ round: string }>('test.sweep');
const REMIND = defineJob<{ item: number; round: string }>('test.remind');

describe(`two workers, ${N} due reminders: each sent once`, () => {
  let ctx: TestContext;
  let world: World;
  let other: DbHandle;
  const runners: JobRunner[] = [];

  beforeAll(async () => {
    ctx = await createTestContext();
    world = await buildWorld(ctx);
    other = await secondHandle(ctx);
  });
  afterAll(async () => {
    for (const r of runners) await r.stop();
    if (other !== ctx.handle) await other.close();
    await world.app.close();
    await ctx.cleanup();
  });

  it(`${process.env.DATABASE_URL ? 'pg-boss, two pools' : 'in-process, two runners'}`, async () => {
    const recipient = world.users.housing_h ?? '';
    const runs = { sweeps: 0, reminders: 0, claimed: 0 };
    for (const handle of [ctx.handle, other]) {
      const runner = createJobRunner({ handle }, { pollingIntervalSeconds: 0.5 });
      runners.push(runner);
      await runner.start();
      await runner.register(SWEEP, async ({ round }) => {
        runs.sweeps++;
        // the sweep: what is due (here: items 0..N-1) → one job per item
        for (let item = 0; item < N; item++) await runner.send(REMIND, { item, round });
      });
      await runner.register(
        REMIND,
        async ({ item, round }) => {
          runs.reminders++;
          await handle.db.transaction().execute(async (tx) => {
            const at = new Date();
            if (!(await claimOnce(tx, `reminder:${round}:${item}`, at))) return;
            runs.claimed++;
            await notify(
              tx,
              {
                recipients: [recipient],
                kind: 'item.reminder',
                title: `【督办提醒】事项 ${item} 即将到期`,
                body: '',
                urgent: false,
              },
              at,
              { channels: [] },
            );
          });
        },
        { concurrency: 4 },
      );
    }
    const round = 'r1';
    await Promise.all(runners.map((r) => r.send(SWEEP, { round })));
    await waitFor(() => (runs.reminders >= 2 * N ? true : undefined), `${2 * N} reminder jobs`, 90_000);

    const rows = await ctx.db
      .selectFrom('notifications')
      .select('title')
      .where('kind', '=', 'item.reminder')
      .where('user_id', '=', recipient)
      .execute();
    console.log(
      `sweep ×2 → ${runs.reminders} reminder jobs → ${runs.claimed} claimed → ${rows.length} notifications`,
    );
    expect(runs.sweeps).toBe(2);
    expect(runs.reminders).toBe(2 * N);
    expect(runs.claimed).toBe(N);
    expect(rows).toHaveLength(N);
    expect(new Set(rows.map((r) => r.title)).size).toBe(N);
  });
});
