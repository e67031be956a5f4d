import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { setMfaEnforced } from '../../src/auth/mfa.ts';
import { closeWorld, itemBody, openWorld, PASSWORD } from '../support/factories.ts';
import { type EncodingCase, encodingCases, uploadCases } from './fuzz/encodings.ts';
import {
  answerProblem,
  type Credentials,
  installWriteLog,
  problemCode,
  send,
  shortly,
  type WriteLog,
} from './fuzz/harness.ts';
import { type FuzzRequest, RAW_PAYLOADS, REFUSED_RAW, requestArb } from './fuzz/requests.ts';
import { isWrite, type OpenApiDocument, type Operation, operationsOf } from './fuzz/spec.ts';
import { type Pools, valuesFor } from './fuzz/values.ts';

/**
 * Schema-driven fuzzing of every operation in the OpenAPI document: fast-check builds requests
 * from each operation's parameter and body schemas — well-shaped and hostile (wrong types,
 * missing and unknown keys, huge numbers, SQL and script text, NUL, lone surrogates, invalid
 * UTF-8, 10,000-deep JSON, bodies over the 1 MiB limit, path traversal) — as a signed-in
 * supervisor or admin (cookie or bearer token) and anonymously. Whatever is sent: no 5xx, every
 * 4xx is problem+json, and a refused write leaves every table as it was.
 *
 * DUBAN_FUZZ_RUNS raises the runs per operation (default 10); a failure prints the line that
 * replays it (DUBAN_FUZZ_SEED, DUBAN_FUZZ_PATH and the operation for vitest -t).
 */

const RUNS = Number(process.env.DUBAN_FUZZ_RUNS ?? 10);
const SEED = Number(process.env.DUBAN_FUZZ_SEED ?? 20261128);
/** With -t "<operation>": replays the failing run a failure printed (its `path`). */
const REPLAY_PATH = process.env.DUBAN_FUZZ_PATH;

/** Operations that need the admin's rights; the rest run mostly as prov_sup (a supervisor). */
const ADMIN_PATHS =
  /^\/api\/v1\/(org\/|admin\/|calendar\/days|categories|evaluation\/weights|scorecards\/templates|routing\/dictionaries|admission\/quotas)/;

/**
 * A long-lived answer (Server-Sent Events) never ends under inject: only its refusals are fuzzed.
 */
const STREAMS = new Set(['GET /api/v1/notifications/stream']);

/** The multipart upload routes. */
const UPLOADS = new Set(['POST /api/v1/files', 'POST /api/v1/extract', 'POST /api/v1/intake/import']);

/** Operations that end the caller's session: each run gets a session of its own. */
const ENDS_SESSION = new Set(['POST /api/v1/auth/logout']);

/**
 * Refusals that write on purpose: a wrong password or TOTP code is counted (auth/lockout.ts), and
 * the failure that locks the account records that as an event (423 ACCOUNT_LOCKED).
 */
function writesWhenRefused(op: Operation, code: unknown): readonly string[] {
  if (!/^POST \/api\/v1\/auth\/(login|mfa\/)/.test(keyOf(op))) return [];
  return code === 'ACCOUNT_LOCKED' ? ['login_throttle', 'events', 'event_counter'] : ['login_throttle'];
}

// The operations are known only from the running app: the world is opened while the tests are
// collected, so that each operation is a test of its own.
const { ctx, w } = await openWorld('2026-11-27T02:00:00Z');
// Two-factor sign-in is not what is fuzzed here: the supervisor and admin sign in with a password.
await setMfaEnforced(ctx.db, false);
const ops = operationsOf(
  (await w.app.inject({ method: 'GET', url: '/api/v1/openapi.json' })).json() as OpenApiDocument,
);
let pools: Pools;
let writes: WriteLog;
const creds = new Map<string, Credentials>();
let throwaway = 1;
/** DUBAN_FUZZ_STATS=1: print how often each case got which status (to see what the fuzzer reaches). */
const stats = process.env.DUBAN_FUZZ_STATS ? new Map<string, number>() : undefined;

