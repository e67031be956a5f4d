import type { LightMyRequestResponse } from 'fastify';
import { sql } from 'kysely';
import type { AppContext } from '../../../src/context.ts';
import type { App } from '../../../src/http/types.ts';
import type { EncodingCase } from './encodings.ts';
import { type FuzzRequest, literalBody, rawBody } from './requests.ts';
import type { Operation } from './spec.ts';

/** How a caller authenticates: its session cookie and CSRF token, and an API token. */
export type Credentials = { cookie: string; csrf: string; bearer: string };

export async function send(
  app: App,
  op: Operation,
  req: FuzzRequest,
  creds: Credentials,
  /** Instead of req.body: a body in its own content type or encoding. */
  encoding?: EncodingCase,
): Promise<LightMyRequestResponse> {
  const headers: Record<string, string> = {};
  switch (req.actor) {
    case 'session':
      headers.cookie = creds.cookie;
      headers['x-csrf-token'] = creds.csrf;
      break;
    case 'session-no-csrf':
      headers.cookie = creds.cookie;
      break;
    case 'bearer':
      headers.authorization = `Bearer ${creds.bearer}`;
      break;
    case 'bad-bearer':
      headers.authorization = "Bearer duban_' OR 1=1--";
      break;
    case 'anonymous':
      break;
  }
  let payload: string | Buffer | undefined;
  switch (req.body.kind) {
    case 'none':
      break;
    case 'json':
      payload = JSON.stringify(req.body.value) ?? 'null';
      break;
    case 'literal':
      payload = literalBody(req.body.value, req.body.literal);
      break;
    case 'raw':
      payload = rawBody(req.body.name);
      break;
  }
  if (payload !== undefined) headers['content-type'] = 'application/json';
  if (encoding !== undefined) {
    payload = encoding.payload;
    Object.assign(headers, encoding.headers);
  }
  return app.inject({
    method: op.method,
    url: req.query === '' ? req.path : `${req.path}?${req.query}`,
    headers,
    ...(payload !== undefined ? { payload } : {}),
  });
}

/**
 * What is wrong with an answer, or undefined: never a 5xx, and every 4xx is RFC 9457
 * problem+json with type, title, status (the answer's), code, detail and detailZh.
 */
export function answerProblem(res: LightMyRequestResponse, path: string): string | undefined {
  if (res.statusCode >= 500) return `status ${res.statusCode}: ${res.body.slice(0, 500)}`;
  if (res.statusCode < 400) return undefined;
  // Open311 answers in its own format; what never reaches the Open311 routes (a malformed path,
  // one that `..` leads elsewhere) gets the app's problem+json.
  if (path.startsWith('/open311/') && problemCode(res) === undefined) return open311Problem(res);
  const type = String(res.headers['content-type'] ?? '');
  if (!type.startsWith('application/problem+json'))
    return `${res.statusCode} with content-type ${type || '(none)'}: ${res.body.slice(0, 300)}`;
  let body: Record<string, unknown>;
  try {
    body = JSON.parse(res.body) as Record<string, unknown>;
  } catch {
    return `${res.statusCode} problem+json that is not JSON: ${res.body.slice(0, 300)}`;
  }
  for (const key of ['type', 'title', 'code', 'detail', 'detailZh'] as const) {
    if (typeof body[key] !== 'string' || body[key] === '')
      return `${res.statusCode} problem without ${key}: ${res.body.slice(0, 300)}`;
  }
  if (body.status !== res.statusCode) return `problem status ${String(body.status)} ≠ ${res.statusCode}`;
  return undefined;
}

/** The `code` of a problem+json answer, or undefined. */
export function problemCode(res: LightMyRequestResponse): unknown {
  if (!String(res.headers['content-type'] ?? '').startsWith('application/problem+json')) return undefined;
  try {
    return (JSON.parse(res.body) as { code?: unknown }).code;
  } catch {
    return undefined;
  }
}

/**
 * Open311 GeoReport v2 prescribes its own errors: [{code, description}] in JSON, <errors> in XML
 * (exchange/open311/routes.ts), with `code` the HTTP status.
 */
function open311Problem(res: LightMyRequestResponse): string | undefined {
  const type = String(res.headers['content-type'] ?? '');
  if (type.startsWith('text/xml'))
    return new RegExp(`<errors>\\s*<error>\\s*<code>${res.statusCode}</code>`).test(res.body)
      ? undefined
      : `open311 xml error: ${res.body.slice(0, 300)}`;
  try {
    const body = JSON.parse(res.body) as { code?: unknown; description?: unknown }[];
    if (Array.isArray(body) && body[0]?.code === res.statusCode && typeof body[0]?.description === 'string')
      return undefined;
  } catch {
    // reported below
  }
  return `open311 ${res.statusCode} (${type}) not an Open311 error: ${res.body.slice(0, 300)}`;
}

/**
 * Columns written by reads too: a session's last_seen_at, a token's last_used_at. Updates of
 * only these are not writes.
 */
const TOUCHED_ON_READ: Record<string, readonly string[]> = {
  sessions: ['last_seen_at'],
  api_tokens: ['last_used_at'],
};

/**
 * Every committed row change in the test database, logged by a row trigger on every table into
 * fuzz_write_log (transactional: a rolled-back change leaves no row). Cheaper than hashing all
 * tables around each request, and it sees updates and deletes, not only row counts.
 */
export type WriteLog = {
  /** The position of the log now. */
  mark(): Promise<number>;
  /** The tables changed since `mark`. */
  since(mark: number): Promise<string[]>;
};

export async function installWriteLog(ctx: AppContext): Promise<WriteLog> {
  const db = ctx.db;
  await sql`create table fuzz_write_log (seq bigserial primary key, tbl text not null)`.execute(db);
  await sql`create function fuzz_log_write() returns trigger language plpgsql as $$
    begin insert into fuzz_write_log (tbl) values (tg_table_name); return null; end $$`.execute(db);
  const { rows } = await sql<{ name: string; columns: string[] }>`
    select t.table_name as name, array_agg(c.column_name::text order by c.ordinal_position) as columns
    from information_schema.tables t
    join information_schema.columns c on c.table_schema = t.table_schema and c.table_name = t.table_name
    where t.table_schema = current_schema() and t.table_type = 'BASE TABLE' and t.table_name <> 'fuzz_write_log'
    group by t.table_name`.execute(db);
  for (const { name, columns } of rows) {
    const touched = TOUCHED_ON_READ[name];
    const events = touched
      ? sql`insert or delete or update of ${sql.join(
          columns.filter((c) => !touched.includes(c)).map((c) => sql.id(c)),
        )}`
      : sql`insert or update or delete`;
    await sql`create trigger fuzz_log after ${events} on ${sql.table(name)}
      for each row execute function fuzz_log_write()`.execute(db);
  }
  return {
    async mark() {
      const r = await sql<{ n: string | null }>`select max(seq)::text as n from fuzz_write_log`.execute(db);
      return Number(r.rows[0]?.n ?? 0);
    },
    async since(mark) {
      const r = await sql<{ tbl: string }>`
        select distinct tbl from fuzz_write_log where seq > ${mark} order by tbl`.execute(db);
      return r.rows.map((row) => row.tbl);
    },
  };
}

/** A counterexample fit to print: long strings cut short. */
export function shortly(value: unknown): string {
  return JSON.stringify(value, (_k, v: unknown) =>
    typeof v === 'string' && v.length > 120 ? `${v.slice(0, 60)}…(${v.length} chars)` : v,
  );
}
