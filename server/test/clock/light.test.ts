import crypto from 'node:crypto';
import { ITEM_STATUSES, type ItemStatus, type Light } from '@duban/schema';
import fc from 'fast-check';
import { type Insertable, sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { lightFor, lightSql } from '../../src/clock/light.ts';
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

/** Midnight of a Shanghai date, as an instant. */
const shanghaiMidnight = (date: string) => new Date(`${date}T00:00:00+08:00`);
const at = (iso: string) => new Date(iso);

describe('lightFor (pure)', () => {
  // 2026-11-27 10:00 in Shanghai.
  const now = at('2026-11-27T02:00:00Z');
  const light = (
    deadline: string,
    dispatchedAt: string | Date | null = null,
    status: ItemStatus = 'in_progress',
  ) => lightFor({ status, deadline, dispatchedAt }, now);

  it('is red on the deadline day and the day before it', () => {
    expect(light('2026-11-27')).toBe('red');
    expect(light('2026-11-28')).toBe('red');
  });

  it('is yellow when two or three days remain', () => {
    expect(light('2026-11-29')).toBe('yellow');
    expect(light('2026-11-30')).toBe('yellow');
  });

  it('is green when four or more days remain and less than 75% of the time has passed', () => {
    expect(light('2026-12-01')).toBe('green');
    expect(light('2027-06-30', '2026-11-01T00:00:00Z')).toBe('green');
  });

  it('turns yellow at exactly 75% of the time from dispatch to the end of the deadline day', () => {
    // Deadline 2026-12-07 ends at 2026-12-08T00:00+08:00 = 2026-12-07T16:00Z; now is 02:00Z on 11-27.
    const end = shanghaiMidnight('2026-12-08').getTime();
    // start such that (now − start) = 0.75 (end − start)  ⇔  start = 4·now − 3·end
    const start = 4 * now.getTime() - 3 * end;
    expect(light('2026-12-07', new Date(start))).toBe('yellow');
    expect(light('2026-12-07', new Date(start + 1))).toBe('green');
    expect(light('2026-12-07', new Date(start - 1))).toBe('yellow');
    expect(light('2026-12-07', new Date(start).toISOString())).toBe('yellow');
  });

  it('is overdue the day after the deadline', () => {
    expect(light('2026-11-26')).toBe('overdue');
    expect(light('2025-01-01', '2024-12-01T00:00:00Z')).toBe('overdue');
  });

  it('flips at Shanghai midnight (16:00 UTC), not UTC midnight', () => {
    const before = at('2026-11-27T15:59:59.999Z'); // 23:59:59.999 on 11-27 in Shanghai
    const after = at('2026-11-27T16:00:00.000Z'); // 00:00 on 11-28 in Shanghai
    const l = (deadline: string, t: Date) =>
      lightFor({ status: 'dispatched', deadline, dispatchedAt: null }, t);
    expect(l('2026-11-27', before)).toBe('red');
    expect(l('2026-11-27', after)).toBe('overdue');
    expect(l('2026-11-29', before)).toBe('yellow');
    expect(l('2026-11-29', after)).toBe('red');
    expect(l('2026-12-01', before)).toBe('green');
    expect(l('2026-12-01', after)).toBe('yellow');
  });

  it('lights every active status and none of the others', () => {
    for (const status of LIT) expect(light('2026-11-20', null, status)).toBe('overdue');
    for (const status of UNLIT) {
      expect(light('2026-11-20', null, status)).toBeNull();
      expect(light('2026-11-27', '2026-11-01T00:00:00Z', status)).toBeNull();
      expect(light('2027-11-27', '2026-11-01T00:00:00Z', status)).toBeNull();
    }
  });

  it('treats a dispatch at or after the end of the deadline day as fully elapsed', () => {
    expect(light('2026-12-10', '2026-12-10T16:00:00Z')).toBe('yellow');
    expect(light('2026-12-10', '2027-01-01T00:00:00Z')).toBe('yellow');
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

type Row = { status: ItemStatus; deadline: string; dispatchedAt: Date | null };

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
  fc
    .tuple(fc.integer({ min: FROM / DAY, max: TO / DAY }), fc.constantFrom(-1, 0, 1))
    .map(([d, ms]) => d * DAY + 16 * 3_600_000 + ms),
);

function rowFor(now: number) {
  const today = shanghaiDate(new Date(now));
  const deadline = fc
    .oneof(fc.integer({ min: -5, max: 8 }), fc.integer({ min: -400, max: 800 }))
    .map((d) => addDays(today, d));
  return fc
    .record({
      status: fc.constantFrom(...ITEM_STATUSES),
      deadline,
      kind: fc.constantFrom('null', 'random', 'boundary', 'afterEnd'),
      offset: fc.integer({ min: -3, max: 3 }),
      dispatched: fc.integer({ min: now - 900 * DAY, max: now + 30 * DAY }),
    })
    .map(({ status, deadline: d, kind, offset, dispatched }): Row => {
      const end = shanghaiMidnight(addDays(d, 1)).getTime();
      let dispatchedAt: Date | null = null;
      if (kind === 'random') dispatchedAt = new Date(dispatched);
      // exactly 75% elapsed (± a few ms)
      if (kind === 'boundary') dispatchedAt = new Date(4 * now - 3 * end + offset);
      // dispatched at or after the end of the deadline day (clock skew, imported data)
      if (kind === 'afterEnd') dispatchedAt = new Date(end + Math.abs(dispatched - now) + offset);
      return { status, deadline: d, dispatchedAt };
    });
}

const scenario = instant.chain((now) =>
  fc.record({ now: fc.constant(now), rows: fc.array(rowFor(now), { minLength: 1, maxLength: 25 }) }),
);

/** A full items row for the test unit: only status, deadline and dispatch time matter here. */
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
    status: r.status,
    status_before_suspend: null,
    supervising_unit_id: null,
    region_code: '330100',
    responsible_persons: '[]',
    deadline: r.deadline,
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
    dispatched_at: r.dispatchedAt,
    completed_at: null,
    archived_at: null,
    version: 1,
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
        const fromJs = rows.map((r) => lightFor(r, t));
        expect(fromSql).toEqual(fromJs);
      }),
      { numRuns: 150 },
    );
  });

  it('at the fixed boundaries around Shanghai midnight', async () => {
    const rows: Row[] = [];
    for (const status of ITEM_STATUSES)
      for (let d = -2; d <= 5; d++)
        rows.push({ status, deadline: addDays('2026-11-27', d), dispatchedAt: at('2026-11-01T00:00:00Z') });
    for (const instantIso of [
      '2026-11-27T15:00:00.000Z',
      '2026-11-27T15:59:59.999Z',
      '2026-11-27T16:00:00.000Z',
      '2026-11-27T16:59:59.999Z',
    ]) {
      const t = at(instantIso);
      expect(await sqlLights(t, rows)).toEqual(rows.map((r) => lightFor(r, t)));
    }
  });

  it('has every light and null in its range', async () => {
    const t = at('2026-11-27T02:00:00Z');
    const rows: Row[] = [
      { status: 'draft', deadline: '2026-11-27', dispatchedAt: null },
      { status: 'in_progress', deadline: '2026-11-20', dispatchedAt: null },
      { status: 'in_progress', deadline: '2026-11-28', dispatchedAt: null },
      { status: 'in_progress', deadline: '2026-11-30', dispatchedAt: null },
      { status: 'in_progress', deadline: '2027-11-30', dispatchedAt: at('2026-11-01T00:00:00Z') },
    ];
    expect(await sqlLights(t, rows)).toEqual([null, 'overdue', 'red', 'yellow', 'green']);
  });

  it('uses the same light in the database whatever the session time zone', async () => {
    const t = at('2026-11-27T15:30:00Z');
    const rows: Row[] = [
      { status: 'in_progress', deadline: '2026-12-02', dispatchedAt: at('2026-11-01T00:00:00Z') },
      { status: 'in_progress', deadline: '2026-11-27', dispatchedAt: at('2026-11-01T00:00:00Z') },
    ];
    const expected = rows.map((r) => lightFor(r, t));
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
