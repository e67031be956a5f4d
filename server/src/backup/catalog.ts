/**
 * What a backup holds, read from the catalogue: every table of the public schema (partitions
 * through their parent; the migration bookkeeping `schema_migrations` left out, restore recreates
 * it), in foreign-key order (parents first, alphabetical among equals; cycles broken
 * alphabetically — restore does not fire the foreign-key triggers anyway), their insertable columns
 * (generated columns are left out) and the sequences.
 */
import { sql } from 'kysely';
import type { Tx } from '../db/client.ts';

export type Query = (text: string) => Promise<Record<string, unknown>[]>;

export type TableInfo = {
  name: string;
  /** Columns in attnum order, without generated (stored) ones. */
  insertColumns: string[];
  /** Has a `generated always as identity` column (inserts need `overriding system value`). */
  identityAlways: boolean;
};

export type Catalog = { tables: TableInfo[]; sequences: string[] };

export const BOOKKEEPING = 'schema_migrations';

export function kyselyQuery(tx: Tx): Query {
  return async (text) => (await sql.raw<Record<string, unknown>>(text).execute(tx)).rows;
}

export async function describeTables(db: Tx | Query): Promise<Catalog> {
  const q = typeof db === 'function' ? db : kyselyQuery(db);
  const tableRows = await q(`
    select c.relname as name
      from pg_class c join pg_namespace n on n.oid = c.relnamespace
     where n.nspname = 'public' and c.relkind in ('r', 'p') and not c.relispartition
       and c.relname <> '${BOOKKEEPING}'
     order by c.relname`);
  const names = tableRows.map((r) => String(r.name));
  const columnRows = await q(`
    select c.relname as tbl, a.attname as col, a.attgenerated::text as gen, a.attidentity::text as ident
      from pg_attribute a
      join pg_class c on c.oid = a.attrelid
      join pg_namespace n on n.oid = c.relnamespace
     where n.nspname = 'public' and c.relkind in ('r', 'p') and a.attnum > 0 and not a.attisdropped
     order by c.relname, a.attnum`);
  const fkRows = await q(`
    select child.relname as child, parent.relname as parent
      from pg_constraint k
      join pg_class child on child.oid = k.conrelid
      join pg_class parent on parent.oid = k.confrelid
      join pg_namespace n on n.oid = child.relnamespace
     where k.contype = 'f' and n.nspname = 'public'`);
  const seqRows = await q(`
    select c.relname as name
      from pg_class c join pg_namespace n on n.oid = c.relnamespace
     where n.nspname = 'public' and c.relkind = 'S'
     order by c.relname`);

  const info = new Map<string, TableInfo>(
    names.map((n) => [n, { name: n, insertColumns: [], identityAlways: false }]),
  );
  for (const r of columnRows) {
    const t = info.get(String(r.tbl));
    if (!t) continue;
    const generated = r.gen !== null && r.gen !== undefined && String(r.gen) !== '' && String(r.gen) !== '\0';
    if (!generated) t.insertColumns.push(String(r.col));
    if (String(r.ident) === 'a') t.identityAlways = true;
  }
  const parents = new Map<string, Set<string>>(names.map((n) => [n, new Set()]));
  for (const r of fkRows) {
    const child = String(r.child);
    const parent = String(r.parent);
    if (child !== parent && info.has(parent)) parents.get(child)?.add(parent);
  }
  // Kahn's algorithm, alphabetical among the ready tables.
  const ordered: TableInfo[] = [];
  const placed = new Set<string>();
  while (placed.size < names.length) {
    const ready = names.filter(
      (n) => !placed.has(n) && [...(parents.get(n) ?? [])].every((p) => placed.has(p)),
    );
    const next = ready.length > 0 ? ready : names.filter((n) => !placed.has(n)).slice(0, 1);
    for (const n of next) {
      placed.add(n);
      const t = info.get(n);
      if (t) ordered.push(t);
    }
  }
  return { tables: ordered, sequences: seqRows.map((r) => String(r.name)) };
}
