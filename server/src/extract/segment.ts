import { fold } from './fold.ts';
import { type Line, numberingLength, numberingStyle, trimSpan } from './lines.ts';
import { directiveSpans } from './minutes.ts';
import { matchingClose } from './split.ts';
import {
  parseUnitClause,
  startsWithField,
  subjectUnit,
  type UnitClause,
  unitsInSentence,
} from './unit-clause.ts';

/**
 * A candidate item before deadlines and targets are read: the task's range in the text, where the
 * item ends (after its unit bracket), and the clause naming its units (null: none named).
 */
export type RawItem = {
  taskStart: number;
  taskEnd: number;
  end: number;
  clause: UnitClause | null;
  /** A 完成时限 cell or field read apart from the task. */
  deadlineField?: string | null;
};

type Pending = { start: number; end: number; style: string };

const DIRECTIVE_LIST = /(?:会议|会上|现将).{0,12}(?:要求|议定|决定|明确|强调|纪要)[^。]{0,12}:$/;
const LEADING = /[\s。;,.、:!?，；：！？]/;
const hasUnits = (c: UnitClause) => c.lead.length + c.collaborators.length + c.responsible.length > 0;

/** Removes the numbering and leading punctuation of a task range; null when nothing is left. */
function taskRange(text: string, start: number, end: number): [number, number] | null {
  let [s, e] = trimSpan(text, start, end, /[\s,;:、，；：]/);
  while (s < e && LEADING.test(text[s] ?? '')) s++;
  s += numberingLength(fold(text.slice(s, e)));
  [s, e] = trimSpan(text, s, e, /[\s,;:、，；：]/);
  if (e - s < 4) return null;
  return [s, e];
}

/** The assignment brackets of a line: top-level （…） whose content reads as units. */
function unitBrackets(line: Line) {
  const folded = fold(line.text);
  const found: { start: number; end: number; clause: UnitClause }[] = [];
  for (let i = 0; i < folded.length; i++) {
    if (folded[i] !== '(') continue;
    const close = matchingClose(folded, i, true);
    if (close < 0) break;
    // A bracket broken over two lines is read as if written on one.
    const clause = parseUnitClause(line.text.slice(i + 1, close - 1).replace(/\s*\n\s*/g, ''));
    if (clause && (hasUnits(clause) || clause.firstListedLeads)) {
      found.push({ start: line.start + i, end: line.start + close, clause });
    }
    i = close - 1;
  }
  return found;
}

/** A line that is one bracket: （责任单位：…）. */
function isWholeBracket(folded: string): boolean {
  return /^\(.*\)$/.test(folded) && matchingClose(folded, 0) === folded.length;
}

/** Where an inline field (…。责任单位：X) starts in a line, or -1. */
function inlineField(line: Line): number {
  const folded = fold(line.text);
  const re = /[。;)\s]\s*((?:牵头单位|责任单位|责任部门|配合单位|牵头部门|部门分工)\s*:)/g;
  const m = re.exec(folded);
  return m ? line.start + m.index + m[0].length - (m[1]?.length ?? 0) : -1;
}

/**
 * Reads items from the lines outside tables: sentences ending in a unit bracket (several may share
 * a paragraph), numbered lines followed by field lines (牵头单位：/责任单位：/部门分工：) or by a
 * standalone bracket that covers the numbered sub-items above it, and meeting directives.
 */
