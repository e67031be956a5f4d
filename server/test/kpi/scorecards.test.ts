import crypto from 'node:crypto';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sweepChases } from '../../src/escalation/chase.ts';
import { appendEvents } from '../../src/events/append.ts';
import { catchUpKpis, recomputeKpis } from '../../src/kpi/rollups.ts';
import type { TestContext } from '../support/context.ts';
import { atNoon, type Client, closeWorld, openWorld, type World } from '../support/factories.ts';
import { complete, dispatched, rollupSnapshot } from './support.ts';

/*
 * 满意度, 反弹率 and 考核记分卡 on a hand-computed fixture. Items dispatched Mon 2025-03-03 by
 * 杭州市督查室, deadline 2025-03-31 unless said otherwise; figures read on 2025-04-15, period 2025-03.
 *
 *  A housing    completed 03-07 on time; rated 满意, 基本满意, 不满意; 回头看: 巩固 + one undecided
 *  B housing    completed 03-14 on time; rated 不满意; 回头看: 反弹
 *  C housing    completed 04-02, late
 *  F housing    deadline 03-10, ladder up to 绩效扣分 (03-25), then 容错免责 approved 03-26;
 *               rated 满意, 回头看 反弹 — all left out (exempted)
 *  H housing    deadline 03-10, never completed, ladder up to 绩效扣分 on 03-25
 *  G education  completed 03-14 on time; rated 满意
 *
 * housing (F left out): 按期办结 A B of A B C H = 50 %; 办结 A B C of 4 = 75 %; 满意度 (2 + 0) /
 * (3 + 1) = 50 %; 反弹率 1 / 2 = 50 %; 退回率 0 / 4 = 0 %; 问责率 H / 4 = 25 %.
 * Default card: 0.3·50 + 0.1·75 + 0.2·50 + 0.1·(100 − 50) + 0.15·(100 − 0) + 0.15·(100 − 25)
 * = 63.75, minus 2 (H's 绩效扣分; F's is exempt) = 61.75. education: every score 100, 反弹率 no
 * data (its weight spread over the rest) → 100.
 */

let ctx: TestContext;
let w: World;
let sup: Client;
const ids: Record<string, string> = {};
const P = 'from=2025-03&to=2025-03';

async function rate(itemId: string, rating: 'satisfied' | 'basic' | 'unsatisfied', day: string) {
  const at = atNoon(ctx, day);
  await ctx.db.transaction().execute(async (tx) => {
    const id = crypto.randomUUID();
    await sql`insert into satisfaction_ratings (id, item_id, rating, rated_at)
      values (${id}, ${itemId}, ${rating}, ${at.toISOString()})`.execute(tx);
    await appendEvents(
      tx,
      [{ type: 'item.satisfaction_rated', itemId, ratingId: id, rating, reworkProposed: false }],
      { actorId: null, at },
    );
  });
}

async function review(
  itemId: string,
  outcome: 'consolidated' | 'rebound' | null,
  months: number,
  day: string,
) {
  const at = atNoon(ctx, day);
  await ctx.db.transaction().execute(async (tx) => {
    const id = crypto.randomUUID();
    await sql`insert into followup_reviews (id, item_id, source, months_after, due_on, outcome, decided_at, created_at)
      values (${id}, ${itemId}, 'schedule', ${months}, ${day}, ${outcome}, ${outcome === null ? null : at.toISOString()},
        ${at.toISOString()})`.execute(tx);
    if (outcome !== null)
      await appendEvents(
        tx,
        [{ type: 'item.followup_decided', itemId, reviewId: id, outcome, rectificationItemId: null }],
        { actorId: null, at },
      );
  });
}

