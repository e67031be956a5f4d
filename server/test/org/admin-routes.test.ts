import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createUser } from '../../src/org/users.ts';
import type { TestContext } from '../support/context.ts';
import { type Client, closeWorld, itemBody, openWorld, PASSWORD, type World } from '../support/factories.ts';
import { problemZh as problem } from '../support/http.ts';

/**
 * 系统管理 of the organisation: units created and edited, and one-time passwords. 401 → 400 (the
 * field) → 403 (not an admin) → 404 (outside the admin's region subtree) → 409 → success, with the
 * domain event in the change's transaction.
 */
let ctx: TestContext;
let w: World;
let prov: Client;
let city: Client;
let sup: Client;
beforeAll(async () => {
  ({ ctx, w } = await openWorld());
  // A city-level admin: manages 杭州 (330100) and the districts beneath it, not 宁波 or the province.
  await createUser(ctx.db, {
    username: 'hz_admin',
    displayName: '杭州管理员',
    password: PASSWORD,
    unitId: w.units.cityOffice ?? '',
    roles: ['admin'],
  });
  prov = await w.as('admin');
  city = await w.as('hz_admin');
  sup = await w.as('city_sup');
});
afterAll(() => closeWorld(ctx, w));

async function events(type: string) {
  const rows = await ctx.db
    .selectFrom('events')
    .select(['payload', 'actor_id'])
    .where('type', '=', type)
    .execute();
  return rows;
}

const unit = (key: string) => w.units[key] ?? '';

describe('POST /api/v1/org/units', () => {
  const body = { name: '杭州市数据资源管理局', kind: 'department', regionCode: '330100' };

  it('401 → 400 naming the field → 403 for a supervisor → 404 outside the subtree', async () => {
    problem(
      await w.app.inject({ method: 'POST', url: '/api/v1/org/units', payload: body }),
      401,
      'UNAUTHENTICATED',
    );
    problem(
      await city.post('/api/v1/org/units', { ...body, name: '' }),
      400,
      'VALIDATION_FAILED',
      'body.name',
    );
    problem(
      await city.post('/api/v1/org/units', { ...body, kind: 'king' }),
      400,
      'VALIDATION_FAILED',
      'body.kind',
    );
    problem(
      await city.post('/api/v1/org/units', { ...body, regionCode: '33' }),
      400,
      'VALIDATION_FAILED',
      'body.regionCode',
    );
    problem(
      await city.post('/api/v1/org/units', { ...body, parentId: 'x' }),
      400,
      'VALIDATION_FAILED',
      'body.parentId',
    );
    problem(await sup.post('/api/v1/org/units', body), 403, 'FORBIDDEN');
    // 宁波 and the province itself lie outside a 杭州 admin's subtree.
    problem(
      await city.post('/api/v1/org/units', { ...body, regionCode: '330200' }),
      404,
      'REGION_NOT_FOUND',
      'body.regionCode',
    );
    problem(
      await city.post('/api/v1/org/units', { ...body, regionCode: '330000' }),
      404,
      'REGION_NOT_FOUND',
      'body.regionCode',
    );
    problem(
      await city.post('/api/v1/org/units', { ...body, parentId: unit('ningboOffice') }),
      404,
      'UNIT_NOT_FOUND',
      'body.parentId',
    );
    expect(await ctx.db.selectFrom('units').select('id').where('name', '=', body.name).execute()).toEqual([]);
  });

  it('creates a unit (with a parent) and records unit.created in the same transaction; 409 on a duplicate name', async () => {
    const res = await city.post('/api/v1/org/units', {
      ...body,
      shortName: '数据局',
      parentId: unit('cityOffice'),
    });
    expect(res.statusCode, res.body).toBe(201);
    const created = res.json().unit;
    expect(created).toMatchObject({
      name: body.name,
      kind: 'department',
      regionCode: '330100',
      regionName: '杭州市',
      shortName: '数据局',
      parentId: unit('cityOffice'),
      active: true,
    });
    const ev = await events('unit.created');
    expect(ev.map((e) => e.payload)).toContainEqual({
      type: 'unit.created',
      unitId: created.id,
      name: body.name,
      regionCode: '330100',
      kind: 'department',
      parentId: unit('cityOffice'),
    });
    problem(await city.post('/api/v1/org/units', body), 409, 'CONFLICT', 'body.name');
    // The same name in another region is another unit.
    expect((await prov.post('/api/v1/org/units', { ...body, regionCode: '330200' })).statusCode).toBe(201);
    // A district admin's region lies in a city admin's subtree.
    expect(
      (
        await city.post('/api/v1/org/units', {
          name: '西湖区数据局',
          kind: 'department',
          regionCode: '330106',
        })
      ).statusCode,
    ).toBe(201);
  });
});

