import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  JITTER,
  MAX_ATTEMPTS,
  nextAttemptDelayMs,
  RETRY_SCHEDULE_MS,
  retryDelayMs,
  shouldDeadLetter,
} from '../../../src/notify/channels/retry.ts';

const S = 1000;
const M = 60 * S;
const H = 60 * M;

describe('retry policy', () => {
  it('follows the Standard Webhooks example schedule without jitter (random = 0.5)', () => {
    const nominal = Array.from({ length: MAX_ATTEMPTS - 1 }, (_, i) => nextAttemptDelayMs(i + 1, () => 0.5));
    expect(nominal).toEqual([5 * S, 5 * M, 30 * M, 2 * H, 5 * H, 10 * H, 14 * H, 20 * H, 24 * H]);
    expect(MAX_ATTEMPTS).toBe(10);
    // First attempt to last: 75 h 35 min 5 s, as in the specification's table.
    expect(nominal.reduce((a, b) => a + b, 0)).toBe(75 * H + 35 * M + 5 * S);
  });

  it('keeps jitter within ±20 % and reuses the last step past the schedule', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: -3, max: 40 }),
        fc.double({ min: 0, max: 1, maxExcluded: true, noNaN: true }),
        (n, r) => {
          const step = Math.min(Math.max(1, n), RETRY_SCHEDULE_MS.length);
          const nominal = RETRY_SCHEDULE_MS[step - 1] ?? 0;
          const d = nextAttemptDelayMs(n, () => r);
          return d >= Math.floor(nominal * (1 - JITTER)) && d <= Math.ceil(nominal * (1 + JITTER));
        },
      ),
    );
    expect(nextAttemptDelayMs(1, () => 0)).toBe(4 * S);
    expect(nextAttemptDelayMs(50, () => 0.5)).toBe(24 * H);
    expect(nextAttemptDelayMs(Number.NaN, () => Number.NaN)).toBe(5 * S);
  });

  it('spreads concurrent retries with the default random source', () => {
    const delays = new Set(Array.from({ length: 50 }, () => nextAttemptDelayMs(3)));
    expect(delays.size).toBeGreaterThan(10);
  });

  it('dead-letters after MAX_ATTEMPTS failed attempts', () => {
    expect(shouldDeadLetter(1)).toBe(false);
    expect(shouldDeadLetter(MAX_ATTEMPTS - 1)).toBe(false);
    expect(shouldDeadLetter(MAX_ATTEMPTS)).toBe(true);
  });

  it('waits for Retry-After when it is longer than the schedule', () => {
    expect(retryDelayMs(1, undefined, () => 0.5)).toBe(5 * S);
    expect(retryDelayMs(1, 120 * S, () => 0.5)).toBe(120 * S);
    expect(retryDelayMs(3, 120 * S, () => 0.5)).toBe(30 * M);
  });
});
