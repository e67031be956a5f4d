/**
 * Typed errors with stable codes. Every code maps to one HTTP status here, exhaustively; the
 * HTTP layer renders them as RFC 9457 problem+json with a Chinese and an English message.
 */
export type ErrorCode =
  | 'VALIDATION_FAILED'
  | 'UNAUTHENTICATED'
  | 'INVALID_CREDENTIALS'
  | 'CSRF_FAILED'
  | 'FORBIDDEN'
  | 'NOT_FOUND'
  | 'ITEM_NOT_FOUND'
  | 'UNIT_NOT_FOUND'
  | 'REGION_NOT_FOUND'
  | 'USER_NOT_FOUND'
  | 'CATEGORY_NOT_FOUND'
  | 'FILE_NOT_FOUND'
  | 'TOKEN_NOT_FOUND'
  | 'LEDGER_ENTRY_NOT_FOUND'
  | 'CHECKPOINT_NOT_FOUND'
  | 'LEDGER_PENDING'
  | 'TRANSITION_REFUSED'
  | 'VERSION_CONFLICT'
  | 'PRECONDITION_FAILED'
  | 'CONFLICT'
  /** A link or token that existed but has expired (410). */
  | 'GONE'
  | 'DUPLICATE_USERNAME'
  | 'DUPLICATE_ITEM'
  /** 督办事项准入: a lead unit's quota for the period is used up (409). */
  | 'QUOTA_EXCEEDED'
  | 'IDEMPOTENCY_KEY_REUSED'
  | 'PAYLOAD_TOO_LARGE'
  | 'UNSUPPORTED_MEDIA_TYPE'
  | 'RATE_LIMITED'
  /** Too many failed sign-ins: the account is locked for a while (423, `retryAfter`). */
  | 'ACCOUNT_LOCKED'
  /** The session has a two-factor step still to take (403). */
  | 'MFA_REQUIRED'
  | 'INTERNAL';

export const STATUS_BY_CODE: { [C in ErrorCode]: number } = {
  VALIDATION_FAILED: 400,
  UNAUTHENTICATED: 401,
  INVALID_CREDENTIALS: 401,
  CSRF_FAILED: 403,
  FORBIDDEN: 403,
  NOT_FOUND: 404,
  ITEM_NOT_FOUND: 404,
  UNIT_NOT_FOUND: 404,
  REGION_NOT_FOUND: 404,
  USER_NOT_FOUND: 404,
  CATEGORY_NOT_FOUND: 404,
  FILE_NOT_FOUND: 404,
  TOKEN_NOT_FOUND: 404,
  LEDGER_ENTRY_NOT_FOUND: 404,
  CHECKPOINT_NOT_FOUND: 404,
  LEDGER_PENDING: 409,
  TRANSITION_REFUSED: 409,
  VERSION_CONFLICT: 409,
  PRECONDITION_FAILED: 412,
  CONFLICT: 409,
  GONE: 410,
  DUPLICATE_USERNAME: 409,
  DUPLICATE_ITEM: 409,
  QUOTA_EXCEEDED: 409,
  IDEMPOTENCY_KEY_REUSED: 422,
  PAYLOAD_TOO_LARGE: 413,
  UNSUPPORTED_MEDIA_TYPE: 415,
  RATE_LIMITED: 429,
  ACCOUNT_LOCKED: 423,
  MFA_REQUIRED: 403,
  INTERNAL: 500,
};

export type ErrorDetails = Record<string, unknown>;

export class DomainError extends Error {
  readonly code: ErrorCode;
  readonly messageZh: string;
  readonly field: string | undefined;
  readonly details: ErrorDetails | undefined;

  constructor(
    code: ErrorCode,
    message: { zh: string; en: string },
    opts: { field?: string; details?: ErrorDetails } = {},
  ) {
    super(message.en);
    this.name = 'DomainError';
    this.code = code;
    this.messageZh = message.zh;
    this.field = opts.field;
    this.details = opts.details;
  }

  get status(): number {
    return STATUS_BY_CODE[this.code];
  }
}

/** One field-level problem, as carried in a 400's `errors` list. */
export type FieldIssue = { field: string; message: string; messageZh: string };

export function validationError(issues: FieldIssue[]): DomainError {
  const first = issues[0];
  const where = first ? first.field : '(body)';
  return new DomainError(
    'VALIDATION_FAILED',
    {
      zh: `请求参数不合法：${where}${first ? `：${first.messageZh}` : ''}`,
      en: `Invalid request: ${where}${first ? `: ${first.message}` : ''}`,
    },
    { field: where, details: { errors: issues } },
  );
}

export function notFound(code: ErrorCode = 'NOT_FOUND', what = { zh: '资源', en: 'resource' }) {
  return new DomainError(code, { zh: `${what.zh}不存在`, en: `${what.en} not found` });
}

export function assertNever(x: never): never {
  throw new Error(`unexpected value: ${JSON.stringify(x)}`);
}
