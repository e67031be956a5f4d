import fs from 'node:fs';
import path from 'node:path';
import { Kysely, PostgresDialect, type Transaction } from 'kysely';
import pg from 'pg';
import { PGliteDialect } from './pglite-dialect.ts';
import type { Database } from './schema.ts';

export type Db = Kysely<Database>;
export type Tx = Transaction<Database>;
/** Either the database or an open transaction: queries accept both. */
export type Queryable = Kysely<Database>;

export type DbHandle = {
  db: Db;
  kind: 'pglite' | 'postgres';
  /**
   * Runs fn with one dedicated session that executes multi-statement SQL scripts and returns the
   * rows of the last statement (migrations, advisory locks held across statements).
   */
  withScriptSession<T>(fn: (exec: ScriptExec) => Promise<T>): Promise<T>;
  close(): Promise<void>;
};

const INT8 = 20;
const NUMERIC = 1700;
const DATE = 1082;

/** Dates stay 'YYYY-MM-DD' text (never a Date in the server's time zone); counts become numbers. */
const parsers = {
  [INT8]: (v: string) => Number(v),
  [NUMERIC]: (v: string) => v,
  [DATE]: (v: string) => v,
};

export type ScriptExec = (sql: string) => Promise<Record<string, unknown>[]>;

export type DbOptions = { databaseUrl?: string | undefined; dataDir: string };

export async function openDatabase(opts: DbOptions): Promise<DbHandle> {
  if (opts.databaseUrl) return openServer(opts.databaseUrl);
  return openEmbedded(opts.dataDir);
}

/** dataDir 'memory://' keeps the embedded database in memory (tests). */
async function openEmbedded(dataDir: string): Promise<DbHandle> {
  let dir = 'memory://';
  if (dataDir !== 'memory://') {
    dir = path.join(dataDir, 'pgdata');
    fs.mkdirSync(dir, { recursive: true });
  }
  // Loaded only here: a process on a PostgreSQL server never needs the embedded database (~40 MB).
  const { PGlite } = await import('@electric-sql/pglite');
  const pglite = await PGlite.create(dir, { parsers });
  const db = new Kysely<Database>({ dialect: new PGliteDialect(pglite) });
  return {
    db,
    kind: 'pglite',
    withScriptSession: async (fn) => {
      // The embedded database has one session; take it through Kysely so no query interleaves.
      return db.connection().execute(() =>
        fn(async (sql) => {
          const results = await pglite.exec(sql);
          return (results.at(-1)?.rows ?? []) as Record<string, unknown>[];
        }),
      );
    },
    close: () => db.destroy(),
  };
}

async function openServer(url: string): Promise<DbHandle> {
  pg.types.setTypeParser(INT8, parsers[INT8]);
  pg.types.setTypeParser(NUMERIC, parsers[NUMERIC]);
  pg.types.setTypeParser(DATE, parsers[DATE]);
  const pool = new pg.Pool({ connectionString: url, max: 10 });
  // An idle connection the server drops (restart, failover) must not crash the process; the pool
  // replaces it on next use.
  pool.on('error', (err) => console.error('PostgreSQL idle connection error:', err.message));
  const db = new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
  return {
    db,
    kind: 'postgres',
    withScriptSession: async (fn) => {
      const client = await pool.connect();
      try {
        return await fn(async (sql) => {
          const res: unknown = await client.query(sql);
          const last = Array.isArray(res) ? res.at(-1) : res;
          return ((last as pg.QueryResult | undefined)?.rows ?? []) as Record<string, unknown>[];
        });
      } finally {
        client.release();
      }
    },
    close: () => db.destroy(),
  };
}
