import crypto from 'node:crypto';
import {
  BULLETIN_KIND_NAMES_ZH,
  type BulletinFormat,
  type BulletinKind,
  type BulletinTrigger,
  type BulletinView,
} from '@duban/schema';
import { sql } from 'kysely';
import type { AppContext } from '../context.ts';
import type { Queryable, Tx } from '../db/client.ts';
import { appendEvents } from '../events/append.ts';
import { storeFile } from '../files/store.ts';
import { claimOnce } from '../jobs/claim.ts';
import { regionSubtreeCondition } from '../org/scope.ts';
import type { Actor } from '../shared/actor.ts';
import { notFound, validationError } from '../shared/errors.ts';
import { shanghaiDate } from '../shared/time.ts';
import { bulletinBlocks, bulletinFileName, bulletinTitle } from './content.ts';
import { bulletinData, loadScopeItems, resolveScope, type Scope } from './data.ts';
import { findCjkFont } from './fonts.ts';
import { parsePeriod } from './period.ts';

/** The `bulletins` table (migration 0019), known to this module only. */
type BulletinTable = {
  id: string;
  kind: BulletinKind;
  period: string;
  format: BulletinFormat;
  region_code: string;
  sha256: string;
  size_bytes: string | number;
  generated_at: Date | string;
  generated_by: string | null;
  trigger: BulletinTrigger;
};
type WithBulletins = { bulletins: BulletinTable };
const withBulletins = (db: Queryable) => db.withTables<WithBulletins>();
const txWithBulletins = (tx: Tx) => tx.withTables<WithBulletins>();

export const MEDIA_TYPES: { [F in BulletinFormat]: string } = {
  xlsx: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
  docx: 'application/vnd.openxmlformats-officedocument.wordprocessingml.document',
  pdf: 'application/pdf',
};

export type BulletinRequest = {
  kind: BulletinKind;
  period?: string | undefined;
  format: BulletinFormat;
  regionCode?: string | undefined;
};

/** A rendered list or bulletin, not yet archived. */
export type Rendered = {
  kind: BulletinKind;
  period: string;
  format: BulletinFormat;
  scope: Scope;
  bytes: Buffer;
  /** Chinese, with the extension. */
  fileName: string;
  mediaType: string;
};

/** Checks kind, format and period together: 400 naming the field (`<prefix>.format`, `<prefix>.period`). */
export function checkRequest(req: BulletinRequest, prefix = 'body') {
  if (req.kind === 'four_lists') {
    if (req.format !== 'xlsx')
      throw validationError([
        {
          field: `${prefix}.format`,
          message: 'the four lists are an xlsx workbook',
          messageZh: '四张清单仅支持 xlsx 格式',
        },
      ]);
    if (req.period !== undefined)
      throw validationError([
        {
          field: `${prefix}.period`,
          message: 'the four lists show the current state and take no period',
          messageZh: '四张清单反映生成时的状态，不需要期次',
        },
      ]);
    return null;
  }
  if (req.format === 'xlsx')
    throw validationError([
      {
        field: `${prefix}.format`,
        message: 'bulletins are docx or pdf',
        messageZh: '通报仅支持 docx 或 pdf 格式',
      },
    ]);
  return parsePeriod(req.kind, req.period, `${prefix}.period`);
}

/** Renders the four lists or a bulletin for the caller's scope (404 for a region outside it). */
export async function renderBulletin(
  db: Queryable,
  actor: Actor,
  req: BulletinRequest,
  now: Date,
  prefix = 'body',
): Promise<Rendered> {
  const period = checkRequest(req, prefix);
  const scope = await resolveScope(db, actor, req.regionCode);
  if (period === null) {
    const asOf = shanghaiDate(now);
    const items = await loadScopeItems(db, actor, scope, now);
    // The writers (exceljs, pdfkit, docx) load on first use, not in every web process at start.
    const { fourListsXlsx } = await import('./xlsx.ts');
    return {
      kind: 'four_lists',
      period: asOf,
      format: 'xlsx',
      scope,
      bytes: await fourListsXlsx(items, scope, asOf),
      fileName: `${bulletinFileName('four_lists', scope.regionName, asOf)}.xlsx`,
      mediaType: MEDIA_TYPES.xlsx,
    };
  }
  // Before the (long) data read: no font, no PDF.
  const font = req.format === 'pdf' ? (await import('./pdf.ts')).checkCjkFont(findCjkFont()) : undefined;
  const data = await bulletinData(db, actor, scope, period, now);
  const blocks = bulletinBlocks(data);
  const title = bulletinTitle(data);
  const bytes = font
    ? await (await import('./pdf.ts')).bulletinPdf(blocks, title, font)
    : await (await import('./docx.ts')).bulletinDocx(blocks, title);
  return {
    kind: period.kind,
    period: period.code,
    format: req.format,
    scope,
    bytes,
    fileName: `${bulletinFileName(period.kind, scope.regionName, period.code)}.${req.format}`,
    mediaType: MEDIA_TYPES[req.format],
  };
}