describe('PATCH /api/v1/org/units/{id}', () => {
  let id: string;
  beforeAll(async () => {
    const res = await city.post('/api/v1/org/units', {
      name: '杭州市测试局',
      kind: 'department',
      regionCode: '330100',
    });
    id = res.json().unit.id;
  });

  it('401 → 400 → 403 → 404 outside the subtree or unknown', async () => {
    const url = `/api/v1/org/units/${id}`;
    problem(await w.app.inject({ method: 'PATCH', url, payload: { name: '改' } }), 401, 'UNAUTHENTICATED');
    problem(await city.patch(url, {}), 400, 'VALIDATION_FAILED', 'body');
    problem(await city.patch(url, { active: 'no' }), 400, 'VALIDATION_FAILED', 'body.active');
    problem(await city.patch(url, { kind: 'x' }), 400, 'VALIDATION_FAILED', 'body.kind');
    problem(await sup.patch(url, { name: '改' }), 403, 'FORBIDDEN');
    problem(
      await city.patch(`/api/v1/org/units/${unit('ningboOffice')}`, { name: '改' }),
      404,
      'UNIT_NOT_FOUND',
    );
    problem(
      await city.patch(`/api/v1/org/units/${unit('provOffice')}`, { name: '改' }),
      404,
      'UNIT_NOT_FOUND',
    );
    problem(await city.patch('/api/v1/org/units/nope', { name: '改' }), 404, 'UNIT_NOT_FOUND');
    problem(await city.patch(url, { regionCode: '330200' }), 404, 'REGION_NOT_FOUND', 'body.regionCode');
  });

  it('renames, re-parents and moves; refuses a cycle (400) and a taken name (409); records unit.updated', async () => {
    const url = `/api/v1/org/units/${id}`;
    const renamed = await city.patch(url, {
      name: '杭州市测试管理局',
      parentId: unit('cityOffice'),
      sortOrder: 5,
    });
    expect(renamed.statusCode, renamed.body).toBe(200);
    expect(renamed.json().unit).toMatchObject({
      name: '杭州市测试管理局',
      parentId: unit('cityOffice'),
      sortOrder: 5,
    });
    const ev = (await events('unit.updated')).map((e) => e.payload);
    expect(ev).toContainEqual({
      type: 'unit.updated',
      unitId: id,
      changes: { name: '杭州市测试管理局', parentId: unit('cityOffice'), sortOrder: 5 },
    });
    // cityOffice under its own child: a cycle.
    problem(
      await city.patch(`/api/v1/org/units/${unit('cityOffice')}`, { parentId: id }),
      400,
      'VALIDATION_FAILED',
      'body.parentId',
    );
    problem(await city.patch(url, { parentId: id }), 400, 'VALIDATION_FAILED', 'body.parentId');
    problem(await city.patch(url, { name: '杭州市教育局' }), 409, 'CONFLICT', 'body.name');
    // No items yet: the unit may move to a district of the subtree.
    const moved = await city.patch(url, { regionCode: '330106' });
    expect(moved.statusCode, moved.body).toBe(200);
    expect(moved.json().unit).toMatchObject({ regionCode: '330106', regionName: '西湖区' });
    // Unchanged values record nothing.
    const before = (await events('unit.updated')).length;
    expect((await city.patch(url, { name: '杭州市测试管理局' })).statusCode).toBe(200);
    expect((await events('unit.updated')).length).toBe(before);
  });

  it('keeps a unit that takes part in items in its region (409 at the field)', async () => {
    const item = await sup.post('/api/v1/items', itemBody());
    expect(item.statusCode, item.body).toBe(201);
    problem(
      await city.patch(`/api/v1/org/units/${unit('cityOffice')}`, { regionCode: '330106' }),
      409,
      'CONFLICT',
      'body.regionCode',
    );
  });

  it('deactivates a unit without active users (then pickers no longer list it); 409 while users are active', async () => {
    problem(
      await city.patch(`/api/v1/org/units/${unit('housing')}`, { active: false }),
      409,
      'CONFLICT',
      'body.active',
    );
    const res = await city.patch(`/api/v1/org/units/${id}`, { active: false });
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json().unit.active).toBe(false);
    const picker = (await sup.get('/api/v1/org/units?regionCode=330106')).json().units;
    expect(picker.map((u: { id: string }) => u.id)).not.toContain(id);
    const all = (await city.get('/api/v1/org/units?regionCode=330106&includeInactive=true')).json().units;
    expect(all.find((u: { id: string }) => u.id === id)).toMatchObject({ active: false });
    // A deactivated unit takes no new users; nothing is written.
    const before = (await city.get(`/api/v1/org/users?unitId=${id}`)).json().users.length;
    problem(
      await city.post('/api/v1/org/users', {
        username: 'new_in_closed_unit',
        displayName: '新用户',
        password: 'long-enough-1',
        unitId: id,
        roles: ['handler'],
      }),
      409,
      'CONFLICT',
      'body.unitId',
    );
    expect((await city.get(`/api/v1/org/users?unitId=${id}`)).json().users).toHaveLength(before);
  });
});

