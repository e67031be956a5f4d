/**
 * `duban restore FILE`: into an empty target only (a --data DIR without a database, or an empty
 * server database named by DATABASE_URL). First the whole archive is read once and checked
 * (gzip CRC, every part's SHA-256 and size against the manifest, every evidence file against its
 * name) — a damaged archive is refused before anything is written. Then, in ONE transaction with
 * `session_replication_role = replica` (no trigger fires: neither the events table's append-only
 * guard nor the foreign-key checks, which a consistent snapshot does not need): the archive's
 * migrations are applied, the seed rows they insert are truncated, every table is loaded from its
 * JSON lines in batches (json_populate_recordset, so each value goes through its type's own input
 * function — the same on PGlite and on a server), the sequences are set, and each table's row
 * count is compared with the manifest. A failure rolls everything back and removes the files
 * written. Afterwards newer migrations of this Duban run as at any start, and the evidence ledger
 * is verified with the same code as `duban ledger verify`.
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { sql } from 'kysely';
import { type DbHandle, openDatabase, type ScriptExec } from '../db/client.ts';
import { migrate } from '../db/migrate.ts';
import { storedFilePath } from '../files/store.ts';
import { KEY_FILE, loadOrCreateSigner, VERIFIER_KEYS_FILE, verifierKeys } from '../ledger/keys.ts';
import { type LedgerReport, verifyLedger } from '../ledger/verify-log.ts';
import {
  BackupError,
  corrupt,
  FORMAT,
  FORMAT_VERSION,
  fileSha,
  ident,
  lines,
  MANIFEST_NAME,
  type Manifest,
  manifestSchema,
  readArchive,
  SIGNING_KEY_PART,
  VERIFIER_KEYS_PART,
} from './archive.ts';
import { BOOKKEEPING, describeTables } from './catalog.ts';

const MIGRATIONS_DIR = path.join(path.dirname(fileURLToPath(import.meta.url)), '../db/migrations');
const BATCH_ROWS = 1000;
const BATCH_BYTES = 4 * 1024 * 1024;
const PROGRESS_EVERY = 100_000;

export type RestoreOptions = {
  file: string;
  dataDir: string;
  databaseUrl?: string | undefined;
  log?: (line: string) => void;
  onVerifyProgress?: (done: number, total: number) => void;
};

export type RestoreResult = {
  manifest: Manifest;
  /** The signing key was not in the archive: a new one (same origin) was made. */
  newVerifierKey: string | undefined;
  ledger: LedgerReport;
};

async function readManifest(stream: AsyncIterable<Buffer>): Promise<Manifest> {
  const chunks: Buffer[] = [];
  for await (const c of stream) chunks.push(Buffer.from(c));
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.concat(chunks).toString('utf8'));
  } catch {
    throw corrupt('manifest.json 不是 JSON / manifest.json is not JSON');
  }
  const kind = (parsed as { format?: unknown } | null)?.format;
  if (kind !== FORMAT) throw new BackupError('这不是 Duban 备份文件', 'this is not a Duban backup archive');
  const version = (parsed as { formatVersion?: unknown }).formatVersion;
  if (typeof version === 'number' && version > FORMAT_VERSION)
    throw new BackupError(
      `备份格式版本 ${version} 比本程序支持的（${FORMAT_VERSION}）新，请升级 Duban`,
      `archive format ${version} is newer than this Duban supports (${FORMAT_VERSION}); upgrade Duban`,
    );
  const result = manifestSchema.safeParse(parsed);
  if (!result.success) throw corrupt(`manifest.json: ${result.error.issues[0]?.message ?? 'invalid'}`);
  return result.data;
}

async function hashStream(stream: AsyncIterable<Buffer>) {
  const hash = crypto.createHash('sha256');
  let bytes = 0;
  for await (const c of stream) {
    hash.update(c);
    bytes += c.length;
  }
  return { sha256: hash.digest('hex'), bytes };
}

