/**
 * Near-duplicate detection for Chinese text (pure): normalised character n-gram shingles, MinHash
 * signatures banded for LSH, the estimated Jaccard similarity and the shared phrases that explain it.
 *
 * Why MinHash and not SimHash: SimHash answers well for long documents differing in a few places,
 * but two hotline reports of one problem are short and reworded — they share a set of place names
 * and problem words, not a near-identical bit pattern. Jaccard over shingle sets measures exactly
 * that overlap, MinHash estimates it without keeping the sets, and LSH banding finds the candidates
 * with an index lookup (rows per band are few, so low similarities still meet in some band).
 */

/** Signature length (hash functions) and banding: NUM_BANDS bands of ROWS_PER_BAND rows. */
export const NUM_HASHES = 256;
export const ROWS_PER_BAND = 2;
export const NUM_BANDS = NUM_HASHES / ROWS_PER_BAND;
/** Shingle length (characters). Bigrams: Chinese words are mostly two characters long. */
export const SHINGLE = 2;
/** The shortest shared phrase worth showing. */
export const MIN_PHRASE = 4;
/** Texts are compared on their first characters only (a complaint's gist is at its start). */
const MAX_CHARS = 4000;
/** Shared phrases are looked for in the first characters only (the search is quadratic). */
const MAX_PHRASE_CHARS = 2000;

/**
 * Formulae every hotline record or supervision task uses (who called, what they ask for): they say
 * nothing about which problem it is, so they break the text like punctuation and make no shingles.
 */
export const BOILERPLATE: readonly string[] = [
  '市民来电',
  '来电人',
  '反映',
  '市民',
  '居民',
  '群众',
  '请求',
  '要求',
  '希望',
  '有关部门',
  '相关部门',
  '尽快',
  '处理',
  '督促',
  '问题',
  '投诉',
  '关于',
  '我们',
  '我家',
  '多次',
  '严重',
  '影响',
  '演示数据',
];

/**
 * Full-width forms to half-width (NFKC), lower case, and only letters, digits and CJK kept:
 * punctuation, symbols and whitespace go.
 */
export function normalise(text: string): string {
  return text
    .normalize('NFKC')
    .toLowerCase()
    .replace(/[^\p{L}\p{N}]/gu, '')
    .slice(0, MAX_CHARS);
}

/** The formulae as one pattern (in list order: a longer formula listed first wins where they overlap). */
const BOILERPLATE_RE = new RegExp(BOILERPLATE.join('|'), 'g');

/** The text's runs between punctuation and boilerplate, each normalised (shingles stay inside one). */
export function segments(text: string): string[] {
  // The text is NFKC once; each run then only needs lower-casing (and what that may add, dropped).
  return text
    .normalize('NFKC')
    .slice(0, MAX_CHARS)
    .replace(BOILERPLATE_RE, '。')
    .split(/[^\p{L}\p{N}]+/u)
    .map((x) => x.toLowerCase().replace(/[^\p{L}\p{N}]/gu, ''))
    .filter((x) => x !== '');
}

/** The shingle set of an item's or record's title and content. */
export function textShingles(title: string, content: string): Set<string> {
  const out = new Set<string>();
  const segs = segments(`${title}。${content}`);
  for (const seg of segs) {
    const chars = Array.from(seg);
    // A lone character left between formulae (请, 的) says nothing; a one-character text still counts.
    if (chars.length < SHINGLE) {
      if (segs.length === 1) out.add(seg);
      continue;
    }
    for (let i = 0; i + SHINGLE <= chars.length; i++) {
      let sh = chars[i] as string;
      for (let j = 1; j < SHINGLE; j++) sh += chars[i + j] as string;
      out.add(sh);
    }
  }
  return out;
}

/** The distinct character n-grams of a normalised text (a text shorter than n is one shingle). */
export function shingles(normalised: string, n = SHINGLE): Set<string> {
  const out = new Set<string>();
  const chars = Array.from(normalised);
  if (chars.length === 0) return out;
  if (chars.length < n) {
    out.add(chars.join(''));
    return out;
  }
  for (let i = 0; i + n <= chars.length; i++) out.add(chars.slice(i, i + n).join(''));
  return out;
}

