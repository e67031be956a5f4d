/**
 * Live signals for the SSE streams and the delivery worker: "these notifications were written",
 * "these items changed", "the outbox has work". Signals are hints — receivers read the rows from
 * the database — so a hint for a rolled-back transaction finds nothing and a repeated one is
 * harmless.
 *
 * Every signal goes two ways: an in-process emitter (enough on the embedded database: the one
 * process serves the streams, and a receiver's query waits for the single connection, i.e. until
 * the signalling transaction ended), and `pg_notify` on the channel `duban_live`, which PostgreSQL
 * delivers at commit, and only then, to every process listening (stream.ts).
 */
import { EventEmitter } from 'node:events';
import { sql } from 'kysely';
import type { Queryable } from '../db/client.ts';

export const PG_CHANNEL = 'duban_live';

export type NotificationRef = { userId: string; seq: number };

export type LiveSignal =
  | { type: 'notifications'; refs: NotificationRef[] }
  | { type: 'items'; itemIds: string[] }
  | { type: 'outbox' };

const local = new EventEmitter();
local.setMaxListeners(0);

/** Subscribes to this process's signals; returns the unsubscribe function. */
export function onLocalSignal(listener: (signal: LiveSignal) => void): () => void {
  local.on('signal', listener);
  return () => local.off('signal', listener);
}

/** PostgreSQL allows 8000 bytes per payload; 100 references stay well below. */
const CHUNK = 100;

type Wire = { n: [string, number][] } | { i: string[] };

export function encodeSignal(signal: LiveSignal): string[] {
  const out: string[] = [];
  switch (signal.type) {
    case 'notifications':
      for (let i = 0; i < signal.refs.length; i += CHUNK) {
        const wire: Wire = { n: signal.refs.slice(i, i + CHUNK).map((r) => [r.userId, r.seq]) };
        out.push(JSON.stringify(wire));
      }
      return out;
    case 'items':
      for (let i = 0; i < signal.itemIds.length; i += CHUNK) {
        out.push(JSON.stringify({ i: signal.itemIds.slice(i, i + CHUNK) } satisfies Wire));
      }
      return out;
    case 'outbox':
      return out;
  }
}

/** The signal a `duban_live` payload carries, or undefined for anything malformed. */
export function decodeSignal(payload: string): LiveSignal | undefined {
  let wire: unknown;
  try {
    wire = JSON.parse(payload);
  } catch {
    return undefined;
  }
  if (typeof wire !== 'object' || wire === null) return undefined;
  if ('n' in wire && Array.isArray(wire.n)) {
    const refs: NotificationRef[] = [];
    for (const entry of wire.n as unknown[]) {
      if (Array.isArray(entry) && typeof entry[0] === 'string' && typeof entry[1] === 'number') {
        refs.push({ userId: entry[0], seq: entry[1] });
      }
    }
    return { type: 'notifications', refs };
  }
  if ('i' in wire && Array.isArray(wire.i)) {
    return {
      type: 'items',
      itemIds: (wire.i as unknown[]).filter((x): x is string => typeof x === 'string'),
    };
  }
  return undefined;
}

/** Emits in this process, and on PostgreSQL's channel (delivered when `db`'s transaction commits). */
export async function signal(db: Queryable, s: LiveSignal): Promise<void> {
  local.emit('signal', s);
  for (const payload of encodeSignal(s)) {
    await sql`select pg_notify(${PG_CHANNEL}, ${payload})`.execute(db);
  }
}
