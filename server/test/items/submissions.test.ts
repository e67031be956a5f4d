import crypto from 'node:crypto';
import type { LightMyRequestResponse } from 'fastify';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ItemAction } from '../../src/items/model.ts';
import { createUser } from '../../src/org/users.ts';
import { createTestContext, type TestContext } from '../support/context.ts';
import { buildWorld, itemBody, PASSWORD, type World } from '../support/factories.ts';

/**
 * 单位负责人审批 (issue 5): in a unit that requires it, a handler's report, extension or completion
 * request is held (202) until the unit head approves it — which performs it as the submitter — or
 * returns it with a reason. Refusals write nothing.
 */

type Res = LightMyRequestResponse;
type Submission = {
  id: string;
  itemId: string;
  action: string;
  status: string;
  body: Record<string, unknown>;
  submittedBy: { id: string };
  decidedBy: { id: string } | null;
  reason: string;
  blocked: { reason: string; zh: string } | null;
};

let ctx: TestContext;
let w: World;
beforeAll(async () => {
  ctx = await createTestContext();
  ctx.setNow('2026-11-27T02:00:00Z');
  w = await buildWorld(ctx);
  // A head of another unit (教育局), which collaborates on the items below.
  await createUser(ctx.db, {
    username: 'edu_head',
    displayName: 'edu_head',
    password: PASSWORD,
    unitId: unit('education'),
    roles: ['unit_head'],
  });
});
afterAll(async () => {
  await w.app.close();
  await ctx.cleanup();
});

function unit(key: string): string {
  const id = w.units[key];
  if (!id) throw new Error(`fixture: no unit ${key}`);
  return id;
}
const itemUrl = (id: string) => `/api/v1/items/${id}`;

async function post(user: string, url: string, body?: unknown): Promise<Res> {
  return (await w.as(user)).post(url, body);
}
async function act(user: string, id: string, action: ItemAction, body?: unknown, status = 200) {
  const res = await post(user, `${itemUrl(id)}/actions/${action}`, body);
  expect(res.statusCode, `${user} ${action}: ${res.body}`).toBe(status);
  return res.json();
}
async function detail(id: string, user = 'city_sup') {
  const res = await (await w.as(user)).get(itemUrl(id));
  expect(res.statusCode, res.body).toBe(200);
  return res.json().item;
}
async function list(user: string, query = 'status=pending'): Promise<Submission[]> {
  const res = await (await w.as(user)).get(`/api/v1/submissions?${query}`);
  expect(res.statusCode, res.body).toBe(200);
  return res.json().submissions;
}
async function eventsOf(id: string) {
  return (await ctx.db
    .selectFrom('events')
    .select(['type', 'actor_id', 'payload'])
    .where('item_id', '=', id)
    .orderBy('seq')
    .execute()) as { type: string; actor_id: string | null; payload: Record<string, unknown> }[];
}
async function footprint() {
  const r = await sql<Record<string, unknown>>`select
      (select coalesce(max(seq), 0) from events)::text as seq,
      (select coalesce(sum(version), 0) from items)::text as versions,
      (select count(*) from progress_reports)::text as reports,
      (select count(*) from unit_submissions)::text as submissions,
      (select count(*) from unit_submissions where status = 'pending')::text as pending,
      (select count(*) from notifications)::text as notifications`.execute(ctx.db);
  return r.rows[0];
}
async function refused(run: () => Promise<Res>, status: number, match: Record<string, unknown> = {}) {
  const before = await footprint();
  const res = await run();
  expect(res.statusCode, res.body).toBe(status);
  expect(res.headers['content-type']).toContain('application/problem+json');
  expect(res.json()).toMatchObject(match);
  expect(await footprint()).toEqual(before);
  return res;
}

