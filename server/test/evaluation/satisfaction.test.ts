import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { sha256Hex } from '../../src/auth/crypto.ts';
import type { TestContext } from '../support/context.ts';
import { atNoon, closeWorld, openWorld, type World } from '../support/factories.ts';
import { problemZh as problem } from '../support/http.ts';
import { completedItem, inProgressItem } from './support.ts';

/** 群众满意度 through a one-time link: the supervisor's route and the public, sign-in-free pair. */
let ctx: TestContext;
let w: World;
let itemId: string;
let openItemId: string;
beforeAll(async () => {
  ({ ctx, w } = await openWorld());
  atNoon(ctx, '2026-03-02');
  itemId = await completedItem(w);
  openItemId = await inProgressItem(w, { title: '在办事项' });
});
afterAll(() => closeWorld(ctx, w));
afterEach(() => {
  delete process.env.DUBAN_PUBLIC_URL;
});

const links = (id: string) => `/api/v1/items/${id}/satisfaction-links`;
const publicUrl = (token: string) => `/api/v1/public/satisfaction/${token}`;
const anon = (method: 'GET' | 'POST', url: string, payload?: unknown) =>
  w.app.inject({ method, url, ...(payload === undefined ? {} : { payload: payload as object }) });

async function newLink(): Promise<{ token: string; url: string; expiresAt: string }> {
  // a fresh session: the tests move the clock by days
  const s = await w.login('city_sup');
  const res = await w.app.inject({
    method: 'POST',
    url: links(itemId),
    headers: { cookie: s.cookie, 'x-csrf-token': s.csrf },
  });
  expect(res.statusCode, res.body).toBe(201);
  return res.json();
}

describe('making a link', () => {
  it('401 → 400 → 404 out of scope → 403 not a supervisor → 409 not completed → 201', async () => {
    problem(await anon('POST', links(itemId), {}), 401, 'UNAUTHENTICATED');
    const sup = await w.as('city_sup');
    problem(await sup.post(links('x')), 400, 'VALIDATION_FAILED', 'params.id');
    problem(await (await w.as('ningbo_sup')).post(links(itemId)), 404, 'ITEM_NOT_FOUND');
    problem(await (await w.as('housing_h')).post(links(itemId)), 403, 'FORBIDDEN');
    problem(await sup.post(links(openItemId)), 409, 'TRANSITION_REFUSED');
    process.env.DUBAN_PUBLIC_URL = 'https://duban.example.gov.cn/';
    const res = await sup.post(links(itemId));
    expect(res.statusCode, res.body).toBe(201);
    const { token, url, expiresAt } = res.json();
    expect(url).toBe(`https://duban.example.gov.cn/portal/satisfaction/${token}`);
    expect(expiresAt).toBe('2026-04-01T04:00:00.000Z'); // 30 days
    // only the hash is stored
    const rows = await ctx.db
      .withTables<{ satisfaction_links: { token_hash: string; item_id: string } }>()
      .selectFrom('satisfaction_links')
      .selectAll()
      .execute();
    expect(rows).toHaveLength(1);
    expect(rows[0]?.token_hash).toBe(sha256Hex(token));
    expect(JSON.stringify(rows)).not.toContain(token);
    // without DUBAN_PUBLIC_URL the url is a path
    delete process.env.DUBAN_PUBLIC_URL;
    const second = (await sup.post(links(itemId))).json();
    expect(second.url).toBe(`/portal/satisfaction/${second.token}`);
  });
});

