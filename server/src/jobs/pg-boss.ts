/**
 * The job runner on a PostgreSQL server: pg-boss 10 (its own schema `pgboss`, created on start),
 * so any number of worker processes share the queues.
 *
 * pg-boss runs its SQL through our connection pool (the `db` option) rather than a second pool of
 * its own, so it needs no connection string and lives in the database the process opened.
 *
 * Queues use pg-boss's 'short' policy: at most one *waiting* job per (name, singleton key). A job
 * sent without a key gets a key of its own (its id), so only keyed sends are deduplicated.
 * Recurring jobs: cron schedules are pg-boss schedules (one job per minute slot for all processes);
 * intervals are a timer in each process sending with `singletonSeconds`, one job per slot.
 */
import { randomUUID } from 'node:crypto';
import { CompiledQuery } from 'kysely';
import PgBoss from 'pg-boss';
import type { DbHandle } from '../db/client.ts';
import { assertSchedule } from './in-process.ts';
import {
  type JobDef,
  type JobHandler,
  type JobPayload,
  type JobRunner,
  type RegisterOptions,
  SCHEDULE_TIME_ZONE,
  type Schedule,
  type SendOptions,
} from './types.ts';

export type PgBossOptions = {
  /** How often an idle worker looks for jobs, in seconds (pg-boss minimum 0.5; default 2). */
  pollingIntervalSeconds?: number;
  onError?: (err: unknown) => void;
};

/** pg-boss's database adapter over our handle: parameterless scripts go through a script session. */
function bossDb(handle: DbHandle): PgBoss.Db {
  return {
    async executeSql(text: string, values?: unknown[]) {
      if (values === undefined || values.length === 0) {
        // pg-boss sends multi-statement scripts (BEGIN; … COMMIT;) without parameters. One that
        // fails midway (the "already exists" of two processes installing the schema at once, which
        // pg-boss expects and ignores) leaves its transaction open and aborted: roll it back, or
        // the pooled connection fails every later statement.
        const rows = await handle.withScriptSession(async (exec) => {
          try {
            return await exec(text);
          } catch (err) {
            await exec('rollback').catch(() => undefined);
            throw err;
          }
        });
        return { rows };
      }
      const result = await handle.db.executeQuery(CompiledQuery.raw(text, values));
      return { rows: [...result.rows] };
    },
  };
}

/**
 * Runs fn again when PostgreSQL broke a deadlock by failing it (40P01). pg-boss creates a queue with
 * DDL (a partition of its job table): two worker processes starting together, one creating queues
 * while the other sends or fetches, deadlock now and then — and a registration that failed once
 * would leave that worker without the job for good.
 */
export async function retryDeadlock<T>(fn: () => Promise<T>, attempts = 5): Promise<T> {
  for (let i = 1; ; i++) {
    try {
      return await fn();
    } catch (err) {
      if ((err as { code?: unknown }).code !== '40P01' || i >= attempts) throw err;
      await new Promise((r) => setTimeout(r, 50 + Math.random() * 200 * i));
    }
  }
}

