import { ITEM_ACTIONS, type ItemAction } from '@duban/schema';
import type { LightMyRequestResponse } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestContext, type TestContext } from '../support/context.ts';
import { buildWorld, itemBody, type World } from '../support/factories.ts';

/**
 * Every item route follows the same rhythm: 401 without a session → 400 naming the offending field
 * → 404 for a caller outside the item's data scope → success for a caller inside it.
 */

let ctx: TestContext;
let w: World;
beforeAll(async () => {
  ctx = await createTestContext();
  ctx.setNow('2026-11-27T02:00:00Z');
  w = await buildWorld(ctx);
});
afterAll(async () => {
  await w?.app.close();
  await ctx?.cleanup();
});

const BASE = '/api/v1/items';
const MISSING = '00000000-0000-4000-8000-000000000000';
/** Outside the data scope of a 杭州 item: other city, organisation admin, evaluator without assignment. */
const OUTSIDERS = ['ningbo_h', 'ningbo_sup', 'admin', 'evaluator'] as const;

function expectProblem(res: LightMyRequestResponse, status: number, code: string, field?: string) {
  expect(res.statusCode, res.body).toBe(status);
  expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
  const body = res.json();
  expect(body.code).toBe(code);
  expect(body.status).toBe(status);
  expect(typeof body.detail).toBe('string');
  expect(body.detail.length).toBeGreaterThan(0);
  expect(typeof body.detailZh).toBe('string');
  expect(body.detailZh.length).toBeGreaterThan(0);
  if (field !== undefined) expect(body.field).toBe(field);
  return body;
}

function ok(res: LightMyRequestResponse, status = 200) {
  if (res.statusCode !== status) throw new Error(`expected ${status}, got ${res.statusCode}: ${res.body}`);
  return res.json();
}

const anon = (method: 'GET' | 'POST' | 'PATCH', url: string, payload?: object, headers = {}) =>
  w.app.inject({ method, url, headers, ...(payload ? { payload } : {}) });

async function version(id: string): Promise<number> {
  const row = await ctx.db
    .selectFrom('items')
    .select('version')
    .where('id', '=', id)
    .executeTakeFirstOrThrow();
  return row.version;
}
async function eventCount(id: string): Promise<number> {
  const rows = await ctx.db.selectFrom('events').select('seq').where('item_id', '=', id).execute();
  return rows.length;
}

// ------------------------------------------------------------------ items in a given state

async function registered(overrides: Record<string, unknown> = {}): Promise<string> {
  const sup = await w.as('city_sup');
  return ok(await sup.post(BASE, itemBody(overrides)), 201).item.id;
}
async function dispatched(collaborator = false): Promise<string> {
  const id = await registered();
  const sup = await w.as('city_sup');
  ok(
    await sup.post(`${BASE}/${id}/actions/dispatch`, {
      assignments: [
        { unitId: w.units.housing, role: 'lead', deadline: '2027-06-30' },
        ...(collaborator
          ? [{ unitId: w.units.education, role: 'collaborator', deadline: '2027-05-31' }]
          : []),
      ],
    }),
  );
  return id;
}
async function inProgress(): Promise<string> {
  const id = await dispatched();
  ok(await (await w.as('housing_h')).post(`${BASE}/${id}/actions/accept`));
  return id;
}
async function extensionRequested(): Promise<string> {
  const id = await inProgress();
  ok(
    await (await w.as('housing_h')).post(`${BASE}/${id}/actions/request-extension`, {
      newDeadline: '2027-07-31',
      reason: '汛期停工',
    }),
  );
  return id;
}
async function completionRequested(): Promise<string> {
  const id = await inProgress();
  ok(
    await (await w.as('housing_h')).post(`${BASE}/${id}/actions/request-completion`, { summary: '已完成。' }),
  );
  return id;
}
async function completed(): Promise<string> {
  const id = await completionRequested();
  ok(await (await w.as('city_sup')).post(`${BASE}/${id}/actions/approve-completion`, { comment: '同意' }));
  return id;
}
async function evaluated(): Promise<string> {
  const id = await completed();
  ok(
    await (await w.as('city_sup')).post(`${BASE}/${id}/actions/evaluate`, {
      quality: 90,
      timeliness: 80,
      effectiveness: 85,
    }),
  );
  return id;
}
async function suspended(): Promise<string> {
  const id = await registered();
  ok(await (await w.as('city_sup')).post(`${BASE}/${id}/actions/suspend`, { reason: '暂缓' }));
  return id;
}

