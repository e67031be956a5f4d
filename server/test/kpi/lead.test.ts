import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { appendEvents } from '../../src/events/append.ts';
import { catchUpKpis, recomputeKpis } from '../../src/kpi/rollups.ts';
import type { TestContext } from '../support/context.ts';
import { act, atNoon, type Client, closeWorld, openWorld, type World } from '../support/factories.ts';
import { dispatched, rollupSnapshot } from './support.ts';

/*
 * The lead unit of a fact row (facts.ts): the lead assignment not returned, else the returned one
 * with the least unit id — checked against the rule written as one DISTINCT ON, for an item whose
 * lead returned it (awaiting re-dispatch) and one whose two successive leads both returned it.
 */

let ctx: TestContext;
let w: World;
let sup: Client;

beforeAll(async () => {
  ({ ctx, w } = await openWorld());
  sup = await w.as('city_sup');
  for (const u of ['housing_h', 'edu_h']) await w.as(u);
});
afterAll(async () => {
  await closeWorld(ctx, w);
});

/** The rule, stated directly over the assignments. */
async function expectedLead(itemId: string): Promise<string | undefined> {
  const r = await sql<{ unit_id: string }>`
    select distinct on (a.item_id) a.unit_id from assignments a
    where a.role = 'lead' and a.item_id = ${itemId}
    order by a.item_id, (a.status = 'returned'), a.unit_id`.execute(ctx.db);
  return r.rows[0]?.unit_id;
}

async function factLead(itemId: string): Promise<string | null | undefined> {
  const row = await ctx.db
    .selectFrom('kpi_item_facts')
    .select('lead_unit_id')
    .where('item_id', '=', itemId)
    .executeTakeFirst();
  return row?.lead_unit_id;
}

describe('KPI facts: the lead unit of returned items', () => {
  it('follows the rule incrementally and in a full recompute alike', async () => {
    const housing = w.units.housing as string;
    const education = w.units.education as string;
    const on = '2025-06-02';
    const once = await dispatched(ctx, sup, {
      on,
      leadUnit: education,
      deadline: '2025-06-30',
      title: '退回一次',
    });
    const twice = await dispatched(ctx, sup, {
      on,
      leadUnit: education,
      deadline: '2025-06-30',
      title: '退回两次',
    });
    const kept = await dispatched(ctx, sup, {
      on,
      leadUnit: education,
      deadline: '2025-06-30',
      title: '改派后在办',
    });
    const at = atNoon(ctx, '2025-06-03');
    await catchUpKpis(ctx.db, at);
    expect(await factLead(once)).toBe(education);

    const edu = await w.as('edu_h');
    for (const id of [once, twice, kept]) await act(edu, id, 'return', { reason: '不属于本单位职责。' });
    for (const id of [twice, kept]) {
      await act(sup, id, 'dispatch', {
        assignments: [{ unitId: housing, role: 'lead', deadline: '2025-06-30' }],
      });
    }
    await act(await w.as('housing_h'), twice, 'return', { reason: '亦非本单位职责。' });
    await catchUpKpis(ctx.db, atNoon(ctx, '2025-06-04'));

    // once: only a returned lead; twice: two returned leads, the least unit id; kept: the live lead
    const least = [housing, education].sort()[0];
    expect(await expectedLead(once)).toBe(education);
    expect(await expectedLead(twice)).toBe(least);
    expect(await expectedLead(kept)).toBe(housing);
    for (const id of [once, twice, kept]) expect(await factLead(id)).toBe(await expectedLead(id));

    const incremental = await rollupSnapshot(ctx);
    await recomputeKpis(ctx.db, atNoon(ctx, '2025-06-04'));
    for (const id of [once, twice, kept]) expect(await factLead(id)).toBe(await expectedLead(id));
    expect(await rollupSnapshot(ctx)).toEqual(incremental);
  });
});

describe('KPI catch-up: the event cursor', () => {
  const lastSeq = async () =>
    Number((await ctx.db.selectFrom('kpi_state').select('last_seq').executeTakeFirstOrThrow()).last_seq);

  it('moves past events of no item without touching a fact, and a run with nothing new is a no-op', async () => {
    const at = atNoon(ctx, '2025-06-04');
    await catchUpKpis(ctx.db, at);
    const before = await rollupSnapshot(ctx);
    const factsBefore = await ctx.db.selectFrom('kpi_item_facts').selectAll().orderBy('item_id').execute();
    const [stored] = await ctx.db.transaction().execute((tx) =>
      appendEvents(tx, [{ type: 'unit.updated', unitId: w.units.housing as string, changes: {} }], {
        actorId: null,
        at,
      }),
    );
    expect(await lastSeq()).toBeLessThan(Number(stored?.seq));

    expect(await catchUpKpis(ctx.db, at)).toEqual({ events: 1, items: 0, recomputed: false });
    expect(await lastSeq()).toBe(Number(stored?.seq));
    expect(await catchUpKpis(ctx.db, at)).toEqual({ events: 0, items: 0, recomputed: false });
    expect(await lastSeq()).toBe(Number(stored?.seq));
    expect(await rollupSnapshot(ctx)).toEqual(before);
    expect(await ctx.db.selectFrom('kpi_item_facts').selectAll().orderBy('item_id').execute()).toEqual(
      factsBefore,
    );
  });
});
