import { LIGHTS, type Light, SENSITIVITIES, URGENCIES } from '@duban/schema';
import type { LightMyRequestResponse } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestContext, type TestContext } from '../support/context.ts';
import { buildWorld, type Client, itemBody, type Session, type World } from '../support/factories.ts';

/**
 * The list API against ~60 items in varied states, built over the API "in the past" and read at a
 * later clock: every filter returns exactly the set computed here from the item details, sorting
 * and cursor pagination are exact, and lists are scoped to the caller's data scope.
 */

const BASE = '/api/v1/items';
const FINAL_NOW = '2026-11-27T02:00:00Z'; // 10:00 in Shanghai
const NEAR_MIDNIGHT = '2026-11-27T16:30:00Z'; // 00:30 on 11-28 in Shanghai

type Detail = {
  id: string;
  number: string;
  title: string;
  status: string;
  categoryCode: string;
  urgency: string;
  sensitivity: string;
  regionCode: string;
  deadline: string;
  parentId: string | null;
  light: Light | null;
  createdAt: string;
  version: number;
  assigningUnit: { id: string };
  supervisingUnit: { id: string } | null;
  assignments: { unitId: string; status: string }[];
};
type Row = { id: string; deadline: string; createdAt: string } & Record<string, unknown>;

let ctx: TestContext;
let w: World;
const ids: string[] = [];
let parentWithChildren = '';
let details: Detail[] = [];
/** region code → materialised path */
const regionPath = new Map<string, string>();
/** unit id → region code */
const unitRegion = new Map<string, string>();

const UNIT_REGION: Record<string, string> = {
  provOffice: '330000',
  cityOffice: '330100',
  housing: '330100',
  education: '330100',
  finance: '330100',
  countyOffice: '330106',
  countyHousing: '330106',
  ningboHousing: '330200',
  ningboOffice: '330200',
};
const HANDLER_OF: Record<string, string> = {
  housing: 'housing_h',
  education: 'edu_h',
  finance: 'fin_h',
  countyHousing: 'county_h',
  ningboHousing: 'ningbo_h',
};
const CREATORS = ['city_sup', 'city_sup', 'prov_sup', 'ningbo_sup', 'county_sup'] as const;
const LEADS: Record<(typeof CREATORS)[number], string[]> = {
  city_sup: ['housing', 'education', 'finance', 'countyHousing'],
  prov_sup: ['housing', 'ningboHousing', 'countyHousing'],
  ningbo_sup: ['ningboHousing'],
  county_sup: ['countyHousing'],
};
const DEADLINES = [
  '2026-11-20', // overdue
  '2026-11-27', // red (deadline today)
  '2026-11-28', // red
  '2026-11-29', // yellow
  '2026-11-30', // yellow
  '2026-12-05', // yellow by elapsed share
  '2027-01-15',
  '2027-06-30',
  '2026-12-20',
];
/** Titles where LIKE wildcards would match decoys. */
const SPECIAL_TITLES: Record<number, string> = {
  3: '完成率100%的指标',
  4: '100_percent 达标',
  5: '100 percent 达标',
  6: '完成率100分的指标',
  7: '路径 a\\b 的反斜杠',
  8: '路径 ab 的反斜杠',
};

function ok(res: LightMyRequestResponse, status = 200) {
  if (res.statusCode !== status) throw new Error(`expected ${status}, got ${res.statusCode}: ${res.body}`);
  return res.json();
}

