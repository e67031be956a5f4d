import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BATCH, integrateAll } from '../../src/ledger/integrate.ts';
import { signerFor } from '../../src/ledger/service.ts';
import { createTestContext, type TestContext } from '../support/context.ts';

/**
 * integrateAll stops between rounds when asked (a worker shutting down in front of a large backlog):
 * the round in hand is finished and checkpointed, the rest is left for the next call.
 */
let ctx: TestContext;

beforeAll(async () => {
  ctx = await createTestContext();
});
afterAll(() => ctx.cleanup());

const ledgerSize = async () =>
  Number((await sql<{ size: number }>`select size from ledger_state where id`.execute(ctx.db)).rows[0]?.size);

describe('integrateAll', () => {
  it('ends after the round in hand when stop() says so, and a later call integrates the rest', async () => {
    const signer = signerFor(ctx);
    await integrateAll(ctx.db, signer, ctx.now);
    const before = await ledgerSize();
    // A backlog of two rounds and a bit: BATCH + 7 events, numbered as appendEvents numbers them.
    const n = BATCH + 7;
    await ctx.db.transaction().execute(async (tx) => {
      const c = await sql<{ last_seq: string }>`
        update event_counter set last_seq = last_seq + ${n} where id returning last_seq`.execute(tx);
      const last = Number(c.rows[0]?.last_seq);
      await sql`
        insert into events (seq, id, type, item_id, actor_id, occurred_at, payload, canonical)
        select ${last - n}::bigint + g, gen_random_uuid(), 'test.backlog', null, null, now(), '{}',
          '{"n":' || g || '}'
        from generate_series(1, ${n}) g`.execute(tx);
    });
    let asked = 0;
    const first = await integrateAll(ctx.db, signer, ctx.now, () => {
      asked++;
      return true;
    });
    expect(asked).toBe(1);
    expect(first?.added).toBe(BATCH);
    expect(await ledgerSize()).toBe(before + BATCH);
    const checkpoint = await sql<{ size: number }>`
      select size from ledger_checkpoints order by id desc limit 1`.execute(ctx.db);
    expect(Number(checkpoint.rows[0]?.size)).toBe(before + BATCH);
    // Without stop(): the rest.
    const rest = await integrateAll(ctx.db, signer, ctx.now);
    expect(rest?.added).toBe(7);
    expect(await ledgerSize()).toBe(before + n);
  });
});
