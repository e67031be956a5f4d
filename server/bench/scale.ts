/**
 * The scale part of `npm run bench` (BENCH_ONLY=scale BENCH_DB=postgres): BENCH_SCALE_ITEMS items
 * over BENCH_SCALE_UNITS units and BENCH_SCALE_EVENTS events (scale-data.ts, set-based), then,
 * through a real `duban start --role web` child process on a port:
 *   - item creation (POST /api/v1/items, 立项 with its events) by BENCH_SCALE_CLIENTS concurrent
 *     clients, each a supervisor of another office with an API token, for BENCH_SCALE_SECONDS;
 *     ceilings in the same run: (a) the same rows inserted raw through `pg` (one statement per item:
 *     number counter, item, lead assignment, two events numbered from event_counter) with the same
 *     concurrency and duration, (b) a bare Fastify POST (scale-bare.ts) under the same load generator;
 *   - list/filter latency (GET /api/v1/items, one client, sequential), ceiling: the bare GET;
 *   - cockpit aggregates (GET /api/v1/cockpit/overview, /cockpit/items) after a full KPI recompute;
 *   - the deadline sweep (forEachDueItem over all items), ceiling: one raw query for the same ids;
 *   - RSS (VmRSS and peak VmHWM) of the web child after the load, of the bare Fastify child, and of a
 *     `duban start --role worker` child after BENCH_SCALE_WORKER_SECONDS.
 * Figures only; the load generator shares the machine's cores with the servers and PostgreSQL.
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { sql } from 'kysely';
import pg from 'pg';
import { createApiToken } from '../src/auth/tokens.ts';
import type { DbHandle } from '../src/db/client.ts';
import { forEachDueItem } from '../src/escalation/chase.ts';
import { recomputeKpis } from '../src/kpi/rollups.ts';
import { loadActor } from '../src/org/scope.ts';
import type { Actor } from '../src/shared/actor.ts';
import { addDays, shanghaiDate } from '../src/shared/time.ts';
import { TOPICS } from './bulk.ts';
import { fmt, ms, now, type Summary, summarize, table } from './lib.ts';
import { loadScale } from './scale-data.ts';
import { type Child, cpuMsOf, latency, load, type Request, rssOf, startChild } from './scale-load.ts';
import { type BenchUnit, benchUser, type World } from './world.ts';

export type ScaleOptions = {
  items: number;
  units: number;
  events: number;
  clients: number;
  seconds: number;
  runs: number;
  budgetMs: number;
  workerSeconds: number;
};

const HERE = path.dirname(fileURLToPath(import.meta.url));
const DUBAN = path.resolve(HERE, '../bin/duban.mjs');
const BARE = path.resolve(HERE, 'scale-bare.ts');
const DEFAULT_SERVER = 'postgres://postgres@127.0.0.1:5432/postgres';
const RAW_YEAR = 2016; // numbers of the raw-insert ceiling: no collision with the app's items

type Row = {
  figure: string;
  ours: number;
  unit: string;
  target: string;
  ceiling?: number;
  ratio?: number;
  notes: string;
};

export async function benchScale(
  kind: string,
  handle: DbHandle,
  world: World,
  o: ScaleOptions,
  out: (line: string) => void,
  onCleanup: (fn: () => Promise<void>) => void,
): Promise<Record<string, unknown> | undefined> {
  if (kind !== 'postgres') {
    out(`\n[${kind}] scale: skipped — it needs a PostgreSQL server that child processes can share`);
    return undefined;
  }
  const dbName = String(
    (await sql<{ d: string }>`select current_database() as d`.execute(handle.db)).rows[0]?.d,
  );
  const u = new URL(process.env.DATABASE_URL || DEFAULT_SERVER);
  u.pathname = `/${dbName}`;
  const dbUrl = u.toString();
  const loadAvg = () => (os.loadavg()[0] ?? 0).toFixed(2);

  out(
    `\n[${kind}] Scale: ${o.items} items, ${o.units} units, ${o.events} events (load average ${loadAvg()})`,
  );
  const t0 = now();
  const { world: big, load: data } = await loadScale(handle, world, o, out);
  out(
    `  loaded: ${data.items} items, ${data.assignments} assignments, ${data.units} units, ${data.events} events — ${fmt(ms(t0) / 1000, 1)} s`,
  );

  const size = await sql<{
    s: string;
  }>`select pg_size_pretty(pg_database_size(current_database())) as s`.execute(handle.db);
  out(`  database size ${size.rows[0]?.s}; the filler events are not folded into the ledger`);
  const at = new Date();
  let t = now();
  const kpi = await recomputeKpis(handle.db, at);
  const kpiS = ms(t) / 1000;
  out(
    `  KPI recompute for the cockpit: ${fmt(kpiS, 1)} s (${kpi.facts} facts ${fmt(kpi.factsMs / 1000, 1)} s, ` +
      `${kpi.rollups} roll-up rows ${fmt(kpi.rollupsMs / 1000, 1)} s, cockpit tables ${fmt(kpi.openMs / 1000, 1)} s; load average ${fmt(os.loadavg()[0] ?? 0, 2)})`,
  );

  // API tokens: the three list actors, and one supervisor per creating client, each of another office
  const token = async (actor: Actor, scopes: ('items:read' | 'items:write')[]) =>
    (await createApiToken(handle.db, actor, { name: 'scale bench', scopes }, new Date())).token;
  const listTokens = {
    provSup: await token(world.actors.provSup, ['items:read']),
    citySup: await token(world.actors.citySup, ['items:read']),
    handler: await token(world.actors.handler, ['items:read']),
  };
  const offices = [...big.offices]
    .filter((x) => x.level > 1)
    .sort((a, b) => a.level - b.level || a.regionCode.localeCompare(b.regionCode))
    .slice(0, o.clients);
  const writers: { token: string; office: BenchUnit; dept: BenchUnit | undefined }[] = [];
  for (const [i, office] of offices.entries()) {
    const userId = await benchUser(handle, {
      username: `scale_sup_${i}`,
      displayName: `基准督查员${i}`,
      unitId: office.id,
      roles: ['supervisor'],
    });
    writers.push({
      token: await token(await loadActor(handle.db, userId, 'session'), ['items:read', 'items:write']),
      office,
      dept: big.units.find((x) => x.kind === 'department' && x.regionCode === office.regionCode),
    });
  }
  const clients = writers.length;

  const rows: Row[] = [];
  const children: Child[] = [];
  const stopAll = async () => {
    while (children.length > 0) await children.pop()?.stop();
  };
  onCleanup(stopAll);
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'duban-bench-scale-'));
  onCleanup(async () => fs.rmSync(dataDir, { recursive: true, force: true }));
  const env = { ...process.env, DATABASE_URL: dbUrl, DUBAN_DATA: dataDir, LOG_LEVEL: 'warn' };
  const result: Record<string, unknown> = {
    data,
    databaseSize: size.rows[0]?.s,
    kpiRecomputeSeconds: kpiS,
    clients,
  };
  try {
    const web = await startChild(
      [DUBAN, 'start', '--role', 'web', '--port', '0', '--no-demo'],
      env,
      /listening on (http:\/\/\S+)/,
    );
    children.push(web);
    const bare = await startChild(['--import', 'tsx', BARE], process.env, /listening on (http:\/\/\S+)/);
    children.push(bare);
    const webUrl = web.url ?? '';
    const bareUrl = bare.url ?? '';
    out(
      `  web child pid ${web.proc.pid} at ${webUrl}; bare Fastify pid ${bare.proc.pid} at ${bareUrl}; RSS at start: web ${rssOf(web.proc.pid)?.rssMb} MiB`,
    );

    // 1. lists, one client, sequential
    const bearer = (tok: string) => ({ authorization: `Bearer ${tok}` });
    const bareGet = await latency(
      bareUrl,
      { method: 'GET', path: '/ping', headers: {} },
      o.runs * 4,
      o.budgetMs,
    );
    const handlerUnit = world.handlerUnit.id;
    const cases: [string, string, string][] = [
      ['province supervisor', listTokens.provSup, ''],
      ['province supervisor', listTokens.provSup, 'status=in_progress'],
      ['province supervisor', listTokens.provSup, 'light=overdue'],
      ['province supervisor', listTokens.provSup, `unitId=${handlerUnit}`],
      ['province supervisor', listTokens.provSup, 'regionCode=330200'],
      ['province supervisor', listTokens.provSup, 'category=livelihood'],
      ['province supervisor', listTokens.provSup, `q=${encodeURIComponent('电梯')}`],
      [
        'province supervisor',
        listTokens.provSup,
        'status=in_progress&light=red,overdue&category=livelihood&regionCode=330100',
      ],
      ['city supervisor', listTokens.citySup, ''],
      ['city supervisor', listTokens.citySup, 'status=in_progress&light=overdue'],
      ['city supervisor', listTokens.citySup, `q=${encodeURIComponent('加装电梯')}`],
      ['unit handler', listTokens.handler, ''],
      ['unit handler', listTokens.handler, 'myAssignment=pending'],
      ['unit handler', listTokens.handler, 'light=overdue'],
    ];
    const listRows: (string | number)[][] = [];
    const listP95: number[] = [];
    const listJson: unknown[] = [];
    for (const [who, tok, q] of cases) {
      const r = await latency(
        webUrl,
        { method: 'GET', path: `/api/v1/items${q ? `?${q}` : ''}`, headers: bearer(tok) },
        o.runs,
        o.budgetMs,
      );
      listP95.push(r.p95);
      listJson.push({ actor: who, query: q, ...r });
      listRows.push([
        who,
        decodeURIComponent(q) || '(first page)',
        r.status,
        r.n,
        fmt(r.p50),
        fmt(r.p95),
        fmt(r.max),
      ]);
    }
    out(`\n  List/filter through HTTP (GET /api/v1/items, limit 50, one client) at ${data.items} items — ms`);
    out(table(['actor', 'query', 'status', 'n', 'p50', 'p95', 'max'], listRows));
    out(
      `  ceiling: bare Fastify GET, same client — p50 ${fmt(bareGet.p50, 2)}, p95 ${fmt(bareGet.p95, 2)} ms`,
    );
    const worstList = Math.max(...listP95);
    rows.push({
      figure: 'list/filter p95 (worst of 14 queries)',
      ours: worstList,
      unit: 'ms',
      target: '≤ 50 ms',
      ceiling: bareGet.p95,
      ratio: worstList / bareGet.p95,
      notes: `median of the 14 p95s ${fmt(summarize(listP95).p50)} ms; ceiling = bare Fastify GET p95`,
    });
    result.lists = { queries: listJson, bareGet };

    // 2. cockpit aggregates
    const cockpitCases: [string, string][] = [
      ['overview, province', '/api/v1/cockpit/overview'],
      ['overview, 杭州市', '/api/v1/cockpit/overview?region=330100'],
      ['open overdue items, province', '/api/v1/cockpit/items?overdue=true'],
      ['open items in progress, 杭州市', '/api/v1/cockpit/items?region=330100&status=in_progress'],
    ];
    const cockpitRows: (string | number)[][] = [];
    const cockpitP95: number[] = [];
    for (const [label, p] of cockpitCases) {
      const r = await latency(
        webUrl,
        { method: 'GET', path: p, headers: bearer(listTokens.provSup) },
        o.runs,
        o.budgetMs,
      );
      cockpitP95.push(r.p95);
      cockpitRows.push([label, r.status, r.n, fmt(r.p50), fmt(r.p95), fmt(r.max), r.bytes]);
    }
    out('\n  Cockpit through HTTP (province supervisor, one client) — ms');
    out(table(['endpoint', 'status', 'n', 'p50', 'p95', 'max', 'bytes'], cockpitRows));
    const worstCockpit = Math.max(...cockpitP95);
    rows.push({
      figure: 'cockpit aggregates p95 (worst of 4)',
      ours: worstCockpit,
      unit: 'ms',
      target: '≤ 200 ms',
      ceiling: bareGet.p95,
      ratio: worstCockpit / bareGet.p95,
      notes: `after a full KPI recompute (${fmt(kpiS, 1)} s); ceiling = bare Fastify GET p95`,
    });
    result.cockpit = cockpitRows;

    // 3. creation: ours, then the bare POST and the raw INSERT with the same concurrency and duration
    const deadline = addDays(shanghaiDate(new Date()), 90);
    const body = (c: number, n: number) =>
      JSON.stringify({
        title: `推进${TOPICS[(c * 5 + n) % TOPICS.length]}工作（${writers[c]?.office.name}第${n}项）`,
        content: `按照决策部署，细化第${c}-${n}项任务分工，明确时间节点和责任人，确保按期保质完成。`,
        source: 'leader_instruction',
        categoryCode: 'livelihood',
        urgency: 'normal',
        sensitivity: 'internal',
        deadline,
        targets: [{ key: 'done', name: '完成数', unit: '项', target: 10 }],
        duplicateOverride: { reason: '基准：同类事项分别立项督办' },
      });
    const createReq = (c: number, n: number): Request => ({
      method: 'POST',
      path: '/api/v1/items',
      headers: bearer(writers[c]?.token ?? ''),
      body: body(c, n),
    });
    const seq0 = await eventSeq(handle);
    const cpu0 = cpuMsOf(web.proc.pid) ?? 0;
    const waits = await sampleWaits(dbUrl, dbName);
    const ours = await load(webUrl, clients, o.seconds, 201, createReq).finally(() => waits.stop());
    const events = (await eventSeq(handle)) - seq0;
    const webCpuMs = (cpuMsOf(web.proc.pid) ?? 0) - cpu0;
    const one = await load(webUrl, 1, o.seconds, 201, createReq);
    const webRss = rssOf(web.proc.pid);
    const bareLoad = await load(bareUrl, clients, o.seconds, 201, (c, n) => ({
      ...createReq(c, n),
      path: '/ping',
    }));
    const bareRss = rssOf(bare.proc.pid);
    const raw = await rawInserts(dbUrl, writers, o.seconds, deadline, world.actors.provSup.userId);
    out(
      `\n  Creation: ${clients} concurrent clients for ${o.seconds} s each (load generator in this process)`,
    );
    out(
      table(
        ['run', 'ok', 'failed', 'per s', 'p50 ms', 'p95 ms'],
        [
          [
            'POST /api/v1/items, 1 client',
            one.ok,
            one.failed,
            fmt(one.perSec, 0),
            fmt(one.latency.p50, 1),
            fmt(one.latency.p95, 1),
          ],
          [
            `POST /api/v1/items, ${clients} clients`,
            ours.ok,
            ours.failed,
            fmt(ours.perSec, 0),
            fmt(ours.latency.p50, 1),
            fmt(ours.latency.p95, 1),
          ],
          [
            'ceiling a: raw INSERT through pg',
            raw.ok,
            raw.failed,
            fmt(raw.perSec, 0),
            fmt(raw.latency.p50, 1),
            fmt(raw.latency.p95, 1),
          ],
          [
            'ceiling b: bare Fastify POST',
            bareLoad.ok,
            bareLoad.failed,
            fmt(bareLoad.perSec, 0),
            fmt(bareLoad.latency.p50, 1),
            fmt(bareLoad.latency.p95, 1),
          ],
        ],
      ),
    );
    out(
      `  events appended by the creations: ${events} (${fmt(events / Math.max(1, ours.ok), 2)} per item); ` +
        `web child CPU ${fmt(webCpuMs / Math.max(1, ours.ok + ours.failed), 1)} ms per request (${fmt(webCpuMs / 1000 / ours.seconds, 2)} cores busy)`,
    );
    out(
      `  server sessions of the bench database during the ${clients}-client run (sampled every 50 ms): ${await waits.text()}`,
    );
    for (const f of ours.failures) out(`  failed: ${f}`);
    rows.push({
      figure: 'item creation with ledger events',
      ours: ours.perSec,
      unit: '/s',
      target: '≥ 1,000/s',
      ceiling: raw.perSec,
      ratio: ours.perSec / raw.perSec,
      notes: `${clients} clients; web child CPU ${fmt(webCpuMs / Math.max(1, ours.ok + ours.failed), 0)} ms/request; ceiling = raw INSERT of the same rows through pg`,
    });
    rows.push({
      figure: 'item creation vs bare Fastify',
      ours: ours.perSec,
      unit: '/s',
      target: '',
      ceiling: bareLoad.perSec,
      ratio: ours.perSec / bareLoad.perSec,
      notes: 'ceiling = bare Fastify POST, same clients and body',
    });
    result.creation = {
      ours,
      oneClient: one,
      raw,
      bare: bareLoad,
      events,
      webCpuMs,
      waits: await waits.text(),
    };

    // 4. the deadline sweep over every item
    const today = shanghaiDate(at);
    const sweepRuns: number[] = [];
    let due = 0;
    for (let i = 0; i < 5; i++) {
      t = now();
      due = await forEachDueItem(handle.db, at, async () => undefined);
      sweepRuns.push(ms(t));
    }
    const rawSweep: number[] = [];
    for (let i = 0; i < 5; i++) {
      t = now();
      await sql`select id from items where chase_next_on <= ${today}::date`.execute(handle.db);
      rawSweep.push(ms(t));
    }
    const sw = summarize(sweepRuns);
    const rs = summarize(rawSweep);
    out(
      `\n  Deadline sweep over ${data.items} items: ${due} due — p50 ${fmt(sw.p50, 0)} ms, max ${fmt(sw.max, 0)} ms (5 runs); one raw query for the same ids p50 ${fmt(rs.p50, 0)} ms`,
    );
    rows.push({
      figure: 'deadline sweep (find every due item)',
      ours: sw.max,
      unit: 'ms',
      target: '≤ 2,000 ms',
      ceiling: rs.p50,
      ratio: sw.max / rs.p50,
      notes: `${due} due; worst of 5; ceiling = one raw SELECT of the same ids`,
    });
    result.sweep = { due, runs: sw, raw: rs };

    // 5. memory: the web child after the load, the bare child, then a worker for a while
    await stopAll();
    const worker = await startChild([DUBAN, 'start', '--role', 'worker', '--no-demo'], env, /worker/);
    children.push(worker);
    let workerPeak = rssOf(worker.proc.pid);
    const until = Date.now() + o.workerSeconds * 1000;
    while (Date.now() < until) {
      await new Promise((r) => setTimeout(r, 500));
      workerPeak = rssOf(worker.proc.pid) ?? workerPeak;
    }
    await stopAll();
    out(
      `\n  RSS (MiB, now / peak): web child after the load ${webRss?.rssMb} / ${webRss?.peakMb}; bare Fastify ${bareRss?.rssMb} / ${bareRss?.peakMb}; ` +
        `worker after ${o.workerSeconds} s ${workerPeak?.rssMb} / ${workerPeak?.peakMb}`,
    );
    rows.push({
      figure: 'RSS, web process (peak)',
      ours: webRss?.peakMb ?? 0,
      unit: 'MiB',
      target: '≤ 300 MiB',
      ceiling: bareRss?.peakMb ?? 0,
      ratio: (webRss?.peakMb ?? 0) / Math.max(1, bareRss?.peakMb ?? 1),
      notes: 'VmHWM after lists, cockpit and creation; floor = bare Fastify process',
    });
    rows.push({
      figure: 'RSS, worker process (peak)',
      ours: workerPeak?.peakMb ?? 0,
      unit: 'MiB',
      target: '≤ 300 MiB',
      notes: `VmHWM over its first ${o.workerSeconds} s (ledger loop facing the un-integrated events, jobs)`,
    });
    result.rss = { web: webRss, bare: bareRss, worker: workerPeak, workerSeconds: o.workerSeconds };
  } finally {
    await stopAll();
  }

  out(`\n  Scale summary (load average ${loadAvg()}; ratio = ours / ceiling)`);
  out(
    table(
      ['figure', 'ours', 'target', 'ceiling', 'ratio', 'notes'],
      rows.map((r) => [
        r.figure,
        `${fmt(r.ours, r.unit === 'ms' ? 1 : 0)} ${r.unit}`,
        r.target,
        r.ceiling === undefined ? '—' : `${fmt(r.ceiling, r.unit === 'ms' ? 1 : 0)} ${r.unit}`,
        r.ratio === undefined ? '—' : fmt(r.ratio, 2),
        r.notes,
      ]),
    ),
  );
  return { ...result, summary: rows, loadAverage: os.loadavg() };
}

/**
 * Samples what the bench database's active sessions wait on (pg_stat_activity) every 50 ms until
 * stop(): which lock or I/O the writers queue on.
 */
