import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openRuntime } from '../../src/runtime.ts';
import { itemBody } from '../support/factories.ts';
import {
  type Api,
  api,
  createStore,
  type Duban,
  runDuban,
  type SeededWorld,
  type Store,
  seedWorld,
  startDuban,
} from './support.ts';

/**
 * kill -9 of `duban start` while 50 clients write, then a restart on the same database (the
 * embedded one in --data DIR, or the PostgreSQL server with DATABASE_URL): every acknowledged write
 * is there, item numbers stay 1..N per unit without duplicates or gaps, the event log and the
 * evidence ledger verify, and Idempotency-Keys answered before the crash replay after it.
 *
 * Why the embedded database keeps acknowledged commits across kill -9: PGlite writes its WAL through
 * Emscripten's NODEFS with a synchronous write() into the host file at commit, so the bytes are in
 * the kernel's page cache when the answer leaves; a killed process loses nothing the kernel holds.
 * (It never fsyncs — PGlite starts PostgreSQL with -F and NODEFS has no fsync — so a power loss or
 * kernel crash may lose recent commits; that is not what this test can show.)
 */

const CLIENTS = 50;
const LOAD_MS = 1500;
const DEADLINE = '2027-06-30';
const LANES = [
  { sup: 'city_sup', lead: 'housing', handler: 'housing_h' },
  { sup: 'prov_sup', lead: 'education', handler: 'edu_h' },
  { sup: 'county_sup', lead: 'countyHousing', handler: 'county_h' },
  { sup: 'ningbo_sup', lead: 'ningboHousing', handler: 'ningbo_h' },
] as const;

type Attempt = {
  client: number;
  lane: (typeof LANES)[number];
  key: string;
  title: string;
  body: Record<string, unknown>;
  /** Set when the creation was acknowledged (201). */
  created?: { id: string; number: string; response: unknown };
  dispatched?: { key: string; body: unknown; response: unknown };
  accepted?: boolean;
  /** A request whose answer never came (the process died first). */
  inFlight?: 'create' | 'dispatch' | 'accept';
};

let store: Store;
let world: SeededWorld;
let server: Duban | undefined;

beforeAll(async () => {
  store = await createStore('duban-crash-');
  world = await seedWorld(store, [...LANES.map((l) => l.sup), ...LANES.map((l) => l.handler)]);
}, 120_000);

afterAll(async () => {
  if (server && server.child.exitCode === null && server.child.signalCode === null) {
    server.child.kill('SIGKILL');
    await server.exited;
  }
  await store?.cleanup();
});

function client(s: Duban, username: string): Api {
  const token = world.tokens[username];
  if (!token) throw new Error(`no token for ${username}`);
  return api(s.url, token);
}

