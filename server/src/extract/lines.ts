/** A non-empty line of the extracted text, trimmed, with its offset. */
export type Line = { start: number; end: number; text: string };

export function splitLines(text: string): Line[] {
  const lines: Line[] = [];
  let pos = 0;
  for (const raw of text.split('\n')) {
    let s = pos;
    let e = pos + raw.length;
    pos = e + 1;
    while (s < e && /[\s\u3000]/.test(text[s] ?? '')) s++;
    while (e > s && /[\s\u3000]/.test(text[e - 1] ?? '')) e--;
    if (e > s) lines.push({ start: s, end: e, text: text.slice(s, e) });
  }
  return lines;
}

/** A span of the text as [start, end) with leading/trailing spaces and the given characters removed. */
export function trimSpan(text: string, start: number, end: number, chars = /[\s\u3000]/): [number, number] {
  let s = start;
  let e = end;
  while (s < e && chars.test(text[s] ?? '')) s++;
  while (e > s && chars.test(text[e - 1] ?? '')) e--;
  return [s, e];
}

const NUMBERING =
  /^\s*(?:\d{1,3}(?:\.\d{1,3})*[.、](?!\d)|\(\d{1,3}\)|\([一二三四五六七八九十]{1,3}\)|[一二三四五六七八九十]{1,3}[、.]|第[一二三四五六七八九十百]{1,4}[条项章节][,:、\s]?|[①②③④⑤⑥⑦⑧⑨⑩⑪⑫⑬⑭⑮⑯⑰⑱⑲⑳]|[一二三四五六七八九十]{1,3}是[,:]?)\s*/;

/** The numbering style of a folded line (1. / (1) / (一) / 一、 / 第一条 / ① / 一是), or 'plain'. */
export function numberingStyle(folded: string): string {
  const m = NUMBERING.exec(folded);
  if (!m) return 'plain';
  return m[0]
    .trim()
    .replace(/\d+/g, 'n')
    .replace(/[一二三四五六七八九十百]+/g, 'c')
    .replace(/[①-⑳]/, '①');
}

/** Length of the numbering prefix at the start of a folded string (0 when none). */
export function numberingLength(folded: string): number {
  return NUMBERING.exec(folded)?.[0].length ?? 0;
}
