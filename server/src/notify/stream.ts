/**
 * The live stream (Server-Sent Events) behind GET /api/v1/notifications/stream.
 *
 * Events:
 *   event: ready          data {"unreadCount": n}           once, when subscribed
 *   id: <seq>             event: notification  data <the notification as the inbox lists it>
 *   event: item.changed   data {"itemId": "…"}             an item the user may see changed
 *   event: resync         data {}                          too much was missed: reload the inbox
 *   : ping                                                 every 25 s (keeps proxies from closing)
 * Notification events carry their `seq` as the SSE id, so a reconnecting browser sends
 * Last-Event-ID and gets what it missed (up to BACKLOG rows, else `resync`). Item events carry no
 * id and so never move it.
 *
 * Signals (bus.ts) arrive in-process and, on PostgreSQL, through LISTEN duban_live on a connection
 * of the hub's own, so a notification written by any process reaches every web process at commit.
 * Because a commit can follow a later-numbered one, resuming after seq N may miss a notification
 * numbered below N that committed after the disconnection; the inbox (GET) is the record.
 */
import type { ServerResponse } from 'node:http';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { sql } from 'kysely';
import pg from 'pg';
import { sessionIdHash } from '../auth/register.ts';
import type { AppContext } from '../context.ts';
import { visibleTo } from '../items/policy.ts';
import type { Actor } from '../shared/actor.ts';
import { decodeSignal, type LiveSignal, type NotificationRef, onLocalSignal, PG_CHANNEL } from './bus.ts';
import { presentNotification } from './present.ts';

export type StreamOptions = {
  heartbeatMs?: number;
  /** Item changes are gathered this long before visibility is checked (default 100 ms). */
  itemDebounceMs?: number;
  /**
   * PostgreSQL connection for LISTEN: default the server of DATABASE_URL, database of the handle;
   * null: in-process signals only.
   */
  listenUrl?: string | null;
};

export type StreamHub = {
  open(
    request: FastifyRequest,
    reply: FastifyReply,
    actor: Actor,
    lastEventId: number | undefined,
  ): Promise<void>;
  /** Open streams. */
  size(): number;
  close(): Promise<void>;
};

const BACKLOG = 200;
const MAX_BUFFERED = 1024 * 1024;
const SENT_MEMORY = 2000;

type Subscriber = {
  actor: Actor;
  session: string | undefined;
  res: ServerResponse;
  sent: Set<number>;
};

/** The server of DATABASE_URL with the database the handle is connected to. */
async function defaultListenUrl(ctx: Pick<AppContext, 'db'>): Promise<string | undefined> {
  const base = process.env.DATABASE_URL;
  if (base === undefined || base === '') return undefined;
  const row = await sql<{ name: string }>`select current_database() as name`.execute(ctx.db);
  const name = row.rows[0]?.name;
  if (name === undefined) return undefined;
  const url = new URL(base);
  url.pathname = `/${encodeURIComponent(name)}`;
  return url.toString();
}

/** LISTEN on its own connection, reconnecting (1 s, doubling to 30 s) until stopped. */
function startListener(
  url: string,
  onSignal: (s: LiveSignal) => void,
): { ready: Promise<void>; stop(): void } {
  let stopped = false;
  let client: pg.Client | undefined;
  let delay = 1000;
  let markReady: () => void = () => undefined;
  const ready = new Promise<void>((resolve) => {
    markReady = resolve;
  });
  const connect = async () => {
    if (stopped) return;
    const c = new pg.Client({ connectionString: url, application_name: 'duban-live' });
    client = c;
    const retry = () => {
      if (client !== c || stopped) return;
      client = undefined;
      c.end().catch(() => undefined);
      setTimeout(connect, delay).unref();
      delay = Math.min(delay * 2, 30_000);
    };
    c.on('error', (err) => {
      console.error('notification stream LISTEN connection:', err.message);
      retry();
    });
    c.on('end', retry);
    c.on('notification', (msg) => {
      if (msg.channel !== PG_CHANNEL || msg.payload === undefined) return;
      const s = decodeSignal(msg.payload);
      if (s !== undefined) onSignal(s);
    });
    try {
      await c.connect();
      await c.query(`listen ${PG_CHANNEL}`);
      delay = 1000;
      markReady();
    } catch (err) {
      console.error('notification stream LISTEN failed:', err instanceof Error ? err.message : err);
      // Streams still work in-process meanwhile; do not hold them up.
      markReady();
      retry();
    }
  };
  void connect();
  return {
    ready,
    stop() {
      stopped = true;
      client?.end().catch(() => undefined);
    },
  };
}

