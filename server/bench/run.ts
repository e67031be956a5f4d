/**
 * Duban benchmark: prints figures, never asserts timings.
 *
 *   npm run bench                      PGlite, then the PostgreSQL server (DATABASE_URL, else
 *                                      postgres://postgres@127.0.0.1:5432/postgres; skipped if unreachable)
 *   BENCH_ITEMS=10000 BENCH_CREATE=200 npm run bench     a quick run
 *
 * Environment: BENCH_ITEMS (items for the list queries, default 100000), BENCH_CREATE (commands per
 * creation run, default 1000), BENCH_WRITERS (concurrent writers, default 8), BENCH_RUNS (timed runs
 * per list query, default 40), BENCH_CASE_BUDGET_MS (stop a list query's runs early after this long,
 * default 6000, never below 10 runs), BENCH_SLOW_MS (p95 above which EXPLAIN ANALYZE is printed,
 * default 200), BENCH_EXPLAIN=1 (store every list query's plan in the JSON), BENCH_DB=pglite|postgres.
 * Ledger: BENCH_LEDGER_COMMANDS (create+dispatch commands per overhead run, default 1000),
 * BENCH_LEDGER_ENTRIES (entries for proof and full-verify timing, default 1000000), BENCH_PROOFS
 * (proofs timed, default 200), BENCH_TAMPER (tamper-suite changes on a 10k-entry ledger, default 1000).
 * Sweep: BENCH_SWEEP_ITEMS (open items for the deadline sweep on the server, default 1000000; PGlite
 * sweeps at most BENCH_ITEMS). BENCH_NOTIFICATIONS: e-mails through the outbox to a loopback SMTP
 * server (default 1500).
 * KPI: BENCH_KPI_ITEMS (items for the full KPI recompute, default 1000000; PGlite uses at most
 * BENCH_ITEMS), BENCH_KPI_UNITS (units leading them, default 3000), BENCH_KPI_SAMPLES (single-event
 * catch-ups timed, default 100).
 * Duplicates (bench/similarity.ts): BENCH_DUP_TEXTS texts in the 重复督办 index (default 1000000 on the
 * server; PGlite indexes at most BENCH_ITEMS): BENCH_DUP_ITEMS of them items (default 20000), the rest
 * intake records; then BENCH_DUP_QUERIES lookups timed (default 200; stopped after BENCH_DUP_BUDGET_MS,
 * default 300000, never before 20).
 * Extract (bench/extract-throughput.ts): rule-based extraction of a ~100,000-character document.
 * Web (bench/web.ts): the initial JavaScript of the portal and the app, and the cockpit's time to first
 * chart on the demo data (BENCH_WEB_RUNS runs, default 5).
 * Scale (bench/scale.ts, only when named: BENCH_ONLY=scale BENCH_DB=postgres): BENCH_SCALE_ITEMS items
 * (default 1000000) over BENCH_SCALE_UNITS units (3000) and BENCH_SCALE_EVENTS events (10000000), set-based;
 * then through a `duban start --role web` child: creation by BENCH_SCALE_CLIENTS API-token clients (8) for
 * BENCH_SCALE_SECONDS (20) against a raw pg INSERT and a bare Fastify ceiling, list and cockpit p95
 * (BENCH_SCALE_RUNS, 30, ≤ BENCH_SCALE_BUDGET_MS 5000 per query), the sweep, and the RSS of the web
 * child and of a worker (run BENCH_SCALE_WORKER_SECONDS, 20). docs/performance.md has the figures.
 * BENCH_ONLY: a comma-separated subset of the parts creation, lists, sweep, notify, ledger, kpi, duplicates,
 * extract, web, scale (e.g. BENCH_ONLY=notify BENCH_DB=postgres for the notification figure alone); default all but scale. A partial
 * run writes latest-<db>-<parts>.json.
 *
 * The PGlite database lives in a temporary directory, the server one in a fresh database
 * duban_bench_<random>; both are removed at the end (BENCH_KEEP_DB=1 keeps the server database, to look
 * at its plans afterwards; BENCH_DB_NAME=<kept database> runs on it again, loading only what is missing). Figures are also written as JSON to
 * server/bench/results/latest-<db>.json (ignored by git).
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { ACTION_BODIES, CreateItemBody, ListItemsQuery } from '@duban/schema';
import { sql } from 'kysely';
import pg from 'pg';
import { type DbHandle, openDatabase } from '../src/db/client.ts';
import { migrate } from '../src/db/migrate.ts';
import { createItem } from '../src/items/create-item.ts';
import { performAction } from '../src/items/perform-action.ts';
import { listItems } from '../src/items/queries.ts';
import type { Actor } from '../src/shared/actor.ts';
import { addDays, shanghaiDate } from '../src/shared/time.ts';
import { bulkLoad } from './bulk.ts';
import { benchExtract } from './extract-throughput.ts';
import { benchKpi } from './kpi.ts';
import { benchLedger } from './ledger.ts';
import { CaptureSql, fmt, ms, now, phase, pool, summarize, table } from './lib.ts';
import { benchNotify } from './notify.ts';
import { benchScale } from './scale.ts';
import { benchDuplicates } from './similarity.ts';
import { benchSweep } from './sweep.ts';
import { benchWeb } from './web.ts';
import { buildWorld, type World } from './world.ts';

const int = (name: string, fallback: number) => {
  const raw = process.env[name];
  const v = raw === undefined || raw === '' ? fallback : Number(raw);
  if (!Number.isInteger(v) || v < 0) throw new Error(`${name} must be a non-negative integer, not ${raw}`);
  return v;
};

const P = {
  items: int('BENCH_ITEMS', 100_000),
  create: int('BENCH_CREATE', 1000),
  writers: Math.max(1, int('BENCH_WRITERS', 8)),
  runs: Math.max(1, int('BENCH_RUNS', 40)),
  warmup: 3,
  caseBudgetMs: int('BENCH_CASE_BUDGET_MS', 6000),
  slowMs: int('BENCH_SLOW_MS', 200),
  explainAll: process.env.BENCH_EXPLAIN === '1',
  only: process.env.BENCH_DB,
  sweepItems: int('BENCH_SWEEP_ITEMS', 1_000_000),
  dupTexts: int('BENCH_DUP_TEXTS', 1_000_000),
  dup: {
    queries: Math.max(1, int('BENCH_DUP_QUERIES', 200)),
    budgetMs: int('BENCH_DUP_BUDGET_MS', 300_000),
  },
  notifications: int('BENCH_NOTIFICATIONS', 1500),
  kpi: {
    items: int('BENCH_KPI_ITEMS', 1_000_000),
    units: int('BENCH_KPI_UNITS', 3000),
    samples: Math.max(1, int('BENCH_KPI_SAMPLES', 100)),
  },
  scale: {
    items: int('BENCH_SCALE_ITEMS', 1_000_000),
    units: int('BENCH_SCALE_UNITS', 3000),
    events: int('BENCH_SCALE_EVENTS', 10_000_000),
    clients: Math.max(1, int('BENCH_SCALE_CLIENTS', 8)),
    seconds: Math.max(1, int('BENCH_SCALE_SECONDS', 20)),
    runs: Math.max(10, int('BENCH_SCALE_RUNS', 30)),
    budgetMs: int('BENCH_SCALE_BUDGET_MS', 5000),
    workerSeconds: int('BENCH_SCALE_WORKER_SECONDS', 20),
  },
  ledger: {
    commands: int('BENCH_LEDGER_COMMANDS', 1000),
    writers: Math.max(1, int('BENCH_WRITERS', 8)),
    entries: int('BENCH_LEDGER_ENTRIES', 1_000_000),
    tamper: int('BENCH_TAMPER', 1000),
    proofs: int('BENCH_PROOFS', 200),
  },
};
const PARTS = [
  'creation',
  'lists',
  'sweep',
  'notify',
  'ledger',
  'kpi',
  'duplicates',
  'extract',
  'web',
  'scale',
] as const;
type Part = (typeof PARTS)[number];
const ONLY: ReadonlySet<Part> | undefined = (() => {
  const raw = process.env.BENCH_ONLY?.trim();
  if (!raw) return undefined;
  const names = raw.split(',').map((s) => s.trim());
  for (const n of names) {
    if (!PARTS.includes(n as Part)) throw new Error(`BENCH_ONLY: unknown part ${n} (${PARTS.join(', ')})`);
  }
  return new Set(names as Part[]);
})();
// The scale part (1M items, 10M events) runs only when named in BENCH_ONLY.
const part = (p: Part) => (ONLY === undefined ? p !== 'scale' : ONLY.has(p));
const DEFAULT_SERVER = 'postgres://postgres@127.0.0.1:5432/postgres';
const RESULTS_DIR = path.join(path.dirname(fileURLToPath(import.meta.url)), 'results');

const out = (s = '') => process.stdout.write(`${s}\n`);
const cleanups: (() => Promise<void>)[] = [];

async function runCleanups() {
  while (cleanups.length > 0) {
    const c = cleanups.pop();
    await c?.().catch((err: unknown) => out(`  cleanup failed: ${String(err)}`));
  }
}

process.once('SIGINT', () => {
  out('\ninterrupted: cleaning up');
  void runCleanups().finally(() => process.exit(130));
});

type CreationRow = {
  mode: string;
  writers: number;
  commands: number;
  items: number;
  events: number;
  seconds: number;
  itemsPerSec: number;
  eventsPerSec: number;
  commandsPerSec: number;
  txMs: { p50: number; p95: number; max: number };
  rssPeakMb: number;
};

type ListRow = {
  actor: string;
  query: string;
  rows: number;
  n: number;
  p50: number;
  p95: number;
  max: number;
  mean: number;
  plan?: string;
};

async function main() {
  const started = now();
  const cpus = os.cpus();
  out('Duban benchmark — figures only, nothing is asserted');
  out(
    `machine: ${cpus.length} cpu (${cpus[0]?.model.trim() ?? 'unknown'}), ${Math.round(os.totalmem() / 1073741824)} GiB RAM, ` +
      `${os.platform()} ${os.arch()}, node ${process.version}`,
  );
  out(
    `params:  BENCH_ITEMS=${P.items} BENCH_CREATE=${P.create} BENCH_WRITERS=${P.writers} BENCH_RUNS=${P.runs} ` +
      `(warm-up ${P.warmup}, ≤${P.caseBudgetMs} ms per query after 10 runs) BENCH_SLOW_MS=${P.slowMs}`,
  );
  if (ONLY !== undefined) out(`parts:   BENCH_ONLY=${[...ONLY].join(',')} (of ${PARTS.join(', ')})`);
  fs.mkdirSync(RESULTS_DIR, { recursive: true });

  try {
    // 'web' (bench/web.ts) and 'extract' need no database: a part list of them alone skips the kinds.
    const dbParts = ONLY === undefined || [...ONLY].some((p) => p !== 'web' && p !== 'extract');
    if (dbParts && (!P.only || P.only === 'pglite')) await benchKind('pglite');
    if (dbParts && (!P.only || P.only === 'postgres')) await benchKind('postgres');
    if (part('extract')) {
      const extract = await benchExtract(out);
      fs.writeFileSync(
        path.join(RESULTS_DIR, 'latest-extract.json'),
        `${JSON.stringify(extract, null, 2)}\n`,
      );
    }
    if (part('web')) {
      const web = await benchWeb(out, int('BENCH_WEB_RUNS', 5));
      fs.writeFileSync(path.join(RESULTS_DIR, 'latest-web.json'), `${JSON.stringify(web, null, 2)}\n`);
    }
  } finally {
    await runCleanups();
  }
  out(
    `\ntotal ${fmt(ms(started) / 1000)} s; JSON in ${path.relative(process.cwd(), RESULTS_DIR) || '.'}/latest-<db>.json`,
  );
}

type Fresh = { handle: DbHandle; where: string; close: () => Promise<void> };

/** A fresh, empty database of the kind: a temporary PGlite folder, or a new database on the server. */
async function freshDatabase(kind: 'pglite' | 'postgres'): Promise<Fresh | undefined> {
  let handle: DbHandle;
  let where: string;
  if (kind === 'pglite') {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'duban-bench-'));
    cleanups.push(async () => fs.rmSync(dir, { recursive: true, force: true }));
    handle = await openDatabase({ dataDir: dir });
    where = `data dir ${dir} (removed afterwards)`;
  } else {
    const url = process.env.DATABASE_URL || DEFAULT_SERVER;
    const admin = new pg.Client({ connectionString: url, connectionTimeoutMillis: 3000 });
    try {
      await admin.connect();
    } catch (err) {
      out(`\n== postgres: skipped — cannot connect to ${redact(url)} (${(err as Error).message}) ==`);
      await admin.end().catch(() => undefined);
      return undefined;
    }
    // BENCH_DB_NAME: run on a database an earlier run kept (BENCH_KEEP_DB=1), e.g. to measure the
    // scale part again without its 25-minute load; the world's units and users are found, not made.
    const reuse = process.env.BENCH_DB_NAME?.trim();
    if (reuse && !/^[a-z_][a-z0-9_]*$/.test(reuse))
      throw new Error(`BENCH_DB_NAME: not a database name: ${reuse}`);
    const name = reuse || `duban_bench_${crypto.randomBytes(5).toString('hex')}`;
    if (!reuse) await admin.query(`create database ${name}`);
    await admin.end();
    const keep = process.env.BENCH_KEEP_DB === '1' || Boolean(reuse);
    if (!keep)
      cleanups.push(async () => {
        const c = new pg.Client({ connectionString: url });
        await c.connect();
        await c.query(`drop database if exists ${name} with (force)`);
        await c.end();
      });
    const u = new URL(url);
    u.pathname = `/${name}`;
    handle = await openDatabase({ databaseUrl: u.toString(), dataDir: os.tmpdir() });
    where = `database ${name} on ${redact(u.toString())} (${keep ? 'kept: BENCH_KEEP_DB=1' : 'dropped afterwards'})`;
  }
  let closed = false;
  const close = async () => {
    if (!closed) await handle.close();
    closed = true;
  };
  cleanups.push(close);
  return { handle, where, close };
}

