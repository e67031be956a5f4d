/**
 * Background jobs. `createJobRunner(ctx)` picks the implementation by database: the in-process
 * runner on the embedded database, pg-boss on a PostgreSQL server. See types.ts for the contract
 * (at-least-once) and claim.ts for how a handler makes its effect happen once.
 */
import type { AppContext } from '../context.ts';
import { createInProcessRunner } from './in-process.ts';
import { createPgBossRunner, type PgBossOptions } from './pg-boss.ts';
import type { JobRunner } from './types.ts';

export { claimDue, claimOnce } from './claim.ts';
export type {
  JobDef,
  JobHandler,
  JobInfo,
  JobPayload,
  JobRunner,
  RegisterOptions,
  Schedule,
  SendOptions,
} from './types.ts';
export { defineJob } from './types.ts';

export function createJobRunner(ctx: Pick<AppContext, 'handle'>, opts: PgBossOptions = {}): JobRunner {
  switch (ctx.handle.kind) {
    case 'pglite':
      return createInProcessRunner();
    case 'postgres':
      return createPgBossRunner(ctx.handle, opts);
  }
}