function write(res: ServerResponse, chunk: string): void {
  if (res.writableEnded || res.destroyed) return;
  if (res.writableLength > MAX_BUFFERED) {
    // A reader this far behind is gone or stuck; it reconnects and resumes.
    res.destroy();
    return;
  }
  res.write(chunk);
}

function notificationEvent(n: ReturnType<typeof presentNotification>): string {
  return `id: ${n.seq}\nevent: notification\ndata: ${JSON.stringify(n)}\n\n`;
}

export function createStreamHub(ctx: AppContext, opts: StreamOptions = {}): StreamHub {
  const heartbeatMs = opts.heartbeatMs ?? 25_000;
  const debounceMs = opts.itemDebounceMs ?? 100;
  const byUser = new Map<string, Set<Subscriber>>();
  let listener: { ready: Promise<void>; stop(): void } | undefined;
  let listening: Promise<void> | undefined;
  let heartbeat: NodeJS.Timeout | undefined;
  let closed = false;
  const pendingItems = new Set<string>();
  let itemTimer: NodeJS.Timeout | undefined;

  const all = () => [...byUser.values()].flatMap((set) => [...set]);

  async function deliverNotifications(refs: NotificationRef[]): Promise<void> {
    const wanted = refs.filter((r) => byUser.has(r.userId));
    if (wanted.length === 0) return;
    const rows = await ctx.db
      .selectFrom('notifications')
      .selectAll()
      .where(
        'seq',
        'in',
        wanted.map((r) => r.seq),
      )
      .where('user_id', 'in', [...new Set(wanted.map((r) => r.userId))])
      .orderBy('seq')
      .execute();
    for (const row of rows) {
      const event = presentNotification(row);
      for (const sub of byUser.get(row.user_id) ?? []) send(sub, event);
    }
  }

  function send(sub: Subscriber, n: ReturnType<typeof presentNotification>): void {
    if (sub.sent.has(n.seq)) return;
    sub.sent.add(n.seq);
    if (sub.sent.size > SENT_MEMORY) {
      const oldest = sub.sent.values().next().value;
      if (oldest !== undefined) sub.sent.delete(oldest);
    }
    write(sub.res, notificationEvent(n));
  }

  /** Sends item.changed to every open stream whose user may see the item, one query per 50 users. */
  async function deliverItems(itemIds: string[]): Promise<void> {
    const actors = [...byUser.values()].flatMap((set) => {
      const first = set.values().next().value;
      return first === undefined ? [] : [first.actor];
    });
    for (let i = 0; i < actors.length; i += 50) {
      const parts = actors.slice(i, i + 50).map(
        (a) =>
          sql<{ user_id: string; item_id: string }>`select ${a.userId}::text as user_id, i.id::text as item_id
              from items i where i.id in (${sql.join(itemIds)}) and ${visibleTo(a)}`,
      );
      const result = await sql<{
        user_id: string;
        item_id: string;
      }>`${sql.join(parts, sql` union all `)}`.execute(ctx.db);
      for (const row of result.rows) {
        const chunk = `event: item.changed\ndata: ${JSON.stringify({ itemId: row.item_id })}\n\n`;
        for (const sub of byUser.get(row.user_id) ?? []) write(sub.res, chunk);
      }
    }
  }

  const report = (err: unknown) =>
    console.error('notification stream:', err instanceof Error ? err.message : err);

  function onSignal(s: LiveSignal): void {
    if (closed || byUser.size === 0) return;
    switch (s.type) {
      case 'notifications':
        deliverNotifications(s.refs).catch(report);
        return;
      case 'items':
        for (const id of s.itemIds) pendingItems.add(id);
        itemTimer ??= setTimeout(() => {
          itemTimer = undefined;
          const ids = [...pendingItems];
          pendingItems.clear();
          deliverItems(ids).catch(report);
        }, debounceMs);
        return;
      case 'outbox':
        return;
    }
  }

  const unsubscribeLocal = onLocalSignal(onSignal);

  async function ensureListening(): Promise<void> {
    if (ctx.handle.kind !== 'postgres') return;
    listening ??= (async () => {
      const url = opts.listenUrl === undefined ? await defaultListenUrl(ctx) : opts.listenUrl;
      if (url === null || url === undefined) return;
      listener = startListener(url, onSignal);
      await listener.ready;
    })();
    await listening;
  }

  /** Pings every stream; ends those whose session has ended (logout, expiry). */
  async function beat(): Promise<void> {
    const subs = all();
    for (const sub of subs) write(sub.res, ': ping\n\n');
    const sessions = [...new Set(subs.flatMap((s) => (s.session === undefined ? [] : [s.session])))];
    if (sessions.length === 0) return;
    const live = await ctx.db
      .selectFrom('sessions')
      .select('id_hash')
      .where('id_hash', 'in', sessions)
      .where('expires_at', '>', ctx.now())
      .execute();
    const alive = new Set(live.map((r) => r.id_hash));
    for (const sub of subs) if (sub.session !== undefined && !alive.has(sub.session)) sub.res.end();
  }

  return {
    async open(request, reply, actor, lastEventId) {
      await ensureListening();
      reply.hijack();
      const res = reply.raw;
      res.writeHead(200, {
        'content-type': 'text/event-stream; charset=utf-8',
        'cache-control': 'no-cache, no-transform',
        connection: 'keep-alive',
        'x-accel-buffering': 'no',
      });
      res.flushHeaders();
      const sub: Subscriber = { actor, session: sessionIdHash(request), res, sent: new Set() };
      let set = byUser.get(actor.userId);
      if (set === undefined) {
        set = new Set();
        byUser.set(actor.userId, set);
      }
      set.add(sub);
      res.on('close', () => {
        const mine = byUser.get(actor.userId);
        mine?.delete(sub);
        if (mine?.size === 0) byUser.delete(actor.userId);
      });
      heartbeat ??= setInterval(() => beat().catch(report), heartbeatMs);
      heartbeat.unref();

      const unread = await ctx.db
        .selectFrom('notifications')
        .select((eb) => eb.fn.countAll<number>().as('n'))
        .where('user_id', '=', actor.userId)
        .where('read_at', 'is', null)
        .executeTakeFirst();
      write(
        res,
        `retry: 5000\nevent: ready\ndata: ${JSON.stringify({ unreadCount: Number(unread?.n ?? 0) })}\n\n`,
      );
      if (lastEventId !== undefined) {
        const missed = await ctx.db
          .selectFrom('notifications')
          .selectAll()
          .where('user_id', '=', actor.userId)
          .where('seq', '>', lastEventId)
          .orderBy('seq')
          .limit(BACKLOG + 1)
          .execute();
        if (missed.length > BACKLOG) write(res, 'event: resync\ndata: {}\n\n');
        else for (const row of missed) send(sub, presentNotification(row));
      }
    },
    size: () => all().length,
    async close() {
      closed = true;
      unsubscribeLocal();
      clearInterval(heartbeat);
      clearTimeout(itemTimer);
      for (const sub of all()) sub.res.end();
      byUser.clear();
      await listening?.catch(() => undefined);
      listener?.stop();
    },
  };
}
