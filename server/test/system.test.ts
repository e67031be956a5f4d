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
});
