import fs from 'node:fs';
import path from 'node:path';
import { parseCheckpoint, verifyNote } from '@duban/verifier';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase } from '../../src/db/client.ts';
import { WITNESS_FILE } from '../../src/ledger/service.ts';
import { type Cli, createCli } from '../support/cli.ts';

/** `duban ledger …` as an operator runs it, against the embedded database or a server. */
let cli: Cli;
let witnessDir: string;
let env: NodeJS.ProcessEnv;
beforeAll(async () => {
  cli = await createCli('duban-ledger-cli-');
  witnessDir = path.join(cli.dataDir, 'witness-copies');
  env = { DUBAN_LEDGER_ORIGIN: 'duban.cli-test/ledger', DUBAN_LEDGER_WITNESS_DIR: witnessDir };
});
afterAll(async () => {
  await cli?.cleanup();
});

const duban = (...args: string[]) => cli.run(args, { env });

/** Changes the database behind the CLI's back, as an attacker with database access would. */
async function tamper(statement: string) {
  const handle = await openDatabase({ databaseUrl: cli.databaseUrl, dataDir: cli.dataDir });
  try {
    await handle.db.transaction().execute(async (tx) => {
      await sql`alter table events disable trigger user`.execute(tx);
      await sql.raw(statement).execute(tx);
    });
  } finally {
    await handle.close();
  }
}

describe('duban ledger', () => {
  it('signs checkpoints with a key kept in the data folder, verifies, and catches tampering', async () => {
    expect((await duban('org', 'import-regions', '--code', '330000')).code).toBe(0);
    expect((await duban('org', 'create-units', '--region', '330100')).code).toBe(0);

    const checkpoint = await duban('ledger', 'checkpoint');
    expect(checkpoint.code, checkpoint.stderr).toBe(0);
    const key = await duban('ledger', 'key');
    expect(key.code, key.stderr).toBe(0);
    const keys = key.stdout.trim().split('\n');
    expect(keys).toHaveLength(1);
    expect(keys[0]).toMatch(/^duban\.cli-test\/ledger\+[0-9a-f]{8}\+/);
    const verified = await verifyNote(checkpoint.stdout, keys);
    expect(verified.ok).toBe(true);
    expect(verified.ok && parseCheckpoint(verified.text)?.size).toBeGreaterThan(1);
    const keyFile = path.join(cli.dataDir, 'ledger', 'signing.key');
    expect(fs.statSync(keyFile).mode & 0o777).toBe(0o600);

    // Rotation: a new key signs from now on; checkpoints signed by the old one still verify.
    const rotated = await duban('ledger', 'rotate-key');
    expect(rotated.code, rotated.stderr).toBe(0);
    const both = (await duban('ledger', 'key')).stdout.trim().split('\n');
    expect(both).toHaveLength(2);
    expect(both[1]).toBe(rotated.stdout.trim());
    expect(both[0]).toBe(keys[0]);

    const ok = await duban('ledger', 'verify', '--witness', witnessDir);
    expect(ok.code, ok.stdout + ok.stderr).toBe(0);
    expect(ok.stdout).toMatch(/账本完整/);
    expect(fs.readFileSync(path.join(witnessDir, WITNESS_FILE), 'utf8')).toContain(checkpoint.stdout);

    await tamper(`update events set canonical = replace(canonical, '"seq":3,', '"seq":3 ,') where seq = 3`);
    const bad = await duban('ledger', 'verify', '--json');
    expect(bad.code).toBe(1);
    const report = JSON.parse(bad.stdout);
    expect(report.ok).toBe(false);
    expect(report.firstBadIndex).toBe(2);
    expect(report.problems.map((p: { code: string }) => p.code)).toContain('TILE_MISMATCH');
    const text = await duban('ledger', 'verify');
    expect(text.stdout).toMatch(/第一个问题条目 \/ first bad index: 2/);
  });

  it('refuses a witness path that does not exist, with a message', async () => {
    const res = await duban('ledger', 'verify', '--witness', path.join(cli.dataDir, 'nope'));
    expect(res.code).toBe(1);
    expect(res.stderr).toMatch(/nope/);
  });
});
