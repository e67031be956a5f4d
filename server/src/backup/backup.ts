/**
 * `duban backup`: a logical dump made by Duban itself, portable between PGlite and a PostgreSQL
 * server. Every table of the public schema (except the migration bookkeeping) is read in one
 * REPEATABLE READ, read-only transaction — one snapshot — through a cursor, row_to_json per row,
 * streamed batch by batch to a staging file (so a million rows never sit in memory), then packed
 * with the manifest, the ledger's public keys and the evidence files the snapshot's `files` rows
 * name. The files are content-addressed and written before their row, so the snapshot's rows all
 * have their bytes on disk.
 */
import crypto from 'node:crypto';
import { once } from 'node:events';
import fs from 'node:fs';
import path from 'node:path';
import { sql } from 'kysely';
import type { AppContext } from '../context.ts';
import type { Tx } from '../db/client.ts';
import { storedFilePath } from '../files/store.ts';
import { KEY_FILE, verifierKeys } from '../ledger/keys.ts';
import {
  ArchiveWriter,
  BackupError,
  dubanVersion,
  FORMAT,
  FORMAT_VERSION,
  filePart,
  ident,
  lines,
  MANIFEST_NAME,
  type Manifest,
  SIGNING_KEY_PART,
  sha256Hex,
  VERIFIER_KEYS_PART,
} from './archive.ts';
import { describeTables } from './catalog.ts';

const BATCH = 2000;
const PROGRESS_EVERY = 100_000;

export type BackupOptions = {
  out: string;
  includeSigningKey?: boolean;
  log?: (line: string) => void;
};

export type BackupResult = { manifest: Manifest; archiveSha256: string; bytes: number };

type Dumped = Manifest['tables'][number] & { file: string };

/** Streams `select row_to_json(t)` through a cursor into `file`; answers rows, bytes and hash. */
async function dumpTable(tx: Tx, table: string, file: string, log: (l: string) => void) {
  const out = fs.createWriteStream(file, { flags: 'wx', mode: 0o600 });
  const hash = crypto.createHash('sha256');
  let rows = 0;
  let bytes = 0;
  try {
    await sql
      .raw(
        `declare duban_backup no scroll cursor for select row_to_json(t)::text as j from ${ident(table)} t`,
      )
      .execute(tx);
    for (;;) {
      const { rows: batch } = await sql
        .raw<{ j: string }>(`fetch forward ${BATCH} from duban_backup`)
        .execute(tx);
      if (batch.length === 0) break;
      const text = `${batch.map((r) => r.j).join('\n')}\n`;
      const buf = Buffer.from(text, 'utf8');
      hash.update(buf);
      bytes += buf.length;
      if (!out.write(buf)) await once(out, 'drain');
      const before = rows;
      rows += batch.length;
      if (Math.floor(rows / PROGRESS_EVERY) > Math.floor(before / PROGRESS_EVERY))
        log(`  ${table}: ${rows} 行 / rows …`);
    }
    await sql.raw('close duban_backup').execute(tx);
  } finally {
    out.end();
    await once(out, 'close');
  }
  return { rows, bytes, sha256: hash.digest('hex') };
}

/** Streams the snapshot's evidence file list (sha256, size) into `file`; answers count and bytes. */
async function listFiles(tx: Tx, file: string) {
  const out = fs.createWriteStream(file, { flags: 'wx', mode: 0o600 });
  let count = 0;
  let bytes = 0;
  try {
    await sql
      .raw(
        'declare duban_backup_files no scroll cursor for select sha256, size_bytes from files order by sha256',
      )
      .execute(tx);
    for (;;) {
      const { rows } = await sql
        .raw<{ sha256: string; size_bytes: number | string }>(
          `fetch forward ${BATCH} from duban_backup_files`,
        )
        .execute(tx);
      if (rows.length === 0) break;
      for (const r of rows) {
        count += 1;
        bytes += Number(r.size_bytes);
      }
      const text = `${rows.map((r) => `${r.sha256} ${Number(r.size_bytes)}`).join('\n')}\n`;
      if (!out.write(text)) await once(out, 'drain');
    }
    await sql.raw('close duban_backup_files').execute(tx);
  } finally {
    out.end();
    await once(out, 'close');
  }
  return { count, bytes };
}

async function* fileList(file: string): AsyncGenerator<{ sha256: string; size: number }> {
  for await (const line of lines(fs.createReadStream(file))) {
    if (line === '') continue;
    const [sha256, size] = line.split(' ');
    if (sha256 && size) yield { sha256, size: Number(size) };
  }
}

/**
 * Writes the backup archive `opts.out` (refused if it exists). The archive is written to a
 * temporary name beside it and renamed into place when complete.
 */
