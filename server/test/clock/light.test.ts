import crypto from 'node:crypto';
import { ITEM_STATUSES, type ItemStatus, type Light } from '@duban/schema';
import fc from 'fast-check';
import { type Insertable, sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildCalendar, workingDaysBetween } from '../../src/calendar/calendar.ts';
import { packagedCalendar } from '../../src/calendar/packaged.ts';
import { type LightColumns, lightFor, lightSql } from '../../src/clock/light.ts';
import { resumeShift } from '../../src/clock/pause.ts';
import { DEFAULT_LIGHT_RULE, lightDates, lightOn } from '../../src/clock/thresholds.ts';
import type { ItemTable } from '../../src/db/schema.ts';
import { ensureStandardCategories } from '../../src/items/categories.ts';
import { importRegions } from '../../src/org/regions.ts';
import { createUnit } from '../../src/org/units.ts';
import { addDays, shanghaiDate } from '../../src/shared/time.ts';
import { createTestContext, type TestContext } from '../support/context.ts';

const LIT: readonly ItemStatus[] = [
  'dispatched',
  'returned',
  'in_progress',
  'completion_requested',
  'suspended',
];
const UNLIT: readonly ItemStatus[] = ITEM_STATUSES.filter((s) => !LIT.includes(s));

const at = (iso: string) => new Date(iso);

describe('lightFor', () => {
  const overdue = {
    light_yellow_on: '2026-01-01',
    light_red_on: '2026-01-02',
    light_overdue_on: '2026-01-03',
    light_lag_on: null,
  };
  it('lights only items whose clock runs or stands paused', () => {
    for (const status of UNLIT)
      expect(lightFor({ ...overdue, status }, at('2026-11-27T04:00:00Z'))).toBeNull();
    for (const status of LIT)
      expect(lightFor({ ...overdue, status }, at('2026-11-27T04:00:00Z'))).toBe('overdue');
  });
});

/** The official calendar as shipped (chinese-days), for hand-worked cases. */
const CAL = buildCalendar(packagedCalendar().days);

// ------------------------------------------------------------------ light dates (pure)

describe('light dates on working days (hand-worked, 2025 Spring Festival)', () => {
  // Dispatched Mon 2025-01-20, due Mon 2025-02-10. 1/26 (Sun) and 2/8 (Sat) are worked; 1/28–2/4
  // are off. Working days in (1/20, 2/10]: 1/21–24, 1/26, 1/27, 2/5–2/8, 2/10 = 11.
  const clock = { startedOn: '2025-01-20', deadline: '2025-02-10', progress: 0 };

  it('puts red, yellow, overdue and lag on the right days', () => {
    const d = lightDates(CAL, clock);
    // red: at most 1 working day left after today — from Sat 2/8 (only 2/10 remains; 2/9 is a Sunday)
    expect(d.redOn).toBe('2025-02-08');
    // yellow: at most 3 left from 2/6 (2/7, 2/8, 2/10); 75 % of 11 = 9 elapsed only on 2/7
    expect(d.yellowOn).toBe('2025-02-06');
    expect(d.overdueOn).toBe('2025-02-11');
    // lag at 0 %: more than 20 % of 11 (2.2) elapsed, i.e. 3 working days — from 1/23
    expect(d.lagOn).toBe('2025-01-23');
  });

  it('raises the light one step while progress lags', () => {
    const idle = lightDates(CAL, clock);
    expect(lightOn(idle, '2025-01-22')).toBe('green');
    expect(lightOn(idle, '2025-01-23')).toBe('yellow');
    expect(lightOn(idle, '2025-02-06')).toBe('red');
    expect(lightOn(idle, '2025-02-11')).toBe('overdue');
    // 60 % reported: lagging only once more than 80 % (8.8) of the working days passed — 2/7
    const busy = lightDates(CAL, { ...clock, progress: 60 });
    expect(busy.lagOn).toBe('2025-02-07');
    expect(lightOn(busy, '2025-02-05')).toBe('green');
    expect(lightOn(busy, '2025-02-06')).toBe('yellow');
    expect(lightOn(busy, '2025-02-07')).toBe('red');
    // done: never lagging
    expect(lightDates(CAL, { ...clock, progress: 100 }).lagOn).toBeNull();
  });

  it('follows the category rule', () => {
    const d = lightDates(CAL, clock, { ...DEFAULT_LIGHT_RULE, yellowWorkingDays: 5, yellowElapsed: 1 });
    expect(d.yellowOn).toBe('2025-01-27'); // 5 left after 1/27: 2/5, 2/6, 2/7, 2/8, 2/10
  });

  it('without a start (not dispatched) uses the remaining days only', () => {
    const d = lightDates(CAL, { ...clock, startedOn: null });
    expect(d).toEqual({ yellowOn: '2025-02-06', redOn: '2025-02-08', overdueOn: '2025-02-11', lagOn: null });
  });

  it('moves a paused deadline on by the working days paused; the holiday costs nothing', () => {
    // stopped Mon 1/27, running again Thu 2/6: 2/5 and 2/6 were working days
    expect(resumeShift(CAL, '2025-01-27', '2025-02-06', '2025-02-10')).toEqual({
      pausedOn: '2025-01-27',
      pausedWorkingDays: 2,
      from: '2025-02-10',
      to: '2025-02-12',
    });
    expect(resumeShift(CAL, '2025-01-27', '2025-02-04', '2025-02-10').to).toBe('2025-02-10');
  });
});

