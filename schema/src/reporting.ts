import { z } from 'zod';

/**
 * 定期报送 — a periodic report schedule: the lead unit reports progress by a fixed day of every
 * week, month or quarter. Each period becomes a report slot (报送期次) with a due date; a progress
 * report fills it. When the due day is not a working day the report is due on the next working day
 * (顺延), see server/src/reporting/schedule.ts.
 */
export const ReportSchedule = z
  .discriminatedUnion('kind', [
    z
      .object({
        kind: z.literal('weekly'),
        weekday: z.number().int().min(1).max(7).describe('1 = 周一 … 7 = 周日: due on that day each week'),
      })
      .strict(),
    z
      .object({
        kind: z.literal('monthly'),
        day: z
          .number()
          .int()
          .min(1)
          .max(31)
          .describe('due by this day of each month; a day past the month’s end means its last day'),
      })
      .strict(),
    z
      .object({
        kind: z.literal('quarterly'),
        month: z.number().int().min(1).max(3).describe('the month of the quarter (每季度第N个月)'),
        day: z.number().int().min(1).max(31).describe('due by this day of that month'),
      })
      .strict(),
  ])
  .describe('定期报送: weekly, monthly or quarterly progress reports');
export type ReportSchedule = z.infer<typeof ReportSchedule>;

const WEEKDAYS_ZH = ['一', '二', '三', '四', '五', '六', '日'];

/** 每周五前 / 每月25日前 / 每季度第1个月20日前: the schedule as people write it. */
export function reportScheduleLabel(s: ReportSchedule): string {
  switch (s.kind) {
    case 'weekly':
      return `每周${WEEKDAYS_ZH[s.weekday - 1] ?? s.weekday}前`;
    case 'monthly':
      return `每月${s.day}日前${s.day > 28 ? '（当月无该日则为月末）' : ''}`;
    case 'quarterly':
      return `每季度第${s.month}个月${s.day}日前`;
  }
}

/** 2026年第48周 / 2026年11月 / 2026年第4季度 for a slot's period ('2026-W48', '2026-11', '2026-Q4'). */
export function reportPeriodLabel(period: string): string {
  const week = /^(\d{4})-W(\d{2})$/.exec(period);
  if (week) return `${week[1]}年第${Number(week[2])}周`;
  const quarter = /^(\d{4})-Q([1-4])$/.exec(period);
  if (quarter) return `${quarter[1]}年第${quarter[2]}季度`;
  const month = /^(\d{4})-(\d{2})$/.exec(period);
  if (month) return `${month[1]}年${Number(month[2])}月`;
  return period;
}

/** One report slot (报送期次) as the API presents it. */
export const ReportSlotView = z.object({
  period: z.string().describe("'2026-W48', '2026-11' or '2026-Q4'"),
  periodName: z.string().describe('2026年第48周 / 2026年11月 / 2026年第4季度'),
  dueOn: z.string().describe('YYYY-MM-DD: the working day the report is due by (end of day, Asia/Shanghai)'),
  filled: z.boolean(),
  filledAt: z.string().nullable().describe('when the progress report that filled it was filed'),
  reportId: z.uuid().nullable().describe('the progress report that filled it'),
  late: z.boolean().describe('filled after the due date'),
});
export type ReportSlotView = z.infer<typeof ReportSlotView>;

export const ReportSlotsResponse = z.object({
  reportSchedule: ReportSchedule.nullable(),
  scheduleLabel: z.string().nullable().describe('每周五前 / 每月25日前 / 每季度第1个月20日前'),
  slots: z.array(ReportSlotView),
});
