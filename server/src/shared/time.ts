export { isIsoDate } from '@duban/schema';

const SHANGHAI = new Intl.DateTimeFormat('en-CA', {
  timeZone: 'Asia/Shanghai',
  year: 'numeric',
  month: '2-digit',
  day: '2-digit',
});

/** The calendar date ('YYYY-MM-DD') in Asia/Shanghai at an instant. Deadlines are such dates. */
export function shanghaiDate(at: Date): string {
  return SHANGHAI.format(at);
}

export function shanghaiYear(at: Date): number {
  return Number(shanghaiDate(at).slice(0, 4));
}

/** Adds calendar days to a 'YYYY-MM-DD' date. */
export function addDays(date: string, days: number): string {
  const d = new Date(`${date}T00:00:00Z`);
  d.setUTCDate(d.getUTCDate() + days);
  return d.toISOString().slice(0, 10);
}

/** Whole calendar days from a to b (b − a). */
export function daysBetween(a: string, b: string): number {
  return Math.round((Date.parse(`${b}T00:00:00Z`) - Date.parse(`${a}T00:00:00Z`)) / 86_400_000);
}
