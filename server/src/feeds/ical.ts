/**
 * A small iCalendar (RFC 5545) writer: just what the calendar feed needs. Components and
 * properties are built as data; `serialize` escapes nothing itself — callers format each value with
 * `text`, `date` or `dateTime` (TEXT, DATE and UTC DATE-TIME) — and folds every content line at
 * 75 octets without splitting a UTF-8 character, joining lines with CRLF.
 *
 * (ical-generator needs Node 22 or newer; ical.js is kept to the tests, as the independent parser
 * that checks this output.)
 */

export type Property = {
  name: string;
  /** Parameters such as VALUE=DATE; values are quoted when they hold `:`, `;` or `,`. */
  params?: Readonly<Record<string, string>>;
  /** The value, already formatted for its type (see `text`, `date`, `dateTime`). */
  value: string;
};

export type Component = {
  name: string;
  properties: readonly Property[];
  components?: readonly Component[];
};

const CRLF = '\r\n';
const MAX_OCTETS = 75;
const NAME = /^[A-Za-z0-9-]+$/;
/** Control characters RFC 5545 does not allow in a value (HTAB is allowed; newlines are escaped). */
// biome-ignore lint/suspicious/noControlCharactersInRegex: finding control characters is the point
const CONTROL = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]/;
const CONTROLS = new RegExp(CONTROL.source, 'g');

/** A TEXT value: `\`, `;`, `,` and newlines escaped (RFC 5545 §3.3.11), other controls dropped. */
export function text(value: string): string {
  return value
    .replace(CONTROLS, '')
    .replaceAll('\\', '\\\\')
    .replaceAll(';', '\\;')
    .replaceAll(',', '\\,')
    .replace(/\r\n|\r|\n/g, '\\n');
}

/** A DATE value from 'YYYY-MM-DD'. */
export function date(isoDate: string): string {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(isoDate)) throw new RangeError(`not a date: ${isoDate}`);
  return isoDate.replaceAll('-', '');
}

/** A DATE-TIME value in UTC ('20261127T020000Z'). */
export function dateTime(at: Date): string {
  return `${at.toISOString().slice(0, 19).replaceAll('-', '').replaceAll(':', '')}Z`;
}

/** A URI value: passed as it is, but never with a character that would break the content line. */
export function uri(value: string): string {
  if (/[\s"]/.test(value) || CONTROL.test(value)) throw new RangeError('not a URI value');
  return value;
}

function paramValue(value: string): string {
  if (/["\r\n]/.test(value) || CONTROL.test(value)) throw new RangeError('not a parameter value');
  return /[:;,]/.test(value) ? `"${value}"` : value;
}

function contentLine(p: Property): string {
  if (!NAME.test(p.name)) throw new RangeError(`not a property name: ${p.name}`);
  if (/[\r\n]/.test(p.value)) throw new RangeError(`unescaped newline in ${p.name}`);
  const params = Object.entries(p.params ?? {}).map(([k, v]) => {
    if (!NAME.test(k)) throw new RangeError(`not a parameter name: ${k}`);
    return `;${k}=${paramValue(v)}`;
  });
  return `${p.name.toUpperCase()}${params.join('')}:${p.value}`;
}

/**
 * Folds one content line (RFC 5545 §3.1): no line longer than 75 octets, continuation lines start
 * with one space (which counts towards their 75), and a character is never split across lines.
 */
export function fold(line: string): string {
  const out: string[] = [];
  let current = '';
  let octets = 0;
  for (const ch of line) {
    const size = Buffer.byteLength(ch, 'utf8');
    if (octets + size > MAX_OCTETS) {
      out.push(current);
      current = ' ';
      octets = 1;
    }
    current += ch;
    octets += size;
  }
  out.push(current);
  return out.join(CRLF);
}

function lines(c: Component): string[] {
  if (!NAME.test(c.name)) throw new RangeError(`not a component name: ${c.name}`);
  const name = c.name.toUpperCase();
  return [
    `BEGIN:${name}`,
    ...c.properties.map(contentLine),
    ...(c.components ?? []).flatMap(lines),
    `END:${name}`,
  ];
}

/** The iCalendar stream of one component (usually a VCALENDAR), folded, CRLF-terminated. */
export function serialize(c: Component): string {
  return `${lines(c).map(fold).join(CRLF)}${CRLF}`;
}
