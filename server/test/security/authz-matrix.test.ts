import type { RouteOptions } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../../src/app.ts';
import { type Role, TOKEN_SCOPES, type TokenScope } from '../../src/shared/actor.ts';
import type { TestContext } from '../support/context.ts';
import { closeWorld, openWorld, type Session, type World } from '../support/factories.ts';
import { buildFixtures, type Fixtures, ROLE_USERS } from './authz-fixtures.ts';
import { ROUTE_POLICIES, type RoutePolicy } from './route-policies.ts';

/**
 * The authorization matrix (issue 8 §1): every route of the app × every role × in and out of the
 * caller's data scope, from the policy table in route-policies.ts. A route the app registers without
 * an entry there fails the first test, so a new route cannot ship without saying who may call it.
 *
 * Order matters, because a successful write changes the fixture: the denials run first (anonymous,
 * wrong role, API token without the scope, out of scope — none of them may change anything), then
 * the allowed calls: reads, writes, and last the writes that end what others need (cancel, archive,
 * revoke …). An allowed write may therefore meet a 409/422 because an earlier role's write already
 * moved the item on: the matrix tests the gate, not the body.
 */

const ROLES = Object.keys(ROLE_USERS) as Role[];
const NO_BODY = new Set(['GET', 'HEAD', 'DELETE']);
/** Methods a browser sends without the CSRF header. */
const SAFE = new Set(['GET', 'HEAD', 'OPTIONS']);

/** What the matrix looks at in an answer (an event stream's body is never read to its end). */
type Res = { statusCode: number; contentType: string; body: string; json(): { code?: string } };

/** Routes the matrix leaves out on purpose: the API docs UI and its static files. */
const EXCLUDED_PREFIXES = ['/api/v1/docs'];

function isExcluded(route: RouteOptions, method: string): boolean {
  if (method === 'HEAD') return true; // Fastify's automatic HEAD twin of each GET
  // @fastify/static's file routes (the built web app): public by nature.
  const config = route.config as { rootPath?: unknown } | undefined;
  if (typeof config?.rootPath === 'string') return true;
  return EXCLUDED_PREFIXES.some((p) => route.url.startsWith(p));
}

let ctx: TestContext;
let w: World;
let f: Fixtures;
const appRoutes = new Set<string>();
const sessions = new Map<string, Session>();
const tokens = new Map<string, string>();

beforeAll(async () => {
  ({ ctx, w } = await openWorld('2026-11-27T02:00:00Z'));
  // The route table: a second app on the same database, built only to be listed.
  const lister = await buildApp(ctx, {
    onRoute: (route) => {
      for (const method of [route.method].flat()) {
        if (!isExcluded(route, method)) appRoutes.add(`${method} ${route.url}`);
      }
    },
  });
  await lister.close();
  f = await buildFixtures(ctx, w);
}, 300_000);
afterAll(() => closeWorld(ctx, w));

async function sessionOf(username: string, fresh = false): Promise<Session> {
  const known = sessions.get(username);
  if (known && !fresh) return known;
  const s = await f.session(username);
  if (!fresh) sessions.set(username, s);
  return s;
}

/** A token of the user with every scope but `missing`. */
async function tokenWithout(username: string, missing: TokenScope): Promise<string> {
  const key = `${username}/${missing}`;
  const known = tokens.get(key);
  if (known) return known;
  const s = await sessionOf(username);
  const res = await w.app.inject({
    method: 'POST',
    url: '/api/v1/auth/tokens',
    headers: { cookie: s.cookie, 'x-csrf-token': s.csrf },
    payload: { name: `matrix-${missing}`, scopes: TOKEN_SCOPES.filter((sc) => sc !== missing) },
  });
  expect(res.statusCode, res.body).toBe(201);
  const token = res.json().token as string;
  tokens.set(key, token);
  return token;
}

const userFor = (p: RoutePolicy, role: Role): string => p.as?.[role] ?? ROLE_USERS[role];
const allowedRoles = (p: RoutePolicy): Role[] =>
  typeof p.access === 'object'
    ? ROLES.filter((r) => (p.access as { roles: readonly Role[] }).roles.includes(r))
    : [];
const deniedRoles = (p: RoutePolicy): Role[] =>
  typeof p.access === 'object'
    ? ROLES.filter((r) => !(p.access as { roles: readonly Role[] }).roles.includes(r))
    : [];

/** Replaces `$…` references (authz-fixtures `resolve`) anywhere in a policy's data. */
function resolveDeep(value: unknown): unknown {
  if (typeof value === 'string') return value.startsWith('$') ? f.resolve(value) : value;
  if (Array.isArray(value)) return value.map(resolveDeep);
  if (value && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, resolveDeep(v)]));
  }
  return value;
}

