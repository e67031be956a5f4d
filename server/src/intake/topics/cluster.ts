/**
 * 热点话题 (pure): citizens' records clustered into topics. Candidates come from the LSH band keys
 * of the duplicate index, every comparison is the exact Jaccard of the character-bigram sets, a
 * record joins the cluster it matches on average at ≥ TOPIC_THRESHOLD (clusterRecords), and every
 * cluster of at least `minSize` records is a topic with a label, counts per region and per week
 * and a rising flag.
 *
 * Why 0.18 (the duplicate threshold is 0.20): on the labelled pairs of
 * test/fixtures/duplicates/pairs.jsonl, 97.5 % of "same case, reworded" pairs score ≥ 0.18 (all
 * ≥ 0.165) and a cluster of three or more reports needs only a connected chain of such pairs, so the
 * few misses rarely split a topic. "Another problem at the same place" pairs share the place name
 * and score 0.10–0.24: at 0.12 90 % of them would join (and single-link chaining would fold every
 * complaint about one street into one topic), at 0.15 45 %, at 0.18 11 %. Going lower does not
 * reach "the same problem at another place" either (median 0.085, below any useful threshold):
 * a bag of bigrams cannot tell that apart from noise. A topic is therefore one problem at one
 * place, reported by several callers in their own words — what proactive supervision takes up.
 * With 128 bands of 2 rows two texts at 0.18 share about 128 × 0.18² ≈ 4 band keys (≥ 2 with
 * probability ≈ 0.92 — and a cluster has up to 8 representatives to share them with).
 */
import { MIN_PHRASE, normalise, segments, sharedPhrases } from '../similarity/minhash.ts';

export const TOPIC_THRESHOLD = 0.18;
/** A topic is rising when last week has at least this many records … */
export const RISING_MIN_LAST_WEEK = 2;
/** … and more than this multiple of the weekly average of the weeks before it. */
export const RISING_FACTOR = 1.5;
const WEEK_MS = 7 * 86_400_000;
/** A phrase in a topic's label is cut after this many characters. */
const LABEL_PHRASE = 12;

export type TopicRecord = {
  id: string;
  title: string;
  content: string;
  regionCode: string;
  regionName: string;
  receivedAt: Date;
  itemId: string | null;
  shingles: Set<string>;
  bands: readonly number[];
};

export type Topic = {
  /** The id of the topic's earliest record (then the smallest id): stable while the topic lasts. */
  key: string;
  label: string;
  phrases: string[];
  count: number;
  /** Member ids, newest first. */
  recordIds: string[];
  regions: { code: string; name: string; count: number }[];
  firstSeen: string;
  lastSeen: string;
  weekly: number[];
  lastWeek: number;
  previousWeeklyAverage: number;
  rising: boolean;
  itemIds: string[];
};

/** Jaccard of two sorted arrays of distinct ids (as minhash.ts's jaccard of the sets). */
export function sortedJaccard(a: Int32Array, b: Int32Array): number {
  if (a.length === 0 && b.length === 0) return 0;
  let i = 0;
  let j = 0;
  let inter = 0;
  while (i < a.length && j < b.length) {
    const x = a[i] as number;
    const y = b[j] as number;
    if (x === y) {
      inter++;
      i++;
      j++;
    } else if (x < y) i++;
    else j++;
  }
  return inter / (a.length + b.length - inter);
}

/** A cluster is represented by its first members (their band keys and shingles), at most this many. */
const REPRESENTATIVES = 8;
/** A cluster is scored for a record only when they share at least this many band keys … */
const MIN_SHARED_BANDS = 2;
/** … and only the clusters sharing the most keys, at most this many. */
const MAX_CANDIDATES = 8;

/**
 * The clusters of records (indexes into `records`), one pass in the given order (oldest first):
 * a record joins the cluster its text is closest to — the mean Jaccard to the cluster's
 * representatives, at least `threshold` — or starts a new one; then every record left alone is
 * offered once more to the finished clusters (an early report the topic formed around later).
 * Candidate clusters come from the LSH band keys of their representatives (sharing ≥ 2 keys: a pair
 * at 0.18 shares about 4 of 128, an unrelated one at 0.04 rarely 2; the 8 sharing most), so the
 * work stays linear in the records however large a topic grows. The mean, not the best match,
 * decides: single linkage would chain a street's noise complaints to its lift complaints through
 * one pair that mostly shares the street's name.
 */
