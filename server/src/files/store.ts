import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import type { Readable } from 'node:stream';
import type { AppContext } from '../context.ts';
import type { Db, Queryable } from '../db/client.ts';
import { DomainError, notFound, validationError } from '../shared/errors.ts';
import { type AcceptedMediaType, SNIFF_BYTES, sniffMediaType } from './sniff.ts';

/** A stored evidence file (证据文件), named by the SHA-256 of its bytes. */
export type StoredFile = { sha256: string; sizeBytes: number; mediaType: string };

export type FileRecord = StoredFile & { uploadedBy: string | null; createdAt: Date };

type StoreContext = Pick<AppContext, 'db' | 'dataDir' | 'maxUploadBytes'>;

const SHA256_HEX = /^[0-9a-f]{64}$/;

export function isSha256Hex(value: string): boolean {
  return SHA256_HEX.test(value);
}

/** Where a file lives: `<dataDir>/files/ab/cd/<sha256>`. */
export function storedFilePath(dataDir: string, sha256: string): string {
  if (!isSha256Hex(sha256)) throw new Error(`not a SHA-256 hex digest: ${sha256}`);
  return path.join(dataDir, 'files', sha256.slice(0, 2), sha256.slice(2, 4), sha256);
}

/** Uploads in progress; inside the files tree so the final rename stays on one file system. */
export function incomingDir(dataDir: string): string {
  return path.join(dataDir, 'files', 'incoming');
}

export function payloadTooLarge(maxBytes: number): DomainError {
  return new DomainError(
    'PAYLOAD_TOO_LARGE',
    {
      zh: `文件超过大小上限（${maxBytes} 字节）`,
      en: `The file exceeds the size limit of ${maxBytes} bytes`,
    },
    { field: 'body.file', details: { maxBytes } },
  );
}

function unsupportedType(): DomainError {
  return new DomainError(
    'UNSUPPORTED_MEDIA_TYPE',
    {
      zh: '不支持的文件类型：仅接受 PDF、图片（PNG/JPEG/GIF/WebP）、Office 文档、OFD、ZIP 和 UTF-8 文本',
      en: 'Unsupported file type: only PDF, images (PNG/JPEG/GIF/WebP), Office documents, OFD, ZIP and UTF-8 text are accepted',
    },
    { field: 'body.file' },
  );
}

/**
 * Stores an upload content-addressed: streams it to a temporary file while hashing and counting,
 * refuses it past ctx.maxUploadBytes (413) or when its content is not an accepted type (415),
 * fsyncs it and renames it into place, then records it in `files`. The same bytes stored twice
 * are one file and one row (the first uploader and type are kept).
 */
export async function storeFile(
  ctx: StoreContext,
  source: AsyncIterable<Uint8Array> | Uint8Array,
  opts: { declaredName: string; uploadedBy: string | null },
): Promise<StoredFile> {
  const dir = incomingDir(ctx.dataDir);
  await fs.promises.mkdir(dir, { recursive: true });
  const tmp = path.join(dir, `${crypto.randomUUID()}.part`);
  const out = await fs.promises.open(tmp, 'wx', 0o640);
  let moved = false;
  try {
    const hash = crypto.createHash('sha256');
    const head: Buffer[] = [];
    let headBytes = 0;
    let size = 0;
    let mediaType: AcceptedMediaType | undefined;
    const chunks = source instanceof Uint8Array ? [source] : source;
    for await (const chunk of chunks) {
      size += chunk.length;
      if (size > ctx.maxUploadBytes) throw payloadTooLarge(ctx.maxUploadBytes);
      if (mediaType === undefined && headBytes < SNIFF_BYTES) {
        head.push(Buffer.from(chunk.subarray(0, SNIFF_BYTES - headBytes)));
        headBytes += Math.min(chunk.length, SNIFF_BYTES - headBytes);
        // Refuse as soon as the sample is complete rather than after the whole upload.
        if (headBytes >= SNIFF_BYTES) mediaType = sniffOrRefuse(head, opts.declaredName);
      }
      hash.update(chunk);
      await out.write(chunk);
    }
    if (size === 0) {
      throw validationError([{ field: 'body.file', message: 'the file is empty', messageZh: '文件为空' }]);
    }
    mediaType ??= sniffOrRefuse(head, opts.declaredName);
    const sha256 = hash.digest('hex');
    // An acknowledged upload must survive a crash: data reaches the disk before the rename does.
    await out.sync();
    await out.close();
    const target = storedFilePath(ctx.dataDir, sha256);
    await fs.promises.mkdir(path.dirname(target), { recursive: true });
    await fs.promises.rename(tmp, target);
    moved = true;
    await syncDirectory(path.dirname(target));
    return await recordFile(ctx.db, { sha256, sizeBytes: size, mediaType }, opts.uploadedBy);
  } finally {
    await out.close().catch(() => undefined);
    if (!moved) await fs.promises.rm(tmp, { force: true });
  }
}