type ActionCase = {
  prepare: () => Promise<string>;
  actor: string;
  body: () => Record<string, unknown>;
  bad: () => { body: Record<string, unknown>; field: string };
  /** the item's status after the action succeeds */
  status: string;
};

const reason = '理由充分';
const ACTIONS: { [A in ItemAction]: ActionCase } = {
  register: {
    prepare: () => registered({ draft: true }),
    actor: 'city_sup',
    body: () => ({}),
    bad: () => ({ body: { x: 1 }, field: 'body.x' }),
    status: 'registered',
  },
  dispatch: {
    prepare: () => registered(),
    actor: 'city_sup',
    body: () => ({ assignments: [{ unitId: w.units.housing, role: 'lead', deadline: '2027-06-30' }] }),
    bad: () => ({
      body: { assignments: [{ unitId: w.units.housing, role: 'boss', deadline: '2027-06-30' }] },
      field: 'body.assignments.0.role',
    }),
    status: 'dispatched',
  },
  accept: {
    prepare: () => dispatched(),
    actor: 'housing_h',
    body: () => ({}),
    bad: () => ({ body: { x: 1 }, field: 'body.x' }),
    status: 'in_progress',
  },
  return: {
    prepare: () => dispatched(),
    actor: 'housing_h',
    body: () => ({ reason: '不属于本单位职责' }),
    bad: () => ({ body: { reason: '   ' }, field: 'body.reason' }),
    status: 'returned',
  },
  report: {
    prepare: () => inProgress(),
    actor: 'housing_h',
    body: () => ({ percent: 30, narrative: '已开工 15 个小区。' }),
    bad: () => ({ body: { percent: 101, narrative: '超额' }, field: 'body.percent' }),
    status: 'in_progress',
  },
  'request-extension': {
    prepare: () => inProgress(),
    actor: 'housing_h',
    body: () => ({ newDeadline: '2027-07-31', reason }),
    bad: () => ({ body: { newDeadline: '2027-02-30', reason }, field: 'body.newDeadline' }),
    status: 'in_progress',
  },
  'approve-extension': {
    prepare: () => extensionRequested(),
    actor: 'city_sup',
    body: () => ({ unitId: w.units.housing }),
    bad: () => ({ body: { unitId: 'housing' }, field: 'body.unitId' }),
    status: 'in_progress',
  },
  'reject-extension': {
    prepare: () => extensionRequested(),
    actor: 'city_sup',
    body: () => ({ unitId: w.units.housing, reason }),
    bad: () => ({ body: { unitId: w.units.housing }, field: 'body.reason' }),
    status: 'in_progress',
  },
  'request-completion': {
    prepare: () => inProgress(),
    actor: 'housing_h',
    body: () => ({ summary: '全部完成。' }),
    bad: () => ({ body: { summary: 42 }, field: 'body.summary' }),
    status: 'completion_requested',
  },
  'approve-completion': {
    prepare: () => completionRequested(),
    actor: 'city_sup',
    body: () => ({ comment: '同意办结' }),
    bad: () => ({ body: { comment: 'x'.repeat(2001) }, field: 'body.comment' }),
    status: 'completed',
  },
  'reject-completion': {
    prepare: () => completionRequested(),
    actor: 'city_sup',
    body: () => ({ reason }),
    bad: () => ({ body: {}, field: 'body.reason' }),
    status: 'in_progress',
  },
  evaluate: {
    prepare: () => completed(),
    actor: 'city_sup',
    body: () => ({ quality: 90, timeliness: 80, effectiveness: 95 }),
    bad: () => ({ body: { quality: 90, timeliness: -1, effectiveness: 95 }, field: 'body.timeliness' }),
    status: 'evaluated',
  },
  archive: {
    prepare: () => evaluated(),
    actor: 'city_sup',
    body: () => ({}),
    bad: () => ({ body: { at: 'now' }, field: 'body.at' }),
    status: 'archived',
  },
  suspend: {
    prepare: () => registered(),
    actor: 'city_sup',
    body: () => ({ reason }),
    bad: () => ({ body: { reason: '' }, field: 'body.reason' }),
    status: 'suspended',
  },
  resume: {
    prepare: () => suspended(),
    actor: 'city_sup',
    body: () => ({}),
    bad: () => ({ body: { reason }, field: 'body.reason' }),
    status: 'registered',
  },
  cancel: {
    prepare: () => registered(),
    actor: 'city_sup',
    body: () => ({ reason }),
    bad: () => ({ body: { reason: 7 }, field: 'body.reason' }),
    status: 'cancelled',
  },
  reopen: {
    prepare: () => completed(),
    actor: 'city_sup',
    body: () => ({ reason: '群众反映仍有问题', deadline: '2027-03-31' }),
    bad: () => ({ body: { reason, deadline: 'tomorrow' }, field: 'body.deadline' }),
    status: 'completed',
  },
  decompose: {
    prepare: () => registered(),
    actor: 'city_sup',
    body: () => ({ children: [{ assigningUnitId: w.units.countyOffice, deadline: '2027-03-31' }] }),
    bad: () => ({ body: { children: [] }, field: 'body.children' }),
    status: 'registered',
  },
  instruct: {
    prepare: () => registered(),
    actor: 'leader',
    body: () => ({ body: '请抓紧推进。' }),
    bad: () => ({ body: { body: '' }, field: 'body.body' }),
    status: 'registered',
  },
  comment: {
    prepare: () => dispatched(),
    actor: 'housing_h',
    body: () => ({ body: '收到。' }),
    bad: () => ({ body: { body: 'x'.repeat(5001) }, field: 'body.body' }),
    status: 'dispatched',
  },
};

