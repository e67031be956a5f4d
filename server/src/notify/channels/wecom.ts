/**
 * 企业微信群机器人. Target: the robot's webhook URL from the group settings
 * (`https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=…`) or its bare key.
 *
 * Ordinary messages are `markdown` (≤ 4096 bytes); urgent ones are `text` (≤ 2048 bytes) with
 * `mentioned_list: ['@all']`, since markdown messages cannot mention everyone. Reply `errcode` 0 is
 * delivered; 45009 (frequency limit, 20 messages a minute per robot) and -1 (system busy) are retried.
 */
import { z } from 'zod';
import { robotMarkdown, robotText } from './format.ts';
import { postJson } from './http.ts';
import { type RobotDeps, robotConfigSchema, robotCredential, robotEndpoint, robotResult } from './robot.ts';
import type { Channel, DeliveryResult, OutboundMessage } from './types.ts';

export const WECOM_HOST = 'qyapi.weixin.qq.com';

export const wecomConfigSchema = robotConfigSchema(`https://${WECOM_HOST}`);
export type WecomConfig = z.input<typeof wecomConfigSchema>;

export const wecomTargetSchema = z.string().min(1);

const RETRYABLE = new Map<number, number | undefined>([
  [45009, 60_000],
  [-1, undefined],
]);

export function wecomBody(message: OutboundMessage): Record<string, unknown> {
  if (message.urgent) {
    return { msgtype: 'text', text: { content: robotText(message, 2048), mentioned_list: ['@all'] } };
  }
  return { msgtype: 'markdown', markdown: { content: robotMarkdown(message, 4096) } };
}

export function createWecomChannel(config: WecomConfig = {}, deps: RobotDeps = {}): Channel<string> {
  const cfg = wecomConfigSchema.parse(config);
  return {
    name: 'wecom',
    async send(message, target): Promise<DeliveryResult> {
      const key = robotCredential(target, 'key', WECOM_HOST, cfg.baseUrl);
      if (!key.ok) return { ok: false, retryable: false, error: `企业微信：${key.error}` };
      const url = robotEndpoint(cfg.baseUrl, '/cgi-bin/webhook/send');
      url.searchParams.set('key', key.credential);
      const outcome = await postJson({
        url,
        body: JSON.stringify(wecomBody(message)),
        timeoutMs: cfg.timeoutMs,
        ssrf: { allow: cfg.allow, ...(deps.resolve === undefined ? {} : { resolve: deps.resolve }) },
      });
      return robotResult('企业微信', outcome, RETRYABLE);
    },
  };
}
