/**
 * 免打扰时段 (quiet hours) in Beijing time: 'HH:MM' start (inclusive) to end (exclusive), wrapping
 * midnight when start > end (22:00–07:00). China keeps no daylight saving time, so Beijing time is
 * UTC+8 all year. Urgent (特急) messages ignore quiet hours; the caller decides that.
 */

export type QuietHours = { start: string; end: string };

export const HH_MM = /^([01]\d|2[0-3]):[0-5]\d$/;

const SHANGHAI_OFFSET_MIN = 8 * 60;
const DAY_MIN = 24 * 60;
const MINUTE_MS = 60_000;

function minutesOf(hhmm: string): number {
  return Number(hhmm.slice(0, 2)) * 60 + Number(hhmm.slice(3, 5));
}

/** Minute of the day in Beijing time. */
export function shanghaiMinuteOfDay(at: Date): number {
  const utcMinutes = Math.floor(at.getTime() / MINUTE_MS);
  return (((utcMinutes + SHANGHAI_OFFSET_MIN) % DAY_MIN) + DAY_MIN) % DAY_MIN;
}

export function inQuietHours(quiet: QuietHours, at: Date): boolean {
  const start = minutesOf(quiet.start);
  const end = minutesOf(quiet.end);
  if (start === end) return false;
  const m = shanghaiMinuteOfDay(at);
  return start < end ? m >= start && m < end : m >= start || m < end;
}

/** `at` itself outside quiet hours; otherwise the instant they end (HH:MM:00 Beijing time). */
export function afterQuietHours(quiet: QuietHours | null, at: Date): Date {
  if (quiet === null || !inQuietHours(quiet, at)) return at;
  const m = shanghaiMinuteOfDay(at);
  const wait = (minutesOf(quiet.end) - m + DAY_MIN) % DAY_MIN;
  const minuteStart = Math.floor(at.getTime() / MINUTE_MS) * MINUTE_MS;
  return new Date(minuteStart + wait * MINUTE_MS);
}
