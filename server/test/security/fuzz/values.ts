import fc from 'fast-check';
import type { JsonSchema } from './spec.ts';

/**
 * fast-check arbitraries for JSON values from a JSON Schema: well-shaped ones (what the schema
 * asks for) and, in hostile mode, the same shapes with leaves swapped for hostile values, required
 * keys dropped and unknown keys added.
 */

/** Real ids and codes of the test world, so that some well-shaped requests reach handlers. */
export type Pools = { uuids: string[]; codes: string[]; regions: string[]; categories: string[] };

/** Strings a careless handler might pass on to SQL, HTML, a file path or a template. */
export const HOSTILE_STRINGS: readonly string[] = [
  "' OR 1=1--",
  "'; drop table items;--",
  '1; select pg_sleep(0)--',
  '<script>alert(1)</script>',
  '"><img src=x onerror=alert(1)>',
  '../../../../etc/passwd',
  '..\\..\\windows\\win.ini',
  '%00',
  'a\u0000b',
  '\u0000',
  '\ud800',
  'x\udfffy',
  '\u202e\u200b\ufeff',
  '😀👨‍👩‍👧‍👦𠀀',
  '\u0024{jndi:ldap://x}',
  '{{7*7}}',
  '\\',
  '"',
  '\r\n\t',
  '',
  ' ',
  '-0',
  'NaN',
  'Infinity',
  '1e308',
  '9223372036854775808',
  'null',
  'undefined',
  '__proto__',
  '0000-00-00',
  '2026-02-30',
  '9999-12-31',
  '00000000-0000-0000-0000-000000000000',
  'ffffffff-ffff-ffff-ffff-ffffffffffff',
];

const HOSTILE_NUMBERS: readonly number[] = [
  1e308,
  -1e308,
  2 ** 63,
  -(2 ** 63),
  Number.MAX_SAFE_INTEGER + 2,
  Number.MIN_VALUE,
  -1,
  0.5,
  -0,
  2 ** 31,
  4294967296,
];

/** A long string of `size` characters: ASCII or CJK. */
export const longString = (size: number, cjk = false) => (cjk ? '中' : 'a').repeat(size);

export function hostileScalar(): fc.Arbitrary<unknown> {
  return fc.oneof(
    { weight: 5, arbitrary: fc.constantFrom(...HOSTILE_STRINGS) },
    { weight: 2, arbitrary: fc.constantFrom(...HOSTILE_NUMBERS) },
    {
      weight: 1,
      arbitrary: fc.constantFrom(longString(70_000), longString(30_000, true), longString(2_001)),
    },
    { weight: 1, arbitrary: fc.constantFrom(null, true, false, 0, [], {}, [null], { a: 1 }) },
    { weight: 1, arbitrary: fc.string({ unit: 'binary', maxLength: 20 }) },
  );
}

/** Any JSON-ish value (wrong type for most fields). */
export function hostileValue(): fc.Arbitrary<unknown> {
  return fc.oneof(
    { weight: 4, arbitrary: hostileScalar() },
    { weight: 1, arbitrary: fc.array(hostileScalar(), { maxLength: 3 }) },
    {
      weight: 1,
      arbitrary: fc.dictionary(fc.constantFrom('a', '__proto__', 'constructor', '$where'), hostileScalar(), {
        maxKeys: 2,
      }),
    },
  );
}

function dateString(): fc.Arbitrary<string> {
  return fc
    .date({
      min: new Date('2020-01-01T00:00:00Z'),
      max: new Date('2031-12-31T00:00:00Z'),
      noInvalidDate: true,
    })
    .map((d) => d.toISOString().slice(0, 10));
}

function compilePattern(pattern: string): RegExp | undefined {
  for (const flags of ['', 'u']) {
    try {
      return new RegExp(pattern, flags);
    } catch {
      // try the next flags
    }
  }
  return undefined;
}

const DATE_HINT = /YYYY-MM-DD|date|deadline|day|from|to$|until|since/i;

function stringOf(schema: JsonSchema, name: string, pools: Pools): fc.Arbitrary<string> {
  if (schema.format === 'uuid') {
    return pools.uuids.length > 0
      ? fc.oneof(
          { weight: 2, arbitrary: fc.constantFrom(...pools.uuids) },
          { weight: 1, arbitrary: fc.uuid() },
        )
      : fc.uuid();
  }
  if (schema.format === 'date-time') {
    return fc
      .date({
        min: new Date('2020-01-01T00:00:00Z'),
        max: new Date('2031-12-31T00:00:00Z'),
        noInvalidDate: true,
      })
      .map((d) => d.toISOString());
  }
  if (schema.format === 'email') return fc.emailAddress();
  let base: fc.Arbitrary<string> | undefined;
  if (schema.pattern !== undefined) {
    const re = compilePattern(schema.pattern);
    if (re !== undefined) {
      const max = schema.maxLength;
      base = fc.stringMatching(re).filter((s) => max === undefined || s.length <= max);
    }
  }
  if (base === undefined) {
    const minLength = schema.minLength ?? 0;
    const maxLength = Math.max(minLength, Math.min(schema.maxLength ?? 40, 40));
    base = fc.oneof(
      fc.string({ minLength, maxLength }),
      fc.string({
        minLength,
        maxLength,
        unit: fc.constantFrom(...'督办事项推进老旧小区改造杭州市住房和城乡建设局一二三'.split('')),
      }),
    );
  }
  // Known values by the field's name, so that well-shaped requests also pass the handlers' checks.
  const hints: fc.Arbitrary<string>[] = [];
  const about = `${name} ${schema.description ?? ''}`;
  if (schema.pattern === undefined && DATE_HINT.test(about)) hints.push(dateString());
  if (/region/i.test(name)) hints.push(fc.constantFrom(...pools.regions));
  else if (/categor/i.test(name)) hints.push(fc.constantFrom(...pools.categories));
  else if (/code|kind|key/i.test(name) && pools.codes.length > 0) hints.push(fc.constantFrom(...pools.codes));
  if (/id$/i.test(name) && pools.uuids.length > 0) hints.push(fc.constantFrom(...pools.uuids));
  return hints.length === 0
    ? base
    : fc.oneof({ weight: 1, arbitrary: base }, ...hints.map((arbitrary) => ({ weight: 2, arbitrary })));
}