/** Stores the bytes in the files store (content-addressed, outside any transaction). */
export async function storeRendered(
  ctx: Pick<AppContext, 'db' | 'dataDir' | 'maxUploadBytes'>,
  r: Rendered,
  by: string | null,
) {
  return storeFile({ ...ctx, maxUploadBytes: Math.max(ctx.maxUploadBytes, r.bytes.length) }, r.bytes, {
    declaredName: r.fileName,
    uploadedBy: by,
  });
}

/**
 * Records the archived file and its `bulletin.generated` event in the caller's transaction. With a
 * claim key (the schedule) only the first transaction to claim it records anything: null otherwise.
 */
export async function recordBulletin(
  tx: Tx,
  r: Rendered,
  file: { sha256: string; sizeBytes: number },
  by: { userId: string | null; trigger: BulletinTrigger },
  at: Date,
  claimKey?: string,
): Promise<string | null> {
  if (claimKey !== undefined && !(await claimOnce(tx, claimKey, at))) return null;
  const id = crypto.randomUUID();
  await txWithBulletins(tx)
    .insertInto('bulletins')
    .values({
      id,
      kind: r.kind,
      period: r.period,
      format: r.format,
      region_code: r.scope.regionCode,
      sha256: file.sha256,
      size_bytes: file.sizeBytes,
      generated_at: at,
      generated_by: by.userId,
      trigger: by.trigger,
    })
    .execute();
  await appendEvents(
    tx,
    [
      {
        type: 'bulletin.generated',
        bulletinId: id,
        kind: r.kind,
        period: r.period,
        format: r.format,
        regionCode: r.scope.regionCode,
        sha256: file.sha256,
        sizeBytes: file.sizeBytes,
        trigger: by.trigger,
      },
    ],
    { actorId: by.userId, at },
  );
  return id;
}

function baseQuery(db: Queryable) {
  return withBulletins(db)
    .selectFrom('bulletins as b')
    .innerJoin('regions as r', 'r.code', 'b.region_code')
    .leftJoin('users as u', 'u.id', 'b.generated_by')
    .select([
      'b.id',
      'b.kind',
      'b.period',
      'b.format',
      'b.region_code',
      'r.name as region_name',
      'b.sha256',
      'b.size_bytes',
      'b.generated_at',
      'b.generated_by',
      'u.display_name as generated_by_name',
      'b.trigger',
    ]);
}

type Row = Awaited<ReturnType<ReturnType<typeof baseQuery>['executeTakeFirstOrThrow']>>;

function present(row: Row): BulletinView {
  const period = row.period;
  return {
    id: row.id,
    kind: row.kind,
    kindName: BULLETIN_KIND_NAMES_ZH[row.kind],
    period,
    format: row.format,
    regionCode: row.region_code,
    regionName: row.region_name,
    fileName: `${bulletinFileName(row.kind, row.region_name, period)}.${row.format}`,
    sha256: row.sha256,
    sizeBytes: Number(row.size_bytes),
    generatedAt: new Date(row.generated_at).toISOString(),
    generatedBy: row.generated_by,
    generatedByName: row.generated_by_name,
    trigger: row.trigger,
  };
}

const bulletinNotFound = () => notFound('NOT_FOUND', { zh: '通报', en: 'bulletin' });

/** One archived bulletin in the caller's region subtree; 404 otherwise. */
export async function getBulletin(db: Queryable, actor: Actor, id: string): Promise<BulletinView> {
  const row = await baseQuery(db)
    .where('b.id', '=', id)
    .where(regionSubtreeCondition(actor.regionPath, 'r.path'))
    .executeTakeFirst();
  if (!row) throw bulletinNotFound();
  return present(row);
}

/** Archived lists and bulletins of the caller's region subtree (optionally one region's), newest first. */
export async function listBulletins(
  db: Queryable,
  actor: Actor,
  q: { kind?: BulletinKind | undefined; regionCode?: string | undefined; limit: number; offset: number },
): Promise<{ bulletins: BulletinView[]; total: number }> {
  let query = baseQuery(db).where(regionSubtreeCondition(actor.regionPath, 'r.path'));
  if (q.regionCode !== undefined) {
    const scope = await resolveScope(db, actor, q.regionCode);
    query = query.where(regionSubtreeCondition(scope.regionPath, 'r.path'));
  }
  if (q.kind !== undefined) query = query.where('b.kind', '=', q.kind);
  const total = await query.clearSelect().select(sql<number>`count(*)`.as('n')).executeTakeFirstOrThrow();
  const rows = await query
    .orderBy('b.generated_at', 'desc')
    .orderBy('b.id')
    .limit(q.limit)
    .offset(q.offset)
    .execute();
  return { bulletins: rows.map(present), total: Number(total.n) };
}

/** Whether the schedule already archived this one (so a second worker need not render it). */
export async function scheduledExists(
  db: Queryable,
  key: { kind: BulletinKind; period: string; regionCode: string; format: BulletinFormat },
): Promise<boolean> {
  const row = await withBulletins(db)
    .selectFrom('bulletins')
    .select('id')
    .where('kind', '=', key.kind)
    .where('period', '=', key.period)
    .where('region_code', '=', key.regionCode)
    .where('format', '=', key.format)
    .where('trigger', '=', 'schedule')
    .executeTakeFirst();
  return row !== undefined;
}
