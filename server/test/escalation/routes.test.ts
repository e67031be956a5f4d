import type { LightMyRequestResponse } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sweepChases } from '../../src/escalation/chase.ts';
import { createTestContext, type TestContext } from '../support/context.ts';
import { buildWorld, itemBody, type World } from '../support/factories.ts';

/** 督办单 and 容错免责 routes: 401 → 400 (field) → 403/404 → success, and the effect on the chase. */
let ctx: TestContext;
let w: World;
let itemId: string;
beforeAll(async () => {
  ctx = await createTestContext();
  w = await buildWorld(ctx);
  ctx.setNow('2025-01-20T04:00:00Z');
  const sup = await w.as('city_sup');
  itemId = (await sup.post('/api/v1/items', itemBody({ deadline: '2025-02-10' }))).json().item.id;
  await sup.post(`/api/v1/items/${itemId}/actions/dispatch`, {
    assignments: [
      { unitId: w.units.housing, role: 'lead', deadline: '2025-02-10' },
      { unitId: w.units.education, role: 'collaborator', deadline: '2025-02-10' },
    ],
  });
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

const url = () => `/api/v1/items/${itemId}`;

describe('督办单', () => {
  it('401, 404 outside the scope, then the notices the sweep made', async () => {
    problem(await w.app.inject({ method: 'GET', url: `${url()}/notices` }), 401, 'UNAUTHENTICATED');
    problem(await (await w.as('ningbo_sup')).get(`${url()}/notices`), 404, 'ITEM_NOT_FOUND');
    problem(await (await w.as('admin')).get(`${url()}/notices`), 404, 'ITEM_NOT_FOUND');
    problem(
      await (await w.as('city_sup')).get('/api/v1/items/x/notices'),
      400,
      'VALIDATION_FAILED',
      'params.id',
    );
    await sweepChases(ctx.db, new Date('2025-02-11T04:00:00Z'));
    const res = await (await w.as('housing_h')).get(`${url()}/notices`);
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json().notices.map((n: { name: string; color: string | null }) => [n.name, n.color])).toEqual([
      ['催办通知', 'blue'],
    ]);
  });
});

describe('容错免责', () => {
  it('401 → 400 → 404 → 403 for a unit not handling the item → 201', async () => {
    problem(
      await w.app.inject({ method: 'POST', url: `${url()}/exemptions`, payload: {} }),
      401,
      'UNAUTHENTICATED',
    );
    const lead = await w.as('housing_h');
    problem(await lead.post(`${url()}/exemptions`, {}), 400, 'VALIDATION_FAILED', 'body.reason');
    problem(
      await lead.post(`${url()}/exemptions`, { reason: '   ' }),
      400,
      'VALIDATION_FAILED',
      'body.reason',
    );
    problem(
      await (await w.as('ningbo_h')).post(`${url()}/exemptions`, { reason: '不可抗力。' }),
      404,
      'ITEM_NOT_FOUND',
    );
    problem(
      await (await w.as('city_sup')).post(`${url()}/exemptions`, { reason: '不可抗力。' }),
      403,
      'FORBIDDEN',
    );
    const res = await lead.post(`${url()}/exemptions`, { reason: '台风导致工地停工，属不可抗力。' });
    expect(res.statusCode, res.body).toBe(201);
    expect(res.json().exemption).toMatchObject({ status: 'pending', unitId: w.units.housing });
    problem(await lead.post(`${url()}/exemptions`, { reason: '再次申请。' }), 409, 'CONFLICT');
    // the supervisors were told
    const told = await ctx.db
      .selectFrom('notifications')
      .select('title')
      .where('user_id', '=', w.users.city_sup as string)
      .where('kind', '=', 'item.exemption_requested')
      .execute();
    expect(told.map((t) => t.title)).toEqual([expect.stringMatching(/^【容错免责申请】/)]);
  });

  it('only a supervisor with authority decides; approval stops the ladder', async () => {
    const list = (await (await w.as('city_sup')).get(`${url()}/exemptions`)).json().exemptions;
    const id = list[0].id as string;
    const decide = `${url()}/exemptions/${id}/approve`;
    problem(await (await w.as('housing_h')).post(decide, { comment: '' }), 403, 'FORBIDDEN');
    problem(await (await w.as('ningbo_sup')).post(decide, {}), 404, 'ITEM_NOT_FOUND');
    problem(
      await (await w.as('city_sup')).post(
        `${url()}/exemptions/00000000-0000-4000-8000-000000000000/approve`,
        {},
      ),
      404,
      'NOT_FOUND',
    );
    problem(
      await (await w.as('city_sup')).post(decide, { comment: 1 }),
      400,
      'VALIDATION_FAILED',
      'body.comment',
    );
    const ok = await (await w.as('city_sup')).post(decide, { comment: '情况属实，予以免责。' });
    expect(ok.statusCode, ok.body).toBe(200);
    expect(ok.json().exemption).toMatchObject({
      status: 'approved',
      decisionComment: '情况属实，予以免责。',
    });
    problem(
      await (await w.as('city_sup')).post(`${url()}/exemptions/${id}/reject`, {}),
      409,
      'TRANSITION_REFUSED',
    );

    await sweepChases(ctx.db, new Date('2025-03-31T04:00:00Z'));
    const notices = (await (await w.as('city_sup')).get(`${url()}/notices`)).json().notices;
    expect(notices.map((n: { name: string }) => n.name)).toEqual(['催办通知']);
    const events = await ctx.db
      .selectFrom('events')
      .select('type')
      .where('item_id', '=', itemId)
      .where('type', 'like', 'item.exemption%')
      .execute();
    expect(events.map((e) => e.type)).toEqual(['item.exemption_requested', 'item.exemption_decided']);
  });
});
