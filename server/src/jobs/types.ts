/**
 * The job runner: background work queued by name, run by the worker processes. Two implementations
 * behind one contract — in-process timers and a memory queue for the embedded database (one
 * process), pg-boss for a PostgreSQL server (any number of worker processes).
 *
 * Delivery is AT LEAST ONCE: a job may run twice (a crash after its effect and before it was marked
 * done; a retry after a timeout; two processes each running a sweep). Handlers must be idempotent:
 * do the effect in one transaction together with an atomic claim (see claim.ts), so the second run
 * finds nothing left to do.
 */

/** A job's payload: a JSON object (pg-boss stores it as jsonb). */
export type JobPayload = { [key: string]: unknown };

/** A named kind of job with its payload type; define it once, use it to register and to send. */
export type JobDef<P extends JobPayload> = {
  readonly name: string;
  /** Carries the payload type only; never set. */
  readonly payloadType?: P;
};

/** Job names: letters, digits, '_', '-' and '.' (pg-boss queue names). */
const JOB_NAME = /^[a-z][a-z0-9_.-]{0,62}$/;

export function defineJob<P extends JobPayload>(name: string): JobDef<P> {
  if (!JOB_NAME.test(name)) throw new Error(`invalid job name: ${name}`);
  return { name };
}

export type JobInfo = {
  id: string;
  name: string;
  /** 0 on the first run, 1 on the first retry … */
  retryCount: number;
};

export type JobHandler<P extends JobPayload> = (payload: P, job: JobInfo) => Promise<void>;

export type RegisterOptions = {
  /** Jobs of this name that run at once in this process (default 1). */
  concurrency?: number;
  /** Further runs after the handler throws (default 2). */
  retryLimit?: number;
  /** Wait before a retry, in ms (default 10 000; pg-boss rounds to whole seconds). */
  retryDelayMs?: number;
};

export type SendOptions = {
  /**
   * While a job of this name with this key waits to run, sending another with the same key does
   * nothing (and returns null): a sweep that runs again before the last one's jobs ran queues no
   * duplicates. Not a guarantee of a single run — that is the claim's job.
   */
  singletonKey?: string;
  /** Run no earlier than this instant. */
  startAfter?: Date;
};

/**
 * A recurring job: every `n` milliseconds (at least 1000), or a five-field cron expression read in
 * Asia/Shanghai ('30 17 * * *' is 17:30 Beijing time every day). Several processes scheduling the
 * same job queue it once per period between them (pg-boss) — still, handlers are idempotent.
 */
export type Schedule = number | string;

export type JobRunner = {
  readonly kind: 'in-process' | 'pg-boss';
  /** Runs `handler` for jobs of this name in this process. Register before or after start(). */
  register<P extends JobPayload>(
    job: JobDef<P>,
    handler: JobHandler<P>,
    opts?: RegisterOptions,
  ): Promise<void>;
  /**
   * Queues a job; its id, or null when a waiting job has the same singletonKey. The in-process
   * runner keeps jobs sent before start(); pg-boss needs start() first.
   */
  send<P extends JobPayload>(job: JobDef<P>, payload: P, opts?: SendOptions): Promise<string | null>;
  /**
   * Queues many jobs of one name in one round trip (a sweep's per-item jobs); one whose
   * singletonKey waits already is skipped, as with send().
   */
  sendMany<P extends JobPayload>(
    job: JobDef<P>,
    entries: readonly { payload: P; opts?: SendOptions }[],
  ): Promise<void>;
  /** Queues the job with `payload` on the schedule (from start() on, until stop()). */
  every<P extends JobPayload>(job: JobDef<P>, schedule: Schedule, payload: P): Promise<void>;
  start(): Promise<void>;
  /** Stops taking jobs and waits for the running ones. */
  stop(): Promise<void>;
};

/** Asia/Shanghai: cron schedules and quiet hours are read in Beijing time. */
export const SCHEDULE_TIME_ZONE = 'Asia/Shanghai';

/**
 * Collects a sweep's per-item jobs and queues them `size` at a time with sendMany: a 10,000-item
 * sweep is 10 round trips instead of 10,000. Call flush() at the end.
 */
export function batchSender<P extends JobPayload>(jobs: JobRunner, job: JobDef<P>, size = 500) {
  const pending: { payload: P; opts?: SendOptions }[] = [];
  const flush = async (): Promise<void> => {
    if (pending.length > 0) await jobs.sendMany(job, pending.splice(0));
  };
  return {
    async add(payload: P, opts?: SendOptions): Promise<void> {
      pending.push(opts === undefined ? { payload } : { payload, opts });
      if (pending.length >= size) await flush();
    },
    flush,
  };
}
