/**
 * The backup archive: a gzip-compressed tar (tar-stream + node:zlib) whose first entry is
 * `manifest.json`, followed by the database parts (`db/NNNN-<table>.jsonl`, one JSON row per line),
 * the ledger's public files (`ledger/…`) and the evidence files (`files/ab/cd/<sha256>`, named by
 * the SHA-256 of their bytes as in the data folder).
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import zlib from 'node:zlib';
import * as tar from 'tar-stream';
import { z } from 'zod';

export const FORMAT = 'duban-backup';
export const FORMAT_VERSION = 1;
export const MANIFEST_NAME = 'manifest.json';

/** A refusal with a Chinese and an English message; the CLI prints both and exits 1. */
export class BackupError extends Error {
  override name = 'BackupError';
  constructor(
    readonly messageZh: string,
    message: string,
  ) {
    super(message);
  }
}

const IDENT = /^[a-z_][a-z0-9_]{0,62}$/;
const SHA256 = /^[0-9a-f]{64}$/;

export const manifestSchema = z.object({
  format: z.literal(FORMAT),
  formatVersion: z.number().int(),
  dubanVersion: z.string(),
  createdAt: z.string(),
  source: z.object({ kind: z.enum(['pglite', 'postgres']) }),
  /** Applied migrations (schema_migrations), in name order; the last is the migration level. */
  migrations: z.array(z.object({ name: z.string().regex(/^[\w.-]+\.sql$/), appliedAt: z.string() })),
  migrationLevel: z.string().nullable(),
  /** Tables in load order (parents before children), with their part. */
  tables: z.array(
    z.object({
      name: z.string().regex(IDENT),
      columns: z.array(z.string().regex(IDENT)),
      rows: z.number().int().nonnegative(),
      part: z.string(),
      bytes: z.number().int().nonnegative(),
      sha256: z.string().regex(SHA256),
    }),
  ),
  sequences: z.array(
    z.object({
      name: z.string().regex(IDENT),
      lastValue: z.string().regex(/^-?\d+$/),
      isCalled: z.boolean(),
    }),
  ),
  files: z.object({ count: z.number().int().nonnegative(), bytes: z.number().int().nonnegative() }),
  ledger: z.object({
    origin: z.string().nullable(),
    verifierKeys: z.array(z.string()),
    signingKeyIncluded: z.boolean(),
    /** ledger/verifier-keys, ledger/signing.key (only with --include-signing-key). */
    parts: z.array(z.object({ part: z.string(), bytes: z.number().int(), sha256: z.string().regex(SHA256) })),
  }),
});
export type Manifest = z.infer<typeof manifestSchema>;

export const VERIFIER_KEYS_PART = 'ledger/verifier-keys';
export const SIGNING_KEY_PART = 'ledger/signing.key';

/** The archive path of an evidence file, as in the data folder. */
export function filePart(sha256: string): string {
  return `files/${sha256.slice(0, 2)}/${sha256.slice(2, 4)}/${sha256}`;
}

/** The SHA-256 an archive path `files/ab/cd/<sha256>` names, or undefined. */
export function fileSha(part: string): string | undefined {
  return /^files\/([0-9a-f]{2})\/([0-9a-f]{2})\/(\1\2[0-9a-f]{60})$/.exec(part)?.[3];
}

/** A double-quoted SQL identifier (names are checked against IDENT before use anyway). */
export function ident(name: string): string {
  if (!IDENT.test(name)) throw new BackupError(`非法的名称 ${name}`, `invalid SQL name ${name}`);
  return `"${name}"`;
}

/** The server package's version, recorded in the manifest. */
export function dubanVersion(): string {
  const file = path.join(path.dirname(fileURLToPath(import.meta.url)), '../../package.json');
  return (JSON.parse(fs.readFileSync(file, 'utf8')) as { version: string }).version;
}

export function sha256Hex(data: Uint8Array | string): string {
  return crypto.createHash('sha256').update(data).digest('hex');
}

/** Writes a .tar.gz entry by entry, with back-pressure; `finish()` closes it. */
export class ArchiveWriter {
  private readonly pack = tar.pack();
  private readonly done: Promise<void>;

  constructor(file: string) {
    const gzip = zlib.createGzip({ level: 6 });
    const out = fs.createWriteStream(file, { flags: 'wx', mode: 0o600 });
    this.done = new Promise<void>((resolve, reject) => {
      this.pack.on('error', reject);
      gzip.on('error', reject);
      out.on('error', reject);
      out.on('close', () => resolve());
    });
    // Until finish() is awaited, an early failure must not be an unhandled rejection.
    this.done.catch(() => undefined);
    this.pack.pipe(gzip).pipe(out);
  }

