import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { populateLedger, runTamperSuite, TAMPER_KINDS } from '../../bench/tamper.ts';
import { verifierKeys } from '../../src/ledger/keys.ts';
import { WITNESS_FILE } from '../../src/ledger/service.ts';
import { verifyLedger } from '../../src/ledger/verify-log.ts';
import { createTestContext, type TestContext } from '../support/context.ts';
import { buildWorld, type World } from '../support/factories.ts';

/**
 * A sample of the tamper suite (`npm run bench` runs 1,000 changes): on 10k entries, every single
 * change an attacker with database access can make is caught by the full verification; a rewrite
 * re-hashed and re-signed with the stolen key is caught by the witnessed checkpoints alone.
 */
let ctx: TestContext;
let w: World;
let witness: string;
beforeAll(async () => {
  ctx = await createTestContext();
  ctx.setNow('2026-11-27T02:00:00Z');
  w = await buildWorld(ctx);
  await populateLedger(ctx, {
    entries: 10_000,
    unitId: w.units.cityOffice as string,
    actorId: w.users.city_sup as string,
  });
  witness = fs.readFileSync(path.join(ctx.dataDir, 'witness', WITNESS_FILE), 'utf8');
});
afterAll(async () => {
  await w?.app.close();
  await ctx?.cleanup();
});

describe('tamper suite (sample)', () => {
  it('starts from an intact ledger of 10k entries and many checkpoints', async () => {
    const report = await verifyLedger(ctx.db, verifierKeys(ctx.dataDir), { witnessNotes: [witness] });
    expect(report.problems).toEqual([]);
    expect(report.entries).toBeGreaterThanOrEqual(10_000);
    expect(report.checkpoints).toBeGreaterThanOrEqual(10);
    expect(report.witnessed).toBe(report.checkpoints);
  });

  it('detects every single change, and needs the witness only for a re-signed rewrite', async () => {
    const results = await runTamperSuite(ctx, { count: 5 * 4, seed: 20261128, witnessNotes: [witness] });
    expect(results.map((r) => r.kind)).toEqual([...TAMPER_KINDS]);
    for (const r of results) {
      expect(r.applied).toBe(4);
      expect(r.detected, r.kind).toBe(r.applied);
    }
    const rehash = results.find((r) => r.kind === 'rehash_all');
    expect(rehash?.detectedWithoutWitness).toBe(0);
    // The rolled-back changes left the ledger as it was.
    expect((await verifyLedger(ctx.db, verifierKeys(ctx.dataDir), { witnessNotes: [witness] })).ok).toBe(
      true,
    );
  });
});
