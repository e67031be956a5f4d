import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { sql } from 'kysely';
import pg from 'pg';
import type { AppContext } from '../../src/context.ts';
import { openDatabase } from '../../src/db/client.ts';
import { migrate } from '../../src/db/migrate.ts';

export type TestContext = AppContext & { cleanup(): Promise<void>; setNow(d: Date | string): void };

/**
 * A fresh, migrated database for one test file: an in-memory PGlite by default, or a new
 * database on the PostgreSQL server named by DATABASE_URL (dropped again by cleanup()).
 */
export async function createTestContext(): Promise<TestContext> {
  const url = process.env.DATABASE_URL;
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'duban-test-'));
  const fresh = url ? await createServerDatabase(url) : undefined;
  const dbName = fresh?.name;
  const databaseUrl = fresh?.url;
  const handle = await openDatabase({ databaseUrl, dataDir: databaseUrl ? dataDir : 'memory://' });
  await migrate(handle);
  let now: Date | undefined;
  return {
    handle,
    db: handle.db,
    dataDir,
    secureCookies: false,
    maxUploadBytes: 5 * 1024 * 1024,
    metricsToken: undefined,
    now: () => now ?? new Date(),
    ledger: { origin: 'duban.test/ledger', witnessDir: path.join(dataDir, 'witness'), witnessUrl: undefined },
    setNow(d) {
      now = new Date(d);
    },
    async cleanup() {
      await handle.close();
      fs.rmSync(dataDir, { recursive: true, force: true });
      if (url && dbName) await dropServerDatabase(url, dbName);
    },
  };
}

/** How many rows `table` holds (also a table the typed schema does not name). */
export async function rowCount(ctx: AppContext, table: string): Promise<number> {
  const { rows } = await sql<{ n: number | string }>`select count(*) as n from ${sql.table(table)}`.execute(
    ctx.db,
  );
  return Number(rows[0]?.n);
}

/** A new, empty database on the server named by `adminUrl`; its URL and name. */
export async function createServerDatabase(adminUrl: string): Promise<{ url: string; name: string }> {
  const name = `duban_t_${crypto.randomBytes(6).toString('hex')}`;
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  try {
    await admin.query(`create database ${name}`);
  } finally {
    await admin.end();
  }
  const u = new URL(adminUrl);
  u.pathname = `/${name}`;
  return { url: u.toString(), name };
}

export async function dropServerDatabase(adminUrl: string, name: string): Promise<void> {
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  try {
    await admin.query(`drop database if exists ${name} with (force)`);
  } finally {
    await admin.end();
  }
}
