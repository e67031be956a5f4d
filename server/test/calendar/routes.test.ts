import type { LightMyRequestResponse } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createUser } from '../../src/org/users.ts';
import { expectProblem } from '../org/support.ts';
import { createTestContext, type TestContext } from '../support/context.ts';
import { buildWorld, PASSWORD, type Session, type World } from '../support/factories.ts';

let ctx: TestContext;
let world: World;
let cityAdminId: string;

beforeAll(async () => {
  ctx = await createTestContext();
  world = await buildWorld(ctx);
  const cityOffice = world.units.cityOffice;
  if (!cityOffice) throw new Error('fixture: no city office');
  const cityAdmin = await createUser(ctx.db, {
    username: 'city_admin',
    displayName: '杭州市管理员',
    password: PASSWORD,
    unitId: cityOffice,
    roles: ['admin'],
  });
  cityAdminId = cityAdmin.id;
});
afterAll(async () => {
  await ctx.cleanup();
});

type Method = 'GET' | 'PUT' | 'DELETE';
function call(
  method: Method,
  url: string,
  session?: Session,
  payload?: object,
): Promise<LightMyRequestResponse> {
  const headers: Record<string, string> = session
    ? { cookie: session.cookie, 'x-csrf-token': session.csrf }
    : {};
  return world.app.inject({ method, url, headers, ...(payload ? { payload } : {}) });
}

describe('GET /api/v1/calendar/days', () => {
  it('answers 401, 400 on a bad year, then the year for any signed-in user', async () => {
    expectProblem(await call('GET', '/api/v1/calendar/days?year=2025'), 401, 'UNAUTHENTICATED');
    const handler = await world.login('housing_h');
    expectProblem(
      await call('GET', '/api/v1/calendar/days?year=25x', handler),
      400,
      'VALIDATION_FAILED',
      'querystring.year',
    );
    expectProblem(
      await call('GET', '/api/v1/calendar/days?year=2025&regionCode=33', handler),
      400,
      'VALIDATION_FAILED',
      'querystring.regionCode',
    );

    const res = await call('GET', '/api/v1/calendar/days?year=2025', handler);
    expect(res.statusCode).toBe(200);
    const body = res.json();
    expect(body).toMatchObject({ year: 2025, regionCode: null, workdayCount: 248, hasNationalDays: true });
    expect(body.days).toContainEqual({
      date: '2025-01-26',
      kind: 'workday',
      name: '春节',
      source: 'chinese-days',
      regionCode: null,
    });
    expect(body.days.every((d: { date: string }) => d.date.startsWith('2025-'))).toBe(true);
  });

  it('shows a year nobody has entered yet as plain weekdays', async () => {
    const res = await call('GET', '/api/v1/calendar/days?year=2031', await world.login('housing_h'));
    // 2031 begins on a Wednesday: 52 weeks and one weekday.
    expect(res.json()).toMatchObject({ year: 2031, workdayCount: 261, hasNationalDays: false, days: [] });
  });
});

