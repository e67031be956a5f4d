import { describe, expect, it } from 'vitest';
import { findDeadlinePhrases, numeral, parseDeadline } from '../../src/extract/deadline.ts';

const due = (task: string, year: number | null = 2024, field: string | null = null) =>
  parseDeadline(task, field, year);

describe('parseDeadline', () => {
  it.each([
    ['2023年9月底前出台实施细则', '2023-09-30', '2023年9月底前'],
    ['6月底前完成摸底排查', '2024-06-30', '6月底前'],
    ['二月底前报送名单', '2024-02-29', '二月底前'],
    ['十二月中旬前完成验收', '2024-12-20', '十二月中旬前'],
    ['年底前建成投用', '2024-12-31', '年底前'],
    ['年内完成清理工作', '2024-12-31', '年内'],
    ['上半年启动招标', '2024-06-30', '上半年'],
    ['三季度末前全面完成', '2024-09-30', '三季度末前'],
    ['第一季度内完成部署', '2024-03-31', '第一季度内'],
    ['于2025年3月15日前报送市政府', '2025-03-15', '2025年3月15日前'],
    ['到2026年基本建成智慧城市', '2026-12-31', '到2026年'],
    ['2025年年底前完成', '2025-12-31', '2025年年底前'],
  ])('%s → %s', (task, date, text) => {
    const d = due(task);
    expect(d.deadline).toBe(date);
    expect(d.deadline_text).toBe(text);
  });

  it('takes the last completion date and keeps the others as milestones', () => {
    const d = due('3月底前制定方案，7月底前完成试点，11月底前全面推开');
    expect(d.deadline).toBe('2024-11-30');
    expect(d.milestones).toEqual([
      { text: '3月底前', date: '2024-03-31' },
      { text: '7月底前', date: '2024-07-31' },
    ]);
  });

  it('gives a year-less phrase the year of an earlier phrase in the same text', () => {
    expect(due('2023年10月底前编制清单，12月底前公布', 2030).deadline).toBe('2023-12-31');
  });

  it('leaves the date null without a year, keeping the phrase', () => {
    expect(due('9月底前完成', null)).toMatchObject({ deadline: null, deadline_text: '9月底前' });
  });

  it('reads 持续推进 and 长期坚持 in a 时限 field as recurring work without a date', () => {
    expect(due('完善工作机制', 2024, '持续推进')).toMatchObject({
      deadline: null,
      deadline_text: '持续推进',
      recurring: '持续推进',
    });
    expect(due('加强队伍建设', 2024, '长期坚持').recurring).toBe('长期坚持');
  });

  it('does not read 持续推进 in the task wording as a deadline', () => {
    expect(due('持续推进产业园区建设')).toMatchObject({
      deadline: null,
      deadline_text: null,
      recurring: null,
    });
  });

  it('keeps N个工作日内 as a relative deadline without a date', () => {
    expect(due('收到交办件后5个工作日内反馈')).toMatchObject({
      deadline: null,
      deadline_text: '5个工作日内',
    });
  });

  it('notes recurring duties (每季度, 每年) and ignores start dates and plan periods', () => {
    const d = due('自2024年第二季度开始，每季度末报送进展；编制三年行动计划（2024-2026）');
    expect(d).toMatchObject({ deadline: null, recurring: '每季度' });
  });

  it('reads a bare month or year in a 时限 cell', () => {
    expect(due('任务', 2024, '2024年10月').deadline).toBe('2024-10-31');
    expect(due('任务', 2024, '2025年').deadline).toBe('2025-12-31');
    expect(due('任务', 2024, '全年').deadline).toBe('2024-12-31');
  });

  it('rejects impossible dates', () => {
    expect(due('2024年2月30日前完成').deadline).toBeNull();
  });

  it('reads full-width digits and traditional script', () => {
    expect(due('２０２４年６月底前完成').deadline).toBe('2024-06-30');
    expect(due('今年年底前完成審批', 2022).deadline).toBe('2022-12-31');
  });
});

describe('numeral and phrase finding', () => {
  it('reads Chinese numerals up to 十二', () => {
    expect([numeral('三'), numeral('十'), numeral('十一'), numeral('12')]).toEqual([3, 10, 11, 12]);
    expect(numeral('百')).toBeNaN();
  });

  it('reports each phrase with its range', () => {
    const text = '力争9月底前完成';
    const [p] = findDeadlinePhrases(text, 2024);
    expect(p && text.slice(p.start, p.end)).toBe('9月底前');
  });
});