async function credentialsOf(username: string, remoteAddress = '127.0.0.1'): Promise<Credentials> {
  const app = w.app;
  const login = await app.inject({
    method: 'POST',
    url: '/api/v1/auth/login',
    remoteAddress,
    payload: { username, password: PASSWORD },
  });
  expect(login.statusCode, login.body).toBe(200);
  const cookie = login.cookies.find((c) => c.name === 'duban_session');
  if (!cookie) throw new Error('no session cookie');
  const session = { cookie: `duban_session=${cookie.value}`, csrf: String(login.json().csrfToken) };
  const token = await app.inject({
    method: 'POST',
    url: '/api/v1/auth/tokens',
    headers: { cookie: session.cookie, 'x-csrf-token': session.csrf },
    payload: { name: `fuzz ${username}`, scopes: ['items:read', 'items:write', 'org:read', 'org:write'] },
  });
  expect(token.statusCode, token.body).toBe(201);
  return { ...session, bearer: String(token.json().token) };
}

const keyOf = (op: Operation) => `${op.method} ${op.path}`;

beforeAll(async () => {
  creds.set('prov_sup', await credentialsOf('prov_sup'));
  creds.set('admin', await credentialsOf('admin'));
  const sup = await w.as('prov_sup');
  // Something to find: an item and a citizen's complaint, so that some generated ids hit.
  const created = await sup.post('/api/v1/items', itemBody());
  expect(created.statusCode, created.body).toBe(201);
  const itemId = String(created.json().item.id);
  const complaint = await w.app.inject({
    method: 'POST',
    url: '/api/v1/public/complaints',
    payload: {
      kind: 'complaint',
      title: '路灯不亮',
      content: '西湖区某小区路灯坏了一个月',
      regionCode: '330106',
    },
  });
  expect(complaint.statusCode, complaint.body).toBeLessThan(300);
  pools = {
    uuids: [
      itemId,
      w.units.housing,
      w.units.education,
      w.units.countyHousing,
      w.users.housing_h,
      w.users.edu_h,
      w.users.evaluator,
    ].filter((id): id is string => id !== undefined),
    codes: ['livelihood', 'department', 'supervision_office', 'housing', 'month'],
    regions: ['330000', '330100', '330106', '330200'],
    categories: (await ctx.db.selectFrom('categories').select('code').execute()).map((r) => r.code),
  };
  writes = await installWriteLog(ctx);
}, 120_000);

afterAll(async () => {
  if (stats)
    console.log(
      [...stats]
        .sort()
        .map(([k, n]) => `${n}\t${k}`)
        .join('\n'),
    );
  await closeWorld(ctx, w);
});

/** Sends one request and returns what is wrong with the outcome (undefined: nothing). */
async function exercise(
  op: Operation,
  req: FuzzRequest,
  user: string,
  encoding?: EncodingCase,
  mustRefuse = false,
): Promise<string | undefined> {
  const app = w.app;
  let c = creds.get(user);
  if (!c) throw new Error(`no credentials for ${user}`);
  if (ENDS_SESSION.has(keyOf(op)) && (req.actor === 'session' || req.actor === 'bearer'))
    // A fresh session per call, each from its own address (the login limit counts per address).
    c = await credentialsOf('auditor', `10.0.${(throwaway >> 8) & 255}.${throwaway++ & 255}`);
  const actor =
    STREAMS.has(keyOf(op)) && (req.actor === 'session' || req.actor === 'bearer') ? 'anonymous' : req.actor;
  const request = { ...req, actor };
  const before = await writes.mark();
  const res = await send(app, op, request, c, encoding);
  if (stats) {
    const key = `${encoding?.name ?? (req.body.kind === 'raw' ? req.body.name : req.body.kind)} → ${res.statusCode}`;
    stats.set(key, (stats.get(key) ?? 0) + 1);
  }
  const wrong = answerProblem(res, op.path);
  if (wrong !== undefined) return wrong;
  if (mustRefuse && res.statusCode < 400) return `accepted (${res.statusCode}) a body it must refuse`;
  if (res.statusCode >= 400) {
    const code = problemCode(res);
    const allowed = writesWhenRefused(op, code);
    const changed = (await writes.since(before)).filter((t) => !allowed.includes(t));
    if (changed.length > 0)
      return `refused with ${res.statusCode} (${String(code)}) but wrote ${changed.join(', ')}`;
  }
  return undefined;
}

