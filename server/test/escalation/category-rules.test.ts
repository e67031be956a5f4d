import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_LIGHT_RULE } from '../../src/clock/thresholds.ts';
import { sweepChases } from '../../src/escalation/chase.ts';
import { DEFAULT_LADDER } from '../../src/escalation/ladder.ts';
import { redateChangedCategories } from '../../src/items/lights.ts';
import { createUser } from '../../src/org/users.ts';
import { expectProblem } from '../org/support.ts';
import { createTestContext, type TestContext } from '../support/context.ts';
import { buildWorld, type Client, itemBody, PASSWORD, type World } from '../support/factories.ts';

/**
 * 分类规则 through the API: anyone signed in reads a category's light rule and ladder, a
 * province-level admin changes them (a ledger event), the sweep re-dates the category's open items,
 * and the chase follows the new ladder. On the official 2025 calendar (春节 1/28–2/4, 2/8 worked).
 */
let ctx: TestContext;
let w: World;
let admin: Client;
let sup: Client;
let lead: Client;
const URL = '/api/v1/categories/livelihood/rules';

beforeAll(async () => {
  ctx = await createTestContext();
  w = await buildWorld(ctx);
  await createUser(ctx.db, {
    username: 'city_admin',
    displayName: '杭州市管理员',
    password: PASSWORD,
    unitId: w.units.cityOffice as string,
    roles: ['admin'],
  });
  admin = await w.as('admin');
  sup = await w.as('city_sup');
  lead = await w.as('housing_h');
});
afterAll(async () => {
  await w?.app.close();
  await ctx?.cleanup();
});

const noon = (date: string) => {
  ctx.setNow(`${date}T04:00:00Z`);
  return new Date(`${date}T04:00:00Z`);
};

async function stored() {
  return ctx.db
    .selectFrom('categories')
    .select(['light_rule', 'escalation_ladder', 'rules_changed_at'])
    .where('code', '=', 'livelihood')
    .executeTakeFirstOrThrow();
}

async function dispatchedItem(): Promise<string> {
  noon('2025-01-20');
  const id = (await sup.post('/api/v1/items', itemBody({ deadline: '2025-02-10' }))).json().item.id as string;
  const d = await sup.post(`/api/v1/items/${id}/actions/dispatch`, {
    assignments: [{ unitId: w.units.housing, role: 'lead' }],
  });
  expect(d.statusCode, d.body).toBe(200);
  expect((await lead.post(`/api/v1/items/${id}/actions/accept`)).statusCode).toBe(200);
  const r = await lead.post(`/api/v1/items/${id}/actions/report`, { percent: 80, narrative: '进展顺利。' });
  expect(r.statusCode, r.body).toBe(200);
  return id;
}

describe('category rules', () => {
  it('reads the defaults for anyone signed in; an unknown category is a 404', async () => {
    const res = await lead.get(URL);
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json().rules).toMatchObject({
      code: 'livelihood',
      lightRule: DEFAULT_LIGHT_RULE,
      escalationLadder: DEFAULT_LADDER,
      custom: { lightRule: false, escalationLadder: false },
      applied: true,
    });
    expectProblem(await lead.get('/api/v1/categories/no-such/rules'), 404, 'NOT_FOUND');
    const anonymous = await w.app.inject({ method: 'GET', url: URL });
    expect(anonymous.statusCode).toBe(401);
  });

  it('lets only a province-level admin change them, and refuses bad rules naming the field', async () => {
    const body = { lightRule: { ...DEFAULT_LIGHT_RULE, yellowWorkingDays: 5 }, escalationLadder: null };
    expectProblem(await sup.put(URL, body), 403, 'FORBIDDEN');
    expectProblem(await (await w.as('city_admin')).put(URL, body), 403, 'FORBIDDEN');
    const redFirst = { lightRule: { ...DEFAULT_LIGHT_RULE, redWorkingDays: 9 }, escalationLadder: null };
    const r1 = await admin.put(URL, redFirst);
    expect(r1.statusCode).toBe(400);
    expect(r1.json().errors[0].field).toBe('body.lightRule.redWorkingDays');
    const backwards = {
      lightRule: null,
      escalationLadder: [
        { kind: 'urge', name: '催办', color: 'blue', afterWorkingDays: 5 },
        { kind: 'interview', name: '约谈', color: 'yellow', afterWorkingDays: 3 },
      ],
    };
    const r2 = await admin.put(URL, backwards);
    expect(r2.statusCode).toBe(400);
    expect(r2.json().errors[0].field).toBe('body.escalationLadder');
    expectProblem(await admin.put('/api/v1/categories/no-such/rules', body), 404, 'NOT_FOUND');
    expect(await stored()).toEqual({ light_rule: null, escalation_ladder: null, rules_changed_at: null });
  });

  it('a change re-dates the open items of the category in the sweep and the chase follows the new ladder', async () => {
    const id = await dispatchedItem();
    noon('2025-02-05');
    expect((await sup.get(`/api/v1/items/${id}`)).json().item.light).toBe('green');
    const ladder = [{ kind: 'urge', name: '催办函', color: 'blue', afterWorkingDays: 2 }];
    const res = await admin.put(URL, {
      lightRule: { ...DEFAULT_LIGHT_RULE, yellowWorkingDays: 5 },
      escalationLadder: ladder,
    });
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json().rules).toMatchObject({
      custom: { lightRule: true, escalationLadder: true },
      escalationLadder: ladder,
      applied: false,
    });
    const events = await ctx.db
      .selectFrom('events')
      .select('payload')
      .where('type', '=', 'category.rules_changed')
      .execute();
    expect(events.map((e) => (e.payload as { code: string }).code)).toEqual(['livelihood']);

    expect(await redateChangedCategories(ctx.db)).toBeGreaterThanOrEqual(1);
    expect(await redateChangedCategories(ctx.db)).toBe(0); // dated: nothing more to do
    // yellow from the 5th working day before 2/10: 1/27 (2/5, 2/6, 2/7, 2/8 and 2/10 remain)
    expect((await sup.get(`/api/v1/items/${id}`)).json().item.light).toBe('yellow');
    expect((await lead.get(URL)).json().rules.applied).toBe(true);

    await sweepChases(ctx.db, noon('2025-02-11'));
    const steps = () =>
      ctx.db
        .selectFrom('supervision_notices')
        .select(['key', 'name'])
        .where('item_id', '=', id)
        .where('kind', '=', 'escalation')
        .execute();
    expect(await steps()).toEqual([]);
    await sweepChases(ctx.db, noon('2025-02-12'));
    expect(await steps()).toEqual([{ key: 'step-1@2025-02-10', name: '催办函' }]);

    const back = await admin.put(URL, { lightRule: null, escalationLadder: null });
    expect(back.statusCode, back.body).toBe(200);
    expect(back.json().rules.custom).toEqual({ lightRule: false, escalationLadder: false });
  });
});