describe('the public pair', () => {
  it('GET: unknown 404, else the item’s number, title, lead unit and 办结 date', async () => {
    problem(await anon('GET', publicUrl('no-such-token')), 404, 'NOT_FOUND');
    const { token, expiresAt } = await newLink();
    const res = await anon('GET', publicUrl(token));
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json()).toEqual({
      item: {
        number: '杭督〔2026〕0001号',
        title: '推进老旧小区改造',
        leadUnitName: '杭州市住房和城乡建设局',
        completedOn: '2026-03-02',
      },
      used: false,
      expiresAt,
    });
  });

  it('POST: 400 (field) → 201 → 409 on a second use; GET then says used', async () => {
    const { token } = await newLink();
    problem(await anon('POST', publicUrl(token), {}), 400, 'VALIDATION_FAILED', 'body.rating');
    problem(
      await anon('POST', publicUrl(token), { rating: 'great' }),
      400,
      'VALIDATION_FAILED',
      'body.rating',
    );
    problem(await anon('POST', publicUrl('no-such-token'), { rating: 'satisfied' }), 404, 'NOT_FOUND');
    atNoon(ctx, '2026-03-05');
    const ok = await anon('POST', publicUrl(token), { rating: 'satisfied', comment: '小区环境明显改善' });
    expect(ok.statusCode, ok.body).toBe(201);
    expect(ok.json()).toEqual({ rating: 'satisfied', ratedAt: '2026-03-05T04:00:00.000Z' });
    problem(await anon('POST', publicUrl(token), { rating: 'basic' }), 409, 'CONFLICT');
    expect((await anon('GET', publicUrl(token))).json().used).toBe(true);
    const ratings = await ctx.db
      .withTables<{ satisfaction_ratings: { item_id: string; rating: string } }>()
      .selectFrom('satisfaction_ratings')
      .select(['item_id', 'rating'])
      .execute();
    expect(ratings).toEqual([{ item_id: itemId, rating: 'satisfied' }]);
  });

  it('an expired link answers 410 to both', async () => {
    atNoon(ctx, '2026-03-05');
    const { token } = await newLink();
    atNoon(ctx, '2026-04-05');
    problem(await anon('GET', publicUrl(token)), 410, 'GONE');
    problem(await anon('POST', publicUrl(token), { rating: 'satisfied' }), 410, 'GONE');
    atNoon(ctx, '2026-03-05');
  });

  it('不满意 proposes 重新办理 to the supervisors; the event carries no citizen text', async () => {
    const { token } = await newLink();
    const res = await anon('POST', publicUrl(token), {
      rating: 'unsatisfied',
      comment: '我是张三，电话13800000000，问题没解决',
    });
    expect(res.statusCode, res.body).toBe(201);
    const told = await ctx.db
      .selectFrom('notifications')
      .select(['title'])
      .where('user_id', '=', w.users.city_sup as string)
      .where('kind', '=', 'item.rework_proposed')
      .execute();
    expect(told.map((t) => t.title)).toEqual([expect.stringMatching(/^【群众不满意】/)]);
    const sup = await w.login('city_sup');
    const headers = { cookie: sup.cookie, 'x-csrf-token': sup.csrf };
    const summary = (
      await w.app.inject({ method: 'GET', headers, url: `/api/v1/items/${itemId}/evaluation` })
    ).json();
    expect(summary.reworkProposed).toBe(true);
    expect(summary.satisfaction).toEqual({
      count: 2,
      counts: { satisfied: 1, basic: 0, unsatisfied: 1 },
      score: 50,
    });
    const events = await ctx.db
      .selectFrom('events')
      .select(['payload', 'item_id', 'actor_id'])
      .where('type', '=', 'item.satisfaction_rated')
      .execute();
    expect(events).toHaveLength(2);
    expect(events.every((e) => e.item_id === itemId && e.actor_id === null)).toBe(true);
    expect(JSON.stringify(events)).not.toMatch(/张三|13800000000|小区环境/);
    // the supervisor decides with the existing reopen action
    const reopened = await w.app.inject({
      method: 'POST',
      headers,
      url: `/api/v1/items/${itemId}/actions/reopen`,
      payload: { reason: '群众评价不满意，重新办理', deadline: '2026-06-30' },
    });
    expect(reopened.statusCode, reopened.body).toBe(200);
  });
});