async function benchKind(kind: 'pglite' | 'postgres') {
  const db = await freshDatabase(kind);
  if (!db) return;
  await benchDatabase(kind, db.handle, db.where);
  await db.close();
}

function redact(url: string): string {
  const u = new URL(url);
  if (u.password) u.password = '***';
  return u.toString();
}

async function benchDatabase(kind: 'pglite' | 'postgres', handle: DbHandle, where: string) {
  const db = handle.db;
  const version = await sql<{ v: string }>`select version() as v`.execute(db);
  out(`\n== ${kind}: ${String(version.rows[0]?.v).split(',')[0]} ==`);
  out(`   ${where}`);
  const settings =
    kind === 'postgres'
      ? await sql<{ name: string; setting: string; unit: string | null }>`
          select name, setting, unit from pg_settings
          where name in ('shared_buffers', 'work_mem', 'synchronous_commit', 'max_connections')`.execute(db)
      : undefined;
  if (settings)
    out(`   ${settings.rows.map((r) => `${r.name}=${r.setting}${r.unit ? ` ${r.unit}` : ''}`).join(', ')}`);

  const setup = await phase(async () => {
    await migrate(handle);
    return buildWorld(handle);
  });
  const world = setup.result;
  out(
    `\nsetup: migrations, 浙江 regions, ${world.units.length} units, 3 users — ${fmt(setup.ms / 1000, 2)} s, RSS peak ${setup.rssMb} MiB`,
  );

  // 1. creation throughput through the real command path
  const creation = part('creation') ? await benchCreation(handle, world) : [];
  if (part('creation')) {
    out(`\nCreation through the command path (one transaction per command; events from event_counter)`);
    out(
      table(
        [
          'mode',
          'writers',
          'commands',
          'items',
          'events',
          's',
          'items/s',
          'events/s',
          'tx p50 ms',
          'tx p95 ms',
          'RSS MiB',
        ],
        creation.map((r) => [
          r.mode,
          r.writers,
          r.commands,
          r.items,
          r.events,
          fmt(r.seconds, 2),
          fmt(r.itemsPerSec, 0),
          fmt(r.eventsPerSec, 0),
          fmt(r.txMs.p50, 2),
          fmt(r.txMs.p95, 2),
          r.rssPeakMb,
        ]),
      ),
    );
  }

  // 2. bulk load to BENCH_ITEMS, then list queries
  const lists = part('lists') ? await benchBulkAndLists(handle, world) : undefined;

  // The deadline sweep: the target is a million open items on the server; PGlite sweeps BENCH_ITEMS.
  if (part('sweep')) {
    await benchSweep(
      kind,
      handle,
      world,
      kind === 'postgres' ? P.sweepItems : Math.min(P.sweepItems, P.items),
      out,
    );
  }

  if (part('notify')) await benchNotify(kind, handle, world, P.notifications, out);

  if (part('ledger')) {
    await benchLedger(kind, handle, world, P.ledger, out, async () => {
      const fresh = await freshDatabase(kind);
      if (!fresh) throw new Error(`cannot open a fresh ${kind} database`);
      return fresh;
    });
  }

  const kpi = part('kpi')
    ? await benchKpi(
        kind,
        handle,
        world,
        { ...P.kpi, items: kind === 'postgres' ? P.kpi.items : Math.min(P.kpi.items, P.items) },
        out,
      )
    : undefined;

  const duplicates = part('duplicates')
    ? await benchDuplicates(
        kind,
        handle,
        world,
        kind === 'postgres' ? P.dupTexts : Math.min(P.dupTexts, P.items),
        out,
        P.dup,
      )
    : undefined;

  const scale = part('scale')
    ? await benchScale(kind, handle, world, P.scale, out, (fn) => {
        cleanups.push(fn);
      })
    : undefined;

  const json = {
    db: kind,
    version: version.rows[0]?.v,
    at: new Date().toISOString(),
    machine: {
      cpus: os.cpus().length,
      cpuModel: os.cpus()[0]?.model.trim(),
      node: process.version,
      platform: os.platform(),
    },
    params: P,
    parts: ONLY === undefined ? PARTS.filter((p) => part(p)) : [...ONLY],
    setup: { seconds: setup.ms / 1000, rssPeakMb: setup.rssMb, units: world.units.length },
    creation,
    ...lists,
    ...(kpi ? { kpi } : {}),
    ...(duplicates ? { duplicates } : {}),
    ...(scale ? { scale } : {}),
    rssNote:
      kind === 'pglite'
        ? 'RSS of this Node process, which includes the embedded database'
        : 'RSS of this Node process only; the server’s memory is not included',
  };
  const suffix = ONLY === undefined ? '' : `-${[...ONLY].join('+')}`;
  const file = path.join(RESULTS_DIR, `latest-${kind}${suffix}.json`);
  fs.writeFileSync(file, `${JSON.stringify(json, null, 2)}\n`);
}

