import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../../src/app.ts';
import type { App } from '../../src/http/types.ts';
import { createJobRunner, defineJob } from '../../src/jobs/index.ts';
import { markDraining } from '../../src/system/readiness.ts';
import { createTestContext, type TestContext } from '../support/context.ts';
import { problemZh } from '../support/http.ts';

/**
 * GET /api/ready (public): 200 {ready:true} when the migrations ran and the database answers
 * `select 1` within 2 s; 503 problem+json otherwise and from SIGTERM on (draining). /api/health stays
 * the liveness check.
 */

let ctx: TestContext;
let app: App;
beforeAll(async () => {
  ctx = await createTestContext();
  app = await buildApp(ctx);
}, 120_000);
afterAll(async () => {
  await app?.close();
  await ctx?.cleanup();
});

const ready = () => app.inject({ method: 'GET', url: '/api/ready' });

describe('GET /api/ready', () => {
  it('answers 200 {ready:true} to anyone (no session needed) when the database is migrated', async () => {
    const res = await ready();
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json()).toEqual({ ready: true });
    // It tells a stranger nothing more than that.
    expect(Object.keys(res.json())).toEqual(['ready']);
    // A bad bearer token is still refused (authentication runs first on every /api/ route).
    const badToken = await app.inject({
      method: 'GET',
      url: '/api/ready',
      headers: { authorization: 'Bearer nonsense' },
    });
    expect(badToken.statusCode).toBe(401);
  });

  it('is listed in the API description under system', async () => {
    const doc = (await app.inject({ method: 'GET', url: '/api/v1/openapi.json' })).json();
    expect(doc.paths['/api/ready'].get.tags).toEqual(['system']);
  });

  it('answers 503 when a migration this build ships is not recorded', async () => {
    const { rows } = await sql<{ name: string }>`
      select name from schema_migrations order by name desc limit 1`.execute(ctx.db);
    const last = rows[0]?.name ?? '';
    expect(last).toMatch(/\.sql$/);
    await sql`delete from schema_migrations where name = ${last}`.execute(ctx.db);
    try {
      const res = await ready();
      problemZh(res, 503, 'NOT_READY');
      expect(res.json().reason).toBe('migrations_pending');
      expect(res.headers['retry-after']).toBe('5');
    } finally {
      await sql`insert into schema_migrations (name) values (${last})`.execute(ctx.db);
    }
    expect((await ready()).statusCode).toBe(200);
  });

  it('answers 503 when the database does not answer within 2 s', async () => {
    // A transaction holding schema_migrations exclusively: the probe's query waits behind it
    // (on PGlite the one connection itself is taken).
    let release: () => void = () => undefined;
    const held = new Promise<void>((r) => {
      release = r;
    });
    let locked: () => void = () => undefined;
    const isLocked = new Promise<void>((r) => {
      locked = r;
    });
    const tx = ctx.db.transaction().execute(async (t) => {
      await sql`lock table schema_migrations in access exclusive mode`.execute(t);
      locked();
      await held;
    });
    await isLocked;
    try {
      const res = await ready();
      problemZh(res, 503, 'NOT_READY');
      expect(res.json().reason).toBe('database_timeout');
    } finally {
      release();
      await tx;
    }
    expect((await ready()).statusCode).toBe(200);
  });

  it('answers 503 from the moment the process starts draining, while health stays 200', async () => {
    markDraining(ctx);
    const res = await ready();
    problemZh(res, 503, 'NOT_READY');
    expect(res.json().reason).toBe('draining');
    expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
    const health = await app.inject({ method: 'GET', url: '/api/health' });
    expect(health.statusCode).toBe(200);
  });
});

describe(`stopping the worker's job runner (${process.env.DATABASE_URL ? 'pg-boss' : 'in-process'})`, () => {
  it('waits for the job it is running to finish before it resolves', async () => {
    const runner = createJobRunner(ctx, { pollingIntervalSeconds: 0.5 });
    const job = defineJob<{ n: number }>('shutdown.slow-job');
    const order: string[] = [];
    let started: () => void = () => undefined;
    const isRunning = new Promise<void>((r) => {
      started = r;
    });
    let release: () => void = () => undefined;
    const gate = new Promise<void>((r) => {
      release = r;
    });
    await runner.register(job, async () => {
      started();
      await gate;
      order.push('job finished');
    });
    await runner.start();
    await runner.send(job, { n: 1 });
    await isRunning;
    const stopped = runner.stop().then(() => order.push('runner stopped'));
    // Give the stop every chance to resolve early; it must not.
    await new Promise((r) => setTimeout(r, 200));
    order.push('released');
    release();
    await stopped;
    expect(order).toEqual(['released', 'job finished', 'runner stopped']);
  }, 60_000);
});
