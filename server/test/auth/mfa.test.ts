/**
 * 双因素认证 (TOTP): enrolment forced for admin/supervisor/leader, the second sign-in step, recovery
 * codes used once, every other route closed to a half-signed-in session (403 MFA_REQUIRED), a fresh
 * session id after each step, wrong codes toward the lock, turning it off, the admin's reset, and
 * sessions ended when an admin changes a user's roles or deactivates them.
 */
import type { LightMyRequestResponse } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkTotp, mfaPolicy, setMfaEnforced, totpCode } from '../../src/auth/mfa.ts';
import { createUser } from '../../src/org/users.ts';
import type { TestContext } from '../support/context.ts';
import { closeWorld, openWorld, PASSWORD, type World } from '../support/factories.ts';
import { expectProblem } from '../support/http.ts';

let ctx: TestContext;
let w: World;
let ip = 0;
/** A client address per sign-in (the per-address limit is tested on its own). */
function nextAddress(): string {
  ip += 1;
  return `192.0.2.${ip % 250}`;
}

beforeAll(async () => {
  ({ ctx, w } = await openWorld('2026-11-28T04:00:00Z'));
  await createUser(ctx.db, {
    username: 'ningbo_admin',
    displayName: '宁波管理员',
    password: PASSWORD,
    unitId: w.units.ningboOffice ?? '',
    roles: ['admin'],
  });
});
afterAll(() => closeWorld(ctx, w));

type S = { cookie: string; csrf: string };

function signIn(username: string, password = PASSWORD) {
  return w.app.inject({
    method: 'POST',
    url: '/api/v1/auth/login',
    payload: { username, password },
    remoteAddress: nextAddress(),
  });
}

function sessionOf(res: LightMyRequestResponse): S {
  const c = res.cookies.find((x) => x.name === 'duban_session');
  if (!c) throw new Error(`no session cookie: ${res.statusCode} ${res.body}`);
  return { cookie: `duban_session=${c.value}`, csrf: res.json().csrfToken };
}

const get = (s: S, url: string) => w.app.inject({ method: 'GET', url, headers: { cookie: s.cookie } });
const post = (s: S, url: string, payload: object = {}) =>
  w.app.inject({ method: 'POST', url, payload, headers: { cookie: s.cookie, 'x-csrf-token': s.csrf } });

/** A 6-digit code that is none of the three valid at the test clock. */
function wrongCode(secret: string): string {
  for (let n = 0; ; n += 1) {
    const code = String(n).padStart(6, '0');
    if (!checkTotp(secret, code, ctx.now())) return code;
  }
}