type Caller = { session: Session } | { bearer: string } | 'anonymous';

/** Calls `METHOD path` of the policy as the caller, on the in- or out-of-scope instance. */
async function call(
  key: string,
  p: RoutePolicy,
  caller: Caller,
  username: string | undefined,
  which: 'in' | 'out',
): Promise<Res> {
  const [method = 'GET', path = ''] = key.split(' ');
  const instance = p.scope && username ? f.instance(p.scope, username, which) : { params: {} };
  const params = { ...(resolveDeep(p.params ?? {}) as Record<string, string>), ...instance.params };
  const url = path.replace(/:(\w+)/g, (_, name: string) => {
    const v = params[name];
    if (v === undefined)
      throw new Error(`${key}: no value for :${name} (add params or a scope to its policy)`);
    return encodeURIComponent(v);
  });
  const query = [p.query, instance.query].filter(Boolean).join('&');
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(p.headers ?? {})) {
    headers[name] = value === '$version' ? await currentVersion(url) : value;
  }
  if (caller !== 'anonymous') {
    if ('bearer' in caller) headers.authorization = `Bearer ${caller.bearer}`;
    else {
      headers.cookie = caller.session.cookie;
      if (!SAFE.has(method)) headers['x-csrf-token'] = caller.session.csrf;
    }
  }
  const body = NO_BODY.has(method)
    ? undefined
    : { ...((resolveDeep(p.body ?? {}) as Record<string, unknown>) ?? {}), ...(instance.body ?? {}) };
  const stream = path.endsWith('/stream');
  const res = await w.app.inject({
    method: method as 'GET',
    url: query ? `${url}?${query}` : url,
    headers,
    ...(body === undefined ? {} : { payload: body }),
    ...(stream ? { payloadAsStream: true } : {}),
  });
  const contentType = String(res.headers['content-type'] ?? '');
  if (stream && contentType.includes('event-stream')) {
    // Server-Sent Events never end: the status and headers are what the matrix needs.
    res.stream().destroy();
    return { statusCode: res.statusCode, contentType, body: '(event stream)', json: () => ({}) };
  }
  const text = stream ? await readAll(res.stream()) : res.body;
  return { statusCode: res.statusCode, contentType, body: text, json: () => JSON.parse(text) };
}

/** The item's current version (for If-Match), straight from the database. */
async function currentVersion(itemUrl: string): Promise<string> {
  const id = itemUrl.split('/').at(-1) ?? '';
  const row = await ctx.db
    .selectFrom('items')
    .select('version')
    .where('id', '=', id)
    .executeTakeFirstOrThrow();
  return `"${row.version}"`;
}

async function readAll(stream: NodeJS.ReadableStream): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(Buffer.from(chunk));
  return Buffer.concat(chunks).toString('utf8');
}

async function callAs(key: string, p: RoutePolicy, role: Role, which: 'in' | 'out') {
  const username = userFor(p, role);
  const session = await sessionOf(username, p.freshSession === true);
  return call(key, p, { session }, username, which);
}

const describeBody = (res: Res) => res.body.slice(0, 400);

function expectProblemStatus(res: Res, statuses: number[], label: string) {
  expect(statuses, `${label}: ${res.statusCode} ${describeBody(res)}`).toContain(res.statusCode);
  expect(res.contentType, label).toMatch(/^application\/problem\+json/);
}

function expectPassedGate(res: Res, label: string, alsoNot: number[] = []) {
  const refused = [401, 403, 404, ...alsoNot];
  expect(res.statusCode, `${label}: ${describeBody(res)}`).toBeLessThan(500);
  expect(refused, `${label}: ${res.statusCode} ${describeBody(res)}`).not.toContain(res.statusCode);
}

const entries = Object.entries(ROUTE_POLICIES);
const isRead = ([key]: [string, RoutePolicy]) => key.startsWith('GET ');
const protectedEntries = entries.filter(([, p]) => typeof p.access === 'object');

describe('the route table', () => {
  it('every route of the app has a policy, and every policy a route', () => {
    const missing = [...appRoutes].filter((r) => !(r in ROUTE_POLICIES)).sort();
    const stale = Object.keys(ROUTE_POLICIES)
      .filter((r) => !appRoutes.has(r))
      .sort();
    expect(appRoutes.size).toBeGreaterThan(100);
    expect(
      missing,
      `routes without a policy in test/security/route-policies.ts:\n${missing.join('\n')}\n`,
    ).toEqual([]);
    expect(stale, `policies whose route is gone:\n${stale.join('\n')}\n`).toEqual([]);
  });
});

