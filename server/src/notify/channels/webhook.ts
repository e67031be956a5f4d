/**
 * Signed webhooks per Standard Webhooks 1.0 (https://www.standardwebhooks.com/).
 *
 * POST `{ "type": kind, "timestamp": occurredAt, "data": data }` (minified JSON, UTF-8) with
 * `webhook-id` (the outbox row id, the same on every retry: the receiver's idempotency key),
 * `webhook-timestamp` (Unix seconds of this attempt) and `webhook-signature`
 * (`v1,<base64 HMAC-SHA256(key, "{id}.{timestamp}.{body}")>`, space-separated when a target has an
 * old and a new secret during rotation). Secrets are `whsec_<base64 of 24–64 random bytes>`.
 * Signing uses the official `standardwebhooks` library, so receivers can verify with any
 * Standard Webhooks implementation.
 *
 * Delivery: SSRF guard (see guard.ts), 10 s total deadline, redirects not followed; 2xx delivered,
 * 408/429/5xx/network errors retried (Retry-After honoured), other statuses not (410 means the
 * receiver disabled the endpoint).
 */
import { randomBytes, timingSafeEqual } from 'node:crypto';
import { Webhook } from 'standardwebhooks';
import { z } from 'zod';
import { allowListSchema, type Resolver } from './guard.ts';
import { DEFAULT_TIMEOUT_MS, postJson, resultFromStatus } from './http.ts';
import type { Channel, DeliveryResult, OutboundMessage } from './types.ts';

export { MAX_ATTEMPTS, nextAttemptDelayMs, retryDelayMs, shouldDeadLetter } from './retry.ts';

/** Seconds a receiver accepts between `webhook-timestamp` and its clock (both ways), per the spec. */
export const DEFAULT_TOLERANCE_SECONDS = 5 * 60;

const SECRET_PREFIX = 'whsec_';

function secretBytes(secret: string): number {
  const b64 = secret.startsWith(SECRET_PREFIX) ? secret.slice(SECRET_PREFIX.length) : secret;
  if (!/^[A-Za-z0-9+/]+={0,2}$/.test(b64) || b64.length % 4 !== 0) return -1;
  return Buffer.from(b64, 'base64').length;
}

export const webhookSecretSchema = z
  .string()
  .startsWith(SECRET_PREFIX, '密钥应以 whsec_ 开头')
  .refine((s) => {
    const n = secretBytes(s);
    return n >= 24 && n <= 64;
  }, '密钥应为 whsec_ 加 24–64 字节的 base64');

export const webhookTargetSchema = z.object({
  url: z.url({ protocol: /^https?$/ }),
  /** One secret, or several during rotation (every one signs; the receiver needs one to match). */
  secret: z.union([webhookSecretSchema, z.array(webhookSecretSchema).min(1).max(4)]),
});
export type WebhookTarget = z.infer<typeof webhookTargetSchema>;

export const webhookConfigSchema = z.object({
  /** `host[:port]` receivers that may be on loopback or a private network. */
  allow: allowListSchema,
  timeoutMs: z.int().min(1000).max(60_000).default(DEFAULT_TIMEOUT_MS),
});
export type WebhookConfig = z.input<typeof webhookConfigSchema>;

/** A new random signing secret (32 bytes). */
export function generateWebhookSecret(): string {
  return `${SECRET_PREFIX}${randomBytes(32).toString('base64')}`;
}

/** `v1,<base64 signature>` of `{id}.{timestamp}.{body}` (timestamp in whole seconds). */
export function signWebhook(secret: string, id: string, timestamp: Date, body: string): string {
  return new Webhook(secret).sign(id, timestamp, body);
}

/** The three Standard Webhooks headers of one attempt; every secret given adds a signature. */
export function webhookHeaders(
  secrets: string | readonly string[],
  id: string,
  timestamp: Date,
  body: string,
): Record<'webhook-id' | 'webhook-timestamp' | 'webhook-signature', string> {
  const list = typeof secrets === 'string' ? [secrets] : secrets;
  return {
    'webhook-id': id,
    'webhook-timestamp': String(Math.floor(timestamp.getTime() / 1000)),
    'webhook-signature': list.map((s) => signWebhook(s, id, timestamp, body)).join(' '),
  };
}