/** Bulk load to BENCH_ITEMS, then the list queries; their figures for the JSON. */
async function benchBulkAndLists(handle: DbHandle, world: World) {
  const db = handle.db;
  const existing = Number(
    (
      await db
        .selectFrom('items')
        .select((eb) => eb.fn.countAll<number>().as('n'))
        .executeTakeFirst()
    )?.n ?? 0,
  );
  const toLoad = Math.max(0, P.items - existing);
  const at = new Date();
  const bulk = await phase(() => bulkLoad(handle, world, toLoad, at));
  const totalItems = existing + toLoad;
  out(
    `\nBulk load (set-based SQL, no events): ${toLoad} items + ${existing} from above = ${totalItems}; ` +
      `${bulk.result.assignments} assignments`,
  );
  out(
    `  items ${fmt(bulk.result.itemsMs / 1000, 1)} s, assignments ${fmt(bulk.result.assignmentsMs / 1000, 1)} s, involvement + light dates ${fmt(bulk.result.involvementMs / 1000, 1)} s, ` +
      `analyze ${fmt(bulk.result.analyzeMs / 1000, 1)} s — ${fmt(bulk.ms / 1000, 1)} s, RSS peak ${bulk.rssMb} MiB`,
  );

  const list = await phase(() => benchLists(handle, world, at));
  out(`\nList queries (listItems, limit 50, sort -createdAt) at ${totalItems} items — ms`);
  out(
    table(
      ['actor', 'query', 'rows', 'n', 'p50', 'p95', 'max'],
      list.result.map((r) => [r.actor, r.query, r.rows, r.n, fmt(r.p50), fmt(r.p95), fmt(r.max)]),
    ),
  );
  out(`  list phase ${fmt(list.ms / 1000, 1)} s, RSS peak ${list.rssMb} MiB`);
  const slow = list.result.filter((r) => r.p95 > P.slowMs);
  if (slow.length === 0) out(`  no list query has p95 above ${P.slowMs} ms`);
  for (const r of slow) {
    out(`\n  EXPLAIN ANALYZE — ${r.actor} / ${r.query} (p95 ${fmt(r.p95)} ms):`);
    out(
      (r.plan ?? '(no plan)')
        .split('\n')
        .map((l) => `    ${l}`)
        .join('\n'),
    );
  }

  return {
    bulk: {
      loaded: toLoad,
      totalItems,
      assignments: bulk.result.assignments,
      seconds: bulk.ms / 1000,
      itemsSeconds: bulk.result.itemsMs / 1000,
      assignmentsSeconds: bulk.result.assignmentsMs / 1000,
      analyzeSeconds: bulk.result.analyzeMs / 1000,
      rssPeakMb: bulk.rssMb,
    },
    list: { seconds: list.ms / 1000, rssPeakMb: list.rssMb, queries: list.result },
  };
}

