import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { hasZodFastifySchemaValidationErrors } from 'fastify-type-provider-zod';
import { DomainError, type FieldIssue, validationError } from '../shared/errors.ts';

/** RFC 9457 problem details, with our stable code, the offending field and both languages. */
export type Problem = {
  type: string;
  title: string;
  status: number;
  code: string;
  detail: string;
  detailZh: string;
  field?: string;
  instance?: string;
  [extra: string]: unknown;
};

export function problemOf(err: DomainError, instance?: string): Problem {
  return {
    // Extensions first: a detail may never overwrite a standard member (e.g. `status`).
    ...(err.details ?? {}),
    type: `https://duban.dev/problems/${err.code.toLowerCase().replaceAll('_', '-')}`,
    title: err.code,
    status: err.status,
    code: err.code,
    detail: err.message,
    detailZh: err.messageZh,
    ...(err.field ? { field: err.field } : {}),
    ...(instance ? { instance } : {}),
  };
}

const ZOD_MESSAGES_ZH: Record<string, string> = {
  invalid_type: '类型不正确或缺失',
  too_small: '过短或过小',
  too_big: '过长或过大',
  invalid_format: '格式不正确',
  invalid_value: '取值不在允许范围内',
  unrecognized_keys: '包含不允许的字段',
  custom: '不符合要求',
};

type ZodLikeIssue = { code?: string; path?: PropertyKey[]; message: string; keys?: readonly string[] };

export function fieldIssuesFromZod(issues: readonly ZodLikeIssue[], prefix: string): FieldIssue[] {
  return issues.map((i) => {
    // An unknown key is named itself (body.extra), not only the object that holds it.
    const path = [...(i.path ?? []), ...(i.code === 'unrecognized_keys' && i.keys?.[0] ? [i.keys[0]] : [])];
    const p = path.map(String).join('.');
    return {
      field: p ? `${prefix}.${p}` : prefix,
      message: i.message,
      messageZh: ZOD_MESSAGES_ZH[i.code ?? 'custom'] ?? '不符合要求',
    };
  });
}

/** Maps every error to problem+json; nothing else (no stack, no SQL) leaves the server. */
export function sendProblem(err: unknown, request: FastifyRequest, reply: FastifyReply) {
  const domain = toDomainError(err);
  if (domain.status >= 500) request.log.error({ err }, 'unhandled error');
  return reply
    .code(domain.status)
    .type('application/problem+json; charset=utf-8')
    .send(problemOf(domain, request.url));
}

function toDomainError(err: unknown): DomainError {
  if (err instanceof DomainError) return err;
  if (hasZodFastifySchemaValidationErrors(err)) {
    const ctx = (err as { validationContext?: string }).validationContext ?? 'body';
    const issues = err.validation.map(
      (v): ZodLikeIssue => ({
        code: v.keyword,
        path: v.instancePath.split('/').filter((seg) => seg !== ''),
        message: v.message ?? 'invalid',
        keys: Array.isArray(v.params?.keys) ? v.params.keys.map(String) : undefined,
      }),
    );
    return validationError(fieldIssuesFromZod(issues, ctx));
  }
  const fe = err as Partial<FastifyError> & { statusCode?: number };
  if (fe.code === 'FST_ERR_CTP_BODY_TOO_LARGE' || fe.statusCode === 413) {
    return new DomainError('PAYLOAD_TOO_LARGE', { zh: '请求体过大', en: 'Request body too large' });
  }
  if (fe.code === 'FST_ERR_CTP_INVALID_MEDIA_TYPE' || fe.statusCode === 415) {
    return new DomainError('UNSUPPORTED_MEDIA_TYPE', {
      zh: '不支持的内容类型',
      en: 'Unsupported content type',
    });
  }
  // The router's refusals (app.ts frameworkErrors): the path itself is malformed or too long.
  if (fe.code === 'FST_ERR_BAD_URL' || fe.code === 'FST_ERR_MAX_PARAM_LENGTH') {
    return validationError([
      { field: 'url', message: fe.message ?? 'malformed URL', messageZh: '请求地址格式错误或过长' },
    ]);
  }
  if (
    fe.code === 'FST_ERR_CTP_EMPTY_JSON_BODY' ||
    fe.code === 'FST_ERR_CTP_INVALID_CONTENT_LENGTH' ||
    (fe.statusCode === 400 && fe.code !== undefined)
  ) {
    return validationError([
      { field: 'body', message: fe.message ?? 'malformed body', messageZh: '请求体格式错误' },
    ]);
  }
  if (typeof fe.statusCode === 'number' && fe.statusCode >= 400 && fe.statusCode < 500) {
    return validationError([
      { field: 'request', message: fe.message ?? 'bad request', messageZh: '请求不合法' },
    ]);
  }
  return new DomainError('INTERNAL', { zh: '服务器内部错误', en: 'Internal server error' });
}
