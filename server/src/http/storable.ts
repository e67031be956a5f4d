import type { FastifyBodyParser, FastifyRequest } from 'fastify';
import { DomainError, validationError } from '../shared/errors.ts';

const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

/** Deeper JSON than any request needs; refused before a recursive walker (zod, jsonb) meets it. */
export const MAX_JSON_DEPTH = 64;

/**
 * The path of the first string (value or key) PostgreSQL text and jsonb cannot hold: one with a
 * NUL character or an unpaired UTF-16 surrogate. Undefined when every string is storable. An
 * explicit stack, not recursion: a 10,000-deep body must not overflow the call stack.
 */
export function unstorableText(value: unknown, path: string): string | undefined {
  const stack: { value: unknown; path: string }[] = [{ value, path }];
  for (let next = stack.pop(); next !== undefined; next = stack.pop()) {
    const v = next.value;
    if (typeof v === 'string') {
      if (v.includes('\u0000') || LONE_SURROGATE.test(v)) return next.path;
    } else if (typeof v === 'object' && v !== null) {
      const entries = Array.isArray(v) ? [...v.entries()] : Object.entries(v);
      for (let i = entries.length - 1; i >= 0; i--) {
        const [k, child] = entries[i] ?? [];
        const at = `${next.path}.${String(k)}`;
        stack.push({ value: child, path: at });
        if (typeof k === 'string') stack.push({ value: k, path: at });
      }
    }
  }
  return undefined;
}

/** The path of the first place `value` nests deeper than MAX_JSON_DEPTH, or undefined. */
export function tooDeep(value: unknown, path: string): string | undefined {
  const stack: { value: unknown; path: string; depth: number }[] = [{ value, path, depth: 0 }];
  for (let next = stack.pop(); next !== undefined; next = stack.pop()) {
    const v = next.value;
    if (typeof v !== 'object' || v === null) continue;
    if (next.depth >= MAX_JSON_DEPTH) return next.path;
    for (const [k, child] of Object.entries(v))
      stack.push({ value: child, path: `${next.path}.${k}`, depth: next.depth + 1 });
  }
  return undefined;
}

/**
 * Refuses, for every route, a body, query or path parameter with text PostgreSQL cannot store, as a
 * 400 naming the field (instead of a database error deep inside a command).
 */
export async function refuseUnstorableText(request: FastifyRequest): Promise<void> {
  const deep = tooDeep(request.body, 'body');
  if (deep !== undefined)
    throw validationError([
      { field: deep, message: `nested deeper than ${MAX_JSON_DEPTH} levels`, messageZh: '嵌套层级过深' },
    ]);
  const where =
    unstorableText(request.body, 'body') ??
    unstorableText(request.query, 'querystring') ??
    unstorableText(request.params, 'params');
  if (where !== undefined)
    throw validationError([
      {
        field: where,
        message: 'contains a NUL character or an unpaired surrogate',
        messageZh: '包含无法保存的字符',
      },
    ]);
}

const CHARSET = /;\s*charset\s*=\s*"?([^";\s]*)/i;

/**
 * The application/json body parser around Fastify's own (`parseJson`, which keeps its
 * prototype-poisoning checks): JSON is UTF-8 (RFC 8259), so another declared charset is 415 and
 * bytes that are not UTF-8 are a 400 naming the body — never text silently changed into U+FFFD.
 */
export function strictJsonParser(parseJson: FastifyBodyParser<string>): FastifyBodyParser<Buffer> {
  return (request, body, done) => {
    const charset = CHARSET.exec(request.headers['content-type'] ?? '')?.[1]?.toLowerCase();
    if (charset !== undefined && charset !== 'utf-8' && charset !== 'utf8') {
      done(
        new DomainError('UNSUPPORTED_MEDIA_TYPE', { zh: 'JSON 须为 UTF-8 编码', en: 'JSON must be UTF-8' }),
      );
      return;
    }
    let text: string;
    try {
      text = new TextDecoder('utf-8', { fatal: true }).decode(body);
    } catch {
      done(
        validationError([
          { field: 'body', message: 'not valid UTF-8', messageZh: '请求体不是有效的 UTF-8 编码' },
        ]),
      );
      return;
    }
    return parseJson(request, text, done);
  };
}
