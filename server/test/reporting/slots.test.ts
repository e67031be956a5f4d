import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { remindItemSlots, sweepReportSlots } from '../../src/reporting/reminders.ts';
import { createTestContext, type TestContext } from '../support/context.ts';
import { buildWorld, type Client, itemBody, type World } from '../support/factories.ts';

let ctx: TestContext;
let w: World;
let sup: Client;
let lead: Client;
let collab: Client;
beforeAll(async () => {
  ctx = await createTestContext();
  w = await buildWorld(ctx);
  sup = await w.as('city_sup');
  lead = await w.as('housing_h');
  collab = await w.as('edu_h');
});
afterAll(async () => {
  await w?.app.close();
  await ctx?.cleanup();
});

const noon = (date: string) => {
  ctx.setNow(`${date}T04:00:00Z`);
  return new Date(`${date}T04:00:00Z`);
};

const MONTHLY_1 = { kind: 'monthly', day: 1 };

/** Registered and dispatched on 2025-09-15 (housing leads, education helps), accepted by both. */
async function dispatchedItem(reportSchedule: unknown = MONTHLY_1): Promise<string> {
  noon('2025-09-15');
  const created = await sup.post('/api/v1/items', itemBody({ deadline: '2025-12-31', reportSchedule }));
  expect(created.statusCode, created.body).toBe(201);
  const id = created.json().item.id as string;
  const d = await sup.post(`/api/v1/items/${id}/actions/dispatch`, {
    assignments: [
      { unitId: w.units.housing, role: 'lead', deadline: '2025-12-31' },
      { unitId: w.units.education, role: 'collaborator', deadline: '2025-12-31' },
    ],
  });
  expect(d.statusCode, d.body).toBe(200);
  for (const c of [lead, collab])
    expect((await c.post(`/api/v1/items/${id}/actions/accept`)).statusCode).toBe(200);
  return id;
}

async function slots(id: string, client: Client = sup) {
  const res = await client.get(`/api/v1/items/${id}/report-slots`);
  expect(res.statusCode, res.body).toBe(200);
  return res.json() as {
    reportSchedule: unknown;
    scheduleLabel: string | null;
    slots: { period: string; dueOn: string; filled: boolean; reportId: string | null; late: boolean }[];
  };
}

async function report(client: Client, id: string, date: string, narrative = '本月推进情况。') {
  noon(date);
  const res = await client.post(`/api/v1/items/${id}/actions/report`, { percent: 30, narrative });
  expect(res.statusCode, res.body).toBe(200);
  const last = await ctx.db
    .selectFrom('progress_reports')
    .select('id')
    .where('item_id', '=', id)
    .orderBy('ord', 'desc')
    .executeTakeFirstOrThrow();
  return last.id;
}

async function inbox(username: string, itemId: string) {
  return ctx.db
    .selectFrom('notifications')
    .select(['kind', 'title'])
    .where('user_id', '=', w.users[username] as string)
    .where('item_id', '=', itemId)
    .where('kind', 'like', 'item.report_%')
    .orderBy('seq')
    .execute();
}

async function reminded(itemId: string) {
  const rows = await ctx.db
    .selectFrom('events')
    .select('payload')
    .where('item_id', '=', itemId)
    .where('type', '=', 'item.report_reminded')
    .orderBy('seq')
    .execute();
  return rows.map((r) => {
    const p = r.payload as { kind: string; period: string; dueOn: string };
    return [p.kind, p.period, p.dueOn];
  });
}

