/**
 * The retry policy of the outbox, for every channel: the example schedule of the Standard Webhooks
 * specification (exponential backoff over about three days) with ±20 % random jitter so that
 * failures caused by our own bursts do not recur in lockstep.
 *
 * Attempt 1 is immediate; after failed attempt n (1-based) the next one waits
 * `nextAttemptDelayMs(n)`. After `MAX_ATTEMPTS` failed attempts the delivery is dead-lettered.
 */

const SECOND = 1000;
const MINUTE = 60 * SECOND;
const HOUR = 60 * MINUTE;

/** Nominal delay after failed attempt 1, 2, … (5 s, 5 min, 30 min, 2 h, 5 h, 10 h, 14 h, 20 h, 24 h). */
export const RETRY_SCHEDULE_MS: readonly number[] = [
  5 * SECOND,
  5 * MINUTE,
  30 * MINUTE,
  2 * HOUR,
  5 * HOUR,
  10 * HOUR,
  14 * HOUR,
  20 * HOUR,
  24 * HOUR,
];

/** Attempts in all (the first plus one per schedule step): about 75.5 hours from first to last. */
export const MAX_ATTEMPTS = RETRY_SCHEDULE_MS.length + 1;

export const JITTER = 0.2;

/**
 * Delay before the next attempt after `attempt` attempts have failed (1-based), with jitter drawn from
 * `random` (in [0, 1)): nominal × [0.8, 1.2). Attempts beyond the schedule reuse its last step; the
 * caller dead-letters once `attempt >= MAX_ATTEMPTS` (see `shouldDeadLetter`).
 */
export function nextAttemptDelayMs(attempt: number, random: () => number = Math.random): number {
  const n = Number.isFinite(attempt) ? Math.floor(attempt) : 1;
  const index = Math.min(Math.max(1, n), RETRY_SCHEDULE_MS.length) - 1;
  const nominal = RETRY_SCHEDULE_MS[index] ?? RETRY_SCHEDULE_MS[RETRY_SCHEDULE_MS.length - 1] ?? HOUR;
  const drawn = random();
  const r = Number.isFinite(drawn) ? Math.min(Math.max(drawn, 0), 1) : 0.5;
  return Math.round(nominal * (1 - JITTER + 2 * JITTER * r));
}

/** True when `attempt` failed attempts exhaust the policy. */
export function shouldDeadLetter(attempt: number): boolean {
  return attempt >= MAX_ATTEMPTS;
}

/**
 * The delay to schedule after a failed, retryable attempt: the policy's, or the receiver's
 * Retry-After when that is longer.
 */
export function retryDelayMs(
  attempt: number,
  retryAfterMs?: number,
  random: () => number = Math.random,
): number {
  const ours = nextAttemptDelayMs(attempt, random);
  return retryAfterMs === undefined ? ours : Math.max(ours, retryAfterMs);
}
