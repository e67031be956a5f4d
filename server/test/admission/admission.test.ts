import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { periodOf } from '../../src/admission/periods.ts';
import { addUser, problem } from '../evaluation/support.ts';
import { createTestContext, type TestContext } from '../support/context.ts';
import { buildWorld, type Client, itemBody, type World } from '../support/factories.ts';

/** 督办事项准入: quotas, dispatch refused over quota, over-quota approval by a leader, use per unit. */
let ctx: TestContext;
let w: World;
let sup: Client;
beforeAll(async () => {
  ctx = await createTestContext();
  w = await buildWorld(ctx);
  await addUser(ctx, w, 'ningbo_leader', 'ningboOffice', ['leader']);
  ctx.setNow('2026-11-10T04:00:00Z');
  sup = await w.as('city_sup');
});
afterAll(async () => {
  await w?.app.close();
  await ctx?.cleanup();
});

/** A new session at the test clock's time (sessions expire when the clock jumps ahead). */
async function fresh(username: string): Promise<Client> {
  const s = await w.login(username);
  const headers = { cookie: s.cookie, 'x-csrf-token': s.csrf };
  const write = (method: 'POST' | 'PATCH' | 'PUT') => (url: string, body?: unknown) =>
    w.app.inject({ method, url, payload: (body ?? {}) as object, headers });
  return {
    get: (url) => w.app.inject({ method: 'GET', url, headers: { cookie: s.cookie } }),
    post: write('POST'),
    patch: write('PATCH'),
    put: write('PUT'),
  };
}

/** Moves the test clock and signs the city supervisor in again. */
async function moveClock(at: string) {
  ctx.setNow(at);
  sup = await fresh('city_sup');
}

async function newItem(): Promise<string> {
  const res = await sup.post('/api/v1/items', itemBody({ deadline: '2027-06-30' }));
  expect(res.statusCode, res.body).toBe(201);
  return res.json().item.id;
}

function dispatch(
  client: Client,
  id: string,
  lead: string | undefined,
  collaborators: (string | undefined)[] = [],
) {
  return client.post(`/api/v1/items/${id}/actions/dispatch`, {
    assignments: [
      { unitId: lead, role: 'lead' },
      ...collaborators.map((unitId) => ({ unitId, role: 'collaborator' })),
    ],
  });
}

async function eventCount(type: string): Promise<number> {
  const r = await ctx.db
    .selectFrom('events')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .where('type', '=', type)
    .executeTakeFirstOrThrow();
  return Number(r.n);
}

async function itemState(id: string) {
  const item = await ctx.db
    .selectFrom('items')
    .select(['status', 'version'])
    .where('id', '=', id)
    .executeTakeFirstOrThrow();
  const assignments = await ctx.db
    .selectFrom('assignments')
    .select('unit_id')
    .where('item_id', '=', id)
    .execute();
  return { ...item, assignments: assignments.length };
}

describe('periods (pure)', () => {
  it('months and quarters on Beijing dates, with the first day after as the end', () => {
    expect(periodOf('month', '2026-11-30')).toEqual({
      label: '2026-11',
      kind: 'month',
      from: '2026-11-01',
      to: '2026-12-01',
    });
    expect(periodOf('month', '2026-12-01')).toEqual({
      label: '2026-12',
      kind: 'month',
      from: '2026-12-01',
      to: '2027-01-01',
    });
    expect(periodOf('quarter', '2026-12-31')).toEqual({
      label: '2026-Q4',
      kind: 'quarter',
      from: '2026-10-01',
      to: '2027-01-01',
    });
    expect(periodOf('quarter', '2027-01-01')).toMatchObject({
      label: '2027-Q1',
      from: '2027-01-01',
      to: '2027-04-01',
    });
    expect(periodOf('quarter', '2026-06-30')).toMatchObject({
      label: '2026-Q2',
      from: '2026-04-01',
      to: '2026-07-01',
    });
  });
});

