import type { LightMyRequestResponse } from 'fastify';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ITEM_ACTIONS, type ItemAction } from '../../src/items/model.ts';
import { createTestContext, type TestContext } from '../support/context.ts';
import { buildWorld, itemBody, type World } from '../support/factories.ts';

/**
 * Every side path of the lifecycle over HTTP: 退回 and re-dispatch, 延期, 办结 review, 挂起/恢复/终止,
 * 整改 reopen, 分解下达 with weighted roll-up, 批示 and comments, and allowedActions per role.
 * Each refusal is checked to write nothing at all (no event, no item, no report, no version bump).
 */

type Res = LightMyRequestResponse;
type Assignment = {
  unitId: string;
  role: string;
  status: string;
  deadline: string;
  progress: number;
  returnReason: string | null;
  pendingExtension: { newDeadline: string } | null;
};
type Item = {
  id: string;
  number: string;
  title: string;
  status: string;
  progress: number;
  deadline: string;
  categoryCode: string;
  source: string;
  parentId: string | null;
  rectifiesItemId: string | null;
  assigningUnit: { id: string };
  assignments: Assignment[];
  children: { id: string; weight: number; status: string; progress: number }[];
  completionRequest: { summary: string } | null;
  allowedActions: ItemAction[];
};
type Event = { type: string; payload: Record<string, unknown> };

let ctx: TestContext;
let w: World;
beforeAll(async () => {
  ctx = await createTestContext();
  ctx.setNow('2026-11-27T02:00:00Z');
  w = await buildWorld(ctx);
});
afterAll(async () => {
  await w.app.close();
  await ctx.cleanup();
});

const url = (id: string) => `/api/v1/items/${id}`;

function unit(key: string): string {
  const id = w.units[key];
  if (!id) throw new Error(`fixture: no unit ${key}`);
  return id;
}
const lead = (key: string, deadline = '2027-06-30') => ({ unitId: unit(key), role: 'lead', deadline });
const collab = (key: string, deadline = '2027-06-30') => ({
  unitId: unit(key),
  role: 'collaborator',
  deadline,
});

function assignmentOf(item: Item, key: string): Assignment {
  const a = item.assignments.find((x) => x.unitId === unit(key));
  if (!a) throw new Error(`no assignment for ${key}`);
  return a;
}

async function newItem(user: string, overrides: Record<string, unknown> = {}): Promise<Item> {
  const res = await (await w.as(user)).post('/api/v1/items', itemBody(overrides));
  expect(res.statusCode, res.body).toBe(201);
  return res.json().item;
}

async function act(user: string, id: string, action: ItemAction, body?: unknown): Promise<Item> {
  const res = await (await w.as(user)).post(`${url(id)}/actions/${action}`, body);
  expect(res.statusCode, `${user} ${action}: ${res.body}`).toBe(200);
  return res.json().item;
}

async function detail(id: string, user = 'prov_sup'): Promise<Item> {
  const res = await (await w.as(user)).get(url(id));
  expect(res.statusCode, res.body).toBe(200);
  return res.json().item;
}

async function events(id: string): Promise<Event[]> {
  const res = await (await w.as('prov_sup')).get(`${url(id)}/events`);
  expect(res.statusCode, res.body).toBe(200);
  return res.json().events;
}
const eventTypes = async (id: string) => (await events(id)).map((e) => e.type);

/** Everything a command could write, across the whole database. */
async function footprint() {
  const r = await sql<Record<string, unknown>>`select
      (select coalesce(max(seq), 0) from events)::text as seq,
      (select count(*) from items)::text as items,
      (select coalesce(sum(version), 0) from items)::text as versions,
      (select count(*) from assignments)::text as assignments,
      (select count(*) from progress_reports)::text as reports,
      (select count(*) from remarks)::text as remarks`.execute(ctx.db);
  return r.rows[0];
}

/** Runs a call that must be refused with `status` (and `match`), and checks it wrote nothing. */
async function refused(
  run: () => Promise<Res>,
  status: number,
  match: Record<string, unknown> = {},
): Promise<Res> {
  const before = await footprint();
  const res = await run();
  expect(res.statusCode, res.body).toBe(status);
  expect(res.headers['content-type']).toContain('application/problem+json');
  expect(res.json()).toMatchObject(match);
  expect(await footprint()).toEqual(before);
  return res;
}

const post = (user: string, id: string, action: ItemAction, body?: unknown) => async () =>
  (await w.as(user)).post(`${url(id)}/actions/${action}`, body);

/** A city item led by 住建局, accepted and approved as completed. */
async function completedItem(title: string): Promise<Item> {
  const item = await newItem('city_sup', { title });
  await act('city_sup', item.id, 'dispatch', { assignments: [lead('housing')] });
  await act('housing_h', item.id, 'accept');
  await act('housing_h', item.id, 'report', { percent: 100, narrative: '全部完成。' });
  await act('housing_h', item.id, 'request-completion', { summary: '已全部完成。' });
  return act('city_sup', item.id, 'approve-completion', { comment: '同意' });
}

