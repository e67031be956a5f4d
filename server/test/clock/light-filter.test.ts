import crypto from 'node:crypto';
import { ITEM_STATUSES, type ItemStatus, LIGHTS, type Light } from '@duban/schema';
import fc from 'fast-check';
import { type Insertable, sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type LightColumns, lightFor, lightInSql, lightSql } from '../../src/clock/light.ts';
import type { ItemTable } from '../../src/db/schema.ts';
import { ensureStandardCategories } from '../../src/items/categories.ts';
import { importRegions } from '../../src/org/regions.ts';
import { createUnit } from '../../src/org/units.ts';
import { addDays, shanghaiDate } from '../../src/shared/time.ts';
import { createTestContext, type TestContext } from '../support/context.ts';

/**
 * lightInSql (the list filter on lights: index-usable bounds, then the exact light) selects exactly
 * the rows whose lightFor / lightSql light is one of those asked for — every light, paused clocks,
 * progress lag and 特急 items (due_at) included.
 */

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

type Row = LightColumns & { status: ItemStatus; clock_paused_on: string | null; due_at: Date | null };

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const FROM = Date.parse('2024-01-01T00:00:00Z');
const TO = Date.parse('2030-12-31T00:00:00Z');

/** Instants: anywhere, or within UTC 15:00–16:59 (Shanghai 23:00–00:59), where dates flip. */
const instant = fc.oneof(
  fc.integer({ min: FROM, max: TO }),
  fc
    .tuple(fc.integer({ min: FROM / DAY, max: TO / DAY }), fc.integer({ min: 15 * HOUR, max: 17 * HOUR - 1 }))
    .map(([d, ms]) => d * DAY + ms),
);

/** Light dates around today (yellow ≤ red < overdue), optional lag, pause day and 特急 limit. */
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
      // 特急: the end of its 24 hours, from well past to well ahead, around the 12-hour mark
      due: fc.option(fc.integer({ min: -40 * HOUR, max: 40 * HOUR }), { freq: 3 }),
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
        due_at: r.due === null ? null : new Date(now + r.due),
      };
    });
}

const jsLight = (r: Row, t: Date) => lightFor(r, t, [r.clock_paused_on]);

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

async function store(rows: Row[], now: Date): Promise<string[]> {
  await ctx.db.deleteFrom('items').execute();
  const ids = rows.map(() => crypto.randomUUID());
  await ctx.db
    .insertInto('items')
    .values(rows.map((r, i) => itemRow(r, ids[i] ?? '', now)))
    .execute();
  return ids;
}

/** The ids lightInSql selects, and those whose lightFor light is in `lights` (both sorted). */
async function compare(ids: string[], rows: Row[], now: Date, lights: readonly Light[]) {
  const got = await ctx.db.selectFrom('items as i').select('i.id').where(lightInSql(now, lights)).execute();
  const expected = ids.filter((_, k) => {
    const l = jsLight(rows[k] as Row, now);
    return l !== null && lights.includes(l);
  });
  return { got: got.map((g) => g.id).sort(), expected: expected.sort() };
}

/** Every non-empty set of lights. */
const LIGHT_SETS: Light[][] = Array.from({ length: 2 ** LIGHTS.length - 1 }, (_, m) =>
  LIGHTS.filter((_, k) => ((m + 1) >> k) & 1),
);

