import { sql } from 'kysely';
import type { Queryable } from '../../db/client.ts';
import { bandHashes, jaccard, sharedPhrases, signature, textShingles } from './minhash.ts';
import { DUPLICATE_THRESHOLD } from './threshold.ts';

/** Items closed longer ago than this leave the duplicate search (intake records likewise). */
export const WINDOW_DAYS = 180;
/** Statuses in which an item is still open (a duplicate of one is refused at registration). */
export const OPEN_STATUSES = [
  'registered',
  'dispatched',
  'returned',
  'in_progress',
  'completion_requested',
  'suspended',
] as const;
const CLOSED_STATUSES = ['completed', 'evaluated', 'archived', 'cancelled'];
/** A candidate from another region than the one asked about counts this much of its similarity. */
export const OTHER_REGION_FACTOR = 0.9;

export type IndexedKind = 'item' | 'intake';
export type IndexedText = {
  kind: IndexedKind;
  id: string;
  regionCode: string | null;
  title: string;
  content: string;
  at: Date;
};
export type DuplicateCandidate = {
  kind: IndexedKind;
  id: string;
  score: number;
  sharedPhrases: string[];
};

/**
 * A lookup reads at most this many postings of each band key: the most recent ones (the highest
 * seq, a backward index-only scan of the primary key). A key shared by many texts (bigrams every
 * report of a common problem kind has, or a case reported many times) then costs no more than a
 * rare one, and its recent texts stay candidates. See README.md.
 */
export const RECENT_POSTINGS = 64;
/** The texts sharing the most band keys with the query that are scored exactly. */
export const MAX_CANDIDATES = 100;

/**
 * The postings of items and of intake records are kept apart: an item's band keys are xor'd with a
 * constant (migration 0036 moved the existing ones), so a lookup of one kind reads that kind's
 * postings only — at a million texts with 2 % items, a key's 64 most recent postings would otherwise
 * be intake records and the item lookup at registration would not see the items behind them.
 * Intake records keep the plain keys (hot topics read them by band position).
 */
const KIND_SALT: Record<IndexedKind, number> = { intake: 0, item: 0x5bd1e995 };

/** The posting keys of a text of this kind from its MinHash band keys (bandHashes). */
export function postingKeys(kind: IndexedKind, bands: readonly number[]): number[] {
  const salt = KIND_SALT[kind];
  return salt === 0 ? [...bands] : bands.map((b) => (b ^ salt) | 0);
}

/** Adds or replaces the index entry of an item or intake record (in the caller's transaction). */
export async function recordText(db: Queryable, t: IndexedText): Promise<void> {
  const bands = postingKeys(t.kind, bandHashes(signature(textShingles(t.title, t.content))));
  // The old postings go through the primary key (band, seq): the row keeps its old keys in `bands`.
  await sql`
    delete from similarity_bands p using similarity_index s
    where s.kind = ${t.kind} and s.id = ${t.id} and p.seq = s.seq and p.band = any(s.bands)`.execute(db);
  const row = await sql<{ seq: string | number }>`
    insert into similarity_index (kind, id, region_code, title, content, recorded_at, bands)
    values (${t.kind}, ${t.id}, ${t.regionCode}, ${t.title}, ${t.content}, ${t.at}, ${bandsLiteral(bands)}::int4[])
    on conflict (kind, id) do update set region_code = excluded.region_code, title = excluded.title,
      content = excluded.content, recorded_at = excluded.recorded_at, bands = excluded.bands
    returning seq`.execute(db);
  const seq = String((row.rows[0] as { seq: string | number }).seq);
  await sql`
    insert into similarity_bands (band, seq)
    select distinct b, ${seq}::int8 from unnest(${bandsLiteral(bands)}::int4[]) as b
    on conflict do nothing`.execute(db);
}

function bandsLiteral(bands: number[]): string {
  return `{${bands.join(',')}}`;
}

/**
 * Items and intake records whose text is near the given one: LSH candidates (a shared band),
 * scored exactly (Jaccard of the shingle sets, ×0.9 when from another region than `regionCode`),
 * at least `minScore` (default: the duplicate threshold), best first. Items count while open or
 * closed within the last 180 days; intake records for 180 days after they were recorded.
 */
export async function findDuplicates(db: Queryable, q: DuplicateQuery): Promise<DuplicateCandidate[]> {
  const scored = await scoreDuplicates(db, q);
  return scored.map(({ text, ...c }) => ({
    ...c,
    sharedPhrases: sharedPhrases(`${q.title}。${q.content}`, text),
  }));
}