beforeAll(async () => {
  ({ ctx, w } = await openWorld());
  sup = await w.as('city_sup');
  for (const u of ['housing_h', 'edu_h', 'ningbo_sup', 'admin', 'prov_sup', 'leader']) await w.as(u);
  const housing = w.units.housing as string;
  const base = { on: '2025-03-03', leadUnit: housing, deadline: '2025-03-31' };
  for (const k of ['A', 'B', 'C']) ids[k] = await dispatched(ctx, sup, { ...base, title: `记分事项${k}` });
  for (const k of ['F', 'H'])
    ids[k] = await dispatched(ctx, sup, { ...base, deadline: '2025-03-10', title: `记分事项${k}` });
  ids.G = await dispatched(ctx, sup, { ...base, leadUnit: w.units.education as string, title: '记分事项G' });
  // the ladder: 催办 (1 wd), 约谈/通报 (6 wd), 绩效扣分 (11 wd) by 03-25 — for F and H
  for (const day of ['2025-03-11', '2025-03-18', '2025-03-25']) await sweepChases(ctx.db, atNoon(ctx, day));
  await catchUpKpis(ctx.db, atNoon(ctx, '2025-03-25'));
  const h = await w.as('housing_h');
  atNoon(ctx, '2025-03-26');
  const ex = await h.post(`/api/v1/items/${ids.F}/exemptions`, { reason: '上级政策调整，无法按期推进。' });
  expect(ex.statusCode, ex.body).toBe(201);
  const ok = await sup.post(`/api/v1/items/${ids.F}/exemptions/${ex.json().exemption.id}/approve`, {});
  expect(ok.statusCode, ok.body).toBe(200);
  await complete(ctx, w, 'housing_h', sup, ids.A as string, '2025-03-07');
  await complete(ctx, w, 'housing_h', sup, ids.B as string, '2025-03-14');
  await complete(ctx, w, 'edu_h', sup, ids.G as string, '2025-03-14');
  await complete(ctx, w, 'housing_h', sup, ids.C as string, '2025-04-02');
  // the catch-up job folds what happened so far; the ratings and reviews after it come as events
  await catchUpKpis(ctx.db, atNoon(ctx, '2025-04-03'));
  await rate(ids.A as string, 'satisfied', '2025-04-05');
  await rate(ids.A as string, 'basic', '2025-04-06');
  await rate(ids.A as string, 'unsatisfied', '2025-04-07');
  await rate(ids.B as string, 'unsatisfied', '2025-04-07');
  await rate(ids.F as string, 'satisfied', '2025-04-07');
  await rate(ids.G as string, 'satisfied', '2025-04-07');
  await review(ids.A as string, 'consolidated', 3, '2025-04-08');
  await review(ids.A as string, null, 6, '2025-04-09');
  await review(ids.B as string, 'rebound', 3, '2025-04-08');
  await review(ids.F as string, 'rebound', 3, '2025-04-08');
  await catchUpKpis(ctx.db, atNoon(ctx, '2025-04-15'));
});
afterAll(() => closeWorld(ctx, w));

type Figure = { code: string; numerator: number | null; denominator: number | null; value: number | null };

async function figures(client: Client, query: string): Promise<Record<string, Figure>> {
  const res = await client.get(`/api/v1/kpis/values?${query}&${P}`);
  expect(res.statusCode, res.body).toBe(200);
  return Object.fromEntries((res.json().values as Figure[]).map((v) => [v.code, v]));
}

describe('满意度 and 反弹率', () => {
  it('count ratings and decided reviews, exempted items left out', async () => {
    const v = await figures(sup, `dimension=unit&key=${w.units.housing}`);
    expect(v.satisfaction).toMatchObject({ numerator: 2, denominator: 4, value: 50, noData: null });
    expect(v.rebound_rate).toMatchObject({ numerator: 1, denominator: 2, value: 50, noData: null });
    const edu = await figures(sup, `dimension=unit&key=${w.units.education}`);
    expect(edu.satisfaction).toMatchObject({ numerator: 1, denominator: 1, value: 100 });
    expect(edu.rebound_rate).toMatchObject({ numerator: 0, denominator: 0, value: null });
    const city = await figures(sup, 'dimension=region&key=330100');
    expect(city.satisfaction).toMatchObject({ numerator: 3, denominator: 5, value: 60 });
  });

  it('drill down to exactly the rated items, each with its count', async () => {
    const q = `dimension=unit&key=${w.units.housing}&${P}`;
    const num = (await sup.get(`/api/v1/kpis/satisfaction/items?${q}&part=numerator`)).json();
    expect(num).toMatchObject({ total: 2, sum: 2 });
    const byId = Object.fromEntries(num.items.map((i: { id: string; value: number }) => [i.id, i.value]));
    expect(byId).toEqual({ [ids.A as string]: 2, [ids.B as string]: 0 });
    const den = (await sup.get(`/api/v1/kpis/satisfaction/items?${q}&part=denominator`)).json();
    expect(den).toMatchObject({ total: 2, sum: 4 });
    const rb = (await sup.get(`/api/v1/kpis/rebound_rate/items?${q}&part=numerator`)).json();
    expect(rb.sum).toBe(1);
    expect(rb.items.find((i: { value: number }) => i.value === 1).id).toBe(ids.B);
  });

  it('the catch-up from the events equals a full recompute', async () => {
    const incremental = await rollupSnapshot(ctx);
    await recomputeKpis(ctx.db, atNoon(ctx, '2025-04-15'));
    expect(await rollupSnapshot(ctx)).toEqual(incremental);
  });
});

