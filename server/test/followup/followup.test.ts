import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { evalDb } from '../../src/evaluation/tables.ts';
import { sweepFollowups } from '../../src/followup/jobs.ts';
import { proposeFollowup } from '../../src/followup/reviews.ts';
import { addMonths } from '../../src/followup/schedule.ts';
import { DomainError } from '../../src/shared/errors.ts';
import { addUser, completedItem, inProgressItem } from '../evaluation/support.ts';
import type { TestContext } from '../support/context.ts';
import { atNoon, closeWorld, openWorld, type World } from '../support/factories.ts';
import { problemZh as problem } from '../support/http.ts';

/** 回头看: schedules, the sweep, the list, assigning a reviewer, 巩固 and 反弹 (atomic with the 整改 item). */
let ctx: TestContext;
let w: World;
let itemId: string;
let openItemId: string;
beforeAll(async () => {
  ({ ctx, w } = await openWorld());
  await addUser(ctx, w, 'city_sup2', 'cityOffice', ['supervisor']);
  atNoon(ctx, '2026-03-02');
  itemId = await completedItem(w);
  openItemId = await inProgressItem(w, { title: '在办事项' });
});
afterAll(() => closeWorld(ctx, w));

/** A client with a fresh session (the tests move the clock by months). */
async function as(username: string) {
  const s = await w.login(username);
  const headers = { cookie: s.cookie, 'x-csrf-token': s.csrf };
  return {
    get: (url: string) => w.app.inject({ method: 'GET', url, headers }),
    post: (url: string, payload: unknown = {}) =>
      w.app.inject({ method: 'POST', url, headers, payload: payload as object }),
    put: (url: string, payload: unknown) =>
      w.app.inject({ method: 'PUT', url, headers, payload: payload as object }),
  };
}
const anon = (method: 'GET' | 'POST' | 'PUT', url: string, payload?: object) =>
  w.app.inject({ method, url, ...(payload ? { payload } : {}) });

const reviews = () =>
  evalDb(ctx.db).selectFrom('followup_reviews').selectAll().orderBy('due_on').orderBy('id').execute();

describe('addMonths', () => {
  it('adds calendar months, a day past the month’s end giving its last day', () => {
    expect(addMonths('2026-03-02', 3)).toBe('2026-06-02');
    expect(addMonths('2026-08-31', 6)).toBe('2027-02-28');
    expect(addMonths('2027-11-30', 3)).toBe('2028-02-29');
    expect(addMonths('2026-10-15', 12)).toBe('2027-10-15');
  });
});

describe('the category schedule', () => {
  const url = '/api/v1/categories/livelihood/followup';
  it('GET: 401, 404 unknown category, the default 3 and 6 months', async () => {
    problem(await anon('GET', url), 401, 'UNAUTHENTICATED');
    problem(await (await as('city_sup')).get('/api/v1/categories/nope/followup'), 404, 'CATEGORY_NOT_FOUND');
    const res = await (await as('housing_h')).get(url);
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json().followup).toMatchObject({ code: 'livelihood', monthsAfter: [3, 6], custom: false });
  });

  it('PUT: 401 → 400 (field) → 403 → 404 → 200 with an event', async () => {
    problem(await anon('PUT', url, { monthsAfter: [3] }), 401, 'UNAUTHENTICATED');
    const admin = await as('admin');
    problem(await admin.put(url, {}), 400, 'VALIDATION_FAILED', 'body.monthsAfter');
    problem(await admin.put(url, { monthsAfter: [0] }), 400, 'VALIDATION_FAILED', 'body.monthsAfter.0');
    problem(await admin.put(url, { monthsAfter: [3, 3] }), 400, 'VALIDATION_FAILED', 'body.monthsAfter');
    problem(await (await as('city_sup')).put(url, { monthsAfter: [3] }), 403, 'FORBIDDEN');
    problem(
      await admin.put('/api/v1/categories/nope/followup', { monthsAfter: [3] }),
      404,
      'CATEGORY_NOT_FOUND',
    );
    // the 'ecology' category: no 回头看 at all
    const none = await admin.put('/api/v1/categories/ecology/followup', { monthsAfter: [] });
    expect(none.statusCode, none.body).toBe(200);
    const res = await admin.put(url, { monthsAfter: [6, 3] });
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json().followup).toMatchObject({ monthsAfter: [3, 6], custom: true });
    const events = await ctx.db
      .selectFrom('events')
      .select('payload')
      .where('type', '=', 'category.followup_changed')
      .execute();
    expect(events.map((e) => e.payload)).toEqual([
      { type: 'category.followup_changed', code: 'ecology', monthsAfter: [] },
      { type: 'category.followup_changed', code: 'livelihood', monthsAfter: [3, 6] },
    ]);
  });
});