export type DuplicateQuery = {
  title: string;
  content: string;
  regionCode?: string | undefined;
  excludeId?: string | undefined;
  kinds?: IndexedKind[] | undefined;
  limit?: number | undefined;
  minScore?: number | undefined;
  now?: Date | undefined;
};
/** A candidate before its shared phrases: `text` is its title and content as sharedPhrases takes them. */
export type ScoredCandidate = Omit<DuplicateCandidate, 'sharedPhrases'> & { text: string };

/**
 * findDuplicates without the shared phrases (the caller computes them for the candidates it shows:
 * `sharedPhrases(`${title}。${content}`, candidate.text)`).
 */
export async function scoreDuplicates(db: Queryable, q: DuplicateQuery): Promise<ScoredCandidate[]> {
  const kinds = q.kinds ?? ['item', 'intake'];
  if (kinds.length === 0) return [];
  const shingleSet = textShingles(q.title, q.content);
  if (shingleSet.size === 0) return [];
  const bands = bandHashes(signature(shingleSet));
  const keys = kinds.flatMap((kind) => postingKeys(kind, bands));
  const since = new Date((q.now ?? new Date()).getTime() - WINDOW_DAYS * 86_400_000);
  // LSH candidates: the texts sharing the most band keys with the query (the keys of each kind asked
  // for), each key weighted by how rare it is (1 / the postings read of it). Each key's most recent
  // RECENT_POSTINGS postings are read (btree, backward, index-only). Then the window filters.
  const rows = await sql<{
    kind: IndexedKind;
    id: string;
    region_code: string | null;
    title: string;
    content: string;
  }>`
    with k as materialized (
      select array(select p.seq from similarity_bands p where p.band = q.band
        order by p.seq desc limit ${RECENT_POSTINGS}) as seqs
      from (select distinct b as band from unnest(${bandsLiteral(keys)}::int4[]) as b) q),
    hits as (
      select u.seq, sum(1.0::float8 / n) as weight
      from (select seqs, cardinality(seqs) as n from k) k
      cross join lateral unnest(k.seqs) as u(seq)
      group by u.seq order by weight desc, u.seq limit ${MAX_CANDIDATES})
    select s.kind, s.id, s.region_code, s.title, s.content
    from hits h
    join similarity_index s on s.seq = h.seq
    left join items i on s.kind = 'item' and i.id = (case when s.kind = 'item' then s.id::uuid end)
    where s.kind in (${sql.join(kinds)})
      and (${q.excludeId ?? null}::text is null or s.id <> ${q.excludeId ?? null}::text)
      and (
        (s.kind = 'intake' and s.recorded_at >= ${since})
        or (s.kind = 'item' and i.id is not null and (
          i.status not in (${sql.join(CLOSED_STATUSES)})
          or coalesce(i.archived_at, i.completed_at, i.updated_at) >= ${since}))
      )`.execute(db);
  const minScore = q.minScore ?? DUPLICATE_THRESHOLD;
  const scored: ScoredCandidate[] = [];
  // The exact score first (the query's shingles once); shared phrases only for the ones returned.
  for (const r of rows.rows) {
    const exact = Math.round(jaccard(shingleSet, textShingles(r.title, r.content)) * 1000) / 1000;
    const factor = q.regionCode && r.region_code && r.region_code !== q.regionCode ? OTHER_REGION_FACTOR : 1;
    const score = Math.round(exact * factor * 1000) / 1000;
    if (score >= minScore) scored.push({ kind: r.kind, id: r.id, score, text: `${r.title}。${r.content}` });
  }
  scored.sort((a, b) => b.score - a.score || a.id.localeCompare(b.id));
  return scored.slice(0, q.limit ?? 10);
}

/** Rebuilds the items' part of the index from every item (`duban intake reindex`); the count. */
export async function reindexItems(db: Queryable): Promise<number> {
  await sql`
    delete from similarity_bands p using similarity_index s
    where s.kind = 'item' and p.seq = s.seq and p.band = any(s.bands)`.execute(db);
  await sql`delete from similarity_index where kind = 'item'`.execute(db);
  let count = 0;
  let after: string | undefined;
  for (;;) {
    let query = db.selectFrom('items').select(['id', 'region_code', 'title', 'content', 'created_at']);
    if (after !== undefined) query = query.where('id', '>', after);
    const batch = await query.orderBy('id').limit(500).execute();
    if (batch.length === 0) break;
    for (const r of batch) {
      await recordText(db, {
        kind: 'item',
        id: r.id,
        regionCode: r.region_code,
        title: r.title,
        content: r.content,
        at: new Date(r.created_at),
      });
      count++;
    }
    after = (batch[batch.length - 1] as { id: string }).id;
  }
  return count;
}
