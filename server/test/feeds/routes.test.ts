import crypto from 'node:crypto';
import type { LightMyRequestResponse } from 'fastify';
import ICAL from 'ical.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestContext, type TestContext } from '../support/context.ts';
import { buildWorld, itemBody, type World } from '../support/factories.ts';

/**
 * The calendar feed end to end: issue, fetch (parsed by ical.js, an independent RFC 5545
 * parser), rotate, revoke; what each kind of user finds in it.
 */

let ctx: TestContext;
let w: World;
const ME = '/api/v1/users/me/calendar-feed';
const ITEMS = '/api/v1/items';

type Item = { id: string; number: string; title: string };
const items = {} as Record<'a' | 'b' | 'c' | 'd' | 'e' | 'f' | 'g', Item>;

/** 162 characters, 452 octets: ASCII comma, semicolon and backslash among CJK text and punctuation. */
const LONG_TITLE =
  '关于加快推进城市更新, 老旧小区改造和完整社区建设; 完善养老托育、停车充电等配套设施, ' +
  '统筹"一老一小"服务设施\\公共空间布局; 建立长效管理机制, 确保群众满意的督办事项（第一批: ' +
  '城北片区、城东片区、城西片区、运河沿线、钱塘江沿线共计五十个老旧小区的综合改造任务, ' +
  '含加装电梯、雨污分流、管线入地、立面整治和智慧安防）';

function ok(res: LightMyRequestResponse, status = 200) {
  if (res.statusCode !== status) throw new Error(`expected ${status}, got ${res.statusCode}: ${res.body}`);
  return res.json();
}

async function register(username: string, overrides: Record<string, unknown> = {}): Promise<Item> {
  const body = ok(await (await w.as(username)).post(ITEMS, itemBody(overrides)), 201);
  return { id: body.item.id, number: body.item.number, title: body.item.title };
}

async function act(username: string, id: string, action: string, body: Record<string, unknown> = {}) {
  ok(await (await w.as(username)).post(`${ITEMS}/${id}/actions/${action}`, body));
}

function userId(username: string): string {
  const id = w.users[username];
  if (!id) throw new Error(`fixture: no user ${username}`);
  return id;
}

const lead = (unit: string, deadline: string) => ({ unitId: w.units[unit], role: 'lead', deadline });

beforeAll(async () => {
  ctx = await createTestContext();
  ctx.setNow('2026-11-27T02:00:00Z'); // 2026-11-27 in Asia/Shanghai
  w = await buildWorld(ctx);

  // A: housing leads (own deadline 2027-06-20), education collaborates (2027-05-31); two milestones.
  items.a = await register('city_sup', {
    milestones: [
      { name: '完成方案设计', date: '2027-01-15' },
      { name: '开工建设', date: '2027-03-01' },
    ],
  });
  await act('city_sup', items.a.id, 'dispatch', {
    assignments: [
      lead('housing', '2027-06-20'),
      { unitId: w.units.education, role: 'collaborator', deadline: '2027-05-31' },
    ],
  });
  // B: finance only; a long title with characters TEXT must escape.
  items.b = await register('city_sup', { title: LONG_TITLE, deadline: '2027-03-31' });
  await act('city_sup', items.b.id, 'dispatch', { assignments: [lead('finance', '2027-03-31')] });
  // C: 宁波, outside 杭州's region.
  items.c = await register('ningbo_sup', { title: '宁波港区疏港公路建设' });
  // D: completed — closed for everyone.
  items.d = await register('city_sup', { title: '已办结的事项' });
  await act('city_sup', items.d.id, 'dispatch', { assignments: [lead('housing', '2027-06-30')] });
  await act('housing_h', items.d.id, 'accept');
  await act('housing_h', items.d.id, 'request-completion', { summary: '已完成。' });
  await act('city_sup', items.d.id, 'approve-completion', { comment: '同意' });
  // E: housing returned it — no longer housing's; still open for the supervisor.
  items.e = await register('city_sup', { title: '被退回的事项' });
  await act('city_sup', items.e.id, 'dispatch', { assignments: [lead('housing', '2027-06-30')] });
  await act('housing_h', items.e.id, 'return', { reason: '不属于本单位职责' });
  // F: a draft — not a commitment yet.
  items.f = await register('city_sup', { title: '草稿事项', draft: true });
  // G: 西湖区, inside 杭州's region subtree.
  items.g = await register('county_sup', { title: '西湖区背街小巷整治', deadline: '2027-04-30' });
});
afterAll(async () => {
  await w?.app.close();
  await ctx?.cleanup();
});