describe('the sweep', () => {
  it('schedules closed items once (3 and 6 months after 办结), none for open items or a category without', async () => {
    atNoon(ctx, '2026-03-02');
    const ecologyId = await completedItem(w, { title: '改革事项', categoryCode: 'ecology' });
    const first = await sweepFollowups(ctx);
    expect(first.scheduled).toBe(1);
    expect((await reviews()).map((r) => [r.item_id, r.months_after, r.due_on, r.source])).toEqual([
      [itemId, 3, '2026-06-02', 'schedule'],
      [itemId, 6, '2026-09-02', 'schedule'],
    ]);
    expect(await sweepFollowups(ctx)).toEqual({ scheduled: 0, reminded: 0 });
    expect(await reviews()).toHaveLength(2);
    const scheduled = await ctx.db
      .selectFrom('events')
      .select(['item_id', 'payload'])
      .where('type', '=', 'item.followup_scheduled')
      .execute();
    expect(scheduled).toHaveLength(1);
    expect(scheduled[0]?.item_id).toBe(itemId);
    expect(ecologyId).not.toBe(itemId);
  });

  it('announces a review once when it falls due', async () => {
    atNoon(ctx, '2026-06-02');
    expect((await sweepFollowups(ctx)).reminded).toBe(1);
    expect((await sweepFollowups(ctx)).reminded).toBe(0);
    const told = await ctx.db
      .selectFrom('notifications')
      .select('title')
      .where('user_id', '=', w.users.city_sup as string)
      .where('kind', '=', 'item.followup_due')
      .execute();
    expect(told.map((t) => t.title)).toEqual([expect.stringMatching(/^【回头看】/)]);
  });
});

describe('the list', () => {
  it('401 → 400 → 403 → scoped, filtered by status', async () => {
    atNoon(ctx, '2026-06-03');
    problem(await anon('GET', '/api/v1/followups'), 401, 'UNAUTHENTICATED');
    const sup = await as('city_sup');
    problem(await sup.get('/api/v1/followups?status=soon'), 400, 'VALIDATION_FAILED', 'querystring.status');
    problem(await (await as('housing_h')).get('/api/v1/followups'), 403, 'FORBIDDEN');
    expect((await (await as('ningbo_sup')).get('/api/v1/followups')).json().followups).toEqual([]);
    const all = (await sup.get('/api/v1/followups')).json().followups;
    expect(all.map((f: { status: string; monthsAfter: number }) => [f.monthsAfter, f.status])).toEqual([
      [3, 'due'],
      [6, 'scheduled'],
    ]);
    const due = (await sup.get('/api/v1/followups?status=due')).json().followups;
    expect(due).toHaveLength(1);
    expect(due[0]).toMatchObject({
      itemId,
      itemNumber: '杭督〔2026〕0001号',
      dueOn: '2026-06-02',
      reviewer: null,
    });
    expect((await (await as('prov_sup')).get('/api/v1/followups?status=due')).json().followups).toHaveLength(
      1,
    );
  });
});

