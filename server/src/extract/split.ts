/** Bracket pairs on folded text (see fold.ts): nested groups are skipped when splitting. */
const OPEN = '(“‘《「[';
const CLOSE = ')”’》」]';

/**
 * Splits folded text at the separators that are not inside brackets or quotes, returning the
 * [start, end) range of each non-empty piece (trimmed of spaces).
 */
export function splitTopLevel(folded: string, separators: RegExp, from = 0, to = folded.length) {
  const pieces: { start: number; end: number }[] = [];
  let depth = 0;
  let pieceStart = from;
  const push = (end: number) => {
    let s = pieceStart;
    let e = end;
    while (s < e && /\s/.test(folded[s] ?? '')) s++;
    while (e > s && /\s/.test(folded[e - 1] ?? '')) e--;
    if (e > s) pieces.push({ start: s, end: e });
  };
  for (let i = from; i < to; i++) {
    const ch = folded[i] ?? '';
    if (OPEN.includes(ch)) depth++;
    else if (CLOSE.includes(ch)) depth = Math.max(0, depth - 1);
    else if (depth === 0) {
      separators.lastIndex = 0;
      const m = separators.exec(folded.slice(i, Math.min(to, i + 4)));
      if (m && m.index === 0) {
        push(i);
        i += m[0].length - 1;
        pieceStart = i + 1;
      }
    }
  }
  push(to);
  return pieces;
}

/** The index just after the bracket closing the one at `open` (folded text, one line), or -1. */
export function matchingClose(folded: string, open: number, acrossLines = false): number {
  let depth = 0;
  for (let i = open; i < folded.length; i++) {
    const ch = folded[i];
    if (ch === '(') depth++;
    else if (ch === ')') {
      depth--;
      if (depth === 0) return i + 1;
    } else if (ch === '\n' && !acrossLines) return -1;
  }
  return -1;
}