export type VerifyResult = { ok: true; id: string; timestamp: number } | { ok: false; error: string };

export type VerifyOptions = { toleranceSeconds?: number; now?: Date };

function header(headers: Record<string, string | string[] | undefined>, name: string): string | undefined {
  for (const [k, v] of Object.entries(headers)) {
    if (k.toLowerCase() === name) return Array.isArray(v) ? v[0] : v;
  }
  return undefined;
}

/**
 * Verifies a received webhook against the raw body (exactly as received — never re-serialized
 * JSON): headers present, timestamp within the tolerance of `now`, and any `v1` signature matching
 * one of the secrets (constant-time comparison).
 */
export function verifyWebhook(
  secrets: string | readonly string[],
  body: string | Buffer,
  headers: Record<string, string | string[] | undefined>,
  options: VerifyOptions = {},
): VerifyResult {
  const id = header(headers, 'webhook-id');
  const ts = header(headers, 'webhook-timestamp');
  const signatures = header(headers, 'webhook-signature');
  if (id === undefined || ts === undefined || signatures === undefined) {
    return { ok: false, error: 'missing webhook headers' };
  }
  if (!/^\d{1,12}$/.test(ts)) return { ok: false, error: 'invalid webhook-timestamp' };
  const timestamp = Number(ts);
  const now = Math.floor((options.now ?? new Date()).getTime() / 1000);
  const tolerance = options.toleranceSeconds ?? DEFAULT_TOLERANCE_SECONDS;
  if (now - timestamp > tolerance) return { ok: false, error: 'timestamp too old' };
  if (timestamp - now > tolerance) return { ok: false, error: 'timestamp too new' };
  const payload = typeof body === 'string' ? body : body.toString('utf8');
  const list = typeof secrets === 'string' ? [secrets] : secrets;
  const passed = signatures
    .split(' ')
    .filter((s) => s.startsWith('v1,'))
    .map((s) => Buffer.from(s.slice(3)));
  for (const secret of list) {
    let expected: Buffer;
    try {
      expected = Buffer.from(signWebhook(secret, id, new Date(timestamp * 1000), payload).slice(3));
    } catch {
      return { ok: false, error: 'invalid secret' };
    }
    for (const sig of passed) {
      if (sig.length === expected.length && timingSafeEqual(sig, expected))
        return { ok: true, id, timestamp };
    }
  }
  return { ok: false, error: 'no matching signature' };
}

/** The JSON body of a message, as signed and sent. */
export function webhookBody(message: OutboundMessage): string {
  return JSON.stringify({ type: message.kind, timestamp: message.occurredAt, data: message.data });
}

export type WebhookDeps = { resolve?: Resolver; now?: () => Date };

export function createWebhookChannel(
  config: WebhookConfig = {},
  deps: WebhookDeps = {},
): Channel<WebhookTarget> {
  const cfg = webhookConfigSchema.parse(config);
  const now = deps.now ?? (() => new Date());
  return {
    name: 'webhook',
    async send(message, target): Promise<DeliveryResult> {
      const body = webhookBody(message);
      let headers: Record<string, string>;
      try {
        headers = webhookHeaders(target.secret, message.id, now(), body);
      } catch (e) {
        return { ok: false, retryable: false, error: `签名失败：${(e as Error).message}` };
      }
      const outcome = await postJson({
        url: target.url,
        body,
        headers,
        timeoutMs: cfg.timeoutMs,
        ssrf: { allow: cfg.allow, ...(deps.resolve === undefined ? {} : { resolve: deps.resolve }) },
      });
      if (outcome.kind === 'failed') return { ok: false, retryable: outcome.retryable, error: outcome.error };
      return resultFromStatus(outcome.status, outcome.headers, outcome.body);
    },
  };
}
