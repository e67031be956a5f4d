import { sql } from 'kysely';
import type { Tx } from './client.ts';

/**
 * Rebuilds a derived table by filling a copy and swapping it in: the copy is created like the table
 * (columns, NOT NULL, defaults; no index), filled by `fill` with one set-based statement, given the
 * table's constraints and indexes afterwards (built once, sorted, instead of maintained row by row),
 * analyzed, and renamed into place; the old table is dropped. Writers of the old table (triggers)
 * go on unhindered while the copy is filled: they wait only for the swap at the end, to the commit.
 * Whatever they wrote meanwhile is replaced by the copy, so the caller must bring it back (the KPI
 * rebuild does: every change after its event mark is refreshed by the next catch-up).
 *
 * Constraints and indexes are read from the catalog (pg_get_constraintdef, pg_get_indexdef), so the
 * migrations stay their one definition. Tables referenced by foreign keys are not supported.
 */
export async function rebuildTable(
  tx: Tx,
  table: string,
  fill: (copy: string) => Promise<void>,
): Promise<void> {
  if (!/^[a-z_][a-z0-9_]*$/.test(table)) throw new Error(`rebuildTable: not a table name: ${table}`);
  // PostgreSQL truncates names at 63 bytes: every copy's name (…_rebuilt) must stay distinct
  const fits = (name: string) => {
    if (name.length + '_rebuilt'.length > 63)
      throw new Error(`rebuildTable: name too long for a copy: ${name}`);
  };
  fits(table);
  const copy = `${table}_rebuilt`;
  const constraints = await sql<{ name: string; def: string }>`
    select conname as name, pg_get_constraintdef(oid) as def from pg_constraint
    where conrelid = ${table}::regclass and contype in ('p', 'u', 'c', 'x') order by conname`.execute(tx);
  const indexes = await sql<{ name: string; def: string }>`
    select c.relname as name, pg_get_indexdef(i.indexrelid) as def
    from pg_index i join pg_class c on c.oid = i.indexrelid
    where i.indrelid = ${table}::regclass
      and not exists (select 1 from pg_constraint k where k.conindid = i.indexrelid)
    order by c.relname`.execute(tx);
  const referenced = await sql<{ n: number }>`
    select count(*)::int as n from pg_constraint where confrelid = ${table}::regclass`.execute(tx);
  if ((referenced.rows[0]?.n ?? 0) > 0)
    throw new Error(`rebuildTable: ${table} is referenced by a foreign key`);
  for (const r of [...constraints.rows, ...indexes.rows]) fits(r.name);

  await sql.raw(`drop table if exists ${copy}`).execute(tx);
  const persistence = await sql<{ p: string }>`
    select relpersistence as p from pg_class where oid = ${table}::regclass`.execute(tx);
  const unlogged = persistence.rows[0]?.p === 'u' ? 'unlogged ' : '';
  await sql
    .raw(`create ${unlogged}table ${copy} (like ${table} including defaults including generated)`)
    .execute(tx);
  await fill(copy);
  for (const c of constraints.rows) {
    await sql.raw(`alter table ${copy} add constraint ${c.name}_rebuilt ${c.def}`).execute(tx);
  }
  for (const ix of indexes.rows) {
    // "CREATE [UNIQUE] INDEX name ON [ONLY] schema.table USING …": the copy's own name and table
    const def = ix.def.replace(
      /^CREATE (UNIQUE )?INDEX (\S+) ON (ONLY )?\S+ /,
      (_m, unique: string | undefined) => `CREATE ${unique ?? ''}INDEX ${ix.name}_rebuilt ON ${copy} `,
    );
    if (def === ix.def) throw new Error(`rebuildTable: unexpected index definition: ${ix.def}`);
    await sql.raw(def).execute(tx);
  }
  await sql.raw(`analyze ${copy}`).execute(tx);
  // The swap: from here writers of the table wait for the commit.
  await sql.raw(`drop table ${table}`).execute(tx);
  await sql.raw(`alter table ${copy} rename to ${table}`).execute(tx);
  for (const c of constraints.rows) {
    await sql.raw(`alter table ${table} rename constraint ${c.name}_rebuilt to ${c.name}`).execute(tx);
  }
  for (const ix of indexes.rows) {
    await sql.raw(`alter index ${ix.name}_rebuilt rename to ${ix.name}`).execute(tx);
  }
}