export function createPgBossRunner(handle: DbHandle, opts: PgBossOptions = {}): JobRunner {
  const onError =
    opts.onError ?? ((err: unknown) => console.error('pg-boss:', err instanceof Error ? err.message : err));
  const boss = new PgBoss({
    db: bossDb(handle),
    // Keep finished jobs a day, then pg-boss's maintenance archives and deletes them.
    archiveCompletedAfterSeconds: 24 * 3600,
  });
  boss.on('error', onError);
  const polling = opts.pollingIntervalSeconds ?? 2;
  const queues = new Map<string, Promise<void>>();
  const pendingWork: (() => Promise<void>)[] = [];
  const pendingSchedules: (() => Promise<void>)[] = [];
  const timers = new Set<NodeJS.Timeout>();
  let started: Promise<void> | undefined;
  let stopped = false;

  const queueOptions = (name: string, o: RegisterOptions = {}): PgBoss.Queue => ({
    name,
    policy: 'short',
    retryLimit: o.retryLimit ?? 2,
    retryDelay: Math.max(1, Math.round((o.retryDelayMs ?? 10_000) / 1000)),
  });

  /** Creates the queue once per process (a no-op when another process did). */
  const ensureQueue = (name: string): Promise<void> => {
    let ready = queues.get(name);
    if (ready === undefined) {
      ready = retryDeadlock(() => boss.createQueue(name, queueOptions(name)));
      ready.catch(() => queues.delete(name));
      queues.set(name, ready);
    }
    return ready;
  };

  const send = async (name: string, payload: JobPayload, o: PgBoss.SendOptions): Promise<string | null> => {
    await ensureQueue(name);
    return boss.send(name, payload, o);
  };

  const whenStarted = async (fn: () => Promise<void>, list: (() => Promise<void>)[]) => {
    if (started === undefined) list.push(fn);
    else {
      await started;
      await fn();
    }
  };

  return {
    kind: 'pg-boss',
    async register<P extends JobPayload>(job: JobDef<P>, handler: JobHandler<P>, o: RegisterOptions = {}) {
      const parallel = Math.max(1, o.concurrency ?? 1);
      const work = async () => {
        await ensureQueue(job.name);
        // The registering process sets the retry policy (a queue may exist from an earlier send).
        await retryDeadlock(() => boss.updateQueue(job.name, queueOptions(job.name, o)));
        // pg-boss 10 waits a polling interval between fetches, so fetch a batch and run it with
        // `concurrency` at a time; a job whose handler throws is failed alone (and retried), the
        // rest of the batch completes when this returns. A full batch means more are likely
        // waiting: the worker is told to fetch again at once instead of sleeping the interval (a
        // sweep's 10,000 chase jobs would otherwise drain at one batch per interval).
        const batchSize = Math.min(100, parallel * 10);
        let workerId: string | undefined;
        workerId = await boss.work<P>(
          job.name,
          { pollingIntervalSeconds: polling, batchSize, includeMetadata: true },
          async (jobs) => {
            const queue = [...jobs];
            const next = async (): Promise<void> => {
              for (let j = queue.shift(); j !== undefined; j = queue.shift()) {
                try {
                  await handler(j.data, { id: j.id, name: j.name, retryCount: j.retryCount });
                } catch (err) {
                  onError(err);
                  await boss.fail(job.name, j.id, {
                    message: err instanceof Error ? err.message : String(err),
                  });
                }
              }
            };
            await Promise.all(Array.from({ length: Math.min(parallel, queue.length) }, next));
            if (jobs.length === batchSize && workerId !== undefined && !stopped) boss.notifyWorker(workerId);
          },
        );
      };
      await whenStarted(work, pendingWork);
    },
    async send<P extends JobPayload>(job: JobDef<P>, payload: P, o: SendOptions = {}) {
      if (started === undefined) throw new Error('start the job runner before sending');
      await started;
      return send(job.name, payload, {
        singletonKey: o.singletonKey ?? randomUUID(),
        ...(o.startAfter === undefined ? {} : { startAfter: o.startAfter }),
      });
    },
    async sendMany<P extends JobPayload>(
      job: JobDef<P>,
      entries: readonly { payload: P; opts?: SendOptions }[],
    ) {
      if (started === undefined) throw new Error('start the job runner before sending');
      await started;
      if (entries.length === 0) return;
      await ensureQueue(job.name);
      // One INSERT … ON CONFLICT DO NOTHING: a waiting job with the same singletonKey keeps its place.
      await boss.insert(
        entries.map((e) => ({
          name: job.name,
          data: e.payload,
          singletonKey: e.opts?.singletonKey ?? randomUUID(),
          ...(e.opts?.startAfter === undefined ? {} : { startAfter: e.opts.startAfter }),
        })),
      );
    },
    async every<P extends JobPayload>(job: JobDef<P>, schedule: Schedule, payload: P) {
      assertSchedule(schedule);
      const arm = async () => {
        await ensureQueue(job.name);
        if (typeof schedule === 'string') {
          await boss.schedule(job.name, schedule, payload, {
            tz: SCHEDULE_TIME_ZONE,
            singletonKey: '__every',
          });
          return;
        }
        const seconds = Math.max(1, Math.round(schedule / 1000));
        const tick = () => {
          if (stopped) return;
          send(job.name, payload, { singletonKey: '__every', singletonSeconds: seconds }).catch(onError);
        };
        const timer = setInterval(tick, schedule);
        timers.add(timer);
        tick();
      };
      await whenStarted(arm, pendingSchedules);
    },
    async start() {
      if (started === undefined) {
        started = (async () => {
          await boss.start();
          for (const fn of pendingWork.splice(0)) await fn();
          for (const fn of pendingSchedules.splice(0)) await fn();
        })();
      }
      await started;
    },
    async stop() {
      stopped = true;
      for (const t of timers) clearInterval(t);
      timers.clear();
      if (started === undefined) return;
      await started.catch(() => undefined);
      await boss.stop({ graceful: true, wait: true, close: false, timeout: 30_000 });
    },
  };
}
