import type { LightMyRequestResponse } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../../src/app.ts';
import { type OidcConfig, oidcConfigFromEnv } from '../../src/auth/oidc-config.ts';
import { safeReturnTo } from '../../src/auth/oidc-flow.ts';
import { readEnv } from '../../src/env.ts';
import type { App } from '../../src/http/types.ts';
import { rowCount, type TestContext } from '../support/context.ts';
import { closeWorld, openWorld, type World } from '../support/factories.ts';
import { expectProblem } from '../support/http.ts';
import { startTestProvider, type TestProvider } from './oidc-provider.ts';

const REDIRECT_URI = 'http://127.0.0.1:3000/api/v1/auth/oidc/callback';

let ctx: TestContext;
let w: World;
let provider: TestProvider;
let sso: App;
let config: OidcConfig;

beforeAll(async () => {
  ({ ctx, w } = await openWorld());
  provider = await startTestProvider(REDIRECT_URI);
  provider.setAccount('sub-housing', { preferred_username: 'housing_h' });
  provider.setAccount('sub-stranger', { preferred_username: 'nobody_here' });
  provider.setAccount('sub-fin', { preferred_username: 'FIN_H' });
  provider.setAccount('sub-edu', { preferred_username: 'edu_h' });
  provider.setAccount('sub-edu-impostor', { preferred_username: 'edu_h' });
  provider.setAccount('sub-nameless', { name: '无名' });
  provider.setAccount('sub-city-sup', { preferred_username: 'city_sup' });
  config = {
    issuer: provider.issuer,
    clientId: provider.clientId,
    clientSecret: provider.clientSecret,
    redirectUri: REDIRECT_URI,
    label: '浙政钉登录',
    usernameClaim: 'preferred_username',
  };
  sso = await buildApp({ ...ctx, oidc: config });
});
afterAll(async () => {
  await sso?.close();
  await provider?.close();
  await closeWorld(ctx, w);
});

type Started = { location: URL; browserCookie: string };

/** GET /login: the 302 to the provider and the cookie binding the login to this browser. */
async function startLogin(returnTo?: string): Promise<Started> {
  const query = returnTo === undefined ? '' : `?returnTo=${encodeURIComponent(returnTo)}`;
  const res = await sso.inject({ method: 'GET', url: `/api/v1/auth/oidc/login${query}` });
  expect(res.statusCode, res.body).toBe(302);
  const binding = res.cookies.find((c) => c.name === 'duban_oidc');
  if (!binding) throw new Error('no duban_oidc cookie');
  return { location: new URL(String(res.headers.location)), browserCookie: `duban_oidc=${binding.value}` };
}

function callback(url: URL, cookie: string | undefined): Promise<LightMyRequestResponse> {
  return sso.inject({
    method: 'GET',
    url: `${url.pathname}${url.search}`,
    headers: cookie === undefined ? {} : { cookie },
  });
}

/** A whole SSO login as the provider's account `sub`: the callback's answer. */
async function ssoLogin(sub: string, opts: { returnTo?: string; cookie?: string; amr?: string[] } = {}) {
  const started = await startLogin(opts.returnTo);
  provider.signInAs(sub, opts.amr);
  const back = await provider.authorize(started.location.href);
  const cookie = [started.browserCookie, opts.cookie].filter(Boolean).join('; ');
  return callback(back, cookie);
}

function sessionCookie(res: LightMyRequestResponse): string | undefined {
  const c = res.cookies.find((x) => x.name === 'duban_session' && x.value !== '');
  return c === undefined ? undefined : `duban_session=${c.value}`;
}

function expectSsoError(res: LightMyRequestResponse, code: string) {
  expect(res.statusCode, res.body).toBe(302);
  expect(res.headers.location).toBe(`/login?sso_error=${code}`);
  expect(sessionCookie(res)).toBeUndefined();
}

