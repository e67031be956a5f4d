import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { App } from '../../src/http/types.ts';
import { buildRegionSeeds, importRegions } from '../../src/org/regions.ts';
import { createTestContext, type TestContext } from '../support/context.ts';
import { buildTestApp, buildUser, expectProblem, importZhejiang, login } from './support.ts';

describe('buildRegionSeeds', () => {
  it('attaches counties without a city entry to the nearest existing ancestor', () => {
    const seeds = buildRegionSeeds({
      province_list: { '110000': '北京市', '420000': '湖北省' },
      city_list: { '420100': '武汉市' },
      county_list: { '110101': '东城区', '420102': '江岸区', '429004': '仙桃市' },
    });
    const byCode = new Map(seeds.map((s) => [s.code, s]));
    expect(byCode.get('110101')).toMatchObject({ level: 3, parentCode: '110000', path: '110000.110101' });
    expect(byCode.get('420102')).toMatchObject({ parentCode: '420100', path: '420000.420100.420102' });
    expect(byCode.get('429004')).toMatchObject({ level: 3, parentCode: '420000', path: '420000.429004' });
    // parents come before children, so rows can be inserted in order
    const order = seeds.map((s) => s.code);
    expect(order.indexOf('420000')).toBeLessThan(order.indexOf('420100'));
  });

  it('keeps only the chosen province', () => {
    const seeds = buildRegionSeeds(
      {
        province_list: { '330000': '浙江省', '340000': '安徽省' },
        city_list: { '330100': '杭州市', '340100': '合肥市' },
        county_list: {},
      },
      '330000',
    );
    expect(seeds.map((s) => s.code)).toEqual(['330000', '330100']);
  });
});

describe('importRegions', () => {
  let ctx: TestContext;
  beforeAll(async () => {
    ctx = await createTestContext();
  });
  afterAll(async () => {
    await ctx.cleanup();
  });

  it('imports Zhejiang with 11 cities and their counties, idempotently', async () => {
    const first = await importRegions(ctx.db, { code: '330000' });
    const again = await importRegions(ctx.db, { code: '330000' });
    expect(again.count).toBe(first.count);
    const rows = await ctx.db.selectFrom('regions').selectAll().orderBy('code').execute();
    expect(rows).toHaveLength(first.count);
    expect(rows.filter((r) => r.level === 1).map((r) => r.name)).toEqual(['浙江省']);
    const cities = rows.filter((r) => r.level === 2);
    expect(cities).toHaveLength(11);
    expect(cities.every((c) => c.parent_code === '330000' && c.path === `330000.${c.code}`)).toBe(true);
    const counties = rows.filter((r) => r.level === 3);
    expect(counties.length).toBeGreaterThanOrEqual(80);
    expect(rows.find((r) => r.code === '330106')).toMatchObject({
      name: '西湖区',
      level: 3,
      parent_code: '330100',
      path: '330000.330100.330106',
    });
    for (const c of counties) {
      expect(c.parent_code).toBe(`${c.code.slice(0, 4)}00`);
      expect(c.path).toBe(`330000.${c.parent_code}.${c.code}`);
    }
    const events = await ctx.db
      .selectFrom('events')
      .selectAll()
      .where('type', '=', 'regions.imported')
      .execute();
    expect(events).toHaveLength(2);
    expect(events[0]?.payload).toEqual({ type: 'regions.imported', rootCode: '330000', count: first.count });
  });

  it('refuses a code that is not a province', async () => {
    await expect(importRegions(ctx.db, { code: '330100' })).rejects.toMatchObject({
      code: 'VALIDATION_FAILED',
      field: 'code',
    });
    await expect(importRegions(ctx.db, { code: '990000' })).rejects.toMatchObject({
      code: 'REGION_NOT_FOUND',
    });
  });
});

describe('region routes', () => {
  let ctx: TestContext;
  let app: App;
  beforeAll(async () => {
    ctx = await createTestContext();
    app = await buildTestApp(ctx);
    await importZhejiang(ctx);
    await buildUser(ctx, { username: 'reader', roles: ['handler'], regionCode: '330106' });
  });
  afterAll(async () => {
    await app.close();
    await ctx.cleanup();
  });

  it('lists roots and children', async () => {
    const anon = await app.inject({ method: 'GET', url: '/api/v1/org/regions' });
    expectProblem(anon, 401, 'UNAUTHENTICATED');

    const s = await login(app, 'reader');
    const bad = await app.inject({
      method: 'GET',
      url: '/api/v1/org/regions?parent=33',
      headers: { cookie: s.cookie },
    });
    expectProblem(bad, 400, 'VALIDATION_FAILED', 'querystring.parent');

    const unknown = await app.inject({
      method: 'GET',
      url: '/api/v1/org/regions?parent=990000',
      headers: { cookie: s.cookie },
    });
    expectProblem(unknown, 404, 'REGION_NOT_FOUND');

    const roots = await app.inject({
      method: 'GET',
      url: '/api/v1/org/regions',
      headers: { cookie: s.cookie },
    });
    expect(roots.statusCode).toBe(200);
    expect(roots.json()).toEqual({
      regions: [{ code: '330000', name: '浙江省', level: 1, parentCode: null }],
    });

    const cities = await app.inject({
      method: 'GET',
      url: '/api/v1/org/regions?parent=330000',
      headers: { cookie: s.cookie },
    });
    expect(cities.json().regions).toHaveLength(11);
    expect(cities.json().regions[0]).toEqual({
      code: '330100',
      name: '杭州市',
      level: 2,
      parentCode: '330000',
    });
  });

  it('shows one region, 404 for an unknown code', async () => {
    const s = await login(app, 'reader');
    const anon = await app.inject({ method: 'GET', url: '/api/v1/org/regions/330106' });
    expectProblem(anon, 401, 'UNAUTHENTICATED');
    const bad = await app.inject({
      method: 'GET',
      url: '/api/v1/org/regions/xihu',
      headers: { cookie: s.cookie },
    });
    expectProblem(bad, 400, 'VALIDATION_FAILED', 'params.code');
    const missing = await app.inject({
      method: 'GET',
      url: '/api/v1/org/regions/110101',
      headers: { cookie: s.cookie },
    });
    expectProblem(missing, 404, 'REGION_NOT_FOUND');
    const ok = await app.inject({
      method: 'GET',
      url: '/api/v1/org/regions/330106',
      headers: { cookie: s.cookie },
    });
    expect(ok.json()).toEqual({
      region: {
        code: '330106',
        name: '西湖区',
        level: 3,
        parentCode: '330100',
        path: '330000.330100.330106',
      },
    });
  });
});
