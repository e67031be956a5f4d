import { parseDeadline } from './deadline.ts';
import { documentYear } from './document-year.ts';
import { fold } from './fold.ts';
import { splitLines } from './lines.ts';
import { type RawItem, segmentLines } from './segment.ts';
import { findTables, type Table } from './table.ts';
import { findTargets } from './targets.ts';
import type { ExtractedItem, ExtractOptions } from './types.ts';
import { FIRST_LISTED, parseUnitClause, resolveRoles, type UnitClause } from './unit-clause.ts';

/**
 * 承诺事项抽取: the candidate items of a 任务分工方案, 责任分解方案, work report or minutes, from its
 * plain text (see load-text.ts). Pure: the same text and year give the same items.
 */
export function extractItems(text: string, opts: ExtractOptions = {}): ExtractedItem[] {
  const year = opts.year !== undefined ? opts.year : documentYear(text);
  const firstListed = FIRST_LISTED.test(fold(text));
  const lines = splitLines(text);
  const tables = findTables(text, lines);
  const inTable = new Set<number>();
  for (const t of tables) for (let i = t.firstLine; i <= t.lastLine; i++) inTable.add(i);
  const raw = [
    ...tables.flatMap(tableItems),
    ...segmentLines(
      text,
      lines.filter((_, i) => !inTable.has(i)),
    ),
  ];
  raw.sort((a, b) => a.taskStart - b.taskStart);
  const items: ExtractedItem[] = [];
  let lastEnd = -1;
  for (const r of raw) {
    if (r.taskStart < lastEnd) continue;
    lastEnd = Math.max(r.taskEnd, r.end);
    items.push(toItem(text, r, year, firstListed));
  }
  return items;
}

function toItem(text: string, r: RawItem, year: number | null, firstListed: boolean): ExtractedItem {
  const task = text.slice(r.taskStart, r.taskEnd);
  const roles = r.clause ? resolveRoles(r.clause, firstListed) : { lead: [], collaborators: [] };
  const d = parseDeadline(task, r.deadlineField ?? r.clause?.deadlineText ?? null, year);
  const item: ExtractedItem = {
    task,
    lead: roles.lead,
    collaborators: roles.collaborators,
    deadline: d.deadline,
    deadline_text: d.deadline_text,
    recurring: d.recurring,
    targets: findTargets(task),
    citation: { start: r.taskStart, end: Math.max(r.taskEnd, r.end) },
  };
  if (d.milestones.length > 0) item.milestones = d.milestones;
  return item;
}

function tableItems(table: Table): RawItem[] {
  const items: RawItem[] = [];
  for (const row of table.rows) {
    const task = row.cells.get('task')?.at(-1);
    if (!task) continue;
    const clause: UnitClause = {
      lead: [],
      collaborators: [],
      responsible: [],
      deadlineText: null,
      firstListedLeads: false,
      carriesForward: false,
    };
    const roles = [
      ['lead', 'lead'],
      ['collaborator', 'collaborator'],
      ['responsible', 'responsible'],
    ] as const;
    for (const [column, role] of roles) {
      for (const cell of row.cells.get(column) ?? []) {
        const c = parseUnitClause(cell.text, { defaultRole: role });
        if (!c) continue;
        clause.lead.push(...c.lead);
        clause.collaborators.push(...c.collaborators);
        clause.responsible.push(...c.responsible);
        clause.firstListedLeads ||= c.firstListedLeads;
      }
    }
    const deadline = row.cells.get('deadline')?.at(-1)?.text ?? null;
    items.push({ taskStart: task.start, taskEnd: task.end, end: task.end, clause, deadlineField: deadline });
  }
  return items;
}
