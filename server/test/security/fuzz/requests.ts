import fc from 'fast-check';
import { type Operation, paramsIn } from './spec.ts';
import { HOSTILE_STRINGS, hostileValue, longString, type Mode, type Pools, valuesFor } from './values.ts';

/**
 * One generated request, as plain data (fast-check prints it as the counterexample). Big raw
 * payloads are named, not carried: `rawBody` builds them when the request is sent.
 */
export type FuzzRequest = {
  /** Who calls: the operation's signed-in user (cookie + CSRF), the same user's bearer token, nobody, … */
  actor: 'session' | 'bearer' | 'anonymous' | 'session-no-csrf' | 'bad-bearer';
  /** The path with its parameters, percent-encoded (or deliberately mis-encoded). */
  path: string;
  /** The query string without `?` ('' for none). */
  query: string;
  body:
    | { kind: 'none' }
    | { kind: 'json'; value: unknown }
    /** JSON text with one top-level member's value replaced by a raw literal (1e400, -0, 2^63 …). */
    | { kind: 'literal'; value: unknown; literal: string }
    | { kind: 'raw'; name: RawPayload };
};

/** Path segments that try to leave the route, break decoding or overflow a parameter. */
const HOSTILE_SEGMENTS: readonly string[] = [
  '..',
  '..%2F..%2F..%2Fetc%2Fpasswd',
  '%2e%2e%2f',
  '%00',
  'a%00b',
  '%ZZ',
  '%',
  '%C0%AE%C0%AE',
  '%ED%A0%80',
  '%FF%FE',
  '%E4%B8%AD%E6%96%87',
  '%F0%9F%98%80',
  encodeLoose("' OR 1=1--"),
  encodeLoose('<script>alert(1)</script>'),
  '-1',
  '0',
  '1e308',
  '9223372036854775808',
  '-0',
  'NaN',
  '%20',
  '.',
  longString(5_000),
  encodeLoose(longString(400, true)),
];

const RAW_LITERALS: readonly string[] = [
  '1e400',
  '-1e400',
  '1e-400',
  '-0',
  '9223372036854775808',
  '-9223372036854775809',
  '123456789012345678901234567890',
  '0.1e1',
  '"\\ud800"',
  '"a\\u0000b"',
  '"\\udfff\\ud800"',
  'NaN',
  'Infinity',
  '0x1F',
  '01',
];

export const RAW_PAYLOADS = [
  'deep-array',
  'deep-object',
  'over-limit',
  'near-limit',
  'invalid-utf8',
  'invalid-utf8-key',
  'empty',
  'null',
  'array',
  'string',
  'number',
  'truncated',
  'duplicate-keys',
  'bom',
  'proto',
  'not-json',
] as const;
export type RawPayload = (typeof RAW_PAYLOADS)[number];

/** Raw bodies no route may accept, whatever it reads: too deep, too big, not UTF-8, not JSON. */
export const REFUSED_RAW: ReadonlySet<RawPayload> = new Set([
  'deep-array',
  'deep-object',
  'over-limit',
  'invalid-utf8',
  'invalid-utf8-key',
  'empty',
  'truncated',
  'not-json',
]);

const DEPTH = 10_000;

/** The bytes of a named hostile body (all sent as application/json). */
export function rawBody(name: RawPayload): string | Buffer {
  switch (name) {
    case 'deep-array':
      return `${'['.repeat(DEPTH)}${']'.repeat(DEPTH)}`;
    case 'deep-object':
      return `${'{"a":'.repeat(DEPTH)}1${'}'.repeat(DEPTH)}`;
    case 'over-limit':
      // bodyLimit is 1 MiB: this is ~1.1 MB of otherwise well-formed JSON.
      return JSON.stringify({ title: longString(1_150_000), content: 'x' });
    case 'near-limit':
      // Just under it: 900,000 ASCII and 30,000 CJK characters (~990 kB).
      return JSON.stringify({ title: longString(900_000), content: longString(30_000, true) });
    case 'invalid-utf8':
      return Buffer.concat([
        Buffer.from('{"title":"'),
        Buffer.from([0xff, 0xfe, 0xc0, 0xaf, 0xed, 0xa0, 0x80]),
        Buffer.from('","content":"x"}'),
      ]);
    case 'invalid-utf8-key':
      return Buffer.concat([Buffer.from('{"'), Buffer.from([0xc3, 0x28]), Buffer.from('":1}')]);
    case 'empty':
      return '';
    case 'null':
      return 'null';
    case 'array':
      return '[]';
    case 'string':
      return '"x"';
    case 'number':
      return '1e308';
    case 'truncated':
      return '{"title":"推进';
    case 'duplicate-keys':
      return '{"title":"a","title":{"$gt":""},"reason":"x","reason":["x"]}';
    case 'bom':
      return '\ufeff{"reason":"x"}';
    case 'proto':
      return '{"__proto__":{"isAdmin":true,"roles":["admin"]},"constructor":{"prototype":{"polluted":1}}}';
    case 'not-json':
      return "title=' OR 1=1--&reason=<script>";
  }
}

const MARKER = '\u0001RAW\u0001';

/** The JSON text of a `literal` body: `value` with the marker member swapped for the raw literal. */
export function literalBody(value: unknown, literal: string): string {
  return JSON.stringify(value).replace(JSON.stringify(MARKER), literal);
}

/**
 * encodeURIComponent that does not throw on a lone surrogate: it is sent as its WTF-8 bytes
 * (%ED%A0%80 for \ud800), which no UTF-8 decoder accepts.
 */
