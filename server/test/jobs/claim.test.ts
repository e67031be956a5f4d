/**
 * The atomic claim under real concurrency: on PostgreSQL two transactions on two pools race for
 * the same row or key while both are open; on PGlite (one connection) they run one after another.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DbHandle, Tx } from '../../src/db/client.ts';
import { claimDue, claimOnce } from '../../src/jobs/claim.ts';
import { secondHandle } from '../notify/support.ts';
import { createTestContext, type TestContext } from '../support/context.ts';
import { buildWorld, type World } from '../support/factories.ts';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('claimDue / claimOnce', () => {
  let ctx: TestContext;
  let world: World;
  let other: DbHandle;

  beforeAll(async () => {
    ctx = await createTestContext();
    world = await buildWorld(ctx);
    other = await secondHandle(ctx);
  });
  afterAll(async () => {
    if (other !== ctx.handle) await other.close();
    await world.app.close();
    await ctx.cleanup();
  });

  /** Runs two claims side by side; each transaction stays open a moment after claiming. */
  async function race(claim: (tx: Tx) => Promise<boolean>): Promise<boolean[]> {
    const attempt = (h: DbHandle) =>
      h.db.transaction().execute(async (tx) => {
        const won = await claim(tx);
        await sleep(100);
        return won;
      });
    return Promise.all([attempt(ctx.handle), attempt(other)]);
  }

  async function dueRow(at: Date): Promise<string> {
    const user = world.users.housing_h ?? '';
    const id = randomUUID();
    await ctx.db
      .insertInto('notification_deliveries')
      .values({
        id,
        user_id: user,
        channel: 'email',
        target: JSON.stringify('a@hz.gov.cn'),
        status: 'sent',
        next_attempt_at: at,
        message: JSON.stringify({
          kind: 'k',
          subject: 's',
          text: 't',
          data: {},
          occurredAt: at.toISOString(),
        }),
        created_at: at,
        updated_at: at,
      })
      .execute();
    return id;
  }

  it('claimDue: exactly one of two racing transactions wins a due row', async () => {
    const now = new Date('2026-03-03T02:00:00Z');
    const next = new Date('2026-03-04T02:00:00Z');
    const id = await dueRow(new Date('2026-03-03T01:00:00Z'));
    const results = await race((tx) =>
      claimDue(tx, 'notification_deliveries', id, 'next_attempt_at', { now, next }),
    );
    expect(results.filter(Boolean)).toHaveLength(1);
    const row = await ctx.db
      .selectFrom('notification_deliveries')
      .select('next_attempt_at')
      .where('id', '=', id)
      .executeTakeFirstOrThrow();
    expect(row.next_attempt_at.toISOString()).toBe(next.toISOString());
    // not due any more; and a row that does not exist is never claimed
    await ctx.db.transaction().execute(async (tx) => {
      expect(await claimDue(tx, 'notification_deliveries', id, 'next_attempt_at', { now, next })).toBe(false);
      expect(
        await claimDue(tx, 'notification_deliveries', randomUUID(), 'next_attempt_at', { now, next }),
      ).toBe(false);
    });
  });

  it('claimDue: a rolled-back claim leaves the row due for the next one', async () => {
    const now = new Date('2026-03-03T02:00:00Z');
    const later = new Date('2026-03-04T02:00:00Z');
    const id = await dueRow(new Date('2026-03-03T01:00:00Z'));
    await ctx.db
      .transaction()
      .execute(async (tx) => {
        expect(
          await claimDue(tx, 'notification_deliveries', id, 'next_attempt_at', { now, next: later }),
        ).toBe(true);
        throw new Error('the effect failed');
      })
      .catch(() => undefined);
    await ctx.db.transaction().execute(async (tx) => {
      expect(await claimDue(tx, 'notification_deliveries', id, 'next_attempt_at', { now, next: later })).toBe(
        true,
      );
    });
  });

  it('claimDue types `next` by the column: null only where the column allows it', () => {
    const never = (tx: Tx) =>
      // @ts-expect-error next_attempt_at is not nullable
      claimDue(tx, 'notification_deliveries', 'id', 'next_attempt_at', { now: new Date(), next: null });
    const fine = (tx: Tx) => claimDue(tx, 'notifications', 'id', 'read_at', { now: new Date(), next: null });
    expect([typeof never, typeof fine]).toEqual(['function', 'function']);
  });

  it('claimOnce: exactly one of two racing transactions owns a key; a rollback gives it back', async () => {
    const at = new Date();
    const results = await race((tx) => claimOnce(tx, 'reminder:item-1:2026-03-06:3d', at));
    expect(results.filter(Boolean)).toHaveLength(1);
    await ctx.db
      .transaction()
      .execute(async (tx) => {
        expect(await claimOnce(tx, 'reminder:item-2:2026-03-06:3d', at)).toBe(true);
        throw new Error('rollback');
      })
      .catch(() => undefined);
    await ctx.db.transaction().execute(async (tx) => {
      expect(await claimOnce(tx, 'reminder:item-2:2026-03-06:3d', at)).toBe(true);
      expect(await claimOnce(tx, 'reminder:item-1:2026-03-06:3d', at)).toBe(false);
    });
  });
});
