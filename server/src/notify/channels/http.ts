/**
 * The one HTTP client of the channels: a single POST with a total deadline, no redirects, no
 * connection reuse, a capped response body, and (unless turned off for operator-configured
 * endpoints) the SSRF guard: the connection goes only to addresses `checkDestination` checked.
 */
import http, { type IncomingHttpHeaders } from 'node:http';
import https from 'node:https';
import type { LookupFunction } from 'node:net';
import { checkDestination, type SsrfPolicy } from './guard.ts';
import type { DeliveryResult } from './types.ts';

export const DEFAULT_TIMEOUT_MS = 10_000;
const MAX_RESPONSE_BYTES = 64 * 1024;
/** A Retry-After longer than this is capped (the outbox's own schedule takes over from there). */
const MAX_RETRY_AFTER_MS = 24 * 3600_000;

export type PostRequest = {
  url: string | URL;
  body: string;
  headers?: Record<string, string>;
  timeoutMs?: number;
  /** The SSRF policy; `false` only for endpoints set by the operator (e.g. the SMS gateway). */
  ssrf: SsrfPolicy | false;
};

export type PostOutcome =
  | { kind: 'response'; status: number; headers: IncomingHttpHeaders; body: string }
  | { kind: 'failed'; retryable: boolean; error: string };

class DeadlineError extends Error {}

function withDeadline<T>(promise: Promise<T>, ms: number): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const timer = setTimeout(() => reject(new DeadlineError(`超时（${ms} ms）`)), ms);
    promise.then(
      (v) => {
        clearTimeout(timer);
        resolve(v);
      },
      (e: unknown) => {
        clearTimeout(timer);
        reject(e);
      },
    );
  });
}

/** POSTs `body` as `application/json; charset=utf-8`. Never throws. */
export async function postJson(request: PostRequest): Promise<PostOutcome> {
  const timeoutMs = request.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const started = Date.now();
  let url: URL;
  let lookup: LookupFunction | undefined;
  if (request.ssrf === false) {
    try {
      url = new URL(request.url);
    } catch {
      return { kind: 'failed', retryable: false, error: '目标地址不是有效的 URL' };
    }
    if (url.protocol !== 'http:' && url.protocol !== 'https:') {
      return { kind: 'failed', retryable: false, error: `不支持的协议 ${url.protocol}（仅 http/https）` };
    }
  } else {
    let dest: Awaited<ReturnType<typeof checkDestination>>;
    try {
      dest = await withDeadline(checkDestination(request.url, request.ssrf), timeoutMs);
    } catch (e) {
      return { kind: 'failed', retryable: true, error: `域名解析失败：${(e as Error).message}` };
    }
    if (!dest.ok) return { kind: 'failed', retryable: dest.retryable, error: dest.error };
    url = dest.url;
    lookup = dest.lookup;
  }
  const remaining = Math.max(1, timeoutMs - (Date.now() - started));
  const body = Buffer.from(request.body, 'utf8');
  return new Promise<PostOutcome>((resolve) => {
    let settled = false;
    let timer: NodeJS.Timeout | undefined;
    const finish = (outcome: PostOutcome) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      resolve(outcome);
    };
    const send = url.protocol === 'https:' ? https.request : http.request;
    let req: http.ClientRequest;
    try {
      req = send(
        url,
        {
          method: 'POST',
          agent: false,
          ...(lookup === undefined ? {} : { lookup }),
          headers: {
            'content-type': 'application/json; charset=utf-8',
            'content-length': String(body.length),
            'user-agent': 'Duban-Notify/1',
            ...request.headers,
          },
        },
        (res) => {
          const chunks: Buffer[] = [];
          let size = 0;
          const done = () =>
            finish({
              kind: 'response',
              status: res.statusCode ?? 0,
              headers: res.headers,
              body: Buffer.concat(chunks).toString('utf8'),
            });
          res.on('data', (chunk: Buffer) => {
            if (size >= MAX_RESPONSE_BYTES) return;
            chunks.push(chunk.subarray(0, MAX_RESPONSE_BYTES - size));
            size += chunk.length;
            if (size >= MAX_RESPONSE_BYTES) {
              done();
              res.destroy();
            }
          });
          res.on('end', done);
          res.on('error', (e) =>
            finish({ kind: 'failed', retryable: true, error: `读取响应失败：${e.message}` }),
          );
        },
      );
    } catch (e) {
      // Synchronous refusals, e.g. a header value with a line break.
      finish({ kind: 'failed', retryable: false, error: `请求无法构造：${(e as Error).message}` });
      return;
    }
    timer = setTimeout(() => {
      finish({ kind: 'failed', retryable: true, error: `请求超时（${timeoutMs} ms）` });
      req.destroy();
    }, remaining);
    req.on('error', (e: NodeJS.ErrnoException) => {
      finish({ kind: 'failed', retryable: true, error: `网络错误：${e.code ?? e.message}` });
    });
    req.end(body);
  });
}

/** Retry-After as delta-seconds or an HTTP date, in ms from `now`; undefined when absent or invalid. */
export function parseRetryAfter(value: string | string[] | undefined, now = Date.now()): number | undefined {
  const v = Array.isArray(value) ? value[0] : value;
  if (v === undefined || v.trim() === '') return undefined;
  let ms: number;
  if (/^\s*\d+\s*$/.test(v)) ms = Number(v) * 1000;
  else {
    const at = Date.parse(v);
    if (Number.isNaN(at)) return undefined;
    ms = at - now;
  }
  return Math.min(Math.max(0, ms), MAX_RETRY_AFTER_MS);
}

function snippet(body: string): string {
  const s = body.replace(/\s+/g, ' ').trim();
  return s.length > 200 ? `${s.slice(0, 200)}…` : s;
}

/**
 * The HTTP etiquette of Standard Webhooks: 2xx delivered; 408, 429 and 5xx retried (after
 * Retry-After when given); 3xx (redirects are not followed) and other 4xx not retried.
 */
export function resultFromStatus(status: number, headers: IncomingHttpHeaders, body = ''): DeliveryResult {
  if (status >= 200 && status < 300) return { ok: true, detail: `HTTP ${status}` };
  const tail = body === '' ? '' : `：${snippet(body)}`;
  if (status === 408 || status === 429 || status >= 500) {
    const retryAfterMs = parseRetryAfter(headers['retry-after']);
    return {
      ok: false,
      retryable: true,
      error: `HTTP ${status}${tail}`,
      ...(retryAfterMs === undefined ? {} : { retryAfterMs }),
    };
  }
  if (status >= 300 && status < 400) {
    return { ok: false, retryable: false, error: `HTTP ${status}：不跟随重定向，请更新接收地址` };
  }
  if (status === 410) return { ok: false, retryable: false, error: `HTTP 410：接收方已停用此地址${tail}` };
  return { ok: false, retryable: false, error: `HTTP ${status}${tail}` };
}