describe('退回 and re-dispatch', () => {
  it('a lead returns with a reason; the supervisor re-dispatches to a new lead, keeping an accepted collaborator', async () => {
    const { id } = await newItem('city_sup', { title: '退回后重新交办' });
    await act('city_sup', id, 'dispatch', {
      assignments: [lead('housing'), collab('education', '2027-05-31'), collab('finance', '2027-04-30')],
    });
    await act('edu_h', id, 'accept');

    await refused(post('housing_h', id, 'return', {}), 400, { field: 'body.reason' });
    await refused(post('housing_h', id, 'return', { reason: '   ' }), 400, { field: 'body.reason' });

    const returned = await act('housing_h', id, 'return', { reason: '职责不符，应由财政局牵头' });
    expect(returned.status).toBe('returned');
    expect(assignmentOf(returned, 'housing')).toMatchObject({
      role: 'lead',
      status: 'returned',
      returnReason: '职责不符，应由财政局牵头',
    });
    expect(assignmentOf(returned, 'education').status).toBe('accepted');
    expect(assignmentOf(returned, 'finance').status).toBe('pending');

    // The returning unit still sees the item (and its list shows it), but may only comment now.
    const housing = await w.as('housing_h');
    const seen = await housing.get(url(id));
    expect(seen.statusCode).toBe(200);
    expect(seen.json().item.allowedActions).toEqual(['comment']);
    const listed = (await housing.get('/api/v1/items?limit=200')).json().items as { id: string }[];
    expect(listed.map((i) => i.id)).toContain(id);
    await refused(post('housing_h', id, 'accept'), 409, { reason: 'INVALID_STATE' });
    // others cannot act on a returned item either
    await refused(post('fin_h', id, 'accept'), 409, { reason: 'INVALID_STATE' });
    expect((await detail(id, 'city_sup')).allowedActions).toContain('dispatch');

    const redispatched = await act('city_sup', id, 'dispatch', {
      assignments: [lead('finance', '2027-06-30'), collab('education', '2027-05-31')],
    });
    expect(redispatched.status).toBe('dispatched');
    expect(assignmentOf(redispatched, 'housing')).toMatchObject({
      role: 'lead',
      status: 'returned',
      returnReason: '职责不符，应由财政局牵头',
    });
    expect(assignmentOf(redispatched, 'education')).toMatchObject({
      role: 'collaborator',
      status: 'accepted',
    });
    expect(assignmentOf(redispatched, 'finance')).toMatchObject({ role: 'lead', status: 'pending' });
    await refused(post('housing_h', id, 'accept'), 409, { reason: 'ASSIGNMENT_NOT_PENDING' });
    expect((await housing.get(url(id))).statusCode).toBe(200);

    await act('fin_h', id, 'accept');
    expect((await detail(id)).status).toBe('in_progress');

    const evs = await events(id);
    expect(evs.map((e) => e.type)).toEqual([
      'item.created',
      'item.registered',
      'item.dispatched',
      'item.accepted',
      'item.returned',
      'item.dispatched',
      'item.accepted',
    ]);
    expect(evs[4]?.payload).toMatchObject({ unitId: unit('housing'), reason: '职责不符，应由财政局牵头' });
  });

  it('a collaborator that has not accepted may return too; re-dispatch keeps the accepted lead', async () => {
    const { id } = await newItem('city_sup', { title: '协办单位退回' });
    await act('city_sup', id, 'dispatch', { assignments: [lead('housing'), collab('finance')] });
    await act('housing_h', id, 'accept');
    expect((await detail(id)).status).toBe('in_progress');

    const returned = await act('fin_h', id, 'return', { reason: '非本单位职能' });
    expect(returned.status).toBe('returned');
    expect(assignmentOf(returned, 'finance')).toMatchObject({
      status: 'returned',
      returnReason: '非本单位职能',
    });
    expect(assignmentOf(returned, 'housing').status).toBe('accepted');
    expect((await (await w.as('fin_h')).get(url(id))).statusCode).toBe(200);
    await refused(post('housing_h', id, 'report', { percent: 10, narrative: '推进中' }), 409, {
      reason: 'INVALID_STATE',
    });

    const again = await act('city_sup', id, 'dispatch', {
      assignments: [lead('housing'), collab('education')],
    });
    expect(again.status).toBe('in_progress');
    expect(assignmentOf(again, 'housing').status).toBe('accepted');
    expect(assignmentOf(again, 'education').status).toBe('pending');
    expect(assignmentOf(again, 'finance')).toMatchObject({
      status: 'returned',
      returnReason: '非本单位职能',
    });
    expect(await eventTypes(id)).toEqual([
      'item.created',
      'item.registered',
      'item.dispatched',
      'item.accepted',
      'item.returned',
      'item.dispatched',
    ]);
  });
});

