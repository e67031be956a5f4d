import crypto from 'node:crypto';
import { createRequire } from 'node:module';
import { sql } from 'kysely';
import type { Tx } from '../db/client.ts';
import { signal } from '../notify/bus.ts';
import type { DomainEvent } from './types.ts';

// canonicalize is CommonJS whose d.ts claims an ES default export; load it the CommonJS way.
const canonicalize = createRequire(import.meta.url)('canonicalize') as (input: unknown) => string | undefined;

export type StoredEvent = {
  seq: number;
  id: string;
  type: string;
  itemId: string | null;
  actorId: string | null;
  occurredAt: string;
  payload: DomainEvent;
};

/**
 * Appends events inside the caller's transaction. The sequence comes from a one-row counter: its
 * row lock is held until the transaction ends, so numbers are gapless and in commit order (a
 * rolled-back writer gives its numbers back). This is the single writer path the ledger relies on,
 * and the one place item changes are announced to the live streams.
 */
export async function appendEvents(
  tx: Tx,
  events: readonly DomainEvent[],
  meta: { actorId: string | null; at: Date },
): Promise<StoredEvent[]> {
  if (events.length === 0) return [];
  const counter = await sql<{ last_seq: number }>`
    update event_counter set last_seq = last_seq + ${events.length} where id returning last_seq`.execute(tx);
  const last = Number(counter.rows[0]?.last_seq);
  const first = last - events.length + 1;
  const occurredAt = meta.at.toISOString();
  const stored = events.map((payload, i): StoredEvent => {
    const itemId = 'itemId' in payload ? payload.itemId : null;
    return {
      seq: first + i,
      id: crypto.randomUUID(),
      type: payload.type,
      itemId,
      actorId: meta.actorId,
      occurredAt,
      payload,
    };
  });
  await tx
    .insertInto('events')
    .values(
      stored.map((e) => ({
        seq: e.seq,
        id: e.id,
        type: e.type,
        item_id: e.itemId,
        actor_id: e.actorId,
        occurred_at: e.occurredAt,
        payload: JSON.stringify(e.payload),
        canonical: canonicalJson(e),
      })),
    )
    .execute();
  // Live pages hear of every item change: a hint on the stream, delivered at commit (notify/bus.ts).
  const itemIds = [...new Set(stored.flatMap((e) => (e.itemId === null ? [] : [e.itemId])))];
  if (itemIds.length > 0) await signal(tx, { type: 'items', itemIds });
  return stored;
}

/** RFC 8785 (JCS) canonical JSON: the exact bytes that get hashed. */
export function canonicalJson(value: unknown): string {
  const text = canonicalize(value);
  if (text === undefined) throw new Error('value cannot be canonicalised');
  return text;
}
