import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rowCount, type TestContext } from '../support/context.ts';
import { closeWorld, itemBody, openWorld, type World } from '../support/factories.ts';
import { problem } from '../support/http.ts';

/** 统一受理 API: 401 → 400 (field) → 403/404 → success, decisions, scope and no write on error. */
let ctx: TestContext;
let w: World;
beforeAll(async () => {
  ({ ctx, w } = await openWorld('2026-03-02T02:00:00Z'));
});
afterAll(() => closeWorld(ctx, w));

const record = (overrides: Record<string, unknown> = {}) => ({
  kind: 'complaint',
  title: '城北小区路灯长期不亮',
  content: '城北小区 3 号楼前路灯已损坏两个月。',
  categoryCode: 'livelihood',
  contactName: '张三丰',
  contactPhone: '13812345678',
  contactEmail: 'zhangsan@example.cn',
  ...overrides,
});

async function tokenFor(username: string, scopes: string[]) {
  const res = await (await w.as(username)).post('/api/v1/auth/tokens', {
    name: `t-${scopes.join()}`,
    scopes,
  });
  expect(res.statusCode, res.body).toBe(201);
  return res.json().token as string;
}

async function create(username: string, body: Record<string, unknown> = record()) {
  const res = await (await w.as(username)).post('/api/v1/intake', body);
  expect(res.statusCode, res.body).toBe(201);
  return res.json().record as { id: string; trackingNo: string; status: string };
}

describe('POST /api/v1/intake', () => {
  it('401 → 400 → 403 → 201 with contact data masked', async () => {
    problem(
      await w.app.inject({ method: 'POST', url: '/api/v1/intake', payload: record() }),
      401,
      'UNAUTHENTICATED',
    );
    const sup = await w.as('city_sup');
    problem(
      await sup.post('/api/v1/intake', record({ title: undefined })),
      400,
      'VALIDATION_FAILED',
      'body.title',
    );
    problem(
      await sup.post('/api/v1/intake', record({ kind: 'wish' })),
      400,
      'VALIDATION_FAILED',
      'body.kind',
    );
    problem(
      await sup.post('/api/v1/intake', record({ contactPhone: 'call me' })),
      400,
      'VALIDATION_FAILED',
      'body.contactPhone',
    );
    problem(
      await sup.post('/api/v1/intake', record({ categoryCode: 'nope' })),
      400,
      'VALIDATION_FAILED',
      'body.categoryCode',
    );
    problem(
      await (await w.as('county_sup')).post('/api/v1/intake', record({ regionCode: '330100' })),
      400,
      'VALIDATION_FAILED',
      'body.regionCode',
    );
    problem(await (await w.as('housing_h')).post('/api/v1/intake', record()), 403, 'FORBIDDEN');
    const before = await rowCount(ctx, 'intake_records');
    const res = await sup.post('/api/v1/intake', record());
    expect(res.statusCode, res.body).toBe(201);
    const r = res.json().record;
    expect(r).toMatchObject({
      channel: 'web',
      kind: 'complaint',
      status: 'received',
      statusNameZh: '已受理',
      regionCode: '330100',
      regionName: '杭州市',
      categoryCode: 'livelihood',
      contact: { name: '张**', phone: '138****5678', email: 'z***@example.cn' },
      item: null,
    });
    expect(r.trackingNo).toMatch(/^TS-2026-[0-9A-HJKMNP-TV-Z]{8}$/);
    expect(res.body).not.toContain('13812345678');
    expect(res.body).not.toContain('张三丰');
    expect(await rowCount(ctx, 'intake_records')).toBe(before + 1);
  });

  it('API tokens with items:write add records (channel api); items:read alone is 403', async () => {
    const writer = await tokenFor('housing_h', ['items:read', 'items:write']);
    const reader = await tokenFor('housing_h', ['items:read']);
    problem(
      await w.app.inject({
        method: 'POST',
        url: '/api/v1/intake',
        payload: record(),
        headers: { authorization: `Bearer ${reader}` },
      }),
      403,
      'FORBIDDEN',
    );
    const res = await w.app.inject({
      method: 'POST',
      url: '/api/v1/intake',
      payload: record({ title: '接口接入的诉求', kind: 'suggestion' }),
      headers: { authorization: `Bearer ${writer}` },
    });
    expect(res.statusCode, res.body).toBe(201);
    expect(res.json().record).toMatchObject({ channel: 'api', kind: 'suggestion', regionCode: '330100' });
  });

  it('an Idempotency-Key replays the answer instead of adding a second record', async () => {
    const sup = await w.as('city_sup');
    const before = await rowCount(ctx, 'intake_records');
    const headers = { 'idempotency-key': 'intake-create-0001' };
    const a = await sup.post('/api/v1/intake', record({ title: '幂等' }), headers);
    const b = await sup.post('/api/v1/intake', record({ title: '幂等' }), headers);
    expect(a.statusCode).toBe(201);
    expect(b.statusCode).toBe(201);
    expect(b.headers['idempotent-replayed']).toBe('true');
    expect(b.json().record.id).toBe(a.json().record.id);
    expect(await rowCount(ctx, 'intake_records')).toBe(before + 1);
  });

  it('no personal data goes into the event log', async () => {
    const events = await ctx.db.selectFrom('events').select(['type', 'canonical']).execute();
    const intakeEvents = events.filter((e) => e.type.startsWith('intake.'));
    expect(intakeEvents.length).toBeGreaterThan(0);
    for (const e of intakeEvents) {
      expect(e.canonical).not.toContain('13812345678');
      expect(e.canonical).not.toContain('张三丰');
      expect(e.canonical).not.toContain('zhangsan');
    }
  });
});

