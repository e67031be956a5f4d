import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sweepEmergencies } from '../../src/escalation/emergency.ts';
import { createTestContext, type TestContext } from '../support/context.ts';
import { buildWorld, type Client, itemBody, type World } from '../support/factories.ts';

/**
 * 特急 green channel end to end: a 特急 item is accepted on the units' behalf at dispatch, everyone
 * who must act is alerted at once (urgent), its light runs on hours, and 12 simulated hours without
 * a progress report take it to the leaders — once.
 */
let ctx: TestContext;
let w: World;
let sup: Client;
beforeAll(async () => {
  ctx = await createTestContext();
  w = await buildWorld(ctx);
  sup = await w.as('city_sup');
});
afterAll(async () => {
  await w?.app.close();
  await ctx?.cleanup();
});

const DISPATCH = Date.parse('2026-07-01T02:00:00Z');
const atHour = (hours: number) => {
  const t = new Date(DISPATCH + hours * 3_600_000);
  ctx.setNow(t.toISOString());
  return t;
};

async function emergencyItem(title: string): Promise<string> {
  atHour(-1);
  const res = await sup.post(
    '/api/v1/items',
    itemBody({ title, urgency: 'critical', deadline: '2026-07-03' }),
  );
  expect(res.statusCode, res.body).toBe(201);
  const id = res.json().item.id as string;
  atHour(0);
  const d = await sup.post(`/api/v1/items/${id}/actions/dispatch`, {
    assignments: [
      { unitId: w.units.housing, role: 'lead', deadline: '2026-07-02' },
      { unitId: w.units.education, role: 'collaborator', deadline: '2026-07-02' },
    ],
  });
  expect(d.statusCode, d.body).toBe(200);
  return id;
}

async function inbox(username: string, itemId: string) {
  return ctx.db
    .selectFrom('notifications')
    .select(['kind', 'title', 'urgent'])
    .where('user_id', '=', w.users[username] as string)
    .where('item_id', '=', itemId)
    .orderBy('seq')
    .execute();
}

describe('特急 green channel', () => {
  it('alerts at once, accepts automatically, and escalates to the leader after 12 hours', async () => {
    const id = await emergencyItem('台风过境后紧急排查危旧房');
    const item = (await sup.get(`/api/v1/items/${id}`)).json().item;
    expect(item.status).toBe('in_progress');
    expect(item.assignments.map((a: { status: string }) => a.status)).toEqual(['accepted', 'accepted']);
    expect(item.dueAt).toBe(new Date(DISPATCH + 24 * 3_600_000).toISOString());
    expect(item.light).toBe('yellow');
    for (const user of ['housing_h', 'housing_head', 'edu_h', 'city_sup']) {
      expect(await inbox(user, id), user).toEqual([
        {
          kind: 'item.emergency',
          title: `【特急】${item.number} 台风过境后紧急排查危旧房`,
          urgent: true,
        },
      ]);
    }
    expect(await inbox('leader', id)).toEqual([]);

    atHour(11.9);
    expect(await sweepEmergencies(ctx.db, atHour(11.9))).toBe(0);
    expect(await sweepEmergencies(ctx.db, atHour(12.05))).toBe(1);
    expect(await sweepEmergencies(ctx.db, atHour(12.5))).toBe(0); // once
    expect(await inbox('leader', id)).toEqual([
      {
        kind: 'item.emergency_escalated',
        title: `【特急升级】${item.number} 台风过境后紧急排查危旧房`,
        urgent: true,
      },
    ]);
    expect((await sup.get(`/api/v1/items/${id}`)).json().item.light).toBe('red');
    const events = await ctx.db
      .selectFrom('events')
      .select('payload')
      .where('item_id', '=', id)
      .where('type', '=', 'item.chased')
      .execute();
    expect(events.map((e) => (e.payload as { name: string }).name)).toEqual(['特急升级']);
    atHour(24.01);
    expect((await sup.get(`/api/v1/items/${id}`)).json().item.light).toBe('overdue');
    expect(
      (await sup.get('/api/v1/items?light=overdue&urgency=critical'))
        .json()
        .items.map((i: { id: string }) => i.id),
    ).toContain(id);
  });

  it('does not escalate an item whose unit reported in time', async () => {
    const id = await emergencyItem('紧急转移安置受灾群众');
    atHour(3);
    const r = await (await w.as('housing_h')).post(`/api/v1/items/${id}/actions/report`, {
      percent: 40,
      narrative: '已转移安置 120 人。',
    });
    expect(r.statusCode, r.body).toBe(200);
    expect(await sweepEmergencies(ctx.db, atHour(13))).toBe(0);
    expect(await inbox('leader', id)).toEqual([]);
  });
});