describe('延期 (extensions)', () => {
  it('request, duplicate, collaborator limit, approve, reject, and who may decide', async () => {
    const { id } = await newItem('city_sup', { title: '延期申请' });
    await act('city_sup', id, 'dispatch', {
      assignments: [lead('housing', '2027-03-31'), collab('education', '2027-03-31')],
    });
    await act('housing_h', id, 'accept');
    await act('edu_h', id, 'accept');

    await refused(
      post('housing_h', id, 'request-extension', { newDeadline: '2027-03-31', reason: '工期紧' }),
      400,
      {
        field: 'body.newDeadline',
        reason: 'DEADLINE_NOT_LATER',
      },
    );
    const requested = await act('housing_h', id, 'request-extension', {
      newDeadline: '2027-09-30',
      reason: '受汛期影响需顺延',
    });
    expect(assignmentOf(requested, 'housing')).toMatchObject({
      deadline: '2027-03-31',
      pendingExtension: { newDeadline: '2027-09-30', reason: '受汛期影响需顺延' },
    });
    expect(requested.deadline).toBe('2027-06-30');
    await refused(
      post('housing_h', id, 'request-extension', { newDeadline: '2027-10-31', reason: '再次申请' }),
      409,
      { code: 'TRANSITION_REFUSED', reason: 'EXTENSION_PENDING' },
    );
    await refused(
      post('edu_h', id, 'request-extension', { newDeadline: '2027-07-31', reason: '顺延' }),
      400,
      {
        field: 'body.newDeadline',
        reason: 'DEADLINE_AFTER_ITEM',
      },
    );
    await refused(post('housing_h', id, 'approve-extension', { unitId: unit('housing') }), 403, {
      code: 'FORBIDDEN',
    });
    await refused(post('housing_head', id, 'approve-extension', { unitId: unit('housing') }), 403, {
      code: 'FORBIDDEN',
    });
    expect((await detail(id, 'city_sup')).allowedActions).toEqual(
      expect.arrayContaining(['approve-extension', 'reject-extension']),
    );
    await refused(post('city_sup', id, 'approve-extension', { unitId: unit('education') }), 409, {
      reason: 'NO_PENDING_EXTENSION',
      field: 'body.unitId',
    });

    const approved = await act('city_sup', id, 'approve-extension', {
      unitId: unit('housing'),
      comment: '同意',
    });
    expect(assignmentOf(approved, 'housing')).toMatchObject({
      deadline: '2027-09-30',
      pendingExtension: null,
    });
    expect(approved.deadline).toBe('2027-09-30');
    expect(assignmentOf(approved, 'education').deadline).toBe('2027-03-31');

    await act('edu_h', id, 'request-extension', { newDeadline: '2027-05-31', reason: '配套方案待审' });
    await refused(post('city_sup', id, 'reject-extension', { unitId: unit('education') }), 400, {
      field: 'body.reason',
    });
    const rejected = await act('city_sup', id, 'reject-extension', {
      unitId: unit('education'),
      reason: '请按原期限完成',
    });
    expect(assignmentOf(rejected, 'education')).toMatchObject({
      deadline: '2027-03-31',
      pendingExtension: null,
    });
    expect(rejected.deadline).toBe('2027-09-30');
    await refused(post('city_sup', id, 'approve-extension', { unitId: unit('education') }), 409, {
      reason: 'NO_PENDING_EXTENSION',
    });
    await refused(
      post('city_sup', id, 'reject-extension', { unitId: unit('housing'), reason: '不同意' }),
      409,
      {
        reason: 'NO_PENDING_EXTENSION',
      },
    );

    const evs = await events(id);
    expect(evs.map((e) => e.type)).toEqual([
      'item.created',
      'item.registered',
      'item.dispatched',
      'item.accepted',
      'item.accepted',
      'item.extension_requested',
      'item.extension_approved',
      'item.extension_requested',
      'item.extension_rejected',
    ]);
    expect(evs[5]?.payload).toMatchObject({ currentDeadline: '2027-03-31', newDeadline: '2027-09-30' });
    expect(evs[6]?.payload).toMatchObject({
      unitId: unit('housing'),
      oldDeadline: '2027-03-31',
      newDeadline: '2027-09-30',
      comment: '同意',
    });
    expect(evs[8]?.payload).toMatchObject({ unitId: unit('education'), reason: '请按原期限完成' });
  });
});

describe('办结 (completion)', () => {
  it('only the lead may request, not while a collaborator is pending; reject returns to 办理中, approve completes', async () => {
    const { id } = await newItem('city_sup', { title: '办结审核' });
    await act('city_sup', id, 'dispatch', {
      assignments: [lead('housing'), collab('education'), collab('finance')],
    });
    await act('housing_h', id, 'accept');
    await act('edu_h', id, 'accept');

    await refused(post('edu_h', id, 'request-completion', { summary: '协办完成' }), 409, {
      reason: 'ASSIGNMENT_NOT_ACCEPTED',
    });
    await refused(post('housing_h', id, 'request-completion', { summary: '完成' }), 409, {
      reason: 'ASSIGNMENTS_PENDING',
    });
    expect((await detail(id, 'housing_h')).allowedActions).not.toContain('request-completion');
    await act('fin_h', id, 'accept');
    expect((await detail(id, 'housing_h')).allowedActions).toContain('request-completion');
    await act('housing_h', id, 'report', { percent: 80, narrative: '主体完工' });

    await refused(post('housing_h', id, 'request-completion', {}), 400, { field: 'body.summary' });
    const requested = await act('housing_h', id, 'request-completion', { summary: '主体工程完工' });
    expect(requested.status).toBe('completion_requested');
    expect(requested.completionRequest).toMatchObject({ summary: '主体工程完工' });
    await refused(post('housing_h', id, 'approve-completion', {}), 403, { code: 'FORBIDDEN' });
    await refused(post('housing_h', id, 'report', { percent: 90, narrative: '收尾' }), 409, {
      reason: 'INVALID_STATE',
    });
    await refused(post('city_sup', id, 'reject-completion', {}), 400, { field: 'body.reason' });

    const rejected = await act('city_sup', id, 'reject-completion', { reason: '附属设施未完工' });
    expect(rejected.status).toBe('in_progress');
    expect(rejected.completionRequest).toBeNull();
    expect(rejected.progress).toBe(80);

    await act('housing_h', id, 'request-completion', { summary: '附属设施已完工' });
    const approved = await act('city_sup', id, 'approve-completion', { comment: '同意办结' });
    expect(approved.status).toBe('completed');
    expect(approved.progress).toBe(100);
    for (const a of approved.assignments) expect(a.progress).toBe(100);
    await refused(post('city_sup', id, 'approve-completion', {}), 409, { reason: 'INVALID_STATE' });

    const evs = await events(id);
    expect(evs.map((e) => e.type)).toEqual([
      'item.created',
      'item.registered',
      'item.dispatched',
      'item.accepted',
      'item.accepted',
      'item.accepted',
      'item.progress_reported',
      'item.completion_requested',
      'item.completion_rejected',
      'item.completion_requested',
      'item.completion_approved',
    ]);
    expect(evs[8]?.payload).toMatchObject({ reason: '附属设施未完工' });
    expect(evs[10]?.payload).toMatchObject({ comment: '同意办结' });
  });
});