/** World clients, but logging in again once the test clock has moved past a session's lifetime. */
const sessions = new Map<string, { session: Session; at: number }>();
async function as(user: string): Promise<Client> {
  const now = ctx.now().getTime();
  let entry = sessions.get(user);
  if (!entry || now - entry.at > 11 * 3_600_000) {
    entry = { session: await w.login(user), at: now };
    sessions.set(user, entry);
  }
  const { cookie, csrf } = entry.session;
  const write = (method: 'POST' | 'PATCH' | 'PUT') => (url: string, body?: unknown) =>
    w.app.inject({ method, url, payload: (body ?? {}) as object, headers: { cookie, 'x-csrf-token': csrf } });
  return {
    get: (url) => w.app.inject({ method: 'GET', url, headers: { cookie } }),
    post: write('POST'),
    patch: (url, body) => write('PATCH')(url, body),
    put: (url, body) => write('PUT')(url, body),
  };
}

async function act(user: string, id: string, action: string, body: object = {}) {
  return ok(await (await as(user)).post(`${BASE}/${id}/actions/${action}`, body)).item;
}

beforeAll(async () => {
  ctx = await createTestContext();
  const start = Date.parse('2026-06-01T02:00:00Z');
  ctx.setNow(new Date(start));
  w = await buildWorld(ctx);
  for (const r of await ctx.db.selectFrom('regions').select(['code', 'path']).execute())
    regionPath.set(r.code, r.path);
  for (const [key, region] of Object.entries(UNIT_REGION)) {
    const id = w.units[key];
    if (id) unitRegion.set(id, region);
  }
  const categories: string[] = ok(await (await as('city_sup')).get('/api/v1/categories')).categories.map(
    (c: { code: string }) => c.code,
  );
  const unit = (key: string) => {
    const id = w.units[key];
    if (!id) throw new Error(`no unit ${key}`);
    return id;
  };

  for (let k = 0; k < 60; k++) {
    // six batches 20 days apart; within one, pairs of items share a creation instant (id tie-break)
    const t = start + Math.floor(k / 10) * 20 * 86_400_000 + Math.floor((k % 10) / 2) * 1_800_000;
    ctx.setNow(new Date(t));
    // shifts by one every ten items, so each state (k % 10) is reached by several creators
    const creator = CREATORS[(k + Math.floor(k / 10)) % CREATORS.length] ?? 'city_sup';
    const sensitivity = SENSITIVITIES[(k >> 1) % SENSITIVITIES.length] ?? 'public';
    const deadline = DEADLINES[k % DEADLINES.length] ?? '2027-06-30';
    const overrides: Record<string, unknown> = {
      title:
        SPECIAL_TITLES[k] ??
        `事项${k}：${['老旧小区改造', '义务教育提质', '财政资金绩效', '营商环境优化'][k % 4]}`,
      categoryCode: categories[k % categories.length],
      // 特急 items are accepted at dispatch and so never returned: those meant to be returned are 紧急.
      urgency:
        k % 10 === 9 && URGENCIES[k % URGENCIES.length] === 'critical'
          ? 'urgent'
          : URGENCIES[k % URGENCIES.length],
      sensitivity,
      isPublic: sensitivity === 'public',
      deadline,
      draft: k % 10 === 0,
    };
    // supervised by 宁波's housing bureau: visible to it although it is neither assigner nor assignee
    if (k === 11) overrides.supervisingUnitId = unit('ningboHousing');
    const sup = await as(creator);
    const id: string = ok(await sup.post(BASE, itemBody(overrides)), 201).item.id;
    ids.push(id);
    const state = k % 10;
    if (state <= 1) continue;

    ctx.setNow(new Date(t + 3_600_000));
    const leads = LEADS[creator];
    const lead = leads[k % leads.length] ?? 'housing';
    const collaborator = creator === 'city_sup' && k % 3 === 0 ? leads[(k + 1) % leads.length] : undefined;
    const assignments = [
      { unitId: unit(lead), role: 'lead', deadline },
      ...(collaborator && collaborator !== lead
        ? [{ unitId: unit(collaborator), role: 'collaborator', deadline }]
        : []),
    ];
    await act(creator, id, 'dispatch', { assignments });
    ctx.setNow(new Date(t + 2 * 3_600_000));
    const handler = HANDLER_OF[lead] ?? 'housing_h';
    if (state === 2) continue;
    if (state === 9) {
      await act(handler, id, 'return', { reason: '不属于本单位职责' });
      continue;
    }
    if (state === 7) {
      await act(creator, id, 'suspend', { reason: '暂缓' });
      continue;
    }
    if (state === 8) {
      await act(creator, id, 'cancel', { reason: '撤销' });
      continue;
    }
    // 特急 items are accepted on the units' behalf at dispatch.
    if (overrides.urgency !== 'critical') {
      await act(handler, id, 'accept');
      if (assignments.length > 1 && collaborator) await act(HANDLER_OF[collaborator] ?? '', id, 'accept');
    }
    if (state === 3) continue;
    await act(handler, id, 'report', { percent: 10 * k > 100 ? 90 : 10 * k, narrative: `第${k}项进展` });
    if (state === 4) continue;
    await act(handler, id, 'request-completion', { summary: '完成' });
    if (state === 5) continue;
    await act(creator, id, 'approve-completion', {});
  }

  // 分解: one registered 杭州 item split into two 西湖区 children
  ctx.setNow(new Date(start + 100 * 86_400_000));
  const parent: string = ok(
    await (await as('city_sup')).post(BASE, itemBody({ title: '分解母事项', deadline: '2027-03-31' })),
    201,
  ).item.id;
  const decomposed = await act('city_sup', parent, 'decompose', {
    children: [
      { assigningUnitId: unit('countyOffice'), deadline: '2027-02-28', title: '子事项一' },
      { assigningUnitId: unit('countyOffice'), deadline: '2027-03-31', title: '子事项二' },
    ],
  });
  parentWithChildren = parent;
  ids.push(parent, ...decomposed.children.map((c: { id: string }) => c.id));

  ctx.setNow(FINAL_NOW);
  // prov_sup reads every item's detail for the model, 敏感 ones included.
  for (const user of SENSITIVE_GRANTED) {
    ok(
      await (await as('admin')).post(`/api/v1/org/users/${w.users[user]}/grants`, {
        grant: 'sensitive:read',
        reason: '列表测试读取全部事项',
      }),
      201,
    );
  }
  details = await loadDetails();
}, 180_000);
afterAll(async () => {
  await w?.app.close();
  await ctx?.cleanup();
});

