import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sweepChases } from '../../src/escalation/chase.ts';
import { createTestContext, type TestContext } from '../support/context.ts';
import { buildWorld, type Client, itemBody, type World } from '../support/factories.ts';

/**
 * 期限规则 and 阶段性节点 through the API, on the official 2025 calendar (春节 1/28–2/4 off, 1/26
 * and 2/8 worked): a deadline counted in working days from dispatch or from the lead's acceptance,
 * a 特急 limit in hours, milestones that raise the light when missed and are chased.
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
const noon = (date: string) => {
  ctx.setNow(`${date}T04:00:00Z`);
  return new Date(`${date}T04:00:00Z`);
};

async function create(body: Record<string, unknown>): Promise<string> {
  const res = await sup.post('/api/v1/items', itemBody(body));
  expect(res.statusCode, res.body).toBe(201);
  return res.json().item.id as string;
}

async function detail(id: string) {
  const res = await sup.get(`/api/v1/items/${id}`);
  expect(res.statusCode, res.body).toBe(200);
  return res.json().item;
}

async function itemCount(): Promise<number> {
  const r = await ctx.db
    .selectFrom('items')
    .select((eb) => eb.fn.countAll<string>().as('n'))
    .executeTakeFirstOrThrow();
  return Number(r.n);
}

async function dispatch(id: string, assignments: Record<string, unknown>[]) {
  const res = await sup.post(`/api/v1/items/${id}/actions/dispatch`, { assignments });
  expect(res.statusCode, res.body).toBe(200);
}

describe('deadline rules', () => {
  it('N working days from dispatch: provisional at registration, fixed by the dispatch', async () => {
    noon('2025-01-20');
    const id = await create({ deadline: undefined, deadlineRule: { kind: 'working-days', days: 10 } });
    let item = await detail(id);
    // 10 working days from 1/20: 1/21–24, 1/26 (worked Sunday), 1/27, 2/5–2/7, 2/8 (worked Saturday)
    expect(item).toMatchObject({
      deadline: '2025-02-08',
      deadlineProvisional: true,
      deadlineRule: { kind: 'working-days', days: 10, from: 'dispatch' },
    });
    noon('2025-01-22');
    await dispatch(id, [
      { unitId: w.units.housing, role: 'lead' },
      { unitId: w.units.education, role: 'collaborator', deadline: '2025-02-07' },
    ]);
    item = await detail(id);
    expect(item.deadline).toBe('2025-02-11');
    expect(item.deadlineProvisional).toBe(false);
    expect(item.assignments.map((a: { deadline: string }) => a.deadline).sort()).toEqual([
      '2025-02-07',
      '2025-02-11',
    ]);
    const events = (await sup.get(`/api/v1/items/${id}/events?limit=50`)).json().events;
    const dispatched = events.find((e: { type: string }) => e.type === 'item.dispatched');
    expect(dispatched.payload.deadline).toBe('2025-02-11');
  });

  it('N working days from acceptance: the lead accepting fixes it; defaulted sub-deadlines move too', async () => {
    noon('2025-01-20');
    const id = await create({
      deadline: undefined,
      deadlineRule: { kind: 'working-days', days: 5, from: 'acceptance' },
    });
    await dispatch(id, [
      { unitId: w.units.housing, role: 'lead' },
      { unitId: w.units.education, role: 'collaborator' },
      { unitId: w.units.finance, role: 'collaborator', deadline: '2025-01-24' },
    ]);
    expect(await detail(id)).toMatchObject({ deadline: '2025-01-26', deadlineProvisional: true });
    noon('2025-02-05');
    const a = await lead.post(`/api/v1/items/${id}/actions/accept`);
    expect(a.statusCode, a.body).toBe(200);
    const item = await detail(id);
    expect(item).toMatchObject({ deadline: '2025-02-11', deadlineProvisional: false, status: 'in_progress' });
    const byUnit = Object.fromEntries(
      item.assignments.map((x: { unitId: string; deadline: string }) => [x.unitId, x.deadline]),
    );
    expect(byUnit).toEqual({
      [w.units.housing as string]: '2025-02-11',
      [w.units.education as string]: '2025-02-11',
      [w.units.finance as string]: '2025-01-24',
    });
    // clock from dispatch (1/20): 3 of 12 working days gone by 2/5 with nothing reported: lagging
    expect(item.light).toBe('yellow');
  });

  it('特急 in hours: the limit runs from dispatch; hours are refused for other urgencies', async () => {
    noon('2025-03-03');
    const before = await itemCount();
    const bad = await sup.post(
      '/api/v1/items',
      itemBody({ deadline: undefined, deadlineRule: { kind: 'hours', hours: 48 } }),
    );
    expect(bad.statusCode).toBe(400);
    expect(bad.headers['content-type']).toMatch(/problem\+json/);
    expect(bad.json().errors[0].field).toBe('body.deadlineRule');
    expect(await itemCount()).toBe(before);

    const id = await create({
      urgency: 'critical',
      deadline: undefined,
      deadlineRule: { kind: 'hours', hours: 48 },
    });
    ctx.setNow('2025-03-03T20:30:00Z'); // 04:30 on 3/4 in Shanghai
    await dispatch(id, [{ unitId: w.units.housing, role: 'lead' }]);
    const item = await detail(id);
    expect(item.dueAt).toBe('2025-03-05T20:30:00.000Z');
    expect(item.deadline).toBe('2025-03-06');
    expect(item.status).toBe('in_progress'); // 特急: accepted on the unit's behalf
  });

  it('refuses both a date and a rule, or neither, naming the field and writing nothing', async () => {
    noon('2025-03-03');
    const before = await itemCount();
    const both = await sup.post(
      '/api/v1/items',
      itemBody({ deadline: '2025-04-01', deadlineRule: { kind: 'working-days', days: 5 } }),
    );
    expect(both.statusCode).toBe(400);
    expect(both.json().errors[0]).toMatchObject({
      field: 'body.deadline',
      messageZh: '固定期限与期限规则只能选其一',
    });
    const neither = await sup.post('/api/v1/items', itemBody({ deadline: undefined }));
    expect(neither.statusCode).toBe(400);
    expect(neither.json().errors[0].field).toBe('body.deadline');
    const badRule = await sup.post(
      '/api/v1/items',
      itemBody({ deadline: undefined, deadlineRule: { kind: 'working-days', days: 0 } }),
    );
    expect(badRule.statusCode).toBe(400);
    expect(badRule.json().errors[0].field).toMatch(/^body\.deadlineRule/);
    const lateMilestone = await sup.post(
      '/api/v1/items',
      itemBody({ deadline: '2025-04-01', milestones: [{ name: '方案', date: '2025-04-02' }] }),
    );
    expect(lateMilestone.statusCode).toBe(400);
    expect(lateMilestone.json().errors[0].field).toBe('body.milestones.0.date');
    expect(await itemCount()).toBe(before);
  });

  it('an edit before dispatch switches between a rule and a fixed date', async () => {
    noon('2025-01-20');
    const id = await create({ deadline: undefined, deadlineRule: { kind: 'working-days', days: 10 } });
    let item = await detail(id);
    const fixed = await sup.patch(
      `/api/v1/items/${id}`,
      { deadline: '2025-03-31' },
      { 'if-match': `"${item.version}"` },
    );
    expect(fixed.statusCode, fixed.body).toBe(200);
    item = await detail(id);
    expect(item).toMatchObject({ deadline: '2025-03-31', deadlineRule: null, deadlineProvisional: false });
    const ruled = await sup.patch(
      `/api/v1/items/${id}`,
      { deadlineRule: { kind: 'working-days', days: 5 } },
      { 'if-match': `"${item.version}"` },
    );
    expect(ruled.statusCode, ruled.body).toBe(200);
    expect(await detail(id)).toMatchObject({ deadline: '2025-01-26', deadlineProvisional: true });
  });
});

describe('milestones', () => {
  async function notices(itemId: string) {
    return ctx.db
      .selectFrom('supervision_notices')
      .select(['key', 'kind', 'name'])
      .where('item_id', '=', itemId)
      .orderBy('due_on')
      .execute();
  }
  async function inbox(username: string, itemId: string) {
    const rows = await ctx.db
      .selectFrom('notifications')
      .select('title')
      .where('user_id', '=', w.users[username] as string)
      .where('item_id', '=', itemId)
      .orderBy('seq')
      .execute();
    return rows.map((r) => r.title);
  }
  async function started(): Promise<string> {
    noon('2025-01-20');
    const id = await create({
      deadline: '2025-02-28',
      milestones: [{ name: '制定实施方案', date: '2025-02-05' }],
    });
    await dispatch(id, [{ unitId: w.units.housing, role: 'lead' }]);
    expect((await lead.post(`/api/v1/items/${id}/actions/accept`)).statusCode).toBe(200);
    const r = await lead.post(`/api/v1/items/${id}/actions/report`, { percent: 50, narrative: '已开工。' });
    expect(r.statusCode, r.body).toBe(200);
    return id;
  }

  it('a missed milestone raises the light until a report marks it reached', async () => {
    const id = await started();
    noon('2025-02-05');
    expect((await detail(id)).light).toBe('green');
    noon('2025-02-06');
    expect((await detail(id)).light).toBe('yellow');
    const yellow = (await sup.get('/api/v1/items?light=yellow&limit=200'))
      .json()
      .items.map((i: { id: string }) => i.id);
    expect(yellow).toContain(id);
    const bad = await lead.post(`/api/v1/items/${id}/actions/report`, {
      percent: 60,
      narrative: '方案已印发。',
      milestonesReached: [3],
    });
    expect(bad.statusCode).toBe(400);
    expect(bad.json()).toMatchObject({ code: 'VALIDATION_FAILED', field: 'body.milestonesReached.0' });
    const ok = await lead.post(`/api/v1/items/${id}/actions/report`, {
      percent: 60,
      narrative: '方案已印发。',
      milestonesReached: [0],
    });
    expect(ok.statusCode, ok.body).toBe(200);
    const item = await detail(id);
    expect(item.light).toBe('green');
    expect(item.milestones).toEqual([{ name: '制定实施方案', date: '2025-02-05', reachedOn: '2025-02-06' }]);
  });

  it('is chased: 节点提醒 the working day before, 节点逾期 after it, each once', async () => {
    const id = await started();
    await sweepChases(ctx.db, noon('2025-01-24'));
    expect(await notices(id)).toEqual([]);
    await sweepChases(ctx.db, noon('2025-01-27')); // the last working day before 2/5 (春节)
    await sweepChases(ctx.db, noon('2025-01-27'));
    expect(await notices(id)).toEqual([
      { key: 'milestone-1-before@2025-02-05', kind: 'milestone', name: '节点提醒' },
    ]);
    expect(await inbox('housing_h', id)).toEqual([expect.stringMatching(/^【节点提醒】/)]);
    expect(await inbox('city_sup', id)).toEqual([]);
    await sweepChases(ctx.db, noon('2025-02-06'));
    await sweepChases(ctx.db, noon('2025-02-06'));
    expect((await notices(id)).map((n) => n.name)).toEqual(['节点提醒', '节点逾期']);
    expect(await inbox('city_sup', id)).toEqual([expect.stringMatching(/^【节点逾期】/)]);
    const chased = await ctx.db
      .selectFrom('events')
      .select('payload')
      .where('item_id', '=', id)
      .where('type', '=', 'item.chased')
      .execute();
    expect(chased.map((c) => (c.payload as { milestone?: { phase: string } }).milestone?.phase)).toEqual([
      'before',
      'missed',
    ]);
  });

  it('a milestone reached in time is not chased as missed', async () => {
    const id = await started();
    noon('2025-01-27');
    const r = await lead.post(`/api/v1/items/${id}/actions/report`, {
      percent: 60,
      narrative: '方案已印发。',
      milestonesReached: [0],
    });
    expect(r.statusCode, r.body).toBe(200);
    await sweepChases(ctx.db, noon('2025-02-06'));
    expect(await notices(id)).toEqual([]);
    expect((await detail(id)).light).toBe('green');
  });
});
