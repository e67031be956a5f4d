import type { Locale } from '../i18n/messages.ts';

/** One field-level problem of a 400 (problem+json `errors[]`). */
export type FieldProblem = { field: string; message: string; messageZh: string };

/** An RFC 9457 problem as the API sends it. */
export type Problem = {
  status: number;
  code: string;
  detail: string;
  detailZh: string;
  field?: string;
  errors?: FieldProblem[];
};

/** A failed API call: the problem the server sent, or a network failure (status 0). */
export class ApiError extends Error {
  readonly status: number;
  readonly problem: Problem | null;
  constructor(status: number, problem: Problem | null) {
    super(problem?.detail ?? `HTTP ${status}`);
    this.name = 'ApiError';
    this.status = status;
    this.problem = problem;
  }
}

let csrfToken: string | null = null;
let sessionEnded: (() => void) | null = null;

/** Called when an API call answers 401: the session expired or was ended elsewhere. */
export function onSessionEnded(listener: (() => void) | null): void {
  sessionEnded = listener;
}

/** The session's CSRF token (from login or /users/me), sent with every unsafe request. */
export function setCsrfToken(token: string | null): void {
  csrfToken = token;
}

function isProblem(v: unknown): v is Problem {
  return typeof v === 'object' && v !== null && 'code' in v && 'detail' in v && 'detailZh' in v;
}

type RequestOptions = { method?: string; body?: unknown; headers?: Record<string, string> };

/** Calls the JSON API on this origin with the session cookie; throws ApiError on any failure. */
export async function api<T>(path: string, opts: RequestOptions = {}): Promise<T> {
  const method = opts.method ?? (opts.body === undefined ? 'GET' : 'POST');
  const headers: Record<string, string> = { accept: 'application/json', ...opts.headers };
  if (opts.body !== undefined) headers['content-type'] = 'application/json';
  if (method !== 'GET' && csrfToken) headers['x-csrf-token'] = csrfToken;
  let res: Response;
  try {
    res = await fetch(path, {
      method,
      headers,
      credentials: 'same-origin',
      body: opts.body === undefined ? undefined : JSON.stringify(opts.body),
    });
  } catch {
    throw new ApiError(0, null);
  }
  const json: unknown = res.headers.get('content-type')?.includes('json')
    ? await res.json().catch(() => null)
    : null;
  if (res.status === 401 && path !== '/api/v1/auth/login') sessionEnded?.();
  if (!res.ok) throw new ApiError(res.status, isProblem(json) ? json : null);
  return json as T;
}

/**
 * Uploads one file (multipart part "file") with progress, as fetch cannot report upload progress.
 */
export function uploadFile<T>(path: string, file: File, onProgress: (percent: number) => void): Promise<T> {
  return new Promise((resolve, reject) => {
    const xhr = new XMLHttpRequest();
    xhr.open('POST', path);
    xhr.withCredentials = true;
    xhr.setRequestHeader('accept', 'application/json');
    if (csrfToken) xhr.setRequestHeader('x-csrf-token', csrfToken);
    xhr.upload.onprogress = (e) => {
      if (e.lengthComputable) onProgress(Math.round((e.loaded / e.total) * 100));
    };
    xhr.onerror = () => reject(new ApiError(0, null));
    xhr.onload = () => {
      let json: unknown = null;
      try {
        json = JSON.parse(xhr.responseText);
      } catch {
        json = null;
      }
      if (xhr.status >= 200 && xhr.status < 300) resolve(json as T);
      else reject(new ApiError(xhr.status, isProblem(json) ? json : null));
    };
    const form = new FormData();
    form.append('file', file, file.name);
    xhr.send(form);
  });
}

/** What to tell a person about a failure, in their language. */
export function problemText(
  err: unknown,
  locale: Locale,
  fallback: (status: number) => string,
  offline: string,
): string {
  if (err instanceof ApiError) {
    if (err.status === 0) return offline;
    if (err.problem) return locale === 'zh-CN' ? err.problem.detailZh : err.problem.detail;
    return fallback(err.status);
  }
  return err instanceof Error ? err.message : String(err);
}

export const isNotFound = (err: unknown) => err instanceof ApiError && err.status === 404;
export const isUnauthenticated = (err: unknown) => err instanceof ApiError && err.status === 401;
