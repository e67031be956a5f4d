import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { compose, DEFAULT_WEIGHTS } from '../../src/evaluation/composite.ts';
import type { TestContext } from '../support/context.ts';
import { act, atNoon, closeWorld, openWorld, type World } from '../support/factories.ts';
import { problemZh as problem } from '../support/http.ts';
import { addUser, completedItem } from './support.ts';

/** 综合评分: the arithmetic on hand-computed fixtures, the weights route, and the summary per viewer. */
let ctx: TestContext;
let w: World;
beforeAll(async () => {
  ({ ctx, w } = await openWorld());
  await addUser(ctx, w, 'eva_a', 'provOffice', ['evaluator']);
  await addUser(ctx, w, 'eva_b', 'provOffice', ['evaluator']);
  await addUser(ctx, w, 'city_admin', 'cityOffice', ['admin']);
  atNoon(ctx, '2026-03-02');
});
afterAll(() => closeWorld(ctx, w));

describe('compose (pure)', () => {
  it('all three parts: 0.4×90.5 + 0.3×71.5 + 0.3×50 = 72.65', () => {
    expect(compose({ supervisor: 90.5, thirdParty: 71.5, satisfaction: 50 }, DEFAULT_WEIGHTS)).toEqual({
      score: 72.65,
      missing: [],
      weightsUsed: { supervisor: 0.4, thirdParty: 0.3, satisfaction: 0.3 },
    });
  });

  it('a missing part drops out and the weights are renormalised: (0.4×80 + 0.3×60) / 0.7 = 71.43', () => {
    const r = compose({ supervisor: 80, thirdParty: null, satisfaction: 60 }, DEFAULT_WEIGHTS);
    expect(r.score).toBe(71.43);
    expect(r.missing).toEqual(['thirdParty']);
    expect(r.weightsUsed.supervisor).toBeCloseTo(4 / 7, 10);
    expect(r.weightsUsed.thirdParty).toBe(0);
  });

  it('only one part: that part; none: null', () => {
    expect(compose({ supervisor: null, thirdParty: null, satisfaction: 60 }, DEFAULT_WEIGHTS).score).toBe(60);
    expect(
      compose({ supervisor: null, thirdParty: null, satisfaction: null }, DEFAULT_WEIGHTS),
    ).toMatchObject({
      score: null,
      missing: ['supervisor', 'thirdParty', 'satisfaction'],
    });
    // a part weighted 0 does not count even when present
    expect(
      compose(
        { supervisor: 100, thirdParty: 0, satisfaction: 50 },
        { supervisor: 0.5, thirdParty: 0, satisfaction: 0.5 },
      ).score,
    ).toBe(75);
  });
});

describe('weights', () => {
  it('GET: 401, then the default', async () => {
    problem(await w.app.inject({ method: 'GET', url: '/api/v1/evaluation/weights' }), 401, 'UNAUTHENTICATED');
    const res = await (await w.as('housing_h')).get('/api/v1/evaluation/weights');
    expect(res.statusCode).toBe(200);
    expect(res.json().weights).toEqual({
      supervisor: 0.4,
      thirdParty: 0.3,
      satisfaction: 0.3,
      updatedAt: null,
    });
  });

  it('PUT: 401 → 400 (field) → 403 (supervisor, city admin) → 200 with an event', async () => {
    const body = { supervisor: 0.5, thirdParty: 0.2, satisfaction: 0.3 };
    problem(
      await w.app.inject({ method: 'PUT', url: '/api/v1/evaluation/weights', payload: body }),
      401,
      'UNAUTHENTICATED',
    );
    const admin = await w.as('admin');
    problem(
      await admin.put('/api/v1/evaluation/weights', { ...body, thirdParty: 1.2 }),
      400,
      'VALIDATION_FAILED',
      'body.thirdParty',
    );
    problem(
      await admin.put('/api/v1/evaluation/weights', { supervisor: 0.5, thirdParty: 0.2 }),
      400,
      'VALIDATION_FAILED',
      'body.satisfaction',
    );
    const sum = await admin.put('/api/v1/evaluation/weights', { ...body, satisfaction: 0.2 });
    problem(sum, 400, 'VALIDATION_FAILED', 'body.supervisor');
    expect(sum.json().detailZh).toContain('三项权重之和须为 1');
    expect(sum.json().errors.map((e: { field: string }) => e.field)).toEqual([
      'body.supervisor',
      'body.thirdParty',
      'body.satisfaction',
    ]);
    problem(await (await w.as('city_sup')).put('/api/v1/evaluation/weights', body), 403, 'FORBIDDEN');
    problem(await (await w.as('city_admin')).put('/api/v1/evaluation/weights', body), 403, 'FORBIDDEN');
    atNoon(ctx, '2026-03-02');
    const ok = await admin.put('/api/v1/evaluation/weights', body);
    expect(ok.statusCode, ok.body).toBe(200);
    expect(ok.json().weights).toEqual({ ...body, updatedAt: '2026-03-02T04:00:00.000Z' });
    const events = await ctx.db
      .selectFrom('events')
      .select('payload')
      .where('type', '=', 'evaluation.weights_changed')
      .execute();
    expect(events.map((e) => e.payload)).toEqual([
      {
        type: 'evaluation.weights_changed',
        weights: body,
        previous: { supervisor: 0.4, thirdParty: 0.3, satisfaction: 0.3 },
      },
    ]);
    // back to the default for the summary below
    expect(
      (await admin.put('/api/v1/evaluation/weights', { supervisor: 0.4, thirdParty: 0.3, satisfaction: 0.3 }))
        .statusCode,
    ).toBe(200);
  });
});