// ------------------------------------------------------------------ helpers

type Issued = { status: number; url: string; path: string; token: string };

async function issue(username: string): Promise<Issued> {
  const res = await (await w.as(username)).post(ME);
  expect([200, 201]).toContain(res.statusCode);
  expect(res.headers['cache-control']).toBe('no-store');
  const url: string = res.json().url;
  const path = new URL(url).pathname;
  const token = /^\/api\/v1\/calendar-feed\/([A-Za-z0-9_-]{43})\.ics$/.exec(path)?.[1];
  if (!token) throw new Error(`unexpected feed url ${url}`);
  return { status: res.statusCode, url, path, token };
}

async function revoke(username: string) {
  const s = await w.login(username);
  return w.app.inject({
    method: 'DELETE',
    url: ME,
    headers: { cookie: s.cookie, 'x-csrf-token': s.csrf },
  });
}

const fetchFeed = (path: string) => w.app.inject({ method: 'GET', url: path });

function parseFeed(res: LightMyRequestResponse) {
  expect(res.statusCode, res.body).toBe(200);
  expect(res.headers['content-type']).toBe('text/calendar; charset=utf-8');
  const calendar = new ICAL.Component(ICAL.parse(res.body));
  const events = new Map<string, InstanceType<typeof ICAL.Event>>();
  for (const vevent of calendar.getAllSubcomponents('vevent')) {
    const event = new ICAL.Event(vevent);
    expect(events.has(event.uid), `duplicate UID ${event.uid}`).toBe(false);
    events.set(event.uid, event);
  }
  return { calendar, events };
}

async function feedOf(username: string) {
  const { path } = await issue(username);
  return parseFeed(await fetchFeed(path));
}

const deadlineUid = (item: Item) => `${item.id}-deadline@duban`;
const itemIdsIn = (events: Map<string, unknown>) =>
  new Set([...events.keys()].map((uid) => uid.slice(0, 36)));

function expectNotFoundProblem(res: LightMyRequestResponse) {
  expect(res.statusCode).toBe(404);
  expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
  const body = res.json();
  expect(body.code).toBe('NOT_FOUND');
  return body;
}

// ------------------------------------------------------------------ issuing and revoking