type Row = {
  rank: number | null;
  unitId: string;
  base: number | null;
  total: number | null;
  components: {
    kpi: string;
    value: number | null;
    score: number | null;
    points: number | null;
    items: { numerator: string; denominator: string };
    numerator: number;
    denominator: number;
  }[];
  deductions: { points: number; notices: { itemId: string; step: string; points: number; link: string }[] };
};

async function card(client: Client, query: string): Promise<Row[]> {
  const res = await client.get(`/api/v1/scorecards?${query}`);
  expect(res.statusCode, res.body).toBe(200);
  return res.json().scorecard.units;
}

describe('GET /api/v1/scorecards', () => {
  it('401 → 400 (field) → 404 outside the scope', async () => {
    expect(
      (await w.app.inject({ method: 'GET', url: '/api/v1/scorecards?unitKind=department' })).statusCode,
    ).toBe(401);
    const bad = await sup.get('/api/v1/scorecards?unitKind=department&period=2025-13');
    expect(bad.statusCode).toBe(400);
    expect(bad.json().errors[0].field).toBe('querystring.period');
    const kind = await sup.get('/api/v1/scorecards?unitKind=township');
    expect(kind.statusCode).toBe(400);
    expect(kind.json().errors[0].field).toBe('querystring.unitKind');
    const ningbo = await w.as('ningbo_sup');
    expect((await ningbo.get('/api/v1/scorecards?unitKind=department&regionCode=330100')).statusCode).toBe(
      404,
    );
    const handler = await w.as('housing_h');
    expect((await handler.get('/api/v1/scorecards?unitKind=department')).statusCode).toBe(404);
  });

  it('ranks units by the hand-computed totals, with deductions linked to their items', async () => {
    const rows = await card(sup, 'unitKind=department&period=2025-03');
    const housing = rows.find((r) => r.unitId === w.units.housing) as Row;
    const edu = rows.find((r) => r.unitId === w.units.education) as Row;
    expect(housing.base).toBe(63.75);
    expect(housing.deductions.points).toBe(2);
    expect(housing.deductions.notices).toMatchObject([
      { itemId: ids.H, step: 'deduction', points: 2, link: `/api/v1/items/${ids.H}` },
    ]);
    expect(housing.total).toBe(61.75);
    const comp = Object.fromEntries(housing.components.map((c) => [c.kpi, c]));
    expect(comp.on_time_rate).toMatchObject({
      numerator: 2,
      denominator: 4,
      value: 50,
      score: 50,
      points: 15,
    });
    expect(comp.rebound_rate).toMatchObject({ value: 50, score: 50, points: 5 });
    expect(comp.return_rate).toMatchObject({
      numerator: 0,
      denominator: 4,
      value: 0,
      score: 100,
      points: 15,
    });
    expect(comp.accountability_rate).toMatchObject({ numerator: 1, value: 25, score: 75, points: 11.25 });
    expect(edu).toMatchObject({ base: 100, total: 100, rank: 1 });
    expect(housing.rank).toBe(2);
    expect(rows[0]?.unitId).toBe(w.units.education);
    expect(rows[1]?.unitId).toBe(w.units.housing);
    // units without items come last, unranked
    for (const r of rows.slice(2)) expect(r).toMatchObject({ rank: null, total: null });
    // a quarter holds the month
    const q1 = await card(sup, 'unitKind=department&period=2025-Q1');
    expect(q1.find((r) => r.unitId === w.units.housing)?.total).toBe(61.75);
  });

  it('every component drills down to exactly the items it counted (exemptions left out)', async () => {
    const rows = await card(sup, 'unitKind=department&period=2025-03');
    const housing = rows.find((r) => r.unitId === w.units.housing) as Row;
    for (const c of housing.components) {
      for (const part of ['numerator', 'denominator'] as const) {
        const res = await sup.get(c.items[part]);
        expect(res.statusCode, res.body).toBe(200);
        expect(res.json().sum).toBe(c[part]);
      }
    }
    const ret = housing.components.find((c) => c.kpi === 'return_rate');
    const listed = (await sup.get(ret?.items.denominator as string)).json();
    expect(listed.items.map((i: { id: string }) => i.id).sort()).toEqual(
      [ids.A, ids.B, ids.C, ids.H].map(String).sort(),
    );
    // the KPI figure itself (not a scorecard) keeps the exempted item in 退回率's denominator
    const all = await sup.get(ret?.items.denominator.replace('&excludeExempted=true', '') as string);
    expect(all.json().total).toBe(5);
  });
});

