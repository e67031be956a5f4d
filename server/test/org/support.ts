import type { LightMyRequestResponse } from 'fastify';
import { expect } from 'vitest';
import { buildApp } from '../../src/app.ts';
import { totpCode } from '../../src/auth/mfa.ts';
import { registerAuth } from '../../src/auth/register.ts';
import type { AppContext } from '../../src/context.ts';
import type { UnitRow } from '../../src/db/schema.ts';
import type { App } from '../../src/http/types.ts';
import { importRegions } from '../../src/org/regions.ts';
import { registerOrgRoutes } from '../../src/org/routes.ts';
import { createUnit } from '../../src/org/units.ts';
import { createUser, type UserSummary } from '../../src/org/users.ts';
import type { Role } from '../../src/shared/actor.ts';

/** The app as `duban start` builds it; registers auth and org here until app.ts does. */
export async function buildTestApp(ctx: AppContext): Promise<App> {
  const app = await buildApp(ctx);
  if (!app.hasRoute({ method: 'POST', url: '/api/v1/auth/login' })) registerAuth(app, ctx);
  if (!app.hasRoute({ method: 'GET', url: '/api/v1/org/regions' })) registerOrgRoutes(app, ctx);
  await app.ready();
  return app;
}

let seq = 0;

/** A unit in a region (the region must exist: call importRegions first). */
export async function buildUnit(ctx: AppContext, regionCode: string, name?: string): Promise<UnitRow> {
  seq += 1;
  return ctx.db
    .transaction()
    .execute((tx) =>
      createUnit(
        tx,
        { name: name ?? `测试单位${seq}`, kind: 'department', regionCode },
        { actorId: null, at: new Date() },
      ),
    );
}

export const PASSWORD = 'correct horse battery';

/** A user (and, without unitId, a fresh unit in regionCode) with a known password. */
export async function buildUser(
  ctx: AppContext,
  opts: { roles?: Role[]; unitId?: string; regionCode?: string; username?: string } = {},
): Promise<UserSummary> {
  seq += 1;
  const unitId = opts.unitId ?? (await buildUnit(ctx, opts.regionCode ?? '330000')).id;
  return createUser(ctx.db, {
    username: opts.username ?? `user${seq}`,
    displayName: `测试用户${seq}`,
    password: PASSWORD,
    unitId,
    roles: opts.roles ?? ['supervisor'],
  });
}

/** Zhejiang (330000) with its cities and counties. */
export async function importZhejiang(ctx: AppContext): Promise<void> {
  await importRegions(ctx.db, { code: '330000' });
}

export type Session = {
  cookie: string;
  csrfToken: string;
  /** Headers for a cookie-authenticated unsafe request. */
  headers: { cookie: string; 'x-csrf-token': string };
};

/** 双因素认证: the TOTP secret login() enrolled per username (admin, supervisor, leader need it). */
export const totpSecrets = new Map<string, string>();

/** Signs in; for the roles that need TOTP also enrols (first time) or gives the code at `now`. */
export async function login(
  app: App,
  username: string,
  password = PASSWORD,
  now = new Date(),
): Promise<Session> {
  const res = await app.inject({
    method: 'POST',
    url: '/api/v1/auth/login',
    payload: { username, password },
  });
  expect(res.statusCode).toBe(200);
  const first = sessionOf(res);
  const mfa: unknown = res.json().mfa;
  if (mfa === undefined) return first;
  const step = (url: string, payload: object) =>
    app.inject({ method: 'POST', url, payload, headers: first.headers });
  let secret = totpSecrets.get(username);
  if (mfa === 'enroll') {
    const enrol = await step('/api/v1/auth/mfa/enroll', {});
    expect(enrol.statusCode).toBe(200);
    secret = String(enrol.json().secret);
    totpSecrets.set(username, secret);
  }
  if (secret === undefined) throw new Error(`login ${username}: TOTP on, but no secret known`);
  const url = mfa === 'enroll' ? '/api/v1/auth/mfa/enroll/confirm' : '/api/v1/auth/mfa/verify';
  const done = await step(url, { code: totpCode(secret, now) });
  expect(done.statusCode, done.body).toBe(200);
  return sessionOf(done);
}

function sessionOf(res: LightMyRequestResponse): Session {
  const session = res.cookies.find((c) => c.name === 'duban_session');
  if (!session) throw new Error('no session cookie');
  const cookie = `duban_session=${session.value}`;
  const csrfToken: string = res.json().csrfToken;
  return { cookie, csrfToken, headers: { cookie, 'x-csrf-token': csrfToken } };
}

// The org, auth, calendar, escalation and items tests take it from here with the org helpers.
export { expectProblem } from '../support/http.ts';
