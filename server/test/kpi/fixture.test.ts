import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sweepChases } from '../../src/escalation/chase.ts';
import { catchUpKpis, recomputeKpis } from '../../src/kpi/rollups.ts';
import type { TestContext } from '../support/context.ts';
import { act, atNoon, type Client, closeWorld, openWorld, type World } from '../support/factories.ts';
import { complete, dispatched, rollupSnapshot } from './support.ts';

/*
 * A hand-computed fixture. Every item is dispatched on Mon 2025-03-03 (杭州市督查室) with the
 * deadline Mon 2025-03-31 unless said otherwise; the figures are read on 2025-04-15. March 2025 has
 * no holiday, so working days after 03-03 are: 03-07 → 4, 03-14 → 9, 03-21 → 14, 04-02 → 22,
 * 04-03 → 23 (03-04…03-31 is 20 working days).
 *
 *  A housing  completed 03-07, on time, 2 progress reports       period 2025-03
 *  B housing  completed 03-14, on time                            2025-03
 *  C housing  completed 04-02, late (超期)                        2025-03
 *  D housing  open past the deadline (超期), 1 progress report     2025-03
 *  E housing  extension to 04-10 approved, completed 04-03        2025-04 (excluded from 按期办结率)
 *  F housing  open past the deadline, exemption approved (免责)   2025-03 (excluded everywhere but 退回率)
 *  G          returned by education 03-04, re-dispatched to housing, completed 03-21, on time
 *  H housing  deadline 03-10, never completed, ladder up to 绩效扣分 (问责)
 *  I housing  suspended 03-20: clock stopped, not due
 *  J housing  deadline 2025-05-30: not due yet
 *  K housing  cancelled, then archived: not counted at all;  P registered, never dispatched: not counted
 *  L 西湖区住建局 (330106, category 营商环境) completed 03-14, on time
 *  M 宁波市住建局 (330200): outside 杭州
 */

let ctx: TestContext;
let w: World;
let sup: Client;
const ids: Record<string, string> = {};
const FROM = '2025-01';
const TO = '2025-06';