describe('挂起, 恢复, 终止 (suspend, resume, cancel)', () => {
  it('suspends from 办理中, refuses work while suspended, resumes exactly, cancels and archives', async () => {
    const { id } = await newItem('city_sup', { title: '挂起恢复终止' });
    await act('city_sup', id, 'dispatch', { assignments: [lead('housing')] });
    await act('housing_h', id, 'accept');
    await act('housing_h', id, 'report', { percent: 30, narrative: '已启动' });

    await refused(post('city_sup', id, 'suspend', {}), 400, { field: 'body.reason' });
    await refused(post('housing_h', id, 'suspend', { reason: '自行挂起' }), 403, { code: 'FORBIDDEN' });
    const suspended = await act('city_sup', id, 'suspend', { reason: '上级政策调整，暂缓实施' });
    expect(suspended).toMatchObject({ status: 'suspended', progress: 30 });
    expect(suspended.allowedActions).toEqual(['resume', 'cancel', 'comment']);
    expect((await detail(id, 'housing_h')).allowedActions).toEqual(['comment']);
    await refused(post('housing_h', id, 'report', { percent: 40, narrative: '继续推进' }), 409, {
      reason: 'INVALID_STATE',
      itemStatus: 'suspended',
    });
    await refused(
      post('housing_h', id, 'request-extension', { newDeadline: '2027-08-31', reason: '挂起' }),
      409,
      {
        reason: 'INVALID_STATE',
      },
    );
    await refused(post('city_sup', id, 'suspend', { reason: '再次挂起' }), 409, { reason: 'INVALID_STATE' });

    const resumed = await act('city_sup', id, 'resume');
    expect(resumed).toMatchObject({ status: 'in_progress', progress: 30 });
    expect(assignmentOf(resumed, 'housing').status).toBe('accepted');
    await refused(post('city_sup', id, 'evaluate', { quality: 90, timeliness: 90, effectiveness: 90 }), 409, {
      reason: 'INVALID_STATE',
      itemStatus: 'in_progress',
    });
    await refused(post('city_sup', id, 'archive'), 409, { reason: 'INVALID_STATE' });
    await refused(post('city_sup', id, 'resume'), 409, { reason: 'INVALID_STATE' });

    await act('city_sup', id, 'suspend', { reason: '专项检查' });
    const cancelled = await act('city_sup', id, 'cancel', { reason: '任务已由上级统筹' });
    expect(cancelled.status).toBe('cancelled');
    expect(cancelled.allowedActions).toEqual(['archive', 'comment']);
    await refused(post('city_sup', id, 'resume'), 409, { reason: 'INVALID_STATE' });
    await refused(post('city_sup', id, 'cancel', { reason: '再次终止' }), 409, { reason: 'INVALID_STATE' });
    const archived = await act('city_sup', id, 'archive');
    expect(archived.status).toBe('archived');

    const evs = await events(id);
    expect(evs.map((e) => e.type)).toEqual([
      'item.created',
      'item.registered',
      'item.dispatched',
      'item.accepted',
      'item.progress_reported',
      'item.suspended',
      'item.resumed',
      'item.suspended',
      'item.cancelled',
      'item.archived',
    ]);
    expect(evs[5]?.payload).toMatchObject({ reason: '上级政策调整，暂缓实施' });
    expect(evs[8]?.payload).toMatchObject({ reason: '任务已由上级统筹' });
  });

  it('resumes to exactly the state it was suspended from (已交办, 申请办结)', async () => {
    const a = await newItem('city_sup', { title: '挂起于已交办' });
    await act('city_sup', a.id, 'dispatch', { assignments: [lead('housing')] });
    await act('city_sup', a.id, 'suspend', { reason: '暂缓' });
    await refused(post('housing_h', a.id, 'accept'), 409, { reason: 'INVALID_STATE' });
    expect((await act('city_sup', a.id, 'resume')).status).toBe('dispatched');
    expect((await act('housing_h', a.id, 'accept')).status).toBe('in_progress');

    await act('housing_h', a.id, 'request-completion', { summary: '已完成' });
    await act('city_sup', a.id, 'suspend', { reason: '复核' });
    const resumed = await act('city_sup', a.id, 'resume');
    expect(resumed.status).toBe('completion_requested');
    expect(resumed.completionRequest).toMatchObject({ summary: '已完成' });
    expect((await act('city_sup', a.id, 'approve-completion')).status).toBe('completed');

    const r = await newItem('city_sup', { title: '挂起于已立项' });
    await act('city_sup', r.id, 'suspend', { reason: '待定' });
    expect((await act('city_sup', r.id, 'resume')).status).toBe('registered');
  });
});