describe('lightInSql selects exactly the rows of the asked lights', () => {
  it('on hand-made rows: every light, paused, lagging and 特急, for every set of lights', async () => {
    const t = new Date('2026-11-27T02:00:00Z'); // Shanghai 2026-11-27 10:00
    const dated = (y: string, r: string, o: string, lag: string | null = null) => ({
      light_yellow_on: y,
      light_red_on: r,
      light_overdue_on: o,
      light_lag_on: lag,
    });
    const base = { clock_paused_on: null, due_at: null };
    const rows: Row[] = [
      { status: 'draft', ...dated('2026-11-01', '2026-11-02', '2026-11-03'), ...base },
      { status: 'completed', ...dated('2026-11-01', '2026-11-02', '2026-11-03'), ...base },
      { status: 'in_progress', ...dated('2026-11-01', '2026-11-02', '2026-11-03'), ...base },
      { status: 'in_progress', ...dated('2026-11-20', '2026-11-27', '2026-11-30'), ...base },
      { status: 'dispatched', ...dated('2026-11-26', '2026-11-30', '2026-12-01'), ...base },
      { status: 'in_progress', ...dated('2026-12-20', '2026-12-24', '2026-12-25'), ...base },
      // lag raises green to yellow and yellow to red
      { status: 'in_progress', ...dated('2026-12-20', '2026-12-24', '2026-12-25', '2026-11-27'), ...base },
      { status: 'returned', ...dated('2026-11-26', '2026-11-30', '2026-12-01', '2026-11-20'), ...base },
      // lag from after the pause day does not count
      {
        status: 'suspended',
        ...dated('2026-11-26', '2026-11-30', '2026-12-01', '2026-11-27'),
        clock_paused_on: '2026-11-26',
        due_at: null,
      },
      // paused before it turned overdue, red or yellow: frozen at the pause day
      {
        status: 'suspended',
        ...dated('2026-11-01', '2026-11-02', '2026-11-03'),
        clock_paused_on: '2026-10-30',
        due_at: null,
      },
      {
        status: 'suspended',
        ...dated('2026-11-01', '2026-11-02', '2026-11-03'),
        clock_paused_on: '2026-11-02',
        due_at: null,
      },
      {
        status: 'completion_requested',
        ...dated('2026-11-01', '2026-11-02', '2026-11-03'),
        clock_paused_on: '2026-11-01',
        due_at: null,
      },
      // 特急: overdue, red (within 12 hours), yellow; its dates do not count
      {
        status: 'in_progress',
        ...dated('2026-12-20', '2026-12-24', '2026-12-25'),
        clock_paused_on: null,
        due_at: new Date('2026-11-27T01:00:00Z'),
      },
      {
        status: 'dispatched',
        ...dated('2026-12-20', '2026-12-24', '2026-12-25'),
        clock_paused_on: null,
        due_at: new Date('2026-11-27T13:00:00Z'),
      },
      {
        status: 'dispatched',
        ...dated('2026-11-01', '2026-11-02', '2026-11-03'),
        clock_paused_on: null,
        due_at: new Date('2026-11-28T01:00:00Z'),
      },
      { status: 'cancelled', ...dated('2026-11-01', '2026-11-02', '2026-11-03'), ...base, due_at: t },
      // undated
      {
        status: 'in_progress',
        light_yellow_on: null,
        light_red_on: null,
        light_overdue_on: null,
        light_lag_on: null,
        ...base,
      },
    ];
    expect(rows.map((r) => jsLight(r, t))).toEqual([
      null,
      null,
      'overdue',
      'red',
      'yellow',
      'green',
      'yellow',
      'red',
      'yellow',
      'green',
      'red',
      'yellow',
      'overdue',
      'red',
      'yellow',
      null,
      null,
    ]);
    const ids = await store(rows, t);
    // lightSql agrees on these rows too
    const sqlLights = await ctx.db
      .selectFrom('items as i')
      .select(['i.id', lightSql(t).as('light')])
      .execute();
    const byId = new Map(sqlLights.map((r) => [r.id, r.light]));
    expect(ids.map((id) => byId.get(id) ?? null)).toEqual(rows.map((r) => jsLight(r, t)));
    for (const lights of LIGHT_SETS) {
      const { got, expected } = await compare(ids, rows, t, lights);
      expect(got, lights.join(',')).toEqual(expected);
    }
    expect((await compare(ids, rows, t, [])).got).toEqual([]);
  });

  it('on random statuses, light dates, lags, pauses, 特急 limits and instants', async () => {
    const scenario = instant.chain((now) =>
      fc.record({
        now: fc.constant(now),
        rows: fc.array(rowFor(now), { minLength: 1, maxLength: 30 }),
        sets: fc.array(fc.constantFrom(...LIGHT_SETS), { minLength: 1, maxLength: 4 }),
      }),
    );
    await fc.assert(
      fc.asyncProperty(scenario, async ({ now, rows, sets }) => {
        const t = new Date(now);
        const ids = await store(rows, t);
        for (const lights of sets) {
          const { got, expected } = await compare(ids, rows, t, lights);
          expect(got, lights.join(',')).toEqual(expected);
        }
      }),
      { numRuns: 80 },
    );
  });

  it('leads with conditions the list index answers (migration 0030)', async () => {
    const t = new Date('2026-11-27T02:00:00Z');
    // Force ordered index paths: the table is tiny; the question is only whether this index can serve
    // (its expressions must be the ones lightInSql writes).
    const plan = await ctx.db.connection().execute(async (c) => {
      await sql`set enable_seqscan = off`.execute(c);
      await sql`set enable_bitmapscan = off`.execute(c);
      await sql`set enable_sort = off`.execute(c);
      try {
        const lines: string[] = [];
        for (const lights of [['overdue'], ['red', 'overdue']] as Light[][]) {
          const q = c
            .selectFrom('items as i')
            .select('i.id')
            .where(lightInSql(t, lights))
            .orderBy('i.created_at', 'desc')
            .orderBy('i.id', 'desc')
            .limit(51)
            .compile();
          const { rows } = await c.executeQuery<Record<string, string>>({
            ...q,
            sql: `explain ${q.sql}`,
          });
          lines.push(rows.map((r) => Object.values(r)[0]).join('\n'));
        }
        return lines;
      } finally {
        await sql`reset enable_seqscan`.execute(c);
        await sql`reset enable_bitmapscan`.execute(c);
        await sql`reset enable_sort`.execute(c);
      }
    });
    for (const p of plan) {
      expect(p).toContain('items_lit_created_idx');
      // the light bound is an index condition, not a filter over fetched rows
      expect(p).toMatch(/Index Cond: \(LEAST\(/i);
    }
  });
});