describe('assigning a reviewer and the outcome', () => {
  let due: string;
  let later: string;
  beforeAll(async () => {
    const rows = await reviews();
    due = rows[0]?.id as string;
    later = rows[1]?.id as string;
  });

  it('assign: 401 → 400 (field) → 404 → 403 → 200', async () => {
    atNoon(ctx, '2026-06-03');
    const url = `/api/v1/followups/${due}/assign`;
    problem(await anon('POST', url, { userId: w.users.city_sup as string }), 401, 'UNAUTHENTICATED');
    const sup = await as('city_sup');
    problem(await sup.post(url, {}), 400, 'VALIDATION_FAILED', 'body.userId');
    problem(await sup.post(url, { userId: w.users.housing_h }), 400, 'VALIDATION_FAILED', 'body.userId');
    problem(await sup.post(url, { userId: w.users.ningbo_sup }), 400, 'VALIDATION_FAILED', 'body.userId');
    problem(
      await sup.post('/api/v1/followups/x/assign', { userId: w.users.city_sup }),
      400,
      'VALIDATION_FAILED',
      'params.id',
    );
    problem(
      await sup.post('/api/v1/followups/00000000-0000-4000-8000-000000000000/assign', {
        userId: w.users.city_sup,
      }),
      404,
      'NOT_FOUND',
    );
    problem(await (await as('ningbo_sup')).post(url, { userId: w.users.ningbo_sup }), 404, 'NOT_FOUND');
    problem(await (await as('leader')).post(url, { userId: w.users.city_sup2 }), 403, 'FORBIDDEN');
    const ok = await sup.post(url, { userId: w.users.city_sup2 });
    expect(ok.statusCode, ok.body).toBe(200);
    expect(ok.json().followup).toMatchObject({ status: 'assigned', reviewer: { id: w.users.city_sup2 } });
    expect((await sup.get('/api/v1/followups?status=assigned')).json().followups).toHaveLength(1);
  });

  it('outcome: 401 → 400 (field) → 404 → 403 not the reviewer → 巩固 200 → 409', async () => {
    const url = `/api/v1/followups/${due}/outcome`;
    const body = { outcome: 'consolidated', findings: '改造成果保持良好，居民反映较好。' };
    problem(await anon('POST', url, body), 401, 'UNAUTHENTICATED');
    const reviewer = await as('city_sup2');
    problem(await reviewer.post(url, { ...body, outcome: 'fine' }), 400, 'VALIDATION_FAILED', 'body.outcome');
    problem(await reviewer.post(url, { outcome: 'consolidated' }), 400, 'VALIDATION_FAILED', 'body.findings');
    problem(await (await as('ningbo_sup')).post(url, body), 404, 'NOT_FOUND');
    problem(await (await as('city_sup')).post(url, body), 403, 'FORBIDDEN');
    const ok = await reviewer.post(url, body);
    expect(ok.statusCode, ok.body).toBe(200);
    expect(ok.json().followup).toMatchObject({
      status: 'done',
      outcome: 'consolidated',
      rectificationItemId: null,
    });
    problem(await reviewer.post(url, body), 409, 'CONFLICT');
    problem(
      await (await as('city_sup')).post(`/api/v1/followups/${due}/assign`, { userId: w.users.city_sup }),
      409,
      'CONFLICT',
    );
  });

  it('反弹 that cannot make its 整改 item leaves no outcome (one transaction)', async () => {
    atNoon(ctx, '2026-09-03');
    const sup = await as('city_sup');
    expect(
      (await sup.post(`/api/v1/followups/${later}/assign`, { userId: w.users.city_sup })).statusCode,
    ).toBe(200);
    const itemsBefore = await ctx.db.selectFrom('items').select('id').execute();
    const eventsBefore = await ctx.db.selectFrom('events').select('seq').execute();
    // a deadline in the past: the reopen action refuses it
    const res = await sup.post(`/api/v1/followups/${later}/outcome`, {
      outcome: 'rebound',
      findings: '部分小区加装电梯停工，问题反弹。',
      deadline: '2026-01-01',
    });
    problem(res, 400, 'VALIDATION_FAILED', 'body.deadline');
    const row = (await reviews()).find((r) => r.id === later);
    expect(row).toMatchObject({ outcome: null, decided_at: null, findings: '', rectification_item_id: null });
    expect(await ctx.db.selectFrom('items').select('id').execute()).toHaveLength(itemsBefore.length);
    expect(await ctx.db.selectFrom('events').select('seq').execute()).toHaveLength(eventsBefore.length);
  });

  it('反弹 opens a linked 整改 item through reopen, in the same transaction', async () => {
    const sup = await as('city_sup');
    const res = await sup.post(`/api/v1/followups/${later}/outcome`, {
      outcome: 'rebound',
      findings: '部分小区加装电梯停工，问题反弹。',
      deadline: '2026-12-31',
    });
    expect(res.statusCode, res.body).toBe(200);
    const f = res.json().followup;
    expect(f).toMatchObject({ status: 'done', outcome: 'rebound' });
    const rect = await ctx.db
      .selectFrom('items')
      .selectAll()
      .where('id', '=', f.rectificationItemId)
      .executeTakeFirstOrThrow();
    expect(rect).toMatchObject({ rectifies_item_id: itemId, status: 'registered', deadline: '2026-12-31' });
    expect(rect.title).toBe('【整改】推进老旧小区改造');
    expect(rect.content).toContain('回头看发现问题反弹：部分小区加装电梯停工');
    const evs = await ctx.db
      .selectFrom('events')
      .select(['type', 'payload'])
      .where('item_id', '=', itemId)
      .where('type', 'in', ['item.reopened', 'item.followup_decided'])
      .orderBy('seq')
      .execute();
    expect(evs.map((e) => e.type)).toEqual([
      'item.followup_decided',
      'item.reopened',
      'item.followup_decided',
    ]);
    expect(evs[2]?.payload).toEqual({
      type: 'item.followup_decided',
      itemId,
      reviewId: later,
      outcome: 'rebound',
      rectificationItemId: f.rectificationItemId,
    });
    const done = (await sup.get('/api/v1/followups?status=done')).json().followups;
    expect(done.map((d: { outcome: string }) => d.outcome).sort()).toEqual(['consolidated', 'rebound']);
  });
});

