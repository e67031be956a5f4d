import { fold } from './fold.ts';
import type { Milestone } from './types.ts';

/**
 * Chinese deadline phrases (完成时限). Our own parser: general date libraries read 月底/年底/季度末
 * wrongly. Every period phrase means its last day: 6月底前 → 06-30, 年底前/年内/全年 → 12-31,
 * 上半年 → 06-30, 三季度末 → 09-30, 2025年前 / 到2025年 → 2025-12-31, 6月前 → 06-30 (read as
 * "by June", the common usage). A phrase without a year takes the year of an earlier phrase in the
 * same text, else the document's year, else its date stays null.
 */
export type DeadlinePhrase = {
  start: number;
  end: number;
  text: string;
  kind: 'date' | 'relative' | 'recurring' | 'asap';
  /** ISO date for kind 'date' when the year is known. */
  date: string | null;
};

export type Deadline = {
  deadline: string | null;
  deadline_text: string | null;
  recurring: string | null;
  milestones: Milestone[];
};

const CN_DIGITS: Record<string, number> = {
  一: 1,
  二: 2,
  三: 3,
  四: 4,
  五: 5,
  六: 6,
  七: 7,
  八: 8,
  九: 9,
  十: 10,
};

/** 12, 十二, 三 → number; NaN for anything else. */
export function numeral(s: string): number {
  if (/^\d+$/.test(s)) return Number(s);
  if (s === '十') return 10;
  if (s.length === 2 && s[0] === '十') return 10 + (CN_DIGITS[s[1] ?? ''] ?? Number.NaN);
  if (s.length === 1) return CN_DIGITS[s] ?? Number.NaN;
  if (s.length === 2 && s[1] === '十') return (CN_DIGITS[s[0] ?? ''] ?? Number.NaN) * 10;
  if (s.length === 3 && s[1] === '十')
    return (CN_DIGITS[s[0] ?? ''] ?? Number.NaN) * 10 + (CN_DIGITS[s[2] ?? ''] ?? Number.NaN);
  return Number.NaN;
}

function lastDayOfMonth(year: number, month: number): number {
  return new Date(Date.UTC(year, month, 0)).getUTCDate();
}

function iso(year: number, month: number, day: number): string | null {
  if (!Number.isInteger(year) || year < 1900 || year > 2200) return null;
  if (!Number.isInteger(month) || month < 1 || month > 12) return null;
  if (!Number.isInteger(day) || day < 1 || day > lastDayOfMonth(year, month)) return null;
  return `${year}-${String(month).padStart(2, '0')}-${String(day).padStart(2, '0')}`;
}

const MONTH = '(\\d{1,2}|十[一二]?|[一二三四五六七八九])';
const YEAR = '(?:(\\d{4})年)?';
const BEFORE = '(?:前|之前|以前)';
const NOT_START = '(?!\\s*(?:开始|起|以来))';

type Rule = {
  re: RegExp;
  /** Only in a deadline field, a table's 时限 cell or a unit bracket, never in running text. */
  fieldOnly?: boolean;
  resolve: (m: RegExpExecArray, year: number | null) => Omit<DeadlinePhrase, 'start' | 'end' | 'text'>;
};

const date = (y: number | null, m: number, d: (y: number) => number) =>
  ({ kind: 'date', date: y === null ? null : iso(y, m, d(y)) }) as const;
const yearOf = (raw: string | undefined, fallback: number | null) => (raw ? Number(raw) : fallback);