describe('GET /api/v1/intake and /api/v1/intake/{id}', () => {
  let countyRecord: { id: string };
  let cityRecord: { id: string };
  beforeAll(async () => {
    countyRecord = await create('county_sup', record({ title: '西湖区 河道垃圾', regionCode: '330106' }));
    cityRecord = await create('city_sup', record({ title: '市区 噪音扰民' }));
  });

  it('lists within the region subtree, with filters and paging', async () => {
    problem(await w.app.inject({ method: 'GET', url: '/api/v1/intake' }), 401, 'UNAUTHENTICATED');
    const city = await w.as('city_sup');
    problem(await city.get('/api/v1/intake?status=open'), 400, 'VALIDATION_FAILED', 'querystring.status.0');
    problem(await (await w.as('housing_h')).get('/api/v1/intake'), 403, 'FORBIDDEN');
    problem(await (await w.as('leader')).get('/api/v1/intake'), 403, 'FORBIDDEN');

    const all = (await city.get('/api/v1/intake?limit=200')).json();
    const ids = all.records.map((r: { id: string }) => r.id);
    expect(ids).toContain(countyRecord.id);
    expect(ids).toContain(cityRecord.id);
    expect(all.total).toBe(all.records.length);

    const county = (await (await w.as('county_sup')).get('/api/v1/intake')).json();
    expect(county.records.map((r: { id: string }) => r.id)).toEqual([countyRecord.id]);
    expect((await (await w.as('ningbo_sup')).get('/api/v1/intake')).json()).toMatchObject({
      records: [],
      total: 0,
    });
    expect((await (await w.as('prov_sup')).get('/api/v1/intake')).json().total).toBe(all.total);

    const q = (await city.get(`/api/v1/intake?q=${encodeURIComponent('噪音')}`)).json();
    expect(q.records.map((r: { id: string }) => r.id)).toEqual([cityRecord.id]);
    const api = (await city.get('/api/v1/intake?channel=api')).json();
    expect(api.records.every((r: { channel: string }) => r.channel === 'api')).toBe(true);
    expect(api.total).toBe(1);
    const paged = (await city.get('/api/v1/intake?limit=1&offset=1')).json();
    expect(paged.records).toHaveLength(1);
    expect(paged.records[0].id).toBe(ids[1]);
    expect((await city.get('/api/v1/intake?status=rejected')).json().records).toEqual([]);
  });

  it('one record: 401, 400, 403, 404 outside the scope, 200 masked', async () => {
    const url = `/api/v1/intake/${cityRecord.id}`;
    problem(await w.app.inject({ method: 'GET', url }), 401, 'UNAUTHENTICATED');
    problem(await (await w.as('city_sup')).get('/api/v1/intake/x'), 400, 'VALIDATION_FAILED', 'params.id');
    problem(await (await w.as('housing_h')).get(url), 403, 'FORBIDDEN');
    problem(await (await w.as('county_sup')).get(url), 404, 'NOT_FOUND');
    problem(await (await w.as('ningbo_sup')).get(url), 404, 'NOT_FOUND');
    problem(
      await (await w.as('city_sup')).get('/api/v1/intake/00000000-0000-4000-8000-000000000000'),
      404,
      'NOT_FOUND',
    );
    const res = await (await w.as('city_sup')).get(url);
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json().record).toMatchObject({ id: cityRecord.id, contact: { phone: '138****5678' } });
    expect(res.body).not.toContain('13812345678');
  });
});

