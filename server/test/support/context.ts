import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
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
  let dbName: string | undefined;
  let databaseUrl: string | undefined;
  if (url) {
    dbName = `duban_t_${crypto.randomBytes(6).toString('hex')}`;
    const admin = new pg.Client({ connectionString: url });
    await admin.connect();
    await admin.query(`create database ${dbName}`);
    await admin.end();
    const u = new URL(url);
    u.pathname = `/${dbName}`;
    databaseUrl = u.toString();
  }
  const handle = await openDatabase({ databaseUrl, dataDir: databaseUrl ? dataDir : 'memory://' });
  await migrate(handle);
  let now: Date | undefined;
  return {
    handle,
    db: handle.db,
    dataDir,
    secureCookies: false,
    maxUploadBytes: 5 * 1024 * 1024,
    now: () => now ?? new Date(),
    setNow(d) {
      now = new Date(d);
    },
    async cleanup() {
      await handle.close();
      fs.rmSync(dataDir, { recursive: true, force: true });
      if (url && dbName) {
        const admin = new pg.Client({ connectionString: url });
        await admin.connect();
        await admin.query(`drop database if exists ${dbName} with (force)`);
        await admin.end();
      }
    },
  };
}