const RULES: Rule[] = [
  {
    // 2023年1月15日前, 1月15日前
    re: new RegExp(`${YEAR}${MONTH}月(\\d{1,2})日${BEFORE}?${NOT_START}`, 'g'),
    resolve: (m, y) => date(yearOf(m[1], y), numeral(m[2] ?? ''), () => Number(m[3])),
  },
  {
    // 2023-06-30 in a 完成时限 cell
    re: /(\d{4})[-./](\d{1,2})[-./](\d{1,2})/g,
    fieldOnly: true,
    resolve: (m) => date(Number(m[1]), Number(m[2]), () => Number(m[3])),
  },
  {
    // 10月底前, 2022年10月底, 6月中旬, 9月前, 12月份前
    re: new RegExp(
      `${YEAR}(?<![\\d\\-~至])${MONTH}月(?:份)?(底|末|上旬|中旬|下旬|${BEFORE})(?:${BEFORE})?${NOT_START}`,
      'g',
    ),
    resolve: (m, y) => {
      const part = m[3] ?? '';
      const day =
        part === '上旬'
          ? () => 10
          : part === '中旬'
            ? () => 20
            : (yy: number) => lastDayOfMonth(yy, numeral(m[2] ?? ''));
      return date(yearOf(m[1], y), numeral(m[2] ?? ''), day);
    },
  },
  {
    // a bare month in a 时限 cell: 2023年6月, 6月
    re: new RegExp(`${YEAR}${MONTH}月(?:份)?(?![\\d日])`, 'g'),
    fieldOnly: true,
    resolve: (m, y) =>
      date(yearOf(m[1], y), numeral(m[2] ?? ''), (yy) => lastDayOfMonth(yy, numeral(m[2] ?? ''))),
  },
  {
    // 上半年, 2023年下半年, 三季度末, 第一季度前
    re: new RegExp(
      `${YEAR}(上半年|下半年|(?:第)?([一二三四1-4])季度)(?:末|底)?(?:前|内|结束前)?${NOT_START}`,
      'g',
    ),
    resolve: (m, y) => {
      const q = m[2] === '上半年' ? 2 : m[2] === '下半年' ? 4 : numeral(m[3] ?? '');
      return date(yearOf(m[1], y), q * 3, (yy) => lastDayOfMonth(yy, q * 3));
    },
  },
  {
    // 2023年底前, 2023年年底, 2023年内, 到2025年, 2025年前, 2025年完成
    re: /(?:到|至)?(\d{4})年(?:年?(?:底|末)(?:前)?|内|前|之前|以前|(?=完成|建成|实现|全面完成|基本完成))/g,
    resolve: (m) => date(Number(m[1]), 12, () => 31),
  },
  {
    // a bare year in a 时限 cell: 2023年, 2023年度
    re: /(\d{4})年度?(?![\d月])/g,
    fieldOnly: true,
    resolve: (m) => date(Number(m[1]), 12, () => 31),
  },
  {
    re: /到(\d{4})年/g,
    resolve: (m) => date(Number(m[1]), 12, () => 31),
  },
  {
    // 年底前, 年内, 全年, 本年度, 年度内
    re: /(?<!\d)(?:年底前?|年末前?|年内|全年|本年度|年度内)/g,
    resolve: (_m, y) => date(y, 12, () => 31),
  },
  {
    // 10个工作日内, 30日内, 3个月内
    re: /(\d+|[一二三四五六七八九十]+)个?(?:工作日|自然日|日|天|周|个月|月)内/g,
    resolve: () => ({ kind: 'relative', date: null }),
  },
  {
    re: /每(?:年|半年|季度?|月|周|日|天)|定期|[日周月]报告/g,
    resolve: () => ({ kind: 'recurring', date: null }),
  },
  {
    re: /持续推进|长期坚持|长期推进|持续开展|持续实施|常态化(?:推进|开展)?|长期|持续|经常性/g,
    fieldOnly: true,
    resolve: () => ({ kind: 'recurring', date: null }),
  },
  {
    re: /尽快|立即|马上/g,
    resolve: () => ({ kind: 'asap', date: null }),
  },
];

type Found = {
  start: number;
  end: number;
  explicitYear: number | null;
  resolve: (year: number | null) => ReturnType<Rule['resolve']>;
};

/** Every deadline phrase in text, in order, overlaps resolved in favour of the longer phrase. */
export function findDeadlinePhrases(
  text: string,
  year: number | null,
  opts: { field?: boolean } = {},
): DeadlinePhrase[] {
  const folded = fold(text);
  const found: Found[] = [];
  for (const rule of RULES) {
    if (rule.fieldOnly && !opts.field) continue;
    rule.re.lastIndex = 0;
    for (let m = rule.re.exec(folded); m !== null; m = rule.re.exec(folded)) {
      if (m[0].length === 0) {
        rule.re.lastIndex++;
        continue;
      }
      const match = m;
      const explicit = /(\d{4})(?:年|[-./])/.exec(m[0]);
      found.push({
        start: m.index,
        end: m.index + m[0].length,
        explicitYear: explicit ? Number(explicit[1]) : null,
        resolve: (y) => rule.resolve(match, y),
      });
    }
  }
  found.sort((a, b) => a.start - b.start || b.end - b.start - (a.end - a.start));
  const kept: Found[] = [];
  for (const p of found) {
    const last = kept.at(-1);
    if (last && p.start < last.end) {
      if (p.end - p.start > last.end - last.start) kept[kept.length - 1] = p;
      continue;
    }
    kept.push(p);
  }
  // A phrase without a year takes the year of an earlier phrase in the text, else the document's.
  let context = year;
  return kept.map((p) => {
    if (p.explicitYear !== null) context = p.explicitYear;
    return { start: p.start, end: p.end, text: text.slice(p.start, p.end), ...p.resolve(context) };
  });
}

/**
 * The deadline of one item. `field` is the text of its 完成时限 field, table cell or bracket part
 * (read first, and allowed to say 持续推进); `task` is the item's own text.
 */
export function parseDeadline(task: string, field: string | null, year: number | null): Deadline {
  const fromField = field ? findDeadlinePhrases(field, year, { field: true }) : [];
  const phrases = fromField.some((p) => p.kind === 'date')
    ? fromField
    : [...fromField, ...findDeadlinePhrases(task, year)];
  const dated = phrases.filter((p) => p.kind === 'date');
  const recurring = phrases.find((p) => p.kind === 'recurring')?.text ?? null;
  if (dated.length > 0) {
    const known = dated.filter((p) => p.date !== null);
    if (known.length === 0) {
      return { deadline: null, deadline_text: dated.at(-1)?.text ?? null, recurring, milestones: [] };
    }
    const final = known.reduce((best, p) => ((p.date ?? '') >= (best.date ?? '') ? p : best));
    const milestones = known.filter((p) => p !== final).map((p) => ({ text: p.text, date: p.date ?? '' }));
    return { deadline: final.date, deadline_text: final.text, recurring, milestones };
  }
  const other = phrases.find((p) => p.kind === 'relative' || p.kind === 'asap');
  const fieldRecurring = fromField.find((p) => p.kind === 'recurring');
  return {
    deadline: null,
    deadline_text: other?.text ?? fieldRecurring?.text ?? (field?.trim() || null),
    recurring,
    milestones: [],
  };
}