beforeAll(async () => {
  ({ ctx, w } = await openWorld());
  sup = await w.as('city_sup');
  // Sign everyone in on the real clock: sessions then outlive the 2025 test days.
  for (const u of ['housing_h', 'edu_h', 'county_h', 'ningbo_sup', 'prov_sup', 'admin']) await w.as(u);
  const housing = w.units.housing as string;
  const base = { on: '2025-03-03', leadUnit: housing, deadline: '2025-03-31' };
  for (const k of ['A', 'B', 'C', 'D', 'E', 'F', 'I', 'K'])
    ids[k] = await dispatched(ctx, sup, { ...base, title: `事项${k}` });
  ids.H = await dispatched(ctx, sup, { ...base, deadline: '2025-03-10', title: '事项H' });
  ids.J = await dispatched(ctx, sup, { ...base, deadline: '2025-05-30', title: '事项J' });
  ids.G = await dispatched(ctx, sup, { ...base, leadUnit: w.units.education as string, title: '事项G' });
  ids.L = await dispatched(ctx, sup, {
    ...base,
    leadUnit: w.units.countyHousing as string,
    title: '事项L',
    categoryCode: 'business-environment',
  });
  ids.M = await dispatched(ctx, await w.as('ningbo_sup'), {
    ...base,
    leadUnit: w.units.ningboHousing as string,
    title: '事项M',
  });
  const p = await sup.post('/api/v1/items', {
    title: '事项P',
    content: '未交办。',
    source: 'work_report',
    categoryCode: 'livelihood',
    urgency: 'normal',
    sensitivity: 'public',
    isPublic: false,
    deadline: '2025-03-31',
  });
  expect(p.statusCode, p.body).toBe(201);

  const h = await w.as('housing_h');
  // G: returned by education on 03-04, re-dispatched to housing the same day.
  atNoon(ctx, '2025-03-04');
  await act(await w.as('edu_h'), ids.G as string, 'return', { reason: '不属于本单位职责。' });
  await act(sup, ids.G as string, 'dispatch', {
    assignments: [{ unitId: housing, role: 'lead', deadline: '2025-03-31' }],
  });
  for (const k of ['A', 'D', 'E', 'F', 'I']) await act(h, ids[k] as string, 'accept');
  // progress reports: A twice, D once
  atNoon(ctx, '2025-03-05');
  for (const k of ['A', 'A', 'D'])
    await act(h, ids[k] as string, 'report', { percent: 50, narrative: '按计划推进中。' });
  // E: extension to 04-10, approved the same day
  atNoon(ctx, '2025-03-10');
  await act(h, ids.E as string, 'request-extension', { newDeadline: '2025-04-10', reason: '需协调资金。' });
  const e = await act(sup, ids.E as string, 'approve-extension', { unitId: housing, comment: '同意' });
  expect(e.deadline).toBe('2025-04-10');
  // F: exemption approved
  atNoon(ctx, '2025-03-20');
  const ex = await h.post(`/api/v1/items/${ids.F}/exemptions`, { reason: '上级政策调整，无法按期推进。' });
  expect(ex.statusCode, ex.body).toBe(201);
  const approved = await sup.post(`/api/v1/items/${ids.F}/exemptions/${ex.json().exemption.id}/approve`, {});
  expect(approved.statusCode, approved.body).toBe(200);
  // I: suspended; K: cancelled
  await act(sup, ids.I as string, 'suspend', { reason: '暂缓实施。' });
  await act(sup, ids.K as string, 'cancel', { reason: '重复交办。' });
  await act(sup, ids.K as string, 'archive');

  await complete(ctx, w, 'housing_h', sup, ids.A as string, '2025-03-07');
  await complete(ctx, w, 'housing_h', sup, ids.B as string, '2025-03-14');
  await complete(ctx, w, 'county_h', sup, ids.L as string, '2025-03-14');
  await complete(ctx, w, 'housing_h', sup, ids.G as string, '2025-03-21');
  await complete(ctx, w, 'housing_h', sup, ids.C as string, '2025-04-02');
  await complete(ctx, w, 'housing_h', sup, ids.E as string, '2025-04-03');
  // H: deadline 03-10; the ladder: 催办 (1 wd), 约谈/通报 (6 wd), 绩效扣分 (11 wd) by 03-25
  for (const day of ['2025-03-11', '2025-03-18', '2025-03-25']) await sweepChases(ctx.db, atNoon(ctx, day));
  await catchUpKpis(ctx.db, atNoon(ctx, '2025-04-15'));
});
afterAll(() => closeWorld(ctx, w));

type Figure = {
  code: string;
  numerator: number | null;
  denominator: number | null;
  value: number | null;
  noData: unknown;
};

async function values(client: Client, query: string): Promise<Record<string, Figure>> {
  const res = await client.get(`/api/v1/kpis/values?${query}&from=${FROM}&to=${TO}`);
  expect(res.statusCode, res.body).toBe(200);
  return Object.fromEntries((res.json().values as Figure[]).map((v) => [v.code, v]));
}

const fig = (numerator: number, denominator: number, value: number | null) => ({
  numerator,
  denominator,
  value,
});

