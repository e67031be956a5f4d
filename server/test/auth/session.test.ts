import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { App } from '../../src/http/types.ts';
import { buildTestApp, buildUser, expectProblem, importZhejiang, login, PASSWORD } from '../org/support.ts';
import { createTestContext, type TestContext } from '../support/context.ts';

let ctx: TestContext;
let app: App;
beforeAll(async () => {
  ctx = await createTestContext();
  app = await buildTestApp(ctx);
  await importZhejiang(ctx);
  await buildUser(ctx, { username: 'alice', roles: ['supervisor'], regionCode: '330100' });
  // A role without 双因素认证: login answers the user at once (alice's answer asks for a code).
  await buildUser(ctx, { username: 'dora', roles: ['handler'], regionCode: '330100' });
  const bob = await buildUser(ctx, { username: 'bob', roles: ['handler'], regionCode: '330100' });
  await ctx.db.updateTable('users').set({ active: false }).where('id', '=', bob.id).execute();
});
afterAll(async () => {
  await app.close();
  await ctx.cleanup();
});

const loginAs = (payload: Record<string, unknown>) =>
  app.inject({ method: 'POST', url: '/api/v1/auth/login', payload });

describe('POST /api/v1/auth/login', () => {
  it('names the missing field', async () => {
    expectProblem(await loginAs({ username: 'alice' }), 400, 'VALIDATION_FAILED', 'body.password');
    expectProblem(await loginAs({ password: PASSWORD }), 400, 'VALIDATION_FAILED', 'body.username');
  });

  it('answers wrong password, unknown user and inactive user alike', async () => {
    const answers = [
      await loginAs({ username: 'alice', password: 'wrong password' }),
      await loginAs({ username: 'nobody', password: PASSWORD }),
      await loginAs({ username: 'bob', password: PASSWORD }),
    ];
    for (const res of answers) {
      expectProblem(res, 401, 'INVALID_CREDENTIALS');
      expect(res.cookies).toHaveLength(0);
    }
    const details = answers.map((r) => [r.json().detail, r.json().detailZh]);
    expect(new Set(details.map((d) => d.join('|'))).size).toBe(1);
  });

  it('sets an httpOnly, SameSite=Lax session cookie and returns the user and CSRF token', async () => {
    const res = await loginAs({ username: 'dora', password: PASSWORD });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({
      user: { username: 'dora', roles: ['handler'] },
      csrfToken: expect.any(String),
    });
    const [cookie] = res.cookies;
    expect(cookie).toMatchObject({
      name: 'duban_session',
      httpOnly: true,
      sameSite: 'Lax',
      path: '/',
      maxAge: 43200,
    });
    expect(cookie?.secure).toBeFalsy();
    expect(cookie?.value).toMatch(/^[A-Za-z0-9_-]{43}$/);
    // only the hash is stored
    const stored = await ctx.db.selectFrom('sessions').select('id_hash').execute();
    expect(stored.map((s) => s.id_hash)).not.toContain(cookie?.value);
    expect(stored.every((s) => /^[0-9a-f]{64}$/.test(s.id_hash))).toBe(true);
  });

  it('marks the cookie secure when configured', async () => {
    const secureApp = await buildTestApp({ ...ctx, secureCookies: true });
    try {
      const res = await secureApp.inject({
        method: 'POST',
        url: '/api/v1/auth/login',
        payload: { username: 'alice', password: PASSWORD },
      });
      expect(res.cookies[0]?.secure).toBe(true);
    } finally {
      await secureApp.close();
    }
  });

  it('rotates the session id on each login', async () => {
    const first = await login(app, 'alice');
    const res = await app.inject({
      method: 'POST',
      url: '/api/v1/auth/login',
      headers: { cookie: first.cookie },
      payload: { username: 'alice', password: PASSWORD },
    });
    const next = res.cookies[0]?.value;
    expect(next).toBeDefined();
    expect(`duban_session=${next}`).not.toBe(first.cookie);
    const old = await app.inject({
      method: 'GET',
      url: '/api/v1/users/me',
      headers: { cookie: first.cookie },
    });
    expectProblem(old, 401, 'UNAUTHENTICATED');
  });

  it('treats an expired session as anonymous', async () => {
    const s = await login(app, 'alice');
    ctx.setNow(new Date(Date.now() + 13 * 60 * 60 * 1000));
    try {
      const res = await app.inject({ method: 'GET', url: '/api/v1/users/me', headers: { cookie: s.cookie } });
      expectProblem(res, 401, 'UNAUTHENTICATED');
    } finally {
      ctx.setNow(new Date());
    }
  });
});

describe('CSRF', () => {
  it('requires X-CSRF-Token on unsafe cookie requests', async () => {
    const s = await login(app, 'alice');
    const post = (headers: Record<string, string>) =>
      app.inject({
        method: 'POST',
        url: '/api/v1/auth/tokens',
        headers,
        payload: { name: 't', scopes: ['items:read'] },
      });
    expectProblem(await post({ cookie: s.cookie }), 403, 'CSRF_FAILED');
    expectProblem(await post({ cookie: s.cookie, 'x-csrf-token': `${s.csrfToken}x` }), 403, 'CSRF_FAILED');
    const other = await login(app, 'alice');
    expectProblem(await post({ cookie: s.cookie, 'x-csrf-token': other.csrfToken }), 403, 'CSRF_FAILED');
    expect((await post(s.headers)).statusCode).toBe(201);
    // safe methods need no header
    const me = await app.inject({ method: 'GET', url: '/api/v1/users/me', headers: { cookie: s.cookie } });
    expect(me.statusCode).toBe(200);
  });
});

describe('POST /api/v1/auth/logout', () => {
  it('needs the CSRF token, then deletes the session and clears the cookie', async () => {
    const s = await login(app, 'alice');
    const noCsrf = await app.inject({
      method: 'POST',
      url: '/api/v1/auth/logout',
      headers: { cookie: s.cookie },
    });
    expectProblem(noCsrf, 403, 'CSRF_FAILED');
    const before = await ctx.db.selectFrom('sessions').select('id_hash').execute();
    const res = await app.inject({ method: 'POST', url: '/api/v1/auth/logout', headers: s.headers });
    expect(res.statusCode).toBe(204);
    expect(res.cookies[0]).toMatchObject({ name: 'duban_session', value: '' });
    const after = await ctx.db.selectFrom('sessions').select('id_hash').execute();
    expect(after).toHaveLength(before.length - 1);
    const me = await app.inject({ method: 'GET', url: '/api/v1/users/me', headers: { cookie: s.cookie } });
    expectProblem(me, 401, 'UNAUTHENTICATED');
  });
});