const day = fc.integer({ min: 0, max: 3 * 366 }).map((n) => addDays('2024-01-01', n));

describe('light dates (properties, official calendar 2024–2026)', () => {
  it('keep their order, and the light never gets better as days pass', () => {
    fc.assert(
      fc.property(day, day, fc.integer({ min: 0, max: 100 }), day, day, (a, b, progress, x, y) => {
        const [startedOn, deadline] = a <= b ? [a, b] : [b, a];
        const d = lightDates(CAL, { startedOn, deadline, progress });
        expect(d.yellowOn <= d.redOn && d.redOn < d.overdueOn).toBe(true);
        const rank = { green: 0, yellow: 1, red: 2, overdue: 3 } as const;
        const [early, late] = x <= y ? [x, y] : [y, x];
        expect(rank[lightOn(d, early)]).toBeLessThanOrEqual(rank[lightOn(d, late)]);
        // more progress never makes the light worse
        const more = lightDates(CAL, { startedOn, deadline, progress: Math.min(100, progress + 30) });
        expect(rank[lightOn(more, late)]).toBeLessThanOrEqual(rank[lightOn(d, late)]);
      }),
      { numRuns: 400 },
    );
  });

  it('a missed milestone raises the light from the day after it, a reached one does not', () => {
    const rank = { green: 0, yellow: 1, red: 2, overdue: 3 } as const;
    fc.assert(
      fc.property(day, day, day, fc.integer({ min: 0, max: 100 }), day, (a, b, m, progress, x) => {
        const [startedOn, deadline] = a <= b ? [a, b] : [b, a];
        const plain = lightDates(CAL, { startedOn, deadline, progress });
        const missed = lightDates(CAL, { startedOn, deadline, progress, milestones: [{ date: m }] });
        const reached = lightDates(CAL, {
          startedOn,
          deadline,
          progress,
          milestones: [{ date: m, reachedOn: m }],
        });
        expect(reached).toEqual(plain);
        // never better than without the milestone; one step worse (unless already red) once missed
        expect(rank[lightOn(missed, x)]).toBeGreaterThanOrEqual(rank[lightOn(plain, x)]);
        if (x > m && lightOn(plain, x) !== 'red' && lightOn(plain, x) !== 'overdue') {
          const lagged = plain.lagOn !== null && x >= plain.lagOn;
          if (!lagged) expect(rank[lightOn(missed, x)]).toBe(rank[lightOn(plain, x)] + 1);
        }
        if (x <= m) expect(lightOn(missed, x)).toBe(lightOn(plain, x));
      }),
      { numRuns: 400 },
    );
  });

  it('pausing never shortens a deadline, and shifts by exactly the working days paused', () => {
    fc.assert(
      fc.property(day, fc.integer({ min: 0, max: 60 }), day, (pausedOn, len, deadline) => {
        const today = addDays(pausedOn, len);
        const shift = resumeShift(CAL, pausedOn, today, deadline);
        expect(shift.to >= deadline).toBe(true);
        expect(shift.pausedWorkingDays).toBe(workingDaysBetween(CAL, pausedOn, today));
        if (shift.pausedWorkingDays > 0) {
          expect(workingDaysBetween(CAL, deadline, shift.to)).toBe(shift.pausedWorkingDays);
        }
      }),
      { numRuns: 400 },
    );
  });
});