describe('GET /api/v1/auth/oidc/config', () => {
  it('tells anyone whether SSO is offered, and its label', async () => {
    const off = await w.app.inject({ method: 'GET', url: '/api/v1/auth/oidc/config' });
    expect(off.statusCode).toBe(200);
    expect(off.json()).toEqual({ enabled: false, label: null });
    const on = await sso.inject({ method: 'GET', url: '/api/v1/auth/oidc/config' });
    expect(on.json()).toEqual({ enabled: true, label: '浙政钉登录' });
  });

  it('documents the three routes as public in the OpenAPI document', async () => {
    const doc = (await sso.inject({ method: 'GET', url: '/api/v1/openapi.json' })).json();
    for (const route of ['config', 'login', 'callback']) {
      const op = doc.paths[`/api/v1/auth/oidc/${route}`]?.get;
      expect(op?.tags, route).toEqual(['auth']);
      expect(op?.security, route).toBeUndefined();
    }
  });
});

describe('SSO not configured', () => {
  it('answers 404 on login and callback', async () => {
    expectProblem(await w.app.inject({ method: 'GET', url: '/api/v1/auth/oidc/login' }), 404, 'NOT_FOUND');
    expectProblem(
      await w.app.inject({ method: 'GET', url: '/api/v1/auth/oidc/callback?code=x&state=y' }),
      404,
      'NOT_FOUND',
    );
  });
});

describe('GET /api/v1/auth/oidc/login', () => {
  it('sends the browser to the provider with code + PKCE (S256), state and nonce', async () => {
    const before = await rowCount(ctx, 'oidc_logins');
    const { location } = await startLogin('/items');
    expect(location.origin).toBe(provider.issuer);
    const q = location.searchParams;
    expect(q.get('response_type')).toBe('code');
    expect(q.get('client_id')).toBe(provider.clientId);
    expect(q.get('redirect_uri')).toBe(REDIRECT_URI);
    expect(q.get('code_challenge_method')).toBe('S256');
    expect(q.get('code_challenge')).toMatch(/^[\w-]{43}$/);
    expect(q.get('state')).toMatch(/^[\w-]{20,}$/);
    expect(q.get('nonce')).toMatch(/^[\w-]{20,}$/);
    expect(await rowCount(ctx, 'oidc_logins')).toBe(before + 1);
  });

  it('names a returnTo that is too long', async () => {
    const res = await sso.inject({
      method: 'GET',
      url: `/api/v1/auth/oidc/login?returnTo=/${'a'.repeat(2001)}`,
    });
    expectProblem(res, 400, 'VALIDATION_FAILED', 'querystring.returnTo');
  });

  it('sends a login whose provider cannot be reached back to the login page', async () => {
    const down = await buildApp({ ...ctx, oidc: { ...config, issuer: 'http://127.0.0.1:9' } });
    try {
      const res = await down.inject({ method: 'GET', url: '/api/v1/auth/oidc/login' });
      expectSsoError(res, 'provider_unavailable');
    } finally {
      await down.close();
    }
  });
});

