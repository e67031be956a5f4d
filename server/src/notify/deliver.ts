/**
 * The delivery worker: sends the outbox.
 *
 * Claim: one statement takes a batch of due rows (`for update skip locked`, so concurrent workers
 * take disjoint batches), counts the attempt and moves `next_attempt_at` past the send's deadline
 * (the lease). Then, outside any transaction, each message goes through its channel, and the outcome
 * is recorded only if the row is still the one claimed (same attempt count): sent; retry after the
 * channel's backoff (retry.ts; a receiver's Retry-After when longer); failed (refused for good);
 * dead after MAX_ATTEMPTS. A worker that dies mid-send leaves the row to be claimed again when the
 * lease ends, so a message can go out twice only then — receivers deduplicate by its id (the
 * e-mail Message-ID, the webhook-id, the SMS idempotency key are all the row id).
 */
import { sql } from 'kysely';
import type { AppContext } from '../context.ts';
import type { Queryable } from '../db/client.ts';
import { onLocalSignal } from './bus.ts';
import { type Channels, type DeliveryResult, retryDelayMs, shouldDeadLetter } from './channels/index.ts';
import type { ChannelName, OutboundMessage } from './channels/types.ts';
import {
  messageOfNotification,
  messageOfStored,
  type NotificationContent,
  storedMessageSchema,
} from './message.ts';

export type DeliverOptions = {
  /** Rows claimed per round (default 50). */
  batchSize?: number;
  /** Messages in flight at once per worker (default 8). */
  parallel?: number;
  /** How long a claim keeps other workers off a row (default 5 minutes; above every channel timeout). */
  leaseMs?: number;
  publicUrl?: string | undefined;
  /** Jitter source for the retry schedule. */
  random?: () => number;
};

export type DeliverStats = { claimed: number; sent: number; retried: number; failed: number; dead: number };

type ClaimedRow = {
  id: string;
  notification_id: string | null;
  channel: ChannelName;
  target: unknown;
  attempts: number;
  message: unknown;
};

/** Claims up to `limit` due rows for one attempt each (see the module comment). */
export async function claimDeliveries(
  db: Queryable,
  at: Date,
  limit: number,
  leaseMs: number,
): Promise<ClaimedRow[]> {
  const lease = new Date(at.getTime() + leaseMs);
  const result = await sql<ClaimedRow>`
    update notification_deliveries d
    set attempts = d.attempts + 1, next_attempt_at = ${lease}, updated_at = ${at}
    from (
      select id from notification_deliveries
      where status = 'pending' and next_attempt_at <= ${at}
      order by next_attempt_at, id
      limit ${limit}
      for update skip locked
    ) due
    where d.id = due.id
    returning d.id, d.notification_id, d.channel, d.target, d.attempts, d.message`.execute(db);
  return result.rows;
}

type Outcome = 'sent' | 'retried' | 'failed' | 'dead';

/** Records one attempt's result, if the row is still this claim's. */
export async function recordResult(
  db: Queryable,
  row: Pick<ClaimedRow, 'id' | 'attempts'>,
  result: DeliveryResult,
  at: Date,
  random: () => number = Math.random,
): Promise<Outcome> {
  const update = () => db.updateTable('notification_deliveries').set({ updated_at: at });
  const mine = (q: ReturnType<typeof update>) =>
    q.where('id', '=', row.id).where('status', '=', 'pending').where('attempts', '=', row.attempts);
  if (result.ok) {
    await mine(update().set({ status: 'sent', sent_at: at, last_error: null })).execute();
    return 'sent';
  }
  const error = result.error.slice(0, 1000);
  if (!result.retryable) {
    await mine(update().set({ status: 'failed', last_error: error })).execute();
    return 'failed';
  }
  if (shouldDeadLetter(row.attempts)) {
    await mine(update().set({ status: 'dead', last_error: error })).execute();
    return 'dead';
  }
  const next = new Date(at.getTime() + retryDelayMs(row.attempts, result.retryAfterMs, random));
  await mine(update().set({ next_attempt_at: next, last_error: error })).execute();
  return 'retried';
}