async function eventSeq(handle: DbHandle): Promise<number> {
  const r = await handle.db.selectFrom('event_counter').select('last_seq').executeTakeFirstOrThrow();
  return Number(r.last_seq);
}

async function benchCreation(handle: DbHandle, world: World): Promise<CreationRow[]> {
  const db = handle.db;
  const actor = world.actors.provSup;
  const deadline = addDays(shanghaiDate(new Date()), 90);
  const input = (i: number) =>
    CreateItemBody.parse({
      title: `推进既有住宅加装电梯工作（基准 ${i}）`,
      content: '按照省委省政府决策部署，细化任务分工，明确时间节点和责任人，确保按期保质完成。',
      source: 'leader_instruction',
      categoryCode: 'livelihood',
      urgency: 'normal',
      sensitivity: 'internal',
      deadline,
      targets: [{ key: 'elevators_installed', name: '既有住宅加装电梯', unit: '部', target: 100 }],
    });
  const create = (i: number) =>
    db.transaction().execute((tx) =>
      createItem(tx, input(i), {
        assigningUnitId: world.provOffice.id,
        actorId: actor.userId,
        now: new Date(),
      }),
    );
  const depts = world.provDepts;
  const dispatchBody = (i: number) =>
    ACTION_BODIES.dispatch.parse({
      assignments: [
        { unitId: depts[i % depts.length]?.id, role: 'lead', deadline },
        { unitId: depts[(i + 1) % depts.length]?.id, role: 'collaborator', deadline },
      ],
    });
  const dispatch = (itemId: string, i: number, by: Actor) =>
    db
      .transaction()
      .execute((tx) =>
        performAction(tx, by, { itemId, action: 'dispatch', body: dispatchBody(i), now: new Date() }),
      );

  // warm-up: not timed
  for (let i = 0; i < 20; i++) {
    const { id } = await create(-i);
    await dispatch(id, i, actor);
  }

  const rows: CreationRow[] = [];
  const run = async (mode: 'create' | 'create+dispatch', writers: number) => {
    const n = P.create;
    const seq0 = await eventSeq(handle);
    const tx: number[] = [];
    const r = await phase(() =>
      pool(n, writers, async (i) => {
        let t = now();
        const { id } = await create(i);
        tx.push(ms(t));
        if (mode === 'create+dispatch') {
          t = now();
          await dispatch(id, i, actor);
          tx.push(ms(t));
        }
      }),
    );
    const events = (await eventSeq(handle)) - seq0;
    const seconds = r.ms / 1000;
    const s = summarize(tx);
    rows.push({
      mode,
      writers,
      commands: tx.length,
      items: n,
      events,
      seconds,
      itemsPerSec: n / seconds,
      eventsPerSec: events / seconds,
      commandsPerSec: tx.length / seconds,
      txMs: { p50: s.p50, p95: s.p95, max: s.max },
      rssPeakMb: r.rssMb,
    });
  };
  if (P.create > 0) {
    await run('create', 1);
    await run('create', P.writers);
    await run('create+dispatch', 1);
    await run('create+dispatch', P.writers);
  }
  return rows;
}