describe('quotas', () => {
  it('GET: 401, 403 for a handler, the scope’s quotas for a supervisor', async () => {
    problem(await w.app.inject({ method: 'GET', url: '/api/v1/admission/quotas' }), 401, 'UNAUTHENTICATED');
    problem(await (await w.as('housing_h')).get('/api/v1/admission/quotas'), 403, 'FORBIDDEN');
    const res = await sup.get('/api/v1/admission/quotas');
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json()).toEqual({ kinds: [], units: [] });
  });

  it('PUT: 401, 403, 400 naming the field with nothing written, 404 out of scope', async () => {
    const body = { unitId: w.units.housing, period: 'month', limit: 1 };
    problem(
      await w.app.inject({ method: 'PUT', url: '/api/v1/admission/quotas', payload: body }),
      401,
      'UNAUTHENTICATED',
    );
    problem(await (await w.as('housing_h')).put('/api/v1/admission/quotas', body), 403, 'FORBIDDEN');
    problem(await (await w.as('leader')).put('/api/v1/admission/quotas', body), 403, 'FORBIDDEN');
    const before = await eventCount('admission.quota_changed');
    problem(
      await sup.put('/api/v1/admission/quotas', { ...body, limit: -1 }),
      400,
      'VALIDATION_FAILED',
      'body.limit',
    );
    problem(
      await sup.put('/api/v1/admission/quotas', { ...body, period: 'week' }),
      400,
      'VALIDATION_FAILED',
      'body.period',
    );
    problem(
      await sup.put('/api/v1/admission/quotas', { ...body, unitKind: 'department' }),
      400,
      'VALIDATION_FAILED',
      'body.unitId',
    );
    problem(
      await sup.put('/api/v1/admission/quotas', { period: 'month', limit: 1 }),
      400,
      'VALIDATION_FAILED',
      'body.unitId',
    );
    problem(
      await sup.put('/api/v1/admission/quotas', { unitId: w.units.housing }),
      400,
      'VALIDATION_FAILED',
      'body.limit',
    );
    problem(
      await sup.put('/api/v1/admission/quotas', { ...body, unitId: w.units.ningboHousing }),
      404,
      'UNIT_NOT_FOUND',
    );
    // a kind's default applies everywhere: province level only
    problem(
      await sup.put('/api/v1/admission/quotas', { unitKind: 'department', limit: 3 }),
      403,
      'FORBIDDEN',
    );
    expect(await eventCount('admission.quota_changed')).toBe(before);
    expect((await sup.get('/api/v1/admission/quotas')).json().units).toEqual([]);
  });

  it('PUT sets a unit’s quota with a ledger event; the scope decides who sees it', async () => {
    const res = await sup.put('/api/v1/admission/quotas', { unitId: w.units.housing, limit: 1 });
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json()).toMatchObject({ quota: { period: 'month', limit: 1 }, previous: null });
    const ev = await ctx.db
      .selectFrom('events')
      .select(['payload', 'actor_id'])
      .where('type', '=', 'admission.quota_changed')
      .executeTakeFirstOrThrow();
    expect(ev.actor_id).toBe(w.users.city_sup);
    expect(ev.payload).toEqual({
      type: 'admission.quota_changed',
      target: { unitId: w.units.housing },
      quota: { period: 'month', limit: 1 },
      previous: null,
    });
    const list = (await sup.get('/api/v1/admission/quotas')).json().units;
    expect(list).toMatchObject([
      { unitId: w.units.housing, unitName: '杭州市住房和城乡建设局', period: 'month', limit: 1 },
    ]);
    expect((await (await fresh('ningbo_sup')).get('/api/v1/admission/quotas')).json().units).toEqual([]);
  });
});

