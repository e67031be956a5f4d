import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { redateIfCalendarChanged } from '../../src/items/lights.ts';
import { createTestContext, type TestContext } from '../support/context.ts';
import { buildWorld, type Client, itemBody, type World } from '../support/factories.ts';

/**
 * The working-day clock through the API, on the official 2025 calendar (春节 1/28–2/4 off, 1/26
 * and 2/8 worked): lights on working days, pauses that move deadlines on by the working days they
 * lasted, and late extension requests.
 */
let ctx: TestContext;
let w: World;
let sup: Client;
let lead: Client;
beforeAll(async () => {
  ctx = await createTestContext();
  w = await buildWorld(ctx);
  sup = await w.as('city_sup');
  lead = await w.as('housing_h');
});
afterAll(async () => {
  await w?.app.close();
  await ctx?.cleanup();
});

/** Shanghai noon of a date. */
const noon = (date: string) => ctx.setNow(`${date}T04:00:00Z`);

async function dispatched(deadline = '2025-02-10', accept = true): Promise<string> {
  noon('2025-01-20');
  const res = await sup.post('/api/v1/items', itemBody({ deadline }));
  expect(res.statusCode, res.body).toBe(201);
  const id = res.json().item.id as string;
  const d = await sup.post(`/api/v1/items/${id}/actions/dispatch`, {
    assignments: [{ unitId: w.units.housing, role: 'lead', deadline }],
  });
  expect(d.statusCode, d.body).toBe(200);
  if (accept) expect((await lead.post(`/api/v1/items/${id}/actions/accept`)).statusCode).toBe(200);
  return id;
}

async function detail(id: string) {
  const res = await sup.get(`/api/v1/items/${id}`);
  expect(res.statusCode, res.body).toBe(200);
  return res.json().item;
}

async function lastEvent(id: string, type: string) {
  const events = (await sup.get(`/api/v1/items/${id}/events?limit=200`)).json().events as {
    type: string;
    payload: Record<string, unknown>;
  }[];
  return events.filter((e) => e.type === type).at(-1)?.payload;
}

describe('lights on working days', () => {
  it('turns yellow from lag, green again on progress, red and overdue on the right days', async () => {
    const id = await dispatched();
    noon('2025-01-22');
    expect((await detail(id)).light).toBe('green');
    noon('2025-01-23'); // 3 of 11 working days gone, nothing reported: lagging
    expect((await detail(id)).light).toBe('yellow');
    const r = await lead.post(`/api/v1/items/${id}/actions/report`, { percent: 60, narrative: '已开工。' });
    expect(r.statusCode, r.body).toBe(200);
    const item = await detail(id);
    expect(item.light).toBe('green');
    expect(item.assignments[0].light).toBe('green');
    noon('2025-02-06');
    expect((await detail(id)).light).toBe('yellow');
    noon('2025-02-08'); // a worked Saturday; only 2/10 is left
    expect((await detail(id)).light).toBe('red');
    noon('2025-02-11');
    expect((await detail(id)).light).toBe('overdue');
    const overdue = (await sup.get('/api/v1/items?light=overdue&limit=200'))
      .json()
      .items.map((i: { id: string }) => i.id);
    expect(overdue).toContain(id);
    expect(
      (await sup.get('/api/v1/items?light=green&limit=200')).json().items.map((i: { id: string }) => i.id),
    ).not.toContain(id);
  });
});

