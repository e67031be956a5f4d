import { registerBulletinJobs } from '../bulletins/jobs.ts';
import type { AppContext } from '../context.ts';
import { readEnv } from '../env.ts';
import { registerEscalationJobs } from '../escalation/jobs.ts';
import { sweepIncoming } from '../files/store.ts';
import { registerFollowupJobs } from '../followup/jobs.ts';
import { createJobRunner } from '../jobs/index.ts';
import { registerKpiJobs } from '../kpi/jobs.ts';
import { startLedgerLoop } from '../ledger/service.ts';
import { startNotifications } from '../notify/worker.ts';
import { registerReportingJobs } from '../reporting/jobs.ts';
import { registerRiskJobs } from '../risk/jobs.ts';

const EVERY_MS = 60_000;

/**
 * The worker role: the evidence ledger's integration loop (a signed checkpoint at least every second
 * while entries arrive); background jobs — notification delivery and digest, the deadline sweep;
 * and housekeeping every minute: drop expired sessions and half-written uploads a crash left behind.
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
  // Background jobs (in-process on the embedded database, pg-boss on a server); notification delivery.
  const jobs = createJobRunner(ctx);
  const stopNotifications = startNotifications(ctx, jobs);
  // The deadline sweep every minute (DUBAN_SWEEP_SECONDS) → one chase job per due item
  // (reminders, 督办单, 特急).
  registerEscalationJobs(ctx, jobs, { sweepEveryMs: readEnv().DUBAN_SWEEP_SECONDS * 1000 }).catch(
    (err: unknown) =>
      console.error('deadline jobs failed to register:', err instanceof Error ? err.message : err),
  );
  // 定期报送: report slots moved on and their reminders, hourly in office hours.
  registerReportingJobs(ctx, jobs).catch((err: unknown) =>
    console.error('reporting jobs failed to register:', err instanceof Error ? err.message : err),
  );
  // 绩效指标: events folded into the KPI facts and roll-ups every 15 s.
  registerKpiJobs(ctx, jobs).catch((err: unknown) =>
    console.error('KPI jobs failed to register:', err instanceof Error ? err.message : err),
  );
  // 清单与通报: 周调度 (Mondays), 月通报 (1st), 季考核 (quarter's first day) at 08:05, archived once.
  registerBulletinJobs(ctx, jobs).catch((err: unknown) =>
    console.error('bulletin jobs failed to register:', err instanceof Error ? err.message : err),
  );
  // 回头看: closed items get their follow-up reviews, due reviews are announced (every 30 min).
  registerFollowupJobs(ctx, jobs).catch((err: unknown) =>
    console.error('follow-up jobs failed to register:', err instanceof Error ? err.message : err),
  );
  // 滞后风险: open items rescored hourly (the model retrained weekly).
  registerRiskJobs(ctx, jobs).catch((err: unknown) =>
    console.error('risk jobs failed to register:', err instanceof Error ? err.message : err),
  );
  jobs
    .start()
    .catch((err: unknown) => console.error('job runner failed:', err instanceof Error ? err.message : err));
  return async () => {
    clearInterval(timer);
    await Promise.all([running, stopLedger(), stopNotifications()]);
    await jobs.stop();
  };
}