export function clusterRecords(
  records: readonly Pick<TopicRecord, 'shingles' | 'bands'>[],
  threshold = TOPIC_THRESHOLD,
): number[][] {
  // Each shingle set as the sorted ids of its shingles: the exact Jaccard by a merge, no hashing.
  const vocabulary = new Map<string, number>();
  const sets = records.map((r) => {
    const out = new Int32Array(r.shingles.size);
    let k = 0;
    for (const sh of r.shingles) {
      let id = vocabulary.get(sh);
      if (id === undefined) {
        id = vocabulary.size;
        vocabulary.set(sh, id);
      }
      out[k++] = id;
    }
    return out.sort();
  });
  const clusters: (number[] | undefined)[] = [];
  // band index → band key → the clusters with a representative having that key
  const buckets: Map<number, number[]>[] = [];
  const hits = new Int32Array(records.length);
  const bestCluster = (i: number, own = -1): number => {
    const r = records[i] as TopicRecord;
    if (r.shingles.size === 0) return -1;
    const touched: number[] = [];
    r.bands.forEach((key, b) => {
      for (const c of buckets[b]?.get(key) ?? []) {
        if (hits[c] === 0) touched.push(c);
        hits[c] = (hits[c] as number) + 1;
      }
    });
    const candidates = touched
      .filter((c) => (hits[c] as number) >= MIN_SHARED_BANDS && c !== own && clusters[c] !== undefined)
      .sort((x, y) => (hits[y] as number) - (hits[x] as number) || x - y)
      .slice(0, MAX_CANDIDATES);
    for (const c of touched) hits[c] = 0;
    let best = -1;
    let bestScore = -1;
    for (const c of candidates) {
      const reps = (clusters[c] as number[]).slice(0, REPRESENTATIVES);
      let sum = 0;
      for (const k of reps) sum += sortedJaccard(sets[i] as Int32Array, sets[k] as Int32Array);
      const score = sum / reps.length;
      if (score >= threshold && score > bestScore) {
        best = c;
        bestScore = score;
      }
    }
    return best;
  };
  const index = (i: number, c: number) => {
    const r = records[i] as TopicRecord;
    if (r.shingles.size === 0) return;
    r.bands.forEach((key, b) => {
      let map = buckets[b];
      if (!map) {
        map = new Map();
        buckets[b] = map;
      }
      const list = map.get(key);
      if (!list) map.set(key, [c]);
      else if (!list.includes(c)) list.push(c);
    });
  };
  for (let i = 0; i < records.length; i++) {
    const best = bestCluster(i);
    if (best >= 0) {
      const members = clusters[best] as number[];
      members.push(i);
      if (members.length <= REPRESENTATIVES) index(i, best);
    } else {
      clusters.push([i]);
      index(i, clusters.length - 1);
    }
  }
  // Records left alone, offered again to the clusters as they ended (not to other lone records).
  for (let c = 0; c < clusters.length; c++) {
    const alone = clusters[c];
    if (alone?.length !== 1) continue;
    const i = alone[0] as number;
    const best = bestCluster(i, c);
    if (best >= 0 && (clusters[best] as number[]).length > 1) {
      (clusters[best] as number[]).push(i);
      clusters[c] = undefined;
    }
  }
  return clusters.filter((m): m is number[] => m !== undefined);
}

const textOf = (r: Pick<TopicRecord, 'title' | 'content'>) => `${r.title}。${r.content}`;

/**
 * The phrases most members share: maximal common substrings (≥ 4 characters, from the similarity
 * module's explanation) of pairs of members, cut at the hotline formulae, kept when at least half
 * the members (and two) contain them; most members first, then longest; at most `max`.
 */
export function topicPhrases(members: readonly Pick<TopicRecord, 'title' | 'content'>[], max = 3): string[] {
  const sample = members.slice(0, 8);
  const texts = sample.map((m) => normalise(textOf(m)));
  const candidates = new Set<string>();
  for (let i = 0; i < sample.length; i++) {
    for (const j of [i + 1, i + 2]) {
      if (j >= sample.length) continue;
      for (const p of sharedPhrases(textOf(sample[i] as TopicRecord), textOf(sample[j] as TopicRecord), 12))
        for (const piece of segments(p))
          if (Array.from(piece).length >= MIN_PHRASE - 1) candidates.add(piece);
    }
  }
  const need = Math.max(2, Math.ceil(texts.length / 2));
  const scored = [...candidates]
    .map((p) => ({ p, n: texts.filter((t) => t.includes(p)).length }))
    .filter((x) => x.n >= need)
    .sort((a, b) => b.n - a.n || b.p.length - a.p.length || a.p.localeCompare(b.p));
  const kept: string[] = [];
  for (const { p } of scored) {
    if (kept.some((k) => k.includes(p) || p.includes(k))) continue;
    kept.push(p);
    if (kept.length >= max) break;
  }
  return kept;
}

