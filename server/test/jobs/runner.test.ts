/**
 * The JobRunner contract, run against the in-process runner and (with DATABASE_URL) pg-boss on
 * the test database.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { nextCronDelayMs } from '../../src/jobs/in-process.ts';
import { createJobRunner, defineJob, type JobRunner } from '../../src/jobs/index.ts';
import { batchSender } from '../../src/jobs/types.ts';
import { waitFor } from '../notify/support.ts';
import { createTestContext, type TestContext } from '../support/context.ts';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('cron schedules read in Beijing time', () => {
  it('17:30 every day', () => {
    // 09:00Z is 17:00 in Beijing: half an hour to go
    expect(nextCronDelayMs('30 17 * * *', new Date('2026-03-03T09:00:00Z'))).toBe(30 * 60_000);
    // just after: tomorrow
    expect(nextCronDelayMs('30 17 * * *', new Date('2026-03-03T09:31:00Z'))).toBe(24 * 3600_000 - 60_000);
  });
});

describe(`job runner (${process.env.DATABASE_URL ? 'pg-boss' : 'in-process'})`, () => {
  let ctx: TestContext;
  let runner: JobRunner;

  beforeAll(async () => {
    ctx = await createTestContext();
    runner = createJobRunner(ctx, { pollingIntervalSeconds: 0.5 });
    await runner.start();
  });
  afterAll(async () => {
    await runner.stop();
    await ctx.cleanup();
  });

  it('picks the implementation by database', () => {
    expect(runner.kind).toBe(ctx.handle.kind === 'postgres' ? 'pg-boss' : 'in-process');
  });

  it('runs a sent job with its payload', async () => {
    const job = defineJob<{ itemId: string; n: number }>('test.payload');
    const seen: { itemId: string; n: number }[] = [];
    await runner.register(job, async (p) => {
      seen.push(p);
    });
    const id = await runner.send(job, { itemId: 'a', n: 1 });
    expect(typeof id).toBe('string');
    await waitFor(() => (seen.length === 1 ? true : undefined), 'the job');
    expect(seen).toEqual([{ itemId: 'a', n: 1 }]);
  });

  it('drops a send whose singletonKey is already waiting; keyless sends all queue', async () => {
    const job = defineJob<{ n: number }>('test.singleton');
    const seen: number[] = [];
    const later = new Date(Date.now() + 1500);
    expect(await runner.send(job, { n: 1 }, { singletonKey: 'item-1', startAfter: later })).not.toBeNull();
    expect(await runner.send(job, { n: 2 }, { singletonKey: 'item-1', startAfter: later })).toBeNull();
    expect(await runner.send(job, { n: 3 }, { singletonKey: 'item-2', startAfter: later })).not.toBeNull();
    expect(await runner.send(job, { n: 4 }, { startAfter: later })).not.toBeNull();
    expect(await runner.send(job, { n: 5 }, { startAfter: later })).not.toBeNull();
    await runner.register(job, async (p) => {
      seen.push(p.n);
    });
    await sleep(700);
    expect(seen).toEqual([]); // startAfter holds them
    await waitFor(() => (seen.length === 4 ? true : undefined), 'four jobs');
    expect(seen.sort()).toEqual([1, 3, 4, 5]);
  });

  it('sendMany queues a batch in one go, with the same singleton rule as send', async () => {
    const job = defineJob<{ n: number }>('test.many');
    const seen: number[] = [];
    const later = new Date(Date.now() + 1500);
    expect(await runner.send(job, { n: 0 }, { singletonKey: 'item-0', startAfter: later })).not.toBeNull();
    const sender = batchSender(runner, job, 4);
    for (let n = 0; n < 10; n++)
      await sender.add({ n: n + 100 }, { singletonKey: `item-${n}`, startAfter: later });
    await sender.add({ n: 200 }, { startAfter: later });
    await sender.flush();
    await runner.sendMany(job, []);
    await runner.register(job, async (p) => {
      seen.push(p.n);
    });
    await waitFor(() => (seen.length === 11 ? true : undefined), 'eleven jobs');
    await sleep(300);
    // item-0 was waiting: its batch entry (100) was dropped; every other entry ran once
    expect(seen.sort((a, b) => a - b)).toEqual([0, 101, 102, 103, 104, 105, 106, 107, 108, 109, 200]);
  });

  it('retries a job whose handler throws', async () => {
    const job = defineJob<{ n: number }>('test.retry');
    const runs: number[] = [];
    await runner.register(
      job,
      async (_p, info) => {
        runs.push(info.retryCount);
        if (info.retryCount === 0) throw new Error('first run fails');
      },
      { retryLimit: 1, retryDelayMs: 1000 },
    );
    await runner.send(job, { n: 1 });
    await waitFor(() => (runs.length === 2 ? true : undefined), 'the retry', 15_000);
    expect(runs).toEqual([0, 1]);
  });

  it('runs a recurring job on its interval', async () => {
    const job = defineJob<{ tag: string }>('test.every');
    const ticks: string[] = [];
    await runner.register(job, async (p) => {
      ticks.push(p.tag);
    });
    await runner.every(job, 1000, { tag: 'tick' });
    await waitFor(() => (ticks.length >= 2 ? true : undefined), 'two ticks', 10_000);
    expect(ticks.slice(0, 2)).toEqual(['tick', 'tick']);
  });

  it('refuses bad names and schedules', async () => {
    expect(() => defineJob('Bad Name')).toThrow();
    const job = defineJob<{ x: number }>('test.bad-schedule');
    await expect(runner.every(job, 10, { x: 1 })).rejects.toThrow();
    await expect(runner.every(job, 'not a cron', { x: 1 })).rejects.toThrow();
    // a valid cron schedule is accepted (the digest's: 17:30 Beijing time)
    const daily = defineJob<{ x: number }>('test.daily');
    await runner.register(daily, async () => undefined);
    await expect(runner.every(daily, '30 17 * * *', { x: 1 })).resolves.toBeUndefined();
  });
});
