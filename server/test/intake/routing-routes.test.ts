import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createUser } from '../../src/org/users.ts';
import type { TestContext } from '../support/context.ts';
import { type Client, closeWorld, itemBody, openWorld, PASSWORD, type World } from '../support/factories.ts';
import { expectProblem } from '../support/http.ts';

/** 智能分派 API: suggestions, training (a correction is learned), the 三定 dictionaries. */
let ctx: TestContext;
let w: World;
let city: Client;
const ELEVATOR = { title: '小区电梯频繁故障', content: '住宅小区电梯频繁故障困人，请督促维修。' };

beforeAll(async () => {
  ({ ctx, w } = await openWorld('2026-03-02T02:00:00Z'));
  await createUser(ctx.db, {
    username: 'city_admin',
    displayName: '杭州市管理员',
    password: PASSWORD,
    unitId: w.units.cityOffice as string,
    roles: ['admin'],
  });
  city = await w.as('city_sup');
});
afterAll(() => closeWorld(ctx, w));

describe('POST /api/v1/routing/suggest', () => {
  const URL = '/api/v1/routing/suggest';
  it('401 → 400 (field) → 403 → 404 outside the scope', async () => {
    expectProblem(
      await w.app.inject({ method: 'POST', url: URL, payload: ELEVATOR }),
      401,
      'UNAUTHENTICATED',
    );
    expectProblem(await city.post(URL, { title: ELEVATOR.title }), 400, 'VALIDATION_FAILED', 'body.content');
    expectProblem(await (await w.as('housing_h')).post(URL, ELEVATOR), 403, 'FORBIDDEN');
    expectProblem(await city.post(URL, { ...ELEVATOR, regionCode: '330200' }), 404, 'REGION_NOT_FOUND');
  });

  it('suggests from the dictionaries before training, units resolved in the region', async () => {
    const res = await city.post(URL, ELEVATOR);
    expect(res.statusCode, res.body).toBe(200);
    const { categories, leadUnits } = res.json();
    expect(categories.length).toBeGreaterThan(0);
    expect(categories.length).toBeLessThanOrEqual(3);
    expect(categories[0]).toMatchObject({ code: 'livelihood', nameZh: expect.any(String) });
    expect(leadUnits[0]).toMatchObject({ unitId: w.units.housing, name: '杭州市住房和城乡建设局' });
    const county = await city.post(URL, { ...ELEVATOR, regionCode: '330106' });
    expect(county.json().leadUnits[0]).toMatchObject({ unitId: w.units.countyHousing });
  });
});

describe('training and corrections', () => {
  it('401 → 403 for others than supervisors and admins → 200 with the counts and an event', async () => {
    expectProblem(
      await w.app.inject({ method: 'POST', url: '/api/v1/routing/train' }),
      401,
      'UNAUTHENTICATED',
    );
    expectProblem(await (await w.as('leader')).post('/api/v1/routing/train'), 403, 'FORBIDDEN');
    const res = await (await w.as('admin')).post('/api/v1/routing/train');
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json()).toMatchObject({ category: { samples: 0 }, leadUnit: { samples: 0 } });
    const events = await ctx.db
      .selectFrom('events')
      .select('type')
      .where('type', '=', 'routing.trained')
      .execute();
    expect(events).toHaveLength(1);
  });

  it('learns a supervisor’s dispatch to another unit than the suggestion at the next training', async () => {
    const texts = [
      { title: '住宅电梯故障困人', content: '老旧住宅电梯故障困人，要求检验维修。' },
      { title: '电梯频繁故障', content: '小区电梯频繁故障，存在安全隐患。' },
      { title: '电梯维保不到位', content: '电梯维保单位不到位，故障困人多次发生。' },
    ];
    for (const t of texts) {
      const made = await city.post('/api/v1/items', itemBody(t));
      expect(made.statusCode, made.body).toBe(201);
      const d = await city.post(`/api/v1/items/${made.json().item.id}/actions/dispatch`, {
        assignments: [{ unitId: w.units.finance, role: 'lead' }],
      });
      expect(d.statusCode, d.body).toBe(200);
    }
    const trained = await city.post('/api/v1/routing/train');
    expect(trained.statusCode, trained.body).toBe(200);
    expect(trained.json().leadUnit.samples).toBe(3);
    const res = await city.post('/api/v1/routing/suggest', ELEVATOR);
    expect(res.json().leadUnits[0]).toMatchObject({ unitId: w.units.finance });
  });
});

describe('the 三定 dictionaries', () => {
  const URL = '/api/v1/routing/dictionaries';
  it('GET: 401 → 403 for handlers → 404 unknown key → 200', async () => {
    expectProblem(await w.app.inject({ method: 'GET', url: URL }), 401, 'UNAUTHENTICATED');
    expectProblem(await (await w.as('housing_h')).get(URL), 403, 'FORBIDDEN');
    expectProblem(await city.get(`${URL}/no_such`), 404, 'NOT_FOUND');
    expectProblem(await city.get(`${URL}/Bad-Key`), 400, 'VALIDATION_FAILED', 'params.key');
    const list = await city.get(URL);
    expect(list.statusCode, list.body).toBe(200);
    expect(list.json().dictionaries.map((d: { key: string }) => d.key)).toContain('housing');
    const one = await city.get(`${URL}/housing`);
    expect(one.json().dictionary.keywords).toContain('加装电梯');
  });

  it('PUT: 401 → 400 (field) → 403 for a city admin or a supervisor → 404 → 200 with an event', async () => {
    const body = { keywords: ['电梯', '加装电梯', '物业'], categoryCodes: ['livelihood'] };
    const admin = await w.as('admin');
    expectProblem(
      await w.app.inject({ method: 'PUT', url: `${URL}/housing`, payload: body }),
      401,
      'UNAUTHENTICATED',
    );
    expectProblem(
      await admin.put(`${URL}/housing`, { keywords: [] }),
      400,
      'VALIDATION_FAILED',
      'body.keywords',
    );
    expectProblem(
      await admin.put(`${URL}/housing`, { ...body, categoryCodes: ['livelihood', 'nope'] }),
      400,
      'VALIDATION_FAILED',
      'body.categoryCodes.1',
    );
    expectProblem(await (await w.as('city_admin')).put(`${URL}/housing`, body), 403, 'FORBIDDEN');
    expectProblem(await city.put(`${URL}/housing`, body), 403, 'FORBIDDEN');
    expectProblem(await admin.put(`${URL}/no_such`, body), 404, 'NOT_FOUND');
    const res = await admin.put(`${URL}/housing`, body);
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json().dictionary).toMatchObject({ key: 'housing', keywords: body.keywords });
    expect((await city.get(`${URL}/housing`)).json().dictionary.keywords).toEqual(body.keywords);
    const ev = await ctx.db
      .selectFrom('events')
      .select('payload')
      .where('type', '=', 'routing.dictionary_updated')
      .executeTakeFirstOrThrow();
    expect(ev.payload).toMatchObject({ key: 'housing', categoryCodes: ['livelihood'] });
  });
});
