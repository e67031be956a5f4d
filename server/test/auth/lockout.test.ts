/**
 * 登录锁定: five failed sign-ins lock a name for 15 minutes (known or not, right password or not),
 * an admin or the clock unlocks it, success starts the count again, and one client address may
 * try 20 times a minute.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
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
const T0 = new Date('2026-11-28T04:00:00Z');

beforeAll(async () => {
  ({ ctx, w } = await openWorld(T0));
  // An admin of 宁波: 杭州's users are outside the region they manage.
  await createUser(ctx.db, {
    username: 'ningbo_admin',
    displayName: '宁波管理员',
    password: PASSWORD,
    unitId: w.units.ningboOffice ?? '',
    roles: ['admin'],
  });
});
afterAll(() => closeWorld(ctx, w));

/** A sign-in from an address of its own (the per-address limit is tested on its own). */
function signIn(username: string, password: string, remoteAddress = nextAddress()) {
  return w.app.inject({
    method: 'POST',
    url: '/api/v1/auth/login',
    payload: { username, password },
    remoteAddress,
  });
}

async function failTimes(username: string, n: number) {
  const answers = [];
  for (let i = 0; i < n; i += 1) answers.push(await signIn(username, 'wrong password'));
  return answers;
}

async function lockEvents(userId: string) {
  const rows = await ctx.db
    .selectFrom('events')
    .select(['payload', 'actor_id'])
    .where('type', '=', 'user.updated')
    .execute();
  return rows.filter((r) => (r.payload as { userId: string }).userId === userId);
}

describe('lockout after five failed sign-ins', () => {
  it('locks at the fifth failure (423, retryAfter, 中文), then refuses the right password alike', async () => {
    ctx.setNow(T0);
    const answers = await failTimes('housing_h', 5);
    for (const res of answers.slice(0, 4)) expectProblem(res, 401, 'INVALID_CREDENTIALS');
    const fifth = answers[4];
    if (!fifth) throw new Error('no fifth answer');
    expectProblem(fifth, 423, 'ACCOUNT_LOCKED');
    expect(fifth.json().retryAfter).toBe(900);
    expect(fifth.headers['retry-after']).toBe('900');
    expect(fifth.json().detailZh).toBe('账户已锁定，请 15 分钟后再试');

    const right = await signIn('housing_h', PASSWORD);
    const wrong = await signIn('housing_h', 'wrong password');
    for (const res of [right, wrong]) {
      expectProblem(res, 423, 'ACCOUNT_LOCKED');
      expect(res.cookies).toHaveLength(0);
    }
    expect(right.json().detail).toBe(wrong.json().detail);

    const events = await lockEvents(w.users.housing_h ?? '');
    expect(events).toHaveLength(1);
    expect(events[0]?.payload).toMatchObject({ changes: { locked: true, failedAttempts: 5 } });
    expect(events[0]?.actor_id).toBeNull();
  });

  it('ends the lock after 15 minutes by the clock', async () => {
    ctx.setNow(new Date(T0.getTime() + 14 * 60_000));
    expectProblem(await signIn('housing_h', PASSWORD), 423, 'ACCOUNT_LOCKED');
    ctx.setNow(new Date(T0.getTime() + 15 * 60_000 + 1000));
    expect((await signIn('housing_h', PASSWORD)).statusCode).toBe(200);
    // … and the count started again: four more failures do not lock.
    for (const res of await failTimes('housing_h', 4)) expectProblem(res, 401, 'INVALID_CREDENTIALS');
    expect((await signIn('housing_h', PASSWORD)).statusCode).toBe(200);
  });

  it('locks an unknown name exactly like a known one', async () => {
    ctx.setNow(T0);
    const known = (await failTimes('edu_h', 5)).at(-1);
    const unknown = (await failTimes('no_such_user', 5)).at(-1);
    if (!known || !unknown) throw new Error('no answers');
    expectProblem(known, 423, 'ACCOUNT_LOCKED');
    expectProblem(unknown, 423, 'ACCOUNT_LOCKED');
    expect(unknown.json()).toEqual({ ...known.json(), instance: unknown.json().instance });
  });

  it('a success resets the count', async () => {
    ctx.setNow(T0);
    await failTimes('fin_h', 4);
    expect((await signIn('fin_h', PASSWORD)).statusCode).toBe(200);
    for (const res of await failTimes('fin_h', 4)) expectProblem(res, 401, 'INVALID_CREDENTIALS');
    expect((await signIn('fin_h', PASSWORD)).statusCode).toBe(200);
  });
});

describe('POST /api/v1/org/users/:id/unlock', () => {
  const url = () => `/api/v1/org/users/${w.users.edu_h}/unlock`;

  it('401 anonymous, 403 for a handler, 404 for an admin of another region', async () => {
    expectProblem(await w.app.inject({ method: 'POST', url: url() }), 401, 'UNAUTHENTICATED');
    expectProblem(await (await w.as('housing_head')).post(url()), 403, 'FORBIDDEN');
    expectProblem(await (await w.as('ningbo_admin')).post(url()), 404, 'USER_NOT_FOUND');
    expectProblem(await signIn('edu_h', PASSWORD), 423, 'ACCOUNT_LOCKED');
  });

  it('an admin unlocks (audited), and the user signs in at once', async () => {
    ctx.setNow(T0);
    const admin = await w.as('admin');
    const res = await admin.post(url());
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json()).toEqual({ wasLocked: true });
    expect((await signIn('edu_h', PASSWORD)).statusCode).toBe(200);
    const events = await lockEvents(w.users.edu_h ?? '');
    expect(events.map((e) => e.payload)).toEqual([
      expect.objectContaining({ changes: expect.objectContaining({ locked: true }) }),
      expect.objectContaining({ changes: { locked: false, unlockedByAdmin: true } }),
    ]);
    expect(events[1]?.actor_id).toBe(w.users.admin);
    expect((await admin.post(`/api/v1/org/users/not-a-uuid/unlock`)).statusCode).toBe(404);
  });
});

describe('per-address limit', () => {
  it('answers 429 RATE_LIMITED after 20 sign-in attempts a minute from one address', async () => {
    const from = '198.51.100.7';
    for (let i = 0; i < 20; i += 1) {
      const res = await signIn(`nobody_${i}`, 'wrong password', from);
      expectProblem(res, 401, 'INVALID_CREDENTIALS');
    }
    const over = await signIn('housing_head', PASSWORD, from);
    expectProblem(over, 429, 'RATE_LIMITED');
    expect(Number(over.headers['retry-after'])).toBeGreaterThan(0);
    // Another address is not held back.
    expect((await signIn('housing_head', PASSWORD, '198.51.100.8')).statusCode).toBe(200);
  });

  it('names the bad field (400) and writes nothing', async () => {
    const before = await ctx.db.selectFrom('login_throttle').select('username').execute();
    const res = await w.app.inject({
      method: 'POST',
      url: '/api/v1/auth/login',
      payload: { username: '', password: 'x' },
    });
    expectProblem(res, 400, 'VALIDATION_FAILED', 'body.username');
    expect(await ctx.db.selectFrom('login_throttle').select('username').execute()).toEqual(before);
  });
});