// ------------------------------------------------------------------ GET /api/v1/items

describe('GET /api/v1/items', () => {
  it('401 → 400 querystring.* → only the caller’s scope → 200', async () => {
    const id = await dispatched();
    expectProblem(await anon('GET', BASE), 401, 'UNAUTHENTICATED');
    const sup = await w.as('city_sup');
    expectProblem(await sup.get(`${BASE}?limit=0`), 400, 'VALIDATION_FAILED', 'querystring.limit');
    expectProblem(await sup.get(`${BASE}?limit=201`), 400, 'VALIDATION_FAILED', 'querystring.limit');
    expectProblem(await sup.get(`${BASE}?sort=title`), 400, 'VALIDATION_FAILED', 'querystring.sort');
    expectProblem(await sup.get(`${BASE}?unitId=housing`), 400, 'VALIDATION_FAILED', 'querystring.unitId');
    expectProblem(
      await sup.get(`${BASE}?deadlineTo=2027-13-01`),
      400,
      'VALIDATION_FAILED',
      'querystring.deadlineTo',
    );
    expectProblem(await sup.get(`${BASE}?regionCode=33`), 400, 'VALIDATION_FAILED', 'querystring.regionCode');
    expect(expectProblem(await sup.get(`${BASE}?status=open`), 400, 'VALIDATION_FAILED').field).toMatch(
      /^querystring\.status/,
    );
    expect(expectProblem(await sup.get(`${BASE}?light=blue`), 400, 'VALIDATION_FAILED').field).toMatch(
      /^querystring\.light/,
    );
    for (const u of OUTSIDERS) {
      const list = ok(await (await w.as(u)).get(`${BASE}?limit=200`));
      expect(list.items.map((i: { id: string }) => i.id)).not.toContain(id);
    }
    const admin = ok(await (await w.as('admin')).get(`${BASE}?limit=200`));
    expect(admin).toEqual({ items: [], nextCursor: null });
    const list = ok(await sup.get(`${BASE}?limit=200`));
    expect(list.items.map((i: { id: string }) => i.id)).toContain(id);
    const row = list.items.find((i: { id: string }) => i.id === id);
    expect(row).toMatchObject({
      status: 'dispatched',
      leadUnitName: '杭州市住房和城乡建设局',
      light: 'green',
    });
  });
});

