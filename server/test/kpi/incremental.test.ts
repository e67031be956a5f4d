import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sweepChases } from '../../src/escalation/chase.ts';
import { catchUpKpis, recomputeKpis } from '../../src/kpi/rollups.ts';
import { addDays } from '../../src/shared/time.ts';
import type { TestContext } from '../support/context.ts';
import { atNoon, type Client, closeWorld, itemBody, openWorld, type World } from '../support/factories.ts';
import { rollupSnapshot } from './support.ts';

/**
 * Property: whatever actions happen to items, in whatever order, with the catch-up job running now
 * and then and the clock moving on (items fall due with no event), the incrementally kept facts
 * and roll-ups equal a full recompute.
 */

let ctx: TestContext;
let w: World;
let sup: Client;
const HANDLERS: Record<string, string> = {};

beforeAll(async () => {
  ({ ctx, w } = await openWorld());
  sup = await w.as('city_sup');
  HANDLERS[w.units.housing as string] = 'housing_h';
  HANDLERS[w.units.education as string] = 'edu_h';
  HANDLERS[w.units.countyHousing as string] = 'county_h';
  for (const u of Object.values(HANDLERS)) await w.as(u);
});
afterAll(() => closeWorld(ctx, w));

/** mulberry32: a small seeded generator, so a failing sequence can be replayed from its seed. */
function rng(seed: number) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

async function snapshot() {
  const rollups = await rollupSnapshot(ctx);
  const facts = await ctx.db.selectFrom('kpi_item_facts').selectAll().orderBy('item_id').execute();
  return { rollups, facts: facts.map(({ computed_on: _, ...f }) => f) };
}

type Lead = { unitId: string; role: string; status: string };

async function runSequence(seed: number) {
  const rand = rng(seed);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rand() * xs.length)] as T;
  const units = Object.keys(HANDLERS);
  let day = '2025-06-02';
  atNoon(ctx, day);
  const ids: string[] = [];
  for (let i = 0; i < 5; i++) {
    const deadline = addDays(day, 3 + Math.floor(rand() * 20));
    const res = await sup.post('/api/v1/items', itemBody({ deadline, title: `随机事项${seed}-${i}` }));
    expect(res.statusCode, res.body).toBe(201);
    const id = res.json().item.id as string;
    await sup.post(`/api/v1/items/${id}/actions/dispatch`, {
      assignments: [{ unitId: pick(units), role: 'lead', deadline }],
    });
    ids.push(id);
  }
  for (let step = 0; step < 40; step++) {
    const id = pick(ids);
    const item = (await sup.get(`/api/v1/items/${id}`)).json().item;
    const lead = (item.assignments as Lead[]).find((a) => a.role === 'lead' && a.status !== 'returned');
    const handler = lead ? await w.as(HANDLERS[lead.unitId] as string) : undefined;
    const url = `/api/v1/items/${id}`;
    switch (
      pick([
        'accept',
        'report',
        'return',
        'dispatch',
        'extend',
        'complete',
        'pause',
        'exempt',
        'time',
        'catch-up',
      ])
    ) {
      case 'accept':
        await handler?.post(`${url}/actions/accept`);
        break;
      case 'report':
        await handler?.post(`${url}/actions/report`, { percent: 40, narrative: '推进中。' });
        break;
      case 'return':
        await handler?.post(`${url}/actions/return`, { reason: '非本单位职责。' });
        break;
      case 'dispatch':
        await sup.post(`${url}/actions/dispatch`, { assignments: [{ unitId: pick(units), role: 'lead' }] });
        break;
      case 'extend': {
        const r = await handler?.post(`${url}/actions/request-extension`, {
          newDeadline: addDays(item.deadline, 5),
          reason: '需要更多时间。',
        });
        if (r?.statusCode === 200 && rand() < 0.8 && lead)
          await sup.post(`${url}/actions/approve-extension`, { unitId: lead.unitId, comment: '' });
        break;
      }
      case 'complete': {
        const r = await handler?.post(`${url}/actions/request-completion`, { summary: '完成。' });
        if (r?.statusCode === 200) await sup.post(`${url}/actions/approve-completion`, { comment: '' });
        break;
      }
      case 'pause':
        await sup.post(`${url}/actions/${item.status === 'suspended' ? 'resume' : 'suspend'}`, {
          reason: '暂缓。',
        });
        break;
      case 'exempt': {
        const r = await handler?.post(`${url}/exemptions`, { reason: '不可抗力。' });
        if (r?.statusCode === 201)
          await sup.post(
            `${url}/exemptions/${r.json().exemption.id}/${rand() < 0.7 ? 'approve' : 'reject'}`,
            {},
          );
        break;
      }
      case 'time':
        day = addDays(day, 1 + Math.floor(rand() * 6));
        await sweepChases(ctx.db, atNoon(ctx, day));
        break;
      case 'catch-up':
        await catchUpKpis(ctx.db, ctx.now());
        break;
    }
  }
  day = addDays(day, 3);
  await catchUpKpis(ctx.db, atNoon(ctx, day));
}

describe('incremental KPI upkeep', () => {
  it('equals a full recompute after random sequences of actions', async () => {
    for (const seed of [1, 2, 3]) {
      await runSequence(seed);
      const incremental = await snapshot();
      expect(incremental.facts.length, `seed ${seed}`).toBeGreaterThan(0);
      await recomputeKpis(ctx.db, ctx.now());
      expect(await snapshot(), `seed ${seed}`).toEqual(incremental);
    }
    // The sequences reached the interesting states (else the comparison would prove little).
    const facts = await ctx.db.selectFrom('kpi_item_facts').selectAll().execute();
    for (const flag of ['completed', 'due', 'overdue', 'returned', 'extended', 'exempted', 'paused'] as const)
      expect(
        facts.some((f) => f[flag]),
        flag,
      ).toBe(true);
    expect(facts.some((f) => f.due && !f.completed)).toBe(true);
  }, 240_000);
});
