import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { DbHandle } from './client.ts';

const MIGRATIONS_DIR = path.join(path.dirname(fileURLToPath(import.meta.url)), 'migrations');
/** Arbitrary constant: several processes starting at once take turns through this lock. */
const MIGRATION_LOCK = 42422026;

export type MigrationResult = { applied: string[]; total: number };

/** Applies every migrations/*.sql not yet recorded, in name order, each in its own transaction. */
export async function migrate(handle: DbHandle): Promise<MigrationResult> {
  const files = fs
    .readdirSync(MIGRATIONS_DIR)
    .filter((f) => f.endsWith('.sql'))
    .sort();
  return handle.withScriptSession(async (exec) => {
    await exec(`select pg_advisory_lock(${MIGRATION_LOCK})`);
    try {
      await exec(
        'create table if not exists schema_migrations (name text primary key, applied_at timestamptz not null default now())',
      );
      const done = await exec('select name from schema_migrations');
      const seen = new Set(done.map((r) => String(r.name)));
      const applied: string[] = [];
      for (const file of files) {
        if (seen.has(file)) continue;
        const body = fs.readFileSync(path.join(MIGRATIONS_DIR, file), 'utf8');
        const name = file.replaceAll("'", "''");
        await exec(`begin;\n${body}\ninsert into schema_migrations (name) values ('${name}');\ncommit;`);
        applied.push(file);
      }
      return { applied, total: files.length };
    } catch (err) {
      await exec('rollback').catch(() => undefined);
      throw err;
    } finally {
      await exec(`select pg_advisory_unlock(${MIGRATION_LOCK})`);
    }
  });
}