/** Week starts of the series: `weeks` windows of 7 days ending at `until` (the last one is last week). */
export function weekStarts(until: Date, days: number): Date[] {
  const weeks = Math.ceil(days / 7);
  return Array.from({ length: weeks }, (_, i) => new Date(until.getTime() - (weeks - i) * WEEK_MS));
}

/** Topics of the records (clusters of at least `minSize`), largest first, then most recent. */
export function buildTopics(
  records: readonly TopicRecord[],
  opts: { until: Date; days: number; minSize: number; threshold?: number; labelled?: number },
): Topic[] {
  const starts = weekStarts(opts.until, opts.days);
  const weeks = starts.length;
  const topics: (Topic & { members: TopicRecord[] })[] = [];
  // Oldest first: a topic grows from its first report.
  const ordered = [...records].sort(
    (a, b) => a.receivedAt.getTime() - b.receivedAt.getTime() || a.id.localeCompare(b.id),
  );
  for (const group of clusterRecords(ordered, opts.threshold)) {
    if (group.length < opts.minSize) continue;
    const members = group
      .map((i) => ordered[i] as TopicRecord)
      .sort((a, b) => b.receivedAt.getTime() - a.receivedAt.getTime() || a.id.localeCompare(b.id));
    const first = members.reduce((m, r) =>
      r.receivedAt.getTime() < m.receivedAt.getTime() ||
      (r.receivedAt.getTime() === m.receivedAt.getTime() && r.id < m.id)
        ? r
        : m,
    );
    const regions = new Map<string, { code: string; name: string; count: number }>();
    const weekly = new Array<number>(weeks).fill(0);
    for (const r of members) {
      const region = regions.get(r.regionCode) ?? { code: r.regionCode, name: r.regionName, count: 0 };
      region.count++;
      regions.set(r.regionCode, region);
      // A record received exactly `days` ago (days a multiple of 7) counts in the first week.
      const ago = Math.floor((opts.until.getTime() - r.receivedAt.getTime()) / WEEK_MS);
      const w = Math.max(0, weeks - 1 - ago);
      if (w < weeks) weekly[w] = (weekly[w] as number) + 1;
    }
    const lastWeek = weekly[weeks - 1] ?? 0;
    const previous = weekly.slice(0, -1);
    const previousWeeklyAverage =
      previous.length === 0
        ? 0
        : Math.round((previous.reduce((s, n) => s + n, 0) / previous.length) * 100) / 100;
    topics.push({
      key: first.id,
      label: first.title,
      phrases: [],
      members,
      count: members.length,
      recordIds: members.map((m) => m.id),
      regions: [...regions.values()].sort((a, b) => b.count - a.count || a.code.localeCompare(b.code)),
      firstSeen: first.receivedAt.toISOString(),
      lastSeen: (members[0] as TopicRecord).receivedAt.toISOString(),
      weekly,
      lastWeek,
      previousWeeklyAverage,
      rising: lastWeek >= RISING_MIN_LAST_WEEK && lastWeek > RISING_FACTOR * previousWeeklyAverage,
      itemIds: [...new Set(members.flatMap((m) => (m.itemId ? [m.itemId] : [])))],
    });
  }
  topics.sort(
    (a, b) => b.count - a.count || b.lastSeen.localeCompare(a.lastSeen) || a.key.localeCompare(b.key),
  );
  // Labels (the costly part) for the topics shown; the others keep their first record's title.
  return topics.map(({ members, ...t }, k) => {
    if (k >= (opts.labelled ?? Number.POSITIVE_INFINITY)) return t;
    const phrases = topicPhrases(members);
    return phrases.length > 0 ? { ...t, phrases, label: phrases.map(short).join(' · ') } : t;
  });
}

/** A label's phrase: at most LABEL_PHRASE characters. */
function short(p: string): string {
  const chars = Array.from(p);
  return chars.length > LABEL_PHRASE ? `${chars.slice(0, LABEL_PHRASE).join('')}…` : p;
}
