import type { PublicItem } from './queries.ts';

/** The licence every open-data download carries (JSON body; CSV response header). */
export const OPEN_DATA_LICENCE = {
  name: 'CC BY 4.0',
  url: 'https://creativecommons.org/licenses/by/4.0/',
  noteZh: '本数据为政务督办公开事项开放数据，可自由复制、使用和再发布，请注明来源。',
  note: 'Open data of the public supervision items: free to copy, use and republish with attribution.',
} as const;

const COLUMNS: { key: keyof PublicItem; zh: string }[] = [
  { key: 'number', zh: '编号' },
  { key: 'title', zh: '标题' },
  { key: 'summary', zh: '摘要' },
  { key: 'categoryName', zh: '分类' },
  { key: 'regionCode', zh: '行政区划代码' },
  { key: 'regionName', zh: '行政区划' },
  { key: 'leadUnitName', zh: '牵头单位' },
  { key: 'deadline', zh: '办理期限' },
  { key: 'lightName', zh: '预警灯' },
  { key: 'statusName', zh: '状态' },
  { key: 'percent', zh: '进度(%)' },
  { key: 'updatedAt', zh: '更新时间' },
  { key: 'id', zh: '事项ID' },
];

/**
 * One CSV cell (RFC 4180): quoted when it holds a comma, quote or line break; a text that a
 * spreadsheet would run as a formula (= + - @ at the start) is prefixed with an apostrophe.
 */
export function csvCell(value: unknown): string {
  if (value === null || value === undefined) return '';
  let s = String(value);
  if (typeof value === 'string' && /^[=+\-@\t\r]/.test(s)) s = `'${s}`;
  return /[",\r\n]/.test(s) ? `"${s.replaceAll('"', '""')}"` : s;
}

/** The CSV file: UTF-8 with a BOM (so Excel reads the Chinese), CRLF line ends. */
export function toCsv(items: readonly PublicItem[]): string {
  const lines = [COLUMNS.map((c) => csvCell(c.zh)).join(',')];
  for (const item of items) lines.push(COLUMNS.map((c) => csvCell(item[c.key])).join(','));
  return `\uFEFF${lines.join('\r\n')}\r\n`;
}

export function toJson(items: readonly PublicItem[], generatedAt: Date) {
  return {
    title: '督办公开事项开放数据 / Public supervision items (open data)',
    licence: OPEN_DATA_LICENCE,
    generatedAt: generatedAt.toISOString(),
    count: items.length,
    items,
  };
}