describe('dispatch over quota', () => {
  let first: string;
  let second: string;
  let third: string;
  it('the first lead dispatch of the month passes; collaborators do not count', async () => {
    first = await newItem();
    const res = await dispatch(sup, first, w.units.housing);
    expect(res.statusCode, res.body).toBe(200);
    const other = await newItem();
    expect((await dispatch(sup, other, w.units.education, [w.units.housing])).statusCode).toBe(200);
  });

  it('the next is refused 409 QUOTA_EXCEEDED naming the unit, used/limit and period; nothing written', async () => {
    second = await newItem();
    const before = await itemState(second);
    const dispatched = await eventCount('item.dispatched');
    const res = await dispatch(sup, second, w.units.housing);
    problem(res, 409, 'QUOTA_EXCEEDED', 'body.assignments.0.unitId');
    expect(res.json()).toMatchObject({
      unitId: w.units.housing,
      unitName: '杭州市住房和城乡建设局',
      used: 1,
      limit: 1,
      period: '2026-11',
      periodKind: 'month',
      itemId: second,
    });
    expect(res.json().detailZh).toContain('超额交办须经领导审批');
    expect(await itemState(second)).toEqual(before);
    expect(before).toMatchObject({ status: 'registered', assignments: 0 });
    expect(await eventCount('item.dispatched')).toBe(dispatched);
    const entries = await ctx.db
      .withTables<{ admission_entries: { item_id: string } }>()
      .selectFrom('admission_entries')
      .select('item_id')
      .where('item_id', '=', second)
      .execute();
    expect(entries).toEqual([]);
  });

  it('a re-dispatch to the same lead does not count again', async () => {
    const ret = await (await w.as('housing_h')).post(`/api/v1/items/${first}/actions/return`, {
      reason: '不属于本单位职责',
    });
    expect(ret.statusCode, ret.body).toBe(200);
    expect((await dispatch(sup, first, w.units.housing)).statusCode).toBe(200);
  });

  it('over-quota request: 401, 403, 404 out of scope, 400 with nothing written', async () => {
    const body = { itemId: second, unitId: w.units.housing, reason: '省委督查组交办，须由住建局牵头' };
    problem(
      await w.app.inject({ method: 'POST', url: '/api/v1/admission/requests', payload: body }),
      401,
      'UNAUTHENTICATED',
    );
    problem(await (await w.as('housing_h')).post('/api/v1/admission/requests', body), 403, 'FORBIDDEN');
    problem(
      await (await fresh('ningbo_sup')).post('/api/v1/admission/requests', body),
      404,
      'ITEM_NOT_FOUND',
    );
    const before = await eventCount('item.over_quota_requested');
    problem(
      await sup.post('/api/v1/admission/requests', { ...body, reason: ' ' }),
      400,
      'VALIDATION_FAILED',
      'body.reason',
    );
    problem(
      await sup.post('/api/v1/admission/requests', {
        ...body,
        unitId: '00000000-0000-4000-8000-000000000000',
      }),
      400,
      'VALIDATION_FAILED',
      'body.unitId',
    );
    // a unit without a quota needs no approval
    problem(
      await sup.post('/api/v1/admission/requests', { ...body, unitId: w.units.finance }),
      409,
      'CONFLICT',
    );
    expect(await eventCount('item.over_quota_requested')).toBe(before);
    expect((await sup.get('/api/v1/admission/requests')).json().requests).toEqual([]);
  });

  it('a leader over the unit approves (ledger events, leader notified); then the dispatch passes', async () => {
    const res = await sup.post('/api/v1/admission/requests', {
      itemId: second,
      unitId: w.units.housing,
      reason: '省委督查组交办，须由住建局牵头',
    });
    expect(res.statusCode, res.body).toBe(201);
    const request = res.json().request;
    expect(request).toMatchObject({
      status: 'pending',
      period: '2026-11',
      itemId: second,
      unitName: '杭州市住房和城乡建设局',
    });
    problem(
      await sup.post('/api/v1/admission/requests', {
        itemId: second,
        unitId: w.units.housing,
        reason: '再次申请',
      }),
      409,
      'CONFLICT',
    );
    const requested = await ctx.db
      .selectFrom('events')
      .select(['payload', 'item_id'])
      .where('type', '=', 'item.over_quota_requested')
      .executeTakeFirstOrThrow();
    expect(requested.item_id).toBe(second);
    expect(requested.payload).toMatchObject({ requestId: request.id, used: 1, limit: 1, period: '2026-11' });
    const note = await ctx.db
      .selectFrom('notifications')
      .select(['user_id', 'kind'])
      .where('kind', '=', 'admission.requested')
      .execute();
    expect(note.map((n) => n.user_id)).toEqual([w.users.leader]);

    // the unit sees its request; another unit and an outside leader do not
    expect((await (await w.as('housing_h')).get(`/api/v1/admission/requests/${request.id}`)).statusCode).toBe(
      200,
    );
    problem(await (await w.as('ningbo_h')).get(`/api/v1/admission/requests/${request.id}`), 404, 'NOT_FOUND');
    const pending = (await (await w.as('housing_h')).get('/api/v1/admission/usage')).json().units;
    expect(pending).toMatchObject([{ unitId: w.units.housing, used: 1, limit: 1, pending: 1 }]);

    const url = `/api/v1/admission/requests/${request.id}`;
    problem(
      await w.app.inject({ method: 'POST', url: `${url}/approve`, payload: {} }),
      401,
      'UNAUTHENTICATED',
    );
    problem(await sup.post(`${url}/approve`, {}), 403, 'FORBIDDEN');
    problem(await (await w.as('housing_head')).post(`${url}/approve`, {}), 403, 'FORBIDDEN');
    problem(await (await w.as('ningbo_leader')).post(`${url}/approve`, {}), 404, 'NOT_FOUND');
    problem(await (await w.as('leader')).post(`${url}/reject`, {}), 400, 'VALIDATION_FAILED', 'body.reason');
    expect((await sup.get(url)).json().request.status).toBe('pending');

    const approved = await (await w.as('leader')).post(`${url}/approve`, { reason: '同意' });
    expect(approved.statusCode, approved.body).toBe(200);
    expect(approved.json().request).toMatchObject({
      status: 'approved',
      decidedBy: w.users.leader,
      decisionReason: '同意',
    });
    expect(await eventCount('item.over_quota_approved')).toBe(1);
    problem(await (await w.as('leader')).post(`${url}/approve`, {}), 409, 'CONFLICT');

    const res2 = await dispatch(sup, second, w.units.housing);
    expect(res2.statusCode, res2.body).toBe(200);
    const usage = (await sup.get('/api/v1/admission/usage?period=2026-11')).json();
    expect(usage.units.find((u: { unitId: string }) => u.unitId === w.units.housing)).toMatchObject({
      used: 2,
      limit: 1,
      pending: 0,
      period: '2026-11',
    });
  });

  it('a rejection (with its reason) keeps the dispatch refused', async () => {
    third = await newItem();
    const res = await sup.post('/api/v1/admission/requests', {
      itemId: third,
      unitId: w.units.housing,
      reason: '急需',
    });
    const id = res.json().request.id;
    const rejected = await (await w.as('leader')).post(`/api/v1/admission/requests/${id}/reject`, {
      reason: '本月住建局任务已满，请改由其他单位牵头',
    });
    expect(rejected.statusCode, rejected.body).toBe(200);
    expect(rejected.json().request.status).toBe('rejected');
    expect(await eventCount('item.over_quota_rejected')).toBe(1);
    problem(await dispatch(sup, third, w.units.housing), 409, 'QUOTA_EXCEEDED');
    expect(await itemState(third)).toMatchObject({ status: 'registered', assignments: 0 });
  });
});

