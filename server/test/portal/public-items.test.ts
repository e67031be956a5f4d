import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRateLimiter } from '../../src/http/rate-limit.ts';
import { csvCell } from '../../src/portal/open-data.ts';
import { createTestContext, type TestContext } from '../support/context.ts';
import { buildWorld, type Client, closeWorld, itemBody, type World } from '../support/factories.ts';

/**
 * 公众门户 read API: no login, only public items (is_public, not 敏感, not a draft); the public
 * timeline carries no people, comments, reasons or attachments; a non-public or sensitive item is
 * invisible in lists, filters, open data and by id (404 as an unknown id).
 */
let ctx: TestContext;
let w: World;
let sup: Client;
let ningboSup: Client;
let lead: Client;
const ids: Record<string, string> = {};

const anon = (url: string, headers: Record<string, string> = {}) =>
  w.app.inject({ method: 'GET', url, headers });

beforeAll(async () => {
  ctx = await createTestContext();
  ctx.setNow('2026-11-02T02:00:00Z');
  w = await buildWorld(ctx);
  sup = await w.as('city_sup');
  ningboSup = await w.as('ningbo_sup');
  lead = await w.as('housing_h');

  const create = async (key: string, c: Client, body: Record<string, unknown>) => {
    const res = await c.post('/api/v1/items', itemBody(body));
    expect(res.statusCode, res.body).toBe(201);
    ids[key] = res.json().item.id;
    return `/api/v1/items/${ids[key]}`;
  };

  // A public item through its whole life, with internal remarks that must never be shown.
  const url = await create('done', sup, {
    title: '推进老旧小区改造',
    content: '完成城北片区老旧小区综合改造 50 个。',
    deadline: '2026-12-31',
  });
  expect(
    (await sup.post(`${url}/actions/dispatch`, { assignments: [{ unitId: w.units.housing, role: 'lead' }] }))
      .statusCode,
  ).toBe(200);
  expect((await lead.post(`${url}/actions/accept`)).statusCode).toBe(200);
  expect(
    (
      await lead.post(`${url}/actions/report`, {
        percent: 60,
        narrative: '已完成 30 个小区。',
        problems: '内部问题张三',
      })
    ).statusCode,
  ).toBe(200);
  expect((await sup.post(`${url}/actions/comment`, { body: '内部意见李四' })).statusCode).toBe(200);
  expect(
    (
      await lead.post(`${url}/actions/request-extension`, {
        newDeadline: '2027-01-15',
        reason: '内部延期理由',
      })
    ).statusCode,
  ).toBe(200);
  expect(
    (await sup.post(`${url}/actions/approve-extension`, { unitId: w.units.housing, comment: '内部同意意见' }))
      .statusCode,
  ).toBe(200);
  expect(
    (await lead.post(`${url}/actions/report`, { percent: 100, narrative: '全部完成。' })).statusCode,
  ).toBe(200);
  expect((await lead.post(`${url}/actions/request-completion`, { summary: '内部办结说明' })).statusCode).toBe(
    200,
  );
  expect((await sup.post(`${url}/actions/approve-completion`, { comment: '内部审核意见' })).statusCode).toBe(
    200,
  );
  const ev = await sup.post(`${url}/actions/evaluate`, {
    quality: 90,
    timeliness: 90,
    effectiveness: 90,
    comment: '内部评价意见',
  });
  expect(ev.statusCode, ev.body).toBe(200);

  // A public item in 宁波, another category, dispatched.
  const nb = await create('ningbo', ningboSup, {
    title: '宁波港区道路整治',
    content: '整治港区道路 10 公里。',
    categoryCode: 'key-project',
  });
  expect(
    (
      await ningboSup.post(`${nb}/actions/dispatch`, {
        assignments: [{ unitId: w.units.ningboHousing, role: 'lead' }],
      })
    ).statusCode,
  ).toBe(200);

  // Not public, sensitive (reclassified after it was published), a draft: invisible.
  await create('internal', sup, {
    title: '内部事项不可见',
    content: '内部研究的财政预算调整。',
    sensitivity: 'internal',
    isPublic: false,
  });
  await create('sensitive', sup, { title: '敏感事项不可见', content: '信访积案化解专项工作。' });
  await ctx.db
    .updateTable('items')
    .set({ sensitivity: 'sensitive' })
    .where('id', '=', ids.sensitive as string)
    .execute();
  await create('draft', sup, { title: '草稿事项不可见', content: '拟开展的城市绿道建设。' });
  await ctx.db
    .updateTable('items')
    .set({ status: 'draft' })
    .where('id', '=', ids.draft as string)
    .execute();
});

afterAll(() => closeWorld(ctx, w));

