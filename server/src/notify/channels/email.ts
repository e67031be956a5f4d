/**
 * E-mail over SMTP (nodemailer). UTF-8 subject and plain-text body in Chinese, with the item link;
 * urgent messages get 【特急】 in the subject and high priority. The Message-ID is derived from the
 * outbox row id so a retried message is recognisably the same message.
 *
 * Failures: an SMTP 4xx reply or a connection/timeout error is retryable, a 5xx reply is not.
 */
import { z } from 'zod';
import { markedSubject } from './format.ts';
import type { Channel, DeliveryResult, OutboundMessage } from './types.ts';

export const emailConfigSchema = z.object({
  host: z.string().min(1),
  port: z.int().min(1).max(65535).default(587),
  /** TLS from the start (port 465); otherwise STARTTLS when the server offers it. */
  secure: z.boolean().default(false),
  /** Refuse to send unless the server offers STARTTLS (when not `secure`). */
  requireTLS: z.boolean().default(false),
  user: z.string().min(1).optional(),
  pass: z.string().optional(),
  /** Sender, e.g. '"督办平台" <duban@example.gov.cn>'. */
  from: z.string().min(3),
  timeoutMs: z.int().min(1000).max(120_000).default(30_000),
});
export type EmailConfig = z.input<typeof emailConfigSchema>;

const emailAddress = z.email();

export function emailBody(message: OutboundMessage): string {
  const parts = [message.text.trim()];
  if (message.link !== undefined) parts.push(`查看督办事项：${message.link}`);
  parts.push('——\n此邮件由督办平台自动发送，请勿直接回复。');
  return `${parts.join('\n\n')}\n`;
}

function senderDomain(from: string): string {
  const address = /<([^>]+)>/.exec(from)?.[1] ?? from;
  const domain = address.split('@')[1]?.trim().toLowerCase();
  return domain !== undefined && /^[a-z0-9.-]+$/.test(domain) ? domain : 'duban.invalid';
}

type SmtpError = Error & { code?: string; responseCode?: number; response?: string };

export function resultFromSmtpError(e: unknown): DeliveryResult {
  const err = e as SmtpError;
  const code = typeof err.responseCode === 'number' ? err.responseCode : undefined;
  const text = (err.response ?? err.message ?? String(e)).replace(/\s+/g, ' ').slice(0, 300);
  if (code !== undefined && code >= 400 && code < 500) {
    return { ok: false, retryable: true, error: `SMTP ${code}：${text}` };
  }
  if (code !== undefined && code >= 500)
    return { ok: false, retryable: false, error: `SMTP ${code}：${text}` };
  // No SMTP reply: the message itself was unusable, or the connection failed (retryable).
  if (err.code === 'EENVELOPE' || err.code === 'EMESSAGE') {
    return { ok: false, retryable: false, error: `邮件无法发送（${err.code}）：${text}` };
  }
  return { ok: false, retryable: true, error: `SMTP 连接失败（${err.code ?? 'error'}）：${text}` };
}

export function createEmailChannel(config: EmailConfig): Channel<string> {
  const cfg = emailConfigSchema.parse(config);
  // nodemailer loads with the first message, not in every process that merely configures the channel.
  const makeTransport = async () =>
    (await import('nodemailer')).default.createTransport({
      host: cfg.host,
      port: cfg.port,
      secure: cfg.secure,
      requireTLS: cfg.requireTLS,
      ...(cfg.user === undefined ? {} : { auth: { user: cfg.user, pass: cfg.pass ?? '' } }),
      connectionTimeout: cfg.timeoutMs,
      greetingTimeout: cfg.timeoutMs,
      socketTimeout: cfg.timeoutMs,
    });
  let transport: ReturnType<typeof makeTransport> | undefined;
  const domain = senderDomain(cfg.from);
  return {
    name: 'email',
    async send(message, to): Promise<DeliveryResult> {
      if (!emailAddress.safeParse(to).success) {
        return { ok: false, retryable: false, error: `邮箱地址无效：${to}` };
      }
      try {
        transport ??= makeTransport();
        const info = await (await transport).sendMail({
          from: cfg.from,
          to,
          subject: markedSubject(message),
          text: emailBody(message),
          messageId: `<${message.id}@${domain}>`,
          priority: message.urgent ? 'high' : 'normal',
          headers: { 'X-Duban-Kind': message.kind },
        });
        return { ok: true, detail: String(info.response ?? info.messageId) };
      } catch (e) {
        return resultFromSmtpError(e);
      }
    },
  };
}
