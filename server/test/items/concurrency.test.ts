import type { LightMyRequestResponse } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../../src/app.ts';
import { totpCode } from '../../src/auth/mfa.ts';
import type { App } from '../../src/http/types.ts';
import { createTestContext, type TestContext } from '../support/context.ts';
import { buildWorld, type Client, itemBody, PASSWORD, type World } from '../support/factories.ts';

/**
 * Concurrency, optimistic versions and Idempotency-Key replay. On PGlite the driver serialises the
 * transactions, so these pin the semantics; on PostgreSQL (DATABASE_URL) the requests truly race
 * over a pool of connections, so they also pin the locking.
 */

let ctx: TestContext;
let w: World;
/** The app currently serving: the restart test replaces it. */
let app: App;
beforeAll(async () => {
  ctx = await createTestContext();
  ctx.setNow('2026-11-27T02:00:00Z');
  w = await buildWorld(ctx);
  app = w.app;
});
afterAll(async () => {
  await app.close();
  await ctx.cleanup();
});

const DEADLINE = '2027-06-30';
const range = (n: number) => Array.from({ length: n }, (_, i) => i + 1);
const count = <T>(xs: T[], x: T) => xs.filter((y) => y === x).length;

async function numberSeqs(unitId: string | undefined) {
  if (!unitId) throw new Error('fixture: unknown unit');
  const rows = await ctx.db
    .selectFrom('items')
    .select(['number', 'number_seq'])
    .where('assigning_unit_id', '=', unitId)
    .where('number_year', '=', 2026)
    .orderBy('number_seq')
    .execute();
  return rows;
}

async function eventTypes(itemId: string) {
  const rows = await ctx.db
    .selectFrom('events')
    .select(['seq', 'type'])
    .where('item_id', '=', itemId)
    .orderBy('seq')
    .execute();
  return rows.map((r) => r.type);
}

async function idempotencyRows(key: string) {
  return ctx.db.selectFrom('idempotency_keys').selectAll().where('key', '=', key).execute();
}

async function create(sup: Client, overrides: Record<string, unknown> = {}) {
  const res = await sup.post('/api/v1/items', itemBody(overrides));
  expect(res.statusCode, res.body).toBe(201);
  return res.json().item as { id: string; number: string; version: number };
}

const leadTo = (unitId: string | undefined) => ({
  assignments: [{ unitId, role: 'lead', deadline: DEADLINE }],
});

/** A registered item dispatched to 住建局 as lead, accepted, with completion requested. */
async function completionRequested(title: string) {
  const sup = await w.as('city_sup');
  const lead = await w.as('housing_h');
  const item = await create(sup, { title });
  const url = `/api/v1/items/${item.id}`;
  expect((await sup.post(`${url}/actions/dispatch`, leadTo(w.units.housing))).statusCode).toBe(200);
  expect((await lead.post(`${url}/actions/accept`)).statusCode).toBe(200);
  const req = await lead.post(`${url}/actions/request-completion`, { summary: '已全部完成。' });
  expect(req.statusCode, req.body).toBe(200);
  expect(req.json().item.status).toBe('completion_requested');
  return url;
}

const statuses = (rs: LightMyRequestResponse[]) => rs.map((r) => r.statusCode).sort((a, b) => a - b);