describe('the code flow against a real provider', () => {
  it('signs a known user in: the session works on /api/v1/items, the subject is linked', async () => {
    const res = await ssoLogin('sub-housing', { returnTo: '/items?light=red#top' });
    expect(res.statusCode, res.body).toBe(302);
    expect(res.headers.location).toBe('/items?light=red#top');
    const cookie = sessionCookie(res);
    expect(cookie).toBeDefined();
    const items = await sso.inject({ method: 'GET', url: '/api/v1/items', headers: { cookie } });
    expect(items.statusCode, items.body).toBe(200);
    const me = await sso.inject({ method: 'GET', url: '/api/v1/users/me', headers: { cookie } });
    expect(me.json().user.username).toBe('housing_h');
    expect(typeof me.json().csrfToken).toBe('string');
    const user = await ctx.db
      .selectFrom('users')
      .select(['oidc_issuer', 'oidc_subject'])
      .where('username', '=', 'housing_h')
      .executeTakeFirstOrThrow();
    expect(user).toEqual({ oidc_issuer: provider.issuer, oidc_subject: 'sub-housing' });
    const linked = await ctx.db
      .selectFrom('events')
      .select(['payload', 'actor_id'])
      .where('type', '=', 'user.updated')
      .where('actor_id', '=', w.users.housing_h ?? '')
      .execute();
    expect(linked).toHaveLength(1);
    expect(JSON.stringify(linked[0]?.payload)).toContain('sub-housing');
  });

  it('follows the linked subject afterwards, whatever the username claim says', async () => {
    provider.setAccount('sub-housing', { preferred_username: 'renamed_elsewhere' });
    try {
      const res = await ssoLogin('sub-housing');
      expect(res.headers.location).toBe('/');
      const me = await sso.inject({
        method: 'GET',
        url: '/api/v1/users/me',
        headers: { cookie: sessionCookie(res) },
      });
      expect(me.json().user.username).toBe('housing_h');
    } finally {
      provider.setAccount('sub-housing', { preferred_username: 'housing_h' });
    }
  });

  it('asks a supervisor for the TOTP step unless the provider reports a second factor (amr)', async () => {
    // Supervisors need two-factor sign-in (the default DUBAN_MFA_ROLES, enforced in the test world).
    const pwdOnly = await ssoLogin('sub-city-sup', { returnTo: '/cockpit', amr: ['pwd'] });
    expect(pwdOnly.statusCode, pwdOnly.body).toBe(302);
    expect(pwdOnly.headers.location).toBe('/login?next=%2Fcockpit');
    const halfway = sessionCookie(pwdOnly);
    expect(halfway).toBeDefined();
    const items = await sso.inject({ method: 'GET', url: '/api/v1/items', headers: { cookie: halfway } });
    expectProblem(items, 403, 'MFA_REQUIRED');
    const state = await sso.inject({ method: 'GET', url: '/api/v1/auth/mfa', headers: { cookie: halfway } });
    expect(state.json().state).not.toBe('full');

    const withOtp = await ssoLogin('sub-city-sup', { returnTo: '/cockpit', amr: ['pwd', 'otp'] });
    expect(withOtp.headers.location).toBe('/cockpit');
    const full = await sso.inject({
      method: 'GET',
      url: '/api/v1/items',
      headers: { cookie: sessionCookie(withOtp) },
    });
    expect(full.statusCode, full.body).toBe(200);
  });

  it('matches the username claim case-insensitively', async () => {
    const res = await ssoLogin('sub-fin');
    expect(res.statusCode).toBe(302);
    expect(sessionCookie(res)).toBeDefined();
  });

  it('rotates the session the browser came with', async () => {
    const old = await w.login('leader');
    const res = await ssoLogin('sub-housing', { cookie: old.cookie });
    expect(sessionCookie(res)).toBeDefined();
    const stale = await sso.inject({ method: 'GET', url: '/api/v1/items', headers: { cookie: old.cookie } });
    expectProblem(stale, 401, 'UNAUTHENTICATED');
  });

  it('ignores a returnTo on another origin and goes to /', async () => {
    for (const evil of ['https://evil.example', '//evil.example/x', '/\\evil.example']) {
      const res = await ssoLogin('sub-housing', { returnTo: evil });
      expect(res.headers.location, evil).toBe('/');
      expect(sessionCookie(res)).toBeDefined();
    }
  });

  it('refuses a user Duban does not know, and creates none', async () => {
    const users = await rowCount(ctx, 'users');
    const sessions = await rowCount(ctx, 'sessions');
    expectSsoError(await ssoLogin('sub-stranger'), 'unknown_user');
    expect(await rowCount(ctx, 'users')).toBe(users);
    expect(await rowCount(ctx, 'sessions')).toBe(sessions);
  });

  it('refuses an inactive user', async () => {
    await ctx.db.updateTable('users').set({ active: false }).where('username', '=', 'county_h').execute();
    provider.setAccount('sub-county', { preferred_username: 'county_h' });
    expectSsoError(await ssoLogin('sub-county'), 'inactive_user');
  });

  it('refuses a second subject claiming a linked user’s name', async () => {
    expect(sessionCookie(await ssoLogin('sub-edu'))).toBeDefined();
    expectSsoError(await ssoLogin('sub-edu-impostor'), 'subject_mismatch');
  });

  it('refuses an identity without the username claim', async () => {
    expectSsoError(await ssoLogin('sub-nameless'), 'no_username');
  });

  it('reports the provider’s refusal', async () => {
    expectSsoError(await ssoLogin('deny'), 'provider_error');
  });
});

