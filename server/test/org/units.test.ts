import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { App } from '../../src/http/types.ts';
import { isUnitInScope, loadActor, unitIdsInScopeQuery } from '../../src/org/scope.ts';
import { createStandardUnits, standardUnitsFor } from '../../src/org/standard-units.ts';
import { createTestContext, type TestContext } from '../support/context.ts';
import { buildTestApp, buildUnit, buildUser, expectProblem, importZhejiang, login } from './support.ts';

describe('standardUnitsFor', () => {
  it('names departments after the region and its level', () => {
    const names = (name: string, level: number) => standardUnitsFor({ name, level }).map((u) => u.name);
    expect(names('浙江省', 1)).toEqual(
      expect.arrayContaining(['浙江省政府督查室', '浙江省财政厅', '浙江省人民政府办公厅']),
    );
    expect(names('杭州市', 2)).toEqual(
      expect.arrayContaining(['杭州市财政局', '杭州市城市管理局', '杭州市人民政府办公室']),
    );
    expect(names('西湖区', 3)).toEqual(expect.arrayContaining(['西湖区财政局', '西湖区发展和改革局']));
    expect(names('浙江省', 1)).not.toContain('浙江省城市管理局');
    expect(standardUnitsFor({ name: '某街道', level: 4 })).toEqual([]);
    const [first, second] = standardUnitsFor({ name: '杭州市', level: 2 });
    expect(first?.kind).toBe('government');
    expect(second).toMatchObject({ name: '杭州市政府督查室', kind: 'supervision_office' });
  });
});

describe('standard units and data scope', () => {
  let ctx: TestContext;
  let app: App;
  beforeAll(async () => {
    ctx = await createTestContext();
    app = await buildTestApp(ctx);
    await importZhejiang(ctx);
  });
  afterAll(async () => {
    await app.close();
    await ctx.cleanup();
  });

  it('creates the standard units of a region once, each with unit.created', async () => {
    const first = await createStandardUnits(ctx.db, '330100');
    expect(first.existing).toBe(0);
    expect(first.created.map((u) => u.name)).toContain('杭州市财政局');
    const again = await createStandardUnits(ctx.db, '330100');
    expect(again).toEqual({ created: [], existing: first.created.length });
    const events = await ctx.db
      .selectFrom('events')
      .select('payload')
      .where('type', '=', 'unit.created')
      .execute();
    expect(events).toHaveLength(first.created.length);
    await expect(createStandardUnits(ctx.db, '990100')).rejects.toMatchObject({ code: 'REGION_NOT_FOUND' });
  });

  it('scopes units to the region subtree', async () => {
    await createStandardUnits(ctx.db, '330000');
    await createStandardUnits(ctx.db, '330106');
    const ningbo = await buildUnit(ctx, '330200', '宁波市测试局');
    const hangzhou = await ctx.db
      .selectFrom('units')
      .selectAll()
      .where('name', '=', '杭州市政府督查室')
      .executeTakeFirstOrThrow();
    const user = await buildUser(ctx, { unitId: hangzhou.id, username: 'hz_supervisor' });
    const actor = await loadActor(ctx.db, user.id, 'system');
    expect(actor).toMatchObject({
      unitName: '杭州市政府督查室',
      regionCode: '330100',
      regionPath: '330000.330100',
    });

    const inScope = await ctx.db
      .selectFrom('units')
      .select('name')
      .where('id', 'in', unitIdsInScopeQuery(ctx.db, actor))
      .execute();
    const names = inScope.map((u) => u.name);
    expect(names).toContain('杭州市财政局');
    expect(names).toContain('西湖区财政局');
    expect(names).not.toContain('浙江省财政厅');
    expect(names).not.toContain('宁波市测试局');
    expect(await isUnitInScope(ctx.db, actor, ningbo.id)).toBe(false);
    expect(await isUnitInScope(ctx.db, actor, hangzhou.id)).toBe(true);
    expect(await isUnitInScope(ctx.db, actor, 'not-a-uuid')).toBe(false);
  });

  it('lists units to any signed-in user, by region, subtree and name', async () => {
    const anon = await app.inject({ method: 'GET', url: '/api/v1/org/units' });
    expectProblem(anon, 401, 'UNAUTHENTICATED');
    const s = await login(app, 'hz_supervisor');
    const get = (query: string) =>
      app.inject({ method: 'GET', url: `/api/v1/org/units${query}`, headers: { cookie: s.cookie } });
    expectProblem(await get('?subtree=yes'), 400, 'VALIDATION_FAILED', 'querystring.subtree');
    expectProblem(await get('?regionCode=990000'), 404, 'REGION_NOT_FOUND');

    const own = (await get('?regionCode=330100')).json().units;
    expect(own.every((u: { regionCode: string }) => u.regionCode === '330100')).toBe(true);
    expect(own[0]).toMatchObject({ name: '杭州市人民政府', kind: 'government', regionName: '杭州市' });

    const subtree = (await get('?regionCode=330100&subtree=true')).json().units;
    expect(subtree.map((u: { name: string }) => u.name)).toContain('西湖区财政局');

    const byName = (await get(`?q=${encodeURIComponent('财政')}`)).json().units;
    expect(byName.map((u: { name: string }) => u.name).sort()).toEqual(
      ['杭州市财政局', '浙江省财政厅', '西湖区财政局'].sort(),
    );
    // a province unit is visible to a city user: units are organisation data, not scoped
    expect((await get('?regionCode=330000')).json().units.length).toBeGreaterThan(0);
  });
});
