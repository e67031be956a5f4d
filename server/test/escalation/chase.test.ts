import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildCalendar } from '../../src/calendar/calendar.ts';
import { packagedCalendar } from '../../src/calendar/packaged.ts';
import { lightDates } from '../../src/clock/thresholds.ts';
import { chaseItem, sweepChases } from '../../src/escalation/chase.ts';
import { chasePlan, DEFAULT_LADDER, dueEntries, ladderOf } from '../../src/escalation/ladder.ts';
import { addDays } from '../../src/shared/time.ts';
import { createTestContext, type TestContext } from '../support/context.ts';
import { buildWorld, type Client, itemBody, type World } from '../support/factories.ts';

const CAL = buildCalendar(packagedCalendar().days);

describe('the ladder (pure, official 2025 calendar)', () => {
  // due Mon 2025-02-10; reminders from the light dates, steps 1, 6, 11, 21 working days after
  const lights = { yellowOn: '2025-02-06', redOn: '2025-02-08' };
  const plan = chasePlan(CAL, '2025-02-10', lights);

  it('dates every reminder and step on working days', () => {
    expect(plan.map((e) => [e.key, e.dueOn])).toEqual([
      ['reminder-yellow@2025-02-10', '2025-02-06'],
      ['reminder-red@2025-02-10', '2025-02-08'],
      ['step-1@2025-02-10', '2025-02-11'],
      ['step-2@2025-02-10', '2025-02-18'],
      ['step-3@2025-02-10', '2025-02-25'],
      ['step-4@2025-02-10', '2025-03-11'],
    ]);
  });

  it('sends only the most pressing reminder, records every step, and names the next day', () => {
    expect(dueEntries(plan, new Set(), '2025-02-05', '2025-02-10')).toEqual({
      due: [],
      nextOn: '2025-02-06',
    });
    const late = dueEntries(plan, new Set(), '2025-02-09', '2025-02-10');
    expect(late.due.map((e) => e.key)).toEqual(['reminder-red@2025-02-10']);
    expect(late.nextOn).toBe('2025-02-11');
    const away = dueEntries(plan, new Set(), '2025-02-19', '2025-02-10'); // the sweep was down a week
    expect(away.due.map((e) => e.key)).toEqual(['step-1@2025-02-10', 'step-2@2025-02-10']);
    const done = new Set(plan.map((e) => e.key));
    expect(dueEntries(plan, done, '2025-12-31', '2025-02-10')).toEqual({ due: [], nextOn: null });
  });

  it('reads a category ladder and falls back to the default when it is malformed', () => {
    const custom = [{ kind: 'urge', name: '催办', color: 'blue', afterWorkingDays: 2 }];
    expect(ladderOf(custom)).toEqual(custom);
    expect(ladderOf([{ kind: 'urge', name: '催办', color: 'green', afterWorkingDays: 2 }])).toBe(
      DEFAULT_LADDER,
    );
    expect(ladderOf(null)).toBe(DEFAULT_LADDER);
  });

  it('never makes a record twice and never skips a step, whatever days the sweep runs', () => {
    const day = fc.integer({ min: 0, max: 700 }).map((n) => addDays('2024-01-01', n));
    fc.assert(
      fc.property(
        day,
        fc.array(fc.integer({ min: 1, max: 15 }), { minLength: 1, maxLength: 40 }),
        (deadline, gaps) => {
          const d = lightDates(CAL, { startedOn: addDays(deadline, -30), deadline, progress: 0 });
          const p = chasePlan(CAL, deadline, d);
          const done = new Set<string>();
          let today = addDays(deadline, -20);
          for (const g of gaps) {
            today = addDays(today, g);
            const { due, nextOn } = dueEntries(p, done, today, deadline);
            for (const e of due) {
              expect(done.has(e.key)).toBe(false);
              expect(e.dueOn <= today).toBe(true);
              done.add(e.key);
            }
            if (nextOn !== null) expect(nextOn > today).toBe(true);
          }
          const steps = p.filter((e) => e.kind === 'escalation' && e.dueOn <= today);
          for (const s of steps) expect(done.has(s.key)).toBe(true);
        },
      ),
      { numRuns: 300 },
    );
  });
});

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

const noon = (date: string) => {
  ctx.setNow(`${date}T04:00:00Z`);
  return new Date(`${date}T04:00:00Z`);
};