describe('the callback refuses what this browser did not start here', () => {
  async function atCallback(): Promise<Started & { back: URL }> {
    const started = await startLogin('/items');
    provider.signInAs('sub-housing');
    return { ...started, back: await provider.authorize(started.location.href) };
  }

  it('a tampered state', async () => {
    const { back, browserCookie } = await atCallback();
    const tampered = new URL(back);
    tampered.searchParams.set('state', `${back.searchParams.get('state')}x`);
    expectSsoError(await callback(tampered, browserCookie), 'invalid_state');
  });

  it('another browser (no or a wrong binding cookie), and the login is then spent', async () => {
    const { back, browserCookie } = await atCallback();
    expectSsoError(await callback(back, undefined), 'invalid_state');
    const other = await atCallback();
    expectSsoError(await callback(other.back, browserCookie), 'invalid_state');
    // Used once: the right browser cannot replay either login afterwards.
    expectSsoError(await callback(back, browserCookie), 'invalid_state');
    expectSsoError(await callback(other.back, other.browserCookie), 'invalid_state');
  });

  it('a replayed callback', async () => {
    const { back, browserCookie } = await atCallback();
    expect(sessionCookie(await callback(back, browserCookie))).toBeDefined();
    expectSsoError(await callback(back, browserCookie), 'invalid_state');
  });

  it('an expired login', async () => {
    const { back, browserCookie } = await atCallback();
    ctx.setNow(new Date(Date.now() + 11 * 60 * 1000));
    try {
      expectSsoError(await callback(back, browserCookie), 'invalid_state');
    } finally {
      ctx.setNow(new Date());
    }
  });

  it('a forged code', async () => {
    const { back, browserCookie } = await atCallback();
    const forged = new URL(back);
    forged.searchParams.set('code', 'forged-code');
    expectSsoError(await callback(forged, browserCookie), 'token_failed');
  });
});

describe('safeReturnTo', () => {
  it('keeps same-origin paths only', () => {
    expect(safeReturnTo('/items/1?x=1#a')).toBe('/items/1?x=1#a');
    expect(safeReturnTo('/a/../b')).toBe('/b');
    for (const bad of [
      undefined,
      '',
      'items',
      'https://evil.example/',
      '//evil.example',
      '/\\evil.example',
      '/\tevil',
      'javascript:alert(1)',
    ]) {
      expect(safeReturnTo(bad), String(bad)).toBe('/');
    }
  });
});

describe('oidcConfigFromEnv', () => {
  const env = (vars: Record<string, string>) => oidcConfigFromEnv(readEnv({ PORT: '8080', ...vars }));

  it('is off without an issuer, and needs a client id with one', () => {
    expect(env({})).toBeUndefined();
    expect(() => env({ DUBAN_OIDC_ISSUER: 'https://sso.example.gov.cn' })).toThrow(/DUBAN_OIDC_CLIENT_ID/);
  });

  it('fills in the defaults', () => {
    expect(
      env({ DUBAN_OIDC_ISSUER: 'https://sso.example.gov.cn/realms/zj', DUBAN_OIDC_CLIENT_ID: 'duban' }),
    ).toEqual({
      issuer: 'https://sso.example.gov.cn/realms/zj',
      clientId: 'duban',
      clientSecret: undefined,
      redirectUri: 'http://127.0.0.1:8080/api/v1/auth/oidc/callback',
      label: '统一身份认证登录',
      usernameClaim: 'preferred_username',
    });
  });

  it('puts the default callback on DUBAN_PUBLIC_URL when set', () => {
    const on = env({
      DUBAN_OIDC_ISSUER: 'https://sso.example.gov.cn',
      DUBAN_OIDC_CLIENT_ID: 'duban',
      DUBAN_PUBLIC_URL: 'https://duban.example.gov.cn/',
    });
    expect(on?.redirectUri).toBe('https://duban.example.gov.cn/api/v1/auth/oidc/callback');
  });

  it('speaks plain http to a provider on this machine only', () => {
    const base = { DUBAN_OIDC_CLIENT_ID: 'duban' };
    expect(env({ ...base, DUBAN_OIDC_ISSUER: 'http://127.0.0.1:9000' })?.issuer).toBe(
      'http://127.0.0.1:9000',
    );
    expect(() => env({ ...base, DUBAN_OIDC_ISSUER: 'http://sso.example.gov.cn' })).toThrow(/https/);
  });
});
