import { fold } from './fold.ts';
import type { Line } from './lines.ts';
import { trimSpan } from './lines.ts';

/**
 * Tables of 任务分工 (序号 | 重点任务 | 牵头单位 | 配合单位 | 完成时限 …), in either shape the loaders
 * and stored pages give: one row per line with cells separated by `|` or tabs, or one cell per line
 * (a flattened HTML table, with or without a trailing `|`). Rows are found by their 序号 cell.
 */
export type ColumnRole =
  | 'seq'
  | 'task'
  | 'lead'
  | 'collaborator'
  | 'responsible'
  | 'deadline'
  | 'other'
  | 'group';

export type Cell = { start: number; end: number; text: string };
export type TableRow = { cells: Map<ColumnRole, Cell[]> };
export type Table = { rows: TableRow[]; firstLine: number; lastLine: number };

const HEADER: [RegExp, ColumnRole][] = [
  [/^(?:序号|编号|序|号)$/, 'seq'],
  // A cell spanning the 牵头单位 and 配合单位 sub-headers of a second header row.
  [/^(?:责任分工|分工|部门分工|单位分工|责任单位及分工)$/, 'group'],
  [/^(?:完成时限|时限要求|完成时间|时间节点|时限|完成期限|办结时限|时间要求|进度安排|时间安排)$/, 'deadline'],
  [/^(?:牵头单位|牵头部门|主责单位|牵头处室|牵头科室|主办单位)$/, 'lead'],
  [/^(?:配合单位|配合部门|协办单位|协同单位|参与单位|配合处室|配合科室)$/, 'collaborator'],
  [/^(?:责任单位|责任部门|责任科室|责任处室|承办单位|责任主体|落实单位|实施单位)$/, 'responsible'],
  [
    /^(?:责任领导|分管领导|牵头领导|责任人|联系领导|进展情况|完成情况|工作进展|推进情况|备注|类别|分类|领域|指标)$/,
    'other',
  ],
  [/^[^\d]{0,6}(?:工作|任务|措施|内容|要求|事项|目标|举措)[^\d]{0,4}$/, 'task'],
];

export function headerRole(cell: string): ColumnRole | null {
  const f = fold(cell).replace(/\s/g, '');
  if (f.length === 0 || f.length > 12) return null;
  for (const [re, role] of HEADER) if (re.test(f)) return role;
  return null;
}

type StreamCell = Cell & { line: number };

/** The cells of a line: split at `|` or tabs; empty cells dropped. */
function cellsOf(text: string, line: Line, index: number): StreamCell[] {
  const cells: StreamCell[] = [];
  let s = line.start;
  for (let i = line.start; i <= line.end; i++) {
    const ch = text[i];
    if (i === line.end || ch === '|' || ch === '｜' || ch === '\t') {
      const [a, b] = trimSpan(text, s, i);
      if (b > a) cells.push({ start: a, end: b, text: text.slice(a, b), line: index });
      s = i + 1;
    }
  }
  return cells;
}

const isSeq = (cell: string) => /^\d{1,3}[.、]?$/.test(fold(cell).trim());

/** Finds the tables in the lines; each table's lines are consumed (its items come from rows). */
export function findTables(text: string, lines: Line[]): Table[] {
  const tables: Table[] = [];
  const perLine = lines.map((l, i) => cellsOf(text, l, i));
  let i = 0;
  while (i < lines.length) {
    const header = readHeader(perLine, i);
    if (!header) {
      i++;
      continue;
    }
    const table = readRows(perLine, header.roles, header.nextLine);
    if (table.rows.length === 0) {
      i = header.nextLine;
      continue;
    }
    tables.push({ rows: table.rows, firstLine: i, lastLine: table.lastLine });
    i = table.lastLine + 1;
  }
  return tables;
}

function readHeader(perLine: StreamCell[][], from: number) {
  const roles: ColumnRole[] = [];
  let line = from;
  for (; line < perLine.length; line++) {
    const cells = perLine[line] ?? [];
    if (cells.length === 0 && roles.length > 0) continue;
    const lineRoles = cells.map((c) => headerRole(c.text)).filter((r): r is ColumnRole => r !== null);
    if (lineRoles.length === 0 || lineRoles.length < cells.length) break;
    if (cells.length > 1 && roles.length > 0 && !roles.includes('group')) break;
    roles.push(...lineRoles);
    if (cells.length > 1 && !roles.includes('group')) {
      line++;
      break;
    }
    if (cells.length > 1 && roles.indexOf('group') < roles.length - cells.length) {
      line++;
      break;
    }
  }
  spliceGroup(roles);
  const hasTask = roles.includes('task');
  const hasOther = roles.some((r) => r === 'lead' || r === 'responsible' || r === 'deadline');
  if (roles.length < 2 || !hasTask || !hasOther) return null;
  return { roles, nextLine: line };
}

/** 序号 | 任务 | 责任分工 | 时限 followed by 牵头单位 | 配合单位: the sub-headers take the group's place. */
function spliceGroup(roles: ColumnRole[]): void {
  const g = roles.indexOf('group');
  if (g < 0) return;
  let tail = roles.length;
  while (tail > g + 1 && ['lead', 'collaborator', 'responsible'].includes(roles[tail - 1] ?? '')) tail--;
  const subs = roles.splice(tail);
  if (subs.length === 0) roles[g] = 'other';
  else roles.splice(g, 1, ...subs);
}

function readRows(perLine: StreamCell[][], roles: ColumnRole[], from: number) {
  const seqIndex = roles.indexOf('seq');
  const multiCell = (perLine[from]?.length ?? 0) > 1;
  const stream: StreamCell[] = [];
  let lastLine = from - 1;
  if (multiCell) {
    const rows: TableRow[] = [];
    for (let l = from; l < perLine.length; l++) {
      const cells = perLine[l] ?? [];
      if (cells.length < 2) break;
      const body =
        seqIndex >= 0 || isSeq(cells[0]?.text ?? '')
          ? cells.filter((c, k) => k > 0 || !isSeq(c.text))
          : cells;
      const columns = roles.filter((r) => r !== 'seq');
      rows.push(toRow(body, columns.slice(Math.max(0, columns.length - body.length))));
      lastLine = l;
    }
    return { rows, lastLine };
  }
  for (let l = from; l < perLine.length; l++) stream.push(...(perLine[l] ?? []));
  const seqAt = stream.map((c, k) => (isSeq(c.text) ? k : -1)).filter((k) => k >= 0);
  if (seqAt.length === 0) return { rows: [], lastLine };
  const gaps = seqAt.slice(1).map((k, n) => k - (seqAt[n] ?? 0) - 1);
  const after =
    seqIndex >= 0
      ? roles.length - 1 - seqIndex
      : Math.min(roles.length, ...(gaps.length > 0 ? gaps : [roles.length]));
  const columns = roles.filter((r) => r !== 'seq').slice(-after);
  const rows: TableRow[] = [];
  for (const k of seqAt) {
    const body = stream.slice(k + 1, k + 1 + after);
    if (body.length < after || body.some(isSeqCell)) break;
    rows.push(toRow(body, columns));
    lastLine = body.at(-1)?.line ?? lastLine;
  }
  return { rows, lastLine };
}

const isSeqCell = (c: Cell) => isSeq(c.text);

function toRow(cells: Cell[], columns: ColumnRole[]): TableRow {
  const map = new Map<ColumnRole, Cell[]>();
  cells.forEach((cell, k) => {
    const role = columns[k];
    if (!role) return;
    map.set(role, [...(map.get(role) ?? []), cell]);
  });
  return { cells: map };
}