describe('整改 (reopen)', () => {
  it('creates a linked, registered rectification item from 已办结, 已评价 and 已归档 only', async () => {
    const original = await completedItem('老旧小区加装电梯');
    const { id } = original;

    const live = await newItem('city_sup', { title: '仍在办理' });
    await act('city_sup', live.id, 'dispatch', { assignments: [lead('housing')] });
    await act('housing_h', live.id, 'accept');
    await refused(post('city_sup', live.id, 'reopen', { reason: '整改', deadline: '2027-03-31' }), 409, {
      reason: 'INVALID_STATE',
      itemStatus: 'in_progress',
    });

    await refused(post('city_sup', id, 'reopen', { reason: '整改' }), 400, { field: 'body.deadline' });
    await refused(post('city_sup', id, 'reopen', { deadline: '2027-03-31' }), 400, { field: 'body.reason' });
    // a deadline in the past fails when the new item is created: the whole action rolls back
    await refused(post('city_sup', id, 'reopen', { reason: '整改', deadline: '2026-01-01' }), 400, {
      field: 'body.deadline',
    });
    await refused(post('housing_h', id, 'reopen', { reason: '整改', deadline: '2027-03-31' }), 403, {
      code: 'FORBIDDEN',
    });

    const res = await act('city_sup', id, 'reopen', { reason: '群众反映电梯噪音', deadline: '2027-03-31' });
    expect(res.id).toBe(id);
    expect(res.status).toBe('completed');
    const evs = await events(id);
    expect(evs.at(-1)).toMatchObject({ type: 'item.reopened', payload: { reason: '群众反映电梯噪音' } });
    const rectId = evs.at(-1)?.payload.rectificationItemId;
    expect(typeof rectId).toBe('string');
    const rect = await detail(String(rectId), 'city_sup');
    expect(rect).toMatchObject({
      status: 'registered',
      rectifiesItemId: id,
      assigningUnit: { id: unit('cityOffice') },
      categoryCode: original.categoryCode,
      title: '【整改】老旧小区加装电梯',
      deadline: '2027-03-31',
      source: 'inspection_finding',
      progress: 0,
      parentId: null,
      assignments: [],
    });
    expect(rect.number).toMatch(/^杭督〔2026〕\d{4}号$/);
    expect(rect.number).not.toBe(original.number);
    const rectEvents = await events(rect.id);
    expect(rectEvents.map((e) => e.type)).toEqual(['item.created', 'item.registered']);
    expect(rectEvents[0]?.payload).toMatchObject({ rectifiesItemId: id, status: 'registered' });

    // the rectification item runs like any other
    await act('city_sup', rect.id, 'dispatch', { assignments: [lead('housing', '2027-03-31')] });
    expect((await act('housing_h', rect.id, 'accept')).status).toBe('in_progress');

    // from 已评价, with a title of one's own
    await act('city_sup', id, 'evaluate', { quality: 80, timeliness: 80, effectiveness: 70 });
    await act('city_sup', id, 'reopen', {
      reason: '复查发现问题',
      deadline: '2027-04-30',
      title: '电梯噪音专项整改',
    });
    const second = (await events(id)).at(-1);
    expect(second?.type).toBe('item.reopened');
    const rect2 = await detail(String(second?.payload.rectificationItemId), 'city_sup');
    expect(rect2).toMatchObject({ title: '电梯噪音专项整改', rectifiesItemId: id, status: 'registered' });

    // and from 已归档
    await act('city_sup', id, 'archive');
    await act('city_sup', id, 'reopen', { reason: '归档后审计发现问题', deadline: '2027-05-31' });
    const third = (await events(id)).at(-1);
    const rect3 = await detail(String(third?.payload.rectificationItemId), 'city_sup');
    expect(rect3.rectifiesItemId).toBe(id);
    expect(new Set([original.number, rect.number, rect2.number, rect3.number]).size).toBe(4);

    expect((await eventTypes(id)).slice(-5)).toEqual([
      'item.reopened',
      'item.evaluated',
      'item.reopened',
      'item.archived',
      'item.reopened',
    ]);
  });
});