describe('kill -9 under 50 concurrent writers, then a restart', () => {
  it('keeps every acknowledged write, gapless numbers, a verifying ledger, and replays Idempotency-Keys', async () => {
    server = await startDuban(store, ['start', '--role', 'all', '--no-demo', '--port', '0']);
    const first = server;
    const attempts: Attempt[] = [];
    const unexpected: string[] = [];
    let killed = false;

    const runClient = async (i: number) => {
      const lane = LANES[i % LANES.length] as (typeof LANES)[number];
      const sup = client(first, lane.sup);
      const handler = client(first, lane.handler);
      for (let n = 1; !killed; n++) {
        const title = `压测事项 ${i}-${n}`;
        const a: Attempt = {
          client: i,
          lane,
          key: `crash-create-${i}-${n}`,
          title,
          body: itemBody({ title, duplicateOverride: { reason: '压力测试：同类事项允许重复立项' } }),
        };
        attempts.push(a);
        try {
          a.inFlight = 'create';
          const created = await sup.post('/api/v1/items', a.body, { 'idempotency-key': a.key });
          const json = await created.json();
          if (created.status !== 201) {
            unexpected.push(`create ${created.status} ${JSON.stringify(json)}`);
            a.inFlight = undefined;
            return;
          }
          a.created = { id: json.item.id, number: json.item.number, response: json };
          const url = `/api/v1/items/${a.created.id}`;
          const dispatchBody = {
            assignments: [{ unitId: world.units[lane.lead], role: 'lead', deadline: DEADLINE }],
          };
          const dispatchKey = `crash-dispatch-${i}-${n}`;
          a.inFlight = 'dispatch';
          const dispatched = await sup.post(`${url}/actions/dispatch`, dispatchBody, {
            'idempotency-key': dispatchKey,
          });
          const dJson = await dispatched.json();
          if (dispatched.status !== 200) {
            unexpected.push(`dispatch ${dispatched.status} ${JSON.stringify(dJson)}`);
            a.inFlight = undefined;
            return;
          }
          a.dispatched = { key: dispatchKey, body: dispatchBody, response: dJson };
          a.inFlight = 'accept';
          const accepted = await handler.post(`${url}/actions/accept`);
          const aJson = await accepted.json();
          if (accepted.status !== 200) {
            unexpected.push(`accept ${accepted.status} ${JSON.stringify(aJson)}`);
            a.inFlight = undefined;
            return;
          }
          a.accepted = true;
          a.inFlight = undefined;
        } catch {
          // The connection died with the process: this request's outcome is unknown.
          return;
        }
      }
    };

    const clients = Array.from({ length: CLIENTS }, (_, i) => runClient(i));
    const acknowledged = () => attempts.filter((a) => a.created).length;
    const acceptedSoFar = () => attempts.filter((a) => a.accepted).length;
    const dispatchedSoFar = () => attempts.filter((a) => a.dispatched).length;
    const loadStarted = Date.now();
    // ~1.5 s of load, and whatever the machine's speed, creations and transitions acknowledged.
    while (Date.now() - loadStarted < LOAD_MS || dispatchedSoFar() === 0) {
      if (Date.now() - loadStarted > 60_000) break;
      await new Promise((r) => setTimeout(r, 50));
    }
    first.child.kill('SIGKILL');
    const exit = await first.exited;
    console.log(
      `crash test (${store.kind}): killed after ${Date.now() - loadStarted} ms; acknowledged: ${acknowledged()} creations, ${dispatchedSoFar()} dispatches, ${acceptedSoFar()} acceptances`,
    );
    killed = true;
    await Promise.all(clients);
    expect(exit.signal).toBe('SIGKILL');
    expect(unexpected).toEqual([]);

    const acked = attempts.filter((a) => a.created);
    const inFlight = attempts.filter((a) => a.inFlight !== undefined);
    expect(acked.length).toBeGreaterThan(0);
    expect(acked.filter((a) => a.dispatched).length).toBeGreaterThan(0);
    // Each client had a request open when the process died (the workload never paused).
    expect(inFlight.length).toBeGreaterThan(0);

    // ---- Restart on the same database.
    server = await startDuban(store, ['start', '--role', 'all', '--no-demo', '--port', '0']);
    const second = server;
    const ready = await fetch(`${second.url}/api/ready`);
    expect(ready.status).toBe(200);

    // Idempotency-Keys answered before the crash replay the stored answer, creating nothing.
    const sample = acked.filter((_, k) => k % Math.max(1, Math.floor(acked.length / 8)) === 0).slice(0, 8);
    for (const a of sample) {
      const sup = client(second, a.lane.sup);
      const again = await sup.post('/api/v1/items', a.body, { 'idempotency-key': a.key });
      expect(again.status).toBe(201);
      expect(again.headers.get('idempotent-replayed')).toBe('true');
      expect(await again.json()).toEqual(a.created?.response);
      if (a.dispatched && a.created) {
        const d = await sup.post(`/api/v1/items/${a.created.id}/actions/dispatch`, a.dispatched.body, {
          'idempotency-key': a.dispatched.key,
        });
        expect(d.status).toBe(200);
        expect(d.headers.get('idempotent-replayed')).toBe('true');
        expect(await d.json()).toEqual(a.dispatched.response);
      }
    }
    // A creation whose answer was lost in the crash, retried with its key: committed or not before the
    // kill, the retry ends with exactly one item.
    const lostCreates = inFlight.filter((a) => a.inFlight === 'create').slice(0, 5);
    for (const a of lostCreates) {
      const sup = client(second, a.lane.sup);
      const retry = await sup.post('/api/v1/items', a.body, { 'idempotency-key': a.key });
      expect(retry.status, await retry.clone().text()).toBe(201);
      const json = await retry.json();
      a.created = { id: json.item.id, number: json.item.number, response: json };
    }

    // Stop gracefully (the worker integrates the ledger first), then look at the database itself.
    second.child.kill('SIGTERM');
    expect((await second.exited).code, second.stderr()).toBe(0);

    const ctx = await openRuntime({ data: store.dataDir, databaseUrl: store.databaseUrl });
    try {
      const items = await ctx.db
        .selectFrom('items')
        .select(['id', 'title', 'number', 'number_seq', 'assigning_unit_id', 'status'])
        .execute();
      const byId = new Map(items.map((r) => [r.id, r]));
      for (const a of attempts.filter((x) => x.created)) {
        const row = byId.get(a.created?.id ?? '');
        expect(row, `${a.title} acknowledged but missing`).toBeDefined();
        expect(row?.number).toBe(a.created?.number);
        expect(row?.title).toBe(a.title);
      }
      // One item per title: neither the crash nor the retries made a second one.
      const titles = items.filter((r) => r.title.startsWith('压测事项')).map((r) => r.title);
      expect(new Set(titles).size).toBe(titles.length);
      for (const a of lostCreates) expect(titles.filter((t) => t === a.title)).toHaveLength(1);

      const events = await ctx.db
        .selectFrom('events')
        .select(['seq', 'item_id', 'type'])
        .orderBy('seq')
        .execute();
      const count = (itemId: string, type: string) =>
        events.filter((e) => e.item_id === itemId && e.type === type).length;
      for (const a of attempts) {
        if (!a.created) continue;
        expect(count(a.created.id, 'item.created')).toBe(1);
        if (a.dispatched) expect(count(a.created.id, 'item.dispatched'), a.title).toBe(1);
        if (a.accepted) {
          expect(count(a.created.id, 'item.accepted'), a.title).toBe(1);
          expect(byId.get(a.created.id)?.status).toBe('in_progress');
        }
      }
      // The event log: seq 1..M without a gap, the counter at M.
      expect(events.map((e) => Number(e.seq))).toEqual(events.map((_, k) => k + 1));
      const counter = await ctx.db.selectFrom('event_counter').select('last_seq').executeTakeFirstOrThrow();
      expect(Number(counter.last_seq)).toBe(events.length);

      // 督办编号: per assigning unit and year, the committed items hold exactly 1..N, and the counter
      // row (taken in the creating transaction) says N — no number twice, none skipped.
      const units = [...new Set(items.map((r) => r.assigning_unit_id))];
      expect(units.length).toBe(LANES.length);
      for (const unitId of units) {
        const seqs = items
          .filter((r) => r.assigning_unit_id === unitId)
          .map((r) => r.number_seq)
          .sort((x, y) => x - y);
        expect(seqs).toEqual(seqs.map((_, k) => k + 1));
        const numbers = items.filter((r) => r.assigning_unit_id === unitId).map((r) => r.number);
        expect(new Set(numbers).size).toBe(numbers.length);
        const c = await ctx.db
          .selectFrom('item_number_counters')
          .select('last_value')
          .where('unit_id', '=', unitId)
          .executeTakeFirstOrThrow();
        expect(c.last_value).toBe(seqs.length);
      }
    } finally {
      await ctx.handle.close();
    }

    // The evidence ledger re-derives and verifies end to end.
    const verify = await runDuban(store, ['ledger', 'verify', '--json']);
    expect(verify.code, verify.stdout + verify.stderr).toBe(0);
    const report = JSON.parse(verify.stdout);
    expect(report.ok).toBe(true);
    expect(report.entries).toBeGreaterThan(acked.length * 2);
  }, 180_000);
});