export function encodeLoose(s: string): string {
  let out = '';
  for (const part of s.match(/[\ud800-\udbff][\udc00-\udfff]|[\s\S]/g) ?? []) {
    const unit = part.charCodeAt(0);
    if (part.length === 1 && unit >= 0xd800 && unit <= 0xdfff) {
      out += [0xe0 | (unit >> 12), 0x80 | ((unit >> 6) & 0x3f), 0x80 | (unit & 0x3f)]
        .map((b) => `%${b.toString(16).toUpperCase()}`)
        .join('');
    } else out += encodeURIComponent(part);
  }
  return out;
}

function pathArb(op: Operation, mode: Mode): fc.Arbitrary<string> {
  const segments = paramsIn(op, 'path').map((p) =>
    fc
      .oneof(
        {
          weight: 5,
          arbitrary: valuesFor(p.schema, { ...mode, hostile: false }, p.name).map((v) =>
            encodeLoose(String(v)),
          ),
        },
        { weight: mode.hostile ? 2 : 0, arbitrary: fc.constantFrom(...HOSTILE_SEGMENTS) },
      )
      .map((v) => [p.name, v] as const),
  );
  return fc.tuple(...segments).map((pairs) => {
    let path = op.path;
    for (const [name, v] of pairs) path = path.replace(`{${name}}`, v);
    return path;
  });
}

function queryValue(v: unknown): string {
  return typeof v === 'string' ? v : (JSON.stringify(v) ?? '');
}

function queryArb(op: Operation, mode: Mode): fc.Arbitrary<string> {
  const params = paramsIn(op, 'query');
  const pairs = params.map((p) => {
    const value = valuesFor(p.schema, mode, p.name);
    const present =
      p.required && !mode.hostile
        ? value.map((v) => [v])
        : fc.option(value, { freq: 2 }).map((v) => (v === null ? [] : [v]));
    // Hostile: the same key twice (an array where a string is expected).
    const repeated = mode.hostile
      ? fc.oneof({ weight: 6, arbitrary: present }, { weight: 1, arbitrary: fc.tuple(value, value) })
      : present;
    return repeated.map((vs) => vs.map((v) => `${encodeLoose(p.name)}=${encodeLoose(queryValue(v))}`));
  });
  const extra = mode.hostile
    ? fc.option(
        fc.oneof(
          fc.constantFrom(
            '__proto__[x]=1',
            'constructor=1',
            'a=%ZZ',
            'q=%00',
            `q=${encodeLoose('\ud800')}`,
            `limit=${longString(3000)}`,
          ),
          fc.constantFrom(...HOSTILE_STRINGS).map((s) => `extra=${encodeLoose(s)}`),
        ),
        { freq: 3 },
      )
    : fc.constant(null);
  return fc
    .tuple(fc.tuple(...pairs), extra)
    .map(([lists, x]) => [...lists.flat(), ...(x === null ? [] : [x])].join('&'));
}

function bodyArb(op: Operation, mode: Mode): fc.Arbitrary<FuzzRequest['body']> {
  if (op.method === 'GET') return fc.constant({ kind: 'none' } as const);
  const raw = fc.constantFrom(...RAW_PAYLOADS).map((name) => ({ kind: 'raw', name }) as const);
  if (op.body === undefined) {
    if (!mode.hostile)
      return fc.constantFrom({ kind: 'none' } as const, { kind: 'json', value: {} } as const);
    return fc.oneof(
      raw,
      hostileValue().map((value) => ({ kind: 'json', value }) as const),
    );
  }
  const json = valuesFor(op.body, mode).map((value) => ({ kind: 'json', value }) as const);
  if (!mode.hostile) return json;
  const literal = fc
    .tuple(valuesFor(op.body, { ...mode, hostile: false }), fc.constantFrom(...RAW_LITERALS))
    .chain(([value, literal]) => {
      const keys = value !== null && typeof value === 'object' ? Object.keys(value) : [];
      const key = keys.length > 0 ? fc.constantFrom(...keys) : fc.constant('x');
      return key.map(
        (k) => ({ kind: 'literal', value: { ...(value as object), [k]: MARKER }, literal }) as const,
      );
    });
  return fc.oneof(
    { weight: 5, arbitrary: json },
    { weight: 1, arbitrary: literal },
    { weight: 1, arbitrary: raw },
  );
}

function actorArb(op: Operation, hostile: boolean): fc.Arbitrary<FuzzRequest['actor']> {
  const write = op.method !== 'GET';
  return fc.oneof(
    { weight: 8, arbitrary: fc.constant('session' as const) },
    { weight: 3, arbitrary: fc.constant('bearer' as const) },
    { weight: op.isPublic ? 4 : 1, arbitrary: fc.constant('anonymous' as const) },
    { weight: hostile && write ? 1 : 0, arbitrary: fc.constant('session-no-csrf' as const) },
    { weight: hostile ? 1 : 0, arbitrary: fc.constant('bad-bearer' as const) },
  );
}

/** Requests for `op`: about one in three well-shaped, the rest hostile. */
export function requestArb(op: Operation, pools: Pools): fc.Arbitrary<FuzzRequest> {
  const build = (hostile: boolean) => {
    const mode: Mode = { hostile, pools };
    return fc.record({
      actor: actorArb(op, hostile),
      path: pathArb(op, mode),
      query: queryArb(op, mode),
      body: bodyArb(op, mode),
    });
  };
  return fc.oneof({ weight: 1, arbitrary: build(false) }, { weight: 2, arbitrary: build(true) });
}