describe('the clock pauses', () => {
  it('while suspended: the light freezes and the deadline moves on by the working days paused', async () => {
    const id = await dispatched();
    await lead.post(`/api/v1/items/${id}/actions/report`, { percent: 50, narrative: '推进中。' });
    noon('2025-01-27');
    const s = await sup.post(`/api/v1/items/${id}/actions/suspend`, { reason: '等待上级政策。' });
    expect(s.statusCode, s.body).toBe(200);
    noon('2025-02-11'); // past the old deadline, but the clock stood still on 1/27
    expect((await detail(id)).light).toBe('green');
    noon('2025-02-06');
    const r = await sup.post(`/api/v1/items/${id}/actions/resume`, {});
    expect(r.statusCode, r.body).toBe(200);
    const item = await detail(id);
    // stood 1/27 → 2/6: 2/5 and 2/6 were working days (the Spring Festival costs nothing)
    expect(item.deadline).toBe('2025-02-12');
    expect(item.assignments[0].deadline).toBe('2025-02-12');
    expect(await lastEvent(id, 'item.resumed')).toMatchObject({
      clock: { pausedOn: '2025-01-27', pausedWorkingDays: 2, from: '2025-02-10', to: '2025-02-12' },
    });
  });

  it('while returned: a re-dispatch moves the item deadline on', async () => {
    const id = await dispatched('2025-02-10', false);
    noon('2025-01-23');
    expect(
      (await lead.post(`/api/v1/items/${id}/actions/return`, { reason: '不属于本单位职责。' })).statusCode,
    ).toBe(200);
    noon('2025-01-27'); // 1/24 (Fri), 1/26 (worked Sunday), 1/27: three working days
    const d = await sup.post(`/api/v1/items/${id}/actions/dispatch`, {
      assignments: [{ unitId: w.units.education, role: 'lead', deadline: '2025-02-12' }],
    });
    expect(d.statusCode, d.body).toBe(200);
    expect((await detail(id)).deadline).toBe('2025-02-13'); // 2/10 + 3 working days (2/11, 2/12, 2/13)
    expect(await lastEvent(id, 'item.dispatched')).toMatchObject({ clock: { pausedWorkingDays: 3 } });
  });

  it('while an extension is pending: a rejection moves the deadlines on; a late request is marked', async () => {
    const id = await dispatched();
    noon('2025-02-05');
    const q = await lead.post(`/api/v1/items/${id}/actions/request-extension`, {
      newDeadline: '2025-02-28',
      reason: '材料审批未完成。',
    });
    expect(q.statusCode, q.body).toBe(200);
    noon('2025-02-07');
    const rej = await sup.post(`/api/v1/items/${id}/actions/reject-extension`, {
      unitId: w.units.housing,
      reason: '请按原期限完成。',
    });
    expect(rej.statusCode, rej.body).toBe(200);
    const item = await detail(id);
    expect(item.deadline).toBe('2025-02-12'); // 2/6 and 2/7 stood still
    expect(item.assignments[0].deadline).toBe('2025-02-12');

    noon('2025-02-14');
    const late = await lead.post(`/api/v1/items/${id}/actions/request-extension`, {
      newDeadline: '2025-02-28',
      reason: '逾期后申请。',
    });
    expect(late.statusCode, late.body).toBe(200);
    expect(await lastEvent(id, 'item.extension_requested')).toMatchObject({ late: true });
    expect((await detail(id)).assignments[0].light).toBe('overdue');
  });
});

describe('an admin edits the calendar', () => {
  it('re-dates open items: a new holiday before the deadline brings red a working day earlier', async () => {
    await redateIfCalendarChanged(ctx.db); // remember the calendar the items were dated with
    const id = await dispatched('2025-03-14'); // Friday
    noon('2025-03-12'); // Wed: 2 working days left (13th, 14th) — yellow, not red
    await lead.post(`/api/v1/items/${id}/actions/report`, { percent: 90, narrative: '即将完成。' });
    expect((await detail(id)).light).toBe('yellow');
    const admin = await w.login('admin');
    const put = await w.app.inject({
      method: 'PUT',
      url: '/api/v1/calendar/days/2025-03-13',
      headers: { cookie: admin.cookie, 'x-csrf-token': admin.csrf },
      payload: { kind: 'holiday', name: '临时调休' },
    });
    expect(put.statusCode, put.body).toBe(201);
    expect(await redateIfCalendarChanged(ctx.db)).toBeGreaterThan(0);
    expect((await detail(id)).light).toBe('red'); // only the 14th is left
    expect(await redateIfCalendarChanged(ctx.db)).toBe(0); // nothing changed since
  });
});