describe('enrolment at the first sign-in of a role that requires TOTP', () => {
  let secret = '';
  let recovery: string[] = [];

  it('is announced by GET /auth/mfa/policy (no login): admin, supervisor, leader, enforced', async () => {
    const res = await w.app.inject({ method: 'GET', url: '/api/v1/auth/mfa/policy' });
    expect(res.json()).toEqual({ enforced: true, roles: ['admin', 'supervisor', 'leader'] });
  });

  it('gives an enrol-only session: 403 MFA_REQUIRED elsewhere, QR code and secret, then codes once', async () => {
    const login = await signIn('county_sup');
    expect(login.statusCode, login.body).toBe(200);
    expect(login.json()).toEqual({ mfa: 'enroll', csrfToken: expect.any(String) });
    const half = sessionOf(login);
    for (const res of [
      await get(half, '/api/v1/items'),
      await get(half, '/api/v1/users/me'),
      await post(half, '/api/v1/auth/tokens', { name: 't', scopes: ['items:read'] }),
    ]) {
      expectProblem(res, 403, 'MFA_REQUIRED');
      expect(res.json().detailZh).toBe('请先完成双因素认证');
    }
    const status = await get(half, '/api/v1/auth/mfa');
    expect(status.json()).toMatchObject({ state: 'mfa_enroll', enrolled: false, required: true });

    const enrol = await post(half, '/api/v1/auth/mfa/enroll');
    expect(enrol.statusCode, enrol.body).toBe(200);
    secret = enrol.json().secret;
    expect(secret).toMatch(/^[A-Z2-7]{32}$/);
    expect(enrol.json().otpauthUri).toMatch(/^otpauth:\/\/totp\/.*county_sup\?.*secret=/);
    expect(enrol.json().qrDataUrl).toMatch(/^data:image\/png;base64,/);

    expectProblem(
      await post(half, '/api/v1/auth/mfa/enroll/confirm', {}),
      400,
      'VALIDATION_FAILED',
      'body.code',
    );
    expectProblem(
      await post(half, '/api/v1/auth/mfa/enroll/confirm', { code: wrongCode(secret) }),
      400,
      'VALIDATION_FAILED',
      'body.code',
    );
    const confirm = await post(half, '/api/v1/auth/mfa/enroll/confirm', {
      code: totpCode(secret, ctx.now()),
    });
    expect(confirm.statusCode, confirm.body).toBe(200);
    recovery = confirm.json().recoveryCodes;
    expect(recovery).toHaveLength(10);
    expect(new Set(recovery).size).toBe(10);
    expect(confirm.json().user.username).toBe('county_sup');
    const full = sessionOf(confirm);
    expect(full.cookie).not.toBe(half.cookie);
    // The session id rotated: the enrol-only cookie is dead; the new one reaches everything.
    expectProblem(await get(half, '/api/v1/users/me'), 401, 'UNAUTHENTICATED');
    expect((await get(full, '/api/v1/items')).statusCode).toBe(200);
    // The secret and the codes are stored, never shown again.
    const stored = await ctx.db.selectFrom('mfa_recovery_codes').select('code_hash').execute();
    expect(stored.map((r) => r.code_hash)).not.toContain(recovery[0]);
    const again = await get(full, '/api/v1/auth/mfa');
    expect(again.json()).toMatchObject({ state: 'full', enrolled: true, recoveryCodesLeft: 10 });
    expect(again.body).not.toContain(secret);
  });

  it('then asks for the code at each sign-in; the pending session reaches nothing else', async () => {
    const login = await signIn('county_sup');
    expect(login.json()).toEqual({ mfa: 'required', csrfToken: expect.any(String) });
    const pending = sessionOf(login);
    expectProblem(await get(pending, '/api/v1/items'), 403, 'MFA_REQUIRED');
    expectProblem(await post(pending, '/api/v1/auth/mfa/enroll'), 409, 'CONFLICT');
    expectProblem(
      await post(pending, '/api/v1/auth/mfa/verify', { code: 12 }),
      400,
      'VALIDATION_FAILED',
      'body.code',
    );
    const wrong = await post(pending, '/api/v1/auth/mfa/verify', { code: wrongCode(secret) });
    expectProblem(wrong, 400, 'VALIDATION_FAILED', 'body.code');
    expect(wrong.json().detailZh).toBe('动态验证码错误或已过期');
    const ok = await post(pending, '/api/v1/auth/mfa/verify', { code: totpCode(secret, ctx.now()) });
    expect(ok.statusCode, ok.body).toBe(200);
    expect(ok.json().user.username).toBe('county_sup');
    const full = sessionOf(ok);
    expect(full.cookie).not.toBe(pending.cookie);
    expectProblem(await get(pending, '/api/v1/items'), 401, 'UNAUTHENTICATED');
    expect((await get(full, '/api/v1/items')).statusCode).toBe(200);
  });

  it('gives the pending step a quarter of an hour', async () => {
    const pending = sessionOf(await signIn('county_sup'));
    const at = ctx.now();
    try {
      ctx.setNow(new Date(at.getTime() + 14 * 60_000));
      expect((await get(pending, '/api/v1/auth/mfa')).statusCode).toBe(200);
      ctx.setNow(new Date(at.getTime() + 16 * 60_000));
      expectProblem(await get(pending, '/api/v1/auth/mfa'), 401, 'UNAUTHENTICATED');
    } finally {
      ctx.setNow(at);
    }
  });

  it('takes a recovery code once', async () => {
    const code = recovery[3] ?? '';
    const first = sessionOf(await signIn('county_sup'));
    expect((await post(first, '/api/v1/auth/mfa/verify', { code: code.toUpperCase() })).statusCode).toBe(200);
    const second = sessionOf(await signIn('county_sup'));
    expectProblem(
      await post(second, '/api/v1/auth/mfa/verify', { code }),
      400,
      'VALIDATION_FAILED',
      'body.code',
    );
    // A failure counted; the right code clears the count again.
    expect(
      (await post(second, '/api/v1/auth/mfa/verify', { code: totpCode(secret, ctx.now()) })).statusCode,
    ).toBe(200);
  });

  it('cannot be turned off while the role requires it (409)', async () => {
    const pending = sessionOf(await signIn('county_sup'));
    const full = sessionOf(
      await post(pending, '/api/v1/auth/mfa/verify', { code: totpCode(secret, ctx.now()) }),
    );
    const off = await post(full, '/api/v1/auth/mfa/disable', { code: totpCode(secret, ctx.now()) });
    expectProblem(off, 409, 'CONFLICT');
    expect(
      await ctx.db
        .selectFrom('user_mfa')
        .select('secret')
        .where('user_id', '=', w.users.county_sup ?? '')
        .executeTakeFirst(),
    ).toEqual({ secret });
  });
});