describe('分解下达 and progress roll-up', () => {
  it('decomposes a province item to lower regions and rolls weighted progress up two levels', async () => {
    const parent = await newItem('prov_sup', { title: '全省城镇老旧小区改造', deadline: '2027-06-30' });
    const P = parent.id;
    expect(parent.number).toMatch(/^浙督〔2026〕\d{4}号$/);
    await act('prov_sup', P, 'dispatch', { assignments: [lead('housing')] });
    await act('housing_h', P, 'accept');
    expect((await act('housing_h', P, 'report', { percent: 20, narrative: '制定全省方案' })).progress).toBe(
      20,
    );

    await refused(
      post('prov_sup', P, 'decompose', {
        children: [{ assigningUnitId: unit('provOffice'), deadline: '2027-05-31' }],
      }),
      400,
      { field: 'body.children.0.assigningUnitId' },
    );
    await refused(
      post('prov_sup', P, 'decompose', {
        children: [
          { assigningUnitId: unit('cityOffice'), deadline: '2027-05-31' },
          { assigningUnitId: unit('provOffice'), deadline: '2027-05-31' },
        ],
      }),
      400,
      { field: 'body.children.1.assigningUnitId' },
    );
    await refused(post('prov_sup', P, 'decompose', { children: [] }), 400, { field: 'body.children' });
    await refused(
      post('housing_h', P, 'decompose', {
        children: [{ assigningUnitId: unit('cityOffice'), deadline: '2027-05-31' }],
      }),
      403,
      { code: 'FORBIDDEN' },
    );

    const decomposed = await act('prov_sup', P, 'decompose', {
      children: [
        {
          assigningUnitId: unit('cityOffice'),
          deadline: '2027-05-31',
          weight: 3,
          title: '杭州市老旧小区改造',
        },
        {
          assigningUnitId: unit('ningboOffice'),
          deadline: '2027-05-31',
          weight: 1,
          title: '宁波市老旧小区改造',
        },
      ],
    });
    // From now on the parent's progress is the weighted mean of its children's (all at 0).
    expect(decomposed.progress).toBe(0);
    expect(decomposed.children.map((c) => [c.weight, c.status, c.progress])).toEqual(
      expect.arrayContaining([
        [3, 'registered', 0],
        [1, 'registered', 0],
      ]),
    );
    const decomposedEvent = (await events(P)).find((e) => e.type === 'item.decomposed');
    const childIds = decomposedEvent?.payload.childItemIds as string[];
    expect(childIds).toHaveLength(2);
    const [hzId, nbId] = childIds;
    if (!hzId || !nbId) throw new Error('children missing');
    // one request at a time: the test database is dropped with force at the end
    const hz = await detail(hzId);
    const nb = await detail(nbId);
    expect(hz).toMatchObject({
      parentId: P,
      assigningUnit: { id: unit('cityOffice') },
      title: '杭州市老旧小区改造',
      status: 'registered',
      deadline: '2027-05-31',
      categoryCode: parent.categoryCode,
    });
    expect(hz.number).toMatch(/^杭督〔2026〕\d{4}号$/);
    expect(nb).toMatchObject({ parentId: P, assigningUnit: { id: unit('ningboOffice') } });
    expect(nb.number).toMatch(/^宁督〔2026〕\d{4}号$/);
    expect(await eventTypes(hz.id)).toEqual(['item.created', 'item.registered']);
    expect(decomposed.children.map((c) => c.id).sort()).toEqual([...childIds].sort());

    const listed = (await (await w.as('prov_sup')).get(`/api/v1/items?parentId=${P}`)).json().items as {
      id: string;
      parentId: string;
    }[];
    expect(listed.map((i) => i.id).sort()).toEqual([...childIds].sort());
    for (const i of listed) expect(i.parentId).toBe(P);

    // Data scope: 宁波 sees its own child only.
    const ningbo = await w.as('ningbo_sup');
    expect((await ningbo.get(url(nb.id))).statusCode).toBe(200);
    expect((await ningbo.get(url(hz.id))).statusCode).toBe(404);
    expect((await ningbo.get(url(P))).statusCode).toBe(404);
    const ningboList = (await ningbo.get(`/api/v1/items?parentId=${P}`)).json().items as { id: string }[];
    expect(ningboList.map((i) => i.id)).toEqual([nb.id]);
    await refused(post('ningbo_sup', hz.id, 'dispatch', { assignments: [lead('ningboHousing')] }), 404, {
      code: 'ITEM_NOT_FOUND',
    });

    // 杭州 runs its child: 住建局 accepts and reports 40% → parent (40·3 + 0·1) / 4 = 30.
    await act('city_sup', hz.id, 'dispatch', { assignments: [lead('housing', '2027-05-31')] });
    await act('housing_h', hz.id, 'accept');
    expect((await detail(P)).progress).toBe(0);
    const hzReported = await act('housing_h', hz.id, 'report', { percent: 40, narrative: '杭州已开工' });
    expect(hzReported.progress).toBe(40);
    expect((await detail(P)).progress).toBe(30);
    expect((await events(P)).at(-1)).toMatchObject({
      type: 'item.progress_rolled_up',
      payload: { progress: 30, fromChildId: hz.id },
    });

    // The lead's own report on a parent with children does not overwrite the rolled-up figure.
    const own = await act('housing_h', P, 'report', { percent: 90, narrative: '省级统筹基本完成' });
    expect(own.progress).toBe(30);
    expect(assignmentOf(own, 'housing').progress).toBe(90);
    expect((await events(P)).at(-1)).toMatchObject({
      type: 'item.progress_reported',
      payload: { percent: 90, itemProgress: 30 },
    });

    // 杭州 decomposes further to 西湖区; the grandchild's report rolls up through both levels.
    await refused(
      post('city_sup', hz.id, 'decompose', {
        children: [{ assigningUnitId: unit('ningboOffice'), deadline: '2027-04-30' }],
      }),
      400,
      { field: 'body.children.0.assigningUnitId' },
    );
    const hzDecomposed = await act('city_sup', hz.id, 'decompose', {
      children: [{ assigningUnitId: unit('countyOffice'), deadline: '2027-04-30', weight: 2 }],
    });
    expect(hzDecomposed.children).toHaveLength(1);
    expect(hzDecomposed.progress).toBe(0);
    expect((await detail(P)).progress).toBe(0);
    const g = hzDecomposed.children[0];
    if (!g) throw new Error('grandchild missing');
    expect((await detail(g.id)).number).toMatch(/^西湖督〔2026〕\d{4}号$/);
    await act('county_sup', g.id, 'dispatch', { assignments: [lead('countyHousing', '2027-04-30')] });
    await act('county_h', g.id, 'accept');
    const before = await events(P);
    await act('county_h', g.id, 'report', { percent: 60, narrative: '西湖区已完成 6 个小区' });
    expect((await detail(g.id)).progress).toBe(60);
    expect((await detail(hz.id)).progress).toBe(60);
    expect((await detail(P)).progress).toBe(45); // (60·3 + 0·1) / 4
    expect((await events(hz.id)).at(-1)).toMatchObject({
      type: 'item.progress_rolled_up',
      payload: { progress: 60, fromChildId: g.id },
    });
    expect((await events(P)).slice(before.length)).toMatchObject([
      { type: 'item.progress_rolled_up', payload: { progress: 45, fromChildId: hz.id } },
    ]);
    // 杭州's own lead report no longer sets 杭州's progress either
    expect((await act('housing_h', hz.id, 'report', { percent: 95, narrative: '市级统筹' })).progress).toBe(
      60,
    );

    // 宁波 reports 20% → (60·3 + 20·1) / 4 = 50; completing 宁波 counts it as 100 → (180 + 100) / 4 = 70.
    await act('ningbo_sup', nb.id, 'dispatch', { assignments: [lead('ningboHousing', '2027-05-31')] });
    await act('ningbo_h', nb.id, 'accept');
    await act('ningbo_h', nb.id, 'report', { percent: 20, narrative: '宁波已启动' });
    expect((await detail(P)).progress).toBe(50);
    await act('ningbo_h', nb.id, 'request-completion', { summary: '宁波完成' });
    await act('ningbo_sup', nb.id, 'approve-completion');
    expect((await detail(P)).progress).toBe(70);

    // A cancelled child drops out of the mean: only 宁波 (100) remains.
    await act('city_sup', hz.id, 'cancel', { reason: '改由省级直接推进' });
    const afterCancel = await detail(P);
    expect(afterCancel.progress).toBe(100);
    expect(afterCancel.children.map((c) => c.status).sort()).toEqual(['cancelled', 'completed']);

    expect(await eventTypes(P)).toEqual([
      'item.created',
      'item.registered',
      'item.dispatched',
      'item.accepted',
      'item.progress_reported',
      'item.decomposed', // carries the new progress: 20 → 0 on decomposing
      'item.progress_rolled_up', // 杭州 40 → 30
      'item.progress_reported',
      'item.progress_rolled_up', // 杭州 decomposed, 40 → 0 → parent 0
      'item.progress_rolled_up', // 西湖 60 → 45
      'item.progress_rolled_up', // 宁波 20 → 50
      'item.progress_rolled_up', // 宁波 completed → 70
      'item.progress_rolled_up', // 杭州 cancelled → 100
    ]);
  });
});

