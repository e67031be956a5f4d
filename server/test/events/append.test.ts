import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { appendEvents, canonicalAroundSeq, canonicalJson } from '../../src/events/append.ts';
import type { DomainEvent } from '../../src/events/types.ts';
import { createTestContext, type TestContext } from '../support/context.ts';

/**
 * appendEvents numbers and inserts the events in one statement, splicing each event's number into
 * its canonical text: the stored text must be exactly the JCS of the stored event.
 */

const tricky = [
  { type: 'test.plain' },
  { type: 'test.quoted', note: ',"seq":0,"type":"x"}', seq: 0, nested: { seq: 7, type: 'y' } },
  { type: 'test.unicode', title: '督〔2026〕0001号 \u2028 "引号" \\ 反斜杠', n: [1, 2.5, -0] },
] as unknown as DomainEvent[];

describe('canonicalAroundSeq', () => {
  it('splits the canonical text exactly where the number goes', () => {
    for (const payload of tricky) {
      const e = {
        id: '5d0c0f5e-8f8a-4c4e-9d53-7c9d1f0e2a11',
        type: (payload as { type: string }).type,
        itemId: null,
        actorId: null,
        occurredAt: '2026-11-27T02:00:00.000Z',
        payload,
      };
      const [pre, post] = canonicalAroundSeq(e);
      for (const seq of [1, 9, 10, 4096, 12_345_678_901]) {
        expect(pre + String(seq) + post).toBe(canonicalJson({ ...e, seq }));
      }
    }
  });
});

describe('appendEvents', () => {
  let ctx: TestContext;
  beforeAll(async () => {
    ctx = await createTestContext();
  });
  afterAll(async () => {
    await ctx.cleanup();
  });

  it('stores gapless numbers, the payloads and the canonical text of each stored event', async () => {
    const at = new Date('2026-11-27T02:00:00Z');
    const before = await ctx.db.selectFrom('event_counter').select('last_seq').executeTakeFirstOrThrow();
    const first = await ctx.db.transaction().execute((tx) => appendEvents(tx, tricky, { actorId: null, at }));
    const second = await ctx.db
      .transaction()
      .execute((tx) => appendEvents(tx, tricky.slice(0, 1), { actorId: null, at }));
    // A rolled-back append gives its number back.
    await expect(
      ctx.db.transaction().execute(async (tx) => {
        await appendEvents(tx, tricky.slice(1, 2), { actorId: null, at });
        throw new Error('roll back');
      }),
    ).rejects.toThrow('roll back');
    const third = await ctx.db
      .transaction()
      .execute((tx) => appendEvents(tx, tricky.slice(2), { actorId: null, at }));
    const stored = [...first, ...second, ...third];
    const base = Number(before.last_seq);
    expect(stored.map((e) => e.seq)).toEqual([1, 2, 3, 4, 5].map((k) => base + k));
    expect(await appendEvents(ctx.db as never, [], { actorId: null, at })).toEqual([]);

    const rows = await ctx.db
      .selectFrom('events')
      .selectAll()
      .where('seq', '>', base)
      .orderBy('seq')
      .execute();
    expect(rows).toHaveLength(5);
    for (const [i, row] of rows.entries()) {
      const e = stored[i];
      if (!e) throw new Error('missing stored event');
      expect(Number(row.seq)).toBe(e.seq);
      expect(row.id).toBe(e.id);
      expect(row.type).toBe(e.type);
      expect(row.item_id).toBeNull();
      expect(row.payload).toEqual(JSON.parse(JSON.stringify(e.payload)));
      expect(row.canonical).toBe(canonicalJson(e));
      expect(new Date(row.occurred_at).toISOString()).toBe(e.occurredAt);
    }
  });
});
