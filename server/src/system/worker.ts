import type { AppContext } from '../context.ts';
import { sweepIncoming } from '../files/store.ts';

const EVERY_MS = 60_000;

/**
 * The worker role's housekeeping, every minute: drop expired sessions and half-written uploads a
 * crash left behind. Later issues add their jobs (reminders, escalation, checkpoints) here.
 */
export function startWorker(ctx: AppContext): () => Promise<void> {
  let running: Promise<void> = Promise.resolve();
  const tick = () => {
    running = (async () => {
      try {
        const now = ctx.now();
        await ctx.db.deleteFrom('sessions').where('expires_at', '<', now).execute();
        await sweepIncoming(ctx.dataDir, now);
      } catch (err) {
        console.error('worker housekeeping failed:', err instanceof Error ? err.message : err);
      }
    })();
  };
  tick();
  const timer = setInterval(tick, EVERY_MS);
  return async () => {
    clearInterval(timer);
    await running;
  };
}
