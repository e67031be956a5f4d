import fs from 'node:fs';
import path from 'node:path';
import type { AppContext } from '../context.ts';
import { type Integration, integrateAll } from './integrate.ts';
import { defaultOrigin, loadOrCreateSigner, type Signer } from './keys.ts';

/** The witness file every checkpoint is appended to (signed notes one after another). */
export const WITNESS_FILE = 'duban-checkpoints.txt';

const signers = new Map<string, Signer>();

/** The data folder's signing key, created on first use with the configured origin as its name. */
export function signerFor(ctx: Pick<AppContext, 'dataDir' | 'ledger'>): Signer {
  let signer = signers.get(ctx.dataDir);
  if (!signer) {
    signer = loadOrCreateSigner(ctx.dataDir, ctx.ledger.origin ?? defaultOrigin());
    if (ctx.ledger.origin !== undefined && signer.name !== ctx.ledger.origin) {
      throw new Error(
        `账本签名密钥的名称是 ${signer.name}，与 DUBAN_LEDGER_ORIGIN=${ctx.ledger.origin} 不一致 / the ledger key is named ${signer.name}, not ${ctx.ledger.origin}`,
      );
    }
    signers.set(ctx.dataDir, signer);
  }
  return signer;
}

/** Forgets the cached signer (after a key rotation by the CLI in this process). */
export function forgetSigner(dataDir: string): void {
  signers.delete(dataDir);
}

/**
 * Integrates the backlog and hands the new checkpoint to the witnesses. Witness failures are
 * logged, never fatal: the next checkpoint extends this one, so a later copy still pins it.
 */
export async function checkpointNow(ctx: AppContext, stop?: () => boolean): Promise<Integration | null> {
  const done = await integrateAll(ctx.db, signerFor(ctx), ctx.now, stop);
  if (done?.checkpointId != null) {
    const row = await ctx.db
      .selectFrom('ledger_checkpoints')
      .select('note')
      .where('id', '=', done.checkpointId)
      .executeTakeFirstOrThrow();
    await witness(ctx, row.note);
  }
  return done;
}

async function witness(ctx: AppContext, note: string): Promise<void> {
  const { witnessDir, witnessUrl } = ctx.ledger;
  if (witnessDir) {
    try {
      fs.mkdirSync(witnessDir, { recursive: true });
      const fd = fs.openSync(path.join(witnessDir, WITNESS_FILE), 'a');
      try {
        fs.writeSync(fd, `${note}\n`);
        fs.fsyncSync(fd);
      } finally {
        fs.closeSync(fd);
      }
    } catch (err) {
      console.error('ledger witness (folder) failed:', err instanceof Error ? err.message : err);
    }
  }
  if (witnessUrl) {
    try {
      const res = await fetch(witnessUrl, {
        method: 'POST',
        headers: { 'content-type': 'text/plain; charset=utf-8' },
        body: note,
        signal: AbortSignal.timeout(5000),
      });
      if (!res.ok) console.error(`ledger witness (HTTP) answered ${res.status}`);
    } catch (err) {
      console.error('ledger witness (HTTP) failed:', err instanceof Error ? err.message : err);
    }
  }
}

/** The worker's ledger loop: a checkpoint at least every second while entries arrive. */
export function startLedgerLoop(ctx: AppContext, everyMs = 1000): () => Promise<void> {
  let stopped = false;
  let running: Promise<void> = Promise.resolve();
  let timer: NodeJS.Timeout | undefined;
  const tick = () => {
    running = (async () => {
      try {
        // stopping: the backlog's next rounds are left to the next start
        await checkpointNow(ctx, () => stopped);
      } catch (err) {
        console.error('ledger integration failed:', err instanceof Error ? err.message : err);
      }
      if (!stopped) timer = setTimeout(tick, everyMs);
    })();
  };
  tick();
  return async () => {
    stopped = true;
    if (timer) clearTimeout(timer);
    await running;
  };
}
