/**
 * What WeCom and DingTalk group robots share: a fixed public API host that the configuration may
 * override (a proxy, or a loopback server in tests), the SSRF guard with the channels' allow-list,
 * and replies of the form `{ "errcode": 0, "errmsg": "ok" }`.
 */
import { z } from 'zod';
import { allowListSchema, type Resolver } from './guard.ts';
import { DEFAULT_TIMEOUT_MS, type PostOutcome, resultFromStatus } from './http.ts';
import type { DeliveryResult } from './types.ts';

export function robotConfigSchema(defaultBaseUrl: string) {
  return z.object({
    /** API origin (optionally with a path prefix): the public host, or a proxy in front of it. */
    baseUrl: z.url({ protocol: /^https?$/ }).default(defaultBaseUrl),
    allow: allowListSchema,
    timeoutMs: z.int().min(1000).max(60_000).default(DEFAULT_TIMEOUT_MS),
  });
}

export type RobotDeps = { resolve?: Resolver; now?: () => Date };

/** `base` + `path`, keeping a path prefix of the base. */
export function robotEndpoint(baseUrl: string, path: string): URL {
  const base = new URL(baseUrl);
  base.pathname = `${base.pathname.replace(/\/+$/, '')}${path}`;
  base.search = '';
  base.hash = '';
  return base;
}

/**
 * Reads the robot's credential (`key` / `access_token`) from a robot URL copied from the group
 * settings, or takes a bare credential. A URL must be on the public host or on the configured base
 * host, so a target can never point the channel somewhere else.
 */
export function robotCredential(
  target: string,
  param: string,
  publicHost: string,
  baseUrl: string,
): { ok: true; credential: string } | { ok: false; error: string } {
  const t = target.trim();
  if (/^https?:\/\//i.test(t)) {
    let url: URL;
    try {
      url = new URL(t);
    } catch {
      return { ok: false, error: '机器人地址不是有效的 URL' };
    }
    const baseHost = new URL(baseUrl).host;
    if (url.hostname !== publicHost && url.host !== baseHost) {
      return { ok: false, error: `机器人地址必须位于 ${publicHost}` };
    }
    const credential = url.searchParams.get(param);
    if (credential === null || !/^[A-Za-z0-9_-]{8,200}$/.test(credential)) {
      return { ok: false, error: `机器人地址缺少有效的 ${param} 参数` };
    }
    return { ok: true, credential };
  }
  if (!/^[A-Za-z0-9_-]{8,200}$/.test(t)) return { ok: false, error: `机器人 ${param} 无效` };
  return { ok: true, credential: t };
}

/**
 * Maps a robot reply: HTTP status first (per the common etiquette), then `errcode` — 0 delivered,
 * codes in `retryable` retried (after the given delay), anything else refused.
 */
export function robotResult(
  label: string,
  outcome: PostOutcome,
  retryable: ReadonlyMap<number, number | undefined>,
): DeliveryResult {
  if (outcome.kind === 'failed') return { ok: false, retryable: outcome.retryable, error: outcome.error };
  const byStatus = resultFromStatus(outcome.status, outcome.headers, outcome.body);
  if (!byStatus.ok) return byStatus;
  let reply: { errcode?: unknown; errmsg?: unknown };
  try {
    reply = JSON.parse(outcome.body) as { errcode?: unknown; errmsg?: unknown };
  } catch {
    return { ok: false, retryable: true, error: `${label}响应无法解析：${outcome.body.slice(0, 200)}` };
  }
  const errcode = typeof reply.errcode === 'number' ? reply.errcode : undefined;
  const errmsg = typeof reply.errmsg === 'string' ? reply.errmsg : '';
  if (errcode === 0) return { ok: true, detail: errmsg || 'ok' };
  if (errcode === undefined) return { ok: false, retryable: true, error: `${label}响应缺少 errcode` };
  const error = `${label} errcode ${errcode}：${errmsg}`;
  if (retryable.has(errcode)) {
    const retryAfterMs = retryable.get(errcode);
    return { ok: false, retryable: true, error, ...(retryAfterMs === undefined ? {} : { retryAfterMs }) };
  }
  return { ok: false, retryable: false, error };
}
