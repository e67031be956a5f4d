/**
 * The deadline sweep's keyset paging over (chase_next_on, id): every due item exactly once, in key
 * order, whatever the page size — with many items sharing a chase day (the page boundary falls
 * inside a day) and items not yet due left out.
 */
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fillOpenItems } from '../../bench/fill.ts';
import { forEachDueItem } from '../../src/escalation/chase.ts';
import { itemsDueForChase } from '../../src/items/lights.ts';
import { addDays } from '../../src/shared/time.ts';
import { createTestContext, type TestContext } from '../support/context.ts';
import { buildWorld, type World } from '../support/factories.ts';

const TODAY = '2025-03-12';
const NOW = new Date(`${TODAY}T04:00:00Z`);

describe('forEachDueItem pages', () => {
  let ctx: TestContext;
  let world: World;
  let due: string[];

  beforeAll(async () => {
    ctx = await createTestContext();
    world = await buildWorld(ctx);
    const office = { id: world.units.cityOffice as string, regionCode: '330100' };
    // 60 items due over the last three days (20 a day), 30 over the next three (not due).
    for (const [from, count] of [
      [addDays(TODAY, -2), 60],
      [addDays(TODAY, 1), 30],
    ] as const) {
      await fillOpenItems(ctx.handle, {
        count,
        office,
        today: from,
        chaseDays: 3,
        deadlineFrom: -10,
        deadlineDays: 20,
      });
    }
    const rows = await sql<{ id: string }>`select id from items
      where chase_next_on <= ${TODAY}::date order by chase_next_on, id`.execute(ctx.db);
    due = rows.rows.map((r) => r.id);
  }, 120_000);

  afterAll(async () => {
    await world?.app.close();
    await ctx?.cleanup();
  });

  it('hands every due item once, in (chase_next_on, id) order, for any page size', async () => {
    expect(due).toHaveLength(60);
    for (const batch of [1, 7, 20, 59, 60, 61, 1000]) {
      const seen: string[] = [];
      const n = await forEachDueItem(
        ctx.db,
        NOW,
        async (id) => {
          seen.push(id);
        },
        batch,
      );
      expect(n).toBe(60);
      expect(seen).toEqual(due);
    }
  });

  it('starts a page strictly after the last key of the one before', async () => {
    const first = await itemsDueForChase(ctx.db, TODAY, 25);
    const last = first.at(-1);
    expect(last).toBeDefined();
    const next = await itemsDueForChase(ctx.db, TODAY, 100, last);
    expect([...first, ...next].map((r) => r.id)).toEqual(due);
    // the first page ends inside a day of 20: the second starts on that same day
    expect(next[0]?.on).toBe(last?.on);
  });

  it('has the (chase_next_on, id) index the pages range over', async () => {
    const idx = await sql<{ indexdef: string }>`select indexdef from pg_indexes
      where tablename = 'items' and indexname = 'items_chase_next_idx'`.execute(ctx.db);
    expect(idx.rows[0]?.indexdef).toMatch(/\(chase_next_on, id\) WHERE \(chase_next_on IS NOT NULL\)/);
  });
});
