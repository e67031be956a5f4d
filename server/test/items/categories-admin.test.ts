import type { LightMyRequestResponse } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createUser } from '../../src/org/users.ts';
import { createTestContext, type TestContext } from '../support/context.ts';
import { buildWorld, type Client, itemBody, PASSWORD, type World } from '../support/factories.ts';

/**
 * 督办分类管理: GET lists indicator templates, default urgency and a rules summary; POST/PATCH are
 * for a province-level admin (categories are shared by every region). 401 → 400 (field) → 403 →
 * 404 → 409 → success, each change with its event in one transaction.
 */
let ctx: TestContext;
let w: World;
let prov: Client;
let city: Client;
let sup: Client;
beforeAll(async () => {
  ctx = await createTestContext();
  w = await buildWorld(ctx);
  await createUser(ctx.db, {
    username: 'hz_admin',
    displayName: '杭州管理员',
    password: PASSWORD,
    unitId: w.units.cityOffice ?? '',
    roles: ['admin'],
  });
  prov = await w.as('admin');
  city = await w.as('hz_admin');
  sup = await w.as('city_sup');
});
afterAll(async () => {
  await w?.app.close();
  await ctx?.cleanup();
});

function problem(res: LightMyRequestResponse, status: number, code: string, field?: string) {
  expect(res.statusCode, res.body).toBe(status);
  expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
  expect(res.json().code).toBe(code);
  if (field !== undefined) expect(res.json().field).toBe(field);
}

const payloads = async (type: string) =>
  (await ctx.db.selectFrom('events').select('payload').where('type', '=', type).orderBy('seq').execute()).map(
    (e) => e.payload,
  );

const NEW = {
  code: 'digital-gov',
  name: '数字政府建设',
  description: '政务数据共享、一网通办和数字化改革事项。',
  defaultUrgency: 'urgent',
  indicators: [
    { key: 'systems_integrated', name: '整合政务信息系统', unit: '个', target: 12 },
    { key: 'data_shared', name: '共享数据目录', unit: '项' },
  ],
};

describe('GET /api/v1/categories', () => {
  it('lists indicator templates, the default urgency and a rules summary', async () => {
    problem(await w.app.inject({ method: 'GET', url: '/api/v1/categories' }), 401, 'UNAUTHENTICATED');
    const res = await sup.get('/api/v1/categories');
    expect(res.statusCode).toBe(200);
    const livelihood = res.json().categories.find((c: { code: string }) => c.code === 'livelihood');
    expect(livelihood).toMatchObject({
      name: '民生实事推进',
      defaultUrgency: null,
      rules: {
        custom: { lightRule: false, escalationLadder: false },
        lightRule: { yellowWorkingDays: 3, redWorkingDays: 1 },
      },
    });
    expect(livelihood.indicators[0]).toEqual({
      key: 'old_communities_renovated',
      name: '改造老旧小区',
      unit: '个',
    });
    expect(livelihood.rules.escalationLadder.map((s: { name: string }) => s.name)[0]).toBe('催办通知');
  });
});