describe('report slots through the API', () => {
  it('creates the first slot due after dispatch, fills it, and shows it in the item detail', async () => {
    const id = await dispatchedItem();
    // September's report (due 09-01) came before dispatch; October's moves past the holiday.
    expect(await slots(id)).toEqual({
      reportSchedule: MONTHLY_1,
      scheduleLabel: '每月1日前',
      slots: [
        {
          period: '2025-10',
          periodName: '2025年10月',
          dueOn: '2025-10-09',
          filled: false,
          filledAt: null,
          reportId: null,
          late: false,
        },
      ],
    });
    // A collaborator's report is not the item's periodic report.
    await report(collab, id, '2025-10-09', '配合单位进展。');
    expect((await slots(id)).slots.map((s) => s.filled)).toEqual([false, false]);
    // The lead unit's report on the due day fills October; a second one the same day fills nothing ahead.
    const first = await report(lead, id, '2025-10-09');
    await report(lead, id, '2025-10-09', '补充情况。');
    expect((await slots(id)).slots).toMatchObject([
      { period: '2025-10', dueOn: '2025-10-09', filled: true, reportId: first, late: false },
      { period: '2025-11', dueOn: '2025-11-03', filled: false, reportId: null },
    ]);
    // The next report, after October's due date, belongs to November's window.
    const next = await report(lead, id, '2025-10-20');
    const detail = (await sup.get(`/api/v1/items/${id}`)).json().item;
    expect(detail.reportSchedule).toEqual(MONTHLY_1);
    expect(detail.reportSlots).toMatchObject([
      { period: '2025-10', filled: true, reportId: first },
      { period: '2025-11', filled: true, reportId: next, late: false },
    ]);
  });

  it('fills the oldest missed slot with a late report, marked late', async () => {
    const id = await dispatchedItem();
    await sweepReportSlots(ctx.db, noon('2025-10-10')); // moves on to November
    const late = await report(lead, id, '2025-10-20');
    expect((await slots(id)).slots).toMatchObject([
      { period: '2025-10', filled: true, reportId: late, late: true },
      { period: '2025-11', filled: false },
    ]);
  });

  it('stores no slot for an item without a schedule, and a schedule set before dispatch', async () => {
    noon('2025-09-15');
    const plain = (await sup.post('/api/v1/items', itemBody({ deadline: '2025-12-31' }))).json().item;
    expect(plain.reportSchedule).toBeNull();
    expect(plain.reportSlots).toEqual([]);
    const patched = await sup.patch(
      `/api/v1/items/${plain.id}`,
      { reportSchedule: { kind: 'quarterly', month: 1, day: 20 } },
      { 'if-match': `"${plain.version}"` },
    );
    expect(patched.statusCode, patched.body).toBe(200);
    expect(patched.json().item.reportSchedule).toEqual({ kind: 'quarterly', month: 1, day: 20 });
    expect((await slots(plain.id)).scheduleLabel).toBe('每季度第1个月20日前');
    const d = await sup.post(`/api/v1/items/${plain.id}/actions/dispatch`, {
      assignments: [{ unitId: w.units.housing, role: 'lead', deadline: '2025-12-31' }],
    });
    expect(d.statusCode, d.body).toBe(200);
    expect((await slots(plain.id)).slots.map((s) => [s.period, s.dueOn])).toEqual([
      ['2025-Q4', '2025-10-20'],
    ]);
  });

  it('drops open slots not yet due when the item stops, and starts again from the present on resume', async () => {
    const id = await dispatchedItem({ kind: 'weekly', weekday: 5 });
    expect((await slots(id)).slots.map((s) => s.period)).toEqual(['2025-W38', '2025-W39']);
    noon('2025-09-17');
    expect((await sup.post(`/api/v1/items/${id}/actions/suspend`, { reason: '暂缓。' })).statusCode).toBe(
      200,
    );
    expect((await slots(id)).slots).toEqual([]);
    expect(await sweepReportSlots(ctx.db, noon('2025-09-22'))).toMatchObject({ reminders: 0 });
    expect((await slots(id)).slots).toEqual([]);
    noon('2025-10-13');
    expect((await sup.post(`/api/v1/items/${id}/actions/resume`, {})).statusCode).toBe(200);
    expect((await slots(id)).slots.map((s) => [s.period, s.dueOn])).toEqual([
      ['2025-W42', '2025-10-17'],
      ['2025-W43', '2025-10-24'],
    ]);
  });
});