describe('the two-factor routes', () => {
  it('answer 401 to anonymous callers and 403 to API tokens (browser sessions only)', async () => {
    const routes = ['verify', 'enroll', 'enroll/confirm', 'disable', 'recovery-codes'];
    for (const r of routes) {
      const res = await w.app.inject({
        method: 'POST',
        url: `/api/v1/auth/mfa/${r}`,
        payload: { code: '123456' },
      });
      expectProblem(res, 401, 'UNAUTHENTICATED');
    }
    expectProblem(await w.app.inject({ method: 'GET', url: '/api/v1/auth/mfa' }), 401, 'UNAUTHENTICATED');
    const made = await (await w.as('housing_head')).post('/api/v1/auth/tokens', {
      name: 'mfa',
      scopes: ['items:read'],
    });
    const bearer = { authorization: `Bearer ${made.json().token}` };
    expectProblem(
      await w.app.inject({ method: 'GET', url: '/api/v1/auth/mfa', headers: bearer }),
      403,
      'FORBIDDEN',
    );
    const enrol = await w.app.inject({ method: 'POST', url: '/api/v1/auth/mfa/enroll', headers: bearer });
    expectProblem(enrol, 403, 'FORBIDDEN');
  });
});

describe('wrong codes count toward the lock', () => {
  it('locks after five wrong codes, ends the pending session, and the password alone is refused', async () => {
    await w.login('ningbo_sup'); // enrols
    const secret = w.totpSecrets.get('ningbo_sup') ?? '';
    const pending = sessionOf(await signIn('ningbo_sup'));
    const answers = [];
    for (let i = 0; i < 5; i += 1) {
      answers.push(await post(pending, '/api/v1/auth/mfa/verify', { code: wrongCode(secret) }));
    }
    for (const res of answers.slice(0, 4)) expectProblem(res, 400, 'VALIDATION_FAILED', 'body.code');
    const last = answers[4];
    if (!last) throw new Error('no answer');
    expectProblem(last, 423, 'ACCOUNT_LOCKED');
    expect(last.headers['retry-after']).toBe('900');
    expectProblem(await get(pending, '/api/v1/auth/mfa'), 401, 'UNAUTHENTICATED');
    expectProblem(await signIn('ningbo_sup'), 423, 'ACCOUNT_LOCKED');
  });
});

describe('optional TOTP under 安全设置 (a handler)', () => {
  it('enrols from a full session, is asked at sign-in, regenerates codes and turns it off with a code', async () => {
    const handler = sessionOf(await signIn('fin_h'));
    expect((await get(handler, '/api/v1/auth/mfa')).json()).toMatchObject({
      enrolled: false,
      required: false,
    });
    const secret = (await post(handler, '/api/v1/auth/mfa/enroll')).json().secret as string;
    const confirm = await post(handler, '/api/v1/auth/mfa/enroll/confirm', {
      code: totpCode(secret, ctx.now()),
    });
    expect(confirm.statusCode, confirm.body).toBe(200);
    const first = confirm.json().recoveryCodes as string[];
    const full = sessionOf(confirm);
    expectProblem(await post(full, '/api/v1/auth/mfa/enroll'), 409, 'CONFLICT');

    const login = await signIn('fin_h');
    expect(login.json().mfa).toBe('required');

    expectProblem(
      await post(full, '/api/v1/auth/mfa/recovery-codes', { code: wrongCode(secret) }),
      400,
      'VALIDATION_FAILED',
      'body.code',
    );
    const regen = await post(full, '/api/v1/auth/mfa/recovery-codes', { code: totpCode(secret, ctx.now()) });
    expect(regen.json().recoveryCodes).toHaveLength(10);
    // The old codes stopped working.
    expectProblem(
      await post(sessionOf(login), '/api/v1/auth/mfa/verify', { code: first[0] }),
      400,
      'VALIDATION_FAILED',
      'body.code',
    );

    const off = await post(full, '/api/v1/auth/mfa/disable', { code: totpCode(secret, ctx.now()) });
    expect(off.statusCode, off.body).toBe(204);
    const plain = await signIn('fin_h');
    expect(plain.json().user.username).toBe('fin_h');
  });
});