describe('批示 and comments', () => {
  it('leaders instruct; handlers, supervisors and leaders comment; evaluators and auditors only read', async () => {
    const draft = await newItem('city_sup', { title: '批示草稿', draft: true });
    await refused(post('leader', draft.id, 'instruct', { body: '请抓紧' }), 409, { reason: 'INVALID_STATE' });

    const { id } = await newItem('city_sup', { title: '领导批示' });
    await act('city_sup', id, 'dispatch', { assignments: [lead('housing')] });
    await ctx.db
      .insertInto('evaluator_assignments')
      .values({ item_id: id, user_id: w.users.evaluator ?? '' })
      .execute();

    await refused(post('leader', id, 'instruct', {}), 400, { field: 'body.body' });
    await refused(post('city_sup', id, 'instruct', { body: '督查室批示' }), 403, { code: 'FORBIDDEN' });
    await refused(post('prov_sup', id, 'instruct', { body: '督查室批示' }), 403, { code: 'FORBIDDEN' });
    await refused(post('housing_h', id, 'instruct', { body: '部门批示' }), 403, { code: 'FORBIDDEN' });
    await act('leader', id, 'instruct', { body: '请住建局主要负责同志亲自抓，月底前见成效。' });

    // Remarks list in time order; each is written a second apart (ties have no defined order).
    for (const [i, user] of ['housing_h', 'housing_head', 'city_sup', 'prov_sup', 'leader'].entries()) {
      ctx.setNow(`2026-11-27T02:00:0${i + 1}Z`);
      await act(user, id, 'comment', { body: `${user} 的意见` });
    }
    ctx.setNow('2026-11-27T02:00:00Z');
    await refused(post('edu_h', id, 'comment', { body: '无关单位' }), 404, { code: 'ITEM_NOT_FOUND' });
    await refused(post('auditor', id, 'comment', { body: '审计意见' }), 403, { code: 'FORBIDDEN' });
    await refused(post('evaluator', id, 'comment', { body: '评估意见' }), 403, { code: 'FORBIDDEN' });
    await refused(post('evaluator', id, 'evaluate', { quality: 1, timeliness: 1, effectiveness: 1 }), 403, {
      code: 'FORBIDDEN',
    });
    await refused(post('admin', id, 'comment', { body: '管理员' }), 404, { code: 'ITEM_NOT_FOUND' });
    await refused(post('city_sup', id, 'comment', { body: '  ' }), 400, { field: 'body.body' });

    for (const reader of ['auditor', 'evaluator']) {
      const c = await w.as(reader);
      const d = await c.get(url(id));
      expect(d.statusCode).toBe(200);
      expect(d.json().item.allowedActions).toEqual([]);
      expect((await c.get(`${url(id)}/events`)).statusCode).toBe(200);
      const r = await c.get(`${url(id)}/reports`);
      expect(r.statusCode).toBe(200);
      expect(r.json().remarks).toHaveLength(6);
    }

    const { remarks } = (await (await w.as('housing_h')).get(`${url(id)}/reports`)).json() as {
      remarks: { kind: string; body: string; authorName: string }[];
    };
    expect(remarks.map((r) => [r.kind, r.authorName])).toEqual([
      ['instruction', 'leader'],
      ['comment', 'housing_h'],
      ['comment', 'housing_head'],
      ['comment', 'city_sup'],
      ['comment', 'prov_sup'],
      ['comment', 'leader'],
    ]);
    expect(remarks[0]?.body).toBe('请住建局主要负责同志亲自抓，月底前见成效。');

    const evs = await events(id);
    expect(evs.map((e) => e.type)).toEqual([
      'item.created',
      'item.registered',
      'item.dispatched',
      'item.instruction_added',
      ...Array(5).fill('item.comment_added'),
    ]);
    expect(evs[3]?.payload).toMatchObject({ body: '请住建局主要负责同志亲自抓，月底前见成效。' });
    // instructions and comments change nothing else
    expect((await detail(id)).status).toBe('dispatched');
  });
});