  async addBuffer(name: string, data: Uint8Array): Promise<void> {
    await new Promise<void>((resolve, reject) => {
      this.pack.entry({ name, size: data.length, mode: 0o644, mtime: new Date(0) }, data, (err) =>
        err ? reject(err) : resolve(),
      );
    });
  }

  /** Streams a file of the given size into the archive; answers the SHA-256 of what was written. */
  async addFile(name: string, file: string, size: number, mode = 0o644): Promise<string> {
    const hash = crypto.createHash('sha256');
    const entry = this.pack.entry({ name, size, mode, mtime: new Date(0) });
    const finished = new Promise<void>((resolve, reject) => {
      entry.on('error', reject);
      entry.on('finish', () => resolve());
      entry.on('close', () => resolve());
    });
    let written = 0;
    for await (const chunk of fs.createReadStream(file)) {
      const buf = chunk as Buffer;
      written += buf.length;
      if (written > size) break;
      hash.update(buf);
      if (!entry.write(buf)) await new Promise<void>((r) => entry.once('drain', () => r()));
    }
    if (written !== size) {
      entry.destroy();
      throw new BackupError(
        `${file} 的大小在备份期间发生变化（应为 ${size} 字节）`,
        `${file} changed size during the backup (expected ${size} bytes)`,
      );
    }
    (entry as unknown as { end(): void }).end();
    await finished;
    return hash.digest('hex');
  }

  async finish(): Promise<void> {
    this.pack.finalize();
    await this.done;
  }

  destroy(): void {
    this.pack.destroy();
  }
}

export type ArchiveEntry = { name: string; size: number; stream: AsyncIterable<Buffer> };

function corrupt(detail: string): BackupError {
  return new BackupError(
    `备份文件已损坏或不完整：${detail}`,
    `the archive is corrupt or incomplete: ${detail}`,
  );
}

/**
 * Reads a .tar.gz entry by entry. The consumer must read (or skip) each entry's stream before the
 * next. Gzip's own CRC and length are checked at the end: the iteration only ends normally once
 * the whole compressed stream has been read and found intact.
 */
export async function* readArchive(file: string): AsyncGenerator<ArchiveEntry> {
  if (!fs.existsSync(file)) throw new BackupError(`找不到备份文件 ${file}`, `no such archive: ${file}`);
  const input = fs.createReadStream(file);
  const gunzip = zlib.createGunzip();
  const extract = tar.extract();
  let gzipError: Error | undefined;
  const gunzipEnded = new Promise<void>((resolve, reject) => {
    gunzip.on('end', () => resolve());
    gunzip.on('error', (err) => {
      gzipError = err;
      reject(err);
    });
  });
  gunzipEnded.catch(() => undefined);
  input.on('error', (err) => extract.destroy(err));
  gunzip.on('error', (err) => extract.destroy(err));
  input.pipe(gunzip).pipe(extract as unknown as NodeJS.WritableStream);
  try {
    for await (const entry of extract) {
      if (entry.header.type !== 'file') {
        entry.resume();
        continue;
      }
      yield {
        name: entry.header.name,
        size: entry.header.size,
        stream: guarded(entry as AsyncIterable<Buffer>),
      };
      // Drain whatever the consumer left unread.
      entry.resume();
    }
    await gunzipEnded;
  } catch (err) {
    throw asCorrupt(err);
  } finally {
    input.destroy();
    gunzip.destroy();
  }

  /** A damaged gzip stream may fail while the consumer reads an entry: that too is a corrupt archive. */
  async function* guarded(stream: AsyncIterable<Buffer>): AsyncGenerator<Buffer> {
    try {
      for await (const chunk of stream) yield chunk;
    } catch (err) {
      throw asCorrupt(err);
    }
  }

  function asCorrupt(err: unknown): BackupError {
    if (err instanceof BackupError) return err;
    return corrupt(gzipError?.message ?? (err instanceof Error ? err.message : String(err)));
  }
}

/** The lines (without '\n') of a stream of UTF-8 bytes; a JSON-lines part never splits a row. */
export async function* lines(stream: AsyncIterable<Buffer>, onChunk?: (b: Buffer) => void) {
  let rest: Buffer = Buffer.alloc(0);
  for await (const raw of stream) {
    const chunk = Buffer.from(raw);
    onChunk?.(chunk);
    let buf: Buffer = rest.length > 0 ? Buffer.concat([rest, chunk]) : chunk;
    let at = buf.indexOf(10);
    while (at >= 0) {
      yield buf.subarray(0, at).toString('utf8');
      buf = buf.subarray(at + 1);
      at = buf.indexOf(10);
    }
    rest = buf;
  }
  if (rest.length > 0) yield rest.toString('utf8');
}

export { corrupt };
