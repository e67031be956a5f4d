import fc from 'fast-check';
import ICAL from 'ical.js';
import { describe, expect, it } from 'vitest';
import { type Component, date, dateTime, fold, serialize, text } from '../../src/feeds/ical.ts';

/** The serializer on its own, checked by an independent parser (ical.js). */

function calendarWith(summary: string, description = 'x'): string {
  const event: Component = {
    name: 'VEVENT',
    properties: [
      { name: 'UID', value: text('id-1@duban') },
      { name: 'DTSTAMP', value: dateTime(new Date('2026-11-27T02:00:00Z')) },
      { name: 'DTSTART', params: { VALUE: 'DATE' }, value: date('2027-06-30') },
      { name: 'DTEND', params: { VALUE: 'DATE' }, value: date('2027-07-01') },
      { name: 'SUMMARY', value: text(summary) },
      { name: 'DESCRIPTION', value: text(description) },
    ],
  };
  return serialize({
    name: 'VCALENDAR',
    properties: [
      { name: 'VERSION', value: '2.0' },
      { name: 'PRODID', value: '-//Duban//test//ZH' },
    ],
    components: [event],
  });
}

function parseOne(ics: string) {
  const calendar = new ICAL.Component(ICAL.parse(ics));
  const vevents = calendar.getAllSubcomponents('vevent');
  expect(vevents).toHaveLength(1);
  const [vevent] = vevents;
  if (!vevent) throw new Error('no VEVENT');
  return new ICAL.Event(vevent);
}

function physicalLines(ics: string): string[] {
  expect(ics.endsWith('\r\n')).toBe(true);
  // No bare CR or LF anywhere: every line break is CRLF.
  expect(ics.replaceAll('\r\n', '')).not.toMatch(/[\r\n]/);
  return ics.slice(0, -2).split('\r\n');
}

describe('iCalendar serializer', () => {
  it('escapes backslash, semicolon, comma and newlines in TEXT, and they come back intact', () => {
    const summary = '一，二；三\\四, five; six \\ seven';
    const description = '第一行\n第二行\r\n第三行\rend';
    const ics = calendarWith(summary, description);
    expect(ics).toContain('SUMMARY:一，二；三\\\\四\\, five\\; six \\\\ seven\r\n');
    expect(ics).toContain('DESCRIPTION:第一行\\n第二行\\n第三行\\nend\r\n');
    const event = parseOne(ics);
    expect(event.summary).toBe(summary);
    expect(event.description).toBe('第一行\n第二行\n第三行\nend');
  });

  it('drops control characters a TEXT value may not hold', () => {
    expect(text('a\u0000b\u0007c\u001fd\u007fe\tf')).toBe('abcde\tf');
  });

  it('folds at 75 octets without splitting a Chinese character, and the parser joins it back', () => {
    const title = `【到期】杭督〔2026〕0001号 ${'推进老旧小区改造和城市更新，'.repeat(12)}end`;
    const ics = calendarWith(title);
    const lines = physicalLines(ics);
    const summaryLines = lines.slice(lines.findIndex((l) => l.startsWith('SUMMARY:')));
    expect(summaryLines.length).toBeGreaterThan(5);
    for (const line of lines) expect(Buffer.byteLength(line, 'utf8')).toBeLessThanOrEqual(75);
    // Continuation lines start with one space; CJK characters are 3 octets, so lines run 73–75.
    for (const line of summaryLines.slice(1, 4)) {
      expect(line.startsWith(' ')).toBe(true);
      expect(Buffer.byteLength(line, 'utf8')).toBeGreaterThanOrEqual(73);
    }
    expect(parseOne(ics).summary).toBe(title);
  });

  it('keeps a four-octet character whole across a fold', () => {
    // 8 + 63 + 4 = 75 octets: the first emoji fits; 8 + 64 + 4 = 76: it moves to the next line.
    expect(fold(`SUMMARY:${'a'.repeat(63)}😀😀`).split('\r\n')).toEqual([
      `SUMMARY:${'a'.repeat(63)}😀`,
      ' 😀',
    ]);
    expect(fold(`SUMMARY:${'a'.repeat(64)}😀😀`).split('\r\n')).toEqual([
      `SUMMARY:${'a'.repeat(64)}`,
      ' 😀😀',
    ]);
  });

  it('leaves a line of exactly 75 octets alone and folds one of 76', () => {
    expect(fold('x'.repeat(75))).toBe('x'.repeat(75));
    expect(fold('x'.repeat(76))).toBe(`${'x'.repeat(75)}\r\n x`);
  });

  it('round-trips any text through escaping, folding and parsing', () => {
    // Any Unicode text without control characters other than tab and newlines (LF normalised).
    const textArb = fc
      .string({ unit: 'grapheme', maxLength: 300, size: 'large' })
      // biome-ignore lint/suspicious/noControlCharactersInRegex: removing control characters is the point
      .map((s) => s.replace(/[\u0000-\u0008\u000b-\u001f\u007f]/g, '').replace(/\r\n?|\n/g, '\n'));
    fc.assert(
      fc.property(textArb, textArb, (summary, description) => {
        // ical.js reads an empty or all-whitespace value in its own way; that is not ours to test.
        fc.pre(summary.trim() !== '' && description.trim() !== '');
        const ics = calendarWith(summary, description);
        for (const line of physicalLines(ics)) {
          if (Buffer.byteLength(line, 'utf8') > 75) return false;
        }
        const event = parseOne(ics);
        return event.summary === summary && event.description === description;
      }),
      { numRuns: 300 },
    );
  });

  it('writes DATE and UTC DATE-TIME values the parser reads as such', () => {
    const event = parseOne(calendarWith('日期'));
    expect(event.startDate.isDate).toBe(true);
    expect(event.startDate.toString()).toBe('2027-06-30');
    expect(event.endDate.toString()).toBe('2027-07-01');
    expect(dateTime(new Date('2026-01-02T03:04:05.678Z'))).toBe('20260102T030405Z');
  });

  it('refuses names and values that would break the stream', () => {
    expect(() => serialize({ name: 'VCALENDAR', properties: [{ name: 'X:Y', value: '1' }] })).toThrow();
    expect(() =>
      serialize({ name: 'VCALENDAR', properties: [{ name: 'SUMMARY', value: 'a\nb' }] }),
    ).toThrow();
    expect(() => date('2027-6-30')).toThrow();
  });
});
