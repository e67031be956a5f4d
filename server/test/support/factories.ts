import type { LightMyRequestResponse } from 'fastify';
import { buildApp } from '../../src/app.ts';
import type { App } from '../../src/http/types.ts';
import { ensureStandardCategories } from '../../src/items/categories.ts';
import { importRegions } from '../../src/org/regions.ts';
import { createUnit } from '../../src/org/units.ts';
import { createUser } from '../../src/org/users.ts';
import type { TestContext } from './context.ts';

export const PASSWORD = 'test-password-123';

type UnitSpec = { key: string; name: string; kind: string; regionCode: string; shortName?: string };
const UNITS: UnitSpec[] = [
  {
    key: 'provOffice',
    name: '浙江省人民政府督查室',
    kind: 'supervision_office',
    regionCode: '330000',
    shortName: '浙',
  },
  {
    key: 'cityOffice',
    name: '杭州市人民政府督查室',
    kind: 'supervision_office',
    regionCode: '330100',
    shortName: '杭',
  },
  { key: 'housing', name: '杭州市住房和城乡建设局', kind: 'department', regionCode: '330100' },
  { key: 'education', name: '杭州市教育局', kind: 'department', regionCode: '330100' },
  { key: 'finance', name: '杭州市财政局', kind: 'department', regionCode: '330100' },
  { key: 'countyOffice', name: '西湖区人民政府督查室', kind: 'supervision_office', regionCode: '330106' },
  { key: 'countyHousing', name: '西湖区住房和城乡建设局', kind: 'department', regionCode: '330106' },
  { key: 'ningboHousing', name: '宁波市住房和城乡建设局', kind: 'department', regionCode: '330200' },
  { key: 'ningboOffice', name: '宁波市人民政府督查室', kind: 'supervision_office', regionCode: '330200' },
];

type UserSpec = { username: string; unit: string; roles: string[] };
const USERS: UserSpec[] = [
  { username: 'prov_sup', unit: 'provOffice', roles: ['supervisor'] },
  { username: 'city_sup', unit: 'cityOffice', roles: ['supervisor'] },
  { username: 'county_sup', unit: 'countyOffice', roles: ['supervisor'] },
  { username: 'ningbo_sup', unit: 'ningboOffice', roles: ['supervisor'] },
  { username: 'leader', unit: 'provOffice', roles: ['leader'] },
  { username: 'housing_h', unit: 'housing', roles: ['handler'] },
  { username: 'housing_head', unit: 'housing', roles: ['unit_head'] },
  { username: 'edu_h', unit: 'education', roles: ['handler'] },
  { username: 'fin_h', unit: 'finance', roles: ['handler'] },
  { username: 'county_h', unit: 'countyHousing', roles: ['handler'] },
  { username: 'ningbo_h', unit: 'ningboHousing', roles: ['handler'] },
  { username: 'evaluator', unit: 'provOffice', roles: ['evaluator'] },
  { username: 'admin', unit: 'provOffice', roles: ['admin'] },
  { username: 'auditor', unit: 'provOffice', roles: ['auditor'] },
];

export type Session = { cookie: string; csrf: string };
export type World = {
  app: App;
  units: Record<string, string>;
  users: Record<string, string>;
  login(username: string): Promise<Session>;
  as(username: string): Promise<Client>;
};

export type Client = {
  get(url: string): Promise<LightMyRequestResponse>;
  post(url: string, body?: unknown, headers?: Record<string, string>): Promise<LightMyRequestResponse>;
  patch(url: string, body: unknown, headers?: Record<string, string>): Promise<LightMyRequestResponse>;
  put(url: string, body: unknown, headers?: Record<string, string>): Promise<LightMyRequestResponse>;
};

/** Regions of 浙江, a handful of units at province, city and county level, and a user per role. */
export async function buildWorld(ctx: TestContext): Promise<World> {
  await importRegions(ctx.db, { code: '330000' });
  await ensureStandardCategories(ctx.db);
  const units: Record<string, string> = {};
  for (const u of UNITS) {
    const row = await ctx.db
      .transaction()
      .execute((tx) =>
        createUnit(
          tx,
          { name: u.name, kind: u.kind, regionCode: u.regionCode, shortName: u.shortName ?? null },
          { actorId: null, at: new Date() },
        ),
      );
    units[u.key] = row.id;
  }
  const users: Record<string, string> = {};
  for (const u of USERS) {
    const unitId = units[u.unit];
    if (!unitId) throw new Error(`fixture: no unit ${u.unit}`);
    const created = await createUser(ctx.db, {
      username: u.username,
      displayName: u.username,
      password: PASSWORD,
      unitId,
      roles: u.roles,
    });
    users[u.username] = created.id;
  }
  const app = await buildApp(ctx);
  const sessions = new Map<string, Session>();
  const login = async (username: string): Promise<Session> => {
    const res = await app.inject({
      method: 'POST',
      url: '/api/v1/auth/login',
      payload: { username, password: PASSWORD },
    });
    if (res.statusCode !== 200) throw new Error(`login ${username}: ${res.statusCode} ${res.body}`);
    const cookie = res.cookies.find((c) => c.name === 'duban_session');
    if (!cookie) throw new Error('no session cookie');
    return { cookie: `duban_session=${cookie.value}`, csrf: res.json().csrfToken };
  };
  const as = async (username: string): Promise<Client> => {
    let s = sessions.get(username);
    if (!s) {
      s = await login(username);
      sessions.set(username, s);
    }
    const session = s;
    const write =
      (method: 'POST' | 'PATCH' | 'PUT') =>
      (url: string, body?: unknown, headers: Record<string, string> = {}) =>
        app.inject({
          method,
          url,
          payload: (body ?? {}) as object,
          headers: { cookie: session.cookie, 'x-csrf-token': session.csrf, ...headers },
        });
    return {
      get: (url) => app.inject({ method: 'GET', url, headers: { cookie: session.cookie } }),
      post: write('POST'),
      patch: (url, body, headers) => write('PATCH')(url, body, headers),
      put: (url, body, headers) => write('PUT')(url, body, headers),
    };
  };
  return { app, units, users, login, as };
}

/** A valid registration body; override what a test cares about. */
export function itemBody(overrides: Record<string, unknown> = {}) {
  return {
    title: '推进老旧小区改造',
    content: '完成城北片区老旧小区综合改造 50 个。',
    source: 'work_report',
    categoryCode: 'livelihood',
    urgency: 'normal',
    sensitivity: 'public',
    isPublic: true,
    deadline: '2027-06-30',
    targets: [{ key: 'old_communities', name: '改造老旧小区', unit: '个', target: 50 }],
    ...overrides,
  };
}