async function sampleWaits(dbUrl: string, dbName: string) {
  const client = new pg.Client({ connectionString: dbUrl });
  await client.connect();
  const counts = new Map<string, number>();
  let samples = 0;
  let done = false;
  const loop = (async () => {
    while (!done) {
      const r = await client.query<{ w: string; n: number }>(
        `select case when state = 'active' then coalesce(wait_event_type || ':' || wait_event, 'on CPU')
           else state || ' (waiting for the app)' end as w, count(*)::int as n
         from pg_stat_activity where datname = $1 and state <> 'idle' and backend_type = 'client backend'
           and pid <> pg_backend_pid() group by 1`,
        [dbName],
      );
      samples++;
      for (const row of r.rows) counts.set(row.w, (counts.get(row.w) ?? 0) + row.n);
      await new Promise((res) => setTimeout(res, 50));
    }
  })();
  let stopped: Promise<void> | undefined;
  const stop = () => {
    done = true;
    stopped ??= loop.finally(() => client.end());
    return stopped;
  };
  return {
    stop,
    text: async () => {
      await stop();
      const parts = [...counts].sort((a, b) => b[1] - a[1]).slice(0, 6);
      return `${parts.map(([w, n]) => `${w} ${fmt(n / Math.max(1, samples), 1)}`).join(', ')} (mean sessions per sample)`;
    },
  };
}

