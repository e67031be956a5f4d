import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  forEachHistoryBatch,
  type ItemHistory,
  loadHistories,
  nationalCalendar,
} from '../../src/risk/features.ts';
import { rescoreRisk } from '../../src/risk/jobs.ts';
import { backtestSnapshots, loadBacktestSnapshots, scoreOpenItems } from '../../src/risk/service.ts';
import { riskDb } from '../../src/risk/tables.ts';
import { complete, dispatched } from '../kpi/support.ts';
import { createTestContext, type TestContext } from '../support/context.ts';
import { act, atNoon, buildWorld, type Client, type World } from '../support/factories.ts';

/*
 * 滞后风险 on a small world read on 2025-05-15:
 *   H1–H3  杭州市住建局, deadline 02-28, completed 03-10 (late)
 *   E1–E2  杭州市教育局, deadline 02-28, completed 02-20 (on time)
 *   O1     杭州市住建局, deadline 06-30, accepted, reported 10 %      (open)
 *   O2     杭州市教育局, deadline 06-30, accepted, reported 60 %      (open, ecology)
 *   O3     西湖区住建局 (330106), deadline 06-30                       (open)
 *   O4     宁波市住建局 (330200), deadline 06-30                       (open)
 *   O5     杭州市住建局, deadline 04-30, accepted, reported 20 %      (open, overdue)
 */
let ctx: TestContext;
let w: World;
let leader: Client;
const ids: Record<string, string> = {};

beforeAll(async () => {
  ctx = await createTestContext();
  w = await buildWorld(ctx);
  // Sessions first, on the real clock, so they outlive the simulated 2025 dates.
  for (const u of ['housing_h', 'edu_h', 'county_h', 'county_sup', 'ningbo_sup', 'ningbo_h', 'auditor'])
    await w.as(u);
  const sup = await w.as('city_sup');
  leader = await w.as('leader');
  const housing = w.units.housing as string;
  const education = w.units.education as string;
  const old = { on: '2025-01-06', deadline: '2025-02-28' };
  for (const k of ['H1', 'H2', 'H3'])
    ids[k] = await dispatched(ctx, sup, { ...old, leadUnit: housing, title: `风险${k}` });
  for (const k of ['E1', 'E2'])
    ids[k] = await dispatched(ctx, sup, { ...old, leadUnit: education, title: `风险${k}` });
  for (const k of ['H1', 'H2', 'H3'])
    await complete(ctx, w, 'housing_h', sup, ids[k] as string, '2025-03-10');
  for (const k of ['E1', 'E2']) await complete(ctx, w, 'edu_h', sup, ids[k] as string, '2025-02-20');
  const open = { on: '2025-03-03', deadline: '2025-06-30' };
  ids.O1 = await dispatched(ctx, sup, { ...open, leadUnit: housing, title: '风险O1' });
  ids.O2 = await dispatched(ctx, sup, {
    ...open,
    leadUnit: education,
    title: '风险O2',
    categoryCode: 'ecology',
  });
  ids.O3 = await dispatched(ctx, await w.as('county_sup'), {
    ...open,
    leadUnit: w.units.countyHousing as string,
    title: '风险O3',
  });
  ids.O4 = await dispatched(ctx, await w.as('ningbo_sup'), {
    ...open,
    leadUnit: w.units.ningboHousing as string,
    title: '风险O4',
  });
  ids.O5 = await dispatched(ctx, sup, {
    ...open,
    deadline: '2025-04-30',
    leadUnit: housing,
    title: '风险O5',
  });
  atNoon(ctx, '2025-03-05');
  const h = await w.as('housing_h');
  for (const k of ['O1', 'O5']) await act(h, ids[k] as string, 'accept');
  await act(await w.as('edu_h'), ids.O2 as string, 'accept');
  atNoon(ctx, '2025-04-01');
  await act(h, ids.O1 as string, 'report', { percent: 10, narrative: '正在推进。' });
  await act(h, ids.O5 as string, 'report', { percent: 20, narrative: '正在推进。' });
  await act(await w.as('edu_h'), ids.O2 as string, 'report', { percent: 60, narrative: '进展顺利。' });
  atNoon(ctx, '2025-05-15');
}, 180_000);

afterAll(async () => {
  await w?.app.close();
  await ctx?.cleanup();
});

const risks = () => riskDb(ctx.db).selectFrom('item_risk').selectAll().execute();
const models = () => riskDb(ctx.db).selectFrom('risk_models').selectAll().execute();

