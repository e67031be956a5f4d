import { URGENCY_NAMES_ZH, type Urgency } from '@duban/schema';
import ExcelJS from 'exceljs';
import {
  categoryName,
  collaboratorsOf,
  dayOf,
  type ItemDetail,
  isDone,
  leadOf,
  lightName,
  type Scope,
  sourceName,
  statusName,
} from './data.ts';

type Column = { header: string; width: number; value: (i: ItemDetail) => string | number | null };

const lead = (i: ItemDetail) => leadOf(i)?.unitName ?? '（未交办）';

function persons(i: ItemDetail): string {
  const list = Array.isArray(i.responsiblePersons)
    ? (i.responsiblePersons as { name?: unknown; title?: unknown }[])
    : [];
  return list
    .map((p) => [p.name, p.title].filter((s) => typeof s === 'string' && s !== '').join(' '))
    .join('、');
}

function onTime(i: ItemDetail): string {
  const done = dayOf(i.completedAt);
  if (done === null) return '—';
  return done <= i.deadline ? '按期' : '超期';
}

function score(i: ItemDetail): number | null {
  const e = i.evaluation as { score?: unknown } | null;
  return e !== null && typeof e.score === 'number' ? e.score : null;
}

const head: Column[] = [
  { header: '督办编号', width: 22, value: (i) => i.number },
  { header: '事项名称', width: 36, value: (i) => i.title },
];

/** 任务清单, 责任清单, 时限清单, 结果清单: one sheet each, one row per item. */
const SHEETS: { name: string; columns: Column[] }[] = [
  {
    name: '任务清单',
    columns: [
      ...head,
      { header: '督办内容', width: 60, value: (i) => i.content },
      { header: '事项来源', width: 14, value: (i) => sourceName(i.source) },
      { header: '督办分类', width: 20, value: (i) => categoryName(i.categoryCode) },
      { header: '紧急程度', width: 10, value: (i) => URGENCY_NAMES_ZH[i.urgency as Urgency] ?? i.urgency },
      { header: '立项单位', width: 26, value: (i) => i.assigningUnit.name },
      { header: '状态', width: 10, value: (i) => statusName(i.status) },
    ],
  },
  {
    name: '责任清单',
    columns: [
      ...head,
      { header: '牵头单位', width: 26, value: lead },
      { header: '协办单位', width: 40, value: (i) => collaboratorsOf(i).join('、') },
      { header: '责任人', width: 24, value: persons },
      { header: '督办单位', width: 26, value: (i) => i.supervisingUnit?.name ?? i.assigningUnit.name },
    ],
  },
  {
    name: '时限清单',
    columns: [
      ...head,
      { header: '牵头单位', width: 26, value: lead },
      { header: '办结时限', width: 12, value: (i) => i.deadline },
      {
        header: '阶段性节点',
        width: 44,
        value: (i) =>
          i.milestones.map((m) => `${m.date} ${m.name}${m.reachedOn ? '（已完成）' : ''}`).join('；'),
      },
      { header: '预警灯', width: 10, value: (i) => lightName(i.light) },
      { header: '进度（%）', width: 10, value: (i) => i.progress },
    ],
  },
  {
    name: '结果清单',
    columns: [
      ...head,
      { header: '牵头单位', width: 26, value: lead },
      { header: '状态', width: 10, value: (i) => statusName(i.status) },
      { header: '进度（%）', width: 10, value: (i) => i.progress },
      { header: '办结日期', width: 12, value: (i) => dayOf(i.completedAt) },
      { header: '是否按期', width: 10, value: (i) => (isDone(i) ? onTime(i) : '—') },
      { header: '评价得分', width: 10, value: score },
    ],
  },
];

/** The four lists as one workbook: frozen header row, auto-filter, column widths. */
export async function fourListsXlsx(items: ItemDetail[], scope: Scope, asOf: string): Promise<Buffer> {
  const wb = new ExcelJS.Workbook();
  wb.creator = 'Duban 督办';
  wb.title = `${scope.regionName}督办事项四张清单（${asOf}）`;
  // Fixed, so the same state gives the same bytes apart from the date shown.
  wb.created = new Date(`${asOf}T00:00:00+08:00`);
  wb.modified = wb.created;
  for (const sheet of SHEETS) {
    const ws = wb.addWorksheet(sheet.name, { views: [{ state: 'frozen', ySplit: 1 }] });
    ws.columns = [
      { header: '序号', key: 'n', width: 6 },
      ...sheet.columns.map((c, k) => ({ header: c.header, key: `c${k}`, width: c.width })),
    ];
    const header = ws.getRow(1);
    header.font = { bold: true };
    header.alignment = { vertical: 'middle', horizontal: 'center' };
    header.eachCell((cell) => {
      cell.fill = { type: 'pattern', pattern: 'solid', fgColor: { argb: 'FFDCE6F2' } };
    });
    items.forEach((item, n) => {
      const row: Record<string, string | number | null> = { n: n + 1 };
      sheet.columns.forEach((c, k) => {
        row[`c${k}`] = c.value(item);
      });
      ws.addRow(row).alignment = { vertical: 'top', wrapText: true };
    });
    ws.autoFilter = { from: { row: 1, column: 1 }, to: { row: 1, column: sheet.columns.length + 1 } };
  }
  return Buffer.from(await wb.xlsx.writeBuffer());
}