describe('fuzzing every operation of the OpenAPI document', () => {
  it('finds the operations, and the write log sees a write', async () => {
    expect(ops.length).toBeGreaterThan(100);
    const mark = await writes.mark();
    const sup = await w.as('prov_sup');
    const created = await sup.post('/api/v1/items', itemBody({ title: '写入检测' }));
    expect(created.statusCode, created.body).toBe(201);
    expect(await writes.since(mark)).toEqual(expect.arrayContaining(['items', 'events']));
  });

  for (const [i, op] of ops.entries()) {
    it(keyOf(op), async () => {
      const user = ADMIN_PATHS.test(op.path) ? 'admin' : 'prov_sup';
      const other = user === 'admin' ? 'prov_sup' : 'admin';
      const arb = fc.tuple(
        requestArb(op, pools),
        fc.nat(3).map((n) => (n === 0 ? other : user)),
      );
      const seed = SEED + i;
      await fc.assert(
        fc.asyncProperty(arb, async ([req, who]) => {
          const wrong = await exercise(op, req, who);
          if (wrong !== undefined) throw new Error(wrong);
        }),
        {
          numRuns: RUNS,
          seed,
          ...(REPLAY_PATH ? { path: REPLAY_PATH } : {}),
          endOnFailure: true,
          reporter: (details) => {
            if (!details.failed) return;
            throw new Error(
              `${keyOf(op)}: ${details.errorInstance instanceof Error ? details.errorInstance.message : 'failed'}\n` +
                `request: ${shortly(details.counterexample)}\n` +
                `replay: DUBAN_FUZZ_SEED=${SEED} DUBAN_FUZZ_RUNS=${RUNS} DUBAN_FUZZ_PATH=${details.counterexamplePath} ` +
                `npx vitest run test/security/fuzz.test.ts -t '${keyOf(op)}$'`,
            );
          },
        },
      );
      if (!isWrite(op)) return;
      // Every write operation also gets each hostile raw body once …
      for (const name of RAW_PAYLOADS) {
        const req: FuzzRequest = {
          actor: 'session',
          path: samplePath(op),
          query: '',
          body: { kind: 'raw', name },
        };
        const wrong = await exercise(op, req, user, undefined, REFUSED_RAW.has(name));
        expect(wrong, `${keyOf(op)} with raw body ${name}`).toBeUndefined();
      }
      // … and bodies in the wrong content type or encoding.
      const cases = UPLOADS.has(keyOf(op))
        ? uploadCases(ctx.maxUploadBytes)
        : encodingCases(
            JSON.stringify(
              op.body
                ? fc.sample(valuesFor(op.body, { hostile: false, pools }), { seed, numRuns: 1 })[0]
                : {},
            ),
          );
      for (const c of cases) {
        const wrong = await exercise(
          op,
          { actor: 'session', path: samplePath(op), query: '', body: { kind: 'none' } },
          user,
          c,
          c.refused,
        );
        expect(wrong, `${keyOf(op)} with ${c.name}`).toBeUndefined();
      }
    });
  }
});

/** The operation's path with every parameter set to a harmless value. */
function samplePath(op: Operation): string {
  return op.path.replace(/\{[^}]+\}/g, (m) => (m === '{id}' ? (pools.uuids[0] ?? 'x') : 'x'));
}
