import { BULLETIN_KIND_NAMES_ZH } from '@duban/schema';
import type { Bar } from './chart.ts';
import type { BulletinData, RankingRow } from './data.ts';

/** A bulletin as blocks, rendered the same way to DOCX (docx.ts) and PDF (pdf.ts). */
export type Block =
  | { kind: 'title'; text: string }
  | { kind: 'subtitle'; text: string }
  | { kind: 'heading'; text: string }
  | { kind: 'para'; text: string }
  /** Column widths are relative weights. */
  | { kind: 'table'; columns: { header: string; weight: number }[]; rows: string[][] }
  | { kind: 'chart'; title: string; bars: Bar[] };

export const CHART_UNITS = 15;

const pct = (v: number | null) => (v === null ? '—' : `${v.toFixed(1)}%`);
const NUMBERS = ['一', '二', '三', '四', '五', '六'];

export function bulletinTitle(d: Pick<BulletinData, 'kind' | 'scope'>): string {
  const name = {
    weekly: '督办工作周调度报告',
    monthly: '督办工作月度通报',
    quarterly: '督办工作季度考核通报',
  }[d.kind];
  return `${d.scope.regionName}${name}`;
}

/** The Chinese file name a download is offered under. */
export function bulletinFileName(
  kind: keyof typeof BULLETIN_KIND_NAMES_ZH,
  regionName: string,
  period: string,
) {
  return `${regionName}${BULLETIN_KIND_NAMES_ZH[kind]}_${period}`;
}

function rankingTable(rows: RankingRow[], withScore: boolean): Block {
  return {
    kind: 'table',
    columns: [
      { header: '名次', weight: 1.3 },
      { header: '牵头单位', weight: 5 },
      { header: '到期事项', weight: 1.6 },
      { header: '已办结', weight: 1.4 },
      { header: '办结率', weight: 1.6 },
      { header: '按期办结率', weight: 2 },
      { header: '超期率', weight: 1.6 },
      ...(withScore ? [{ header: '综合得分', weight: 1.6 }] : []),
    ],
    rows: rows.map((r) => [
      String(r.rank),
      r.unitName,
      String(r.due),
      String(r.completed),
      pct(r.completionRate),
      pct(r.onTimeRate),
      pct(r.overdueRate),
      ...(withScore ? [r.score === null ? '—' : r.score.toFixed(2)] : []),
    ]),
  };
}

function itemTable(headers: string[], rows: string[][]): Block {
  const weights = [4.2, 5, 4, 2.2];
  return {
    kind: 'table',
    columns: headers.map((header, i) => ({ header, weight: weights[i] ?? 2 })),
    rows,
  };
}

export function bulletinBlocks(d: BulletinData): Block[] {
  const t = d.totals;
  const periodWord = { weekly: '本周', monthly: '本月', quarterly: '本季度' }[d.kind];
  const blocks: Block[] = [
    { kind: 'title', text: bulletinTitle(d) },
    { kind: 'subtitle', text: `${d.period.labelZh}　生成日期：${d.generatedOn}` },
  ];
  let n = 0;
  const heading = (text: string) => blocks.push({ kind: 'heading', text: `${NUMBERS[n++]}、${text}` });
  heading('总体情况');
  blocks.push({
    kind: 'para',
    text:
      `${d.scope.regionName}共有督办事项 ${t.items} 项，其中在办 ${t.active} 项。` +
      `${periodWord}（${d.period.from} 至 ${d.period.to}）新交办 ${t.newInPeriod} 项，办结 ${t.completedInPeriod} 项；` +
      `截至 ${d.generatedOn}，超期 ${t.overdue} 项，红灯 ${t.red} 项，黄灯 ${t.yellow} 项。`,
  });
  if (d.kind === 'weekly') {
    heading(`${periodWord}新交办事项`);
    blocks.push(
      d.dispatchedInPeriod.length === 0
        ? { kind: 'para', text: '无。' }
        : itemTable(
            ['督办编号', '事项名称', '牵头单位', '办结时限'],
            d.dispatchedInPeriod.map((i) => [i.number, i.title, i.leadUnitName, i.deadline]),
          ),
    );
    heading(`${periodWord}办结事项`);
    blocks.push(
      d.completedInPeriod.length === 0
        ? { kind: 'para', text: '无。' }
        : itemTable(
            ['督办编号', '事项名称', '牵头单位', '办结日期'],
            d.completedInPeriod.map((i) => [i.number, i.title, i.leadUnitName, i.completedOn]),
          ),
    );
  }
  const scored = d.kind === 'quarterly';
  heading(scored ? '考核排名' : '单位办结情况排名');
  blocks.push({
    kind: 'para',
    text:
      `按 ${d.period.monthFrom === d.period.monthTo ? d.period.monthFrom : `${d.period.monthFrom} 至 ${d.period.monthTo}`} 到期事项的按期办结率排序，按期办结率相同的按办结率排序` +
      (scored ? '；综合得分 = 按期办结率 × 60% + 办结率 × 40%。' : '。'),
  });
  if (d.ranking.length === 0) blocks.push({ kind: 'para', text: '本期无到期事项。' });
  else {
    blocks.push(rankingTable(d.ranking, scored));
    blocks.push({
      kind: 'chart',
      title: `按期办结率（前 ${Math.min(CHART_UNITS, d.ranking.length)} 名单位）`,
      bars: d.ranking.slice(0, CHART_UNITS).map((r) => ({ label: r.unitName, value: r.onTimeRate ?? 0 })),
    });
  }
  heading('超期事项通报');
  blocks.push(
    d.overdue.length === 0
      ? { kind: 'para', text: '截至目前无超期事项。' }
      : {
          kind: 'table',
          columns: [
            { header: '督办编号', weight: 4.2 },
            { header: '事项名称', weight: 5 },
            { header: '牵头单位', weight: 4 },
            { header: '办结时限', weight: 2.2 },
            { header: '超期天数', weight: 1.8 },
            { header: '进度', weight: 1.3 },
          ],
          rows: d.overdue.map((o) => [
            o.number,
            o.title,
            o.leadUnitName,
            o.deadline,
            String(o.daysOverdue),
            `${o.progress}%`,
          ]),
        },
  );
  if (d.overdue.length > 0)
    blocks.push({
      kind: 'para',
      text: `请以上 ${new Set(d.overdue.map((o) => o.leadUnitName)).size} 个牵头单位抓紧办理，逾期未办结的按规定启动问责程序。`,
    });
  return blocks;
}