describe('issuing, rotating and revoking the feed URL', () => {
  it('needs a session: 401 without one', async () => {
    for (const method of ['GET', 'POST', 'DELETE'] as const) {
      const res = await w.app.inject({ method, url: ME });
      expect(res.statusCode, method).toBe(401);
      expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
      expect(res.json().code).toBe('UNAUTHENTICATED');
    }
  });

  it('refuses an API token: a feed URL would outlive it', async () => {
    const created = ok(
      await (await w.as('edu_h')).post('/api/v1/auth/tokens', { name: '脚本', scopes: ['items:read'] }),
      201,
    );
    const res = await w.app.inject({
      method: 'POST',
      url: ME,
      headers: { authorization: `Bearer ${created.token}` },
      payload: {},
    });
    expect(res.statusCode).toBe(403);
    expect(res.json().code).toBe('FORBIDDEN');
  });

  it('refuses an Idempotency-Key: the answer is a secret that must not be stored', async () => {
    const res = await (await w.as('edu_h')).post(ME, {}, { 'idempotency-key': 'feed-key-0001' });
    expect(res.statusCode).toBe(400);
    expect(res.json().field).toBe('header.idempotency-key');
    const stored = await ctx.db.selectFrom('calendar_feeds').select('user_id').execute();
    expect(stored.map((r) => r.user_id)).not.toContain(userId('edu_h'));
  });

  it('creates, rotates (the old URL dies) and revokes, recording each as an event', async () => {
    const housingH = userId('housing_h');
    const seqBefore = await ctx.db
      .selectFrom('events')
      .select(({ fn }) => fn.max('seq').as('max'))
      .executeTakeFirstOrThrow();

    expect(ok(await (await w.as('housing_h')).get(ME)).feed).toBeNull();

    const first = await issue('housing_h');
    expect(first.status).toBe(201);
    expect(first.url.startsWith('http')).toBe(true);
    // Only the hash is stored.
    const row = await ctx.db
      .selectFrom('calendar_feeds')
      .selectAll()
      .where('user_id', '=', housingH)
      .executeTakeFirstOrThrow();
    expect(row.token_hash).toBe(crypto.createHash('sha256').update(first.token).digest('hex'));
    expect(row.last_used_at).toBeNull();

    parseFeed(await fetchFeed(first.path));
    const status = ok(await (await w.as('housing_h')).get(ME)).feed;
    expect(status).toEqual({ createdAt: '2026-11-27T02:00:00.000Z', lastUsedAt: '2026-11-27T02:00:00.000Z' });
    expect(JSON.stringify(status)).not.toContain(first.token);

    const second = await issue('housing_h');
    expect(second.status).toBe(200);
    expect(second.token).not.toBe(first.token);
    expectNotFoundProblem(await fetchFeed(first.path));
    parseFeed(await fetchFeed(second.path));

    const revoked = await revoke('housing_h');
    expect(revoked.statusCode).toBe(204);
    expect(revoked.body).toBe('');
    expectNotFoundProblem(await fetchFeed(second.path));
    expect(ok(await (await w.as('housing_h')).get(ME)).feed).toBeNull();
    // Revoking again is harmless and records nothing.
    expect((await revoke('housing_h')).statusCode).toBe(204);

    const events = await ctx.db
      .selectFrom('events')
      .select(['type', 'actor_id', 'item_id', 'payload'])
      .where('seq', '>', Number(seqBefore.max ?? 0))
      .where('type', 'like', 'calendar_feed.%')
      .orderBy('seq')
      .execute();
    expect(events).toEqual([
      {
        type: 'calendar_feed.created',
        actor_id: housingH,
        item_id: null,
        payload: { type: 'calendar_feed.created', userId: housingH },
      },
      {
        type: 'calendar_feed.rotated',
        actor_id: housingH,
        item_id: null,
        payload: { type: 'calendar_feed.rotated', userId: housingH },
      },
      {
        type: 'calendar_feed.revoked',
        actor_id: housingH,
        item_id: null,
        payload: { type: 'calendar_feed.revoked', userId: housingH },
      },
    ]);
    // The secret never enters the append-only log.
    const all = await ctx.db.selectFrom('events').select('canonical').execute();
    expect(all.some((e) => e.canonical.includes(first.token) || e.canonical.includes(second.token))).toBe(
      false,
    );
  });

  it('answers a wrong, malformed or revoked secret exactly like an unknown route', async () => {
    const unknownRoute = expectNotFoundProblem(await fetchFeed('/api/v1/calendar-feed/nothing-here'));
    const wrong = expectNotFoundProblem(await fetchFeed(`/api/v1/calendar-feed/${'A'.repeat(43)}.ics`));
    const malformed = expectNotFoundProblem(await fetchFeed('/api/v1/calendar-feed/x.ics'));
    const strip = ({ instance: _i, ...rest }: Record<string, unknown>) => rest;
    expect(strip(wrong)).toEqual(strip(unknownRoute));
    expect(strip(malformed)).toEqual(strip(unknownRoute));
  });

  it('stops serving a deactivated user', async () => {
    const { path } = await issue('ningbo_h');
    parseFeed(await fetchFeed(path));
    await ctx.db.updateTable('users').set({ active: false }).where('id', '=', userId('ningbo_h')).execute();
    try {
      expectNotFoundProblem(await fetchFeed(path));
    } finally {
      await ctx.db.updateTable('users').set({ active: true }).where('id', '=', userId('ningbo_h')).execute();
    }
  });
});

