import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createBackup } from '../../src/backup/backup.ts';
import { describeTables } from '../../src/backup/catalog.ts';
import { restoreBackup } from '../../src/backup/restore.ts';
import type { AppContext } from '../../src/context.ts';
import { type DbHandle, openDatabase } from '../../src/db/client.ts';
import { storedFilePath, storeFile } from '../../src/files/store.ts';
import { checkpointNow } from '../../src/ledger/service.ts';
import { createUnit } from '../../src/org/units.ts';
import { openRuntime } from '../../src/runtime.ts';
import { type Cli, createCli } from '../support/cli.ts';
import { createServerDatabase, dropServerDatabase, type TestContext } from '../support/context.ts';
import { act, buildWorld, itemBody, type World } from '../support/factories.ts';

/**
 * `duban backup` / `duban restore` as an operator runs them, on the embedded database or (with
 * DATABASE_URL) a server: a world with items, events, an evidence file and a bulletin is backed
 * up, restored into an empty target, and compared table by table and file by file.
 */
let src: Cli;
let archive: string;
let evidenceSha: string;
const scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'duban-backup-test-'));
const clis: Cli[] = [];

async function freshCli(): Promise<Cli> {
  const c = await createCli('duban-backup-');
  clis.push(c);
  return c;
}

const open = (c: { dataDir: string; databaseUrl: string | undefined }) =>
  openDatabase({ databaseUrl: c.databaseUrl, dataDir: c.dataDir });

/** Every table's rows as sorted JSON text: the whole database, comparable across databases. */
async function snapshot(handle: DbHandle): Promise<Map<string, string[]>> {
  return handle.withScriptSession(async (exec) => {
    const { tables, sequences } = await describeTables(exec);
    const out = new Map<string, string[]>();
    for (const t of tables) {
      const rows = await exec(`select row_to_json(t)::text as j from "${t.name}" t`);
      out.set(t.name, rows.map((r) => String(r.j)).sort());
    }
    for (const s of sequences) {
      const rows = await exec(`select last_value::text || ' ' || is_called::text as v from "${s}"`);
      out.set(`sequence ${s}`, [String(rows[0]?.v)]);
    }
    return out;
  });
}

async function snapshotOf(c: { dataDir: string; databaseUrl: string | undefined }) {
  const handle = await open(c);
  try {
    return await snapshot(handle);
  } finally {
    await sql`select 1`.execute(handle.db); // so close() ends the pool withScriptSession used
    await handle.close();
  }
}

beforeAll(async () => {
  src = await freshCli();
  const ctx: AppContext = await openRuntime({ data: src.dataDir, databaseUrl: src.databaseUrl ?? '' });
  let w: World | undefined;
  try {
    w = await buildWorld({ ...ctx, cleanup: async () => undefined, setNow: () => undefined } as TestContext);
    const sup = await w.as('city_sup');
    for (let i = 0; i < 3; i++) {
      const created = await sup.post('/api/v1/items', itemBody({ title: `备份测试事项${i}` }));
      expect(created.statusCode, created.body).toBe(201);
      const id = created.json().item.id as string;
      if (i < 2)
        await act(sup, id, 'dispatch', {
          assignments: [{ unitId: w.units.housing, role: 'lead', deadline: '2027-06-30' }],
        });
    }
    // An evidence file of 64 KiB of text, stored as uploads are.
    const text = Buffer.from(crypto.randomBytes(32 * 1024).toString('hex'), 'utf8');
    evidenceSha = (
      await storeFile(ctx, text, { declaredName: '证据.txt', uploadedBy: w.users.city_sup ?? null })
    ).sha256;
    const bulletin = await sup.post('/api/v1/bulletins', {
      kind: 'weekly',
      period: '2026-W47',
      format: 'docx',
    });
    expect(bulletin.statusCode, bulletin.body).toBeLessThan(300);
    await checkpointNow(ctx);
  } finally {
    await w?.app.close();
    await ctx.handle.close();
  }
  archive = path.join(scratch, 'duban.tar.gz');
  const backup = await src.run(['backup', '--out', archive]);
  expect(backup.code, backup.stderr + backup.stdout).toBe(0);
  expect(backup.stdout).toMatch(/备份完成 \/ backup written/);
}, 180_000);

afterAll(async () => {
  for (const c of clis) await c.cleanup();
  fs.rmSync(scratch, { recursive: true, force: true });
});