async function loadDetails(): Promise<Detail[]> {
  const prov = await as('prov_sup');
  const out: Detail[] = [];
  for (const id of ids) out.push(ok(await prov.get(`${BASE}/${id}`)).item);
  return out;
}

/** All pages of a list query, asserting pages are full but the last, and no id repeats. */
async function walk(user: string, query: string, limit = 200): Promise<Row[]> {
  const c = await as(user);
  const rows: Row[] = [];
  let cursor: string | null = null;
  for (let page = 0; page < 100; page++) {
    const sep = query ? '&' : '';
    const url: string = `${BASE}?${query}${sep}limit=${limit}${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`;
    const body: { items: Row[]; nextCursor: string | null } = ok(await c.get(url));
    expect(body.items.length).toBeLessThanOrEqual(limit);
    rows.push(...body.items);
    cursor = body.nextCursor;
    if (cursor === null) break;
    expect(body.items).toHaveLength(limit);
  }
  expect(cursor).toBeNull();
  expect(new Set(rows.map((r) => r.id)).size).toBe(rows.length);
  return rows;
}

const idsOf = (rows: { id: string }[]) => rows.map((r) => r.id).sort();

function inSubtree(regionCode: string, root: string): boolean {
  const p = regionPath.get(regionCode);
  const r = regionPath.get(root);
  if (p === undefined || r === undefined) throw new Error(`unknown region ${regionCode} / ${root}`);
  return p === r || p.startsWith(`${r}.`);
}

function involvedUnits(d: Detail): string[] {
  return [
    d.assigningUnit.id,
    ...(d.supervisingUnit ? [d.supervisingUnit.id] : []),
    ...d.assignments.map((a) => a.unitId),
  ];
}

