import { findDeadlinePhrases } from './deadline.ts';
import { fold } from './fold.ts';
import { splitTopLevel } from './split.ts';

/**
 * 责任分工: who leads and who helps, read from a bracket or field such as
 * （牵头单位：X；配合单位：Y；完成时限：Z）, （X牵头，Y配合）, （X、Y按职责分工负责）, 责任单位：X、Y,
 * 部门分工：X牵头，Y配合。 Names are returned as written (slices of the original text).
 */
export type UnitClause = {
  lead: string[];
  collaborators: string[];
  /** Units named without a role (责任单位, X负责): the leads unless the clause names a 牵头. */
  responsible: string[];
  deadlineText: string | null;
  /** 列第一位的为牵头单位: the first responsible unit leads (here, and with 下同 in later items). */
  firstListedLeads: boolean;
  /** The clause carries a rule forward (下同, 以下…不再列出). */
  carriesForward: boolean;
};

export type FieldRole = 'lead' | 'collaborator' | 'responsible' | 'deadline' | 'ignored' | 'free';

// Field labels, most specific first: 责任领导 is a person, 主要责任单位 a responsible unit.
const FIELD_LABELS: [RegExp, FieldRole][] = [
  [/分管|领导|责任人|联系人|数据提供|统计单位|长$/, 'ignored'],
  [/^(?:部门分工|责任分工|分工|任务分工)$/, 'free'],
  [/时限|时间|期限|时间节点|进度/, 'deadline'],
  [/牵头|主责|主办/, 'lead'],
  [/配合|协办|协同|参与|协助/, 'collaborator'],
  [/(?:责任|承办|负责|落实|实施|主体)(?:单位|部门|科室|处室|主体)?$/, 'responsible'],
];

/** The role of a `标签：内容` field's label (folded text), or null when it is no unit or time label. */
export function fieldRole(label: string): FieldRole | null {
  if (
    label.length > 10 ||
    !/单位|部门|科室|处室|主体|时限|时间|期限|节点|分工|分管|领导|责任人|联系人|进度/.test(label)
  ) {
    return null;
  }
  for (const [re, role] of FIELD_LABELS) if (re.test(label)) return role;
  return null;
}

/** A line that starts with a unit or time field (责任单位：…, 完成时限：…), on folded text. */
export function startsWithField(folded: string): boolean {
  const m = /^\s*([^\s:,.。;()]{2,10})\s*:/.exec(folded);
  return m !== null && fieldRole(m[1] ?? '') !== null;
}

/** Names that can only be units: 局, 委, 厅, 政府, 中心, 管委会 … at the end. */
const UNIT_NAME =
  /^[^\d:;。]{1,18}(?:局|委|厅|部|办|办公室|政府|中心|管委会|委员会|公司|集团|银行|法院|检察院|支队|大队|工会|团委|妇联|科协|工商联)$/;

const DIRECTIVE = /列(?:在)?第一位|列首位|排名第一|下同|不再(?:单独)?列出|以下.*均/;
export const FIRST_LISTED =
  /(?:列(?:在)?第一位|列首位|排(?:在)?第一位?)(?:的|者)?(?:单位|部门)?为(?:工作)?牵头/;
const ROLE_WORD = /牵头|负责|配合|参与|协助|协同|会同|落实/;

const LEAD_SUFFIX = /(?:共同)?(?:牵头(?:负责|落实|推进|实施|抓总)?|为牵头单位)$/;
const COLLAB_SUFFIX = /(?:为配合单位|按职责)?(?:分工)?(?:配合(?:落实|推进|实施)?|参与|协助|协同|协办)$/;
const RESP_SUFFIX =
  /(?:为责任单位|按(?:照)?(?:各自)?职责(?:分工)?(?:负责|落实|抓好落实)?|分别负责|共同负责|负责落实|具体负责|负责|落实)$/;

/** The units in a list (folded range): split at 、 , ; 及 以及, with 等有关部门 and 由 removed. */
export function splitUnits(text: string, folded: string, start: number, end: number): string[] {
  const units: string[] = [];
  for (const p of splitTopLevel(folded, /^(?:以及|、|,|;|及|\/)/g, start, end)) {
    let s = p.start;
    let e = p.end;
    const f = () => folded.slice(s, e);
    const lead = /^(?:由|请|并由|另由|各自)/.exec(f());
    if (lead) s += lead[0].length;
    const tail = /(?:等(?:有关|相关|其他)?(?:部门|单位|机构)?|分别|共同)$/.exec(f());
    if (tail && e - tail[0].length > s) e -= tail[0].length;
    while (e > s && /[\s.。:]/.test(folded[e - 1] ?? '')) e--;
    if (e <= s || e - s > 40) continue;
    units.push(text.slice(s, e).trim());
  }
  return units.filter((u) => u.length > 1);
}