/**
 * Deletes uploads a crash left half-written in the incoming folder (older than `olderThanMs`, so
 * uploads in flight in another process are spared). Returns how many were removed.
 */
export async function sweepIncoming(
  dataDir: string,
  now: Date,
  olderThanMs = 24 * 3600_000,
): Promise<number> {
  const dir = incomingDir(dataDir);
  let names: string[];
  try {
    names = await fs.promises.readdir(dir);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return 0;
    throw err;
  }
  let removed = 0;
  for (const name of names) {
    if (!name.endsWith('.part')) continue;
    const full = path.join(dir, name);
    const stat = await fs.promises.stat(full).catch(() => undefined);
    if (!stat || now.getTime() - stat.mtimeMs < olderThanMs) continue;
    await fs.promises.rm(full, { force: true });
    removed += 1;
  }
  return removed;
}

function sniffOrRefuse(head: Buffer[], name: string): AcceptedMediaType {
  const type = sniffMediaType(Buffer.concat(head), name);
  if (type === undefined) throw unsupportedType();
  return type;
}

async function syncDirectory(dir: string): Promise<void> {
  const handle = await fs.promises.open(dir, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}

/** Inserts the row unless the hash is known; answers with what is recorded. */
async function recordFile(db: Db, file: StoredFile, uploadedBy: string | null): Promise<StoredFile> {
  await db.transaction().execute(async (tx) => {
    await tx
      .insertInto('files')
      .values({
        sha256: file.sha256,
        size_bytes: file.sizeBytes,
        media_type: file.mediaType,
        uploaded_by: uploadedBy,
      })
      .onConflict((oc) => oc.column('sha256').doNothing())
      .execute();
    if (uploadedBy !== null) {
      await tx
        .insertInto('file_uploads')
        .values({ sha256: file.sha256, user_id: uploadedBy })
        .onConflict((oc) => oc.columns(['sha256', 'user_id']).doNothing())
        .execute();
    }
  });
  const row = await findFile(db, file.sha256);
  if (!row) throw new Error(`files row for ${file.sha256} vanished`);
  return { sha256: row.sha256, sizeBytes: row.sizeBytes, mediaType: row.mediaType };
}

export async function findFile(db: Db, sha256: string): Promise<FileRecord | undefined> {
  const row = await db
    .selectFrom('files')
    .select(['sha256', 'size_bytes', 'media_type', 'uploaded_by', 'created_at'])
    .where('sha256', '=', sha256)
    .executeTakeFirst();
  if (!row) return undefined;
  return {
    sha256: row.sha256,
    sizeBytes: Number(row.size_bytes),
    mediaType: row.media_type,
    uploadedBy: row.uploaded_by,
    createdAt: row.created_at,
  };
}

/** Whether this user uploaded these bytes (whoever stored them first). */
export async function hasUploaded(db: Queryable, sha256: string, userId: string): Promise<boolean> {
  const row = await db
    .selectFrom('file_uploads')
    .select('sha256')
    .where('sha256', '=', sha256)
    .where('user_id', '=', userId)
    .executeTakeFirst();
  return row !== undefined;
}

export async function fileExists(db: Db, sha256: string): Promise<boolean> {
  const row = await db.selectFrom('files').select('sha256').where('sha256', '=', sha256).executeTakeFirst();
  return row !== undefined;
}

/**
 * Opens a stored file for reading. FILE_NOT_FOUND when the hash is unknown or its bytes are
 * missing from the data folder (opened before answering, so a missing file is a 404, not a
 * broken 200).
 */
export async function readFileStream(
  ctx: Pick<AppContext, 'db' | 'dataDir'>,
  sha256: string,
): Promise<StoredFile & { stream: Readable }> {
  const file = isSha256Hex(sha256) ? await findFile(ctx.db, sha256) : undefined;
  if (!file) throw fileNotFound();
  let handle: fs.promises.FileHandle;
  try {
    handle = await fs.promises.open(storedFilePath(ctx.dataDir, sha256), 'r');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') throw fileNotFound();
    throw err;
  }
  return {
    sha256: file.sha256,
    sizeBytes: file.sizeBytes,
    mediaType: file.mediaType,
    stream: handle.createReadStream(),
  };
}

export function fileNotFound(): DomainError {
  return notFound('FILE_NOT_FOUND', { zh: '文件', en: 'file' });
}