/** Expected visibility, from the policy's description: region subtree for supervisors, own unit for handlers. */
function visibleTo(user: string): (d: Detail) => boolean {
  const regionOf: Record<string, string> = {
    prov_sup: '330000',
    leader: '330000',
    auditor: '330000',
    city_sup: '330100',
    county_sup: '330106',
    ningbo_sup: '330200',
  };
  const unitOf: Record<string, string> = {
    housing_h: 'housing',
    edu_h: 'education',
    fin_h: 'finance',
    county_h: 'countyHousing',
    ningbo_h: 'ningboHousing',
  };
  const region = regionOf[user];
  const scope = (d: Detail): boolean => {
    if (region) return involvedUnits(d).some((u) => inSubtree(unitRegion.get(u) ?? '', region));
    const unitKey = unitOf[user];
    if (unitKey) return involvedUnits(d).includes(w.units[unitKey] ?? '');
    return false;
  };
  // 敏感 items: only with the sensitive:read grant, or when the user's own unit handles them (the
  // creators here are supervisors of the assigning office, so "registered it" adds nothing).
  const ownUnit = w.units[USER_UNIT[user] ?? ''] ?? '';
  const sensitiveOk = (d: Detail) =>
    d.sensitivity !== 'sensitive' || SENSITIVE_GRANTED.has(user) || involvedUnits(d).includes(ownUnit);
  return (d) => scope(d) && sensitiveOk(d);
}

/** Who holds sensitive:read in this test (granted in beforeAll), and every user's own unit. */
const SENSITIVE_GRANTED = new Set(['prov_sup']);
const USER_UNIT: Record<string, string> = {
  prov_sup: 'provOffice',
  leader: 'provOffice',
  auditor: 'provOffice',
  city_sup: 'cityOffice',
  county_sup: 'countyOffice',
  ningbo_sup: 'ningboOffice',
  housing_h: 'housing',
  edu_h: 'education',
  fin_h: 'finance',
  county_h: 'countyHousing',
  ningbo_h: 'ningboHousing',
};

function expectSet(rows: Row[], predicate: (d: Detail) => boolean, label: string) {
  const expected = details
    .filter(predicate)
    .map((d) => d.id)
    .sort();
  expect(idsOf(rows), label).toEqual(expected);
  return expected.length;
}

describe('the fixture', () => {
  it('has items in many states, lights and units', () => {
    expect(details.length).toBeGreaterThanOrEqual(60);
    const statuses = new Set(details.map((d) => d.status));
    for (const s of [
      'draft',
      'registered',
      'dispatched',
      'returned',
      'in_progress',
      'completion_requested',
      'completed',
      'suspended',
      'cancelled',
    ])
      expect(statuses, s).toContain(s);
    const lights = new Set(details.map((d) => d.light));
    for (const l of [...LIGHTS, null]) expect(lights, String(l)).toContain(l);
  });

  it('lists every row with the same fields as its detail', async () => {
    const rows = await walk('prov_sup', '');
    expect(idsOf(rows)).toEqual([...ids].sort());
    for (const r of rows) {
      const d = details.find((x) => x.id === r.id);
      expect(r).toMatchObject({
        number: d?.number,
        title: d?.title,
        status: d?.status,
        light: d?.light,
        deadline: d?.deadline,
        regionCode: d?.regionCode,
        createdAt: d?.createdAt,
        version: d?.version,
        parentId: d?.parentId,
        categoryCode: d?.categoryCode,
      });
    }
  });
});

