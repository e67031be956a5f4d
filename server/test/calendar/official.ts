import type { CalendarDay } from '../../src/calendar/calendar.ts';
import { dateOf, dayNumber } from '../../src/calendar/dates.ts';

/**
 * The State Council's holiday notices, copied by hand (not from chinese-days): 国务院办公厅关于
 * 2024年 (国办发明电〔2023〕7号), 2025年 (国办发明电〔2024〕12号) and 2026年 (国办发明电〔2025〕7号)
 * 部分节假日安排的通知. `off` lists the 放假 periods (first and last day), `worked` the 上班 weekend days.
 * Days of an `off` period that fall on a weekend are rest days anyway.
 */
export type Notice = { year: number; off: [name: string, from: string, to: string][]; worked: string[] };

export const NOTICES: Notice[] = [
  {
    year: 2024,
    off: [
      ['元旦', '2024-01-01', '2024-01-01'],
      ['春节', '2024-02-10', '2024-02-17'],
      ['清明', '2024-04-04', '2024-04-06'],
      ['劳动节', '2024-05-01', '2024-05-05'],
      ['端午', '2024-06-10', '2024-06-10'],
      ['中秋', '2024-09-15', '2024-09-17'],
      ['国庆节', '2024-10-01', '2024-10-07'],
    ],
    worked: [
      '2024-02-04',
      '2024-02-18',
      '2024-04-07',
      '2024-04-28',
      '2024-05-11',
      '2024-09-14',
      '2024-09-29',
      '2024-10-12',
    ],
  },
  {
    year: 2025,
    off: [
      ['元旦', '2025-01-01', '2025-01-01'],
      ['春节', '2025-01-28', '2025-02-04'],
      ['清明', '2025-04-04', '2025-04-06'],
      ['劳动节', '2025-05-01', '2025-05-05'],
      ['端午', '2025-05-31', '2025-06-02'],
      ['国庆节、中秋', '2025-10-01', '2025-10-08'],
    ],
    worked: ['2025-01-26', '2025-02-08', '2025-04-27', '2025-09-28', '2025-10-11'],
  },
  {
    year: 2026,
    off: [
      ['元旦', '2026-01-01', '2026-01-03'],
      ['春节', '2026-02-15', '2026-02-23'],
      ['清明', '2026-04-04', '2026-04-06'],
      ['劳动节', '2026-05-01', '2026-05-05'],
      ['端午', '2026-06-19', '2026-06-21'],
      ['中秋', '2026-09-25', '2026-09-27'],
      ['国庆节', '2026-10-01', '2026-10-07'],
    ],
    worked: ['2026-01-04', '2026-02-14', '2026-02-28', '2026-05-09', '2026-09-20', '2026-10-10'],
  },
];

/** The notices as calendar days. */
export function officialDays(notices: Notice[] = NOTICES): CalendarDay[] {
  const days: CalendarDay[] = [];
  for (const n of notices) {
    for (const [, from, to] of n.off) {
      for (let x = dayNumber(from); x <= dayNumber(to); x++) days.push({ date: dateOf(x), kind: 'holiday' });
    }
    for (const date of n.worked) days.push({ date, kind: 'workday' });
  }
  return days;
}

/** Every date of a year. */
export function datesOf(year: number): string[] {
  const out: string[] = [];
  for (let x = dayNumber(`${year}-01-01`); x <= dayNumber(`${year}-12-31`); x++) out.push(dateOf(x));
  return out;
}
