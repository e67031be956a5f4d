import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TestContext } from '../support/context.ts';
import { atNoon, closeWorld, openWorld, type World } from '../support/factories.ts';
import { problemZh as problem } from '../support/http.ts';
import { addUser, completedItem, inProgressItem } from './support.ts';

/** 第三方评估: assignment, conflict declaration, blind scoring — 401 → 400 → 403/404 → success. */
let ctx: TestContext;
let w: World;
let itemId: string;
let openItemId: string;
let evaA: string;
let evaB: string;
let evaC: string;
beforeAll(async () => {
  ({ ctx, w } = await openWorld());
  evaA = await addUser(ctx, w, 'eva_a', 'provOffice', ['evaluator']);
  evaB = await addUser(ctx, w, 'eva_b', 'provOffice', ['evaluator']);
  evaC = await addUser(ctx, w, 'eva_c', 'provOffice', ['evaluator']);
  atNoon(ctx, '2026-03-02');
  itemId = await completedItem(w);
  openItemId = await inProgressItem(w, { title: '在办事项' });
});
afterAll(() => closeWorld(ctx, w));

const url = () => `/api/v1/items/${itemId}`;

describe('assigning evaluators', () => {
  it('401 → 400 (field) → 404 out of scope → 403 not a supervisor → 409 not completed → 200', async () => {
    problem(
      await w.app.inject({ method: 'POST', url: `${url()}/evaluators`, payload: { userIds: [evaA] } }),
      401,
      'UNAUTHENTICATED',
    );
    const sup = await w.as('city_sup');
    problem(await sup.post(`${url()}/evaluators`, {}), 400, 'VALIDATION_FAILED', 'body.userIds');
    problem(
      await sup.post(`${url()}/evaluators`, { userIds: ['nope'] }),
      400,
      'VALIDATION_FAILED',
      'body.userIds.0',
    );
    problem(
      await sup.post(`${url()}/evaluators`, { userIds: [evaA, w.users.housing_h] }),
      400,
      'VALIDATION_FAILED',
      'body.userIds.1',
    );
    problem(
      await (await w.as('ningbo_sup')).post(`${url()}/evaluators`, { userIds: [evaA] }),
      404,
      'ITEM_NOT_FOUND',
    );
    problem(
      await (await w.as('housing_h')).post(`${url()}/evaluators`, { userIds: [evaA] }),
      403,
      'FORBIDDEN',
    );
    problem(
      await sup.post(`/api/v1/items/${openItemId}/evaluators`, { userIds: [evaA] }),
      409,
      'TRANSITION_REFUSED',
    );
    // nothing of the refused requests was written
    expect(await ctx.db.selectFrom('evaluator_assignments').selectAll().execute()).toEqual([]);
    const ok = await sup.post(`${url()}/evaluators`, { userIds: [evaA, evaB, evaC, evaA] });
    expect(ok.statusCode, ok.body).toBe(200);
    expect(
      ok
        .json()
        .evaluators.detail.map((d: { userId: string }) => d.userId)
        .sort(),
    ).toEqual([evaA, evaB, evaC].sort());
    // a repeat adds nobody and writes no event
    const again = await sup.post(`${url()}/evaluators`, { userIds: [evaA] });
    expect(again.statusCode).toBe(200);
    const events = await ctx.db
      .selectFrom('events')
      .select('payload')
      .where('type', '=', 'item.evaluators_assigned')
      .execute();
    expect(events).toHaveLength(1);
    // the evaluators were told
    const told = await ctx.db
      .selectFrom('notifications')
      .select('user_id')
      .where('kind', '=', 'item.evaluation_assigned')
      .execute();
    expect(told.map((t) => t.user_id).sort()).toEqual([evaA, evaB, evaC].sort());
  });

  it('an evaluator lists their assignments; others may not (403)', async () => {
    problem(
      await w.app.inject({ method: 'GET', url: '/api/v1/evaluations/assigned' }),
      401,
      'UNAUTHENTICATED',
    );
    problem(await (await w.as('city_sup')).get('/api/v1/evaluations/assigned'), 403, 'FORBIDDEN');
    const res = await (await w.as('eva_a')).get('/api/v1/evaluations/assigned');
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json().assignments).toEqual([
      expect.objectContaining({ itemId, status: 'assigned', myScores: null, hasConflict: null }),
    ]);
    // the world's own evaluator has none
    expect((await (await w.as('evaluator')).get('/api/v1/evaluations/assigned')).json().assignments).toEqual(
      [],
    );
  });
});