// ------------------------------------------------------------------ lightSql ≡ lightFor

let ctx: TestContext;
let unitId: string;
let seq = 0;
beforeAll(async () => {
  ctx = await createTestContext();
  await importRegions(ctx.db, { code: '330000' });
  await ensureStandardCategories(ctx.db);
  const unit = await ctx.db
    .transaction()
    .execute((tx) =>
      createUnit(
        tx,
        { name: '杭州市人民政府督查室', kind: 'supervision_office', regionCode: '330100', shortName: '杭' },
        { actorId: null, at: new Date() },
      ),
    );
  unitId = unit.id;
});
afterAll(async () => {
  await ctx?.cleanup();
});

type Row = LightColumns & { status: ItemStatus; clock_paused_on: string | null };

const DAY = 86_400_000;
const FROM = Date.parse('2024-01-01T00:00:00Z');
const TO = Date.parse('2030-12-31T00:00:00Z');

/** Instants: anywhere, or within UTC 15:00–16:59 (Shanghai 23:00–00:59), where dates flip. */
const instant = fc.oneof(
  fc.integer({ min: FROM, max: TO }),
  fc
    .tuple(
      fc.integer({ min: FROM / DAY, max: TO / DAY }),
      fc.integer({ min: 15 * 3_600_000, max: 17 * 3_600_000 - 1 }),
    )
    .map(([d, ms]) => d * DAY + ms),
);

/** Light dates around today (yellow ≤ red < overdue), an optional lag day and pause day. */
function rowFor(now: number) {
  const today = shanghaiDate(new Date(now));
  const near = fc.integer({ min: -6, max: 6 });
  return fc
    .record({
      status: fc.constantFrom(...ITEM_STATUSES),
      yellow: near,
      toRed: fc.integer({ min: 0, max: 4 }),
      toOverdue: fc.integer({ min: 1, max: 4 }),
      lag: fc.option(near),
      paused: fc.option(fc.integer({ min: -8, max: 0 })),
      undated: fc.boolean(),
    })
    .map((r): Row => {
      const yellow = addDays(today, r.yellow);
      const red = addDays(yellow, r.toRed);
      return {
        status: r.status,
        light_yellow_on: r.undated ? null : yellow,
        light_red_on: r.undated ? null : red,
        light_overdue_on: r.undated ? null : addDays(red, r.toOverdue),
        light_lag_on: r.lag === null ? null : addDays(today, r.lag),
        clock_paused_on: r.paused === null ? null : addDays(today, r.paused),
      };
    });
}

const scenario = instant.chain((now) =>
  fc.record({ now: fc.constant(now), rows: fc.array(rowFor(now), { minLength: 1, maxLength: 25 }) }),
);

const jsLight = (r: Row, t: Date) => lightFor(r, t, [r.clock_paused_on]);

/** A full items row for the test unit: only status, light dates and pause day matter here. */
function itemRow(r: Row, id: string, now: Date): Insertable<ItemTable> {
  seq += 1;
  return {
    id,
    number: `杭督〔2026〕${seq}号`,
    assigning_unit_id: unitId,
    number_year: 2026,
    number_seq: seq,
    title: 't',
    content: 'c',
    source: 'work_report',
    category_code: 'livelihood',
    urgency: 'normal',
    sensitivity: 'public',
    status_before_suspend: null,
    supervising_unit_id: null,
    region_code: '330100',
    responsible_persons: '[]',
    deadline: '2026-12-31',
    milestones: '[]',
    targets: '[]',
    parent_id: null,
    weight: 1,
    rectifies_item_id: null,
    is_public: true,
    progress: 0,
    pending_extension: null,
    completion_request: null,
    evaluation: null,
    created_by: null,
    created_at: now,
    updated_at: now,
    dispatched_at: null,
    completed_at: null,
    archived_at: null,
    version: 1,
    ...r,
  };
}