describe('filters return exactly the matching items', () => {
  it('status (one and several)', async () => {
    for (const s of [
      'draft',
      'registered',
      'dispatched',
      'returned',
      'in_progress',
      'completion_requested',
      'completed',
      'suspended',
      'cancelled',
      'archived',
    ])
      expectSet(await walk('prov_sup', `status=${s}`), (d) => d.status === s, s);
    expectSet(
      await walk('prov_sup', 'status=dispatched,in_progress,returned'),
      (d) => ['dispatched', 'in_progress', 'returned'].includes(d.status),
      'several',
    );
  });

  it('category, urgency, sensitivity', async () => {
    for (const c of new Set(details.map((d) => d.categoryCode)))
      expectSet(await walk('prov_sup', `category=${c}`), (d) => d.categoryCode === c, c);
    expectSet(await walk('prov_sup', 'category=none'), () => false, 'unknown category');
    for (const u of URGENCIES) expectSet(await walk('prov_sup', `urgency=${u}`), (d) => d.urgency === u, u);
    for (const s of SENSITIVITIES)
      expectSet(await walk('prov_sup', `sensitivity=${s}`), (d) => d.sensitivity === s, s);
  });

  it('unitId: items the unit assigns or is (still) assigned', async () => {
    for (const [key, unitId] of Object.entries(w.units)) {
      const n = expectSet(
        await walk('prov_sup', `unitId=${unitId}`),
        (d) =>
          d.assigningUnit.id === unitId ||
          d.assignments.some((a) => a.unitId === unitId && a.status !== 'returned'),
        key,
      );
      if (key === 'housing' || key === 'countyHousing') expect(n).toBeGreaterThan(0);
    }
  });

  it("myAssignment: items where the caller's own unit has an assignment in that state", async () => {
    const mine: [string, string][] = [
      ['housing_h', 'housing'],
      ['edu_h', 'education'],
      ['county_h', 'countyHousing'],
    ];
    let pending = 0;
    for (const [user, key] of mine) {
      for (const state of ['pending', 'accepted', 'returned']) {
        pending += expectSet(
          await walk(user, `myAssignment=${state}`),
          (d) => d.assignments.some((a) => a.unitId === w.units[key] && a.status === state),
          `${user} ${state}`,
        );
      }
    }
    expect(pending).toBeGreaterThan(0);
    const res = await (await as('housing_h')).get(`${BASE}?myAssignment=maybe`);
    expect(res.statusCode).toBe(400);
    expect(res.json()).toMatchObject({ code: 'VALIDATION_FAILED', field: 'querystring.myAssignment' });
  });

  it('regionCode: items of units in the region subtree; unknown region is a 400', async () => {
    for (const code of ['330000', '330100', '330106', '330200', '330300']) {
      expectSet(await walk('prov_sup', `regionCode=${code}`), (d) => inSubtree(d.regionCode, code), code);
    }
    // scope and filter together
    expectSet(
      await walk('city_sup', 'regionCode=330106'),
      (d) => visibleTo('city_sup')(d) && inSubtree(d.regionCode, '330106'),
      'city_sup ∧ 西湖区',
    );
    const res = await (await as('prov_sup')).get(`${BASE}?regionCode=339999`);
    expect(res.statusCode).toBe(400);
    expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(res.json()).toMatchObject({ code: 'VALIDATION_FAILED', field: 'querystring.regionCode' });
  });

  it('light (each and several), at 10:00 and just after Shanghai midnight', async () => {
    for (const instant of [FINAL_NOW, NEAR_MIDNIGHT]) {
      ctx.setNow(instant);
      const at = await loadDetails();
      const check = async (lights: Light[]) => {
        const rows = await walk('prov_sup', `light=${lights.join(',')}`);
        const expected = at
          .filter((d) => d.light !== null && lights.includes(d.light))
          .map((d) => d.id)
          .sort();
        expect(idsOf(rows), `${instant} ${lights}`).toEqual(expected);
        for (const r of rows) expect(lights).toContain(r.light);
        return expected.length;
      };
      for (const l of LIGHTS) expect(await check([l]), `${instant} ${l}`).toBeGreaterThan(0);
      await check(['red', 'overdue']);
      await check(['green', 'yellow']);
    }
    ctx.setNow(FINAL_NOW);
  });

  it('deadlineFrom / deadlineTo (inclusive)', async () => {
    const cases: [string | undefined, string | undefined][] = [
      ['2026-11-28', undefined],
      [undefined, '2026-11-28'],
      ['2026-11-28', '2026-11-30'],
      ['2026-11-29', '2026-11-29'],
      ['2027-01-01', '2026-12-01'],
    ];
    for (const [from, to] of cases) {
      const q = [from && `deadlineFrom=${from}`, to && `deadlineTo=${to}`].filter(Boolean).join('&');
      expectSet(
        await walk('prov_sup', q),
        (d) => (from === undefined || d.deadline >= from) && (to === undefined || d.deadline <= to),
        q,
      );
    }
  });

  it('parentId: the children of a decomposed item', async () => {
    const n = expectSet(
      await walk('prov_sup', `parentId=${parentWithChildren}`),
      (d) => d.parentId === parentWithChildren,
      'children',
    );
    expect(n).toBe(2);
    expectSet(await walk('prov_sup', `parentId=${ids[0]}`), () => false, 'no children');
  });

  it('q matches title or number, case-insensitively, with % _ \\ taken literally', async () => {
    const cases = ['100%', '100_p', '0_p', '%', '_', 'a\\b', '老旧小区', '杭督', '〔2026〕0003', 'PERCENT'];
    for (const q of cases) {
      const n = expectSet(
        await walk('prov_sup', `q=${encodeURIComponent(q)}`),
        (d) =>
          d.title.toLowerCase().includes(q.toLowerCase()) || d.number.toLowerCase().includes(q.toLowerCase()),
        q,
      );
      expect(n, q).toBeGreaterThan(0);
    }
    expect(idsOf(await walk('prov_sup', `q=${encodeURIComponent('100%')}`))).toEqual([ids[3]].sort());
    expect(idsOf(await walk('prov_sup', `q=${encodeURIComponent('100_')}`))).toEqual([ids[4]].sort());
    expect(idsOf(await walk('prov_sup', `q=${encodeURIComponent('a\\b')}`))).toEqual([ids[7]].sort());
  });

  it('combines filters with AND', async () => {
    expectSet(
      await walk(
        'prov_sup',
        `status=in_progress,dispatched&urgency=normal&regionCode=330100&light=red,overdue,yellow`,
      ),
      (d) =>
        ['in_progress', 'dispatched'].includes(d.status) &&
        d.urgency === 'normal' &&
        inSubtree(d.regionCode, '330100') &&
        d.light !== null &&
        ['red', 'overdue', 'yellow'].includes(d.light),
      'combined',
    );
  });
});