describe('period boundaries (Beijing time)', () => {
  it('23:59 on 30 November counts in November, 00:00 on 1 December in December', async () => {
    expect(
      (await sup.put('/api/v1/admission/quotas', { unitId: w.units.finance, limit: 1 })).statusCode,
    ).toBe(200);
    const a = await newItem();
    const b = await newItem();
    await moveClock('2026-11-30T15:59:00Z');
    expect((await dispatch(sup, a, w.units.finance)).statusCode).toBe(200);
    const refused = await dispatch(sup, b, w.units.finance);
    problem(refused, 409, 'QUOTA_EXCEEDED');
    expect(refused.json().period).toBe('2026-11');
    await moveClock('2026-11-30T16:00:00Z');
    expect((await dispatch(sup, b, w.units.finance)).statusCode).toBe(200);
    const nov = (await sup.get(`/api/v1/admission/usage/units/${w.units.finance}?period=2026-11`)).json()
      .usage;
    const dec = (await sup.get(`/api/v1/admission/usage/units/${w.units.finance}?period=2026-12`)).json()
      .usage;
    expect([nov.used, dec.used]).toEqual([1, 1]);
  });

  it('a quarterly quota counts the quarter: 31 December is Q4, 1 January Q1', async () => {
    expect(
      (await sup.put('/api/v1/admission/quotas', { unitId: w.units.finance, period: 'quarter', limit: 2 }))
        .statusCode,
    ).toBe(200);
    const a = await newItem();
    const b = await newItem();
    await moveClock('2026-12-31T15:59:00Z');
    // finance already has 2 in Q4 (30 Nov and 1 Dec)
    const refused = await dispatch(sup, a, w.units.finance);
    problem(refused, 409, 'QUOTA_EXCEEDED');
    expect(refused.json()).toMatchObject({ period: '2026-Q4', used: 2, limit: 2 });
    await moveClock('2026-12-31T16:00:00Z');
    expect((await dispatch(sup, a, w.units.finance)).statusCode).toBe(200);
    expect((await dispatch(sup, b, w.units.finance)).statusCode).toBe(200);
    const q1 = (await sup.get(`/api/v1/admission/usage/units/${w.units.finance}?period=2027-02`)).json()
      .usage;
    expect(q1).toMatchObject({ period: '2027-Q1', from: '2027-01-01', to: '2027-04-01', used: 2, limit: 2 });
  });
});