describe('conflict of interest and blind scoring', () => {
  it('scoring before the declaration is refused (409)', async () => {
    problem(
      await (await w.as('eva_a')).post(`${url()}/evaluation/scores`, {
        quality: 80,
        timeliness: 70,
        effectiveness: 90,
      }),
      409,
      'TRANSITION_REFUSED',
    );
  });

  it('declaration: 401 → 400 → 404 not assigned → 403 not an evaluator → 200; a conflict withdraws', async () => {
    const path = `${url()}/evaluation/conflict`;
    problem(
      await w.app.inject({ method: 'POST', url: path, payload: { hasConflict: false } }),
      401,
      'UNAUTHENTICATED',
    );
    const a = await w.as('eva_a');
    problem(await a.post(path, {}), 400, 'VALIDATION_FAILED', 'body.hasConflict');
    problem(await a.post(path, { hasConflict: true }), 400, 'VALIDATION_FAILED', 'body.statement');
    problem(await (await w.as('evaluator')).post(path, { hasConflict: false }), 404, 'ITEM_NOT_FOUND');
    problem(await (await w.as('city_sup')).post(path, { hasConflict: false }), 403, 'FORBIDDEN');
    const declared = await a.post(path, { hasConflict: false });
    expect(declared.statusCode, declared.body).toBe(200);
    expect(declared.json()).toEqual({ status: 'declared' });
    problem(await a.post(path, { hasConflict: false }), 409, 'CONFLICT');
    expect((await (await w.as('eva_b')).post(path, { hasConflict: false })).statusCode).toBe(200);

    const c = await w.as('eva_c');
    const withdrawn = await c.post(path, { hasConflict: true, statement: '本人曾在承办单位任职。' });
    expect(withdrawn.statusCode, withdrawn.body).toBe(200);
    expect(withdrawn.json()).toEqual({ status: 'withdrawn' });
    // withdrawn: the item is out of their sight
    problem(await c.get(url()), 404, 'ITEM_NOT_FOUND');
    problem(await c.get(`${url()}/evaluation`), 404, 'ITEM_NOT_FOUND');
    // the supervisors see it, and heard of it
    const detail = (await (await w.as('city_sup')).get(`${url()}/evaluation`)).json().evaluators.detail;
    expect(detail.find((d: { userId: string }) => d.userId === evaC)).toMatchObject({
      status: 'withdrawn',
      hasConflict: true,
      conflictStatement: '本人曾在承办单位任职。',
    });
    const told = await ctx.db
      .selectFrom('notifications')
      .select('kind')
      .where('user_id', '=', w.users.city_sup as string)
      .where('kind', '=', 'item.evaluator_withdrawn')
      .execute();
    expect(told).toHaveLength(1);
    // a withdrawn evaluator cannot be put back
    problem(
      await (await w.as('city_sup')).post(`${url()}/evaluators`, { userIds: [evaC] }),
      409,
      'CONFLICT',
      'body.userIds.0',
    );
  });

  it('scores: 400 (field) → 201 → 409 the second time', async () => {
    const path = `${url()}/evaluation/scores`;
    problem(
      await w.app.inject({ method: 'POST', url: path, payload: { quality: 1 } }),
      401,
      'UNAUTHENTICATED',
    );
    const a = await w.as('eva_a');
    problem(
      await a.post(path, { quality: 101, timeliness: 70, effectiveness: 90 }),
      400,
      'VALIDATION_FAILED',
      'body.quality',
    );
    problem(
      await a.post(path, { quality: 80, timeliness: 70 }),
      400,
      'VALIDATION_FAILED',
      'body.effectiveness',
    );
    problem(
      await (await w.as('city_sup')).post(path, { quality: 80, timeliness: 70, effectiveness: 90 }),
      403,
      'FORBIDDEN',
    );
    const ok = await a.post(path, { quality: 80, timeliness: 70, effectiveness: 90, comment: 'A的秘密意见' });
    expect(ok.statusCode, ok.body).toBe(201);
    // 80×0.3 + 70×0.2 + 90×0.5 = 83
    expect(ok.json().scores).toMatchObject({ score: 83 });
    problem(await a.post(path, { quality: 1, timeliness: 1, effectiveness: 1 }), 409, 'CONFLICT');
    const b = await w.as('eva_b');
    expect(
      (await b.post(path, { quality: 60, timeliness: 60, effectiveness: 60, comment: 'B的秘密意见' }))
        .statusCode,
    ).toBe(201);
  });

  it('blind: evaluator A never sees B’s scores (evaluation, events, assignments); supervisors see all', async () => {
    const a = await w.as('eva_a');
    const mine = await a.get(`${url()}/evaluation`);
    expect(mine.statusCode, mine.body).toBe(200);
    expect(mine.json()).toEqual({
      itemId,
      blind: true,
      mine: {
        status: 'scored',
        hasConflict: false,
        scores: expect.objectContaining({ quality: 80, score: 83, comment: 'A的秘密意见' }),
      },
    });
    const seenByA = [
      mine.body,
      (await a.get(`${url()}/events`)).body,
      (await a.get('/api/v1/evaluations/assigned')).body,
      (await a.get(url())).body,
    ].join('\n');
    expect(seenByA).not.toContain('B的秘密意见');
    // the events say who scored, never what: no score reaches the timeline
    const events = (await a.get(`${url()}/events`)).body;
    expect(events).toContain('item.third_party_scored');
    expect(events).not.toMatch(/"(quality|timeliness|effectiveness|score)"/);
    expect(events).not.toContain('A的秘密意见');

    const sup = (await (await w.as('city_sup')).get(`${url()}/evaluation`)).json();
    expect(sup.evaluators).toMatchObject({ mean: 71.5, count: 2, assigned: 2 });
    expect(
      sup.evaluators.detail
        .filter((d: { scores: unknown }) => d.scores !== null)
        .map((d: { scores: { comment: string } }) => d.scores.comment)
        .sort(),
    ).toEqual(['A的秘密意见', 'B的秘密意见']);
    // a leader sees the figures, not who scored what
    const leader = (await (await w.as('leader')).get(`${url()}/evaluation`)).json();
    expect(leader.evaluators).toEqual({ mean: 71.5, count: 2, assigned: 2 });
  });
});