describe('scorecard templates', () => {
  const url = '/api/v1/scorecards/templates/department';
  const good = {
    components: [
      { kpi: 'on_time_rate', group: 'results', weight: 0.5 },
      { kpi: 'satisfaction', group: 'results', weight: 0.1 },
      { kpi: 'return_rate', group: 'process', weight: 0.4 },
    ],
    deductions: { deduction: 3, organizational: 10 },
  };

  it('reads the default (政策实效 ≥ 0.6)', async () => {
    const res = await sup.get(url);
    expect(res.statusCode).toBe(200);
    expect(res.json().template).toMatchObject({
      unitKind: 'department',
      isDefault: true,
      resultsWeight: 0.7,
    });
    expect((await sup.get('/api/v1/scorecards/templates/township')).statusCode).toBe(404);
  });

  it('401 → 400 naming the field → 403 → 404 → 200 with its event', async () => {
    expect((await w.app.inject({ method: 'PUT', url, payload: good })).statusCode).toBe(401);
    const admin = await w.as('admin');
    const field = async (body: unknown) => {
      const r = await admin.put(url, body);
      expect(r.statusCode, r.body).toBe(400);
      return r.json().errors[0].field;
    };
    expect(
      await field({
        ...good,
        components: [{ ...good.components[0], weight: 0.2 }, ...good.components.slice(1)],
      }),
    ).toBe('body.components');
    expect(
      await field({
        ...good,
        components: [
          { kpi: 'on_time_rate', group: 'results', weight: 0.4 },
          { kpi: 'return_rate', group: 'process', weight: 0.6 },
        ],
      }),
    ).toBe('body.components');
    expect(await field({ ...good, components: [{ kpi: 'nope', group: 'results', weight: 1 }] })).toBe(
      'body.components.0.kpi',
    );
    expect(
      await field({ ...good, components: [{ kpi: 'avg_working_days', group: 'results', weight: 1 }] }),
    ).toBe('body.components.0.kpi');
    expect(await field({ ...good, deductions: { deduction: -1, organizational: 1 } })).toBe(
      'body.deductions.deduction',
    );
    expect((await (await w.as('prov_sup')).put(url, good)).statusCode).toBe(403);
    expect((await admin.put('/api/v1/scorecards/templates/township', good)).statusCode).toBe(404);
    const res = await admin.put(url, good);
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json().template).toMatchObject({
      isDefault: false,
      resultsWeight: 0.6,
      deductions: good.deductions,
    });
    const ev = await ctx.db
      .selectFrom('events')
      .select('payload')
      .where('type', '=', 'scorecard.template_changed')
      .execute();
    expect(ev).toHaveLength(1);
    expect(ev[0]?.payload).toMatchObject({
      unitKind: 'department',
      previous: null,
      deductions: good.deductions,
    });
  });

  it('the edited template drives the cards', async () => {
    // housing: 0.5·50 + 0.1·50 + 0.4·100 = 70, minus 3 = 67; education 100
    const rows = await card(sup, 'unitKind=department&period=2025-03');
    expect(rows.find((r) => r.unitId === w.units.housing)).toMatchObject({ base: 70, total: 67, rank: 2 });
    expect(rows.find((r) => r.unitId === w.units.education)).toMatchObject({
      base: 100,
      total: 100,
      rank: 1,
    });
  });
});