describe('numbering under concurrent creation', () => {
  it('gives each assigning unit the numbers 1..N exactly once; a refused creation consumes none', async () => {
    const city = await w.as('city_sup');
    const prov = await w.as('prov_sup');
    const requests: Promise<LightMyRequestResponse>[] = [];
    for (let i = 0; i < 40; i++) {
      requests.push(city.post('/api/v1/items', itemBody({ title: `并发立项 市 ${i}` })));
      if (i % 4 === 0) requests.push(prov.post('/api/v1/items', itemBody({ title: `并发立项 省 ${i}` })));
      if (i === 20) {
        requests.push(city.post('/api/v1/items', itemBody({ title: '分类错误', categoryCode: 'no_such' })));
        requests.push(city.post('/api/v1/items', itemBody({ title: '期限已过', deadline: '2026-01-01' })));
      }
    }
    const responses = await Promise.all(requests);
    const bad = responses.filter((r) => r.statusCode !== 201);
    expect(bad.map((r) => r.json().field).sort()).toEqual(['body.categoryCode', 'body.deadline']);
    expect(bad.every((r) => r.statusCode === 400)).toBe(true);
    const created = responses.filter((r) => r.statusCode === 201).map((r) => r.json().item);
    expect(created).toHaveLength(50);

    const cityNumbers = created.filter((i) => i.number.startsWith('杭')).map((i) => i.number as string);
    const provNumbers = created.filter((i) => i.number.startsWith('浙')).map((i) => i.number as string);
    expect(cityNumbers).toHaveLength(40);
    expect(provNumbers).toHaveLength(10);
    expect([...cityNumbers].sort()).toEqual(
      range(40).map((n) => `杭督〔2026〕${String(n).padStart(4, '0')}号`),
    );
    expect([...provNumbers].sort()).toEqual(
      range(10).map((n) => `浙督〔2026〕${String(n).padStart(4, '0')}号`),
    );

    const cityRows = await numberSeqs(w.units.cityOffice);
    expect(cityRows.map((r) => r.number_seq)).toEqual(range(40));
    expect(cityRows.map((r) => r.number)).toEqual([...cityNumbers].sort());
    expect((await numberSeqs(w.units.provOffice)).map((r) => r.number_seq)).toEqual(range(10));
    expect(
      await ctx.db.selectFrom('items').select('id').where('title', 'in', ['分类错误', '期限已过']).execute(),
    ).toEqual([]);

    // The refused creations handed nothing out: the next number follows on directly.
    expect((await create(city, { title: '紧随其后' })).number).toBe('杭督〔2026〕0041号');
    const counter = await ctx.db
      .selectFrom('item_number_counters')
      .select('last_value')
      .where('unit_id', '=', w.units.cityOffice ?? '')
      .where('year', '=', 2026)
      .executeTakeFirstOrThrow();
    expect(counter.last_value).toBe(41);
  });
});

describe('the event log under concurrent commands', () => {
  it('keeps seq gapless in commit order, and each item’s events in lifecycle order', async () => {
    const sup = await w.as('city_sup');
    const prov = await w.as('prov_sup');
    const lead = await w.as('housing_h');
    const leader = await w.as('leader');
    const created = await Promise.all(
      range(12).map((i) =>
        (i % 3 === 0 ? prov : sup).post('/api/v1/items', itemBody({ title: `事件并发 ${i}` })),
      ),
    );
    expect(statuses(created)).toEqual(range(12).map(() => 201));
    const items = created.map((r) => r.json().item as { id: string; number: string });
    const clientFor = (i: number) => (items[i]?.number.startsWith('浙') ? prov : sup);

    // Dispatch all of them at once, with comments racing the dispatches.
    const burst = await Promise.all(
      items.flatMap((item, i) => [
        clientFor(i).post(`/api/v1/items/${item.id}/actions/dispatch`, leadTo(w.units.housing)),
        clientFor(i).post(`/api/v1/items/${item.id}/actions/comment`, { body: `第 ${i} 项请抓紧` }),
      ]),
    );
    expect(statuses(burst), burst.map((r) => r.body).join()).toEqual(burst.map(() => 200));
    // Then the lead unit accepts all of them at once, and the leader instructs meanwhile.
    const second = await Promise.all(
      items.flatMap((item, i) => [
        lead.post(`/api/v1/items/${item.id}/actions/accept`),
        leader.post(`/api/v1/items/${item.id}/actions/instruct`, { body: `第 ${i} 项按期办结` }),
      ]),
    );
    expect(statuses(second), second.map((r) => r.body).join()).toEqual(second.map(() => 200));

    const seqs = (await ctx.db.selectFrom('events').select('seq').orderBy('seq').execute()).map((r) =>
      Number(r.seq),
    );
    expect(seqs).toEqual(range(seqs.length));
    const counter = await ctx.db.selectFrom('event_counter').select('last_seq').executeTakeFirstOrThrow();
    expect(Number(counter.last_seq)).toBe(seqs.length);

    for (const item of items) {
      const types = await eventTypes(item.id);
      expect(types).toHaveLength(6);
      expect(types.slice(0, 2)).toEqual(['item.created', 'item.registered']);
      expect(types.indexOf('item.dispatched')).toBeLessThan(types.indexOf('item.accepted'));
      expect([...types].sort()).toEqual(
        [
          'item.accepted',
          'item.comment_added',
          'item.created',
          'item.dispatched',
          'item.instruction_added',
          'item.registered',
        ].sort(),
      );
      // The API lists them in the same order.
      const listed = (await clientFor(items.indexOf(item)).get(`/api/v1/items/${item.id}/events`)).json()
        .events as { type: string }[];
      expect(listed.map((e) => e.type)).toEqual(types);
    }
  });
});