/** Reads the whole archive and checks it against its manifest; answers the manifest. */
export async function checkArchive(file: string): Promise<Manifest> {
  let manifest: Manifest | undefined;
  const expected = new Map<string, { bytes: number; sha256: string }>();
  let files = 0;
  let fileBytes = 0;
  for await (const entry of readArchive(file)) {
    if (!manifest) {
      if (entry.name !== MANIFEST_NAME)
        throw corrupt('第一项不是 manifest.json / manifest.json is not first');
      manifest = await readManifest(entry.stream);
      for (const t of manifest.tables) expected.set(t.part, t);
      for (const p of manifest.ledger.parts) expected.set(p.part, p);
      continue;
    }
    const got = await hashStream(entry.stream);
    const want = expected.get(entry.name);
    const sha = fileSha(entry.name);
    if (want) {
      if (got.sha256 !== want.sha256 || got.bytes !== want.bytes)
        throw corrupt(`${entry.name} 的 SHA-256 与清单不符 / ${entry.name} does not match its SHA-256`);
      expected.delete(entry.name);
    } else if (sha !== undefined) {
      if (got.sha256 !== sha)
        throw corrupt(`${entry.name} 的内容与其哈希不符 / ${entry.name} does not match its hash`);
      files += 1;
      fileBytes += got.bytes;
    } else {
      throw corrupt(`未知的条目 ${entry.name} / unexpected entry ${entry.name}`);
    }
  }
  if (!manifest) throw corrupt('没有 manifest.json / no manifest.json');
  if (expected.size > 0) throw corrupt(`缺少 ${[...expected.keys()].join(', ')} / missing parts`);
  if (files !== manifest.files.count || fileBytes !== manifest.files.bytes)
    throw corrupt(
      `证据文件 ${files} 个，清单为 ${manifest.files.count} 个 / ${files} evidence files, the manifest lists ${manifest.files.count}`,
    );
  return manifest;
}

function hasAnyFile(dir: string): boolean {
  if (!fs.existsSync(dir)) return false;
  for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
    if (e.isFile()) return true;
    if (e.isDirectory() && hasAnyFile(path.join(dir, e.name))) return true;
  }
  return false;
}

function notEmpty(what: string, whatEn: string): BackupError {
  return new BackupError(
    `只能恢复到空的目标：${what}。请使用新的 --data 目录或空数据库`,
    `restore only into an empty target: ${whatEn}. Use a new --data folder or an empty database`,
  );
}

/** Refuses unless the target holds no database and no evidence files. */
async function checkTarget(opts: RestoreOptions, manifest: Manifest): Promise<void> {
  if (opts.databaseUrl) {
    const handle = await openDatabase({ databaseUrl: opts.databaseUrl, dataDir: opts.dataDir });
    try {
      const rows = await handle.withScriptSession((exec) =>
        exec(`select count(*)::int as n from pg_class c join pg_namespace n on n.oid = c.relnamespace
               where n.nspname = 'public' and c.relkind in ('r', 'p', 'v', 'm', 'S')`),
      );
      if (Number(rows[0]?.n) > 0) throw notEmpty('数据库中已有表', 'the database already has tables');
    } finally {
      await closeHandle(handle);
    }
  } else if (fs.existsSync(path.join(opts.dataDir, 'pgdata'))) {
    throw notEmpty(`${opts.dataDir} 中已有数据库`, `${opts.dataDir} already holds a database`);
  }
  if (hasAnyFile(path.join(opts.dataDir, 'files')))
    throw notEmpty(`${opts.dataDir}/files 中已有文件`, `${opts.dataDir}/files already holds files`);
  const keyFile = path.join(opts.dataDir, 'ledger', KEY_FILE);
  if (fs.existsSync(keyFile)) {
    const name = fs.readFileSync(keyFile, 'utf8').split('+')[2];
    if (manifest.ledger.origin !== null && name !== manifest.ledger.origin)
      throw new BackupError(
        `目标目录已有名为 ${name} 的账本签名密钥，与备份的 ${manifest.ledger.origin} 不同`,
        `the target already has a ledger signing key named ${name}, not ${manifest.ledger.origin}`,
      );
  }
}

function checkMigrationsKnown(manifest: Manifest): void {
  const known = new Set(fs.readdirSync(MIGRATIONS_DIR).filter((f) => f.endsWith('.sql')));
  const unknown = manifest.migrations.map((m) => m.name).filter((n) => !known.has(n));
  if (unknown.length > 0)
    throw new BackupError(
      `备份来自更新的 Duban 版本（${manifest.dubanVersion}），本程序没有迁移 ${unknown.join(', ')}；请先升级 Duban`,
      `the archive comes from a newer Duban (${manifest.dubanVersion}): unknown migrations ${unknown.join(', ')}; upgrade Duban first`,
    );
}

/**
 * Closes a handle used only through withScriptSession. On a server that session comes straight
 * from the pool, which Kysely's destroy() ends only once Kysely itself has run a query — so one
 * query first, or the idle connection would outlive close().
 */
async function closeHandle(handle: DbHandle): Promise<void> {
  await sql`select 1`.execute(handle.db).catch(() => undefined);
  await handle.close();
}

const literal = (text: string) => `'${text.replaceAll("'", "''")}'`;