describe('PUT and DELETE /api/v1/calendar/days/:date', () => {
  const url = '/api/v1/calendar/days/2031-10-01';

  it('answers 401 → 400 (the field) → 403 for a non-admin → 201, then 200, with a domain event', async () => {
    expectProblem(await call('PUT', url, undefined, { kind: 'holiday' }), 401, 'UNAUTHENTICATED');
    const admin = await world.login('admin');
    expectProblem(await call('PUT', url, admin, { kind: 'rest' }), 400, 'VALIDATION_FAILED', 'body.kind');
    expectProblem(
      await call('PUT', '/api/v1/calendar/days/2031-02-30', admin, { kind: 'holiday' }),
      400,
      'VALIDATION_FAILED',
      'params.date',
    );
    expectProblem(
      await call('PUT', url, admin, { kind: 'holiday', extra: 1 }),
      400,
      'VALIDATION_FAILED',
      'body.extra',
    );
    const supervisor = await world.login('prov_sup');
    expectProblem(await call('PUT', url, supervisor, { kind: 'holiday' }), 403, 'FORBIDDEN');

    const created = await call('PUT', url, admin, { kind: 'holiday', name: ' 国庆节 ' });
    expect(created.statusCode, created.body).toBe(201);
    expect(created.json()).toEqual({
      day: { date: '2031-10-01', kind: 'holiday', name: '国庆节', source: 'admin', regionCode: null },
    });
    const again = await call('PUT', url, admin, { kind: 'holiday', name: '国庆节' });
    expect(again.statusCode).toBe(200);

    const events = await ctx.db
      .selectFrom('events')
      .select(['actor_id', 'payload'])
      .where('type', '=', 'calendar.day_set')
      .orderBy('seq')
      .execute();
    expect(events).toHaveLength(2);
    expect(events[0]).toMatchObject({
      actor_id: world.users.admin,
      payload: { date: '2031-10-01', regionCode: null, kind: 'holiday', name: '国庆节', previous: null },
    });
    expect(events[1]?.payload).toMatchObject({ previous: { kind: 'holiday', source: 'admin' } });

    const year = await call('GET', '/api/v1/calendar/days?year=2031', supervisor);
    expect(year.json()).toMatchObject({ workdayCount: 260, hasNationalDays: true });
  });

  it('lets a city admin change only their own subtree, never the national calendar', async () => {
    const cityAdmin = await world.login('city_admin');
    const day = '/api/v1/calendar/days/2031-03-03';
    expectProblem(await call('PUT', day, cityAdmin, { kind: 'holiday' }), 403, 'FORBIDDEN');
    expectProblem(
      await call('PUT', `${day}?regionCode=330200`, cityAdmin, { kind: 'holiday' }),
      403,
      'FORBIDDEN',
    );
    expectProblem(
      await call('PUT', `${day}?regionCode=339999`, cityAdmin, { kind: 'holiday' }),
      404,
      'REGION_NOT_FOUND',
    );
    const res = await call('PUT', `${day}?regionCode=330106`, cityAdmin, { kind: 'holiday', name: '区运会' });
    expect(res.statusCode, res.body).toBe(201);
    expect(res.json().day).toMatchObject({ regionCode: '330106', source: 'admin' });

    const reader = await world.login('county_h');
    const county = await call('GET', '/api/v1/calendar/days?year=2031&regionCode=330106', reader);
    expect(county.json()).toMatchObject({ regionCode: '330106', workdayCount: 259 });
    expect(county.json().days).toContainEqual({
      date: '2031-03-03',
      kind: 'holiday',
      name: '区运会',
      source: 'admin',
      regionCode: '330106',
    });
    const city = await call('GET', '/api/v1/calendar/days?year=2031&regionCode=330100', reader);
    expect(city.json().days.map((d: { date: string }) => d.date)).not.toContain('2031-03-03');
  });

  it('DELETE takes an edit back: 401 → 403 → 404 → 409 for a packaged day → 200', async () => {
    const day = '/api/v1/calendar/days/2031-03-03?regionCode=330106';
    expectProblem(await call('DELETE', day), 401, 'UNAUTHENTICATED');
    expectProblem(await call('DELETE', day, await world.login('county_h')), 403, 'FORBIDDEN');
    const cityAdmin = await world.login('city_admin');
    expectProblem(
      await call('DELETE', '/api/v1/calendar/days/2031-03-04?regionCode=330106', cityAdmin),
      404,
      'NOT_FOUND',
    );
    const admin = await world.login('admin');
    expectProblem(
      await call('DELETE', '/api/v1/calendar/days/2025-01-26', admin),
      409,
      'CONFLICT',
      'params.date',
    );

    const res = await call('DELETE', day, cityAdmin);
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json()).toEqual({
      removed: { date: '2031-03-03', kind: 'holiday', name: '区运会', source: 'admin', regionCode: '330106' },
      restored: null,
    });
    const event = await ctx.db
      .selectFrom('events')
      .select(['actor_id', 'payload'])
      .where('type', '=', 'calendar.day_removed')
      .executeTakeFirst();
    expect(event).toMatchObject({
      actor_id: cityAdminId,
      payload: { date: '2031-03-03', regionCode: '330106' },
    });
  });
});