describe('the item’s evaluation summary', () => {
  it('401 → 400 → 404 out of scope → the composite of all three parts', async () => {
    const id = await completedItem(w);
    const url = `/api/v1/items/${id}/evaluation`;
    problem(await w.app.inject({ method: 'GET', url }), 401, 'UNAUTHENTICATED');
    problem(
      await (await w.as('city_sup')).get('/api/v1/items/x/evaluation'),
      400,
      'VALIDATION_FAILED',
      'params.id',
    );
    problem(await (await w.as('ningbo_sup')).get(url), 404, 'ITEM_NOT_FOUND');
    problem(await (await w.as('evaluator')).get(url), 404, 'ITEM_NOT_FOUND');

    const sup = await w.as('city_sup');
    // nothing yet: no part, no composite
    const empty = (await sup.get(url)).json();
    expect(empty.composite).toEqual({
      score: null,
      missing: ['supervisor', 'thirdParty', 'satisfaction'],
      weightsUsed: { supervisor: 0, thirdParty: 0, satisfaction: 0 },
    });

    // 督查评价 90/80/95 → 27 + 16 + 47.5 = 90.5
    await act(sup, id, 'evaluate', { quality: 90, timeliness: 80, effectiveness: 95, comment: '成效明显' });
    // 第三方: A 80/70/90 → 83, B 60/60/60 → 60; mean 71.5
    await sup.post(`/api/v1/items/${id}/evaluators`, { userIds: [w.users.eva_a, w.users.eva_b] });
    for (const [u, s] of [
      ['eva_a', { quality: 80, timeliness: 70, effectiveness: 90 }],
      ['eva_b', { quality: 60, timeliness: 60, effectiveness: 60 }],
    ] as const) {
      const c = await w.as(u);
      expect(
        (await c.post(`/api/v1/items/${id}/evaluation/conflict`, { hasConflict: false })).statusCode,
      ).toBe(200);
      expect((await c.post(`/api/v1/items/${id}/evaluation/scores`, s)).statusCode).toBe(201);
    }
    // only rubric + third party so far: (0.4×90.5 + 0.3×71.5) / 0.7 = 82.357… → 82.36
    const two = (await sup.get(url)).json();
    expect(two.composite.score).toBe(82.36);
    expect(two.composite.missing).toEqual(['satisfaction']);

    // 群众: 满意 + 基本满意 → (100 + 60) / 2 = 80
    for (const rating of ['satisfied', 'basic']) {
      const { token } = (await sup.post(`/api/v1/items/${id}/satisfaction-links`)).json();
      const r = await w.app.inject({
        method: 'POST',
        url: `/api/v1/public/satisfaction/${token}`,
        payload: { rating },
      });
      expect(r.statusCode, r.body).toBe(201);
    }
    const all = (await sup.get(url)).json();
    expect(all.rubric).toMatchObject({ quality: 90, timeliness: 80, effectiveness: 95, score: 90.5 });
    expect(all.evaluators).toMatchObject({ mean: 71.5, count: 2 });
    expect(all.evaluators.detail).toHaveLength(2);
    expect(all.satisfaction).toEqual({
      count: 2,
      counts: { satisfied: 1, basic: 1, unsatisfied: 0 },
      score: 80,
    });
    expect(all.reworkProposed).toBe(false);
    // 0.4×90.5 + 0.3×71.5 + 0.3×80 = 36.2 + 21.45 + 24 = 81.65
    expect(all.composite).toEqual({
      score: 81.65,
      missing: [],
      weightsUsed: { supervisor: 0.4, thirdParty: 0.3, satisfaction: 0.3 },
    });
    // a handler of the lead unit sees the figures, no per-evaluator detail
    const handler = (await (await w.as('housing_h')).get(url)).json();
    expect(handler.composite.score).toBe(81.65);
    expect(handler.evaluators).toEqual({ mean: 71.5, count: 2, assigned: 2 });
  });
});
