import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../src/app.ts';
import type { App } from '../src/http/types.ts';
import { createTestContext, type TestContext } from './support/context.ts';

let ctx: TestContext;
let app: App;
beforeAll(async () => {
  ctx = await createTestContext();
  app = await buildApp(ctx);
});
afterAll(async () => {
  await app.close();
  await ctx.cleanup();
});

describe('system routes', () => {
  it('answers health with the database reachable', async () => {
    const res = await app.inject({ method: 'GET', url: '/api/health' });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({ status: 'ok' });
  });

  it('serves an OpenAPI 3.1 document', async () => {
    const res = await app.inject({ method: 'GET', url: '/api/v1/openapi.json' });
    expect(res.statusCode).toBe(200);
    expect(res.json().openapi).toBe('3.1.0');
  });

  it('answers unknown routes with problem+json 404', async () => {
    const res = await app.inject({ method: 'GET', url: '/api/v1/nothing-here' });
    expect(res.statusCode).toBe(404);
    expect(res.headers['content-type']).toContain('application/problem+json');
    expect(res.json().code).toBe('NOT_FOUND');
  });

  it('rejects updates and deletes of the event log in the database itself', async () => {
    await expect(ctx.handle.withScriptSession((exec) => exec('delete from events'))).resolves.toEqual([]);
    await ctx.db
      .insertInto('events')
      .values({
        seq: 1,
        id: '00000000-0000-4000-8000-000000000001',
        type: 'test.probe',
        item_id: null,
        actor_id: null,
        occurred_at: new Date(),
        payload: '{}',
        canonical: '{}',
      })
      .execute();
    await expect(ctx.db.deleteFrom('events').execute()).rejects.toThrow(/append-only/);
    await expect(ctx.db.updateTable('events').set({ type: 'x' }).execute()).rejects.toThrow(/append-only/);
  });

  it('serves Prometheus metrics to loopback callers only, or with the metrics token', async () => {
    const local = await app.inject({ method: 'GET', url: '/metrics' });
    expect(local.statusCode).toBe(200);
    expect(local.body).toContain('duban_http_requests_total');
    const remote = await app.inject({ method: 'GET', url: '/metrics', remoteAddress: '10.1.2.3' });
    expect(remote.statusCode).toBe(403);
    expect(remote.json().code).toBe('FORBIDDEN');
    const forwarded = await app.inject({
      method: 'GET',
      url: '/metrics',
      remoteAddress: '10.1.2.3',
      headers: { 'x-forwarded-for': '127.0.0.1' },
    });
    expect(forwarded.statusCode).toBe(403);

    const token = 'metrics-token-for-tests-0123456789';
    const guarded = await buildApp({ ...ctx, metricsToken: token });
    try {
      expect((await guarded.inject({ method: 'GET', url: '/metrics' })).statusCode).toBe(403);
      const wrong = await guarded.inject({
        method: 'GET',
        url: '/metrics',
        headers: { authorization: 'Bearer nope' },
      });
      expect(wrong.statusCode).toBe(403);
      const right = await guarded.inject({
        method: 'GET',
        url: '/metrics',
        remoteAddress: '10.1.2.3',
        headers: { authorization: `Bearer ${token}` },
      });
      expect(right.statusCode).toBe(200);
    } finally {
      await guarded.close();
    }
  });
});