describe('anonymous', () => {
  it.each(protectedEntries.map(([key]) => key))('%s → 401', async (key) => {
    const p = ROUTE_POLICIES[key] as RoutePolicy;
    const res = await call(key, p, 'anonymous', ROLE_USERS.supervisor, 'in');
    expectProblemStatus(res, [401], `${key} anonymous`);
    expect(res.json().code).toBe('UNAUTHENTICATED');
  });

  it.each(entries.filter(([, p]) => p.access === 'token').map(([key]) => key))(
    '%s with a wrong secret → 404',
    async (key) => {
      const p = ROUTE_POLICIES[key] as RoutePolicy;
      const wrong = Object.fromEntries(
        // Well-formed but wrong: a tracking number's shape, or a token's.
        Object.keys(p.params ?? {}).map((k) => [
          k,
          k === 'trackingNo' ? 'TS-2026-00000000' : 'not-the-secret-0000000000',
        ]),
      );
      const res = await call(key, { ...p, params: wrong }, 'anonymous', undefined, 'in');
      expect(res.statusCode, res.body).toBe(404);
    },
  );
});

describe('a role the policy does not name → 403 or 404', () => {
  const cases = protectedEntries.flatMap(([key, p]) => deniedRoles(p).map((role) => ({ key, role })));
  it.each(cases)('$key as $role', async ({ key, role }) => {
    const p = ROUTE_POLICIES[key] as RoutePolicy;
    expectProblemStatus(await callAs(key, p, role, 'in'), [403, 404], `${key} as ${role}`);
  });
});

describe('an API token without the route’s scope → 403', () => {
  const cases = protectedEntries.flatMap(([key, p]) => {
    const role = allowedRoles(p)[0];
    return p.tokenScope && role ? [{ key, role, scope: p.tokenScope }] : [];
  });
  it.each(cases)('$key ($scope) as $role', async ({ key, role, scope }) => {
    const p = ROUTE_POLICIES[key] as RoutePolicy;
    const username = userFor(p, role);
    const bearer = await tokenWithout(username, scope);
    const res = await call(key, p, { bearer }, username, 'in');
    expectProblemStatus(res, [403], `${key} token without ${scope}`);
  });
});

describe('an allowed role outside its data scope → 404', () => {
  const cases = protectedEntries
    .filter(([, p]) => p.scope !== undefined)
    .flatMap(([key, p]) => allowedRoles(p).map((role) => ({ key, role })));
  it.each(cases)('$key as $role', async ({ key, role }) => {
    const p = ROUTE_POLICIES[key] as RoutePolicy;
    expectProblemStatus(await callAs(key, p, role, 'out'), [404], `${key} as ${role} out of scope`);
  });
});

/** Allowed calls, in the order reads → writes → the writes that end things. */
function allowedCases(pick: (e: [string, RoutePolicy]) => boolean) {
  return entries.filter(pick).flatMap(([key, p]) =>
    typeof p.access === 'object'
      ? allowedRoles(p).map((role) => ({ key, who: role as string }))
      : [
          { key, who: 'anonymous' },
          { key, who: 'supervisor' },
        ],
  );
}

async function allowedCall(key: string, who: string) {
  const p = ROUTE_POLICIES[key] as RoutePolicy;
  const label = `${key} as ${who}`;
  const res =
    who === 'anonymous'
      ? await call(key, p, 'anonymous', undefined, 'in')
      : await callAs(key, p, who as Role, 'in');
  if (p.access === 'public') {
    // Anyone may call it; what it answers (Open311's own 403 without api_key) is the route's
    // business — but never a 401 or a 5xx.
    expect(res.statusCode, `${label}: ${describeBody(res)}`).toBeLessThan(500);
    expect(res.statusCode, `${label}: ${describeBody(res)}`).not.toBe(401);
  } else if (p.noInstance) {
    // No instance in the fixture (see the note): the gate is passed when the answer is not 401/403.
    expect(res.statusCode, `${label}: ${describeBody(res)}`).toBeLessThan(500);
    expect([401, 403], `${label}: ${res.statusCode} ${describeBody(res)}`).not.toContain(res.statusCode);
  } else {
    expectPassedGate(res, label);
  }
}

describe('an allowed role in its data scope passes the gate (reads)', () => {
  it.each(allowedCases(isRead))('$key as $who', async ({ key, who }) => allowedCall(key, who));
});

describe('an allowed role in its data scope passes the gate (writes)', () => {
  it.each(allowedCases((e) => !isRead(e) && e[1].phase !== 'last'))('$key as $who', async ({ key, who }) =>
    allowedCall(key, who),
  );
});

describe('an allowed role in its data scope passes the gate (writes that end things)', () => {
  it.each(allowedCases((e) => !isRead(e) && e[1].phase === 'last'))('$key as $who', async ({ key, who }) =>
    allowedCall(key, who),
  );
});