describe('reminders', () => {
  it('reminds the lead unit once, a working day before the due date, however often the sweep runs', async () => {
    const id = await dispatchedItem();
    await sweepReportSlots(ctx.db, noon('2025-09-29'));
    expect(await reminded(id)).toEqual([]);
    // Due 10-09, after the holiday: the working day before is 09-30.
    await sweepReportSlots(ctx.db, noon('2025-09-30'));
    await sweepReportSlots(ctx.db, noon('2025-09-30'));
    await sweepReportSlots(ctx.db, noon('2025-10-08'));
    expect(await reminded(id)).toEqual([['due', '2025-10', '2025-10-09']]);
    expect(await inbox('housing_h', id)).toEqual([
      {
        kind: 'item.report_due',
        title: expect.stringMatching(/^【报送提醒】杭督〔2025〕\d+号 推进老旧小区改造$/),
      },
    ]);
    expect((await inbox('housing_head', id)).length).toBe(1);
    expect(await inbox('city_sup', id)).toEqual([]);
    expect(await inbox('edu_h', id)).toEqual([]);
  });

  it('sends a 缺报 reminder after the due date to the lead unit and the supervisors, once', async () => {
    const id = await dispatchedItem();
    await sweepReportSlots(ctx.db, noon('2025-10-09')); // due today: the 'due' reminder
    expect(await inbox('city_sup', id)).toEqual([]);
    // The first working day after: two workers racing on the item, one of them sends.
    const now = noon('2025-10-10');
    const [a, b] = await Promise.all([remindItemSlots(ctx.db, id, now), remindItemSlots(ctx.db, id, now)]);
    expect(a + b).toBe(1);
    expect(await remindItemSlots(ctx.db, id, noon('2025-10-13'))).toBe(0);
    expect(await reminded(id)).toEqual([
      ['due', '2025-10', '2025-10-09'],
      ['missing', '2025-10', '2025-10-09'],
    ]);
    expect((await inbox('city_sup', id)).map((n) => n.title)).toEqual([
      expect.stringMatching(/^【缺报提醒】/),
    ]);
    expect((await inbox('housing_h', id)).map((n) => n.kind)).toEqual([
      'item.report_due',
      'item.report_missing',
    ]);
    // A filled slot is never reminded: November is filled before its reminder day.
    await report(lead, id, '2025-10-14'); // fills the missed October
    await report(lead, id, '2025-10-20'); // fills November
    await sweepReportSlots(ctx.db, noon('2025-10-31'));
    await sweepReportSlots(ctx.db, noon('2025-11-04'));
    expect((await reminded(id)).length).toBe(2);
  });

  it('sends each reminder once when two sweeps race', async () => {
    const ids = [await dispatchedItem(), await dispatchedItem()];
    const now = noon('2025-09-30');
    const [a, b] = await Promise.all([sweepReportSlots(ctx.db, now), sweepReportSlots(ctx.db, now)]);
    for (const id of ids) expect(await reminded(id)).toEqual([['due', '2025-10', '2025-10-09']]);
    expect((await inbox('housing_h', ids[0] as string)).length).toBe(1);
    // Earlier items of this file have nothing due on 09-30: the two sweeps sent two between them.
    expect(a.reminders + b.reminders).toBe(2);
  });
});

describe('authorization and validation', () => {
  it('answers 404 outside the data scope, and 401 without a session', async () => {
    const id = await dispatchedItem();
    const outsider = await w.as('ningbo_h');
    const res = await outsider.get(`/api/v1/items/${id}/report-slots`);
    expect(res.statusCode).toBe(404);
    expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(res.json().code).toBe('ITEM_NOT_FOUND');
    expect((await w.app.inject({ method: 'GET', url: `/api/v1/items/${id}/report-slots` })).statusCode).toBe(
      401,
    );
    expect((await slots(id, lead)).slots.length).toBe(1);
    const bad = await lead.get('/api/v1/items/not-a-uuid/report-slots');
    expect(bad.statusCode).toBe(400);
    expect(bad.json()).toMatchObject({ code: 'VALIDATION_FAILED', field: 'params.id' });
  });

  it('refuses a bad schedule with 400 naming the field, and writes nothing', async () => {
    noon('2025-09-15');
    const before = await ctx.db
      .selectFrom('items')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .executeTakeFirstOrThrow();
    for (const [schedule, field] of [
      [{ kind: 'weekly', weekday: 8 }, 'body.reportSchedule.weekday'],
      [{ kind: 'quarterly', month: 4, day: 20 }, 'body.reportSchedule.month'],
      [{ kind: 'monthly', day: 0 }, 'body.reportSchedule.day'],
      [{ kind: 'daily' }, 'body.reportSchedule.kind'],
    ] as const) {
      const res = await sup.post(
        '/api/v1/items',
        itemBody({ deadline: '2025-12-31', reportSchedule: schedule }),
      );
      expect(res.statusCode, JSON.stringify(schedule)).toBe(400);
      expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
      const body = res.json();
      expect(body.errors.map((e: { field: string }) => e.field)).toContain(field);
      expect(body.errors.every((e: { messageZh: string }) => e.messageZh.length > 0)).toBe(true);
    }
    const after = await ctx.db
      .selectFrom('items')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .executeTakeFirstOrThrow();
    expect(Number(after.n)).toBe(Number(before.n));
  });
});