/** FNV-1a over the UTF-16 code units: a shingle's 32-bit base hash. */
function fnv1a(s: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

/** murmur3's finaliser: a good 32-bit mixer. */
function fmix32(x: number): number {
  let h = x >>> 0;
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/** Fixed per-function seeds (deterministic: stored signatures stay comparable across restarts). */
const SEEDS: readonly number[] = Array.from({ length: NUM_HASHES }, (_, i) => fmix32(0x9e3779b9 * (i + 1)));

/** The MinHash signature of a shingle set: for each hash function, the smallest value. */
export function signature(set: Set<string>): number[] {
  const sig = new Array<number>(NUM_HASHES).fill(0xffffffff);
  for (const sh of set) {
    const base = fnv1a(sh);
    for (let i = 0; i < NUM_HASHES; i++) {
      const v = fmix32(base ^ (SEEDS[i] as number));
      if (v < (sig[i] as number)) sig[i] = v;
    }
  }
  return sig;
}

/** Signature of a title and content (the title counts once, like any sentence). */
export function textSignature(title: string, content: string): number[] {
  return signature(textShingles(title, content));
}

/** The share of equal positions: an unbiased estimate of the Jaccard similarity. */
export function estimateJaccard(a: readonly number[], b: readonly number[]): number {
  if (a.length !== b.length || a.length === 0) return 0;
  let same = 0;
  for (let i = 0; i < a.length; i++) if (a[i] === b[i]) same++;
  return same / a.length;
}

/** Exact Jaccard of two shingle sets (tests and evaluation). */
export function jaccard(a: Set<string>, b: Set<string>): number {
  if (a.size === 0 && b.size === 0) return 0;
  let inter = 0;
  for (const x of a) if (b.has(x)) inter++;
  return inter / (a.size + b.size - inter);
}

/** LSH band keys: one signed 32-bit hash per band (stored as int4). */
export function bandHashes(sig: readonly number[]): number[] {
  const out: number[] = [];
  for (let b = 0; b < NUM_BANDS; b++) {
    let h = fmix32(b + 1);
    for (let r = 0; r < ROWS_PER_BAND; r++) h = fmix32(h ^ (sig[b * ROWS_PER_BAND + r] as number));
    out.push(h | 0);
  }
  return out;
}

/**
 * The shared phrases of two texts: maximal common substrings of at least MIN_PHRASE characters of
 * their normalised forms, found by walking A and extending every hit in B as far as it goes (the
 * MIN_PHRASE-gram set of B makes misses cheap). Longest first, without phrases contained in others.
 */
export function sharedPhrases(a: string, b: string, max = 8): string[] {
  const na = Array.from(normalise(a)).slice(0, MAX_PHRASE_CHARS);
  const nb = Array.from(normalise(b)).slice(0, MAX_PHRASE_CHARS).join('');
  if (na.length < MIN_PHRASE || nb.length < MIN_PHRASE) return [];
  const grams = shingles(nb, MIN_PHRASE);
  const found: string[] = [];
  // Every start position, so overlapping maximal runs are all found; a run ending where the
  // previous one ended is inside it and skipped.
  let end = 0;
  for (let i = 0; i + MIN_PHRASE <= na.length; i++) {
    if (!grams.has(na.slice(i, i + MIN_PHRASE).join(''))) continue;
    let len = MIN_PHRASE;
    while (i + len < na.length && nb.includes(na.slice(i, i + len + 1).join(''))) len++;
    if (i + len > end) found.push(na.slice(i, i + len).join(''));
    end = Math.max(end, i + len);
  }
  const unique = [...new Set(found)].sort((x, y) => y.length - x.length || x.localeCompare(y));
  const kept: string[] = [];
  for (const p of unique) if (!kept.some((k) => k.includes(p))) kept.push(p);
  return kept.slice(0, max);
}

export type SimilarityText = { title: string; content: string };

/**
 * Score and explanation for a pair of texts (pure). The score is the exact Jaccard similarity of
 * the shingle sets: MinHash/LSH only finds the candidates, each is then scored exactly.
 */
export function compareTexts(
  a: SimilarityText,
  b: SimilarityText,
): { score: number; sharedPhrases: string[] } {
  const score = jaccard(textShingles(a.title, a.content), textShingles(b.title, b.content));
  return {
    score: Math.round(score * 1000) / 1000,
    sharedPhrases: sharedPhrases(`${a.title}。${a.content}`, `${b.title}。${b.content}`),
  };
}