describe('sorting and cursor pagination', () => {
  const cmp = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);
  const orders: Record<string, (a: Detail, b: Detail) => number> = {
    deadline: (a, b) => cmp(a.deadline, b.deadline) || cmp(a.id, b.id),
    '-deadline': (a, b) => cmp(b.deadline, a.deadline) || cmp(b.id, a.id),
    createdAt: (a, b) => cmp(a.createdAt, b.createdAt) || cmp(a.id, b.id),
    '-createdAt': (a, b) => cmp(b.createdAt, a.createdAt) || cmp(b.id, a.id),
  };

  it('the default sort is newest first', async () => {
    const rows = await walk('prov_sup', '');
    expect(rows.map((r) => r.id)).toEqual([...details].sort(orders['-createdAt']).map((d) => d.id));
  });

  for (const sort of Object.keys(orders)) {
    it(`sort=${sort}: pages of 7 yield every visible item exactly once, in order`, async () => {
      const order = orders[sort];
      if (!order) throw new Error(sort);
      for (const user of ['prov_sup', 'city_sup', 'ningbo_h']) {
        const rows = await walk(user, `sort=${sort}`, 7);
        const expected = details
          .filter(visibleTo(user))
          .sort(order)
          .map((d) => d.id);
        expect(
          rows.map((r) => r.id),
          user,
        ).toEqual(expected);
      }
      // with a filter too
      const rows = await walk('prov_sup', `sort=${sort}&status=in_progress,completed`, 7);
      expect(rows.map((r) => r.id)).toEqual(
        details
          .filter((d) => ['in_progress', 'completed'].includes(d.status))
          .sort(order)
          .map((d) => d.id),
      );
    });
  }

  it('an exact multiple of the page size ends with nextCursor null', async () => {
    const all = details.length;
    const rows = await walk('prov_sup', 'sort=deadline', all);
    expect(rows).toHaveLength(all);
    const c = await as('prov_sup');
    const body = ok(await c.get(`${BASE}?sort=deadline&limit=${all}`));
    expect(body.items).toHaveLength(all);
    expect(body.nextCursor).toBeNull();
  });

  it('a tampered cursor is a 400 naming querystring.cursor', async () => {
    const c = await as('prov_sup');
    const first = ok(await c.get(`${BASE}?sort=deadline&limit=7`));
    expect(first.nextCursor).toEqual(expect.any(String));
    const b64 = (v: unknown) => Buffer.from(JSON.stringify(v)).toString('base64url');
    const tampered = [
      'not-a-cursor!',
      `${first.nextCursor}x`,
      b64({ v: 1, id: 2 }),
      b64({ v: 'yesterday', id: ids[0] }),
      b64({ v: '2026-11-27', id: 'not-a-uuid' }),
      b64({ v: '2026-02-30', id: ids[0] }),
      b64(['2026-11-27', ids[0]]),
    ];
    const answers: string[] = [];
    const expected: string[] = [];
    for (const cursor of tampered) {
      for (const sort of ['deadline', '-createdAt']) {
        const res = await c.get(`${BASE}?sort=${sort}&limit=7&cursor=${encodeURIComponent(cursor)}`);
        const label = `${sort} ${cursor}`;
        answers.push(`${label} → ${res.statusCode} ${res.headers['content-type']} ${res.json().field}`);
        expected.push(`${label} → 400 application/problem+json; charset=utf-8 querystring.cursor`);
      }
    }
    expect(answers).toEqual(expected);
  });
});

