/** The portal's few calls to the public API (no login, no cookies needed). */

export type FieldIssue = { field: string; message?: string; messageZh?: string };
export type Problem = {
  status: number;
  code?: string;
  detail?: string;
  detailZh?: string;
  field?: string;
  errors?: FieldIssue[];
};

export class ApiError extends Error {
  readonly status: number;
  readonly problem: Problem;
  constructor(problem: Problem) {
    super(problem.detail ?? `HTTP ${problem.status}`);
    this.status = problem.status;
    this.problem = problem;
  }
}

async function call<T>(method: 'GET' | 'POST', url: string, body?: unknown): Promise<T> {
  const res = await fetch(url, {
    method,
    credentials: 'omit',
    headers: body === undefined ? { accept: 'application/json' } : { 'content-type': 'application/json' },
    body: body === undefined ? null : JSON.stringify(body),
  });
  const text = await res.text();
  let json: unknown = null;
  try {
    json = text ? JSON.parse(text) : null;
  } catch {
    json = null;
  }
  if (!res.ok) throw new ApiError({ status: res.status, ...((json as object | null) ?? {}) } as Problem);
  return json as T;
}

export const api = {
  get: <T>(url: string) => call<T>('GET', url),
  post: <T>(url: string, body: unknown) => call<T>('POST', url, body),
};

export type PublicItem = {
  id: string;
  number: string;
  title: string;
  summary: string;
  categoryCode: string;
  categoryName: string;
  regionCode: string;
  regionName: string;
  leadUnitName: string | null;
  deadline: string;
  light: 'green' | 'yellow' | 'red' | 'overdue' | null;
  status: string;
  statusName: string;
  percent: number;
  isDemo: boolean;
  updatedAt: string;
};

export type ItemList = { items: PublicItem[]; total: number; page: number; pageSize: number };

export type TimelineEntry = {
  at: string;
  kind: string;
  textZh: string;
  text: string;
  unitName: string | null;
  percent: number | null;
  narrative: string | null;
};

export type ItemDetail = { item: PublicItem & { content: string }; timeline: TimelineEntry[] };
export type Region = { code: string; name: string; level: number; parentCode: string | null };
export type Category = { code: string; name: string };

/** Field errors of a 400 keyed by the body field (`body.title` → `title`), in the chosen language. */
export function fieldErrors(err: unknown, zh: boolean): Record<string, string> {
  if (!(err instanceof ApiError) || err.status !== 400) return {};
  const out: Record<string, string> = {};
  const issues = err.problem.errors ?? (err.problem.field ? [{ field: err.problem.field }] : []);
  for (const i of issues) {
    const key = i.field.replace(/^(body|params|querystring)\./, '');
    if (out[key] === undefined)
      out[key] = (zh ? i.messageZh : i.message) ?? (zh ? err.problem.detailZh : err.problem.detail) ?? '';
  }
  return out;
}