describe('triage', () => {
  it('accept: 400 and 404 write nothing; 200 registers an item in the same transaction; then 409', async () => {
    const r = await create('city_sup', record({ title: '立项来源', categoryCode: undefined }));
    const url = `/api/v1/intake/${r.id}/accept`;
    const sup = await w.as('city_sup');
    problem(await w.app.inject({ method: 'POST', url, payload: {} }), 401, 'UNAUTHENTICATED');
    const items = await rowCount(ctx, 'items');
    const events = await rowCount(ctx, 'events');
    problem(await sup.post(url, { deadline: '2026-06-30' }), 400, 'VALIDATION_FAILED', 'body.categoryCode');
    problem(await sup.post(url, { categoryCode: 'livelihood' }), 400, 'VALIDATION_FAILED', 'body.deadline');
    problem(
      await sup.post(url, { categoryCode: 'livelihood', deadline: '2026-06-30', extra: 1 }),
      400,
      'VALIDATION_FAILED',
      'body.extra',
    );
    problem(
      await sup.post(url, { categoryCode: 'livelihood', deadline: '2025-01-01' }),
      400,
      'VALIDATION_FAILED',
      'body.deadline',
    );
    problem(
      await sup.post(url, { categoryCode: 'livelihood', deadline: 'soon' }),
      400,
      'VALIDATION_FAILED',
      'body.deadline',
    );
    problem(
      await (await w.as('ningbo_sup')).post(url, { categoryCode: 'livelihood', deadline: '2026-06-30' }),
      404,
      'NOT_FOUND',
    );
    problem(
      await (await w.as('housing_h')).post(url, { categoryCode: 'livelihood', deadline: '2026-06-30' }),
      403,
      'FORBIDDEN',
    );
    expect(await rowCount(ctx, 'items')).toBe(items);
    expect(await rowCount(ctx, 'events')).toBe(events);
    expect((await sup.get(`/api/v1/intake/${r.id}`)).json().record.status).toBe('received');

    const res = await sup.post(url, {
      categoryCode: 'livelihood',
      deadline: '2026-06-30',
      isPublic: true,
      sensitivity: 'public',
    });
    expect(res.statusCode, res.body).toBe(200);
    const { record: accepted, item } = res.json();
    expect(accepted).toMatchObject({
      status: 'accepted',
      statusNameZh: '已立项',
      decidedBy: { id: w.users.city_sup },
    });
    expect(accepted.item).toEqual({ id: item.id, number: item.number, title: '立项来源' });
    const detail = (await sup.get(`/api/v1/items/${item.id}`)).json().item;
    expect(detail).toMatchObject({
      title: '立项来源',
      source: 'superior_assignment',
      categoryCode: 'livelihood',
      status: 'registered',
    });
    const types = (
      await ctx.db.selectFrom('events').select('type').where('seq', '>', events).orderBy('seq').execute()
    ).map((e) => e.type);
    expect(types).toEqual(['item.created', 'item.registered', 'intake.accepted']);
    problem(
      await sup.post(url, { categoryCode: 'livelihood', deadline: '2026-06-30' }),
      409,
      'TRANSITION_REFUSED',
    );
    expect(await rowCount(ctx, 'items')).toBe(items + 1);
  });

  it('merge links a record to a visible item; the item lists its sources and their count', async () => {
    const sup = await w.as('city_sup');
    const itemId = (await sup.post('/api/v1/items', itemBody({ deadline: '2026-06-30' }))).json().item.id;
    const ningboItem = (
      await (await w.as('ningbo_sup')).post('/api/v1/items', itemBody({ deadline: '2026-06-30' }))
    ).json().item.id;
    const a = await create('city_sup', record({ title: '并案一' }));
    const b = await create('county_sup', record({ title: '并案二', regionCode: '330106' }));
    const url = `/api/v1/intake/${a.id}/merge`;
    problem(await w.app.inject({ method: 'POST', url, payload: { itemId } }), 401, 'UNAUTHENTICATED');
    problem(await sup.post(url, {}), 400, 'VALIDATION_FAILED', 'body.itemId');
    problem(await sup.post(url, { itemId: ningboItem }), 404, 'ITEM_NOT_FOUND');
    problem(await (await w.as('ningbo_sup')).post(url, { itemId: ningboItem }), 404, 'NOT_FOUND');
    problem(await (await w.as('edu_h')).post(url, { itemId }), 403, 'FORBIDDEN');
    expect((await sup.get(`/api/v1/intake/${a.id}`)).json().record.status).toBe('received');

    expect((await sup.post(url, { itemId })).json().record).toMatchObject({
      status: 'merged',
      item: { id: itemId },
    });
    expect((await sup.post(`/api/v1/intake/${b.id}/merge`, { itemId })).statusCode).toBe(200);
    problem(await sup.post(url, { itemId }), 409, 'TRANSITION_REFUSED');

    const list = `/api/v1/items/${itemId}/intake`;
    problem(await w.app.inject({ method: 'GET', url: list }), 401, 'UNAUTHENTICATED');
    problem(await (await w.as('ningbo_sup')).get(list), 404, 'ITEM_NOT_FOUND');
    problem(await (await w.as('admin')).get(list), 404, 'ITEM_NOT_FOUND');
    problem(await sup.get('/api/v1/items/x/intake'), 400, 'VALIDATION_FAILED', 'params.id');
    const linked = (await sup.get(list)).json();
    expect(linked.count).toBe(2);
    expect(linked.records.map((r: { id: string }) => r.id).sort()).toEqual([a.id, b.id].sort());
    expect(JSON.stringify(linked)).not.toContain('13812345678');
  });

  it('forward to a unit in scope; reject with a reason; each only once', async () => {
    const sup = await w.as('city_sup');
    const f = await create('city_sup', record({ title: '转办' }));
    const furl = `/api/v1/intake/${f.id}/forward`;
    problem(await w.app.inject({ method: 'POST', url: furl, payload: {} }), 401, 'UNAUTHENTICATED');
    problem(await sup.post(furl, { unitId: w.units.housing }), 400, 'VALIDATION_FAILED', 'body.reason');
    problem(await sup.post(furl, { unitId: w.units.ningboHousing, reason: '属地' }), 404, 'UNIT_NOT_FOUND');
    problem(
      await (await w.as('ningbo_sup')).post(furl, { unitId: w.units.ningboHousing, reason: '属地' }),
      404,
      'NOT_FOUND',
    );
    const forwarded = (await sup.post(furl, { unitId: w.units.housing, reason: '属住建职责' })).json().record;
    expect(forwarded).toMatchObject({
      status: 'forwarded',
      forwardedUnit: { id: w.units.housing, name: '杭州市住房和城乡建设局' },
      decisionReason: '属住建职责',
    });
    problem(await sup.post(`/api/v1/intake/${f.id}/reject`, { reason: '重复' }), 409, 'TRANSITION_REFUSED');

    const r = await create('city_sup', record({ title: '驳回' }));
    const rurl = `/api/v1/intake/${r.id}/reject`;
    problem(await w.app.inject({ method: 'POST', url: rurl, payload: {} }), 401, 'UNAUTHENTICATED');
    problem(await sup.post(rurl, { reason: '  ' }), 400, 'VALIDATION_FAILED', 'body.reason');
    problem(await (await w.as('county_sup')).post(rurl, { reason: '不属于督办范围' }), 404, 'NOT_FOUND');
    problem(await (await w.as('fin_h')).post(rurl, { reason: '不属于督办范围' }), 403, 'FORBIDDEN');
    const events = await rowCount(ctx, 'events');
    expect((await sup.post(rurl, { reason: '不属于督办范围' })).json().record).toMatchObject({
      status: 'rejected',
      decisionReason: '不属于督办范围',
    });
    const last = await ctx.db
      .selectFrom('events')
      .select(['type', 'payload'])
      .where('seq', '>', events)
      .execute();
    expect(last.map((e) => e.type)).toEqual(['intake.rejected']);
    expect(last[0]?.payload).toMatchObject({ intakeId: r.id, reason: '不属于督办范围' });
  });
});

describe('OpenAPI', () => {
  it('documents the task pool routes', async () => {
    const doc = (await w.app.inject({ method: 'GET', url: '/api/v1/openapi.json' })).json();
    for (const path of [
      '/api/v1/intake',
      '/api/v1/intake/{id}/accept',
      '/api/v1/public/complaints',
      '/api/v1/items/{id}/intake',
    ])
      expect(Object.keys(doc.paths)).toContain(path);
  });
});