/** The load transaction: migrations to the archive's level, tables, sequences, counts. */
async function load(
  exec: ScriptExec,
  opts: RestoreOptions,
  manifest: Manifest,
  written: string[],
  ledgerParts: Map<string, Buffer>,
  log: (l: string) => void,
): Promise<void> {
  await exec('begin');
  try {
    try {
      await exec('set local session_replication_role = replica');
    } catch (err) {
      throw new BackupError(
        `恢复需要关闭触发器的权限：请以数据库超级用户运行，或 GRANT SET ON PARAMETER session_replication_role（${(err as Error).message}）`,
        `restore must switch triggers off: run it as a database superuser, or GRANT SET ON PARAMETER session_replication_role (${(err as Error).message})`,
      );
    }
    await exec('set local standard_conforming_strings = on');
    await exec(
      `create table if not exists ${BOOKKEEPING} (name text primary key, applied_at timestamptz not null default now())`,
    );
    for (const m of manifest.migrations) {
      await exec(fs.readFileSync(path.join(MIGRATIONS_DIR, m.name), 'utf8'));
      await exec(
        `insert into ${BOOKKEEPING} (name, applied_at) values (${literal(m.name)}, ${literal(m.appliedAt)}::timestamptz)`,
      );
    }
    log(`迁移至 / migrated to ${manifest.migrationLevel ?? '(none)'}`);

    const target = await describeTables(exec);
    const byName = new Map(target.tables.map((t) => [t.name, t]));
    const mismatch = (detail: string) =>
      new BackupError(
        `数据库结构与备份不一致：${detail}`,
        `the database schema at this migration level differs from the archive's: ${detail}`,
      );
    if (target.tables.length !== manifest.tables.length)
      throw mismatch(
        `${target.tables.map((t) => t.name).join(',')} ≠ ${manifest.tables.map((t) => t.name).join(',')}`,
      );
    for (const t of manifest.tables) {
      const mine = byName.get(t.name);
      if (!mine) throw mismatch(`no table ${t.name}`);
      if ([...mine.insertColumns].sort().join(',') !== [...t.columns].sort().join(','))
        throw mismatch(`${t.name} (${mine.insertColumns.join(',')} ≠ ${t.columns.join(',')})`);
    }
    if (manifest.tables.length > 0)
      await exec(`truncate table ${manifest.tables.map((t) => ident(t.name)).join(', ')}`);

    const parts = new Map(manifest.tables.map((t) => [t.part, t]));
    for await (const entry of readArchive(opts.file)) {
      if (entry.name === MANIFEST_NAME) continue;
      const table = parts.get(entry.name);
      if (table) {
        const info = byName.get(table.name);
        const cols = table.columns.map(ident).join(', ');
        const head = `insert into ${ident(table.name)} (${cols}) ${info?.identityAlways ? 'overriding system value ' : ''}select ${cols} from json_populate_recordset(null::${ident(table.name)}, `;
        const hash = crypto.createHash('sha256');
        let batch: string[] = [];
        let batchBytes = 0;
        let rows = 0;
        const flush = async () => {
          if (batch.length === 0) return;
          await exec(`${head}${literal(`[${batch.join(',')}]`)}::json)`);
          const before = rows;
          rows += batch.length;
          if (Math.floor(rows / PROGRESS_EVERY) > Math.floor(before / PROGRESS_EVERY))
            log(`  ${table.name}: ${rows}/${table.rows} 行 / rows …`);
          batch = [];
          batchBytes = 0;
        };
        for await (const line of lines(entry.stream, (c) => hash.update(c))) {
          if (line === '') continue;
          batch.push(line);
          batchBytes += line.length;
          if (batch.length >= BATCH_ROWS || batchBytes >= BATCH_BYTES) await flush();
        }
        await flush();
        if (hash.digest('hex') !== table.sha256) throw corrupt(`${entry.name}`);
        log(`  ${table.name}: ${rows} 行 / rows`);
        continue;
      }
      const sha = fileSha(entry.name);
      if (sha !== undefined) {
        await writeEvidenceFile(opts.dataDir, sha, entry.stream, written);
        continue;
      }
      if (entry.name === VERIFIER_KEYS_PART || entry.name === SIGNING_KEY_PART) {
        const chunks: Buffer[] = [];
        for await (const c of entry.stream) chunks.push(Buffer.from(c));
        ledgerParts.set(entry.name, Buffer.concat(chunks));
        continue;
      }
      throw corrupt(`unexpected entry ${entry.name}`);
    }
    log(`  files: ${written.length} 个文件 / files`);

    for (const s of manifest.sequences) {
      if (!target.sequences.includes(s.name)) throw mismatch(`no sequence ${s.name}`);
      await exec(`select setval(${literal(ident(s.name))}, ${BigInt(s.lastValue)}, ${s.isCalled})`);
    }
    for (const t of manifest.tables) {
      const rows = await exec(`select count(*)::text as n from ${ident(t.name)}`);
      const n = Number(rows[0]?.n);
      if (n !== t.rows)
        throw new BackupError(
          `表 ${t.name} 恢复了 ${n} 行，清单为 ${t.rows} 行`,
          `table ${t.name}: ${n} rows restored, the manifest says ${t.rows}`,
        );
    }
    log('行数与清单一致 / row counts match the manifest');
    await exec('commit');
  } catch (err) {
    await exec('rollback').catch(() => undefined);
    throw err;
  }
}

