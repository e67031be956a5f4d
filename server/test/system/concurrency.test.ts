import type { LightMyRequestResponse } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { verifierKeys } from '../../src/ledger/keys.ts';
import { checkpointNow } from '../../src/ledger/service.ts';
import { verifyLedger } from '../../src/ledger/verify-log.ts';
import type { TestContext } from '../support/context.ts';
import { type Client, closeWorld, itemBody, openWorld, type World } from '../support/factories.ts';
import { expectProblem } from '../support/http.ts';

/**
 * N identical transitions at once on one item (a double-clicked 交办, a handler submitting twice):
 * exactly one 2xx, every other a 409 problem+json, one event in the ledger. test/items/concurrency.test.ts
 * covers eight *different* dispatches and approve-vs-reject; this covers identical requests at
 * N = 20 for each step of the main path, and the ledger built from them. On PGlite the driver
 * serialises the transactions; on PostgreSQL (DATABASE_URL) they race over the pool.
 */

const N = 20;
const DEADLINE = '2027-06-30';

let ctx: TestContext;
let w: World;
beforeAll(async () => {
  ({ ctx, w } = await openWorld('2026-11-27T02:00:00Z'));
}, 120_000);
afterAll(async () => {
  await closeWorld(ctx, w);
});

async function eventTypes(itemId: string): Promise<string[]> {
  const rows = await ctx.db
    .selectFrom('events')
    .select('type')
    .where('item_id', '=', itemId)
    .orderBy('seq')
    .execute();
  return rows.map((r) => r.type);
}

/** Fires the same request N times at once; the one 2xx and the rest. */
async function race(fire: () => Promise<LightMyRequestResponse>) {
  const responses = await Promise.all(Array.from({ length: N }, fire));
  const ok = responses.filter((r) => r.statusCode >= 200 && r.statusCode < 300);
  const rest = responses.filter((r) => r.statusCode < 200 || r.statusCode >= 300);
  return { ok, rest };
}

function expectOneWinner(result: Awaited<ReturnType<typeof race>>, itemStatus: string) {
  expect(result.ok.map((r) => r.statusCode)).toEqual([200]);
  expect(result.rest).toHaveLength(N - 1);
  for (const r of result.rest) {
    expectProblem(r, 409, 'TRANSITION_REFUSED');
    expect(typeof r.json().detailZh).toBe('string');
    expect(r.json().itemStatus).toBe(itemStatus);
  }
}

describe(`${N} identical concurrent transitions on one item`, () => {
  it('lets exactly one of each go through, answers the others 409, and writes one event each', async () => {
    const sup: Client = await w.as('city_sup');
    const handler: Client = await w.as('housing_h');
    const created = await sup.post('/api/v1/items', itemBody({ title: '二十路并发' }));
    expect(created.statusCode, created.body).toBe(201);
    const id: string = created.json().item.id;
    const url = `/api/v1/items/${id}`;
    const dispatch = { assignments: [{ unitId: w.units.housing, role: 'lead', deadline: DEADLINE }] };

    // Two supervisors' worth of the same 交办 (the same session twice over, as a double click does).
    const dispatched = await race(() => sup.post(`${url}/actions/dispatch`, dispatch));
    expectOneWinner(dispatched, 'dispatched');
    expect(dispatched.ok[0]?.json().item.version).toBe(2);

    // The handler's 签收, twenty times.
    const accepted = await race(() => handler.post(`${url}/actions/accept`));
    expect(accepted.ok.map((r) => r.statusCode)).toEqual([200]);
    for (const r of accepted.rest) {
      // Once accepted, the item is in progress and the unit's assignment no longer awaits acceptance.
      expectProblem(r, 409, 'TRANSITION_REFUSED');
      expect(r.json().itemStatus).toBe('in_progress');
    }

    // The handler submitting the completion request twenty times.
    const requested = await race(() =>
      handler.post(`${url}/actions/request-completion`, { summary: '已全部完成，请审核。' }),
    );
    expectOneWinner(requested, 'completion_requested');

    // The supervisor approving it twenty times.
    const approved = await race(() => sup.post(`${url}/actions/approve-completion`, { comment: '同意办结' }));
    expectOneWinner(approved, 'completed');

    const types = await eventTypes(id);
    for (const t of [
      'item.dispatched',
      'item.accepted',
      'item.completion_requested',
      'item.completion_approved',
    ]) {
      expect(
        types.filter((x) => x === t),
        t,
      ).toHaveLength(1);
    }
    const detail = (await sup.get(url)).json().item;
    expect(detail.status).toBe('completed');

    // The ledger: every event one entry, the tree re-derives, the signed checkpoint covers them all.
    await checkpointNow(ctx);
    const events = await ctx.db.selectFrom('events').select('seq').orderBy('seq').execute();
    expect(events.map((e) => Number(e.seq))).toEqual(events.map((_, k) => k + 1));
    const state = await ctx.db.selectFrom('ledger_state').select('size').executeTakeFirstOrThrow();
    expect(Number(state.size)).toBe(events.length);
    const report = await verifyLedger(ctx.db, verifierKeys(ctx.dataDir));
    expect(report.problems).toEqual([]);
    expect(report.ok).toBe(true);
  }, 120_000);

  it('lets twenty identical comments all land: only state transitions conflict', async () => {
    // Comments are not transitions: twenty identical ones at once all land (each its own event).
    const sup = await w.as('city_sup');
    const created = await sup.post('/api/v1/items', itemBody({ title: '并发评论' }));
    expect(created.statusCode, created.body).toBe(201);
    const id: string = created.json().item.id;
    const { ok, rest } = await race(() =>
      sup.post(`/api/v1/items/${id}/actions/comment`, { body: '请抓紧办理' }),
    );
    expect(rest.map((r) => r.body)).toEqual([]);
    expect(ok).toHaveLength(N);
    expect((await eventTypes(id)).filter((t) => t === 'item.comment_added')).toHaveLength(N);
  }, 120_000);
});
