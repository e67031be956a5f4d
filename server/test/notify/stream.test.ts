/** The live stream over a real socket: notifications, item changes, resume, heartbeats, logout. */
import fastifyCookie from '@fastify/cookie';
import Fastify from 'fastify';
import { serializerCompiler, validatorCompiler, type ZodTypeProvider } from 'fastify-type-provider-zod';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { registerAuth } from '../../src/auth/register.ts';
import { sendProblem } from '../../src/http/problem.ts';
import { encodeSignal, PG_CHANNEL, signal } from '../../src/notify/bus.ts';
import { notify } from '../../src/notify/notify.ts';
import { registerNotificationRoutes } from '../../src/notify/routes.ts';
import { createTestContext, type TestContext } from '../support/context.ts';
import { buildWorld, itemBody, type World } from '../support/factories.ts';
import { openSse, type SseClient, secondHandle, waitFor } from './support.ts';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('GET /api/v1/notifications/stream (Server-Sent Events)', () => {
  let ctx: TestContext;
  let world: World;
  let base: string;
  const open: SseClient[] = [];
  const id = (u: string) => world.users[u] ?? '';

  beforeAll(async () => {
    ctx = await createTestContext();
    world = await buildWorld(ctx);
    base = await world.app.listen({ port: 0, host: '127.0.0.1' });
  });
  afterAll(async () => {
    for (const c of open) c.close();
    await world.app.close();
    await ctx.cleanup();
  });

  const stream = async (username: string, headers: Record<string, string> = {}) => {
    const s = await world.login(username);
    const c = await openSse(`${base}/api/v1/notifications/stream`, { cookie: s.cookie, ...headers });
    open.push(c);
    return c;
  };
  const tell = (user: string, title: string) =>
    ctx.db.transaction().execute((tx) =>
      notify(
        tx,
        { recipients: [id(user)], kind: 'item.reminder', title, body: '', urgent: false },
        new Date(),
        {
          channels: [],
        },
      ),
    );

  it('pushes a new notification to its recipient only, promptly', async () => {
    const city = await stream('city_sup');
    const ningbo = await stream('ningbo_sup');
    expect(city.status).toBe(200);
    expect(JSON.parse((await city.next('ready')).data)).toEqual({ unreadCount: 0 });
    await ningbo.next('ready');

    const started = performance.now();
    await tell('city_sup', '【督办提醒】新事项待签收');
    const event = await city.next('notification');
    const latency = performance.now() - started;
    const body = JSON.parse(event.data);
    expect(body).toMatchObject({ title: '【督办提醒】新事项待签收', kind: 'item.reminder', readAt: null });
    expect(event.id).toBe(String(body.seq));
    expect(latency).toBeLessThan(5000);
    console.log(`notification → SSE event in ${latency.toFixed(0)} ms (${ctx.handle.kind})`);

    // a rolled-back notification never arrives; the next committed one does
    await ctx.db
      .transaction()
      .execute(async (tx) => {
        await notify(
          tx,
          { recipients: [id('city_sup')], kind: 'x', title: '回滚', body: '', urgent: false },
          new Date(),
          {
            channels: [],
          },
        );
        throw new Error('rollback');
      })
      .catch(() => undefined);
    await tell('city_sup', '第二条');
    await waitFor(
      () => (city.events.filter((e) => e.event === 'notification').length >= 2 ? true : undefined),
      '2nd',
    );
    await sleep(200);
    expect(
      city.events.filter((e) => e.event === 'notification').map((e) => JSON.parse(e.data).title),
    ).toEqual(['【督办提醒】新事项待签收', '第二条']);
    expect(ningbo.events.filter((e) => e.event === 'notification')).toEqual([]);
  });

  it('sends item.changed to those who may see the item', async () => {
    const cityClient = await world.as('city_sup');
    const created = await cityClient.post('/api/v1/items', itemBody({ title: '实时推送测试事项' }));
    expect(created.statusCode).toBe(201);
    const itemId: string = created.json().item.id;
    const city = await stream('city_sup');
    const prov = await stream('prov_sup');
    const ningbo = await stream('ningbo_sup');
    await Promise.all([city.next('ready'), prov.next('ready'), ningbo.next('ready')]);

    await signal(ctx.db, { type: 'items', itemIds: [itemId] });
    expect(JSON.parse((await city.next('item.changed')).data)).toEqual({ itemId });
    expect(JSON.parse((await prov.next('item.changed')).data)).toEqual({ itemId });
    await sleep(400);
    expect(ningbo.events.filter((e) => e.event === 'item.changed')).toEqual([]);
    // item events carry no id, so they never move Last-Event-ID
    expect(city.events.find((e) => e.event === 'item.changed')?.id).toBeUndefined();
  });

  it('announces an item action on the stream (every event write signals its items)', async () => {
    const cityClient = await world.as('city_sup');
    const created = await cityClient.post('/api/v1/items', itemBody({ title: '动作推送测试事项' }));
    expect(created.statusCode).toBe(201);
    const itemId: string = created.json().item.id;
    const city = await stream('city_sup');
    const ningbo = await stream('ningbo_sup');
    await Promise.all([city.next('ready'), ningbo.next('ready')]);
    const res = await cityClient.post(`/api/v1/items/${itemId}/actions/suspend`, { reason: '等待上级意见' });
    expect(res.statusCode, res.body).toBe(200);
    expect(JSON.parse((await city.next('item.changed')).data)).toEqual({ itemId });
    await sleep(400);
    expect(ningbo.events.filter((e) => e.event === 'item.changed')).toEqual([]);
  });

  it('resumes after Last-Event-ID with what was missed, in order', async () => {
    const first = await stream('housing_h');
    await first.next('ready');
    await tell('housing_h', '断线前');
    const seen = await first.next('notification');
    first.close();
    await tell('housing_h', '断线中一');
    await tell('housing_h', '断线中二');

    const again = await stream('housing_h', { 'last-event-id': seen.id ?? '' });
    await again.next('ready');
    await waitFor(
      () => (again.events.filter((e) => e.event === 'notification').length >= 2 ? true : undefined),
      'resume',
    );
    const titles = again.events
      .filter((e) => e.event === 'notification')
      .map((e) => JSON.parse(e.data).title);
    expect(titles).toEqual(['断线中一', '断线中二']);
    const ids = again.events.filter((e) => e.event === 'notification').map((e) => Number(e.id));
    expect(ids[0]).toBeGreaterThan(Number(seen.id));
    expect(ids[1]).toBeGreaterThan(ids[0] ?? 0);

    const s = await world.login('housing_h');
    const bad = await world.app.inject({
      method: 'GET',
      url: '/api/v1/notifications/stream',
      headers: { cookie: s.cookie, 'last-event-id': 'abc' },
    });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().field).toBe('header.last-event-id');
  });

  it('sends heartbeats and ends the stream when the session ends', async () => {
    const app = Fastify().withTypeProvider<ZodTypeProvider>();
    app.setValidatorCompiler(validatorCompiler);
    app.setSerializerCompiler(serializerCompiler);
    app.setErrorHandler((err, request, reply) => sendProblem(err, request, reply));
    app.decorateRequest('actor', undefined);
    await app.register(fastifyCookie);
    registerAuth(app, ctx);
    registerNotificationRoutes(app, ctx, { stream: { heartbeatMs: 150 } });
    const origin = await app.listen({ port: 0, host: '127.0.0.1' });
    try {
      const s = await world.login('edu_h');
      const c = await openSse(`${origin}/api/v1/notifications/stream`, { cookie: s.cookie });
      open.push(c);
      await c.next('ready');
      await waitFor(
        () => (c.comments.filter((x) => x === 'ping').length >= 2 ? true : undefined),
        'two pings',
      );
      const logout = await world.app.inject({
        method: 'POST',
        url: '/api/v1/auth/logout',
        headers: { cookie: s.cookie, 'x-csrf-token': s.csrf },
      });
      expect(logout.statusCode).toBe(204);
      await waitFor(() => (c.ended() ? true : undefined), 'the stream to end after logout');
    } finally {
      await app.close();
    }
  });

  // Only on a PostgreSQL server (there is no other process on the embedded database): registered
  // there, absent on PGlite — not a skipped test.
  if (process.env.DATABASE_URL)
    it('PostgreSQL: a notification committed by another process arrives through LISTEN, at commit only', async () => {
      const other = await secondHandle(ctx);
      try {
        const c = await stream('county_sup');
        await c.next('ready');
        // What another process's notify() does: the row and pg_notify in its transaction (no
        // in-process signal reaches this process from there).
        let release: () => void = () => undefined;
        const held = new Promise<void>((r) => {
          release = r;
        });
        const inserted = new Promise<number>((resolveSeq) => {
          void other.db.transaction().execute(async (tx) => {
            const row = await tx
              .insertInto('notifications')
              .values({
                id: crypto.randomUUID(),
                user_id: id('county_sup'),
                kind: 'item.reminder',
                title: '来自另一个进程',
                body: '',
                urgent: false,
                data: '{}',
                created_at: new Date(),
              })
              .returning('seq')
              .executeTakeFirstOrThrow();
            for (const payload of encodeSignal({
              type: 'notifications',
              refs: [{ userId: id('county_sup'), seq: Number(row.seq) }],
            })) {
              await sql`select pg_notify(${PG_CHANNEL}, ${payload})`.execute(tx);
            }
            resolveSeq(Number(row.seq));
            await held;
          });
        });
        const seq = await inserted;
        await sleep(300);
        expect(c.events.filter((e) => e.event === 'notification')).toEqual([]);
        release();
        const event = await c.next('notification');
        expect(event.id).toBe(String(seq));
        expect(JSON.parse(event.data).title).toBe('来自另一个进程');
      } finally {
        await other.close();
      }
    });
});
