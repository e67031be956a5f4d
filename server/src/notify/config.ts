/**
 * Which external channels this installation has, from the environment (env.ts):
 * - e-mail when DUBAN_SMTP_URL (`smtp://` STARTTLS when offered, `smtps://` TLS; user and password
 *   in the URL) and DUBAN_SMTP_FROM are set;
 * - SMS when DUBAN_SMS_URL (the gateway, see channels/sms.ts) is set, with DUBAN_SMS_TOKEN;
 * - webhooks, WeCom and DingTalk robots always (they are used only where a user set a target);
 *   DUBAN_WEBHOOK_ALLOW lists intranet host[:port] they may reach despite the SSRF guard.
 * DUBAN_PUBLIC_URL makes links in external messages absolute; without it they carry no link.
 */
import type { Env } from '../env.ts';
import { readEnv } from '../env.ts';
import { type ChannelName, type ChannelsConfig, channelsConfigSchema } from './channels/index.ts';

export type NotifyConfig = {
  channels: ChannelsConfig;
  /** The channels notify() writes outbox rows for. */
  enabled: readonly ChannelName[];
  publicUrl: string | undefined;
};

export const ALL_CHANNELS: readonly ChannelName[] = ['email', 'sms', 'webhook', 'wecom', 'dingtalk'];

type NotifyEnv = Pick<
  Env,
  | 'DUBAN_SMTP_URL'
  | 'DUBAN_SMTP_FROM'
  | 'DUBAN_SMS_URL'
  | 'DUBAN_SMS_TOKEN'
  | 'DUBAN_WEBHOOK_ALLOW'
  | 'DUBAN_PUBLIC_URL'
>;

export function notifyConfigFromEnv(env: NotifyEnv): NotifyConfig {
  const channels: ChannelsConfig = {
    allow: (env.DUBAN_WEBHOOK_ALLOW ?? '')
      .split(',')
      .map((s) => s.trim())
      .filter((s) => s !== ''),
    webhook: {},
    wecom: {},
    dingtalk: {},
  };
  if (env.DUBAN_SMTP_URL !== undefined) {
    if (env.DUBAN_SMTP_FROM === undefined) {
      throw new Error('配置错误 / invalid configuration: DUBAN_SMTP_URL needs DUBAN_SMTP_FROM');
    }
    const url = new URL(env.DUBAN_SMTP_URL);
    const secure = url.protocol === 'smtps:';
    channels.email = {
      host: url.hostname.replace(/^\[|\]$/g, ''),
      port: url.port === '' ? (secure ? 465 : 587) : Number(url.port),
      secure,
      ...(url.username === '' ? {} : { user: decodeURIComponent(url.username) }),
      ...(url.password === '' ? {} : { pass: decodeURIComponent(url.password) }),
      from: env.DUBAN_SMTP_FROM,
    };
  }
  if (env.DUBAN_SMS_URL !== undefined) {
    channels.sms = {
      url: env.DUBAN_SMS_URL,
      ...(env.DUBAN_SMS_TOKEN === undefined ? {} : { token: env.DUBAN_SMS_TOKEN }),
    };
  }
  const checked = channelsConfigSchema.safeParse(channels);
  if (!checked.success) {
    const lines = checked.error.issues.map((i) => `  ${i.path.join('.')}: ${i.message}`);
    throw new Error(`配置错误 / invalid notification configuration:\n${lines.join('\n')}`);
  }
  const enabled = ALL_CHANNELS.filter((c) => channels[c] !== undefined);
  return { channels, enabled, publicUrl: env.DUBAN_PUBLIC_URL };
}

let fromProcess: NotifyConfig | undefined;

/** The configuration of this process, read from its environment once. */
export function processNotifyConfig(): NotifyConfig {
  fromProcess ??= notifyConfigFromEnv(readEnv());
  return fromProcess;
}