describe('KPI figures on the hand-computed fixture', () => {
  it('per unit (杭州市住建局)', async () => {
    const v = await values(sup, `dimension=unit&key=${w.units.housing}`);
    expect(v.completion_rate).toMatchObject(fig(5, 7, 71.43)); // A B C E G of A B C D E G H
    expect(v.on_time_rate).toMatchObject(fig(3, 6, 50)); // A B G of A B C D G H (E extended, F exempt)
    expect(v.avg_working_days).toMatchObject(fig(4 + 9 + 22 + 23 + 14, 5, 14.4));
    expect(v.overdue_rate).toMatchObject(fig(3, 7, 42.86)); // C D H
    expect(v.return_rate).toMatchObject(fig(1, 10, 10)); // G of A–J
    expect(v.accountability_rate).toMatchObject(fig(1, 7, 14.29)); // H
    expect(v.report_burden).toMatchObject(fig(3, 6, 0.5)); // 3 reports, 1 unit × 6 months
    // no ratings and no 回头看 in this fixture (scorecards.test.ts has them): nothing to divide by
    for (const code of ['satisfaction', 'rebound_rate'])
      expect(v[code]).toMatchObject({ numerator: 0, denominator: 0, value: null, noData: null });
  });

  it('per region (杭州市 with 西湖区) and per category within it', async () => {
    const v = await values(sup, 'dimension=region&key=330100');
    expect(v.completion_rate).toMatchObject(fig(6, 8, 75));
    expect(v.on_time_rate).toMatchObject(fig(4, 7, 57.14));
    expect(v.avg_working_days).toMatchObject(fig(81, 6, 13.5));
    expect(v.overdue_rate).toMatchObject(fig(3, 8, 37.5));
    expect(v.return_rate).toMatchObject(fig(1, 11, 9.09));
    expect(v.accountability_rate).toMatchObject(fig(1, 8, 12.5));
    // 6 units in 杭州's subtree (督查室, 住建, 教育, 财政, 西湖区督查室, 西湖区住建) × 6 months
    expect(v.report_burden).toMatchObject(fig(3, 36, 0.08));
    const county = await values(sup, 'dimension=region&key=330106');
    expect(county.on_time_rate).toMatchObject(fig(1, 1, 100));
    const livelihood = await values(sup, 'dimension=category&key=livelihood&region=330100');
    expect(livelihood.completion_rate).toMatchObject(fig(5, 7, 71.43));
    const business = await values(sup, 'dimension=category&key=business-environment');
    expect(business.completion_rate).toMatchObject(fig(1, 1, 100));
    // the province sees 宁波 too: M is due and open
    const prov = await values(await w.as('prov_sup'), 'dimension=region&key=330000');
    expect(prov.completion_rate).toMatchObject(fig(6, 9, 66.67));
  });

  it('lists exactly the counted items, and every figure equals its drill-down', async () => {
    const on = await sup.get(
      `/api/v1/kpis/on_time_rate/items?dimension=unit&key=${w.units.housing}&from=${FROM}&to=${TO}&part=denominator`,
    );
    expect(on.statusCode, on.body).toBe(200);
    const titles = (on.json().items as { title: string }[]).map((i) => i.title).sort();
    expect(titles).toEqual(['事项A', '事项B', '事项C', '事项D', '事项G', '事项H']);

    const defs = (await sup.get('/api/v1/kpis')).json().kpis as {
      code: string;
      noData: unknown;
      denominator: object;
    }[];
    const targets = [
      `dimension=unit&key=${w.units.housing}`,
      'dimension=region&key=330100',
      'dimension=region&key=330106',
      'dimension=category&key=livelihood&region=330100',
    ];
    let checked = 0;
    for (const t of targets) {
      const v = await values(sup, t);
      for (const d of defs) {
        if (d.noData !== null) continue;
        for (const part of ['numerator', 'denominator'] as const) {
          if (part === 'denominator' && 'unitMonths' in d.denominator) continue;
          const res = await sup.get(
            `/api/v1/kpis/${d.code}/items?${t}&from=${FROM}&to=${TO}&part=${part}&limit=500`,
          );
          expect(res.statusCode, res.body).toBe(200);
          const body = res.json();
          const items = body.items as { value: number }[];
          expect(body.total).toBe(items.length);
          expect(items.reduce((s, i) => s + i.value, 0)).toBe(v[d.code]?.[part]);
          expect(body.sum).toBe(v[d.code]?.[part]);
          checked++;
        }
      }
    }
    expect(checked).toBe(4 * 17); // 8 KPIs × 2 parts + 基层报送负担's numerator
  });

  it('a full recompute gives the same roll-ups as the incremental upkeep', async () => {
    const snapshot = () => rollupSnapshot(ctx);
    const incremental = await snapshot();
    expect(incremental.length).toBeGreaterThan(0);
    const r = await recomputeKpis(ctx.db, ctx.now());
    expect(r.facts).toBe(12); // A–J, L, M (K cancelled, P never dispatched)
    expect(await snapshot()).toEqual(incremental);
  });
});

