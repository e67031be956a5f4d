import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { App } from '../../src/http/types.ts';
import { createUser } from '../../src/org/users.ts';
import { createTestContext, type TestContext } from '../support/context.ts';
import {
  buildTestApp,
  buildUnit,
  buildUser,
  expectProblem,
  importZhejiang,
  login,
  PASSWORD,
} from './support.ts';

let ctx: TestContext;
let app: App;
let hzUnit: string;
let xihuUnit: string;
let nbUnit: string;
beforeAll(async () => {
  ctx = await createTestContext();
  app = await buildTestApp(ctx);
  await importZhejiang(ctx);
  hzUnit = (await buildUnit(ctx, '330100', '杭州市政府督查室')).id;
  xihuUnit = (await buildUnit(ctx, '330106', '西湖区教育局')).id;
  nbUnit = (await buildUnit(ctx, '330200', '宁波市政府督查室')).id;
  await buildUser(ctx, { username: 'hz_admin', roles: ['admin'], unitId: hzUnit });
  await buildUser(ctx, { username: 'hz_sup', roles: ['supervisor'], unitId: hzUnit });
});
afterAll(async () => {
  await app.close();
  await ctx.cleanup();
});

describe('createUser', () => {
  it('hashes with argon2id and records user.created', async () => {
    const u = await createUser(ctx.db, {
      username: 'xh.handler',
      displayName: '王承办',
      password: 'longenough',
      unitId: xihuUnit,
      roles: ['handler'],
    });
    const row = await ctx.db.selectFrom('users').selectAll().where('id', '=', u.id).executeTakeFirstOrThrow();
    expect(row.password_hash).toMatch(/^\$argon2id\$/);
    const ev = await ctx.db
      .selectFrom('events')
      .select('payload')
      .where('type', '=', 'user.created')
      .execute();
    expect(ev.map((e) => e.payload)).toContainEqual({
      type: 'user.created',
      userId: u.id,
      username: 'xh.handler',
      unitId: xihuUnit,
      roles: ['handler'],
    });
  });

  it('refuses duplicates and bad input with the field named', async () => {
    const base = { displayName: '某人', password: 'longenough', unitId: xihuUnit, roles: ['handler'] };
    await expect(createUser(ctx.db, { ...base, username: 'xh.handler' })).rejects.toMatchObject({
      code: 'DUPLICATE_USERNAME',
    });
    await expect(createUser(ctx.db, { ...base, username: 'AB' })).rejects.toMatchObject({
      field: 'username',
    });
    await expect(
      createUser(ctx.db, { ...base, username: 'okname', password: 'short' }),
    ).rejects.toMatchObject({
      field: 'password',
    });
    await expect(createUser(ctx.db, { ...base, username: 'okname', roles: ['king'] })).rejects.toMatchObject({
      field: 'roles',
    });
    await expect(
      createUser(ctx.db, { ...base, username: 'okname', unitId: '00000000-0000-4000-8000-000000000000' }),
    ).rejects.toMatchObject({ code: 'UNIT_NOT_FOUND' });
  });
});

describe('GET /api/v1/users/me', () => {
  it('answers 401, then the user with unit, region and the session CSRF token', async () => {
    expectProblem(await app.inject({ method: 'GET', url: '/api/v1/users/me' }), 401, 'UNAUTHENTICATED');
    const s = await login(app, 'hz_sup');
    const res = await app.inject({ method: 'GET', url: '/api/v1/users/me', headers: { cookie: s.cookie } });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({
      user: {
        username: 'hz_sup',
        roles: ['supervisor'],
        unit: { id: hzUnit, name: '杭州市政府督查室' },
        region: { code: '330100', name: '杭州市' },
      },
      csrfToken: s.csrfToken,
    });
  });
});