const HIDDEN = ['内部事项不可见', '敏感事项不可见', '草稿事项不可见'];

describe('public items list', () => {
  it('needs no login and shows only public items, with the public fields', async () => {
    const res = await anon('/api/v1/public/items');
    expect(res.statusCode, res.body).toBe(200);
    const body = res.json();
    expect(body.total).toBe(2);
    expect(body.items.map((i: { title: string }) => i.title).sort()).toEqual([
      '宁波港区道路整治',
      '推进老旧小区改造',
    ]);
    const done = body.items.find((i: { id: string }) => i.id === ids.done);
    expect(done).toMatchObject({
      number: expect.any(String),
      summary: '完成城北片区老旧小区综合改造 50 个。',
      categoryCode: 'livelihood',
      categoryName: expect.any(String),
      regionCode: '330100',
      regionName: '杭州市',
      leadUnitName: '杭州市住房和城乡建设局',
      deadline: '2027-01-15',
      status: 'evaluated',
      statusName: '已评价',
      percent: 100,
      light: null,
      updatedAt: expect.any(String),
    });
    const nb = body.items.find((i: { id: string }) => i.id === ids.ningbo);
    expect(nb).toMatchObject({
      status: 'dispatched',
      light: 'green',
      lightName: '绿灯',
      leadUnitName: '宁波市住房和城乡建设局',
    });
    for (const t of HIDDEN) expect(res.body).not.toContain(t);
    // Signed in or not, the public API shows the public items only.
    const signedIn = await sup.get('/api/v1/public/items');
    expect(signedIn.statusCode).toBe(200);
    expect(signedIn.json().total).toBe(2);
  });

  it('is described in the OpenAPI document', async () => {
    const res = await anon('/api/v1/openapi.json');
    expect(res.statusCode).toBe(200);
    const paths = Object.keys(res.json().paths);
    for (const p of ['/api/v1/public/items', '/api/v1/public/items/{id}', '/api/v1/public/items.csv'])
      expect(paths).toContain(p);
  });

  it('searches and filters by region (with its subregions), category, status and light', async () => {
    const titles = async (qs: string) => {
      const res = await anon(`/api/v1/public/items?${qs}`);
      expect(res.statusCode, res.body).toBe(200);
      return res.json().items.map((i: { title: string }) => i.title);
    };
    expect(await titles('q=港区')).toEqual(['宁波港区道路整治']);
    expect(await titles(`q=${encodeURIComponent('城北片区')}`)).toEqual(['推进老旧小区改造']);
    expect(await titles('q=%25')).toEqual([]);
    expect(await titles('q=不可见')).toEqual([]);
    expect(await titles('regionCode=330200')).toEqual(['宁波港区道路整治']);
    expect((await titles('regionCode=330000')).length).toBe(2);
    expect(await titles('categoryCode=livelihood')).toEqual(['推进老旧小区改造']);
    expect(await titles('status=evaluated')).toEqual(['推进老旧小区改造']);
    expect(await titles('light=green')).toEqual(['宁波港区道路整治']);
    expect(await titles('light=overdue')).toEqual([]);
    expect(await titles('q=&regionCode=&categoryCode=&status=&light=')).toHaveLength(2);
    const page2 = await anon('/api/v1/public/items?page=2&pageSize=1');
    expect(page2.json()).toMatchObject({ total: 2, page: 2, pageSize: 1 });
    expect(page2.json().items).toHaveLength(1);
  });

  it('answers bad filters with a 400 naming the field', async () => {
    const bad = async (qs: string, field: string) => {
      const res = await anon(`/api/v1/public/items?${qs}`);
      expect(res.statusCode, res.body).toBe(400);
      expect(res.headers['content-type']).toContain('application/problem+json');
      expect(res.json().errors?.[0]?.field ?? res.json().field).toBe(field);
      expect(res.json().detailZh).toEqual(expect.any(String));
    };
    await bad('light=blue', 'querystring.light');
    await bad('status=draft', 'querystring.status');
    await bad('page=0', 'querystring.page');
    await bad('pageSize=1000', 'querystring.pageSize');
    await bad('extra=1', 'querystring.extra');
    const unknownRegion = await anon('/api/v1/public/items?regionCode=990000');
    expect(unknownRegion.statusCode).toBe(400);
    expect(unknownRegion.json().field).toBe('querystring.regionCode');
  });
});

