import type { AppContext } from '../context.ts';
import { sweepIncoming } from '../files/store.ts';
import { startLedgerLoop } from '../ledger/service.ts';

const EVERY_MS = 60_000;

/**
 * The worker role: the evidence ledger's integration loop (a signed checkpoint at least every second
 * while entries arrive), and housekeeping every minute: drop expired sessions and half-written
 * uploads a crash left behind.
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
  const stopLedger = startLedgerLoop(ctx);
  return async () => {
    clearInterval(timer);
    await Promise.all([running, stopLedger()]);
  };
}