async function sqlLights(now: Date, rows: Row[]): Promise<(Light | null)[]> {
  await ctx.db.deleteFrom('items').execute();
  const ids = rows.map(() => crypto.randomUUID());
  await ctx.db
    .insertInto('items')
    .values(rows.map((r, i) => itemRow(r, ids[i] ?? '', now)))
    .execute();
  const got = await ctx.db
    .selectFrom('items as i')
    .select(['i.id', lightSql(now).as('light')])
    .execute();
  const byId = new Map(got.map((g) => [g.id, g.light]));
  return ids.map((id) => byId.get(id) ?? null);
}

describe('lightSql (in the database) agrees with lightFor', () => {
  it('on random statuses, deadlines, dispatch instants and clocks', async () => {
    await fc.assert(
      fc.asyncProperty(scenario, async ({ now, rows }) => {
        const t = new Date(now);
        const fromSql = await sqlLights(t, rows);
        const fromJs = rows.map((r) => jsLight(r, t));
        expect(fromSql).toEqual(fromJs);
      }),
      { numRuns: 150 },
    );
  });

  it('has every light and null in its range', async () => {
    const t = at('2026-11-27T02:00:00Z'); // Shanghai 2026-11-27
    const dated = (y: string, r: string, o: string, lag: string | null = null) => ({
      light_yellow_on: y,
      light_red_on: r,
      light_overdue_on: o,
      light_lag_on: lag,
    });
    const rows: Row[] = [
      { status: 'draft', ...dated('2026-11-01', '2026-11-02', '2026-11-03'), clock_paused_on: null },
      { status: 'in_progress', ...dated('2026-11-01', '2026-11-02', '2026-11-03'), clock_paused_on: null },
      { status: 'in_progress', ...dated('2026-11-20', '2026-11-27', '2026-11-30'), clock_paused_on: null },
      { status: 'in_progress', ...dated('2026-11-26', '2026-11-30', '2026-12-01'), clock_paused_on: null },
      { status: 'in_progress', ...dated('2026-12-20', '2026-12-24', '2026-12-25'), clock_paused_on: null },
      {
        status: 'in_progress',
        ...dated('2026-12-20', '2026-12-24', '2026-12-25', '2026-11-27'),
        clock_paused_on: null,
      },
      // paused before it turned overdue: frozen at the pause day
      {
        status: 'suspended',
        ...dated('2026-11-01', '2026-11-02', '2026-11-03'),
        clock_paused_on: '2026-10-30',
      },
      {
        status: 'in_progress',
        light_yellow_on: null,
        light_red_on: null,
        light_overdue_on: null,
        light_lag_on: null,
        clock_paused_on: null,
      },
    ];
    expect(await sqlLights(t, rows)).toEqual([
      null,
      'overdue',
      'red',
      'yellow',
      'green',
      'yellow',
      'green',
      null,
    ]);
    expect(rows.map((r) => jsLight(r, t))).toEqual([
      null,
      'overdue',
      'red',
      'yellow',
      'green',
      'yellow',
      'green',
      null,
    ]);
  });

  it('uses the same light in the database whatever the session time zone', async () => {
    const t = at('2026-11-27T16:30:00Z');
    // 16:30 UTC is already 11-28 in Shanghai (and still 11-27 in Los Angeles)
    const rows: Row[] = [
      {
        status: 'in_progress',
        light_yellow_on: '2026-11-28',
        light_red_on: '2026-11-29',
        light_overdue_on: '2026-11-30',
        light_lag_on: null,
        clock_paused_on: null,
      },
      {
        status: 'in_progress',
        light_yellow_on: '2026-11-20',
        light_red_on: '2026-11-27',
        light_overdue_on: '2026-11-28',
        light_lag_on: null,
        clock_paused_on: null,
      },
    ];
    const expected = rows.map((r) => jsLight(r, t));
    expect(expected).toEqual(['yellow', 'overdue']);
    await ctx.db.connection().execute(async (c) => {
      await sql`set time zone 'America/Los_Angeles'`.execute(c);
      try {
        await c.deleteFrom('items').execute();
        const ids = [crypto.randomUUID(), crypto.randomUUID()];
        await c
          .insertInto('items')
          .values(rows.map((r, i) => itemRow(r, ids[i] ?? '', t)))
          .execute();
        const got = await c
          .selectFrom('items as i')
          .select(['i.id', lightSql(t).as('light')])
          .execute();
        expect(ids.map((id) => got.find((g) => g.id === id)?.light ?? null)).toEqual(expected);
      } finally {
        await sql`set time zone default`.execute(c);
      }
    });
  });
});
