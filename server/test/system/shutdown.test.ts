import http from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openRuntime } from '../../src/runtime.ts';
import { itemBody } from '../support/factories.ts';
import { createStore, type Duban, type SeededWorld, type Store, seedWorld, startDuban } from './support.ts';

/**
 * Graceful stop of `duban start --role all`: on SIGTERM readiness turns 503 and the listener closes,
 * a request already in flight still completes (2xx, committed), the worker finishes, the database
 * closes and the process exits 0. A second signal forces exit 1.
 */

const DRAINING = /正在停止 \/ draining/;

let store: Store;
let world: SeededWorld;
const started: Duban[] = [];

beforeAll(async () => {
  store = await createStore('duban-shutdown-');
  world = await seedWorld(store, ['city_sup']);
}, 120_000);

afterAll(async () => {
  for (const s of started) {
    if (s.child.exitCode === null && s.child.signalCode === null) {
      s.child.kill('SIGKILL');
      await s.exited;
    }
  }
  await store?.cleanup();
});

async function start(): Promise<Duban> {
  const s = await startDuban(store, ['start', '--role', 'all', '--no-demo', '--port', '0']);
  started.push(s);
  return s;
}

type Pending = {
  /** Resolves when the server has read the request head and answered 100 Continue. */
  continued: Promise<void>;
  /** Sends the body: the request then completes. */
  finish(): void;
  response: Promise<{ status: number; body: string }>;
};

/**
 * A POST whose head reaches the server (it answers `100 Continue`) while its body waits: a request
 * that is certainly in flight until finish() is called.
 */
function inFlightPost(base: string, path: string, token: string, body: unknown): Pending {
  const payload = Buffer.from(JSON.stringify(body));
  const req = http.request(`${base}${path}`, {
    method: 'POST',
    agent: false,
    headers: {
      authorization: `Bearer ${token}`,
      'content-type': 'application/json',
      'content-length': String(payload.length),
      expect: '100-continue',
    },
  });
  const continued = new Promise<void>((resolve, reject) => {
    req.once('continue', () => resolve());
    req.once('error', reject);
  });
  const response = new Promise<{ status: number; body: string }>((resolve, reject) => {
    req.once('response', (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => {
        text += c;
      });
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: text }));
      res.on('error', reject);
    });
    req.once('error', reject);
  });
  req.flushHeaders();
  return { continued, finish: () => req.end(payload), response };
}

/** GET /api/ready on a fresh connection: the status, or 'refused' once nothing listens. */
async function probe(base: string): Promise<number | 'refused'> {
  try {
    const res = await fetch(`${base}/api/ready`, { headers: { connection: 'close' } });
    await res.arrayBuffer();
    return res.status;
  } catch {
    return 'refused';
  }
}

describe('graceful shutdown of duban start', () => {
  it('lets an in-flight request finish after SIGTERM, answers not-ready meanwhile, and exits 0', async () => {
    const s = await start();
    const token = world.tokens.city_sup ?? '';
    expect(await probe(s.url)).toBe(200);

    const title = '停机前提交的事项';
    const pending = inFlightPost(s.url, '/api/v1/items', token, itemBody({ title }));
    await pending.continued;

    s.child.kill('SIGTERM');
    await s.waitForOutput(DRAINING);
    // Not ready from now on: each probe is refused or answered 503, until nothing listens any more.
    const probes: (number | 'refused')[] = [];
    for (let k = 0; k < 100; k++) {
      const p = await probe(s.url);
      probes.push(p);
      if (p === 'refused') break;
    }
    expect(probes.at(-1)).toBe('refused');
    expect(probes.filter((p) => p !== 'refused' && p !== 503)).toEqual([]);
    // The process waits for the request it had accepted.
    expect(s.child.exitCode).toBeNull();

    pending.finish();
    const res = await pending.response;
    expect(res.status, res.body).toBe(201);
    const created = JSON.parse(res.body).item as { id: string; number: string };

    const exit = await s.exited;
    expect(exit, s.stdout() + s.stderr()).toEqual({ code: 0, signal: null });
    expect(s.stdout()).toMatch(/已停止 \/ stopped/);

    // The answer was committed before the database closed.
    const ctx = await openRuntime({ data: store.dataDir, databaseUrl: store.databaseUrl });
    try {
      const row = await ctx.db
        .selectFrom('items')
        .select(['number', 'title'])
        .where('id', '=', created.id)
        .executeTakeFirst();
      expect(row).toEqual({ number: created.number, title });
    } finally {
      await ctx.handle.close();
    }
  }, 120_000);

  it('exits 1 at once on a second signal while a request still holds the drain', async () => {
    const s = await start();
    const pending = inFlightPost(s.url, '/api/v1/items', world.tokens.city_sup ?? '', itemBody());
    pending.response.catch(() => undefined);
    await pending.continued;
    s.child.kill('SIGTERM');
    await s.waitForOutput(DRAINING);
    s.child.kill('SIGTERM');
    const exit = await s.exited;
    expect(exit, s.stdout() + s.stderr()).toEqual({ code: 1, signal: null });
    expect(s.stderr()).toMatch(/second SIGTERM: exiting now/);
    expect(s.stdout()).not.toMatch(/已停止 \/ stopped/);
  }, 120_000);
});