describe('proposeFollowup (a complaint matching a closed item)', () => {
  it('a review due today, told to the supervisors; a second complaint joins it; an open item refuses', async () => {
    const now = atNoon(ctx, '2026-10-10');
    const id = await proposeFollowup(ctx.db, itemId, '群众投诉：小区电梯又坏了', now);
    const again = await ctx.db.transaction().execute((tx) => proposeFollowup(tx, itemId, '再次投诉', now));
    expect(again).toBe(id);
    const row = (await reviews()).find((r) => r.id === id);
    expect(row).toMatchObject({
      source: 'complaint',
      due_on: '2026-10-10',
      months_after: null,
      outcome: null,
    });
    const ev = await ctx.db
      .selectFrom('events')
      .select('payload')
      .where('type', '=', 'item.followup_proposed')
      .execute();
    expect(ev.map((e) => e.payload)).toEqual([
      { type: 'item.followup_proposed', itemId, reviewId: id, dueOn: '2026-10-10' },
    ]);
    const told = await ctx.db
      .selectFrom('notifications')
      .select('kind')
      .where('user_id', '=', w.users.city_sup as string)
      .where('kind', '=', 'item.followup_proposed')
      .execute();
    expect(told).toHaveLength(1);
    await expect(proposeFollowup(ctx.db, openItemId, '投诉', now)).rejects.toBeInstanceOf(DomainError);
    const due = (await (await as('city_sup')).get('/api/v1/followups?status=due')).json().followups;
    expect(due.map((d: { source: string }) => d.source)).toEqual(['complaint']);
  });
});