describe('scoring job', () => {
  it('trains a model when there is none and writes one row per open item', async () => {
    expect(await risks()).toHaveLength(0);
    const r = await rescoreRisk(ctx);
    expect(r.scored).toBe(5);
    expect(await models()).toHaveLength(1);
    const rows = await risks();
    expect(rows.map((x) => x.item_id).sort()).toEqual(
      ['O1', 'O2', 'O3', 'O4', 'O5'].map((k) => ids[k]).sort(),
    );
    for (const row of rows) {
      expect(row.probability).toBeGreaterThanOrEqual(0);
      expect(row.probability).toBeLessThanOrEqual(1);
      expect(row.model_version).toBe(r.version);
    }
    const byId = new Map(rows.map((x) => [x.item_id, x]));
    // The overdue, slow item of the late unit is riskier than the well-advanced one.
    expect(Number(byId.get(ids.O5 as string)?.probability)).toBeGreaterThan(
      Number(byId.get(ids.O2 as string)?.probability),
    );
    expect(byId.get(ids.O1 as string)?.lead_unit_id).toBe(w.units.housing);
    // A second run rewrites the same rows and keeps the model (idempotent).
    await rescoreRisk(ctx);
    expect(await risks()).toHaveLength(5);
    expect(await models()).toHaveLength(1);
  });

  it('drops an item that closes at the next rescoring', async () => {
    const sup = await w.as('county_sup');
    await complete(ctx, w, 'county_h', sup, ids.O3 as string, '2025-05-15');
    await rescoreRisk(ctx);
    expect((await risks()).map((r) => r.item_id)).not.toContain(ids.O3);
    expect(await risks()).toHaveLength(4);
  });

  it('goes batch by batch with the same histories, snapshots and scores as in one pass', async () => {
    const now = ctx.now();
    const whole = await loadHistories(ctx.db);
    expect(whole).toHaveLength(10);
    const pieces: string[][] = [];
    const batched: ItemHistory[] = [];
    await forEachHistoryBatch(
      ctx.db,
      (batch) => {
        pieces.push(batch.map((h) => h.id));
        batched.push(...batch);
      },
      3,
    );
    expect(pieces.map((p) => p.length)).toEqual([3, 3, 3, 1]);
    expect(batched).toEqual(whole);
    const cal = await nationalCalendar(ctx.db);
    expect(await loadBacktestSnapshots(ctx.db, now, 2)).toEqual(backtestSnapshots(whole, now, cal));
    // Scores in batches of two: the same rows; a row of an item no longer open (H1, planted) goes.
    const before = await risks();
    await riskDb(ctx.db)
      .insertInto('item_risk')
      .values({ ...(before[0] as (typeof before)[0]), item_id: ids.H1 as string, factors: '{}' })
      .execute();
    expect(await risks()).toHaveLength(5);
    expect((await scoreOpenItems(ctx.db, now, 2)).scored).toBe(4);
    const byId = (rows: typeof before) => [...rows].sort((x, y) => x.item_id.localeCompare(y.item_id));
    expect(byId(await risks())).toEqual(byId(before));
  });
});

