import {
  type IntakeChannel,
  type IntakeKind,
  TOPICS_SHOWN,
  type TopicsAnswer,
  type TopicsParams,
  type TopicView,
} from '@duban/schema';
import { sql } from 'kysely';
import type { Queryable } from '../../db/client.ts';
import { findRegion } from '../../org/regions.ts';
import { isRegionPathInScope, regionSubtreeCondition } from '../../org/scope.ts';
import type { Actor } from '../../shared/actor.ts';
import { DomainError } from '../../shared/errors.ts';
import { maskPersonalText } from '../../shared/pii.ts';
import { bandHashes, signature, textShingles } from '../similarity/minhash.ts';
import { buildTopics, TOPIC_THRESHOLD, type Topic, type TopicRecord, weekStarts } from './cluster.ts';

/**
 * Citizens' records: every channel but 文件抽取 (documents yield tasks, not complaints) — the
 * public portal, Open311, hotline records a supervisor enters (web), imports them (excel) or an
 * API client sends — and of them complaints and suggestions (not tasks).
 */
export const TOPIC_CHANNELS: readonly IntakeChannel[] = ['portal', 'open311', 'web', 'excel', 'api'];
export const TOPIC_KINDS: readonly IntakeKind[] = ['complaint', 'suggestion'];
/** At most this many records (the newest) are clustered; the answer says when there were more. */
export const TOPIC_RECORD_CAP = 5000;
/** An answer is reused for this long while the records in its window are unchanged. */
const CACHE_MS = 60_000;

type Computed = { answer: TopicsAnswer; members: Map<string, string[]> };
const caches = new WeakMap<object, Map<string, { fingerprint: string; at: number; value: Computed }>>();

/** The region whose subtree is asked about: the caller's by default; 404 when unknown or out of scope. */
async function regionOf(db: Queryable, actor: Actor, code: string | undefined) {
  if (code === undefined) return { code: actor.regionCode, path: actor.regionPath };
  const region = await findRegion(db, code);
  if (!region || !isRegionPathInScope(actor, region.path))
    throw new DomainError(
      'REGION_NOT_FOUND',
      { zh: '行政区划不存在', en: 'Region not found' },
      { field: 'querystring.region' },
    );
  return { code: region.code, path: region.path };
}

/** SQL: a citizen's record received in the window, in the region subtree. */
function windowCondition(path: string, since: Date, until: Date) {
  return sql`${regionSubtreeCondition(path, 'r.path')}
      and ir.received_at >= ${since} and ir.received_at <= ${until}
      and ir.kind in (${sql.join([...TOPIC_KINDS])})
      and ir.channel in (${sql.join([...TOPIC_CHANNELS])})`;
}

function parseBands(v: unknown): number[] | null {
  if (Array.isArray(v)) return v.map(Number);
  if (typeof v === 'string' && v.startsWith('{'))
    return v
      .slice(1, -1)
      .split(',')
      .filter((x) => x !== '')
      .map(Number);
  return null;
}