describe('public item page', () => {
  it('shows a public item with its public timeline and nothing internal', async () => {
    const res = await anon(`/api/v1/public/items/${ids.done}`);
    expect(res.statusCode, res.body).toBe(200);
    const { item, timeline } = res.json();
    expect(item).toMatchObject({ id: ids.done, title: '推进老旧小区改造', content: expect.any(String) });
    expect(timeline.map((t: { kind: string }) => t.kind)).toEqual([
      'dispatched',
      'accepted',
      'progress',
      'extension',
      'progress',
      'completed',
      'evaluated',
    ]);
    expect(timeline[0]).toMatchObject({
      unitName: '杭州市住房和城乡建设局',
      textZh: expect.stringContaining('交办'),
    });
    expect(timeline[2]).toMatchObject({ percent: 60, narrative: '已完成 30 个小区。' });
    expect(timeline[3].textZh).toContain('2027-01-15');
    expect(timeline[6].textZh).toContain('90');
    for (const secret of ['内部', '张三', '李四', 'housing_h', 'city_sup', 'actor', 'attachments'])
      expect(res.body).not.toContain(secret);
  });

  it('answers a non-public, sensitive, draft or unknown id with the same 404', async () => {
    const unknown = await anon('/api/v1/public/items/00000000-0000-4000-8000-000000000000');
    expect(unknown.statusCode).toBe(404);
    for (const key of ['internal', 'sensitive', 'draft']) {
      const res = await anon(`/api/v1/public/items/${ids[key]}`);
      expect(res.statusCode).toBe(404);
      expect(res.json()).toEqual({ ...unknown.json(), instance: `/api/v1/public/items/${ids[key]}` });
    }
    const bad = await anon('/api/v1/public/items/not-a-uuid');
    expect(bad.statusCode).toBe(400);
    expect(bad.json().field).toBe('params.id');
  });
});

describe('filters and open data', () => {
  it('lists every category, and only the regions that hold public items', async () => {
    const cats = await anon('/api/v1/public/categories');
    expect(cats.statusCode).toBe(200);
    expect(cats.json().categories.map((c: { code: string }) => c.code)).toContain('livelihood');
    const regions = await anon('/api/v1/public/regions');
    expect(regions.statusCode).toBe(200);
    expect(regions.json().regions.map((r: { code: string }) => r.code)).toEqual([
      '330000',
      '330100',
      '330200',
    ]);
  });

  it('downloads the public items as CSV (UTF-8 with BOM) and JSON with a licence', async () => {
    const csv = await anon('/api/v1/public/items.csv');
    expect(csv.statusCode, csv.body).toBe(200);
    expect(csv.headers['content-type']).toContain('text/csv');
    expect(csv.headers['content-disposition']).toContain('attachment');
    expect(csv.headers['x-licence']).toContain('CC BY 4.0');
    expect(csv.rawPayload.subarray(0, 3)).toEqual(Buffer.from([0xef, 0xbb, 0xbf]));
    const lines = csv.body
      .replace(/^\uFEFF/, '')
      .trimEnd()
      .split('\r\n');
    expect(lines[0]).toContain('编号,标题');
    expect(lines).toHaveLength(3);
    expect(csv.body).toContain('推进老旧小区改造');
    for (const t of HIDDEN) expect(csv.body).not.toContain(t);

    const json = await anon('/api/v1/public/items.json');
    expect(json.statusCode).toBe(200);
    const data = json.json();
    expect(data).toMatchObject({
      licence: { name: 'CC BY 4.0' },
      generatedAt: '2026-11-02T02:00:00.000Z',
      count: 2,
    });
    expect(data.items).toHaveLength(2);
    for (const t of HIDDEN) expect(json.body).not.toContain(t);
  });

  it('neutralises spreadsheet formulas and quotes cells', () => {
    expect(csvCell('=SUM(A1)')).toBe("'=SUM(A1)");
    expect(csvCell('a,"b"')).toBe('"a,""b"""');
    expect(csvCell(null)).toBe('');
    expect(csvCell(-5)).toBe('-5');
  });
});

describe('rate limit', () => {
  it('counts per client in a fixed window', () => {
    let t = 0;
    const limiter = createRateLimiter({ limit: 2, windowMs: 1000, now: () => t });
    limiter.hit('a');
    limiter.hit('a');
    limiter.hit('b');
    expect(() => limiter.hit('a')).toThrow(expect.objectContaining({ code: 'RATE_LIMITED' }));
    t = 1000;
    expect(() => limiter.hit('a')).not.toThrow();
  });

  it('answers 429 with retry-after once a client downloads too often', async () => {
    let last = await anon('/api/v1/public/items.json');
    for (let n = 0; n < 25 && last.statusCode === 200; n++) last = await anon('/api/v1/public/items.json');
    expect(last.statusCode).toBe(429);
    expect(last.json()).toMatchObject({ code: 'RATE_LIMITED', detailZh: expect.any(String) });
    expect(Number(last.headers['retry-after'])).toBeGreaterThan(0);
  });
});
