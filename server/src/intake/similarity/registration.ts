import { sql } from 'kysely';
import type { Queryable } from '../../db/client.ts';
import { visibleTo } from '../../items/policy.ts';
import { type Actor, hasRole } from '../../shared/actor.ts';
import { DomainError } from '../../shared/errors.ts';
import { OPEN_STATUSES, scoreDuplicates } from './index.ts';
import { sharedPhrases } from './minhash.ts';

export type DuplicateOverride = { reason: string };
/** What the item.created / item.registered event records when a supervisor overrode the check. */
export type RecordedOverride = { reason: string; duplicateIds: string[] };
export type VisibleDuplicate = {
  id: string;
  number: string;
  title: string;
  score: number;
  sharedPhrases: string[];
};

/** The text of a duplicate question: a title and content, and where and when it is asked. */
type DuplicateText = {
  title: string;
  content: string;
  regionCode?: string | undefined;
  excludeId?: string | undefined;
  now?: Date;
};
type VisibleCandidate = Omit<VisibleDuplicate, 'sharedPhrases'> & { text: string };

/** The open items in the actor's data scope that the text duplicates (score ≥ threshold), best first. */
export async function visibleDuplicateItems(
  db: Queryable,
  actor: Actor,
  q: DuplicateText,
  opts: { openOnly: boolean; limit?: number },
): Promise<VisibleDuplicate[]> {
  return withPhrases(q, await visibleCandidates(db, actor, q, opts));
}

/** The shared phrases of the candidates shown (computed only for them: the search is quadratic). */
function withPhrases(q: DuplicateText, candidates: VisibleCandidate[]): VisibleDuplicate[] {
  return candidates.map(({ text, ...c }) => ({
    ...c,
    sharedPhrases: sharedPhrases(`${q.title}。${q.content}`, text),
  }));
}

async function visibleCandidates(
  db: Queryable,
  actor: Actor,
  q: DuplicateText,
  opts: { openOnly: boolean; limit?: number },
): Promise<VisibleCandidate[]> {
  const candidates = await scoreDuplicates(db, { ...q, kinds: ['item'], limit: 50 });
  if (candidates.length === 0) return [];
  let query = db
    .selectFrom('items as i')
    .select(['i.id', 'i.number', 'i.title'])
    .where(
      'i.id',
      'in',
      candidates.map((c) => c.id),
    )
    .where(visibleTo(actor));
  if (opts.openOnly) query = query.where('i.status', 'in', [...OPEN_STATUSES]);
  const rows = new Map((await query.execute()).map((r) => [r.id, r]));
  const out: VisibleCandidate[] = [];
  const limit = opts.limit ?? 10;
  for (const c of candidates) {
    const r = rows.get(c.id);
    if (r && out.length < limit)
      out.push({ id: r.id, number: r.number, title: r.title, score: c.score, text: c.text });
  }
  return out;
}

/**
 * 重复督办 check at registration (立项, or registering a draft): refuses with 409 DUPLICATE_ITEM
 * when the text duplicates open items the actor may see, unless a supervisor overrides it with a
 * reason; then the override to record in the event (undefined when there was nothing to override).
 */
export async function checkDuplicateRegistration(
  db: Queryable,
  actor: Actor,
  text: { title: string; content: string; regionCode: string; excludeId?: string; now: Date },
  override: DuplicateOverride | undefined,
): Promise<RecordedOverride | undefined> {
  // Serialise concurrent registrations of near texts in one region: the second sees the first.
  await sql`select pg_advisory_xact_lock(${DUPLICATE_LOCK}::int4, hashtext(${text.regionCode}))`.execute(db);
  // Shared phrases only for the refusal: an override records the ids alone.
  const candidates = await visibleCandidates(db, actor, text, { openOnly: true });
  if (candidates.length === 0) return undefined;
  if (override) {
    if (!hasRole(actor, 'supervisor'))
      throw new DomainError(
        'FORBIDDEN',
        { zh: '只有督查员可以确认重复立项', en: 'Only supervisors may override the duplicate check' },
        { field: 'body.duplicateOverride' },
      );
    return { reason: override.reason, duplicateIds: candidates.map((d) => d.id) };
  }
  const duplicates = withPhrases(text, candidates);
  const first = duplicates[0] as VisibleDuplicate;
  throw new DomainError(
    'DUPLICATE_ITEM',
    {
      zh: `重复督办：与在办事项 ${first.number}「${first.title}」高度相似（相似度 ${first.score}）；如确需立项，请填写重复立项理由（duplicateOverride.reason）`,
      en: `Duplicate: very similar to the open item ${first.number} (score ${first.score}); give duplicateOverride.reason to register anyway`,
    },
    { field: 'body.content', details: { duplicates } },
  );
}

const DUPLICATE_LOCK = 0x0d0b17;
