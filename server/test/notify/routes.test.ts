import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { notify } from '../../src/notify/notify.ts';
import { createTestContext, type TestContext } from '../support/context.ts';
import { buildWorld, type Session, type World } from '../support/factories.ts';

const SECRET = `whsec_${Buffer.alloc(32, 9).toString('base64')}`;

describe('notification routes', () => {
  let ctx: TestContext;
  let world: World;
  const id = (u: string) => world.users[u] ?? '';

  beforeAll(async () => {
    ctx = await createTestContext();
    world = await buildWorld(ctx);
    await ctx.db
      .updateTable('users')
      .set({ email: 'housing@hz.gov.cn' })
      .where('id', '=', id('housing_h'))
      .execute();
  });
  afterAll(async () => {
    await world.app.close();
    await ctx.cleanup();
  });

  const tell = (user: string, title: string, urgent = false) =>
    ctx.db.transaction().execute((tx) =>
      notify(
        tx,
        { recipients: [id(user)], kind: 'item.reminder', title, body: `${title}。`, urgent },
        ctx.now(),
        {
          channels: [],
        },
      ),
    );
  const put = (s: Session, body: unknown) =>
    world.app.inject({
      method: 'PUT',
      url: '/api/v1/notifications/preferences',
      payload: body as object,
      headers: { cookie: s.cookie, 'x-csrf-token': s.csrf },
    });

  it('401 for every route without a login', async () => {
    for (const [method, url] of [
      ['GET', '/api/v1/notifications'],
      ['GET', '/api/v1/notifications/stream'],
      ['GET', '/api/v1/notifications/preferences'],
      ['PUT', '/api/v1/notifications/preferences'],
      ['POST', '/api/v1/notifications/read-all'],
      ['POST', '/api/v1/notifications/00000000-0000-4000-8000-000000000000/read'],
      ['GET', '/api/v1/admin/notifications/dead'],
      ['POST', '/api/v1/admin/notifications/dead/00000000-0000-4000-8000-000000000000/retry'],
    ] as const) {
      const res = await world.app.inject({ method, url, payload: method === 'GET' ? undefined : {} });
      expect(res.statusCode, `${method} ${url}`).toBe(401);
      expect(res.headers['content-type']).toContain('application/problem+json');
    }
  });

  it('lists the caller’s own inbox, newest first, paged, with an unread filter', async () => {
    for (const t of ['第一条', '第二条', '第三条']) await tell('housing_h', t);
    await tell('edu_h', '别人的通知');
    const housing = await world.as('housing_h');
    const page = await housing.get('/api/v1/notifications?limit=2');
    expect(page.statusCode).toBe(200);
    const body = page.json();
    expect(body.notifications.map((n: { title: string }) => n.title)).toEqual(['第三条', '第二条']);
    expect(body.unreadCount).toBe(3);
    expect(body.notifications[0]).toMatchObject({
      kind: 'item.reminder',
      urgent: false,
      readAt: null,
      link: null,
    });
    const rest = (await housing.get(`/api/v1/notifications?limit=2&before=${body.nextBefore}`)).json();
    expect(rest.notifications.map((n: { title: string }) => n.title)).toEqual(['第一条']);
    expect(rest.nextBefore).toBeNull();

    const bad = await housing.get('/api/v1/notifications?limit=0');
    expect(bad.statusCode).toBe(400);
    expect(bad.json()).toMatchObject({ code: 'VALIDATION_FAILED', field: 'querystring.limit' });
    expect(bad.json().detailZh).toContain('querystring.limit');
    expect((await housing.get('/api/v1/notifications?unread=yes')).json().field).toBe('querystring.unread');
  });

  it('marks read (own only: another’s answers 404) and all read', async () => {
    const housing = await world.as('housing_h');
    const edu = await world.as('edu_h');
    const mine = (await housing.get('/api/v1/notifications')).json().notifications;
    const theirs = (await edu.get('/api/v1/notifications')).json().notifications;
    expect(theirs.map((n: { title: string }) => n.title)).toEqual(['别人的通知']);

    expect((await housing.post('/api/v1/notifications/not-a-uuid/read')).json()).toMatchObject({
      status: 400,
      field: 'params.id',
    });
    const foreign = await housing.post(`/api/v1/notifications/${theirs[0].id}/read`);
    expect(foreign.statusCode).toBe(404);
    expect(foreign.json()).toMatchObject({ code: 'NOT_FOUND', detailZh: '通知不存在' });

    ctx.setNow('2026-03-03T02:00:00Z');
    const read = await housing.post(`/api/v1/notifications/${mine[0].id}/read`);
    expect(read.statusCode).toBe(200);
    expect(read.json().notification).toMatchObject({ id: mine[0].id, readAt: '2026-03-03T02:00:00.000Z' });
    ctx.setNow('2026-03-03T03:00:00Z');
    // reading again keeps the first time
    expect((await housing.post(`/api/v1/notifications/${mine[0].id}/read`)).json().notification.readAt).toBe(
      '2026-03-03T02:00:00.000Z',
    );
    const unread = (await housing.get('/api/v1/notifications?unread=true')).json();
    expect(unread.notifications).toHaveLength(2);
    expect(unread.unreadCount).toBe(2);

    expect((await housing.post('/api/v1/notifications/read-all', { upToSeq: 'x' })).json().field).toBe(
      'body.upToSeq',
    );
    const all = await housing.post('/api/v1/notifications/read-all', {});
    expect(all.json()).toEqual({ updated: 2 });
    expect((await housing.get('/api/v1/notifications')).json().unreadCount).toBe(0);
    // another user's stays unread
    expect((await edu.get('/api/v1/notifications')).json().unreadCount).toBe(1);
    // marking read writes no domain event
    const events = await ctx.db
      .selectFrom('events')
      .select('type')
      .where('type', 'like', 'notification.%')
      .execute();
    expect(events).toEqual([]);
  });

  it('reads and changes preferences; targets are summarised and never recorded in events', async () => {
    const s = await world.login('housing_h');
    const get = () =>
      world.app.inject({
        method: 'GET',
        url: '/api/v1/notifications/preferences',
        headers: { cookie: s.cookie },
      });
    const before = (await get()).json();
    expect(before.contacts).toEqual({ email: 'housing@hz.gov.cn', phone: null });
    expect(before.channels.map((c: { channel: string }) => c.channel)).toEqual([
      'email',
      'sms',
      'webhook',
      'wecom',
      'dingtalk',
    ]);
    expect(before.channels[0]).toMatchObject({
      channel: 'email',
      enabled: true,
      digest: false,
      quietHours: null,
      target: null,
      deliversTo: 'housing@hz.gov.cn',
    });
    expect(before.channels[2]).toMatchObject({ channel: 'webhook', deliversTo: null });

    const badTime = await put(s, {
      channels: [{ channel: 'email', quietHours: { start: '25:00', end: '07:00' } }],
    });
    expect(badTime.statusCode).toBe(400);
    expect(badTime.json().field).toBe('body.channels.0.quietHours.start');
    const badMail = await put(s, { channels: [{ channel: 'email', target: 'not-mail' }] });
    expect(badMail.json().field).toBe('body.channels.0.target');
    const badChannel = await put(s, { channels: [{ channel: 'fax' }] });
    expect(badChannel.statusCode).toBe(400);
    expect(badChannel.json().field).toMatch(/^body\.channels\.0/);
    expect((await put(s, { channels: [{ channel: 'sms' }, { channel: 'sms' }] })).json().field).toBe(
      'body.channels',
    );
    expect((await put(s, { channels: [{ channel: 'sms', target: '12ab' }] })).json().field).toBe(
      'body.channels.0.target',
    );

    const ok = await put(s, {
      channels: [
        { channel: 'email', quietHours: { start: '22:00', end: '07:00' }, digest: true },
        { channel: 'sms', target: '138-0013-8000' },
        { channel: 'webhook', target: { url: 'https://hooks.example.gov.cn/duban', secret: SECRET } },
        {
          channel: 'wecom',
          target: 'https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=693a91f6-7xxx-4bc4-97a0-0ec2sifa5aaa',
        },
      ],
    });
    expect(ok.statusCode).toBe(200);
    const after = ok.json();
    expect(after.channels[0]).toMatchObject({ quietHours: { start: '22:00', end: '07:00' }, digest: true });
    expect(after.channels[1]).toMatchObject({ target: '13800138000', deliversTo: '13800138000' });
    expect(after.channels[2].target).toBe('https://hooks.example.gov.cn/duban（已设置签名密钥）');
    expect(after.channels[3].target).toBe('https://qyapi.weixin.qq.com/cgi-bin/webhook/send（…5aaa）');
    expect(JSON.stringify(after)).not.toContain(SECRET);
    expect((await get()).json()).toEqual(after);

    // a partial change keeps the rest; target null clears
    const partial = (await put(s, { channels: [{ channel: 'sms', enabled: false, target: null }] })).json();
    expect(partial.channels[1]).toMatchObject({ enabled: false, target: null, deliversTo: null });
    expect(partial.channels[0]).toMatchObject({ digest: true });

    const events = await ctx.db
      .selectFrom('events')
      .select(['type', 'actor_id', 'canonical'])
      .where('type', '=', 'notification.preferences_changed')
      .orderBy('seq')
      .execute();
    expect(events).toHaveLength(2);
    expect(events[0]?.actor_id).toBe(id('housing_h'));
    expect(JSON.parse(events[0]?.canonical ?? '{}').payload.channels).toEqual([
      {
        channel: 'email',
        enabled: true,
        digest: true,
        quietHours: { start: '22:00', end: '07:00' },
        targetSet: false,
      },
      { channel: 'sms', enabled: true, digest: false, quietHours: null, targetSet: true },
      { channel: 'webhook', enabled: true, digest: false, quietHours: null, targetSet: true },
      { channel: 'wecom', enabled: true, digest: false, quietHours: null, targetSet: true },
    ]);
    for (const e of events) {
      expect(e.canonical).not.toContain('13800138000');
      expect(e.canonical).not.toContain(SECRET);
      expect(e.canonical).not.toContain('qyapi');
    }
  });

  it('dead-letter routes are for admins: 403 for others, 404/409/400 as due', async () => {
    const handler = await world.as('housing_h');
    expect((await handler.get('/api/v1/admin/notifications/dead')).statusCode).toBe(403);
    const row = await ctx.db.selectFrom('notification_deliveries').select('id').executeTakeFirst();
    expect(row).toBeUndefined();
    // a sent row is not in the list and cannot be re-queued
    const { notificationIds } = await ctx.db.transaction().execute((tx) =>
      notify(
        tx,
        { recipients: [id('housing_h')], kind: 'k', title: '投递', body: '', urgent: false },
        ctx.now(),
        {
          channels: ['email'],
        },
      ),
    );
    const delivery = await ctx.db
      .selectFrom('notification_deliveries')
      .select('id')
      .where('notification_id', '=', notificationIds[0] ?? '')
      .executeTakeFirstOrThrow();
    expect((await handler.post(`/api/v1/admin/notifications/dead/${delivery.id}/retry`)).statusCode).toBe(
      403,
    );
    const admin = await world.as('admin');
    expect((await admin.get('/api/v1/admin/notifications/dead?limit=500')).json().field).toBe(
      'querystring.limit',
    );
    expect((await admin.get('/api/v1/admin/notifications/dead')).json()).toEqual({
      deliveries: [],
      total: 0,
    });
    const conflict = await admin.post(`/api/v1/admin/notifications/dead/${delivery.id}/retry`);
    expect(conflict.statusCode).toBe(409);
    expect(conflict.json().detailZh).toContain('不在死信列表中');
    expect(
      (await admin.post('/api/v1/admin/notifications/dead/00000000-0000-4000-8000-000000000000/retry'))
        .statusCode,
    ).toBe(404);
    expect((await admin.post('/api/v1/admin/notifications/dead/nope/retry')).json().field).toBe('params.id');
  });
});
