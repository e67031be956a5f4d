/**
 * The job runner of the embedded database: a queue in memory and timers, for one process. Jobs
 * queued and not yet run are lost when the process stops; recurring jobs and sweeps (which find
 * their work in the database again) are what it is for.
 */
import { randomUUID } from 'node:crypto';
import cronParser from 'cron-parser';
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

type Queued = { id: string; payload: JobPayload; key: string | undefined; runAt: number; retryCount: number };

type Worker = {
  handler: JobHandler<JobPayload>;
  concurrency: number;
  retryLimit: number;
  retryDelayMs: number;
  running: number;
};

export type InProcessOptions = {
  /** Where handler failures are reported (default console.error). */
  onError?: (name: string, err: unknown) => void;
};

/** Milliseconds until the next time the cron expression fires, read in Asia/Shanghai. */
export function nextCronDelayMs(expression: string, now: Date = new Date()): number {
  const next = cronParser
    .parseExpression(expression, { currentDate: now, tz: SCHEDULE_TIME_ZONE })
    .next()
    .toDate();
  return Math.max(0, next.getTime() - now.getTime());
}

export function assertSchedule(schedule: Schedule): void {
  if (typeof schedule === 'number') {
    if (!Number.isFinite(schedule) || schedule < 1000) throw new Error('interval must be ≥ 1000 ms');
    return;
  }
  if (schedule.trim().split(/\s+/).length !== 5) throw new Error(`cron needs five fields: ${schedule}`);
  cronParser.parseExpression(schedule);
}

export function createInProcessRunner(opts: InProcessOptions = {}): JobRunner {
  const onError =
    opts.onError ??
    ((name: string, err: unknown) =>
      console.error(`job ${name} failed:`, err instanceof Error ? err.message : err));
  const queues = new Map<string, Queued[]>();
  const workers = new Map<string, Worker>();
  const schedules: { name: string; schedule: Schedule; payload: JobPayload }[] = [];
  const timers = new Set<NodeJS.Timeout>();
  const inflight = new Set<Promise<void>>();
  let started = false;
  let stopped = false;

  const queueOf = (name: string) => {
    let q = queues.get(name);
    if (q === undefined) {
      q = [];
      queues.set(name, q);
    }
    return q;
  };

  const later = (ms: number, fn: () => void) => {
    const t = setTimeout(() => {
      timers.delete(t);
      fn();
    }, ms);
    timers.add(t);
  };

  /** One wake-up timer per queue, for its earliest job not yet due. */
  const wakeups = new Map<string, { at: number; timer: NodeJS.Timeout }>();

  /**
   * Pumps `name` again when its next waiting job falls due. A timer may fire a millisecond before
   * Date.now() reaches the job's time; the pump then finds nothing due and must not go to sleep
   * for good (a retry would never run), so every pump that leaves a job waiting arms this.
   */
  function wake(name: string, at: number): void {
    const current = wakeups.get(name);
    if (current !== undefined && current.at <= at) return;
    if (current !== undefined) {
      clearTimeout(current.timer);
      timers.delete(current.timer);
    }
    const timer = setTimeout(
      () => {
        timers.delete(timer);
        wakeups.delete(name);
        pump(name);
      },
      Math.max(1, at - Date.now() + 1),
    );
    timers.add(timer);
    wakeups.set(name, { at, timer });
  }

  function pump(name: string): void {
    if (!started || stopped) return;
    const worker = workers.get(name);
    if (worker === undefined) return;
    const q = queueOf(name);
    const now = Date.now();
    const waiting = q.reduce((min, j) => (j.runAt > now && j.runAt < min ? j.runAt : min), Infinity);
    if (waiting !== Infinity) wake(name, waiting);
    while (worker.running < worker.concurrency) {
      const index = q.findIndex((j) => j.runAt <= now);
      if (index < 0) break;
      const [job] = q.splice(index, 1);
      if (job === undefined) break;
      worker.running++;
      const run = (async () => {
        try {
          await worker.handler(job.payload, { id: job.id, name, retryCount: job.retryCount });
        } catch (err) {
          onError(name, err);
          if (job.retryCount < worker.retryLimit && !stopped) {
            const retry = { ...job, retryCount: job.retryCount + 1, runAt: Date.now() + worker.retryDelayMs };
            q.push(retry);
            wake(name, retry.runAt);
          }
        } finally {
          worker.running--;
        }
      })();
      inflight.add(run);
      void run.finally(() => {
        inflight.delete(run);
        pump(name);
      });
    }
  }

  function enqueue(name: string, payload: JobPayload, o: SendOptions = {}): string | null {
    const q = queueOf(name);
    if (o.singletonKey !== undefined && q.some((j) => j.key === o.singletonKey && j.retryCount === 0)) {
      return null;
    }
    const runAt = o.startAfter?.getTime() ?? Date.now();
    const job: Queued = { id: randomUUID(), payload, key: o.singletonKey, runAt, retryCount: 0 };
    q.push(job);
    const wait = runAt - Date.now();
    if (wait > 0) wake(name, runAt);
    else queueMicrotask(() => pump(name));
    return job.id;
  }

  function arm(name: string, schedule: Schedule, payload: JobPayload): void {
    if (stopped) return;
    const fire = () => {
      enqueue(name, payload, { singletonKey: '__every' });
      arm(name, schedule, payload);
    };
    later(typeof schedule === 'number' ? schedule : nextCronDelayMs(schedule), fire);
  }

  return {
    kind: 'in-process',
    async register<P extends JobPayload>(job: JobDef<P>, handler: JobHandler<P>, o: RegisterOptions = {}) {
      if (workers.has(job.name)) throw new Error(`job ${job.name} is registered already`);
      workers.set(job.name, {
        // The registry is keyed by name; the JobDef ties each name to one payload type.
        handler: handler as JobHandler<JobPayload>,
        concurrency: Math.max(1, o.concurrency ?? 1),
        retryLimit: Math.max(0, o.retryLimit ?? 2),
        retryDelayMs: Math.max(0, o.retryDelayMs ?? 10_000),
        running: 0,
      });
      pump(job.name);
    },
    async send<P extends JobPayload>(job: JobDef<P>, payload: P, o?: SendOptions) {
      if (stopped) throw new Error('job runner stopped');
      return enqueue(job.name, payload, o);
    },
    async sendMany<P extends JobPayload>(
      job: JobDef<P>,
      entries: readonly { payload: P; opts?: SendOptions }[],
    ) {
      if (stopped) throw new Error('job runner stopped');
      for (const e of entries) enqueue(job.name, e.payload, e.opts);
    },
    async every<P extends JobPayload>(job: JobDef<P>, schedule: Schedule, payload: P) {
      assertSchedule(schedule);
      schedules.push({ name: job.name, schedule, payload });
      if (started) arm(job.name, schedule, payload);
    },
    async start() {
      if (started) return;
      started = true;
      for (const s of schedules) arm(s.name, s.schedule, s.payload);
      for (const name of queues.keys()) pump(name);
    },
    async stop() {
      stopped = true;
      for (const t of timers) clearTimeout(t);
      timers.clear();
      await Promise.allSettled([...inflight]);
    },
  };
}