describe('risk API', () => {
  it('401 without a session', async () => {
    for (const url of ['/api/v1/risk/overview', '/api/v1/risk/items', `/api/v1/items/${ids.O1}/risk`])
      expect((await w.app.inject({ method: 'GET', url })).statusCode, url).toBe(401);
    expect((await w.app.inject({ method: 'POST', url: '/api/v1/risk/train', payload: {} })).statusCode).toBe(
      401,
    );
  });

  it('POST /risk/train: 403 for roles other than supervisor and admin; a supervisor retrains and rescores', async () => {
    const before = (await models()).length;
    for (const u of ['leader', 'housing_h', 'auditor']) {
      const res = await (await w.as(u)).post('/api/v1/risk/train', {});
      expect(res.statusCode, u).toBe(403);
    }
    expect(await models()).toHaveLength(before);
    const res = await (await w.as('city_sup')).post('/api/v1/risk/train', {});
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json().scored).toBe(4);
    expect(res.json().model.version).toBeTruthy();
    expect(await models()).toHaveLength(before + 1);
    const rows = await risks();
    expect(rows).toHaveLength(4);
    expect(rows.every((r) => r.model_version === res.json().model.version)).toBe(true);
  });

  it('400 problem+json naming the field, with nothing written', async () => {
    const cases: [string, string][] = [
      ['/api/v1/risk/overview?region=33', 'querystring.region'],
      ['/api/v1/risk/overview?colour=red', 'querystring'],
      ['/api/v1/risk/items?level=extreme', 'querystring.level'],
      ['/api/v1/risk/items?ids=not-a-uuid', 'querystring.ids'],
      ['/api/v1/risk/items?unit=42', 'querystring.unit'],
      ['/api/v1/risk/items?limit=0', 'querystring.limit'],
      ['/api/v1/items/nope/risk', 'params.id'],
    ];
    for (const [url, field] of cases) {
      const res = await leader.get(url);
      expect(res.statusCode, url).toBe(400);
      expect(res.headers['content-type']).toContain('application/problem+json');
      expect(res.json().code, url).toBe('VALIDATION_FAILED');
      expect(String(res.json().field), url).toContain(field);
    }
    const before = await models();
    const res = await (await w.as('city_sup')).post('/api/v1/risk/train', { rebuild: true });
    expect(res.statusCode).toBe(400);
    expect(res.headers['content-type']).toContain('application/problem+json');
    expect(String(res.json().field)).toContain('body');
    expect(await models()).toEqual(before);
  });

  it('404 outside the data scope', async () => {
    const ningbo = await w.as('ningbo_sup');
    const cases: [Client, string, string][] = [
      [ningbo, '/api/v1/risk/overview?region=330100', 'REGION_NOT_FOUND'],
      [ningbo, '/api/v1/risk/items?region=330100', 'REGION_NOT_FOUND'],
      [await w.as('county_sup'), '/api/v1/risk/overview?region=330100', 'REGION_NOT_FOUND'],
      [await w.as('housing_h'), '/api/v1/risk/overview', 'REGION_NOT_FOUND'],
      [ningbo, `/api/v1/items/${ids.O1}/risk`, 'ITEM_NOT_FOUND'],
      [await w.as('edu_h'), `/api/v1/items/${ids.O1}/risk`, 'ITEM_NOT_FOUND'],
    ];
    for (const [client, url, code] of cases) {
      const res = await client.get(url);
      expect(res.statusCode, url).toBe(404);
      expect(res.json().code, url).toBe(code);
    }
    // By ids, an item one may not see is simply not listed.
    const res = await ningbo.get(`/api/v1/risk/items?ids=${ids.O1},${ids.O4}`);
    expect(res.statusCode).toBe(200);
    expect(res.json().items.map((i: { id: string }) => i.id)).toEqual([ids.O4]);
  });

  it("an item's score: to whoever sees the item; null when it is not scored", async () => {
    const res = await (await w.as('housing_h')).get(`/api/v1/items/${ids.O1}/risk`);
    expect(res.statusCode).toBe(200);
    const risk = res.json().risk;
    expect(['low', 'medium', 'high']).toContain(risk.level);
    expect(risk.probability).toBeGreaterThanOrEqual(0);
    expect(Array.isArray(risk.topFactors)).toBe(true);
    const closed = await leader.get(`/api/v1/items/${ids.H1}/risk`);
    expect(closed.statusCode).toBe(200);
    expect(closed.json().risk).toBeNull();
  });

  it('overview totals equal the drill-down counts (region, unit, category, unit × category, level)', async () => {
    const res = await leader.get('/api/v1/risk/overview');
    expect(res.statusCode, res.body).toBe(200);
    const o = res.json();
    expect(o.region.code).toBe('330000');
    expect(o.totals.count).toBe(4);
    expect(o.totals.low + o.totals.medium + o.totals.high).toBe(4);
    expect(o.model.version).toBeTruthy();
    const total = async (q: string) => {
      const r = await leader.get(`/api/v1/risk/items?${q}`);
      expect(r.statusCode, `${q}: ${r.body}`).toBe(200);
      return r.json().total as number;
    };
    expect(await total('')).toBe(o.totals.count);
    for (const level of ['low', 'medium', 'high'])
      expect(await total(`level=${level}`)).toBe(o.totals[level]);
    expect(o.regions).toHaveLength(11);
    expect(o.regions.find((r: { code: string }) => r.code === '330100').count).toBe(3);
    expect(o.regions.find((r: { code: string }) => r.code === '330200').count).toBe(1);
    for (const r of o.regions) {
      expect(await total(`region=${r.code}`), r.code).toBe(r.count);
      expect(await total(`region=${r.code}&level=high`), r.code).toBe(r.high);
    }
    for (const u of o.units) expect(await total(`unit=${u.id}`), u.name).toBe(u.count);
    for (const c of o.categories) expect(await total(`category=${c.code}`), c.code).toBe(c.count);
    for (const cell of o.cells)
      expect(await total(`unit=${cell.unitId}&category=${cell.categoryCode}`)).toBe(cell.count);
    expect(o.cells.reduce((s: number, c: { count: number }) => s + c.count, 0)).toBe(4);
    // The city supervisor sees 杭州's part only, with its counties for the map.
    const city = (await (await w.as('city_sup')).get('/api/v1/risk/overview')).json();
    expect(city.totals.count).toBe(3);
    const list = (await leader.get('/api/v1/risk/items?region=330100')).json();
    const probs = list.items.map((i: { probability: number }) => i.probability);
    expect(probs).toEqual([...probs].sort((a, b) => b - a));
  });
});