export type Mode = { hostile: boolean; pools: Pools };

/** Values for `schema`; in hostile mode some leaves, keys and types go wrong. */
export function valuesFor(schema: JsonSchema, mode: Mode, name = '', depth = 0): fc.Arbitrary<unknown> {
  const valid = wellShaped(schema, mode, name, depth);
  if (!mode.hostile) return valid;
  return fc.oneof({ weight: 5, arbitrary: valid }, { weight: 1, arbitrary: hostileValue() });
}

function wellShaped(schema: JsonSchema, mode: Mode, name: string, depth: number): fc.Arbitrary<unknown> {
  if (schema.const !== undefined) return fc.constant(schema.const);
  if (schema.enum !== undefined && schema.enum.length > 0) return fc.constantFrom(...schema.enum);
  const alternatives = schema.anyOf ?? schema.oneOf;
  if (alternatives !== undefined && alternatives.length > 0)
    return fc.oneof(...alternatives.map((s) => valuesFor(s, mode, name, depth)));
  if (schema.allOf !== undefined && schema.allOf.length > 0)
    return valuesFor(schema.allOf[0] ?? {}, mode, name, depth);
  const type = Array.isArray(schema.type) ? schema.type[0] : schema.type;
  switch (type) {
    case 'string':
      return stringOf(schema, name, mode.pools);
    case 'integer': {
      const min =
        schema.exclusiveMinimum !== undefined ? schema.exclusiveMinimum + 1 : (schema.minimum ?? -1000);
      const max =
        schema.exclusiveMaximum !== undefined ? schema.exclusiveMaximum - 1 : (schema.maximum ?? 100_000);
      return fc.integer({
        min: Math.max(min, Number.MIN_SAFE_INTEGER),
        max: Math.min(max, Number.MAX_SAFE_INTEGER),
      });
    }
    case 'number':
      return fc.double({
        min: schema.minimum ?? -1e6,
        max: schema.maximum ?? 1e6,
        noNaN: true,
        noDefaultInfinity: true,
      });
    case 'boolean':
      return fc.boolean();
    case 'null':
      return fc.constant(null);
    case 'array': {
      if (depth > 4) return fc.constant([]);
      const minLength = schema.minItems ?? 0;
      const maxLength = Math.max(minLength, Math.min(schema.maxItems ?? 3, 3));
      return fc.array(valuesFor(schema.items ?? {}, mode, name, depth + 1), { minLength, maxLength });
    }
    case 'object':
      return objectOf(schema, mode, depth);
    default:
      // An unconstrained value (z.unknown(), z.any()).
      return mode.hostile ? hostileValue() : fc.jsonValue({ maxDepth: 2 });
  }
}

function objectOf(schema: JsonSchema, mode: Mode, depth: number): fc.Arbitrary<unknown> {
  const props = schema.properties ?? {};
  const required = schema.required ?? [];
  if (depth > 4) return fc.constant({});
  const model: Record<string, fc.Arbitrary<unknown>> = {};
  for (const [key, sub] of Object.entries(props)) model[key] = valuesFor(sub, mode, key, depth + 1);
  const record = fc.record(model, { requiredKeys: required.filter((k) => k in props) });
  if (!mode.hostile) return record;
  return fc
    .tuple(
      record,
      fc.option(fc.constantFrom(...(required.length > 0 ? required : ['-'])), { freq: 4 }),
      fc.option(
        fc.tuple(
          fc.constantFrom('extra', '__proto__', 'constructor', 'isAdmin', 'id', 'version'),
          hostileValue(),
        ),
        {
          freq: 4,
        },
      ),
    )
    .map(([value, drop, extra]) => {
      const out: Record<string, unknown> = { ...(value as Record<string, unknown>) };
      if (drop !== null) delete out[drop];
      // defineProperty: `__proto__` becomes an own key that JSON.stringify writes out.
      if (extra !== null)
        Object.defineProperty(out, extra[0], {
          value: extra[1],
          enumerable: true,
          writable: true,
          configurable: true,
        });
      return out;
    });
}
