import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestContext, type TestContext } from '../support/context.ts';
import { buildWorld, itemBody, type World } from '../support/factories.ts';

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

describe('the closed loop over the API', () => {
  it('register → dispatch → accept ×3 → report → completion rejected → report → approved → evaluated → archived', async () => {
    const sup = await w.as('city_sup');
    const created = await sup.post('/api/v1/items', itemBody());
    expect(created.statusCode, created.body).toBe(201);
    const item = created.json().item;
    expect(item.number).toBe('杭督〔2026〕0001号');
    expect(item.status).toBe('registered');
    const url = `/api/v1/items/${item.id}`;

    const dispatched = await sup.post(`${url}/actions/dispatch`, {
      assignments: [
        { unitId: w.units.housing, role: 'lead', deadline: '2027-06-30' },
        { unitId: w.units.education, role: 'collaborator', deadline: '2027-05-31' },
        { unitId: w.units.finance, role: 'collaborator', deadline: '2027-04-30' },
      ],
    });
    expect(dispatched.statusCode, dispatched.body).toBe(200);
    expect(dispatched.json().item.status).toBe('dispatched');

    for (const handler of ['housing_h', 'edu_h', 'fin_h']) {
      const c = await w.as(handler);
      const detail = await c.get(url);
      expect(detail.json().item.allowedActions).toContain('accept');
      const res = await c.post(`${url}/actions/accept`);
      expect(res.statusCode, res.body).toBe(200);
    }
    const lead = await w.as('housing_h');
    expect((await lead.get(url)).json().item.status).toBe('in_progress');

    const collab = await w.as('edu_h');
    expect(
      (await collab.post(`${url}/actions/report`, { percent: 40, narrative: '已完成校舍周边配套方案。' }))
        .statusCode,
    ).toBe(200);
    const r1 = await lead.post(`${url}/actions/report`, {
      percent: 60,
      narrative: '已开工 30 个小区。',
      problems: '资金拨付滞后',
      nextSteps: '协调财政局加快拨付',
      indicatorValues: [{ key: 'old_communities', value: 30 }],
    });
    expect(r1.statusCode, r1.body).toBe(200);
    expect(r1.json().item.progress).toBe(60);

    const req1 = await lead.post(`${url}/actions/request-completion`, { summary: '主体工程完工。' });
    expect(req1.json().item.status).toBe('completion_requested');
    const rej = await sup.post(`${url}/actions/reject-completion`, { reason: '尚有 20 个小区未完工' });
    expect(rej.statusCode).toBe(200);
    expect(rej.json().item.status).toBe('in_progress');

    await lead.post(`${url}/actions/report`, {
      percent: 100,
      narrative: '50 个小区全部完工。',
      indicatorValues: [{ key: 'old_communities', value: 50 }],
    });
    await lead.post(`${url}/actions/request-completion`, { summary: '全部完成。' });
    const approved = await sup.post(`${url}/actions/approve-completion`, { comment: '同意办结' });
    expect(approved.json().item.status).toBe('completed');
    const evaluated = await sup.post(`${url}/actions/evaluate`, {
      quality: 90,
      timeliness: 80,
      effectiveness: 95,
      comment: '成效明显',
    });
    expect(evaluated.json().item.evaluation.score).toBe(90.5);
    const archived = await sup.post(`${url}/actions/archive`);
    expect(archived.json().item.status).toBe('archived');

    const events = (await sup.get(`${url}/events`)).json().events as { seq: number; type: string }[];
    expect(events.map((e) => e.type)).toEqual([
      'item.created',
      'item.registered',
      'item.dispatched',
      'item.accepted',
      'item.accepted',
      'item.accepted',
      'item.progress_reported',
      'item.progress_reported',
      'item.completion_requested',
      'item.completion_rejected',
      'item.progress_reported',
      'item.completion_requested',
      'item.completion_approved',
      'item.evaluated',
      'item.archived',
    ]);
    const seqs = events.map((e) => e.seq);
    expect([...seqs].sort((a, b) => a - b)).toEqual(seqs);

    const reports = (await sup.get(`${url}/reports`)).json().reports;
    expect(reports).toHaveLength(3);
  });

  it('hides an item from a handler of an uninvolved unit: 404 and absent from lists', async () => {
    const sup = await w.as('city_sup');
    const item = (await sup.post('/api/v1/items', itemBody({ title: '不相关单位不可见' }))).json().item;
    await sup.post(`/api/v1/items/${item.id}/actions/dispatch`, {
      assignments: [{ unitId: w.units.housing, role: 'lead', deadline: '2027-06-30' }],
    });
    const outsider = await w.as('ningbo_h');
    expect((await outsider.get(`/api/v1/items/${item.id}`)).statusCode).toBe(404);
    expect((await outsider.get(`/api/v1/items/${item.id}/events`)).statusCode).toBe(404);
    expect((await outsider.post(`/api/v1/items/${item.id}/actions/accept`)).statusCode).toBe(404);
    const list = (await outsider.get('/api/v1/items?limit=200')).json();
    expect(list.items.map((i: { id: string }) => i.id)).not.toContain(item.id);
    const ningboSup = await w.as('ningbo_sup');
    expect((await ningboSup.get(`/api/v1/items/${item.id}`)).statusCode).toBe(404);
    // the province supervisor and leader see everything below them
    expect((await (await w.as('prov_sup')).get(`/api/v1/items/${item.id}`)).statusCode).toBe(200);
    expect((await (await w.as('leader')).get(`/api/v1/items/${item.id}`)).statusCode).toBe(200);
    // the lead unit sees it
    expect((await (await w.as('housing_h')).get(`/api/v1/items/${item.id}`)).statusCode).toBe(200);
  });

  it('refuses a wrong action with a typed 409 and a malformed body with 400 naming the field, writing nothing', async () => {
    const sup = await w.as('city_sup');
    const item = (await sup.post('/api/v1/items', itemBody({ title: '状态校验' }))).json().item;
    const url = `/api/v1/items/${item.id}`;
    const before = (await sup.get(`${url}/events`)).json().events.length;

    const wrong = await sup.post(`${url}/actions/approve-completion`, { comment: '' });
    expect(wrong.statusCode).toBe(409);
    expect(wrong.headers['content-type']).toContain('application/problem+json');
    expect(wrong.json()).toMatchObject({ code: 'TRANSITION_REFUSED', reason: 'INVALID_STATE' });

    const bad = await sup.post(`${url}/actions/dispatch`, {
      assignments: [{ unitId: 'nope', role: 'lead', deadline: '2027-01-01' }],
    });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().field).toBe('body.assignments.0.unitId');

    const twoLeads = await sup.post(`${url}/actions/dispatch`, {
      assignments: [
        { unitId: w.units.housing, role: 'lead', deadline: '2027-01-01' },
        { unitId: w.units.education, role: 'lead', deadline: '2027-01-01' },
      ],
    });
    expect(twoLeads.statusCode).toBe(400);
    expect(twoLeads.json().field).toBe('body.assignments');

    const badCreate = await sup.post('/api/v1/items', itemBody({ deadline: '2026-02-30' }));
    expect(badCreate.statusCode).toBe(400);
    expect(badCreate.json().field).toBe('body.deadline');

    const handlerTries = await (await w.as('housing_h')).post(`${url}/actions/dispatch`, {
      assignments: [{ unitId: w.units.housing, role: 'lead', deadline: '2027-01-01' }],
    });
    expect(handlerTries.statusCode).toBe(404);

    expect((await sup.get(`${url}/events`)).json().events.length).toBe(before);
    expect((await sup.get(url)).json().item.status).toBe('registered');
  });

  it('requires authentication', async () => {
    const res = await w.app.inject({ method: 'GET', url: '/api/v1/items' });
    expect(res.statusCode).toBe(401);
    expect(res.json().code).toBe('UNAUTHENTICATED');
  });
});