describe('POST /api/v1/categories', () => {
  it('401 → 400 naming the field → 403 (not an admin, or not province-level)', async () => {
    problem(
      await w.app.inject({ method: 'POST', url: '/api/v1/categories', payload: NEW }),
      401,
      'UNAUTHENTICATED',
    );
    problem(
      await prov.post('/api/v1/categories', { ...NEW, code: 'Bad Code' }),
      400,
      'VALIDATION_FAILED',
      'body.code',
    );
    problem(
      await prov.post('/api/v1/categories', { ...NEW, name: ' ' }),
      400,
      'VALIDATION_FAILED',
      'body.name',
    );
    problem(
      await prov.post('/api/v1/categories', { ...NEW, defaultUrgency: 'soon' }),
      400,
      'VALIDATION_FAILED',
      'body.defaultUrgency',
    );
    problem(
      await prov.post('/api/v1/categories', {
        ...NEW,
        indicators: [{ key: 'a1', name: '甲', unit: '个', target: -1 }],
      }),
      400,
      'VALIDATION_FAILED',
      'body.indicators.0.target',
    );
    problem(
      await prov.post('/api/v1/categories', {
        ...NEW,
        indicators: [
          { key: 'a1', name: '甲', unit: '个' },
          { key: 'a1', name: '乙', unit: '个' },
        ],
      }),
      400,
      'VALIDATION_FAILED',
      'body.indicators.1.key',
    );
    problem(await sup.post('/api/v1/categories', NEW), 403, 'FORBIDDEN');
    problem(await city.post('/api/v1/categories', NEW), 403, 'FORBIDDEN');
    expect(await payloads('category.created')).toEqual([]);
  });

  it('creates a category with its event; 409 on a taken code or name', async () => {
    const res = await prov.post('/api/v1/categories', NEW);
    expect(res.statusCode, res.body).toBe(201);
    expect(res.json().category).toMatchObject({
      code: 'digital-gov',
      name: '数字政府建设',
      defaultUrgency: 'urgent',
      indicators: NEW.indicators,
      sortOrder: 90,
      rules: { custom: { lightRule: false, escalationLadder: false } },
    });
    expect(await payloads('category.created')).toEqual([
      { type: 'category.created', code: 'digital-gov', name: '数字政府建设' },
    ]);
    problem(await prov.post('/api/v1/categories', { ...NEW, name: '另一个' }), 409, 'CONFLICT', 'body.code');
    problem(await prov.post('/api/v1/categories', { ...NEW, code: 'another' }), 409, 'CONFLICT', 'body.name');
    // 立项 may use it at once.
    const item = await sup.post('/api/v1/items', itemBody({ categoryCode: 'digital-gov' }));
    expect(item.statusCode, item.body).toBe(201);
  });
});

describe('PATCH /api/v1/categories/{code}', () => {
  it('401 → 400 → 403 → 404 → 409', async () => {
    const url = '/api/v1/categories/livelihood';
    problem(await w.app.inject({ method: 'PATCH', url, payload: { name: '改' } }), 401, 'UNAUTHENTICATED');
    problem(await prov.patch(url, {}), 400, 'VALIDATION_FAILED', 'body');
    problem(
      await prov.patch(url, { indicators: [{ key: '1bad', name: '甲', unit: '个' }] }),
      400,
      'VALIDATION_FAILED',
      'body.indicators.0.key',
    );
    problem(await prov.patch(url, { code: 'x' }), 400, 'VALIDATION_FAILED');
    problem(await sup.patch(url, { name: '改' }), 403, 'FORBIDDEN');
    problem(await city.patch(url, { name: '改' }), 403, 'FORBIDDEN');
    problem(await prov.patch('/api/v1/categories/nope', { name: '改' }), 404, 'CATEGORY_NOT_FOUND');
    problem(await prov.patch(url, { name: '数字政府建设' }), 409, 'CONFLICT', 'body.name');
  });

  it('changes the indicator templates and default urgency; records only what changed', async () => {
    const indicators = [
      { key: 'old_communities_renovated', name: '改造老旧小区', unit: '个', target: 30 },
      { key: 'elevators_installed', name: '既有住宅加装电梯', unit: '部' },
    ];
    const res = await prov.patch('/api/v1/categories/livelihood', { indicators, defaultUrgency: 'urgent' });
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json().category).toMatchObject({ code: 'livelihood', indicators, defaultUrgency: 'urgent' });
    expect((await payloads('category.updated')).at(-1)).toEqual({
      type: 'category.updated',
      code: 'livelihood',
      changes: { indicators, defaultUrgency: 'urgent' },
    });
    const listed = (await sup.get('/api/v1/categories')).json().categories;
    expect(listed.find((c: { code: string }) => c.code === 'livelihood').indicators).toEqual(indicators);
    // The same values again: no event.
    const before = (await payloads('category.updated')).length;
    expect((await prov.patch('/api/v1/categories/livelihood', { defaultUrgency: 'urgent' })).statusCode).toBe(
      200,
    );
    expect((await payloads('category.updated')).length).toBe(before);
    // null: back to 一般.
    const cleared = await prov.patch('/api/v1/categories/livelihood', { defaultUrgency: null });
    expect(cleared.json().category.defaultUrgency).toBeNull();
  });
});