// ------------------------------------------------------------------ POST /api/v1/items

describe('POST /api/v1/items', () => {
  it('401 → 400 body.* → 403 for non-supervisors → 201', async () => {
    expectProblem(await anon('POST', BASE, itemBody()), 401, 'UNAUTHENTICATED');
    const sup = await w.as('city_sup');
    expectProblem(await sup.post(BASE, itemBody({ title: '' })), 400, 'VALIDATION_FAILED', 'body.title');
    expectProblem(
      await sup.post(BASE, itemBody({ source: 'rumour' })),
      400,
      'VALIDATION_FAILED',
      'body.source',
    );
    expectProblem(
      await sup.post(BASE, itemBody({ urgency: 'asap' })),
      400,
      'VALIDATION_FAILED',
      'body.urgency',
    );
    expectProblem(
      await sup.post(BASE, itemBody({ categoryCode: 'no_such_category' })),
      400,
      'VALIDATION_FAILED',
      'body.categoryCode',
    );
    expectProblem(
      await sup.post(BASE, itemBody({ deadline: '2026-11-26' })),
      400,
      'VALIDATION_FAILED',
      'body.deadline',
    );
    expectProblem(
      await sup.post(BASE, itemBody({ supervisingUnitId: 'x' })),
      400,
      'VALIDATION_FAILED',
      'body.supervisingUnitId',
    );
    expectProblem(
      await sup.post(BASE, itemBody({ milestones: [{ name: '开工', date: '2027-02-29' }] })),
      400,
      'VALIDATION_FAILED',
      'body.milestones.0.date',
    );
    expectProblem(
      await sup.post(BASE, itemBody({ sensitivity: 'internal', isPublic: true })),
      400,
      'VALIDATION_FAILED',
      'body.isPublic',
    );
    for (const u of ['admin', 'housing_h', 'housing_head', 'evaluator', 'leader', 'auditor']) {
      expectProblem(await (await w.as(u)).post(BASE, itemBody()), 403, 'FORBIDDEN');
    }
    const res = await sup.post(BASE, itemBody({ title: '新建事项' }));
    const item = ok(res, 201).item;
    expect(res.headers.location).toBe(`${BASE}/${item.id}`);
    expect(res.headers.etag).toBe('"1"');
    expect(item).toMatchObject({ title: '新建事项', status: 'registered', light: null });
    expect(item.assigningUnit.id).toBe(w.units.cityOffice);
    const draft = ok(await sup.post(BASE, itemBody({ draft: true })), 201).item;
    expect(draft.status).toBe('draft');
  });
});

// ------------------------------------------------------------------ GET /api/v1/items/{id}

describe('GET /api/v1/items/{id}', () => {
  it('401 → 400 params.id → 404 outside the scope → 200 with an ETag', async () => {
    const id = await dispatched();
    expectProblem(await anon('GET', `${BASE}/${id}`), 401, 'UNAUTHENTICATED');
    const sup = await w.as('city_sup');
    expectProblem(await sup.get(`${BASE}/not-a-uuid`), 400, 'VALIDATION_FAILED', 'params.id');
    expectProblem(await sup.get(`${BASE}/${MISSING}`), 404, 'ITEM_NOT_FOUND');
    for (const u of OUTSIDERS)
      expectProblem(await (await w.as(u)).get(`${BASE}/${id}`), 404, 'ITEM_NOT_FOUND');
    const res = await sup.get(`${BASE}/${id}`);
    const item = ok(res).item;
    expect(res.headers.etag).toBe(`"${item.version}"`);
    expect(item).toMatchObject({ id, status: 'dispatched' });
    expect(item.allowedActions).toEqual(
      expect.arrayContaining(['suspend', 'cancel', 'decompose', 'comment']),
    );
    expect(item.allowedActions).not.toContain('dispatch');
  });
});

