import fs from 'node:fs';
import type { AppContext } from '../context.ts';

/** Version of the JSON exchange format written by `duban export`; bump on incompatible change. */
export const EXPORT_FORMAT_VERSION = 1;

/**
 * Writes the whole database (no password hashes, sessions or tokens) as one JSON document:
 * organisation, categories, items with assignments, reports and remarks, and the event log.
 * Rows are written table by table so memory stays flat for large databases.
 */
export async function exportJson(
  ctx: AppContext,
  out: NodeJS.WritableStream,
): Promise<Record<string, number>> {
  const write = (s: string) =>
    new Promise<void>((resolve, reject) => {
      out.write(s, (err) => (err ? reject(err) : resolve()));
    });
  const counts: Record<string, number> = {};
  await write(
    `{"format":"duban-export","version":${EXPORT_FORMAT_VERSION},"exportedAt":${JSON.stringify(ctx.now().toISOString())}`,
  );
  /** Each table as a page reader, so rows stream out in pages. */
  const page = (limit: number, offset: number) => ({
    regions: () =>
      ctx.db.selectFrom('regions').selectAll().orderBy('code').limit(limit).offset(offset).execute(),
    units: () => ctx.db.selectFrom('units').selectAll().orderBy('id').limit(limit).offset(offset).execute(),
    users: () =>
      ctx.db
        .selectFrom('users')
        .select(['id', 'username', 'display_name', 'unit_id', 'roles', 'active', 'created_at'])
        .orderBy('id')
        .limit(limit)
        .offset(offset)
        .execute(),
    categories: () =>
      ctx.db.selectFrom('categories').selectAll().orderBy('sort_order').limit(limit).offset(offset).execute(),
    items: () =>
      ctx.db
        .selectFrom('items')
        .selectAll()
        .orderBy('created_at')
        .orderBy('id')
        .limit(limit)
        .offset(offset)
        .execute(),
    assignments: () =>
      ctx.db
        .selectFrom('assignments')
        .selectAll()
        .orderBy('item_id')
        .orderBy('unit_id')
        .limit(limit)
        .offset(offset)
        .execute(),
    progressReports: () =>
      ctx.db
        .selectFrom('progress_reports')
        .selectAll()
        .orderBy('created_at')
        .orderBy('id')
        .limit(limit)
        .offset(offset)
        .execute(),
    remarks: () =>
      ctx.db
        .selectFrom('remarks')
        .selectAll()
        .orderBy('created_at')
        .orderBy('id')
        .limit(limit)
        .offset(offset)
        .execute(),
    files: () =>
      ctx.db.selectFrom('files').selectAll().orderBy('sha256').limit(limit).offset(offset).execute(),
    events: () =>
      ctx.db
        .selectFrom('events')
        .select(['seq', 'id', 'type', 'item_id', 'actor_id', 'occurred_at', 'canonical'])
        .orderBy('seq')
        .limit(limit)
        .offset(offset)
        .execute(),
  });
  const tables = Object.keys(page(0, 0)) as (keyof ReturnType<typeof page>)[];
  const PAGE = 5000;
  for (const name of tables) {
    await write(`,${JSON.stringify(name)}:[`);
    let n = 0;
    for (let offset = 0; ; offset += PAGE) {
      const rows: unknown[] = await page(PAGE, offset)[name]();
      for (const row of rows) await write(`${n++ === 0 ? '' : ','}\n${JSON.stringify(row)}`);
      if (rows.length < PAGE) break;
    }
    await write(']');
    counts[name] = n;
  }
  await write('}\n');
  return counts;
}

export async function exportToFile(ctx: AppContext, file: string | undefined) {
  const out = file ? fs.createWriteStream(file) : process.stdout;
  const counts = await exportJson(ctx, out);
  if (file)
    await new Promise<void>((resolve, reject) =>
      (out as fs.WriteStream).end((err?: Error | null) => (err ? reject(err) : resolve())),
    );
  return counts;
}