describe('removing an evaluator', () => {
  it('401 → 404 → 403 → 409 once scored → 204, and the item leaves their sight', async () => {
    const evaD = await addUser(ctx, w, 'eva_d', 'provOffice', ['evaluator']);
    const sup = await w.as('city_sup');
    expect((await sup.post(`${url()}/evaluators`, { userIds: [evaD] })).statusCode).toBe(200);
    const del = (userId: string, as?: string) =>
      as === undefined
        ? w.app.inject({ method: 'DELETE', url: `${url()}/evaluators/${userId}` })
        : w.login(as).then((s) =>
            w.app.inject({
              method: 'DELETE',
              url: `${url()}/evaluators/${userId}`,
              headers: { cookie: s.cookie, 'x-csrf-token': s.csrf },
            }),
          );
    problem(await del(evaD), 401, 'UNAUTHENTICATED');
    problem(await del('x', 'city_sup'), 400, 'VALIDATION_FAILED', 'params.userId');
    problem(await del(evaD, 'ningbo_sup'), 404, 'ITEM_NOT_FOUND');
    problem(await del(evaD, 'housing_h'), 403, 'FORBIDDEN');
    problem(await del(w.users.evaluator as string, 'city_sup'), 404, 'NOT_FOUND');
    problem(await del(evaA, 'city_sup'), 409, 'CONFLICT');
    expect((await (await w.as('eva_d')).get(url())).statusCode).toBe(200);
    const ok = await del(evaD, 'city_sup');
    expect(ok.statusCode, ok.body).toBe(204);
    problem(await (await w.as('eva_d')).get(url()), 404, 'ITEM_NOT_FOUND');
  });
});
