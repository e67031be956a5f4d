import { expect } from 'vitest';
import type { TestContext } from '../support/context.ts';
import { act, atNoon, type Client, itemBody, type World } from '../support/factories.ts';

/** Registers an item (as `sup`) on `on` and dispatches it to `leadUnit` with the deadline. */
export async function dispatched(
  ctx: TestContext,
  sup: Client,
  o: { on: string; leadUnit: string; deadline: string; title: string; categoryCode?: string },
): Promise<string> {
  atNoon(ctx, o.on);
  const created = await sup.post(
    '/api/v1/items',
    itemBody({ deadline: o.deadline, title: o.title, categoryCode: o.categoryCode ?? 'livelihood' }),
  );
  expect(created.statusCode, created.body).toBe(201);
  const id = created.json().item.id as string;
  await act(sup, id, 'dispatch', {
    assignments: [{ unitId: o.leadUnit, role: 'lead', deadline: o.deadline }],
  });
  return id;
}

/** accept → request-completion → approve-completion, the last two on `on`. */
export async function complete(
  ctx: TestContext,
  w: World,
  handler: string,
  sup: Client,
  id: string,
  on: string,
) {
  const h = await w.as(handler);
  const item = (await h.get(`/api/v1/items/${id}`)).json().item;
  if (item.status === 'dispatched') await act(h, id, 'accept');
  atNoon(ctx, on);
  await act(h, id, 'request-completion', { summary: '已按要求完成。' });
  await act(sup, id, 'approve-completion', { comment: '同意办结' });
}

/** The roll-ups as numbers, without rows that netted out to all zeros (incremental upkeep leaves them). */
export async function rollupSnapshot(ctx: TestContext) {
  const rows = await ctx.db
    .selectFrom('kpi_rollups')
    .selectAll()
    .orderBy('dimension')
    .orderBy('key')
    .orderBy('period_month')
    .execute();
  return rows
    .map((r) => ({ ...r, numerators: r.numerators.map(Number), denominators: r.denominators.map(Number) }))
    .filter((r) => [...r.numerators, ...r.denominators].some((v) => v !== 0));
}