describe('data scope in lists', () => {
  const users = [
    'prov_sup',
    'leader',
    'city_sup',
    'county_sup',
    'ningbo_sup',
    'housing_h',
    'edu_h',
    'fin_h',
    'county_h',
    'ningbo_h',
    'admin',
    'evaluator',
    'auditor',
  ];
  for (const user of users) {
    it(`${user} sees exactly its items`, async () => {
      const rows = await walk(user, '');
      expectSet(rows, visibleTo(user), user);
    });
  }

  it('prov_sup sees all; city_sup only 杭州 (incl. 西湖区); ningbo_h only 宁波; county_h only 西湖区住建局', async () => {
    const count = async (u: string) => (await walk(u, '')).length;
    expect(await count('prov_sup')).toBe(details.length);
    const city = await walk('city_sup', '');
    expect(city.length).toBeLessThan(details.length);
    for (const r of city) {
      const d = details.find((x) => x.id === r.id);
      expect(d && involvedUnits(d).some((u) => inSubtree(unitRegion.get(u) ?? '', '330100'))).toBe(true);
    }
    const ningbo = await walk('ningbo_h', '');
    expect(ningbo.length).toBeGreaterThan(0);
    // the item 宁波住建局 only supervises is visible to it
    expect(ningbo.map((r) => r.id)).toContain(ids[11]);
    const county = await walk('county_h', '');
    expect(county.length).toBeGreaterThan(0);
    for (const r of county) {
      const d = details.find((x) => x.id === r.id);
      expect(d && involvedUnits(d)).toContain(w.units.countyHousing);
    }
  });
});
