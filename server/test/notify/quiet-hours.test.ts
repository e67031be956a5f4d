import { describe, expect, it } from 'vitest';
import { afterQuietHours, inQuietHours, shanghaiMinuteOfDay } from '../../src/notify/quiet-hours.ts';

// 2026-03-03T15:00:00Z is 23:00 in Beijing.
const at = (iso: string) => new Date(iso);

describe('quiet hours in Beijing time', () => {
  it('reads the minute of the day at UTC+8', () => {
    expect(shanghaiMinuteOfDay(at('2026-03-03T15:00:00Z'))).toBe(23 * 60);
    expect(shanghaiMinuteOfDay(at('2026-03-03T16:30:00Z'))).toBe(30);
  });

  it('wraps midnight: 22:00–07:00', () => {
    const q = { start: '22:00', end: '07:00' };
    expect(inQuietHours(q, at('2026-03-03T13:59:00Z'))).toBe(false); // 21:59
    expect(inQuietHours(q, at('2026-03-03T14:00:00Z'))).toBe(true); // 22:00
    expect(inQuietHours(q, at('2026-03-03T22:59:59Z'))).toBe(true); // 06:59:59
    expect(inQuietHours(q, at('2026-03-03T23:00:00Z'))).toBe(false); // 07:00
  });

  it('same-day window: 12:00–13:30', () => {
    const q = { start: '12:00', end: '13:30' };
    expect(inQuietHours(q, at('2026-03-03T04:00:00Z'))).toBe(true); // 12:00
    expect(inQuietHours(q, at('2026-03-03T05:30:00Z'))).toBe(false); // 13:30
    expect(inQuietHours(q, at('2026-03-03T03:59:00Z'))).toBe(false);
  });

  it('defers to the end of the window, on the minute', () => {
    const q = { start: '22:00', end: '07:00' };
    expect(afterQuietHours(q, at('2026-03-03T15:00:27.500Z')).toISOString()).toBe('2026-03-03T23:00:00.000Z');
    expect(afterQuietHours(q, at('2026-03-03T17:10:00Z')).toISOString()).toBe('2026-03-03T23:00:00.000Z');
    const outside = at('2026-03-03T02:00:00Z');
    expect(afterQuietHours(q, outside)).toBe(outside);
    expect(afterQuietHours(null, outside)).toBe(outside);
  });
});