describe('duban backup / restore', () => {
  it('restores everything into an empty target: every row, every file, and a ledger that verifies', async () => {
    const dst = await freshCli();
    const restored = await dst.run(['restore', archive]);
    expect(restored.code, restored.stderr + restored.stdout).toBe(0);
    expect(restored.stdout).toMatch(/✓ 账本完整 \/ ledger verified/);
    expect(restored.stdout).toMatch(/行数与清单一致/);

    const before = await snapshotOf(src);
    const after = await snapshotOf(dst);
    expect([...after.keys()].sort()).toEqual([...before.keys()].sort());
    for (const [table, rows] of before) expect(after.get(table), table).toEqual(rows);
    expect(before.get('events')?.length).toBeGreaterThan(5);
    expect(before.get('bulletins')?.length).toBe(1);
    // Sequences carry over (the checkpoint below inserts with the identity sequence).
    expect(before.get('sequence ledger_checkpoints_id_seq')?.[0]).toMatch(/^[1-9]\d* true$/);

    // Every evidence file (the upload and the bulletin) is back, byte for byte.
    const shas = (before.get('files') ?? []).map((r) => (JSON.parse(r) as { sha256: string }).sha256);
    expect(shas).toContain(evidenceSha);
    expect(shas.length).toBeGreaterThanOrEqual(2);
    for (const sha of shas)
      expect(
        fs
          .readFileSync(storedFilePath(dst.dataDir, sha))
          .equals(fs.readFileSync(storedFilePath(src.dataDir, sha))),
      ).toBe(true);

    // The signing key stayed out of the archive: a new key of the same origin continues the log,
    // and old and new checkpoints verify together.
    expect(restored.stdout).toMatch(/a new key \(same origin\)/);
    const origin = fs.readFileSync(path.join(src.dataDir, 'ledger', 'verifier-keys'), 'utf8').split('+')[0];
    const keys = fs
      .readFileSync(path.join(dst.dataDir, 'ledger', 'verifier-keys'), 'utf8')
      .trim()
      .split('\n');
    expect(keys).toHaveLength(2);
    for (const k of keys) expect(k.split('+')[0]).toBe(origin);
    // A new event after the restore, then a checkpoint signed by the new key.
    const ctx = await openRuntime({ data: dst.dataDir, databaseUrl: dst.databaseUrl ?? '' });
    try {
      await ctx.db
        .transaction()
        .execute((tx) =>
          createUnit(
            tx,
            { name: '恢复后新建单位', kind: 'department', regionCode: '330100', shortName: null },
            { actorId: null, at: new Date() },
          ),
        );
      expect((await checkpointNow(ctx))?.checkpointId).toEqual(expect.any(Number));
    } finally {
      await ctx.handle.close();
    }
    const verify = await dst.run(['ledger', 'verify']);
    expect(verify.code, verify.stdout + verify.stderr).toBe(0);
  }, 120_000);

  it('refuses a target that is not empty, and a damaged archive, writing nothing', async () => {
    const again = await src.run(['restore', archive]);
    expect(again.code).toBe(1);
    expect(again.stderr).toMatch(/只能恢复到空的目标.*restore only into an empty target/);

    const damaged = path.join(scratch, 'damaged.tar.gz');
    const bytes = fs.readFileSync(archive);
    const at = Math.floor(bytes.length / 2);
    bytes[at] = (bytes[at] ?? 0) ^ 0xff;
    fs.writeFileSync(damaged, bytes);
    const dst = await freshCli();
    const refused = await dst.run(['restore', damaged]);
    expect(refused.code, refused.stdout).toBe(1);
    expect(refused.stderr).toMatch(/备份文件已损坏或不完整.*the archive is corrupt/);
    expect(fs.existsSync(path.join(dst.dataDir, 'pgdata'))).toBe(false);
    expect(fs.existsSync(path.join(dst.dataDir, 'files'))).toBe(false);
    if (dst.databaseUrl) {
      const handle = await open(dst);
      try {
        const rows = await handle.withScriptSession((exec) =>
          exec(`select count(*)::int as n from pg_tables where schemaname = 'public'`),
        );
        expect(Number(rows[0]?.n)).toBe(0);
      } finally {
        await sql`select 1`.execute(handle.db);
        await handle.close();
      }
    }
  }, 120_000);

  it.skipIf(!process.env.DATABASE_URL)(
    'crosses databases: the server backup restores into PGlite, and that one back into a server',
    async () => {
      const adminUrl = process.env.DATABASE_URL as string;
      const pgliteDir = path.join(scratch, 'pglite');
      const toPglite = await restoreBackup({ file: archive, dataDir: pgliteDir });
      expect(toPglite.ledger.ok, JSON.stringify(toPglite.ledger.problems)).toBe(true);
      expect(toPglite.manifest.source.kind).toBe('postgres');

      const pgliteCtx = await openRuntime({ data: pgliteDir, databaseUrl: '' });
      const second = path.join(scratch, 'from-pglite.tar.gz');
      try {
        expect(pgliteCtx.handle.kind).toBe('pglite');
        const b = await createBackup(pgliteCtx, { out: second });
        expect(b.manifest.source.kind).toBe('pglite');
      } finally {
        await pgliteCtx.handle.close();
      }
      const server = await createServerDatabase(adminUrl);
      try {
        const target = { dataDir: path.join(scratch, 'server-data'), databaseUrl: server.url };
        const back = await restoreBackup({ file: second, ...target });
        expect(back.ledger.ok, JSON.stringify(back.ledger.problems)).toBe(true);
        const original = await snapshotOf(src);
        const roundTrip = await snapshotOf(target);
        for (const [table, rows] of original) expect(roundTrip.get(table), table).toEqual(rows);
        expect(
          fs
            .readFileSync(storedFilePath(target.dataDir, evidenceSha))
            .equals(fs.readFileSync(storedFilePath(src.dataDir, evidenceSha))),
        ).toBe(true);
      } finally {
        await dropServerDatabase(adminUrl, server.name);
      }
    },
    120_000,
  );
});