export function segmentLines(text: string, rawLines: Line[]): RawItem[] {
  const lines = joinBrokenBrackets(text, rawLines);
  const items: RawItem[] = [];
  let pending: Pending[] = [];
  let fieldLines: Line[] = [];
  // After 会议议定如下事项： the numbered lines that follow are directives.
  let directiveList = false;

  const assign = (clause: UnitClause | null, end: number) => {
    const last = pending.at(-1);
    if (!last || !clause) return;
    const group = last.style === 'plain' ? [last] : pending.filter((p) => p.style === last.style);
    for (const p of group) {
      const range = taskRange(text, p.start, p.end);
      if (range)
        items.push({ taskStart: range[0], taskEnd: range[1], end: p === last ? end : range[1], clause });
    }
    pending = [];
  };

  const flushFields = () => {
    const last = fieldLines.at(-1);
    if (!last) return;
    const joined = fieldLines
      .map((l) => (isWholeBracket(fold(l.text)) ? l.text.slice(1, -1) : l.text))
      .join('\n');
    const clause = parseUnitClause(joined);
    if (clause && hasUnits(clause)) assign(clause, last.end);
    else if (clause?.deadlineText && pending.length > 0) assign(clause, last.end);
    fieldLines = [];
  };

  for (const line of lines) {
    const folded = fold(line.text);
    const wholeBracket = isWholeBracket(folded);
    if (startsWithField(folded) || (wholeBracket && parseUnitClause(line.text.slice(1, -1)) !== null)) {
      fieldLines.push(line);
      continue;
    }
    flushFields();

    const brackets = unitBrackets(line);
    if (brackets.length > 0) {
      let from = line.start;
      pending = [];
      for (const b of brackets) {
        const range = taskRange(text, from, b.start);
        if (range && hasUnits(b.clause))
          items.push({ taskStart: range[0], taskEnd: range[1], end: b.end, clause: b.clause });
        from = b.end;
      }
      const rest = taskRange(text, from, line.end);
      if (rest) pending.push({ start: rest[0], end: rest[1], style: 'plain' });
      continue;
    }

    const field = inlineField(line);
    if (field > line.start) {
      const range = taskRange(text, line.start, field);
      const clause = parseUnitClause(text.slice(field, line.end));
      if (range && clause && hasUnits(clause)) {
        items.push({ taskStart: range[0], taskEnd: range[1], end: line.end, clause });
        pending = [];
        continue;
      }
    }

    const style = numberingStyle(folded);
    if (directiveList && style !== 'plain') {
      const range = taskRange(text, line.start, line.end);
      if (range) {
        const clause = unitsInSentence(text.slice(range[0], range[1]));
        items.push({ taskStart: range[0], taskEnd: range[1], end: range[1], clause });
      }
      pending = [];
      continue;
    }
    directiveList = DIRECTIVE_LIST.test(folded);
    if (directiveList) continue;

    const directives = directiveSpans(line.text);
    if (directives.length > 0) {
      for (const d of directives) {
        const range = taskRange(text, line.start + d.start, line.start + d.end);
        if (!range) continue;
        const clause = unitsInSentence(text.slice(range[0], range[1]));
        items.push({ taskStart: range[0], taskEnd: range[1], end: range[1], clause });
      }
      pending = [];
      continue;
    }

    // 一、各责任单位要… : a numbered directive naming its unit as the subject.
    const body = taskRange(text, line.start, line.end);
    const subject = body && style !== 'plain' ? subjectUnit(text.slice(body[0], body[1])) : null;
    if (body && subject && body[1] - body[0] >= 12) {
      items.push({
        taskStart: body[0],
        taskEnd: body[1],
        end: body[1],
        clause: unitsInSentence(text.slice(body[0], body[1])),
      });
      pending = [];
      continue;
    }
    pending = pending.filter((p) => p.style === style);
    pending.push({ start: line.start, end: line.end, style });
  }
  flushFields();
  return items;
}

const balance = (folded: string) => (folded.match(/\(/g)?.length ?? 0) - (folded.match(/\)/g)?.length ?? 0);

/** Joins a line whose bracket opens but does not close with the (at most two) lines that close it. */
function joinBrokenBrackets(text: string, lines: Line[]): Line[] {
  const out: Line[] = [];
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i];
    if (!line) continue;
    let open = balance(fold(line.text));
    let j = i;
    while (open > 0 && j < i + 2 && j + 1 < lines.length) {
      j++;
      open += balance(fold(lines[j]?.text ?? ''));
    }
    const last = lines[j];
    if (open === 0 && j > i && last) {
      out.push({ start: line.start, end: last.end, text: text.slice(line.start, last.end) });
      i = j;
    } else out.push(line);
  }
  return out;
}