describe('conflicting transitions on one item', () => {
  it('lets exactly one of eight concurrent dispatches win; the others get 409 TRANSITION_REFUSED', async () => {
    const sup = await w.as('city_sup');
    const item = await create(sup, { title: '八路交办' });
    const url = `/api/v1/items/${item.id}`;
    const leads = [
      'housing',
      'education',
      'finance',
      'countyOffice',
      'countyHousing',
      'ningboHousing',
      'ningboOffice',
      'provOffice',
    ].map((k) => w.units[k]);
    const responses = await Promise.all(leads.map((u) => sup.post(`${url}/actions/dispatch`, leadTo(u))));
    expect(statuses(responses)).toEqual([200, 409, 409, 409, 409, 409, 409, 409]);
    const winner = responses.findIndex((r) => r.statusCode === 200);
    for (const r of responses.filter((x) => x.statusCode === 409))
      expect(r.json()).toMatchObject({
        code: 'TRANSITION_REFUSED',
        reason: 'INVALID_STATE',
        itemStatus: 'dispatched',
      });

    const types = await eventTypes(item.id);
    expect(count(types, 'item.dispatched')).toBe(1);
    const detail = (await sup.get(url)).json().item;
    expect(detail.status).toBe('dispatched');
    expect(detail.version).toBe(2);
    const assignments = await ctx.db
      .selectFrom('assignments')
      .select(['unit_id', 'role'])
      .where('item_id', '=', item.id)
      .execute();
    expect(assignments).toEqual([{ unit_id: leads[winner], role: 'lead' }]);
  });

  it('lets exactly one of a concurrent approve-completion and reject-completion win', async () => {
    const sup = await w.as('city_sup');
    const urls = await Promise.all(range(3).map((i) => completionRequested(`办结审核竞争 ${i}`)));
    const pairs = await Promise.all(
      urls.map((url) =>
        Promise.all([
          sup.post(`${url}/actions/approve-completion`, { comment: '同意' }),
          sup.post(`${url}/actions/reject-completion`, { reason: '尚未完成' }),
        ]),
      ),
    );
    for (const [i, [approve, reject]] of pairs.entries()) {
      const url = urls[i] ?? '';
      expect(statuses([approve, reject])).toEqual([200, 409]);
      const loser = approve.statusCode === 409 ? approve : reject;
      expect(loser.json()).toMatchObject({ code: 'TRANSITION_REFUSED', reason: 'INVALID_STATE' });
      const status = (await sup.get(url)).json().item.status;
      expect(status).toBe(approve.statusCode === 200 ? 'completed' : 'in_progress');
      const types = await eventTypes(url.split('/').at(-1) ?? '');
      expect(count(types, 'item.completion_approved') + count(types, 'item.completion_rejected')).toBe(1);
      expect(types.at(-1)).toBe(
        approve.statusCode === 200 ? 'item.completion_approved' : 'item.completion_rejected',
      );
    }
  });
});