describe('usage', () => {
  it('401, 403 for an evaluator, 400 for a bad period', async () => {
    problem(await w.app.inject({ method: 'GET', url: '/api/v1/admission/usage' }), 401, 'UNAUTHENTICATED');
    problem(await (await fresh('evaluator')).get('/api/v1/admission/usage'), 403, 'FORBIDDEN');
    problem(
      await sup.get('/api/v1/admission/usage?period=2026-13'),
      400,
      'VALIDATION_FAILED',
      'querystring.period',
    );
  });

  it('a unit sees its own unit only; supervisors their scope; out of scope 404', async () => {
    const own = (await (await fresh('edu_h')).get('/api/v1/admission/usage?period=2026-11')).json().units;
    expect(own).toMatchObject([{ unitId: w.units.education, used: 1, limit: null, quotaSource: 'none' }]);
    problem(
      await (await fresh('edu_h')).get(`/api/v1/admission/usage/units/${w.units.housing}`),
      404,
      'UNIT_NOT_FOUND',
    );
    problem(
      await (await fresh('ningbo_sup')).get(`/api/v1/admission/usage/units/${w.units.housing}`),
      404,
      'UNIT_NOT_FOUND',
    );
    const city = (await sup.get('/api/v1/admission/usage?period=2026-11'))
      .json()
      .units.map((u: { unitId: string }) => u.unitId);
    expect(city).toEqual(expect.arrayContaining([w.units.housing, w.units.education, w.units.finance]));
    expect(
      (await (await fresh('ningbo_sup')).get('/api/v1/admission/usage?period=2026-11')).json().units,
    ).toEqual([]);
    const all = (
      await (await fresh('ningbo_sup')).get('/api/v1/admission/usage?period=2026-11&all=true')
    ).json().units;
    expect(all.map((u: { unitId: string }) => u.unitId).sort()).toEqual(
      [w.units.ningboHousing, w.units.ningboOffice].sort(),
    );
  });
});

describe('a kind’s default', () => {
  it('province level sets it; a unit’s own quota overrides it; inherit removes the override', async () => {
    const prov = await fresh('prov_sup');
    const res = await prov.put('/api/v1/admission/quotas', { unitKind: 'department', limit: 0 });
    expect(res.statusCode, res.body).toBe(200);
    // 宁波住建局 has no quota of its own: the default (0) refuses any lead dispatch
    const nb = await fresh('ningbo_sup');
    const created = await nb.post('/api/v1/items', itemBody());
    const id = created.json().item.id;
    const refused = await dispatch(nb, id, w.units.ningboHousing);
    problem(refused, 409, 'QUOTA_EXCEEDED');
    expect(refused.json()).toMatchObject({ used: 0, limit: 0 });
    // 杭州住建局 keeps its own quota until it inherits
    const usage = (await sup.get(`/api/v1/admission/usage/units/${w.units.housing}?period=2026-11`)).json()
      .usage;
    expect(usage).toMatchObject({ quotaSource: 'unit', limit: 1 });
    expect(
      (await sup.put('/api/v1/admission/quotas', { unitId: w.units.housing, inherit: true })).statusCode,
    ).toBe(200);
    const after = (await sup.get(`/api/v1/admission/usage/units/${w.units.housing}?period=2026-11`)).json()
      .usage;
    expect(after).toMatchObject({ quotaSource: 'kind', limit: 0 });
    const quotas = (await sup.get('/api/v1/admission/quotas')).json();
    expect(quotas.kinds).toMatchObject([{ unitKind: 'department', period: 'month', limit: 0 }]);
    problem(
      await prov.put('/api/v1/admission/quotas', { unitKind: 'department', inherit: true }),
      400,
      'VALIDATION_FAILED',
      'body.inherit',
    );
  });
});
