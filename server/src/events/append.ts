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
 *
 * Every writer queues on that lock from here to its commit, so this takes it as late and as briefly
 * as it can: the live-stream hint goes out first (pg_notify is delivered at commit wherever it is
 * sent in the transaction), then one statement numbers the events and inserts them. Callers should
 * append last in their transaction, after their other writes and reads.
 */
export async function appendEvents(
  tx: Tx,
  events: readonly DomainEvent[],
  meta: { actorId: string | null; at: Date },
): Promise<StoredEvent[]> {
  if (events.length === 0) return [];
  const occurredAt = meta.at.toISOString();
  const drafts = events.map((payload) => ({
    id: crypto.randomUUID(),
    type: payload.type,
    itemId: 'itemId' in payload ? payload.itemId : null,
    actorId: meta.actorId,
    occurredAt,
    payload,
  }));
  // Live pages hear of every item change: a hint on the stream, delivered at commit (notify/bus.ts).
  const itemIds = [...new Set(drafts.flatMap((e) => (e.itemId === null ? [] : [e.itemId])))];
  if (itemIds.length > 0) await signal(tx, { type: 'items', itemIds });
  // The canonical text of each event is known but for its number: the statement puts it in between.
  const rows = drafts.map((e, i) => {
    const [pre, post] = canonicalAroundSeq(e);
    return { k: i + 1, id: e.id, type: e.type, item_id: e.itemId, payload: e.payload, pre, post };
  });
  const n = events.length;
  const counter = await sql<{ last_seq: number }>`
    with c as (update event_counter set last_seq = last_seq + ${n} where id returning last_seq),
    e as (
      insert into events (seq, id, type, item_id, actor_id, occurred_at, payload, canonical)
      select c.last_seq - ${n} + v.k, v.id, v.type, v.item_id, ${meta.actorId}::uuid, ${occurredAt}::timestamptz,
        v.payload, v.pre || (c.last_seq - ${n} + v.k)::text || v.post
      from c cross join jsonb_to_recordset(${JSON.stringify(rows)}::jsonb)
        as v(k int, id uuid, type text, item_id uuid, payload jsonb, pre text, post text))
    select last_seq from c`.execute(tx);
  const last = Number(counter.rows[0]?.last_seq);
  const first = last - n + 1;
  return drafts.map((e, i): StoredEvent => ({ seq: first + i, ...e }));
}

/**
 * The canonical JSON of a stored event split where its sequence number goes: pre + String(seq) +
 * post is canonicalJson of the event with that seq. JCS sorts the keys (actorId, id, itemId,
 * occurredAt, payload, seq, type), so the number is the one top-level `,"seq":` before `"type"`;
 * inside the payload a quote is escaped and cannot match.
 */
export function canonicalAroundSeq(e: Omit<StoredEvent, 'seq'>): [string, string] {
  const text = canonicalJson({ ...e, seq: 0 });
  const marker = ',"seq":0,"type":';
  const at = text.lastIndexOf(marker);
  if (at < 0) throw new Error('canonical event text without its seq');
  return [text.slice(0, at + ',"seq":'.length), text.slice(at + ',"seq":0'.length)];
}

/** RFC 8785 (JCS) canonical JSON: the exact bytes that get hashed. */
export function canonicalJson(value: unknown): string {
  const text = canonicalize(value);
  if (text === undefined) throw new Error('value cannot be canonicalised');
  return text;
}