describe('allowedActions agrees with what the action endpoints do', () => {
  const VIEWERS = [
    'city_sup',
    'prov_sup',
    'leader',
    'housing_h',
    'housing_head',
    'edu_h',
    'auditor',
  ] as const;
  type Viewer = (typeof VIEWERS)[number];
  /** A well-formed body for each action, so that a refusal is about permission or state, never shape. */
  const bodyFor = (a: ItemAction): unknown => {
    switch (a) {
      case 'dispatch':
        return { assignments: [lead('housing'), collab('education', '2027-05-31')] };
      case 'return':
      case 'suspend':
      case 'cancel':
      case 'reject-completion':
        return { reason: '测试理由' };
      case 'report':
        return { percent: 10, narrative: '测试进展' };
      case 'request-extension':
        return { newDeadline: '2027-06-15', reason: '测试' };
      case 'approve-extension':
        return { unitId: unit('housing') };
      case 'reject-extension':
        return { unitId: unit('housing'), reason: '测试' };
      case 'request-completion':
        return { summary: '测试办结' };
      case 'evaluate':
        return { quality: 80, timeliness: 80, effectiveness: 80 };
      case 'reopen':
        return { reason: '测试整改', deadline: '2027-06-30' };
      case 'decompose':
        return { children: [{ assigningUnitId: unit('countyOffice'), deadline: '2027-05-31' }] };
      case 'instruct':
      case 'comment':
        return { body: '测试' };
      default:
        return {};
    }
  };

  /** Checks each viewer's allowedActions, then that every action not listed is refused and writes nothing. */
  async function check(id: string, expected: Record<Viewer, ItemAction[] | null>, probe: Viewer[]) {
    const before = await footprint();
    for (const user of VIEWERS) {
      const c = await w.as(user);
      const d = await c.get(url(id));
      const want = expected[user];
      if (want === null) {
        expect(d.statusCode, user).toBe(404);
        continue;
      }
      expect(d.statusCode, user).toBe(200);
      const item = d.json().item as Item;
      expect(item.allowedActions, `${user} at ${item.status}`).toEqual(want);
      if (!probe.includes(user)) continue;
      for (const a of ITEM_ACTIONS) {
        if (want.includes(a)) continue;
        const res = await c.post(`${url(id)}/actions/${a}`, bodyFor(a));
        expect([403, 409], `${user} ${a} at ${item.status}: ${res.body}`).toContain(res.statusCode);
      }
    }
    expect(await footprint()).toEqual(before);
  }
  const same = (
    sup: ItemAction[],
    rest: Partial<Record<Viewer, ItemAction[] | null>>,
  ): Record<Viewer, ItemAction[] | null> => ({
    city_sup: sup,
    prov_sup: sup,
    leader: ['instruct', 'comment'],
    housing_h: ['comment'],
    housing_head: ['comment'],
    edu_h: ['comment'],
    auditor: [],
    ...rest,
  });

  it('through registered → dispatched → 办理中 → suspended → 申请办结 → completed → evaluated → archived', async () => {
    const { id } = await newItem('city_sup', { title: 'allowedActions' });
    const unseen = { housing_h: null, housing_head: null, edu_h: null };
    await check(id, same(['dispatch', 'suspend', 'cancel', 'decompose', 'comment'], unseen), [
      'city_sup',
      'leader',
      'auditor',
    ]);
    await act('city_sup', id, 'dispatch', bodyFor('dispatch'));

    const pending: ItemAction[] = ['accept', 'return', 'comment'];
    await check(
      id,
      same(['suspend', 'cancel', 'decompose', 'comment'], {
        housing_h: pending,
        housing_head: pending,
        edu_h: pending,
      }),
      ['city_sup', 'housing_h', 'edu_h'],
    );
    await act('housing_head', id, 'accept');

    const lead1: ItemAction[] = ['report', 'request-extension', 'comment'];
    await check(
      id,
      same(['suspend', 'cancel', 'decompose', 'comment'], {
        housing_h: lead1,
        housing_head: lead1,
        edu_h: pending,
      }),
      ['housing_h', 'edu_h'],
    );
    await act('edu_h', id, 'accept');
    await act('housing_h', id, 'request-extension', { newDeadline: '2027-07-31', reason: '顺延' });

    const lead2: ItemAction[] = ['report', 'request-completion', 'comment'];
    await check(
      id,
      same(['approve-extension', 'reject-extension', 'suspend', 'cancel', 'decompose', 'comment'], {
        housing_h: lead2,
        housing_head: lead2,
        edu_h: ['report', 'request-extension', 'comment'],
      }),
      ['city_sup', 'housing_h', 'edu_h'],
    );
    await act('city_sup', id, 'suspend', { reason: '暂缓' });

    await check(id, same(['resume', 'cancel', 'comment'], {}), ['city_sup', 'housing_h']);
    await act('city_sup', id, 'resume');
    await act('prov_sup', id, 'approve-extension', { unitId: unit('housing') });
    await act('housing_head', id, 'request-completion', { summary: '完成' });

    await check(id, same(['approve-completion', 'reject-completion', 'suspend', 'cancel', 'comment'], {}), [
      'city_sup',
      'housing_h',
    ]);
    await act('prov_sup', id, 'approve-completion');

    await check(id, same(['evaluate', 'reopen', 'comment'], {}), ['city_sup', 'edu_h']);
    await act('city_sup', id, 'evaluate', bodyFor('evaluate'));

    await check(id, same(['archive', 'reopen', 'comment'], {}), ['city_sup']);
    await act('city_sup', id, 'archive');

    await check(id, same(['reopen', 'comment'], {}), ['city_sup', 'leader']);
    await act('city_sup', id, 'reopen', bodyFor('reopen'));
    await act('leader', id, 'instruct', { body: '归档后批示' });
    await act('housing_h', id, 'comment', { body: '归档后意见' });
  });
});