// ------------------------------------------------------------------ PATCH /api/v1/items/{id}

describe('PATCH /api/v1/items/{id}', () => {
  it('401 → 400 params.id / body.* → 412 without If-Match → 404 outside the scope → 200', async () => {
    const id = await registered();
    const url = `${BASE}/${id}`;
    const ifMatch = { 'if-match': '"1"' };
    expectProblem(await anon('PATCH', url, { title: '改' }, ifMatch), 401, 'UNAUTHENTICATED');
    const sup = await w.as('city_sup');
    expectProblem(
      await sup.patch(`${BASE}/nope`, { title: '改' }, ifMatch),
      400,
      'VALIDATION_FAILED',
      'params.id',
    );
    expectProblem(
      await sup.patch(url, { deadline: '2026-02-30' }, ifMatch),
      400,
      'VALIDATION_FAILED',
      'body.deadline',
    );
    expectProblem(await sup.patch(url, { title: '' }, ifMatch), 400, 'VALIDATION_FAILED', 'body.title');
    expectProblem(await sup.patch(url, { title: '改' }), 412, 'PRECONDITION_FAILED', 'header.if-match');
    expectProblem(
      await sup.patch(url, { title: '改' }, { 'if-match': 'latest' }),
      400,
      'VALIDATION_FAILED',
      'header.if-match',
    );
    for (const u of OUTSIDERS)
      expectProblem(await (await w.as(u)).patch(url, { title: '越权' }, ifMatch), 404, 'ITEM_NOT_FOUND');
    expectProblem(await sup.patch(`${BASE}/${MISSING}`, { title: '改' }, ifMatch), 404, 'ITEM_NOT_FOUND');
    expect(await version(id)).toBe(1);
    expectProblem(await sup.patch(url, { title: '改' }, { 'if-match': '"7"' }), 412, 'PRECONDITION_FAILED');
    const res = await sup.patch(url, { title: '修改后的标题' }, ifMatch);
    const item = ok(res).item;
    expect(item).toMatchObject({ title: '修改后的标题', version: 2 });
    expect(res.headers.etag).toBe('"2"');
  });
});

// ------------------------------------------------------------------ POST /api/v1/items/{id}/actions/*

describe('POST /api/v1/items/{id}/actions/{action}', () => {
  it('covers every action', () => {
    expect(Object.keys(ACTIONS).sort()).toEqual([...ITEM_ACTIONS].sort());
  });

  for (const action of ITEM_ACTIONS) {
    it(`${action}: 401 → 400 params.id / body field → 404 outside the scope → 200`, async () => {
      const c = ACTIONS[action];
      const id = await c.prepare();
      const url = `${BASE}/${id}/actions/${action}`;
      const before = { version: await version(id), events: await eventCount(id) };

      expectProblem(await anon('POST', url, c.body()), 401, 'UNAUTHENTICATED');

      const actor = await w.as(c.actor);
      expectProblem(
        await actor.post(`${BASE}/not-a-uuid/actions/${action}`, c.body()),
        400,
        'VALIDATION_FAILED',
        'params.id',
      );
      const bad = c.bad();
      expectProblem(await actor.post(url, bad.body), 400, 'VALIDATION_FAILED', bad.field);

      for (const u of OUTSIDERS)
        expectProblem(await (await w.as(u)).post(url, c.body()), 404, 'ITEM_NOT_FOUND');
      expectProblem(
        await actor.post(`${BASE}/${MISSING}/actions/${action}`, c.body()),
        404,
        'ITEM_NOT_FOUND',
      );
      // nothing was written by the refusals
      expect({ version: await version(id), events: await eventCount(id) }).toEqual(before);

      const res = await actor.post(url, c.body(), { 'if-match': `"${before.version}"` });
      const item = ok(res).item;
      expect(item.status).toBe(c.status);
      expect(res.headers.etag).toBe(`"${item.version}"`);
      expect(await eventCount(id)).toBeGreaterThan(before.events);
    });
  }
});