describe('rolling up into a parent under concurrent commands', () => {
  it('lets reports on a child race commands on its parent without deadlock', async () => {
    const sup = await w.as('city_sup');
    const county = await w.as('county_sup');
    const handler = await w.as('county_h');
    const parent = await create(sup, { title: '分解后并发' });
    const decomposed = await sup.post(`/api/v1/items/${parent.id}/actions/decompose`, {
      children: [{ assigningUnitId: w.units.countyOffice, deadline: DEADLINE }],
    });
    expect(decomposed.statusCode, decomposed.body).toBe(200);
    const childId: string = decomposed.json().item.children[0].id;
    const child = `/api/v1/items/${childId}`;
    expect((await county.post(`${child}/actions/dispatch`, leadTo(w.units.countyHousing))).statusCode).toBe(
      200,
    );
    expect((await handler.post(`${child}/actions/accept`)).statusCode).toBe(200);

    // Each report locks the child, takes the event counter and then rolls up into the parent,
    // while each comment locks the parent and then takes the event counter.
    for (let round = 1; round <= 6; round++) {
      const rs = await Promise.all([
        handler.post(`${child}/actions/report`, { percent: round * 10, narrative: `第 ${round} 次反馈` }),
        sup.post(`/api/v1/items/${parent.id}/actions/comment`, { body: `第 ${round} 次评论甲` }),
        sup.post(`/api/v1/items/${parent.id}/actions/comment`, { body: `第 ${round} 次评论乙` }),
      ]);
      expect(statuses(rs), rs.map((r) => r.body).join()).toEqual([200, 200, 200]);
    }
    expect((await sup.get(`/api/v1/items/${parent.id}`)).json().item.progress).toBe(60);
    const parentTypes = await eventTypes(parent.id);
    expect(count(parentTypes, 'item.comment_added')).toBe(12);
    expect(count(parentTypes, 'item.progress_rolled_up')).toBeGreaterThanOrEqual(6);
    const seqs = (await ctx.db.selectFrom('events').select('seq').orderBy('seq').execute()).map((r) =>
      Number(r.seq),
    );
    expect(seqs).toEqual(range(seqs.length));
  });
});