async function dispatchedItem(): Promise<string> {
  noon('2025-01-20');
  const id = (await sup.post('/api/v1/items', itemBody({ deadline: '2025-02-10' }))).json().item.id as string;
  const d = await sup.post(`/api/v1/items/${id}/actions/dispatch`, {
    assignments: [{ unitId: w.units.housing, role: 'lead', deadline: '2025-02-10' }],
  });
  expect(d.statusCode, d.body).toBe(200);
  return id;
}

async function notices(itemId: string) {
  return ctx.db
    .selectFrom('supervision_notices')
    .select(['key', 'kind', 'step', 'color', 'name'])
    .where('item_id', '=', itemId)
    .orderBy('due_on')
    .execute();
}

async function inbox(username: string, itemId: string) {
  const rows = await ctx.db
    .selectFrom('notifications')
    .select(['kind', 'title'])
    .where('user_id', '=', w.users[username] as string)
    .where('item_id', '=', itemId)
    .orderBy('seq')
    .execute();
  return rows;
}

describe('the deadline sweep', () => {
  it('reminds before the deadline and climbs the ladder after it, each step once', async () => {
    const id = await dispatchedItem();
    expect(await sweepChases(ctx.db, noon('2025-02-05'))).toMatchObject({ notices: 0 });
    await sweepChases(ctx.db, noon('2025-02-06'));
    await sweepChases(ctx.db, noon('2025-02-06')); // again the same day: nothing new
    expect((await notices(id)).map((n) => n.key)).toEqual(['reminder-yellow@2025-02-10']);
    expect((await inbox('housing_h', id)).map((n) => n.title)).toEqual([
      expect.stringMatching(/^【督办提醒】杭督〔2025〕\d+号 推进老旧小区改造$/),
    ]);
    expect(await inbox('city_sup', id)).toEqual([]);

    await sweepChases(ctx.db, noon('2025-02-08'));
    await sweepChases(ctx.db, noon('2025-02-11'));
    await sweepChases(ctx.db, noon('2025-02-18'));
    expect(await notices(id)).toEqual([
      { key: 'reminder-yellow@2025-02-10', kind: 'reminder', step: null, color: null, name: '督办提醒' },
      { key: 'reminder-red@2025-02-10', kind: 'reminder', step: null, color: null, name: '到期提醒' },
      { key: 'step-1@2025-02-10', kind: 'escalation', step: 1, color: 'blue', name: '催办通知' },
      { key: 'step-2@2025-02-10', kind: 'escalation', step: 2, color: 'yellow', name: '约谈/通报' },
    ]);
    const supInbox = await inbox('city_sup', id);
    expect(supInbox.map((n) => n.title)).toEqual([
      expect.stringMatching(/^【蓝色督办单·催办通知】/),
      expect.stringMatching(/^【黄色督办单·约谈\/通报】/),
    ]);
    expect((await inbox('housing_head', id)).length).toBe(4);
    const chased = await ctx.db
      .selectFrom('events')
      .select('payload')
      .where('item_id', '=', id)
      .where('type', '=', 'item.chased')
      .execute();
    expect(chased.length).toBe(4);
  });

  it('sends nothing twice when two sweeps race on the same items', async () => {
    const ids = [await dispatchedItem(), await dispatchedItem(), await dispatchedItem()];
    const now = noon('2025-02-11');
    const [a, b] = await Promise.all([sweepChases(ctx.db, now), sweepChases(ctx.db, now)]);
    expect((a?.notices ?? 0) + (b?.notices ?? 0)).toBe(3);
    for (const id of ids) {
      expect((await notices(id)).map((n) => n.key)).toEqual(['step-1@2025-02-10']);
      expect((await inbox('housing_h', id)).length).toBe(1);
    }
    expect(await chaseItem(ctx.db, ids[0] as string, now)).toBe(0);
  });

  it('does not chase a suspended item, and restarts after a pause with the moved deadline', async () => {
    const id = await dispatchedItem();
    noon('2025-02-05');
    expect((await sup.post(`/api/v1/items/${id}/actions/suspend`, { reason: '暂缓。' })).statusCode).toBe(
      200,
    );
    await sweepChases(ctx.db, noon('2025-02-20'));
    expect(await notices(id)).toEqual([]);
    noon('2025-02-21');
    expect((await sup.post(`/api/v1/items/${id}/actions/resume`, {})).statusCode).toBe(200);
    const item = (await sup.get(`/api/v1/items/${id}`)).json().item;
    expect(item.deadline > '2025-02-21').toBe(true);
    await sweepChases(ctx.db, noon('2025-02-21'));
    const keys = (await notices(id)).map((n) => n.key);
    expect(keys.every((k) => k.endsWith(`@${item.deadline}`))).toBe(true);
  });
});
