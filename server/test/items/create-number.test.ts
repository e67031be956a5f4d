import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestContext, type TestContext } from '../support/context.ts';
import { buildWorld, itemBody, type World } from '../support/factories.ts';

/** 立项 takes the unit's number and writes the item in one statement: the number's format, the rows. */
let ctx: TestContext;
let w: World;
beforeAll(async () => {
  ctx = await createTestContext();
  ctx.setNow('2026-11-27T02:00:00Z');
  w = await buildWorld(ctx);
});
afterAll(async () => {
  await w.app.close();
  await ctx.cleanup();
});

describe('立项 numbering and rows', () => {
  it('pads numbers to four digits and keeps longer ones whole', async () => {
    const sup = await w.as('city_sup');
    const first = await sup.post('/api/v1/items', itemBody({ title: '编号一' }));
    expect(first.statusCode, first.body).toBe(201);
    expect(first.json().item.number).toBe('杭督〔2026〕0001号');
    for (const [last, expected] of [
      [9998, '杭督〔2026〕9999号'],
      [9999, '杭督〔2026〕10000号'],
      [123455, '杭督〔2026〕123456号'],
    ] as const) {
      await ctx.db
        .updateTable('item_number_counters')
        .set({ last_value: last })
        .where('unit_id', '=', w.units.cityOffice as string)
        .where('year', '=', 2026)
        .execute();
      const res = await sup.post('/api/v1/items', itemBody({ title: `编号${expected}` }));
      expect(res.statusCode, res.body).toBe(201);
      expect(res.json().item.number).toBe(expected);
      const row = await ctx.db
        .selectFrom('items')
        .select(['number', 'number_seq'])
        .where('id', '=', res.json().item.id)
        .executeTakeFirstOrThrow();
      expect(row).toEqual({ number: expected, number_seq: last + 1 });
    }
  });

  it('writes the light dates and the involved units as the shared helpers would', async () => {
    const sup = await w.as('city_sup');
    const res = await sup.post(
      '/api/v1/items',
      itemBody({
        title: '监督单位与节点',
        supervisingUnitId: w.units.provOffice,
        milestones: [{ name: '方案', date: '2027-01-15' }],
      }),
    );
    expect(res.statusCode, res.body).toBe(201);
    const id = res.json().item.id as string;
    const stored = await ctx.db
      .selectFrom('items')
      .select(['light_yellow_on', 'light_red_on', 'light_overdue_on', 'light_lag_on', 'chase_next_on'])
      .where('id', '=', id)
      .executeTakeFirstOrThrow();
    const units = await ctx.db
      .selectFrom('item_units')
      .select(['unit_id', 'region_path'])
      .where('item_id', '=', id)
      .orderBy('unit_id')
      .execute();
    // Recompute both with the helpers every other write path uses, and compare.
    const { refreshLights } = await import('../../src/items/lights.ts');
    const { syncItemUnits } = await import('../../src/items/involvement.ts');
    await ctx.db.transaction().execute(async (tx) => {
      await tx
        .updateTable('items')
        .set({ light_yellow_on: null, light_red_on: null, light_overdue_on: null, light_lag_on: null })
        .where('id', '=', id)
        .execute();
      await refreshLights(tx, id);
      await syncItemUnits(tx, id);
    });
    const redated = await ctx.db
      .selectFrom('items')
      .select(['light_yellow_on', 'light_red_on', 'light_overdue_on', 'light_lag_on', 'chase_next_on'])
      .where('id', '=', id)
      .executeTakeFirstOrThrow();
    expect(stored.light_overdue_on).not.toBeNull();
    expect(redated).toEqual(stored);
    const resynced = await ctx.db
      .selectFrom('item_units')
      .select(['unit_id', 'region_path'])
      .where('item_id', '=', id)
      .orderBy('unit_id')
      .execute();
    expect(units).toHaveLength(2);
    expect(resynced).toEqual(units);
  });
});
