import type { FastifyRequest } from 'fastify';
import { DomainError } from '../shared/errors.ts';

/**
 * A light per-address limit for the public (no login) endpoints: at most `limit` requests in a
 * fixed window of `windowMs`, counted in this process's memory (several web processes each keep
 * their own count — it is a brake on scraping loops, not an accounting). Over the limit: 429
 * RATE_LIMITED with `retry-after`.
 */
export function createRateLimiter(opts: { limit: number; windowMs: number; now?: () => number }) {
  const now = opts.now ?? Date.now;
  const windows = new Map<string, { start: number; count: number }>();
  return {
    /** Counts one request of the caller; throws the 429 problem when over the limit. */
    hit(key: string): void {
      const t = now();
      // Forget finished windows now and then, so the map stays small.
      if (windows.size > 10_000) {
        for (const [k, w] of windows) if (t - w.start >= opts.windowMs) windows.delete(k);
      }
      let w = windows.get(key);
      if (!w || t - w.start >= opts.windowMs) {
        w = { start: t, count: 0 };
        windows.set(key, w);
      }
      w.count += 1;
      if (w.count > opts.limit) {
        const retryAfter = Math.max(1, Math.ceil((w.start + opts.windowMs - t) / 1000));
        throw new DomainError(
          'RATE_LIMITED',
          { zh: '请求过于频繁，请稍后再试', en: 'Too many requests, try again later' },
          { details: { retryAfter } },
        );
      }
    },
  };
}

export type RateLimiter = ReturnType<typeof createRateLimiter>;

/** The key a request is counted under: its client address. */
export function clientKey(request: FastifyRequest): string {
  return request.ip;
}
