import { fold } from './fold.ts';
import { splitTopLevel } from './split.ts';

/**
 * 会议纪要 and meeting reports assign work in prose: 会议要求，…。 / 会议强调，…；… / 某某要求：一是…二是….
 * After such a trigger at the start of a sentence, each 一是/二是 part (or else each sentence or
 * ；-clause) up to the next 会议指出/会议听取 is one task, with no unit named.
 */
const TRIGGER = /(?:^|[。;!?])\s*([^。;,:!?\s]{0,8}?)(?:要求|强调|明确|确定|议定|决定|部署)\s*[,:]/g;
const STOP = /(?:^|[。;])\s*(?:会议(?:指出|听取|认为|原则同意|审议|研究|传达|学习|通报)|会上)/g;
const ORDINAL = /[一二三四五六七八九十]{1,2}是[,:]?/g;

export type Span = { start: number; end: number };

/** Who may follow 要求/强调: the meeting, an office holder, or a bare 2–3 character name. */
function isSpeaker(subject: string): boolean {
  if (subject === '' || /^会议(?:还|同时|最后)?$|^会上$/.test(subject)) return true;
  if (/(?:同志|书记|长|主任|领导)$/.test(subject)) return true;
  return (
    /^[\u4e00-\u9fa5]{2,3}$/.test(subject) &&
    !/^[要按对据照从在为将把并和与]/.test(subject) &&
    !/[的标求性]$/.test(subject)
  );
}

export function directiveSpans(line: string): Span[] {
  const folded = fold(line);
  const spans: Span[] = [];
  TRIGGER.lastIndex = 0;
  for (let m = TRIGGER.exec(folded); m !== null; m = TRIGGER.exec(folded)) {
    const subject = m[1] ?? '';
    if (!isSpeaker(subject)) continue;
    const from = m.index + m[0].length;
    STOP.lastIndex = from;
    const stop = STOP.exec(folded);
    const to = stop ? stop.index + (/^[。;]/.test(stop[0]) ? 1 : 0) : folded.length;
    spans.push(...splitDirectives(folded, from, to));
    TRIGGER.lastIndex = Math.max(TRIGGER.lastIndex, to);
  }
  return spans;
}

function splitDirectives(folded: string, from: number, to: number): Span[] {
  const region = folded.slice(from, to);
  const ordinals = [...region.matchAll(ORDINAL)];
  if (ordinals.length >= 2) {
    return ordinals.map((m, k) => {
      const s = from + (m.index ?? 0) + m[0].length;
      const next = ordinals[k + 1];
      let e = next ? from + (next.index ?? 0) : to;
      // A trailing byline in brackets (（通讯员 …）) is not part of the task.
      const tail = /\([^()]*\)\s*$/.exec(folded.slice(s, e));
      if (tail && !next) e -= tail[0].length;
      return { start: s, end: e };
    });
  }
  return splitTopLevel(folded, /^[。;]/g, from, to)
    .map((p) => ({ start: p.start, end: Math.min(to, p.end + (/[。]/.test(folded[p.end] ?? '') ? 1 : 0)) }))
    .filter((p) => p.end - p.start >= 6);
}
