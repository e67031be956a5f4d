import { type Command, InvalidArgumentError } from 'commander';
import type { AppContext } from '../context.ts';
import { regionCodeArg, withContext } from '../shared/cli.ts';
import { isIsoDate } from '../shared/time.ts';
import { addWorkingDays, type Calendar, workingDaysBetween } from './calendar.ts';
import { loadCalendar, syncChineseDays } from './store.ts';

/** Largest |N| accepted by add-workdays (about 4,000 years of working days). */
const MAX_STEPS = 1_000_000;

function dateArg(value: string): string {
  if (!isIsoDate(value)) throw new InvalidArgumentError('应为日期 YYYY-MM-DD / a date YYYY-MM-DD');
  return value;
}

function stepsArg(value: string): number {
  const n = Number(value);
  if (!/^[+-]?\d+$/.test(value) || !Number.isSafeInteger(n) || Math.abs(n) > MAX_STEPS) {
    throw new InvalidArgumentError(`应为整数（绝对值不超过 ${MAX_STEPS}）/ an integer, |N| ≤ ${MAX_STEPS}`);
  }
  return n;
}

async function withCalendar(
  open: () => Promise<AppContext>,
  region: string | undefined,
  fn: (cal: Calendar) => void,
) {
  await withContext(open, async (ctx) => fn(await loadCalendar(ctx.db, region ?? null)));
}

/**
 * `duban calendar add-workdays DATE N`, `duban calendar workdays-between A B` (each prints only
 * the result, for scripts) and `duban calendar seed`.
 */
export function registerCalendarCommands(program: Command, open: () => Promise<AppContext>): void {
  const calendar = program.command('calendar').description('工作日历 / the working-day calendar');
  const regionOption = [
    '--region <code>',
    '按该行政区划的日历（含上级的调整）/ use this region’s calendar (with its overrides)',
    regionCodeArg,
  ] as const;

  calendar
    .command('add-workdays')
    .description('DATE 之后第 N 个工作日（N 为负数则为之前；DATE 本身不计）/ the N-th working day after DATE')
    .argument('<date>', 'YYYY-MM-DD', dateArg)
    .argument('<n>', '工作日数，可为 0 或负数 / working days, may be 0 or negative', stepsArg)
    .option(...regionOption)
    .action(async (date: string, n: number, opts: { region?: string }) => {
      await withCalendar(open, opts.region, (cal) => console.log(addWorkingDays(cal, date, n)));
    });

  calendar
    .command('workdays-between')
    .description('A 之后至 B（含）的工作日数，B 早于 A 时为负 / working days in (A, B], negative when B < A')
    .argument('<a>', 'YYYY-MM-DD', dateArg)
    .argument('<b>', 'YYYY-MM-DD', dateArg)
    .option(...regionOption)
    .action(async (a: string, b: string, opts: { region?: string }) => {
      await withCalendar(open, opts.region, (cal) => console.log(String(workingDaysBetween(cal, a, b))));
    });

  calendar
    .command('seed')
    .description('按 chinese-days 同步全国节假日（不改动管理员的设置）/ sync national days from chinese-days')
    .action(async () => {
      await withContext(open, async (ctx) => {
        const r = await syncChineseDays(ctx.db, { actorId: null, at: ctx.now() });
        console.log(
          `chinese-days ${r.version}: 新增 ${r.inserted}，更正 ${r.updated}，移除 ${r.removed} / inserted ${r.inserted}, updated ${r.updated}, removed ${r.removed}`,
        );
      });
    });
}