async function eventSeq(handle: DbHandle): Promise<number> {
  const r = await handle.db.selectFrom('event_counter').select('last_seq').executeTakeFirstOrThrow();
  return Number(r.last_seq);
}

/**
 * Ceiling (a): what createItem writes, as one raw statement per item through `pg` — the office's
 * number counter, the item, a lead assignment (createItem has none yet: a little more than ours)
 * and two events numbered from event_counter (item.created, item.registered; the canonical text is
 * the payload, not the JCS of the whole event) — by the same clients for the same time.
 */
async function rawInserts(
  dbUrl: string,
  writers: { office: BenchUnit; dept: BenchUnit | undefined }[],
  seconds: number,
  deadline: string,
  actorId: string,
) {
  const pool = new pg.Pool({ connectionString: dbUrl, max: writers.length });
  const text = `
    with n as (
      insert into item_number_counters (unit_id, year, last_value) values ($1, ${RAW_YEAR}, 1)
      on conflict (unit_id, year) do update set last_value = item_number_counters.last_value + 1
      returning last_value),
    c as (update event_counter set last_seq = last_seq + 2 where id returning last_seq),
    i as (
      insert into items (id, number, assigning_unit_id, number_year, number_seq, title, content, source,
        category_code, urgency, sensitivity, status, region_code, deadline, targets, progress, created_by,
        created_at, updated_at)
      select $2::uuid, '基准〔${RAW_YEAR}〕' || n.last_value || '号', $1, ${RAW_YEAR}, n.last_value, $3, $4,
        'leader_instruction', 'livelihood', 'normal', 'internal', 'registered', $5, $6::date, $7::jsonb, 0, $8,
        now(), now()
      from n returning id),
    a as (
      insert into assignments (id, item_id, unit_id, role, deadline, status, progress)
      select gen_random_uuid(), i.id, $9, 'lead', $6::date, 'pending', 0 from i),
    -- its involvement row, as createItem writes it (without it a kept database's later list runs
    -- walk past these rows: they sit on top of the created_at order and no region scope finds them)
    u as (
      insert into item_units (item_id, unit_id, region_path)
      select i.id, un.id, r.path from i, units un join regions r on r.code = un.region_code where un.id = $1),
    e as (
      insert into events (seq, id, type, item_id, actor_id, occurred_at, payload, canonical)
      select c.last_seq - 2 + v.k, gen_random_uuid(), v.t, $2::uuid, $8, now(), v.p::jsonb, v.p
      from c, (values (1, 'item.created', $10), (2, 'item.registered', $11)) v(k, t, p))
    select 1`;
  const lat: number[] = [];
  let ok = 0;
  let failed = 0;
  const failures: string[] = [];
  const started = now();
  const end = Date.now() + seconds * 1000;
  try {
    await Promise.all(
      writers.map(async (w, c) => {
        for (let n = 0; Date.now() < end; n++) {
          const id = crypto.randomUUID();
          const title = `推进${TOPICS[(c * 5 + n) % TOPICS.length]}工作（${w.office.name}第${n}项）`;
          const created = JSON.stringify({
            type: 'item.created',
            itemId: id,
            status: 'registered',
            title,
            source: 'leader_instruction',
            categoryCode: 'livelihood',
            urgency: 'normal',
            sensitivity: 'internal',
            assigningUnitId: w.office.id,
            deadline,
            parentId: null,
            rectifiesItemId: null,
          });
          const t = now();
          try {
            await pool.query(text, [
              w.office.id,
              id,
              title,
              `按照决策部署，细化第${c}-${n}项任务分工，明确时间节点和责任人，确保按期保质完成。`,
              w.office.regionCode,
              deadline,
              JSON.stringify([{ key: 'done', name: '完成数', unit: '项', target: 10 }]),
              actorId,
              w.dept?.id ?? w.office.id,
              created,
              JSON.stringify({ type: 'item.registered', itemId: id }),
            ]);
            ok++;
          } catch (err) {
            failed++;
            if (failures.length < 5) failures.push(String(err));
          }
          lat.push(ms(t));
        }
      }),
    );
  } finally {
    await pool.end();
  }
  const elapsed = ms(started) / 1000;
  return {
    clients: writers.length,
    seconds: elapsed,
    ok,
    failed,
    perSec: ok / elapsed,
    latency: summarize(lat),
    failures,
  } satisfies {
    latency: Summary;
  } & Record<string, unknown>;
}