describe('POST /api/v1/org/users by a city admin', () => {
  it('names the body field of a taken username (409) and creates a user with roles in the subtree', async () => {
    const body = {
      username: 'city_sup',
      displayName: '联络员',
      password: 'long-enough-1',
      unitId: unit('education'),
      roles: ['handler', 'unit_head'],
    };
    problem(await city.post('/api/v1/org/users', body), 409, 'DUPLICATE_USERNAME', 'body.username');
    problem(
      await city.post('/api/v1/org/users', { ...body, username: 'hz_x', unitId: unit('ningboHousing') }),
      404,
      'UNIT_NOT_FOUND',
    );
    const res = await city.post('/api/v1/org/users', { ...body, username: 'hz_x' });
    expect(res.statusCode, res.body).toBe(201);
    expect(res.json().user).toMatchObject({
      username: 'hz_x',
      roles: ['handler', 'unit_head'],
      active: true,
    });
  });
});

describe('user roles and deactivation (PATCH /api/v1/org/users/{id}) by a city admin', () => {
  it('changes roles and deactivates within the subtree; 404 outside', async () => {
    const target = w.users.edu_h ?? '';
    problem(
      await city.patch(`/api/v1/org/users/${w.users.ningbo_h}`, { roles: ['supervisor'] }),
      404,
      'USER_NOT_FOUND',
    );
    problem(
      await city.patch(`/api/v1/org/users/${target}`, { roles: ['king'] }),
      400,
      'VALIDATION_FAILED',
      'body.roles.0',
    );
    const res = await city.patch(`/api/v1/org/users/${target}`, {
      roles: ['handler', 'unit_head'],
      active: false,
    });
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json().user).toMatchObject({ roles: ['handler', 'unit_head'], active: false });
    expect((await city.patch(`/api/v1/org/users/${target}`, { active: true })).statusCode).toBe(200);
  });
});

describe('POST /api/v1/org/users/{id}/password-reset', () => {
  it('401 → 403 → 404 outside the subtree or unknown', async () => {
    const url = `/api/v1/org/users/${w.users.fin_h}/password-reset`;
    problem(await w.app.inject({ method: 'POST', url, payload: {} }), 401, 'UNAUTHENTICATED');
    problem(await sup.post(url, {}), 403, 'FORBIDDEN');
    problem(
      await city.post(`/api/v1/org/users/${w.users.ningbo_h}/password-reset`, {}),
      404,
      'USER_NOT_FOUND',
    );
    problem(await city.post(`/api/v1/org/users/${w.users.leader}/password-reset`, {}), 404, 'USER_NOT_FOUND');
    problem(await city.post('/api/v1/org/users/nope/password-reset', {}), 404, 'USER_NOT_FOUND');
  });

  it('sets a one-time password shown once, ends the user’s sessions and records the reset without the password', async () => {
    const fin = await w.as('fin_h');
    expect((await fin.get('/api/v1/users/me')).statusCode).toBe(200);
    const res = await city.post(`/api/v1/org/users/${w.users.fin_h}/password-reset`, {});
    expect(res.statusCode, res.body).toBe(200);
    expect(res.headers['cache-control']).toBe('no-store');
    const { password, user } = res.json();
    expect(password).toMatch(/^[A-Za-z2-9]{12}$/);
    expect(user.username).toBe('fin_h');
    // The old session is gone, the old password no longer works, the new one does.
    expect((await fin.get('/api/v1/users/me')).statusCode).toBe(401);
    const login = (pw: string) =>
      w.app.inject({
        method: 'POST',
        url: '/api/v1/auth/login',
        payload: { username: 'fin_h', password: pw },
      });
    expect((await login(PASSWORD)).statusCode).toBe(401);
    expect((await login(password)).statusCode).toBe(200);
    const ev = await events('user.password_reset');
    expect(ev.map((e) => e.payload)).toEqual([{ type: 'user.password_reset', userId: w.users.fin_h }]);
    expect(JSON.stringify(ev)).not.toContain(password);
  });
});