export async function createBackup(ctx: AppContext, opts: BackupOptions): Promise<BackupResult> {
  const log = opts.log ?? (() => undefined);
  const out = path.resolve(opts.out);
  if (fs.existsSync(out))
    throw new BackupError(`${out} 已存在，未覆盖`, `${out} already exists; not overwritten`);
  fs.mkdirSync(path.dirname(out), { recursive: true });
  const staging = fs.mkdtempSync(path.join(path.dirname(out), '.duban-backup-'));
  const partial = `${out}.partial`;
  try {
    const createdAt = ctx.now().toISOString();
    const tables: Dumped[] = [];
    const sequences: Manifest['sequences'] = [];
    let migrations: Manifest['migrations'] = [];
    const filesList = path.join(staging, 'files.list');
    let files = { count: 0, bytes: 0 };

    log('读取数据库快照 / reading one database snapshot …');
    await ctx.db.transaction().execute(async (tx) => {
      await sql.raw('set transaction isolation level repeatable read, read only').execute(tx);
      const { rows: m } = await sql<{ name: string; applied_at: Date | string }>`
        select name, applied_at from schema_migrations order by name`.execute(tx);
      migrations = m.map((r) => ({ name: r.name, appliedAt: new Date(r.applied_at).toISOString() }));
      const described = await describeTables(tx);
      let n = 0;
      for (const t of described.tables) {
        n += 1;
        const part = `db/${String(n).padStart(4, '0')}-${t.name}.jsonl`;
        const file = path.join(staging, `${String(n).padStart(4, '0')}-${t.name}.jsonl`);
        const dumped = await dumpTable(tx, t.name, file, log);
        tables.push({ name: t.name, columns: t.insertColumns, part, file, ...dumped });
        log(`  ${t.name}: ${dumped.rows} 行 / rows`);
      }
      for (const s of described.sequences) {
        const { rows } = await sql
          .raw<{ last_value: number | string; is_called: boolean }>(
            `select last_value, is_called from ${ident(s)}`,
          )
          .execute(tx);
        const r = rows[0];
        if (r) sequences.push({ name: s, lastValue: String(r.last_value), isCalled: r.is_called });
      }
      files = await listFiles(tx, filesList);
    });

    // The ledger's public keys; the private signing key only when asked for (see README).
    const keys = verifierKeys(ctx.dataDir);
    const origin = keys.length > 0 ? (keys[keys.length - 1]?.split('+')[0] ?? null) : null;
    const keyText = Buffer.from(keys.length > 0 ? `${keys.join('\n')}\n` : '', 'utf8');
    const ledgerParts: Manifest['ledger']['parts'] = [];
    if (keys.length > 0)
      ledgerParts.push({ part: VERIFIER_KEYS_PART, bytes: keyText.length, sha256: sha256Hex(keyText) });
    let signingKey: Buffer | undefined;
    if (opts.includeSigningKey) {
      const keyFile = path.join(ctx.dataDir, 'ledger', KEY_FILE);
      if (!fs.existsSync(keyFile))
        throw new BackupError(
          `${keyFile} 不存在，无法包含签名密钥`,
          `no signing key at ${keyFile} to include`,
        );
      signingKey = fs.readFileSync(keyFile);
      ledgerParts.push({ part: SIGNING_KEY_PART, bytes: signingKey.length, sha256: sha256Hex(signingKey) });
    }

    const manifest: Manifest = {
      format: FORMAT,
      formatVersion: FORMAT_VERSION,
      dubanVersion: dubanVersion(),
      createdAt,
      source: { kind: ctx.handle.kind },
      migrations,
      migrationLevel: migrations.at(-1)?.name ?? null,
      tables: tables.map(({ file: _file, ...t }) => t),
      sequences,
      files,
      ledger: {
        origin,
        verifierKeys: keys,
        signingKeyIncluded: signingKey !== undefined,
        parts: ledgerParts,
      },
    };

    log('写入备份文件 / writing the archive …');
    const writer = new ArchiveWriter(partial);
    try {
      await writer.addBuffer(MANIFEST_NAME, Buffer.from(`${JSON.stringify(manifest, null, 2)}\n`, 'utf8'));
      for (const t of tables) {
        const sha = await writer.addFile(t.part, t.file, t.bytes);
        if (sha !== t.sha256)
          throw new BackupError(`${t.part} 在暂存期间被改动`, `${t.part} changed while staged`);
        fs.rmSync(t.file);
      }
      if (keys.length > 0) await writer.addBuffer(VERIFIER_KEYS_PART, keyText);
      if (signingKey) await writer.addBuffer(SIGNING_KEY_PART, signingKey);
      let done = 0;
      for await (const f of fileList(filesList)) {
        const file = storedFilePath(ctx.dataDir, f.sha256);
        if (!fs.existsSync(file))
          throw new BackupError(
            `证据文件缺失：${file}（数据库中有记录）`,
            `evidence file missing from the data folder: ${file} (the database lists it)`,
          );
        const sha = await writer.addFile(filePart(f.sha256), file, f.size);
        if (sha !== f.sha256)
          throw new BackupError(
            `证据文件内容与其哈希不符：${file}`,
            `evidence file does not match its SHA-256: ${file}`,
          );
        done += 1;
        if (done % 1000 === 0) log(`  files: ${done}/${files.count}`);
      }
      log(`  files: ${files.count} 个文件 / files, ${files.bytes} 字节 / bytes`);
      await writer.finish();
    } catch (err) {
      writer.destroy();
      throw err;
    }
    const hash = crypto.createHash('sha256');
    for await (const chunk of fs.createReadStream(partial)) hash.update(chunk as Buffer);
    fs.renameSync(partial, out);
    return { manifest, archiveSha256: hash.digest('hex'), bytes: fs.statSync(out).size };
  } finally {
    fs.rmSync(staging, { recursive: true, force: true });
    fs.rmSync(partial, { force: true });
  }
}