async function contentOf(db: Queryable, ids: string[]): Promise<Map<string, NotificationContent>> {
  if (ids.length === 0) return new Map();
  const rows = await db
    .selectFrom('notifications')
    .select(['id', 'kind', 'title', 'body', 'link', 'item_id', 'urgent', 'data', 'created_at'])
    .where('id', 'in', ids)
    .execute();
  return new Map(rows.map((r) => [r.id, r]));
}

function messageFor(
  row: ClaimedRow,
  contents: Map<string, NotificationContent>,
  publicUrl: string | undefined,
): OutboundMessage | undefined {
  if (row.notification_id !== null) {
    const n = contents.get(row.notification_id);
    return n === undefined ? undefined : messageOfNotification(row.id, n, publicUrl);
  }
  const stored = storedMessageSchema.safeParse(row.message);
  return stored.success ? messageOfStored(row.id, stored.data) : undefined;
}

/** One round: claim due rows, send them, record the outcomes. */
export async function deliverDue(
  ctx: Pick<AppContext, 'db' | 'now'>,
  channels: Pick<Channels, 'deliver'>,
  opts: DeliverOptions = {},
): Promise<DeliverStats> {
  const claimed = await claimDeliveries(ctx.db, ctx.now(), opts.batchSize ?? 50, opts.leaseMs ?? 5 * 60_000);
  const stats: DeliverStats = { claimed: claimed.length, sent: 0, retried: 0, failed: 0, dead: 0 };
  if (claimed.length === 0) return stats;
  const contents = await contentOf(
    ctx.db,
    claimed.flatMap((r) => (r.notification_id === null ? [] : [r.notification_id])),
  );
  const queue = [...claimed];
  const sendNext = async (): Promise<void> => {
    for (let row = queue.shift(); row !== undefined; row = queue.shift()) {
      const message = messageFor(row, contents, opts.publicUrl);
      const result: DeliveryResult =
        message === undefined
          ? { ok: false, retryable: false, error: '消息内容缺失或无法解析' }
          : await channels.deliver(row.channel, message, row.target);
      stats[await recordResult(ctx.db, row, result, ctx.now(), opts.random)]++;
    }
  };
  await Promise.all(Array.from({ length: Math.min(opts.parallel ?? 8, claimed.length) }, sendNext));
  return stats;
}

export type DeliveryWorkerOptions = DeliverOptions & {
  /** Wait between rounds when the outbox is empty (a local signal wakes the worker sooner). */
  pollMs?: number;
  onError?: (err: unknown) => void;
};

/** Runs delivery rounds until stopped; returns the stop function (which waits for the round). */
export function startDeliveryWorker(
  ctx: Pick<AppContext, 'db' | 'now'>,
  channels: Pick<Channels, 'deliver'>,
  opts: DeliveryWorkerOptions = {},
): () => Promise<void> {
  const pollMs = opts.pollMs ?? 1000;
  const onError =
    opts.onError ??
    ((err: unknown) =>
      console.error('notification delivery failed:', err instanceof Error ? err.message : err));
  let stopped = false;
  let wake: (() => void) | undefined;
  let timer: NodeJS.Timeout | undefined;
  let woken = false;
  const unsubscribe = onLocalSignal((s) => {
    if (s.type !== 'outbox') return;
    woken = true;
    wake?.();
  });
  const pause = () =>
    new Promise<void>((resolve) => {
      if (woken || stopped) {
        resolve();
        return;
      }
      wake = resolve;
      timer = setTimeout(resolve, pollMs);
    }).finally(() => {
      clearTimeout(timer);
      wake = undefined;
    });
  const loop = (async () => {
    const batchSize = opts.batchSize ?? 50;
    while (!stopped) {
      woken = false;
      try {
        const stats = await deliverDue(ctx, channels, opts);
        if (stats.claimed === batchSize) continue;
      } catch (err) {
        onError(err);
      }
      await pause();
    }
  })();
  return async () => {
    stopped = true;
    unsubscribe();
    wake?.();
    await loop;
  };
}
