/**
 * SMS through an HTTP gateway — our process boundary. Real SMS providers (阿里云短信, 腾讯云短信, a
 * carrier's 政企短信 platform …) each need a small proxy that speaks this contract:
 *
 *   POST {url}
 *   content-type: application/json; charset=utf-8
 *   authorization: Bearer {token}          (when a token is configured)
 *   idempotency-key: {id}
 *
 *   { "id": "<outbox row id>", "to": "13800138000", "text": "<≤ maxLength characters, link included>",
 *     "template": "<provider template code>",                       (only when configured)
 *     "params": { "subject": "…", "link": "…", "kind": "item.reminder" } }  (only with a template)
 *
 * The gateway must treat `id` as an idempotency key (the same id may arrive again after a timeout).
 * Answer 2xx once accepted (the body, e.g. the provider's message id, is kept as the detail); 429 or
 * 5xx to have us retry later (Retry-After honoured); any other 4xx for a permanent refusal (bad
 * number, template rejected, …). Timeouts and network errors are retried.
 *
 * The gateway URL is the operator's configuration, so it is not subject to the SSRF guard (it is
 * usually on loopback or the intranet).
 */
import { z } from 'zod';
import { markedSubject, truncateChars } from './format.ts';
import { DEFAULT_TIMEOUT_MS, postJson, resultFromStatus } from './http.ts';
import type { Channel, DeliveryResult, OutboundMessage } from './types.ts';

export const smsConfigSchema = z.object({
  url: z.url({ protocol: /^https?$/ }),
  token: z.string().min(1).optional(),
  /** Provider template code, passed through to the gateway with the message's parameters. */
  template: z.string().min(1).optional(),
  /** Longest text sent, in characters (a long SMS is billed per 67 characters). */
  maxLength: z.int().min(70).max(1000).default(300),
  timeoutMs: z.int().min(1000).max(60_000).default(DEFAULT_TIMEOUT_MS),
});
export type SmsConfig = z.input<typeof smsConfigSchema>;

/** Normalizes a phone number (spaces, hyphens and brackets removed); undefined when not plausible. */
export function normalizePhone(raw: string): string | undefined {
  const n = raw.replace(/[\s\-()]/g, '');
  return /^\+?\d{6,15}$/.test(n) ? n : undefined;
}

/** One line: subject, text, and the link (kept whole) within `maxLength` characters. */
export function smsText(message: OutboundMessage, maxLength: number): string {
  const body = `${markedSubject(message)} ${message.text}`.replace(/\s+/g, ' ').trim();
  const link = message.link === undefined ? '' : ` 详情：${message.link}`;
  const linkLength = Array.from(link).length;
  if (link === '' || maxLength - linkLength < 20) return truncateChars(body, maxLength);
  return `${truncateChars(body, maxLength - linkLength)}${link}`;
}

export function createSmsChannel(config: SmsConfig): Channel<string> {
  const cfg = smsConfigSchema.parse(config);
  return {
    name: 'sms',
    async send(message, to): Promise<DeliveryResult> {
      const phone = normalizePhone(to);
      if (phone === undefined) return { ok: false, retryable: false, error: `手机号码无效：${to}` };
      const payload: Record<string, unknown> = {
        id: message.id,
        to: phone,
        text: smsText(message, cfg.maxLength),
      };
      if (cfg.template !== undefined) {
        payload.template = cfg.template;
        payload.params = { subject: markedSubject(message), link: message.link ?? '', kind: message.kind };
      }
      const outcome = await postJson({
        url: cfg.url,
        body: JSON.stringify(payload),
        headers: {
          'idempotency-key': message.id,
          ...(cfg.token === undefined ? {} : { authorization: `Bearer ${cfg.token}` }),
        },
        timeoutMs: cfg.timeoutMs,
        ssrf: false,
      });
      if (outcome.kind === 'failed') return { ok: false, retryable: outcome.retryable, error: outcome.error };
      const result = resultFromStatus(outcome.status, outcome.headers, outcome.body);
      if (result.ok && outcome.body.trim() !== '')
        return { ok: true, detail: truncateChars(outcome.body.trim(), 200) };
      return result;
    },
  };
}
