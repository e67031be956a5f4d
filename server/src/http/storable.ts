import type { FastifyRequest } from 'fastify';
import { validationError } from '../shared/errors.ts';

const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

/**
 * The path of the first string (value or key) PostgreSQL text and jsonb cannot hold: one with a
 * NUL character or an unpaired UTF-16 surrogate. Undefined when every string is storable.
 */
export function unstorableText(value: unknown, path: string): string | undefined {
  if (typeof value === 'string')
    return value.includes('\u0000') || LONE_SURROGATE.test(value) ? path : undefined;
  if (Array.isArray(value)) {
    for (const [i, v] of value.entries()) {
      const found = unstorableText(v, `${path}.${i}`);
      if (found !== undefined) return found;
    }
    return undefined;
  }
  if (typeof value === 'object' && value !== null) {
    for (const [k, v] of Object.entries(value)) {
      const found = unstorableText(k, `${path}.${k}`) ?? unstorableText(v, `${path}.${k}`);
      if (found !== undefined) return found;
    }
  }
  return undefined;
}

/**
 * Refuses, for every route, a body, query or path parameter with text PostgreSQL cannot store, as a
 * 400 naming the field (instead of a database error deep inside a command).
 */
export async function refuseUnstorableText(request: FastifyRequest): Promise<void> {
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
