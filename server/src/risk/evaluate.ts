/**
 * 滞后风险 back-test on a freshly seeded demo (the history `duban seed --demo` writes): snapshots of
 * every item whose outcome is known, a time split (train on the earlier deadlines, test on the
 * later; and a rolling origin over the later 60 %), with AUC (Mann–Whitney), Brier score and sizes.
 * `npm run eval:risk --workspace server` (embedded database in a temporary folder; about a minute).
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { AppContext } from '../context.ts';
import { openDatabase } from '../db/client.ts';
import { migrate } from '../db/migrate.ts';
import { seedDemo } from '../demo/seed.ts';
import { FEATURES } from './features.ts';
import { scoreOpenItems, trainRiskModel } from './service.ts';

async function main() {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'duban-eval-risk-'));
  const handle = await openDatabase({ dataDir: dir });
  try {
    await migrate(handle);
    const now = new Date();
    const ctx: AppContext = {
      handle,
      db: handle.db,
      dataDir: dir,
      secureCookies: false,
      maxUploadBytes: 5 * 1024 * 1024,
      metricsToken: undefined,
      now: () => now,
      ledger: { origin: 'duban.eval/ledger', witnessDir: undefined, witnessUrl: undefined },
    };
    console.log('seeding the demo…');
    const seeded = await seedDemo(ctx, { password: 'eval-risk-password-1' });
    console.log(`demo: ${seeded.items} items, ${seeded.units} units`);
    const { model, metrics } = await trainRiskModel(ctx.db, now);
    const f = (v: number | null, d = 3) => (v === null ? 'n/a' : v.toFixed(d));
    console.log(`model ${model.version} (${metrics.kind})`);
    console.log(
      `train: ${metrics.train.items} items, ${metrics.train.snapshots} snapshots, ${metrics.train.late} late`,
    );
    console.log(
      `test:  ${metrics.test.items} items, ${metrics.test.snapshots} snapshots, ${metrics.test.late} late`,
    );
    console.log(
      `time split (70/30):  AUC ${f(metrics.auc)}  Brier ${f(metrics.brier)}  (n = ${metrics.test.snapshots})`,
    );
    const r = metrics.rolling;
    console.log(
      `rolling origin (${r.folds} folds after the first 40 %):  AUC ${f(r.auc)}  Brier ${f(r.brier)}  (n = ${r.test.snapshots}, ${r.test.items} items, ${r.test.late} late)`,
    );
    console.log('weights (standardised features, refitted on all snapshots):');
    for (const [j, name] of FEATURES.entries())
      console.log(`  ${name.padEnd(28)} ${(model.weights[j] ?? 0).toFixed(3)}`);
    const scored = await scoreOpenItems(ctx.db, now);
    console.log(`scored ${scored.scored} open items`);
  } finally {
    await handle.close();
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
