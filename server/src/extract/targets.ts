import { fold } from './fold.ts';
import type { Target } from './types.ts';

/**
 * 目标值: numbers with a unit in a task (改造老旧小区50个, 增长6.2%左右, 减负60亿元). `what` is the
 * clause before the number, without 力争/确保/实现. Years, dates and 第N are not targets.
 */
const UNIT =
  '(%|个百分点|万平方米|平方米|平方公里|公里|千米|万千瓦|千瓦|兆瓦|万吨|吨|万亩|亩|亿元|万元|元|万人次|人次|万人|人|万户|户|万家|家|万个|个|座|所|套|辆|台|项|件|条|次|张|栋|间|处|批|场|篇|种|只|头|km|MW)';
const NUMBER = new RegExp(
  `(?<![\\d.第])(\\d+(?:\\.\\d+)?)\\s*${UNIT}(?!工作日|自然日|月|小时|季度|年|批次)`,
  'g',
);
const LEAD_IN = /^(?:力争|确保|努力|实现|完成|全年|新增|累计|争取|达到|推动|其中)+/;

export function findTargets(task: string): Target[] {
  const folded = fold(task);
  const targets: Target[] = [];
  NUMBER.lastIndex = 0;
  for (let m = NUMBER.exec(folded); m !== null; m = NUMBER.exec(folded)) {
    const after = folded.slice(m.index + m[0].length, m.index + m[0].length + 1);
    if (/[年月日号]/.test(after) && m[2] !== '%') continue;
    const before = folded.slice(0, m.index);
    const cut = Math.max(...[...'，,。;；:、“”"()《》'].map((p) => before.lastIndexOf(p)));
    let what = task.slice(cut + 1, m.index).trim();
    what = what.replace(LEAD_IN, '');
    if (what.length === 0) {
      const rest = folded.slice(m.index + m[0].length);
      const end = rest.search(/[,，。;；:、]/);
      what = task.slice(m.index + m[0].length, m.index + m[0].length + (end < 0 ? rest.length : end)).trim();
      what = what.replace(/^(?:左右|以上|以内|以下)/, '');
    }
    targets.push({ value: Number(m[1]), unit: m[2] ?? '', what });
  }
  return targets;
}
