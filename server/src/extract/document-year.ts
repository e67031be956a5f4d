import { fold } from './fold.ts';

const plausible = (y: number) => y >= 1949 && y <= 2200;

/**
 * The year a document speaks of, for deadline phrases that carry none (6月底前). In order: a year in
 * the title (the first lines), the year of a document number (〔2023〕), of a full date
 * (2023年4月11日, 2023-04-11), else the year named most often as YYYY年 (at least twice). Null when
 * the text names none.
 */
export function documentYear(text: string): number | null {
  const folded = fold(text);
  const head = folded
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l.length > 0)
    .slice(0, 3)
    .filter((l) => l.length <= 80);
  for (const line of head) {
    const m = /(\d{4})年/.exec(line);
    if (m && plausible(Number(m[1])) && !/\d{4}年\s*\d{1,2}月\s*\d{1,2}日/.test(line)) return Number(m[1]);
  }
  const docNo = /[[](\d{4})[\]]\s*\d+\s*号/.exec(folded);
  if (docNo && plausible(Number(docNo[1]))) return Number(docNo[1]);
  const full = /(\d{4})年\s*\d{1,2}月\s*\d{1,2}日|(\d{4})-\d{1,2}-\d{1,2}/.exec(folded);
  if (full && plausible(Number(full[1] ?? full[2]))) return Number(full[1] ?? full[2]);
  const counts = new Map<number, number>();
  for (const m of folded.matchAll(/(?<!\d)(\d{4})年/g)) {
    const y = Number(m[1]);
    if (plausible(y)) counts.set(y, (counts.get(y) ?? 0) + 1);
  }
  let best: number | null = null;
  let bestCount = 1;
  for (const [y, n] of counts)
    if (n > bestCount || (n === bestCount && best !== null && y > best)) {
      best = y;
      bestCount = n;
    }
  return best;
}