/** A city item led by 住建局 with 教育局 collaborating, both accepted: in progress. */
async function itemInProgress(title: string): Promise<string> {
  const res = await post('city_sup', '/api/v1/items', itemBody({ title }));
  expect(res.statusCode, res.body).toBe(201);
  const id = res.json().item.id as string;
  await act('city_sup', id, 'dispatch', {
    assignments: [
      { unitId: unit('housing'), role: 'lead', deadline: '2027-06-30' },
      { unitId: unit('education'), role: 'collaborator', deadline: '2027-06-30' },
    ],
  });
  await act('housing_h', id, 'accept');
  await act('edu_h', id, 'accept');
  return id;
}

async function setRequired(on: boolean) {
  const res = await (await w.as('admin')).patch(`/api/v1/org/units/${unit('housing')}`, {
    requireHeadApproval: on,
  });
  expect(res.statusCode, res.body).toBe(200);
  expect(res.json().unit.requireHeadApproval).toBe(on);
}

describe('单位负责人审批', () => {
  it('with the setting off (the default), a handler reports straight to the supervisors', async () => {
    const id = await itemInProgress('审批关闭时直接报送');
    const item = (await act('housing_h', id, 'report', { percent: 30, narrative: '已启动。' })).item;
    expect(item.progress).toBe(30);
    expect(await list('housing_head')).toEqual([]);
    const units = (await (await w.as('admin')).get('/api/v1/org/units?regionCode=330100&limit=100')).json();
    expect(units.units.find((u: { id: string }) => u.id === unit('housing')).requireHeadApproval).toBe(false);
  });

  it('an admin turns it on; a bad value is refused at its field', async () => {
    const admin = await w.as('admin');
    const bad = await admin.patch(`/api/v1/org/units/${unit('housing')}`, { requireHeadApproval: 'yes' });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().errors[0].field).toBe('body.requireHeadApproval');
    const byHandler = await (await w.as('housing_h')).patch(`/api/v1/org/units/${unit('housing')}`, {
      requireHeadApproval: true,
    });
    expect(byHandler.statusCode).toBe(403);
    await setRequired(true);
    const ev = await ctx.db
      .selectFrom('events')
      .select('payload')
      .where('type', '=', 'unit.updated')
      .orderBy('seq', 'desc')
      .executeTakeFirstOrThrow();
    expect(ev.payload).toMatchObject({ unitId: unit('housing'), changes: { requireHeadApproval: true } });
  });

  let itemId: string;
  let reportSub: Submission;

  it('a handler’s report is held: 202 with the pending submission, the item unchanged', async () => {
    itemId = await itemInProgress('需经单位负责人审批的进展');
    const before = await detail(itemId);
    const res = await post('housing_h', `${itemUrl(itemId)}/actions/report`, {
      percent: 60,
      narrative: '已完成过半。',
    });
    expect(res.statusCode, res.body).toBe(202);
    reportSub = res.json().submission;
    expect(reportSub).toMatchObject({
      itemId,
      action: 'report',
      status: 'pending',
      submittedBy: { id: w.users.housing_h },
      decidedBy: null,
      blocked: null,
      body: { percent: 60, narrative: '已完成过半。' },
    });
    const after = await detail(itemId);
    expect(after.progress).toBe(before.progress);
    expect(after.version).toBe(before.version);
    expect((await (await w.as('city_sup')).get(`${itemUrl(itemId)}/reports`)).json().reports).toEqual([]);
    const evs = await eventsOf(itemId);
    expect(evs.at(-1)).toMatchObject({
      type: 'submission.created',
      actor_id: w.users.housing_h,
      payload: { submissionId: reportSub.id, action: 'report', unitId: unit('housing') },
    });
    // The head is told; the handler still sees 进展反馈 among the allowed actions.
    const note = await ctx.db
      .selectFrom('notifications')
      .select(['kind', 'link'])
      .where('user_id', '=', w.users.housing_head as string)
      .where('kind', '=', 'submission.created')
      .executeTakeFirst();
    expect(note).toBeDefined();
    expect((await detail(itemId, 'housing_h')).allowedActions).toContain('report');
  });

  it('the head, the handler and the supervisors see it; another unit’s head and other regions do not', async () => {
    for (const user of ['housing_head', 'housing_h', 'city_sup', 'prov_sup'])
      expect(
        (await list(user)).map((s) => s.id),
        user,
      ).toEqual([reportSub.id]);
    for (const user of ['edu_head', 'edu_h', 'ningbo_sup', 'admin'])
      expect(await list(user), user).toEqual([]);
    expect((await list('housing_head', `itemId=${itemId}`)).map((s) => s.id)).toEqual([reportSub.id]);
    const anon = await w.app.inject({ method: 'GET', url: '/api/v1/submissions' });
    expect(anon.statusCode).toBe(401);
  });

  it('refuses: unauthenticated 401, the submitter 403, a supervisor 403, out of scope 404, bad input 400', async () => {
    const approve = `/api/v1/submissions/${reportSub.id}/approve`;
    await refused(() => w.app.inject({ method: 'POST', url: approve, payload: {} }), 401);
    await refused(() => post('housing_h', approve, {}), 403, { code: 'FORBIDDEN' });
    await refused(() => post('city_sup', approve, {}), 403, { code: 'FORBIDDEN' });
    await refused(() => post('edu_head', approve, {}), 404);
    await refused(() => post('ningbo_sup', approve, {}), 404);
    await refused(
      () => post('edu_head', `/api/v1/submissions/${reportSub.id}/reject`, { reason: '不同意' }),
      404,
    );
    await refused(() => post('housing_head', `/api/v1/submissions/${reportSub.id}/reject`, {}), 400, {
      errors: [{ field: 'body.reason' }],
    });
    await refused(
      () => post('housing_head', `/api/v1/submissions/${reportSub.id}/reject`, { reason: '   ' }),
      400,
      { errors: [{ field: 'body.reason' }] },
    );
    await refused(() => post('housing_head', '/api/v1/submissions/not-a-uuid/approve', {}), 400, {
      errors: [{ field: 'params.id' }],
    });
    await refused(() => post('housing_head', approve, { extra: 1 }), 400);
    const badQuery = await (await w.as('housing_head')).get('/api/v1/submissions?status=maybe');
    expect(badQuery.statusCode).toBe(400);
    expect(badQuery.json().errors[0].field).toBe('querystring.status');
    // An unknown id is 404, not 500.
    await refused(() => post('housing_head', `/api/v1/submissions/${crypto.randomUUID()}/approve`, {}), 404);
  });

  it('the head approves: the report is made as the handler, in one transaction with submission.approved', async () => {
    const res = await post('housing_head', `/api/v1/submissions/${reportSub.id}/approve`, {});
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json().submission).toMatchObject({
      status: 'approved',
      decidedBy: { id: w.users.housing_head },
      blocked: null,
    });
    const item = await detail(itemId);
    expect(item.progress).toBe(60);
    const report = await ctx.db
      .selectFrom('progress_reports')
      .select(['author_id', 'percent', 'narrative'])
      .where('item_id', '=', itemId)
      .executeTakeFirstOrThrow();
    expect(report).toEqual({ author_id: w.users.housing_h, percent: 60, narrative: '已完成过半。' });
    const evs = (await eventsOf(itemId)).slice(-2);
    expect(evs[0]).toMatchObject({ type: 'item.progress_reported', actor_id: w.users.housing_h });
    expect(evs[1]).toMatchObject({
      type: 'submission.approved',
      actor_id: w.users.housing_head,
      payload: {
        submissionId: reportSub.id,
        approvedBy: w.users.housing_head,
        submittedBy: w.users.housing_h,
      },
    });
    expect(await list('housing_head')).toEqual([]);
    expect((await list('housing_h', 'status=approved')).map((s) => s.id)).toEqual([reportSub.id]);
    // Decided once.
    await refused(() => post('housing_head', `/api/v1/submissions/${reportSub.id}/approve`, {}), 409);
    await refused(
      () => post('housing_head', `/api/v1/submissions/${reportSub.id}/reject`, { reason: '晚了' }),
      409,
    );
  });

  it('the head returns an extension request with a reason; the handler is told and nothing reaches the item', async () => {
    const held = await act(
      'housing_h',
      itemId,
      'request-extension',
      { newDeadline: '2027-09-30', reason: '资金未到位' },
      202,
    );
    const res = await post('housing_head', `/api/v1/submissions/${held.submission.id}/reject`, {
      reason: '理由不充分，请补充资金安排说明',
    });
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json().submission).toMatchObject({
      status: 'rejected',
      reason: '理由不充分，请补充资金安排说明',
    });
    const item = await detail(itemId);
    expect(item.assignments.every((a: { pendingExtension: unknown }) => a.pendingExtension === null)).toBe(
      true,
    );
    expect((await eventsOf(itemId)).at(-1)).toMatchObject({
      type: 'submission.rejected',
      payload: { reason: '理由不充分，请补充资金安排说明' },
    });
    const note = await ctx.db
      .selectFrom('notifications')
      .select('body')
      .where('user_id', '=', w.users.housing_h as string)
      .where('kind', '=', 'submission.rejected')
      .executeTakeFirstOrThrow();
    expect(note.body).toContain('理由不充分');
  });

  it('a refused action is not held: it answers as before (409), writing nothing', async () => {
    const other = await post('city_sup', '/api/v1/items', itemBody({ title: '尚未签收时不能报送' }));
    const id = other.json().item.id as string;
    await act('city_sup', id, 'dispatch', {
      assignments: [{ unitId: unit('housing'), role: 'lead', deadline: '2027-06-30' }],
    });
    await refused(
      () => post('housing_h', `${itemUrl(id)}/actions/report`, { percent: 10, narrative: '甲' }),
      409,
      {
        reason: 'INVALID_STATE',
      },
    );
    await refused(() => post('housing_h', `${itemUrl(id)}/actions/report`, { percent: 'x' }), 400);
  });

  it('stale: when the item moved on, approving answers 409 and the submission stays pending, its reason shown', async () => {
    const held = await act('housing_h', itemId, 'request-completion', { summary: '已全部完成。' }, 202);
    // The head's own request is not held (heads need no approval): the item moves on.
    const direct = await act('housing_head', itemId, 'request-completion', {
      summary: '负责人直接申请办结。',
    });
    expect(direct.item.status).toBe('completion_requested');
    const res = await refused(
      () => post('housing_head', `/api/v1/submissions/${held.submission.id}/approve`, {}),
      409,
      { code: 'CONFLICT', reason: 'INVALID_STATE' },
    );
    expect(res.json().detailZh).toContain('不能申请办结');
    const [pending] = await list('housing_head');
    expect(pending).toMatchObject({ id: held.submission.id, status: 'pending' });
    expect(pending?.blocked?.reason).toBe('INVALID_STATE');
    // It can still be returned.
    const rejected = await post('housing_head', `/api/v1/submissions/${held.submission.id}/reject`, {
      reason: '已由负责人申请办结',
    });
    expect(rejected.statusCode).toBe(200);
  });

  it('a unit with the setting but no active head is not held (no one could approve)', async () => {
    const res = await (await w.as('admin')).patch(`/api/v1/org/units/${unit('finance')}`, {
      requireHeadApproval: true,
    });
    expect(res.statusCode, res.body).toBe(200);
    const created = await post('city_sup', '/api/v1/items', itemBody({ title: '无负责人的单位直接报送' }));
    const id = created.json().item.id as string;
    await act('city_sup', id, 'dispatch', {
      assignments: [{ unitId: unit('finance'), role: 'lead', deadline: '2027-06-30' }],
    });
    await act('fin_h', id, 'accept');
    expect(
      (await act('fin_h', id, 'report', { percent: 15, narrative: '已拨付首批资金。' })).item.progress,
    ).toBe(15);
  });

  it('turned off again, a handler’s action goes straight through', async () => {
    await setRequired(false);
    const id = await itemInProgress('关闭审批后直接报送');
    const item = (await act('housing_h', id, 'report', { percent: 20, narrative: '推进中。' })).item;
    expect(item.progress).toBe(20);
  });
});