describe('KPI routes', () => {
  it('401 without a session', async () => {
    expect((await w.app.inject({ method: 'GET', url: '/api/v1/kpis' })).statusCode).toBe(401);
    expect(
      (await w.app.inject({ method: 'GET', url: '/api/v1/kpis/values?dimension=region&key=330100' }))
        .statusCode,
    ).toBe(401);
  });

  it('400 problem+json naming the field', async () => {
    const cases: [string, string][] = [
      ['/api/v1/kpis/values?dimension=county&key=330100', 'querystring.dimension'],
      ['/api/v1/kpis/values?dimension=region&key=330100&from=2025-13', 'querystring.from'],
      ['/api/v1/kpis/values?dimension=region&key=330100&from=2025-05&to=2025-04', 'querystring.from'],
      ['/api/v1/kpis/values?dimension=region', 'querystring.key'],
      ['/api/v1/kpis/values?dimension=region&key=330100&extra=1', 'querystring.extra'],
      ['/api/v1/kpis/on_time_rate/items?dimension=region&key=330100&part=both', 'querystring.part'],
      ['/api/v1/kpis/on_time_rate/items?dimension=region&key=330100&limit=0', 'querystring.limit'],
      ['/api/v1/kpis/report_burden/items?dimension=region&key=330100&part=denominator', 'querystring.part'],
    ];
    for (const [url, field] of cases) {
      const res = await sup.get(url);
      expect(res.statusCode, url).toBe(400);
      expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
      expect(res.json()).toMatchObject({ code: 'VALIDATION_FAILED', field });
      expect(res.json().detailZh).toMatch(/[\u4e00-\u9fa5]/);
    }
  });

  it('404 outside the data scope, for figures and drill-downs alike', async () => {
    const handler = await w.as('housing_h');
    const admin = await w.as('admin');
    const cases: [Client, string][] = [
      [sup, `dimension=unit&key=${w.units.ningboHousing}`],
      [sup, 'dimension=region&key=330200'],
      [sup, 'dimension=region&key=330000'],
      [sup, 'dimension=category&key=livelihood&region=330200'],
      [handler, `dimension=unit&key=${w.units.education}`],
      [handler, 'dimension=region&key=330100'],
      [admin, `dimension=unit&key=${w.units.housing}`],
      [sup, 'dimension=unit&key=not-a-unit'],
      [sup, 'dimension=region&key=999999'],
    ];
    for (const [client, q] of cases) {
      for (const url of [`/api/v1/kpis/values?${q}`, `/api/v1/kpis/on_time_rate/items?${q}`]) {
        const res = await client.get(url);
        expect(res.statusCode, url).toBe(404);
        expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
      }
    }
    // a handler sees its own unit's figures
    const own = await handler.get(
      `/api/v1/kpis/values?dimension=unit&key=${w.units.housing}&from=${FROM}&to=${TO}`,
    );
    expect(own.statusCode).toBe(200);
    expect((await sup.get('/api/v1/kpis/nope/items?dimension=region&key=330100')).statusCode).toBe(404);
    const sat = await sup.get('/api/v1/kpis/satisfaction/items?dimension=region&key=330100');
    expect(sat.statusCode, sat.body).toBe(200);
    expect(sat.json()).toMatchObject({ total: 0, sum: 0 });
  });
});