describe('If-Match', () => {
  it('is required on PATCH, refuses a stale version without writing, and accepts the current one', async () => {
    const sup = await w.as('city_sup');
    const item = await create(sup, { title: '版本校验' });
    const url = `/api/v1/items/${item.id}`;

    const missing = await sup.patch(url, { title: '无版本号' });
    expect(missing.statusCode).toBe(412);
    expect(missing.json()).toMatchObject({ code: 'PRECONDITION_FAILED', field: 'header.if-match' });

    const got = await sup.get(url);
    const etag = got.headers.etag;
    expect(etag).toBe('"1"');
    const before = await eventTypes(item.id);

    const stale = await sup.patch(url, { title: '旧版本' }, { 'if-match': '"0"' });
    expect(stale.statusCode).toBe(412);
    expect(stale.json()).toMatchObject({ code: 'PRECONDITION_FAILED', field: 'header.if-match' });
    const unchanged = (await sup.get(url)).json().item;
    expect(unchanged.title).toBe('版本校验');
    expect(unchanged.version).toBe(1);
    expect(await eventTypes(item.id)).toEqual(before);

    const ok = await sup.patch(url, { title: '版本校验（已改）' }, { 'if-match': String(etag) });
    expect(ok.statusCode, ok.body).toBe(200);
    expect(ok.headers.etag).toBe('"2"');
    expect(ok.json().item).toMatchObject({ title: '版本校验（已改）', version: 2 });
    expect(await eventTypes(item.id)).toEqual([...before, 'item.updated']);

    // The weak form names the same version.
    const weak = await sup.patch(url, { urgency: 'urgent' }, { 'if-match': 'W/"2"' });
    expect(weak.statusCode, weak.body).toBe(200);
    expect(weak.headers.etag).toBe('"3"');
  });

  it('lets only one of two concurrent PATCHes with the same version through', async () => {
    const sup = await w.as('city_sup');
    const item = await create(sup, { title: '并发修改' });
    const url = `/api/v1/items/${item.id}`;
    const [a, b] = await Promise.all([
      sup.patch(url, { title: '修改甲' }, { 'if-match': '"1"' }),
      sup.patch(url, { title: '修改乙' }, { 'if-match': '"1"' }),
    ]);
    if (!a || !b) throw new Error('two responses expected');
    expect(statuses([a, b])[0]).toBe(200);
    const loser = a.statusCode === 200 ? b : a;
    const winner = a.statusCode === 200 ? a : b;
    expect([409, 412]).toContain(loser.statusCode);
    const final = (await sup.get(url)).json().item;
    expect(final.version).toBe(2);
    expect(final.title).toBe(winner.json().item.title);
    expect(count(await eventTypes(item.id), 'item.updated')).toBe(1);
  });

  it('guards actions too: a stale If-Match is 412 and writes nothing, a malformed one is 400', async () => {
    const sup = await w.as('city_sup');
    const item = await create(sup, { title: '动作版本校验' });
    const url = `/api/v1/items/${item.id}`;
    const before = await eventTypes(item.id);

    const stale = await sup.post(`${url}/actions/comment`, { body: '旧版本评论' }, { 'if-match': '"7"' });
    expect(stale.statusCode).toBe(412);
    expect(stale.json()).toMatchObject({ code: 'PRECONDITION_FAILED', field: 'header.if-match' });
    expect(await eventTypes(item.id)).toEqual(before);

    for (const malformed of ['abc', 'W/', '1.5', '"-1"']) {
      const bad = await sup.post(`${url}/actions/comment`, { body: '格式错误' }, { 'if-match': malformed });
      expect(bad.statusCode, malformed).toBe(400);
      expect(bad.json()).toMatchObject({ code: 'VALIDATION_FAILED', field: 'header.if-match' });
    }
    const current = await sup.post(`${url}/actions/comment`, { body: '当前版本' }, { 'if-match': '"1"' });
    expect(current.statusCode, current.body).toBe(200);
    expect(current.headers.etag).toBe('"2"');
    expect(await eventTypes(item.id)).toEqual([...before, 'item.comment_added']);
  });
});