// ------------------------------------------------------------------ what the feed holds

describe('the feed', () => {
  it('is a valid calendar of all-day events with alarms, links and Chinese summaries', async () => {
    const res = await fetchFeed((await issue('housing_h')).path);
    const { calendar, events } = parseFeed(res);
    expect(res.headers['cache-control']).toBe('private, no-store');
    expect(calendar.getFirstPropertyValue('version')).toBe('2.0');
    expect(calendar.getFirstPropertyValue('x-wr-calname')).toBe('督办日历（housing_h）');

    const deadline = events.get(deadlineUid(items.a));
    if (!deadline) throw new Error('no deadline event for A');
    expect(deadline.summary).toBe(`【到期】${items.a.number} 推进老旧小区改造`);
    expect(items.a.number).toMatch(/^杭督〔2026〕\d{4}号$/);
    // The unit's own assignment deadline, not the item's (2027-06-30); all day, DTEND the next day.
    expect(deadline.startDate.isDate).toBe(true);
    expect(deadline.startDate.toString()).toBe('2027-06-20');
    expect(deadline.endDate.isDate).toBe(true);
    expect(deadline.endDate.toString()).toBe('2027-06-21');
    expect(deadline.description).toContain('状态：已交办');
    expect(deadline.description).toContain('本单位分工：牵头单位，期限 2027-06-20');
    expect(deadline.description).toContain('事项期限：2027-06-30');
    const url = String(deadline.component.getFirstPropertyValue('url'));
    expect(new URL(url).hash).toBe(`#/items/${items.a.id}`);
    expect(deadline.description).toContain(`详情：${url}`);
    expect(deadline.component.getFirstProperty('dtstamp')?.getFirstValue()?.toString()).toMatch(/Z$/);

    const alarms = deadline.component.getAllSubcomponents('valarm');
    expect(alarms).toHaveLength(1);
    const [alarm] = alarms;
    expect(alarm?.getFirstPropertyValue('action')).toBe('DISPLAY');
    const trigger = alarm?.getFirstPropertyValue('trigger');
    expect(trigger instanceof ICAL.Duration ? trigger.toSeconds() : trigger).toBe(-86400);

    const m1 = events.get(`${items.a.id}-milestone-1@duban`);
    const m2 = events.get(`${items.a.id}-milestone-2@duban`);
    expect(m1?.summary).toBe(`【节点】${items.a.number} 推进老旧小区改造：完成方案设计`);
    expect(m1?.startDate.toString()).toBe('2027-01-15');
    expect(m1?.endDate.toString()).toBe('2027-01-16');
    expect(m2?.startDate.toString()).toBe('2027-03-01');
    expect(m1?.component.getAllSubcomponents('valarm')).toHaveLength(0);

    // Every physical line within 75 octets, every line ending CRLF.
    expect(res.body.endsWith('\r\n')).toBe(true);
    for (const line of res.body.slice(0, -2).split('\r\n')) {
      expect(Buffer.byteLength(line, 'utf8')).toBeLessThanOrEqual(75);
    }
  });

  it('keeps UIDs stable from one fetch to the next', async () => {
    const { path } = await issue('city_sup');
    const once = [...parseFeed(await fetchFeed(path)).events.keys()].sort();
    const twice = [...parseFeed(await fetchFeed(path)).events.keys()].sort();
    expect(twice).toEqual(once);
  });

  it('carries a long title with commas, semicolons and a backslash through folding intact', async () => {
    const res = await fetchFeed((await issue('fin_h')).path);
    const event = parseFeed(res).events.get(deadlineUid(items.b));
    expect(event?.summary).toBe(`【到期】${items.b.number} ${LONG_TITLE}`);
    expect(event?.description).toContain(`督办事项：${items.b.number} ${LONG_TITLE}\n状态：已交办`);
    // On the wire: escaped, and folded over several lines.
    const lines = res.body.split('\r\n');
    const start = lines.findIndex((l) => l.startsWith(`SUMMARY:【到期】${items.b.number}`));
    let end = start + 1;
    while (lines[end]?.startsWith(' ')) end++;
    expect(end - start).toBeGreaterThanOrEqual(6);
    const wire = lines
      .slice(start, end)
      .map((l, i) => (i === 0 ? l : l.slice(1)))
      .join('');
    expect(wire).toBe(
      `SUMMARY:【到期】${items.b.number} ${LONG_TITLE.replaceAll('\\', '\\\\').replaceAll(',', '\\,').replaceAll(';', '\\;')}`,
    );
  });

  it('gives a handler the deadlines of their unit’s live assignments only', async () => {
    const { events } = await feedOf('housing_h');
    expect(itemIdsIn(events)).toEqual(new Set([items.a.id]));
    expect([...events.keys()].sort()).toEqual(
      [deadlineUid(items.a), `${items.a.id}-milestone-1@duban`, `${items.a.id}-milestone-2@duban`].sort(),
    );
    // The unit head of the same unit sees the same.
    expect(itemIdsIn((await feedOf('housing_head')).events)).toEqual(new Set([items.a.id]));
    // A collaborator sees its own, earlier deadline.
    const edu = await feedOf('edu_h');
    expect(itemIdsIn(edu.events)).toEqual(new Set([items.a.id]));
    expect(edu.events.get(deadlineUid(items.a))?.startDate.toString()).toBe('2027-05-31');
    expect(edu.events.get(deadlineUid(items.a))?.description).toContain('本单位分工：协办单位');
    expect(itemIdsIn((await feedOf('fin_h')).events)).toEqual(new Set([items.b.id]));
    expect((await feedOf('county_h')).events.size).toBe(0);
  });

  it('gives a supervisor the open items of their region subtree, dated by the item deadline', async () => {
    const city = await feedOf('city_sup');
    // A, B, E (returned, still open) and G (西湖区 lies under 杭州); not C (宁波), D (done), F (draft).
    expect(itemIdsIn(city.events)).toEqual(new Set([items.a.id, items.b.id, items.e.id, items.g.id]));
    expect(city.events.get(deadlineUid(items.a))?.startDate.toString()).toBe('2027-06-30');
    expect(city.events.get(deadlineUid(items.a))?.description).not.toContain('本单位分工');
    expect(city.events.get(deadlineUid(items.e))?.description).toContain('状态：已退回');
    expect(city.events.get(deadlineUid(items.g))?.startDate.toString()).toBe('2027-04-30');

    expect(itemIdsIn((await feedOf('ningbo_sup')).events)).toEqual(new Set([items.c.id]));
    expect(itemIdsIn((await feedOf('county_sup')).events)).toEqual(new Set([items.g.id]));
    const province = new Set([items.a.id, items.b.id, items.c.id, items.e.id, items.g.id]);
    expect(itemIdsIn((await feedOf('leader')).events)).toEqual(province);
    expect(itemIdsIn((await feedOf('prov_sup')).events)).toEqual(province);
  });

  it('is an empty but valid calendar for those who answer for no deadline', async () => {
    for (const username of ['auditor', 'evaluator', 'admin']) {
      const { calendar, events } = await feedOf(username);
      expect(calendar.name).toBe('vcalendar');
      expect(events.size, username).toBe(0);
    }
  });

  it('follows the items: a closed item leaves the calendar', async () => {
    const { path } = await issue('housing_h');
    expect(itemIdsIn(parseFeed(await fetchFeed(path)).events).has(items.a.id)).toBe(true);
    await act('city_sup', items.a.id, 'cancel', { reason: '任务调整' });
    expect(parseFeed(await fetchFeed(path)).events.size).toBe(0);
  });
});