type Case = { query: string; params: Record<string, string>; pages?: number };

async function benchLists(handle: DbHandle, world: World, at: Date): Promise<ListRow[]> {
  const capture = new CaptureSql();
  const db = handle.db.withPlugin(capture);
  const today = shanghaiDate(at);
  const cases = (region: string): Case[] => [
    { query: 'first page', params: {} },
    { query: 'status=in_progress', params: { status: 'in_progress' } },
    {
      query: 'category+deadline 90d',
      params: { category: 'livelihood', deadlineFrom: today, deadlineTo: addDays(today, 90) },
    },
    { query: 'light=overdue', params: { light: 'overdue' } },
    { query: `regionCode=${region}`, params: { regionCode: region } },
    { query: 'q=电梯', params: { q: '电梯' } },
    { query: 'page 5 (cursor)', params: {}, pages: 5 },
  ];
  const actors: [string, Actor, string][] = [
    ['province supervisor', world.actors.provSup, '330200'],
    ['city supervisor', world.actors.citySup, world.countyCode],
    ['unit handler', world.actors.handler, '330100'],
  ];
  const rows: ListRow[] = [];
  for (const [label, actor, region] of actors) {
    for (const c of cases(region)) {
      let params = ListItemsQuery.parse(c.params);
      // walk to the requested page once; the timed call fetches that page with its cursor
      let reachable = true;
      for (let page = 1; page < (c.pages ?? 1); page++) {
        const r = await listItems(db, actor, params, at);
        if (!r.nextCursor) {
          reachable = false;
          break;
        }
        params = ListItemsQuery.parse({ ...c.params, cursor: r.nextCursor });
      }
      if (!reachable) {
        rows.push({
          actor: label,
          query: `${c.query} — fewer pages`,
          rows: 0,
          n: 0,
          p50: 0,
          p95: 0,
          max: 0,
          mean: 0,
        });
        continue;
      }
      let count = 0;
      for (let i = 0; i < P.warmup; i++) count = (await listItems(db, actor, params, at)).items.length;
      const samples: number[] = [];
      const begun = now();
      for (let i = 0; i < P.runs; i++) {
        const t = now();
        await listItems(db, actor, params, at);
        samples.push(ms(t));
        if (i + 1 >= 10 && ms(begun) > P.caseBudgetMs) break;
      }
      const s = summarize(samples);
      const row: ListRow = { actor: label, query: c.query, rows: count, ...s };
      if (P.explainAll || s.p95 > P.slowMs) {
        await listItems(db, actor, params, at);
        const q = capture.last;
        if (q) {
          const plan = await handle.db.executeQuery<Record<string, string>>(capture.explainOf(q));
          row.plan = plan.rows.map((r) => Object.values(r)[0]).join('\n');
        }
      }
      rows.push(row);
    }
  }
  return rows;
}

main().catch(async (err: unknown) => {
  process.stderr.write(`bench failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  await runCleanups();
  process.exit(1);
});