async function writeEvidenceFile(
  dataDir: string,
  sha: string,
  stream: AsyncIterable<Buffer>,
  written: string[],
) {
  const target = storedFilePath(dataDir, sha);
  fs.mkdirSync(path.dirname(target), { recursive: true });
  const tmp = `${target}.restoring`;
  const hash = crypto.createHash('sha256');
  const out = await fs.promises.open(tmp, 'wx', 0o640);
  written.push(tmp);
  try {
    for await (const c of stream) {
      hash.update(c);
      await out.write(c);
    }
    await out.sync();
  } finally {
    await out.close();
  }
  if (hash.digest('hex') !== sha) throw corrupt(`files/${sha}`);
  fs.renameSync(tmp, target);
  written[written.length - 1] = target;
}

/** Writes the ledger's key files; without the signing key in the archive, makes a new one (same origin). */
function restoreLedgerKeys(
  dataDir: string,
  manifest: Manifest,
  parts: Map<string, Buffer>,
): string | undefined {
  const dir = path.join(dataDir, 'ledger');
  fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
  const keysFile = path.join(dir, VERIFIER_KEYS_FILE);
  const archived = (parts.get(VERIFIER_KEYS_PART)?.toString('utf8') ?? '')
    .split('\n')
    .filter((l) => l !== '');
  const present = fs.existsSync(keysFile)
    ? fs
        .readFileSync(keysFile, 'utf8')
        .split('\n')
        .filter((l) => l !== '')
    : [];
  const merged = [...new Set([...archived, ...present])];
  if (merged.length > 0) fs.writeFileSync(keysFile, `${merged.join('\n')}\n`, { mode: 0o644 });
  const keyFile = path.join(dir, KEY_FILE);
  const signing = parts.get(SIGNING_KEY_PART);
  if (fs.existsSync(keyFile)) {
    loadOrCreateSigner(dataDir, manifest.ledger.origin ?? 'unused'); // lists its verifier key last
    return undefined;
  }
  if (signing) {
    fs.writeFileSync(keyFile, signing, { mode: 0o600, flag: 'wx' });
    fs.chmodSync(keyFile, 0o600);
    loadOrCreateSigner(dataDir, manifest.ledger.origin ?? 'unused');
    return undefined;
  }
  if (manifest.ledger.origin === null) return undefined;
  // The archive has only the public keys: continue the log under the same origin with a new key,
  // as `duban ledger rotate-key` would; the old checkpoints stay verifiable with the old keys.
  return loadOrCreateSigner(dataDir, manifest.ledger.origin).verifierKey;
}

export async function restoreBackup(opts: RestoreOptions): Promise<RestoreResult> {
  const log = opts.log ?? (() => undefined);
  log('检查备份文件 / checking the archive …');
  const manifest = await checkArchive(opts.file);
  log(
    `备份：${manifest.createdAt}，来源 ${manifest.source.kind}，Duban ${manifest.dubanVersion}，迁移 ${manifest.migrationLevel} / archive checked`,
  );
  checkMigrationsKnown(manifest);
  await checkTarget(opts, manifest);

  fs.mkdirSync(opts.dataDir, { recursive: true });
  const hadPgdata = fs.existsSync(path.join(opts.dataDir, 'pgdata'));
  const written: string[] = [];
  const ledgerParts = new Map<string, Buffer>();
  const handle = await openDatabase({ databaseUrl: opts.databaseUrl, dataDir: opts.dataDir });
  try {
    await handle.withScriptSession((exec) => load(exec, opts, manifest, written, ledgerParts, log));
  } catch (err) {
    await closeHandle(handle);
    for (const f of written) fs.rmSync(f, { force: true });
    if (!opts.databaseUrl && !hadPgdata)
      fs.rmSync(path.join(opts.dataDir, 'pgdata'), { recursive: true, force: true });
    throw err;
  }
  await closeHandle(handle);

  const newVerifierKey = restoreLedgerKeys(opts.dataDir, manifest, ledgerParts);

  // Newer migrations of this Duban run as at any start; then the ledger is verified.
  const after = await openDatabase({ databaseUrl: opts.databaseUrl, dataDir: opts.dataDir });
  try {
    const { applied } = await migrate(after);
    if (applied.length > 0) log(`已执行更新的迁移 / applied newer migrations: ${applied.join(', ')}`);
    log('核验证据账本 / verifying the evidence ledger …');
    const ledger = await verifyLedger(after.db, verifierKeys(opts.dataDir), {
      onProgress: opts.onVerifyProgress,
    });
    return { manifest, newVerifierKey, ledger };
  } finally {
    await after.close();
  }
}