describe('POST /api/v1/org/users/:id/mfa-reset', () => {
  it('401 anonymous, 403 for a supervisor, 404 outside the admin’s region', async () => {
    const url = `/api/v1/org/users/${w.users.city_sup}/mfa-reset`;
    expectProblem(await w.app.inject({ method: 'POST', url }), 401, 'UNAUTHENTICATED');
    expectProblem(await (await w.as('prov_sup')).post(url), 403, 'FORBIDDEN');
    expectProblem(await (await w.as('ningbo_admin')).post(url), 404, 'USER_NOT_FOUND');
  });

  it('removes TOTP, ends the user’s sessions (audited); the next sign-in enrols again', async () => {
    const sup = await w.login('city_sup');
    const s = { cookie: sup.cookie, csrf: sup.csrf };
    expect((await get(s, '/api/v1/items')).statusCode).toBe(200);
    const res = await (await w.as('admin')).post(`/api/v1/org/users/${w.users.city_sup}/mfa-reset`);
    expect(res.statusCode, res.body).toBe(204);
    expectProblem(await get(s, '/api/v1/items'), 401, 'UNAUTHENTICATED');
    expect((await signIn('city_sup')).json().mfa).toBe('enroll');
    const events = await ctx.db
      .selectFrom('events')
      .select(['payload', 'actor_id'])
      .where('type', '=', 'user.updated')
      .execute();
    expect(events).toContainEqual({
      payload: { type: 'user.updated', userId: w.users.city_sup, changes: { mfa: 'reset' } },
      actor_id: w.users.admin,
    });
  });
});

describe('sessions end when an admin changes a user’s rights', () => {
  it('ends them on new roles and on deactivation, not on a new display name', async () => {
    const admin = await w.as('admin');
    const s1 = await w.login('county_h');
    const patch = (body: object) => admin.patch(`/api/v1/org/users/${w.users.county_h}`, body);
    expect((await patch({ displayName: '西湖承办人' })).statusCode).toBe(200);
    expect((await get({ cookie: s1.cookie, csrf: s1.csrf }, '/api/v1/users/me')).statusCode).toBe(200);
    expect((await patch({ roles: ['handler', 'unit_head'] })).statusCode).toBe(200);
    expectProblem(
      await get({ cookie: s1.cookie, csrf: s1.csrf }, '/api/v1/users/me'),
      401,
      'UNAUTHENTICATED',
    );
    const s2 = await w.login('county_h');
    expect((await patch({ active: false })).statusCode).toBe(200);
    expect(
      await ctx.db
        .selectFrom('sessions')
        .select('id_hash')
        .where('user_id', '=', w.users.county_h ?? '')
        .execute(),
    ).toEqual([]);
    expectProblem(
      await get({ cookie: s2.cookie, csrf: s2.csrf }, '/api/v1/users/me'),
      401,
      'UNAUTHENTICATED',
    );
  });
});

describe('policy', () => {
  it('with enforcement off (the demo) a supervisor without TOTP signs in at once; one with TOTP is still asked', async () => {
    await setMfaEnforced(ctx.db, false);
    try {
      expect((await w.app.inject({ method: 'GET', url: '/api/v1/auth/mfa/policy' })).json().enforced).toBe(
        false,
      );
      expect((await signIn('leader')).json().user.username).toBe('leader');
      expect((await signIn('county_sup')).json().mfa).toBe('required');
    } finally {
      await setMfaEnforced(ctx.db, true);
    }
  });

  it('DUBAN_MFA_ROLES names the roles; empty means nobody', async () => {
    const saved = process.env.DUBAN_MFA_ROLES;
    try {
      process.env.DUBAN_MFA_ROLES = '';
      expect((await mfaPolicy(ctx.db)).roles).toEqual([]);
      expect((await signIn('leader')).json().user.username).toBe('leader');
      process.env.DUBAN_MFA_ROLES = 'admin, handler';
      expect((await mfaPolicy(ctx.db)).roles).toEqual(['admin', 'handler']);
      expect((await signIn('edu_h')).json().mfa).toBe('enroll');
    } finally {
      if (saved === undefined) delete process.env.DUBAN_MFA_ROLES;
      else process.env.DUBAN_MFA_ROLES = saved;
    }
  });
});