// ------------------------------------------------------------------ events and reports

describe('GET /api/v1/items/{id}/events and /reports', () => {
  for (const sub of ['events', 'reports'] as const) {
    it(`${sub}: 401 → 400 params.id → 404 outside the scope → 200`, async () => {
      const id = await inProgress();
      ok(
        await (await w.as('housing_h')).post(`${BASE}/${id}/actions/report`, {
          percent: 20,
          narrative: '已启动。',
        }),
      );
      ok(await (await w.as('leader')).post(`${BASE}/${id}/actions/instruct`, { body: '加快进度' }));
      expectProblem(await anon('GET', `${BASE}/${id}/${sub}`), 401, 'UNAUTHENTICATED');
      const sup = await w.as('city_sup');
      expectProblem(await sup.get(`${BASE}/x/${sub}`), 400, 'VALIDATION_FAILED', 'params.id');
      expectProblem(await sup.get(`${BASE}/${MISSING}/${sub}`), 404, 'ITEM_NOT_FOUND');
      for (const u of OUTSIDERS)
        expectProblem(await (await w.as(u)).get(`${BASE}/${id}/${sub}`), 404, 'ITEM_NOT_FOUND');
      const body = ok(await sup.get(`${BASE}/${id}/${sub}`));
      if (sub === 'events') {
        expect(body.events.map((e: { type: string }) => e.type)).toEqual([
          'item.created',
          'item.registered',
          'item.dispatched',
          'item.accepted',
          'item.progress_reported',
          'item.instruction_added',
        ]);
      } else {
        expect(body.reports).toHaveLength(1);
        expect(body.reports[0]).toMatchObject({ percent: 20, unitId: w.units.housing });
        expect(body.remarks).toHaveLength(1);
        expect(body.remarks[0]).toMatchObject({ kind: 'instruction', body: '加快进度' });
      }
    });
  }
});

// ------------------------------------------------------------------ GET /api/v1/categories

describe('GET /api/v1/categories', () => {
  it('401 → 200 for every signed-in user (no parameters to validate, no data scope)', async () => {
    expectProblem(await anon('GET', '/api/v1/categories'), 401, 'UNAUTHENTICATED');
    for (const u of ['city_sup', 'ningbo_h', 'admin', 'evaluator']) {
      const body = ok(await (await w.as(u)).get('/api/v1/categories'));
      expect(body.categories.length).toBeGreaterThan(0);
      expect(body.categories.map((c: { code: string }) => c.code)).toContain('livelihood');
    }
  });
});

// ------------------------------------------------------------------ scope, tokens, errors

