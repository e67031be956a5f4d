import type { ExtractedItem } from './types.ts';

/** The readable listing of `duban extract` without --json (Chinese, one block per item). */
export function formatItems(file: string, items: ExtractedItem[], year: number | null): string {
  const lines = [`${file}：共 ${items.length} 项候选督办事项（文件年份 ${year ?? '未知'}）`];
  const named = (names: string[], item: ExtractedItem) =>
    names
      .map((n) => {
        const m = item.units?.find((u) => u.name === n);
        return m && m.canonical !== n ? `${n}（${m.canonical}）` : n;
      })
      .join('、') || '—';
  items.forEach((item, i) => {
    lines.push('', `${i + 1}. ${item.task}`);
    lines.push(`   牵头：${named(item.lead, item)}    配合：${named(item.collaborators, item)}`);
    const due = item.deadline ?? (item.deadline_text ? '日期未定' : '—');
    const text = item.deadline_text ? `${item.deadline_text} → ` : '';
    lines.push(`   时限：${text}${due}${item.recurring ? `    周期：${item.recurring}` : ''}`);
    for (const m of item.milestones ?? []) lines.push(`   节点：${m.text} → ${m.date}`);
    if (item.targets.length > 0)
      lines.push(`   目标：${item.targets.map((t) => `${t.what} ${t.value}${t.unit}`).join('；')}`);
    lines.push(`   出处：第 ${item.citation.start}–${item.citation.end} 字`);
  });
  return lines.join('\n');
}
