/**
 * 每日汇总 (daily digest): for users who chose it on a channel, ordinary (non-urgent) notifications
 * wait in the outbox as 'digest' rows; once a day this job folds each user's waiting rows on each
 * channel into one message — one outbox row, delivered like any other — and marks them 'digested'.
 *
 * Idempotent and safe to run in several processes at once: each (user, channel) is folded in one
 * transaction that locks its waiting rows (`skip locked`), so a row goes into exactly one digest.
 */
import { randomUUID } from 'node:crypto';
import type { AppContext } from '../context.ts';
import { defineJob } from '../jobs/types.ts';
import { shanghaiDate } from '../shared/time.ts';
import { signal } from './bus.ts';
import type { ChannelName } from './channels/index.ts';
import { absoluteLink, type StoredMessage } from './message.ts';
import { defaultPreference, loadPreferences } from './preferences.ts';
import { afterQuietHours } from './quiet-hours.ts';

export const DIGEST_JOB = defineJob<Record<string, never>>('notify.digest');
/** 17:30 Beijing time, before the end of the working day. */
export const DIGEST_CRON = '30 17 * * *';
/** Entries listed in one digest; the rest are counted. */
const MAX_ENTRIES = 100;
const EXCERPT_CHARS = 120;

const TIME = new Intl.DateTimeFormat('zh-CN', {
  timeZone: 'Asia/Shanghai',
  month: 'numeric',
  day: 'numeric',
  hour: '2-digit',
  minute: '2-digit',
  hour12: false,
});

type Entry = { title: string; body: string; link: string | null; createdAt: Date };

export function digestMessage(
  entries: readonly Entry[],
  at: Date,
  publicUrl: string | undefined,
): StoredMessage {
  const date = shanghaiDate(at);
  const lines = entries.slice(0, MAX_ENTRIES).map((e, i) => {
    const chars = Array.from(e.body.replace(/\s+/g, ' ').trim());
    const excerpt =
      chars.length > EXCERPT_CHARS ? `${chars.slice(0, EXCERPT_CHARS - 1).join('')}…` : chars.join('');
    const link = absoluteLink(e.link, publicUrl);
    return [
      `${i + 1}. ${e.title}（${TIME.format(e.createdAt)}）`,
      ...(excerpt === '' || excerpt === e.title ? [] : [`   ${excerpt}`]),
      ...(link === undefined ? [] : [`   查看：${link}`]),
    ].join('\n');
  });
  const more =
    entries.length > MAX_ENTRIES ? [`另有 ${entries.length - MAX_ENTRIES} 条，请登录平台查看。`] : [];
  const home = absoluteLink('/', publicUrl);
  return {
    kind: 'notification.digest',
    subject: `【督办通知汇总】${date}（共 ${entries.length} 条）`,
    text: [`您有 ${entries.length} 条督办通知：`, ...lines, ...more].join('\n\n'),
    ...(home === undefined ? {} : { link: home }),
    data: { date, count: entries.length },
    occurredAt: at.toISOString(),
  };
}

export type DigestStats = { digests: number; included: number };

/** Folds every waiting (user, channel) into one digest row each. */
export async function runDigest(
  ctx: Pick<AppContext, 'db' | 'now'>,
  opts: { publicUrl?: string | undefined } = {},
): Promise<DigestStats> {
  const stats: DigestStats = { digests: 0, included: 0 };
  const groups = await ctx.db
    .selectFrom('notification_deliveries')
    .select(['user_id', 'channel'])
    .where('status', '=', 'digest')
    .groupBy(['user_id', 'channel'])
    .execute();
  for (const group of groups) {
    const included = await ctx.db.transaction().execute(async (tx) => {
      const at = ctx.now();
      const waiting = await tx
        .selectFrom('notification_deliveries')
        .select(['id', 'notification_id', 'target', 'created_at'])
        .where('user_id', '=', group.user_id)
        .where('channel', '=', group.channel)
        .where('status', '=', 'digest')
        .orderBy('created_at')
        .orderBy('id')
        .forUpdate()
        .skipLocked()
        .execute();
      const last = waiting.at(-1);
      if (last === undefined) return 0;
      const ids = waiting.flatMap((w) => (w.notification_id === null ? [] : [w.notification_id]));
      const notes =
        ids.length === 0
          ? []
          : await tx
              .selectFrom('notifications')
              .select(['title', 'body', 'link', 'created_at as createdAt'])
              .where('id', 'in', ids)
              .orderBy('seq')
              .execute();
      const channel: ChannelName = group.channel;
      const pref = (await loadPreferences(tx, [group.user_id])).get(group.user_id)?.get(channel);
      const digestId = randomUUID();
      await tx
        .insertInto('notification_deliveries')
        .values({
          id: digestId,
          notification_id: null,
          user_id: group.user_id,
          channel,
          // the newest target: the one the user set most recently
          target: JSON.stringify(last.target),
          status: 'pending',
          next_attempt_at: afterQuietHours((pref ?? defaultPreference(channel)).quietHours, at),
          message: JSON.stringify(digestMessage(notes, at, opts.publicUrl)),
          created_at: at,
          updated_at: at,
        })
        .execute();
      await tx
        .updateTable('notification_deliveries')
        .set({ status: 'digested', digest_id: digestId, updated_at: at })
        .where(
          'id',
          'in',
          waiting.map((w) => w.id),
        )
        .execute();
      await signal(tx, { type: 'outbox' });
      return waiting.length;
    });
    if (included > 0) {
      stats.digests++;
      stats.included += included;
    }
  }
  return stats;
}