async function compute(
  db: Queryable,
  region: { code: string; path: string },
  params: TopicsParams,
  since: Date,
  until: Date,
): Promise<Computed> {
  const rows = await sql<{
    id: string;
    title: string;
    content: string;
    region_code: string;
    region_name: string;
    received_at: Date | string;
    item_id: string | null;
    bands: unknown;
  }>`
    select ir.id, ir.title, ir.content, ir.region_code, r.name as region_name, ir.received_at, ir.item_id,
      s.bands
    from intake_records ir
    join regions r on r.code = ir.region_code
    left join similarity_index s on s.kind = 'intake' and s.id = ir.id::text
    where ${windowCondition(region.path, since, until)}
    order by ir.received_at desc, ir.id
    limit ${TOPIC_RECORD_CAP + 1}`.execute(db);
  const capped = rows.rows.length > TOPIC_RECORD_CAP;
  const records: TopicRecord[] = rows.rows.slice(0, TOPIC_RECORD_CAP).map((r) => {
    const shingles = textShingles(r.title, r.content);
    // The duplicate index's band keys; a record missing from it gets them computed here.
    const bands = parseBands(r.bands) ?? bandHashes(signature(shingles));
    return {
      id: r.id,
      title: r.title,
      content: r.content,
      regionCode: r.region_code,
      regionName: r.region_name,
      receivedAt: new Date(r.received_at),
      itemId: r.item_id,
      shingles,
      bands,
    };
  });
  const all = buildTopics(records, {
    until,
    days: params.days,
    minSize: params.minSize,
    labelled: TOPICS_SHOWN,
  });
  const shown = all.slice(0, TOPICS_SHOWN);
  const itemIds = [...new Set(shown.flatMap((t) => t.itemIds))];
  const items =
    itemIds.length === 0
      ? []
      : await db.selectFrom('items').select(['id', 'number', 'title']).where('id', 'in', itemIds).execute();
  const itemById = new Map(items.map((i) => [i.id, i]));
  const itemOf = new Map(records.map((r) => [r.id, r.itemId]));
  const view = (t: Topic): TopicView => ({
    key: t.key,
    // Labels and phrases come from citizens' texts: personal data in them is masked (shared/pii.ts).
    label: maskPersonalText(t.label),
    phrases: t.phrases.map((p) => maskPersonalText(p)),
    count: t.count,
    regions: t.regions,
    firstSeen: t.firstSeen,
    lastSeen: t.lastSeen,
    weekly: t.weekly,
    lastWeek: t.lastWeek,
    previousWeeklyAverage: t.previousWeeklyAverage,
    rising: t.rising,
    linkedItems: t.itemIds.flatMap((id) => {
      const item = itemById.get(id);
      if (!item) return [];
      const n = t.recordIds.filter((r) => itemOf.get(r) === id).length;
      return [{ id, number: item.number, title: item.title, records: n }];
    }),
    sampleRecordIds: t.recordIds.slice(0, 5),
  });
  return {
    answer: {
      days: params.days,
      minSize: params.minSize,
      regionCode: region.code,
      threshold: TOPIC_THRESHOLD,
      since: since.toISOString(),
      until: until.toISOString(),
      weekStarts: weekStarts(until, params.days).map((d) => d.toISOString()),
      recordsConsidered: records.length,
      cap: TOPIC_RECORD_CAP,
      capped,
      totalTopics: all.length,
      topics: shown.map(view),
    },
    members: new Map(shown.map((t) => [t.key, t.recordIds])),
  };
}

/**
 * The topics of the citizens' records in the caller's scope (or a region of it) received in the
 * last `days`. Computed on request; an answer is reused within the minute while the window's
 * records (their number, newest receipt and newest decision) are unchanged.
 */
export async function topicsFor(
  db: Queryable,
  actor: Actor,
  params: TopicsParams,
  now: Date,
): Promise<Computed> {
  const region = await regionOf(db, actor, params.region);
  const minute = Math.floor(now.getTime() / 60_000);
  const until = new Date(now.getTime());
  const since = new Date(until.getTime() - params.days * 86_400_000);
  const fp = await sql<{ n: number | string; received: Date | string | null; decided: Date | string | null }>`
    select count(*) as n, max(ir.received_at) as received, max(ir.decided_at) as decided
    from intake_records ir join regions r on r.code = ir.region_code
    where ${windowCondition(region.path, since, until)}`.execute(db);
  const f = fp.rows[0];
  const fingerprint = `${f?.n}|${f?.received ? new Date(f.received).toISOString() : ''}|${f?.decided ? new Date(f.decided).toISOString() : ''}`;
  const key = `${region.path}|${params.days}|${params.minSize}|${minute}`;
  let cache = caches.get(db);
  if (!cache) {
    cache = new Map();
    caches.set(db, cache);
  }
  const hit = cache.get(key);
  if (hit && hit.fingerprint === fingerprint && now.getTime() - hit.at < CACHE_MS) return hit.value;
  const value = await compute(db, region, params, since, until);
  if (cache.size > 200) cache.clear();
  cache.set(key, { fingerprint, at: now.getTime(), value });
  return value;
}