describe('Idempotency-Key', () => {
  it('replays a repeated creation: same status and body, one item, one number', async () => {
    const sup = await w.as('city_sup');
    const key = 'create-once-0001';
    const body = itemBody({ title: '幂等立项' });
    const first = await sup.post('/api/v1/items', body, { 'idempotency-key': key });
    expect(first.statusCode, first.body).toBe(201);
    expect(first.headers['idempotent-replayed']).toBeUndefined();
    const again = await sup.post('/api/v1/items', body, { 'idempotency-key': key });
    expect(again.statusCode).toBe(201);
    expect(again.headers['idempotent-replayed']).toBe('true');
    expect(again.json()).toEqual(first.json());
    // The replay carries the original's headers too.
    expect(again.headers.location).toBe(first.headers.location);
    expect(again.headers.etag).toBe(first.headers.etag);
    expect(first.headers.location).toBe(`/api/v1/items/${first.json().item.id}`);
    const rows = await ctx.db.selectFrom('items').select('number').where('title', '=', '幂等立项').execute();
    expect(rows).toEqual([{ number: first.json().item.number }]);
    const seqs = (await numberSeqs(w.units.cityOffice)).map((r) => r.number_seq);
    expect(seqs).toEqual(range(seqs.length));
    expect(first.json().item.number).toBe(`杭督〔2026〕${String(seqs.length).padStart(4, '0')}号`);

    const reused = await sup.post('/api/v1/items', itemBody({ title: '换了内容' }), {
      'idempotency-key': key,
    });
    expect(reused.statusCode).toBe(422);
    expect(reused.json()).toMatchObject({ code: 'IDEMPOTENCY_KEY_REUSED', field: 'header.idempotency-key' });
    const elsewhere = await sup.post(
      `/api/v1/items/${first.json().item.id}/actions/comment`,
      { body: '同键' },
      {
        'idempotency-key': key,
      },
    );
    expect(elsewhere.statusCode).toBe(422);
    expect(await ctx.db.selectFrom('items').select('id').where('title', '=', '换了内容').execute()).toEqual(
      [],
    );
    expect((await numberSeqs(w.units.cityOffice)).length).toBe(seqs.length);

    for (const bad of ['short', 'has space 123', 'x'.repeat(129), '密钥密钥密钥密钥']) {
      const res = await sup.post('/api/v1/items', itemBody({ title: '坏键' }), { 'idempotency-key': bad });
      expect(res.statusCode, bad).toBe(400);
      expect(res.json()).toMatchObject({ code: 'VALIDATION_FAILED', field: 'header.idempotency-key' });
    }
    expect(await ctx.db.selectFrom('items').select('id').where('title', '=', '坏键').execute()).toEqual([]);
  });

  it('gives five concurrent requests with one key the one answer, and keeps keys per user', async () => {
    const sup = await w.as('city_sup');
    const key = 'create-racing-0001';
    const body = itemBody({ title: '并发幂等立项' });
    const responses = await Promise.all(
      range(5).map(() => sup.post('/api/v1/items', body, { 'idempotency-key': key })),
    );
    expect(statuses(responses)).toEqual([201, 201, 201, 201, 201]);
    const ids = new Set(responses.map((r) => r.json().item.id));
    expect(ids.size).toBe(1);
    expect(responses.filter((r) => r.headers['idempotent-replayed'] === 'true')).toHaveLength(4);
    for (const r of responses) expect(r.json()).toEqual(responses[0]?.json());
    expect(
      await ctx.db.selectFrom('items').select('id').where('title', '=', '并发幂等立项').execute(),
    ).toEqual([...ids].map((id) => ({ id })));
    const seqs = (await numberSeqs(w.units.cityOffice)).map((r) => r.number_seq);
    expect(seqs).toEqual(range(seqs.length));

    // Another user's identical key is another request altogether (another task: the same text
    // would be refused as 重复督办 of the open item the province supervisor sees).
    const prov = await w.as('prov_sup');
    const theirs = await prov.post('/api/v1/items', itemBody({ title: '省级并发幂等立项' }), {
      'idempotency-key': key,
    });
    expect(theirs.statusCode, theirs.body).toBe(201);
    expect(theirs.headers['idempotent-replayed']).toBeUndefined();
    expect(theirs.json().item.id).not.toBe([...ids][0]);
    expect(theirs.json().item.number.startsWith('浙')).toBe(true);
    expect(await idempotencyRows(key)).toHaveLength(2);
  });

  it('gives five concurrent identical dispatches with one key the one answer (no 409 for the retries)', async () => {
    const sup = await w.as('city_sup');
    const item = await create(sup, { title: '并发幂等交办' });
    const url = `/api/v1/items/${item.id}`;
    const responses = await Promise.all(
      range(5).map(() =>
        sup.post(`${url}/actions/dispatch`, leadTo(w.units.housing), {
          'idempotency-key': 'dispatch-racing-1',
        }),
      ),
    );
    expect(statuses(responses), responses.map((r) => r.body).join()).toEqual([200, 200, 200, 200, 200]);
    for (const r of responses) expect(r.json()).toEqual(responses[0]?.json());
    expect(count(await eventTypes(item.id), 'item.dispatched')).toBe(1);

    // Same with If-Match: the retries replay rather than fail the version check the first one moved.
    const comments = await Promise.all(
      range(5).map(() =>
        sup.post(
          `${url}/actions/comment`,
          { body: '只评一次' },
          { 'idempotency-key': 'comment-racing-1', 'if-match': '"2"' },
        ),
      ),
    );
    expect(statuses(comments), comments.map((r) => r.body).join()).toEqual([200, 200, 200, 200, 200]);
    expect(count(await eventTypes(item.id), 'item.comment_added')).toBe(1);
  });

  it('stores nothing for a refused command, so a retry once the state allows it goes through', async () => {
    const sup = await w.as('city_sup');
    const draft = await create(sup, { title: '草稿先交办', draft: true });
    const url = `/api/v1/items/${draft.id}`;
    const key = 'dispatch-after-register-1';
    const refused = await sup.post(`${url}/actions/dispatch`, leadTo(w.units.housing), {
      'idempotency-key': key,
    });
    expect(refused.statusCode).toBe(409);
    expect(refused.json()).toMatchObject({
      code: 'TRANSITION_REFUSED',
      reason: 'INVALID_STATE',
      itemStatus: 'draft',
    });
    expect(await idempotencyRows(key)).toEqual([]);
    // A refused precondition stores nothing either.
    const stale = await sup.post(`${url}/actions/dispatch`, leadTo(w.units.housing), {
      'idempotency-key': key,
      'if-match': '"9"',
    });
    expect(stale.statusCode).toBe(412);
    expect(await idempotencyRows(key)).toEqual([]);

    expect((await sup.post(`${url}/actions/register`)).statusCode).toBe(200);
    const retried = await sup.post(`${url}/actions/dispatch`, leadTo(w.units.housing), {
      'idempotency-key': key,
    });
    expect(retried.statusCode, retried.body).toBe(200);
    expect(retried.headers['idempotent-replayed']).toBeUndefined();
    expect(retried.json().item.status).toBe('dispatched');
    expect(await idempotencyRows(key)).toHaveLength(1);

    const replayed = await sup.post(`${url}/actions/dispatch`, leadTo(w.units.housing), {
      'idempotency-key': key,
    });
    expect(replayed.statusCode).toBe(200);
    expect(replayed.headers['idempotent-replayed']).toBe('true');
    expect(replayed.json()).toEqual(retried.json());
    expect(count(await eventTypes(draft.id), 'item.dispatched')).toBe(1);
  });

  // Last: it replaces the app.
  it('survives a restart: a new app on the same database replays the stored answer', async () => {
    const sup = await w.as('city_sup');
    const key = 'create-before-restart-1';
    const body = itemBody({ title: '重启前立项' });
    const first = await sup.post('/api/v1/items', body, { 'idempotency-key': key });
    expect(first.statusCode, first.body).toBe(201);

    await app.close();
    app = await buildApp(ctx);
    const login = await app.inject({
      method: 'POST',
      url: '/api/v1/auth/login',
      payload: { username: 'city_sup', password: PASSWORD },
    });
    expect(login.statusCode, login.body).toBe(200);
    // 双因素认证: city_sup enrolled at the first sign-in; the code completes this one.
    const pending = login.cookies.find((c) => c.name === 'duban_session');
    const verified = await app.inject({
      method: 'POST',
      url: '/api/v1/auth/mfa/verify',
      payload: { code: totpCode(w.totpSecrets.get('city_sup') ?? '', ctx.now()) },
      headers: { cookie: `duban_session=${pending?.value}`, 'x-csrf-token': login.json().csrfToken },
    });
    expect(verified.statusCode, verified.body).toBe(200);
    const cookie = verified.cookies.find((c) => c.name === 'duban_session');
    if (!cookie) throw new Error('no session cookie');
    const again = await app.inject({
      method: 'POST',
      url: '/api/v1/items',
      payload: body,
      headers: {
        cookie: `duban_session=${cookie.value}`,
        'x-csrf-token': verified.json().csrfToken,
        'idempotency-key': key,
      },
    });
    expect(again.statusCode).toBe(201);
    expect(again.headers['idempotent-replayed']).toBe('true');
    expect(again.json()).toEqual(first.json());
    expect(await ctx.db.selectFrom('items').select('id').where('title', '=', '重启前立项').execute()).toEqual(
      [{ id: first.json().item.id }],
    );
  });
});
