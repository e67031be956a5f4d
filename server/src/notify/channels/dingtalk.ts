/**
 * 钉钉群自定义机器人. Target: the robot URL from the group settings
 * (`https://oapi.dingtalk.com/robot/send?access_token=…`) or its bare access token, plus the
 * `SEC…` secret when the robot uses 加签: then `timestamp` (ms) and
 * `sign = urlencode(base64(HMAC-SHA256(secret, timestamp + "\n" + secret)))` are added to the query
 * (DingTalk accepts a timestamp within an hour of its clock).
 *
 * Body: `{ msgtype: 'markdown', markdown: { title, text }, at: { isAtAll: urgent } }`. Reply
 * `errcode` 0 is delivered; 130101 / 410100 (sending too fast: DingTalk throttles a robot for
 * 10 minutes past 20 messages a minute) and -1 (system busy) are retried.
 */
import { createHmac } from 'node:crypto';
import { z } from 'zod';
import { markedSubject, truncateUtf8 } from './format.ts';
import { postJson } from './http.ts';
import { type RobotDeps, robotConfigSchema, robotCredential, robotEndpoint, robotResult } from './robot.ts';
import type { Channel, DeliveryResult, OutboundMessage } from './types.ts';

export const DINGTALK_HOST = 'oapi.dingtalk.com';

export const dingtalkConfigSchema = robotConfigSchema(`https://${DINGTALK_HOST}`);
export type DingtalkConfig = z.input<typeof dingtalkConfigSchema>;

export const dingtalkTargetSchema = z.union([
  z
    .string()
    .min(1)
    .transform((url) => ({ url })),
  z.object({ url: z.string().min(1), secret: z.string().min(1).optional() }),
]);
export type DingtalkTarget = { url: string; secret?: string };

const RETRYABLE = new Map<number, number | undefined>([
  [130101, 10 * 60_000],
  [410100, 10 * 60_000],
  [-1, undefined],
]);

/** base64(HMAC-SHA256(key = secret, message = `${timestamp}\n${secret}`)), before URL encoding. */
export function dingtalkSign(secret: string, timestampMs: number): string {
  return createHmac('sha256', secret).update(`${timestampMs}\n${secret}`, 'utf8').digest('base64');
}

export function dingtalkBody(message: OutboundMessage): Record<string, unknown> {
  const title = markedSubject(message);
  const link = message.link === undefined ? '' : `\n\n[查看督办事项](${message.link})`;
  const head = `#### ${title}\n\n`;
  const budget = 5000 - Buffer.byteLength(head + link, 'utf8');
  const text = truncateUtf8(message.text.trim().replace(/\n+/g, '\n\n'), Math.max(0, budget));
  return {
    msgtype: 'markdown',
    markdown: { title, text: `${head}${text}${link}` },
    at: { isAtAll: message.urgent },
  };
}

export function createDingtalkChannel(
  config: DingtalkConfig = {},
  deps: RobotDeps = {},
): Channel<DingtalkTarget> {
  const cfg = dingtalkConfigSchema.parse(config);
  const now = deps.now ?? (() => new Date());
  return {
    name: 'dingtalk',
    async send(message, target): Promise<DeliveryResult> {
      const token = robotCredential(target.url, 'access_token', DINGTALK_HOST, cfg.baseUrl);
      if (!token.ok) return { ok: false, retryable: false, error: `钉钉：${token.error}` };
      const url = robotEndpoint(cfg.baseUrl, '/robot/send');
      url.searchParams.set('access_token', token.credential);
      if (target.secret !== undefined) {
        const timestamp = now().getTime();
        url.searchParams.set('timestamp', String(timestamp));
        url.searchParams.set('sign', dingtalkSign(target.secret, timestamp));
      }
      const outcome = await postJson({
        url,
        body: JSON.stringify(dingtalkBody(message)),
        timeoutMs: cfg.timeoutMs,
        ssrf: { allow: cfg.allow, ...(deps.resolve === undefined ? {} : { resolve: deps.resolve }) },
      });
      return robotResult('钉钉', outcome, RETRYABLE);
    },
  };
}