function looksLikeDeadline(text: string): boolean {
  const phrases = findDeadlinePhrases(text, 2000, { field: true });
  const covered = phrases.reduce((n, p) => n + (p.end - p.start), 0);
  return covered > 0 && covered >= text.replace(/完成|前|\s/g, '').length * 0.5;
}

/**
 * Parses the content of a unit bracket or field. `labelled` means the caller already knows this is
 * an assignment (a 责任单位 line, a table cell): plain names count as responsible units. Returns null
 * when the text does not read as an assignment at all.
 */
export function parseUnitClause(text: string, opts: { defaultRole?: FieldRole } = {}): UnitClause | null {
  const folded = fold(text);
  const clause: UnitClause = {
    lead: [],
    collaborators: [],
    responsible: [],
    deadlineText: null,
    firstListedLeads: FIRST_LISTED.test(folded),
    carriesForward: /下同|不再(?:单独)?列出|以下.*均/.test(folded),
  };
  let assignment = opts.defaultRole !== undefined;
  // Nested directives such as （列第一位者为牵头单位，下同） are read above and skipped below.
  let work = folded.replace(/\([^()]*\)/g, (m) => (DIRECTIVE.test(m) ? ' '.repeat(m.length) : m));
  work = work.replace(/[\n\r]/g, ';');
  // （牵头单位：X，配合单位：Y）: a comma before another field label separates fields too.
  work = work.replace(/,(?=\s*([^\s:,.。;()]{2,10})\s*:)/g, (m, label: string) =>
    fieldRole(label) !== null ? ';' : m,
  );
  for (const sentence of splitTopLevel(work, /^[;。]/g)) {
    let s = sentence.start;
    const e = sentence.end;
    let role: FieldRole = opts.defaultRole ?? 'free';
    const label = /^\s*([^\s:,、()]{2,10})\s*:/.exec(work.slice(s, e));
    if (label) {
      const r = fieldRole(label[1] ?? '');
      if (r !== null) {
        role = r;
        s += label[0].length;
        assignment = true;
      }
    }
    const body = work.slice(s, e);
    if (DIRECTIVE.test(body) && !label) continue;
    switch (role) {
      case 'ignored':
        continue;
      case 'deadline':
        clause.deadlineText = text.slice(s, e).trim() || null;
        continue;
      case 'lead':
        clause.lead.push(...splitUnits(text, work, s, e));
        continue;
      case 'collaborator':
        clause.collaborators.push(...splitUnits(text, work, s, e));
        continue;
      case 'responsible':
      case 'free':
        if (readFree(text, work, s, e, clause, role === 'responsible')) assignment = true;
        continue;
    }
  }
  if (!assignment && opts.defaultRole === undefined) {
    // （市委组织部、市人社局，各区政府）: a bracket of unit names only.
    const names = splitUnits(text, work, 0, work.length);
    const aside = /简称|下称|^(?:含|包括|不含|即|如|原|现|系|指|为)|[“”"《》]/.test(work);
    if (!aside && names.length > 0 && names.every((n) => n.length <= 20 && UNIT_NAME.test(fold(n)))) {
      return { ...clause, responsible: names };
    }
  }
  if (!assignment) return null;
  return promoteMarkedLeads(clause);
}

/** A free-form sentence: parts like X牵头 / Y配合 / Z按职责分工负责 / X会同Y负责 / a deadline. */
function readFree(text: string, work: string, s: number, e: number, clause: UnitClause, labelled: boolean) {
  let found = false;
  for (const part of splitTopLevel(work, /^,/g, s, e)) {
    const body = work.slice(part.start, part.end);
    const original = text.slice(part.start, part.end);
    if (!ROLE_WORD.test(body) && looksLikeDeadline(original)) {
      clause.deadlineText = original.trim();
      continue;
    }
    const together = /^(.+?)会同(.+?)(?:共同)?(?:负责|牵头|落实|推进|实施)?$/.exec(body);
    if (together?.[1] && together[2]) {
      const mid = part.start + together[1].length;
      clause.lead.push(...splitUnits(text, work, part.start, mid));
      clause.collaborators.push(...splitUnits(text, work, mid + 2, mid + 2 + together[2].length));
      found = true;
      continue;
    }
    const lead = LEAD_SUFFIX.exec(body);
    if (lead) {
      clause.lead.push(...splitUnits(text, work, part.start, part.end - lead[0].length));
      found = true;
      continue;
    }
    const collab = COLLAB_SUFFIX.exec(body);
    if (collab) {
      clause.collaborators.push(...splitUnits(text, work, part.start, part.end - collab[0].length));
      found = true;
      continue;
    }
    const resp = RESP_SUFFIX.exec(body);
    if (resp || labelled) {
      clause.responsible.push(...splitUnits(text, work, part.start, part.end - (resp?.[0].length ?? 0)));
      found = true;
    }
  }
  return found;
}

/** Lead and collaborators of a clause, applying the 列第一位 rule when no unit is named as 牵头. */
export function resolveRoles(clause: UnitClause, firstListedLeads: boolean) {
  const lead = [...clause.lead];
  const collaborators: string[] = [];
  if (lead.length === 0 && (firstListedLeads || clause.firstListedLeads) && clause.responsible.length > 0) {
    lead.push(clause.responsible[0] ?? '');
    collaborators.push(...clause.responsible.slice(1));
  } else if (lead.length === 0) {
    lead.push(...clause.responsible);
  } else {
    collaborators.push(...clause.responsible);
  }
  collaborators.push(...clause.collaborators);
  const uniq = (xs: string[]) => [...new Set(xs)];
  const leads = uniq(lead);
  return { lead: leads, collaborators: uniq(collaborators).filter((c) => !leads.includes(c)) };
}

/** 市住建局（牵头）、市财政局: a unit marked 牵头 inside a list leads. */
function promoteMarkedLeads(clause: UnitClause): UnitClause {
  const marker = /[(（]\s*(?:牵头|牵头单位|牵头部门|主责)\s*[)）]$/;
  const marked: string[] = [];
  const strip = (names: string[]) =>
    names.filter((n) => {
      if (!marker.test(n)) return true;
      marked.push(n.replace(marker, '').trim());
      return false;
    });
  const collaborators = strip(clause.collaborators);
  const responsible = strip(clause.responsible);
  const lead = clause.lead.map((n) => n.replace(marker, '').trim());
  return { ...clause, lead: [...lead, ...marked], collaborators, responsible };
}

const UNIT_END =
  /(?:局|委|办|厅|部|府|会|中心|室|处|科|院|队|所|组|站|社|行|司|署|区|县|市|镇|乡|街道|单位|部门|机构)$/;

/**
 * Units named inside a sentence, as minutes do: 由市住建局牵头，会同市财政局研究制定…. Only names
 * that end like a unit (局, 委, 办, 政府, 中心 …) count. Null when the sentence names no lead.
 */
export function unitsInSentence(text: string): UnitClause | null {
  const folded = fold(text);
  const subject = subjectUnit(text);
  if (subject) return { ...emptyClause(), lead: [subject] };
  const m = /由([^,;。:由]{2,40}?)(?:牵头|负责|承办|落实|办理)/.exec(folded);
  if (!m?.[1]) return null;
  const lead = splitUnits(text, folded, m.index + 1, m.index + 1 + m[1].length).filter((u) =>
    UNIT_END.test(u),
  );
  if (lead.length === 0) return null;
  const rest = m.index + m[0].length;
  const c =
    /会同([^,;。:]{2,40}?)(?=研究|制定|拟定|起草|编制|做好|开展|推进|共同|抓好|完成|组织|提出|落实|协调|指导|督促|进行|形成|出台|加快|加强|完善|建立|实施|负责|,|;|。)/.exec(
      folded.slice(rest),
    );
  const collaborators = c?.[1]
    ? splitUnits(text, folded, rest + c.index + 2, rest + c.index + 2 + c[1].length).filter((u) =>
        UNIT_END.test(u),
      )
    : [];
  return { ...emptyClause(), lead, collaborators };
}

/** 各责任单位要… / 区绩效考评机构要…: the unit a directive sentence opens with, or null. */
export function subjectUnit(text: string): string | null {
  const m = /^([^,;。:、()“”\s]{2,20}?)(?:要|须|必须|应当|负责)/.exec(fold(text));
  const name = m?.[1] ? text.slice(0, m[1].length) : null;
  return name && (UNIT_END.test(name) || /^各/.test(name)) && !/^(?:会议|我们|我[市县区局])/.test(name)
    ? name
    : null;
}

function emptyClause(): UnitClause {
  return {
    lead: [],
    collaborators: [],
    responsible: [],
    deadlineText: null,
    firstListedLeads: false,
    carriesForward: false,
  };
}