describe('POST /api/v1/org/users', () => {
  const body = (over: Record<string, unknown> = {}) => ({
    username: 'xh.new',
    displayName: '李新',
    password: PASSWORD,
    unitId: xihuUnit,
    roles: ['handler'],
    ...over,
  });

  it('follows 401 → 400 → 403 → 404 → 201 → 409', async () => {
    const url = '/api/v1/org/users';
    expectProblem(await app.inject({ method: 'POST', url, payload: body() }), 401, 'UNAUTHENTICATED');

    const admin = await login(app, 'hz_admin');
    const post = (payload: Record<string, unknown>, headers = admin.headers) =>
      app.inject({ method: 'POST', url, headers, payload });
    expectProblem(await post(body({ username: 'Bad Name' })), 400, 'VALIDATION_FAILED', 'body.username');
    expectProblem(await post(body({ roles: [] })), 400, 'VALIDATION_FAILED', 'body.roles');
    expectProblem(await post(body({ password: 'short' })), 400, 'VALIDATION_FAILED', 'body.password');

    const sup = await login(app, 'hz_sup');
    expectProblem(await post(body(), sup.headers), 403, 'FORBIDDEN');
    // a unit in another city is outside the admin's region subtree: it does not exist for them
    expectProblem(await post(body({ unitId: nbUnit })), 404, 'UNIT_NOT_FOUND');

    const created = await post(body());
    expect(created.statusCode).toBe(201);
    expect(created.json().user).toMatchObject({
      username: 'xh.new',
      roles: ['handler'],
      active: true,
      unit: { id: xihuUnit, name: '西湖区教育局' },
      region: { code: '330106', name: '西湖区' },
    });
    expectProblem(await post(body()), 409, 'DUPLICATE_USERNAME');
    // the new user can sign in
    await login(app, 'xh.new');
  });
});

describe('addressing users', () => {
  it('answers 404 for a user outside the caller’s region subtree', async () => {
    const nbUser = await buildUser(ctx, { username: 'nb_handler', roles: ['handler'], unitId: nbUnit });
    const xhUser = await buildUser(ctx, { username: 'xh_handler2', roles: ['handler'], unitId: xihuUnit });
    const admin = await login(app, 'hz_admin');
    const get = (id: string) =>
      app.inject({ method: 'GET', url: `/api/v1/org/users/${id}`, headers: { cookie: admin.cookie } });
    const patch = (id: string, payload: Record<string, unknown>, headers = admin.headers) =>
      app.inject({ method: 'PATCH', url: `/api/v1/org/users/${id}`, headers, payload });

    expectProblem(
      await app.inject({ method: 'GET', url: `/api/v1/org/users/${xhUser.id}` }),
      401,
      'UNAUTHENTICATED',
    );
    expectProblem(await patch(xhUser.id, { roles: ['nobody'] }), 400, 'VALIDATION_FAILED', 'body.roles.0');
    const sup = await login(app, 'hz_sup');
    expectProblem(await patch(xhUser.id, { active: false }, sup.headers), 403, 'FORBIDDEN');
    expectProblem(await get(nbUser.id), 404, 'USER_NOT_FOUND');
    expectProblem(await patch(nbUser.id, { active: false }), 404, 'USER_NOT_FOUND');
    expectProblem(await get('nope'), 404, 'USER_NOT_FOUND');

    expect((await get(xhUser.id)).json().user).toMatchObject({ username: 'xh_handler2', active: true });
    const updated = await patch(xhUser.id, { roles: ['handler', 'unit_head'], active: false });
    expect(updated.statusCode).toBe(200);
    expect(updated.json().user).toMatchObject({ roles: ['handler', 'unit_head'], active: false });
    const ev = await ctx.db
      .selectFrom('events')
      .select('payload')
      .where('type', '=', 'user.updated')
      .execute();
    expect(ev.map((e) => e.payload)).toContainEqual({
      type: 'user.updated',
      userId: xhUser.id,
      changes: { roles: ['handler', 'unit_head'], active: false },
    });
    // a deactivated user cannot sign in
    const res = await app.inject({
      method: 'POST',
      url: '/api/v1/auth/login',
      payload: { username: 'xh_handler2', password: PASSWORD },
    });
    expectProblem(res, 401, 'INVALID_CREDENTIALS');

    const list = await app.inject({
      method: 'GET',
      url: '/api/v1/org/users',
      headers: { cookie: admin.cookie },
    });
    const names = list.json().users.map((u: { username: string }) => u.username);
    expect(names).toContain('xh_handler2');
    expect(names).not.toContain('nb_handler');
  });
});