describe('data scope and API tokens', () => {
  it('shows an item to the handlers of every involved unit, in lists and GET, and to no one else', async () => {
    const id = await dispatched(true);
    const inList = async (u: string) => {
      const list = ok(await (await w.as(u)).get(`${BASE}?limit=200`));
      return list.items.some((i: { id: string }) => i.id === id);
    };
    for (const u of ['housing_h', 'housing_head', 'edu_h', 'city_sup', 'prov_sup', 'leader', 'auditor']) {
      expect(await inList(u), u).toBe(true);
      expect((await (await w.as(u)).get(`${BASE}/${id}`)).statusCode, u).toBe(200);
    }
    for (const u of ['fin_h', 'county_h', 'county_sup', ...OUTSIDERS]) {
      expect(await inList(u), u).toBe(false);
      expect((await (await w.as(u)).get(`${BASE}/${id}`)).statusCode, u).toBe(404);
    }
    // a collaborator that returns its share keeps seeing the item
    ok(await (await w.as('edu_h')).post(`${BASE}/${id}/actions/return`, { reason: '非本单位职责' }));
    expect(await inList('edu_h')).toBe(true);
    expect((await (await w.as('edu_h')).get(`${BASE}/${id}`)).statusCode).toBe(200);
  });

  it('lets an evaluator see exactly the items assigned to it', async () => {
    const id = await completed();
    const other = await completed();
    const evaluator = await w.as('evaluator');
    expectProblem(await evaluator.get(`${BASE}/${id}`), 404, 'ITEM_NOT_FOUND');
    await ctx.db
      .insertInto('evaluator_assignments')
      .values({ item_id: id, user_id: w.users.evaluator ?? '' })
      .execute();
    expect(ok(await evaluator.get(`${BASE}/${id}`)).item.id).toBe(id);
    ok(await evaluator.get(`${BASE}/${id}/events`));
    ok(await evaluator.get(`${BASE}/${id}/reports`));
    const list = ok(await evaluator.get(`${BASE}?limit=200`));
    expect(list.items.map((i: { id: string }) => i.id)).toEqual([id]);
    expectProblem(await evaluator.get(`${BASE}/${other}`), 404, 'ITEM_NOT_FOUND');
    // seeing is not supervising: evaluate is the supervisor's
    expectProblem(
      await evaluator.post(`${BASE}/${id}/actions/evaluate`, { quality: 1, timeliness: 1, effectiveness: 1 }),
      403,
      'FORBIDDEN',
    );
  });

  it('lets an items:read token list and read but refuses every write with 403', async () => {
    const id = await registered();
    const sup = await w.as('city_sup');
    const issued = ok(
      await sup.post('/api/v1/auth/tokens', { name: 'dashboard', scopes: ['items:read'] }),
      201,
    );
    const bearer = { authorization: `Bearer ${issued.token}` };
    const call = (method: 'GET' | 'POST' | 'PATCH', url: string, payload?: object, headers = {}) =>
      anon(method, url, payload, { ...bearer, ...headers });

    const list = ok(await call('GET', `${BASE}?limit=200`));
    expect(list.items.map((i: { id: string }) => i.id)).toContain(id);
    ok(await call('GET', `${BASE}/${id}`));
    ok(await call('GET', `${BASE}/${id}/events`));
    ok(await call('GET', `${BASE}/${id}/reports`));
    ok(await call('GET', '/api/v1/categories'));

    expectProblem(await call('POST', BASE, itemBody()), 403, 'FORBIDDEN');
    expectProblem(
      await call('PATCH', `${BASE}/${id}`, { title: '改' }, { 'if-match': '"1"' }),
      403,
      'FORBIDDEN',
    );
    for (const action of ITEM_ACTIONS) {
      expectProblem(
        await call('POST', `${BASE}/${id}/actions/${action}`, ACTIONS[action].body()),
        403,
        'FORBIDDEN',
      );
    }
    expect(await version(id)).toBe(1);

    // a token without items:read may not even list
    const orgOnly = ok(await sup.post('/api/v1/auth/tokens', { name: 'org', scopes: ['org:read'] }), 201);
    expectProblem(
      await anon('GET', BASE, undefined, { authorization: `Bearer ${orgOnly.token}` }),
      403,
      'FORBIDDEN',
    );
    // and an items:write token may write
    const writer = ok(
      await sup.post('/api/v1/auth/tokens', { name: 'writer', scopes: ['items:read', 'items:write'] }),
      201,
    );
    const res = await anon(
      'POST',
      `${BASE}/${id}/actions/comment`,
      { body: '令牌留言' },
      {
        authorization: `Bearer ${writer.token}`,
      },
    );
    expect(ok(res).item.version).toBe(2);
  });

  it('answers errors as problem+json with code, detail and detailZh', async () => {
    const res = await anon('GET', `${BASE}/${MISSING}`);
    expectProblem(res, 401, 'UNAUTHENTICATED');
    const body = expectProblem(
      await (await w.as('city_sup')).get(`${BASE}/${MISSING}`),
      404,
      'ITEM_NOT_FOUND',
    );
    expect(body.instance).toBe(`${BASE}/${MISSING}`);
    expect(body.type).toBe('https://duban.dev/problems/item-not-found');
  });
});
