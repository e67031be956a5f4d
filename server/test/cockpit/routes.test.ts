import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { catchUpKpis, recomputeKpis } from '../../src/kpi/rollups.ts';
import { complete } from '../kpi/support.ts';
import type { TestContext } from '../support/context.ts';
import {
  act,
  atNoon,
  type Client,
  closeWorld,
  itemBody,
  openWorld,
  type World,
} from '../support/factories.ts';

/*
 * 领导驾驶舱 routes on a small world read on 2025-04-15 (months 2025-01 … 2025-06):
 *   A, B  杭州市住建局, deadline 03-31, completed 03-14 (on time)
 *   C     杭州市住建局, deadline 03-31, completed 04-02 (late: 超期)
 *   D     杭州市住建局, deadline 03-31, accepted, open (超期, in_progress)
 *   E     杭州市教育局, deadline 03-10, open, never accepted (超期, dispatched)
 *   F     杭州市住建局, deadline 05-30, open (not due yet)
 *   L     西湖区住建局 (330106), deadline 03-31, completed 03-14
 *   M     宁波市住建局 (330200), deadline 03-31, open (超期)
 */

/** Distinct texts, so duplicate detection at registration lets each item in. */
const TEXTS: Record<string, string> = {
  A: '新建城东污水处理厂一座，日处理能力十万吨。',
  B: '完成全市中小学食堂明厨亮灶改造。',
  C: '开通城西至机场的快速公交专线两条。',
  D: '建设智慧停车平台，接入公共泊位两万个。',
  E: '推动高校毕业生就业见习基地扩容。',
  F: '整治背街小巷路面破损与积水点位。',
  L: '压缩企业开办时间至一个工作日以内。',
  M: '完成港区集装箱码头岸电设施建设。',
};

/**
 * The definition of the cockpit's open tables as the catalog has it: columns, constraints, index
 * definitions, persistence, and whether the facts' cockpit triggers are enabled.
 */
async function tableShape() {
  const r = await sql<{ what: string }>`
    select 'column ' || c.relname || '.' || a.attname || ' ' || format_type(a.atttypid, a.atttypmod)
      || case when a.attnotnull then ' not null' else '' end || ' #' || a.attnum as what
    from pg_attribute a join pg_class c on c.oid = a.attrelid
    where c.relname in ('cockpit_open_items', 'cockpit_open_counts') and a.attnum > 0 and not a.attisdropped
    union all
    select 'constraint ' || conname || ' ' || pg_get_constraintdef(oid) from pg_constraint
    where conrelid in ('cockpit_open_items'::regclass, 'cockpit_open_counts'::regclass)
    union all
    select 'index ' || indexdef from pg_indexes where tablename in ('cockpit_open_items', 'cockpit_open_counts')
    union all
    select 'table ' || relname || ' ' || relpersistence::text from pg_class
    where relname like 'cockpit_open%' and relkind = 'r'
    union all
    select 'trigger ' || tgname || ' ' || tgenabled::text from pg_trigger
    where tgrelid = 'kpi_item_facts'::regclass and not tgisinternal
    order by 1`.execute(ctx.db);
  return r.rows.map((row) => row.what);
}

/** Registers an item (as `sup`) on `on` and dispatches it to `leadUnit`. */
async function dispatched(
  ctx: TestContext,
  sup: Client,
  o: { on: string; leadUnit: string; deadline: string; title: string; categoryCode?: string },
): Promise<string> {
  atNoon(ctx, o.on);
  const key = o.title.slice(-1);
  const created = await sup.post(
    '/api/v1/items',
    itemBody({
      deadline: o.deadline,
      title: `${o.title}：${TEXTS[key]}`,
      content: TEXTS[key],
      targets: [],
      categoryCode: o.categoryCode ?? 'livelihood',
    }),
  );
  expect(created.statusCode, created.body).toBe(201);
  const id = created.json().item.id as string;
  await act(sup, id, 'dispatch', {
    assignments: [{ unitId: o.leadUnit, role: 'lead', deadline: o.deadline }],
  });
  return id;
}

let ctx: TestContext;
let w: World;
let leader: Client;
const ids: Record<string, string> = {};
const RANGE = 'from=2025-01&to=2025-06';

beforeAll(async () => {
  ({ ctx, w } = await openWorld());
  const sup = await w.as('city_sup');
  for (const u of ['housing_h', 'edu_h', 'county_h', 'ningbo_sup', 'leader', 'prov_sup', 'auditor'])
    await w.as(u);
  leader = await w.as('leader');
  const housing = w.units.housing as string;
  const base = { on: '2025-03-03', leadUnit: housing, deadline: '2025-03-31' };
  for (const k of ['A', 'B', 'C', 'D']) ids[k] = await dispatched(ctx, sup, { ...base, title: `事项${k}` });
  ids.E = await dispatched(ctx, sup, {
    ...base,
    leadUnit: w.units.education as string,
    deadline: '2025-03-10',
    title: '事项E',
  });
  ids.F = await dispatched(ctx, sup, { ...base, deadline: '2025-05-30', title: '事项F' });
  ids.L = await dispatched(ctx, sup, {
    ...base,
    leadUnit: w.units.countyHousing as string,
    title: '事项L',
    categoryCode: 'business-environment',
  });
  ids.M = await dispatched(ctx, await w.as('ningbo_sup'), {
    ...base,
    leadUnit: w.units.ningboHousing as string,
    title: '事项M',
  });
  await complete(ctx, w, 'housing_h', sup, ids.A as string, '2025-03-14');
  await complete(ctx, w, 'housing_h', sup, ids.B as string, '2025-03-14');
  await complete(ctx, w, 'housing_h', sup, ids.C as string, '2025-04-02');
  await complete(ctx, w, 'county_h', sup, ids.L as string, '2025-03-14');
  atNoon(ctx, '2025-03-05');
  await act(await w.as('housing_h'), ids.D as string, 'accept');
  await catchUpKpis(ctx.db, atNoon(ctx, '2025-04-15'));
}, 180_000);

afterAll(() => closeWorld(ctx, w));

type Counts = { due: number; completed: number; onTimeDue: number; onTime: number; overdue: number };
type Overview = {
  region: { code: string; name: string };
  kpis: { code: string; numerator: number | null; denominator: number | null; value: number | null }[];
  trend: ({ month: string } & Counts)[];
  regions: ({ code: string; name: string } & Counts)[];
  categories: ({ code: string; name: string } & Counts)[];
  units: { total: number; best: ({ id: string; name: string } & Counts)[]; lagging: unknown[] };
  open: { total: number; byStatus: { status: string; count: number }[] };
  overdue: { total: number; items: { id: string; number: string; overdue: boolean }[] };
};

async function overview(client: Client, query: string): Promise<Overview> {
  const res = await client.get(`/api/v1/cockpit/overview?${query}`);
  expect(res.statusCode, res.body).toBe(200);
  return res.json();
}

async function total(client: Client, url: string): Promise<number> {
  const res = await client.get(url);
  expect(res.statusCode, `${url}: ${res.body}`).toBe(200);
  return res.json().total;
}

describe('GET /api/v1/cockpit/overview and /api/v1/cockpit/items', () => {
  it('401 without a session', async () => {
    for (const url of ['/api/v1/cockpit/overview', '/api/v1/cockpit/items?overdue=true'])
      expect((await w.app.inject({ method: 'GET', url })).statusCode).toBe(401);
  });

  it('400 problem+json naming the field', async () => {
    const cases: [string, string][] = [
      ['/api/v1/cockpit/overview?region=33', 'querystring.region'],
      ['/api/v1/cockpit/overview?from=2025-13', 'querystring.from'],
      ['/api/v1/cockpit/overview?from=2025-06&to=2025-01', 'querystring.from'],
      ['/api/v1/cockpit/overview?colour=red', 'querystring'],
      ['/api/v1/cockpit/items?status=lost', 'querystring.status'],
      ['/api/v1/cockpit/items?overdue=yes', 'querystring.overdue'],
      ['/api/v1/cockpit/items?limit=0', 'querystring.limit'],
    ];
    for (const [url, field] of cases) {
      const res = await leader.get(url);
      expect(res.statusCode, url).toBe(400);
      expect(res.headers['content-type']).toContain('application/problem+json');
      const body = res.json();
      expect(body.code, url).toBe('VALIDATION_FAILED');
      expect(body.detailZh, url).toBeTruthy();
      expect(String(body.field), url).toContain(field);
    }
  });

  it('404 for a region outside the data scope, an unknown region, or a role without a region view', async () => {
    const ningbo = await w.as('ningbo_sup');
    const handler = await w.as('housing_h');
    const cases: [Client, string][] = [
      [ningbo, '/api/v1/cockpit/overview?region=330100'],
      [ningbo, '/api/v1/cockpit/items?region=330100'],
      [ningbo, '/api/v1/cockpit/overview?region=330000'],
      [await w.as('county_sup'), '/api/v1/cockpit/overview?region=330100'],
      [leader, '/api/v1/cockpit/overview?region=999999'],
      [handler, '/api/v1/cockpit/overview'],
      [handler, '/api/v1/cockpit/items?overdue=true'],
      [await w.as('admin'), '/api/v1/cockpit/overview'],
    ];
    for (const [client, url] of cases) {
      const res = await client.get(url);
      expect(res.statusCode, url).toBe(404);
      expect(res.json().code, url).toBe('REGION_NOT_FOUND');
    }
  });

  it('the province overview: figures, trend, cities for the map, categories, rankings, open items', async () => {
    const o = await overview(leader, RANGE);
    expect(o.region).toMatchObject({ code: '330000', name: '浙江省' });
    const kpi = (code: string) => o.kpis.find((k) => k.code === code);
    // Due: A B C D E L M (F not yet); completed A B C L; overdue C D E M.
    expect(kpi('completion_rate')).toMatchObject({ numerator: 4, denominator: 7 });
    expect(kpi('overdue_rate')).toMatchObject({ numerator: 4, denominator: 7 });
    expect(kpi('on_time_rate')).toMatchObject({ numerator: 3, denominator: 7 });
    expect(kpi('satisfaction')).toMatchObject({ value: null });

    expect(o.trend.map((t) => t.month)).toEqual([
      '2025-01',
      '2025-02',
      '2025-03',
      '2025-04',
      '2025-05',
      '2025-06',
    ]);
    const march = o.trend.find((t) => t.month === '2025-03');
    expect(march).toMatchObject({ due: 7, completed: 4, overdue: 4 });

    expect(o.regions).toHaveLength(11);
    const hz = o.regions.find((r) => r.code === '330100');
    expect(hz).toMatchObject({ name: '杭州市', due: 6, completed: 4, onTime: 3, overdue: 3 });
    expect(o.regions.find((r) => r.code === '330200')).toMatchObject({ due: 1, completed: 0, overdue: 1 });
    expect(o.regions.find((r) => r.code === '330300')).toMatchObject({ due: 0, completed: 0 });

    expect(o.categories.find((c) => c.code === 'business-environment')).toMatchObject({
      due: 1,
      completed: 1,
    });
    expect(o.categories.find((c) => c.code === 'livelihood')).toMatchObject({ due: 6, completed: 3 });

    expect(o.units.total).toBe(4);
    expect(o.units.best.map((u) => u.name)).toEqual([
      '西湖区住房和城乡建设局',
      '杭州市住房和城乡建设局',
      '杭州市教育局',
      '宁波市住房和城乡建设局',
    ]);
    expect(o.units.best[1]).toMatchObject({ due: 4, completed: 3, overdue: 2 });

    // Open now: D in progress, E dispatched, F dispatched, M dispatched; overdue: D, E, M.
    expect(o.open.total).toBe(4);
    expect(Object.fromEntries(o.open.byStatus.map((s) => [s.status, s.count]))).toEqual({
      dispatched: 3,
      in_progress: 1,
    });
    expect(o.overdue.total).toBe(3);
    expect(o.overdue.items.map((i) => i.id).sort()).toEqual([ids.D, ids.E, ids.M].sort());
    expect(o.overdue.items.every((i) => i.overdue)).toBe(true);
  });

  it('every figure equals the total of its drill-down list', async () => {
    const o = await overview(leader, RANGE);
    const kpiItems = (code: string, q: string) => `/api/v1/kpis/${code}/items?${q}&${RANGE}`;
    const defs = (await leader.get('/api/v1/kpis')).json().kpis as {
      code: string;
      numerator: object;
      denominator: object;
    }[];
    for (const k of o.kpis.filter((k) => k.numerator !== null && k.code !== 'report_burden')) {
      const def = defs.find((d) => d.code === k.code);
      // A sum part (工作日之和, 评价数) equals the list's sum; a count part its total.
      for (const part of ['numerator', 'denominator'] as const) {
        const res = await leader.get(kpiItems(k.code, `dimension=region&key=330000&part=${part}`));
        expect(res.statusCode, res.body).toBe(200);
        const isSum = def !== undefined && 'sum' in def[part];
        expect(isSum ? res.json().sum : res.json().total, `${k.code} ${part}`).toBe(k[part]);
      }
    }
    for (const r of o.regions) {
      expect(
        await total(leader, kpiItems('completion_rate', `dimension=region&key=${r.code}&part=denominator`)),
      ).toBe(r.due);
      expect(
        await total(leader, kpiItems('overdue_rate', `dimension=region&key=${r.code}&part=numerator`)),
      ).toBe(r.overdue);
    }
    for (const t of o.trend) {
      const q = `dimension=region&key=330000&part=numerator&from=${t.month}&to=${t.month}`;
      expect(await total(leader, `/api/v1/kpis/completion_rate/items?${q}`)).toBe(t.completed);
    }
    for (const c of o.categories)
      expect(
        await total(
          leader,
          kpiItems('completion_rate', `dimension=category&key=${c.code}&region=330000&part=numerator`),
        ),
      ).toBe(c.completed);
    for (const u of o.units.best)
      expect(
        await total(leader, kpiItems('completion_rate', `dimension=unit&key=${u.id}&part=denominator`)),
      ).toBe(u.due);
    for (const s of o.open.byStatus)
      expect(await total(leader, `/api/v1/cockpit/items?region=330000&status=${s.status}`)).toBe(s.count);
    expect(await total(leader, '/api/v1/cockpit/items?region=330000')).toBe(o.open.total);
    expect(await total(leader, '/api/v1/cockpit/items?region=330000&overdue=true')).toBe(o.overdue.total);
  });

  it('a city supervisor sees the city and its counties; the open list pages', async () => {
    const sup = await w.as('city_sup');
    const o = await overview(sup, RANGE);
    expect(o.region.code).toBe('330100');
    expect(o.regions.map((r) => r.code)).toContain('330106');
    expect(o.regions.find((r) => r.code === '330106')).toMatchObject({ due: 1, completed: 1 });
    expect(o.overdue.total).toBe(2);
    const first = (await sup.get('/api/v1/cockpit/items?overdue=true&limit=1')).json();
    const second = (await sup.get('/api/v1/cockpit/items?overdue=true&limit=1&offset=1')).json();
    expect(first).toMatchObject({ region: '330100', total: 2, limit: 1, offset: 0 });
    expect(first.items).toHaveLength(1);
    expect(second.items).toHaveLength(1);
    expect(second.items[0].id).not.toBe(first.items[0].id);
    // The earliest deadline first: E (03-10) before D (03-31).
    expect(first.items[0].id).toBe(ids.E);
    // Auditors of the province read it too.
    expect(
      (await (await w.as('auditor')).get(`/api/v1/cockpit/overview?region=330100&${RANGE}`)).statusCode,
    ).toBe(200);
  });

  it('the open counts follow status changes at once and stay the counts over the facts through a catch-up and a recompute', async () => {
    const sup = await w.as('city_sup');
    /** The open facts joined to their items, counted as the cockpit did before migration 0031. */
    const oracle = async (path: string) => {
      const r = await sql<{ status: string; id: string; overdue: boolean }>`
        select i.status, i.id, (f.overdue and not f.exempted) as overdue
        from kpi_item_facts f join items i on i.id = f.item_id
        where (f.region_path = ${path} or f.region_path like ${`${path}.%`}) and not f.completed`.execute(
        ctx.db,
      );
      const byStatus: Record<string, number> = {};
      for (const row of r.rows) byStatus[row.status] = (byStatus[row.status] ?? 0) + 1;
      return {
        byStatus,
        ids: r.rows.map((row) => row.id).sort(),
        overdueIds: r.rows
          .filter((row) => row.overdue)
          .map((row) => row.id)
          .sort(),
      };
    };
    const check = async () => {
      for (const [code, path] of [
        ['330000', '330000'],
        ['330100', '330000.330100'],
        ['330106', '330000.330100.330106'],
        ['330200', '330000.330200'],
      ] as const) {
        const want = await oracle(path);
        const o = await overview(leader, `region=${code}&${RANGE}`);
        expect(Object.fromEntries(o.open.byStatus.map((s) => [s.status, s.count])), code).toEqual(
          want.byStatus,
        );
        expect(o.open.total, code).toBe(want.ids.length);
        expect(o.overdue.total, code).toBe(want.overdueIds.length);
        const all = (await leader.get(`/api/v1/cockpit/items?region=${code}&limit=500`)).json();
        expect(all.total, code).toBe(want.ids.length);
        expect(all.items.map((i: { id: string }) => i.id).sort(), code).toEqual(want.ids);
        const late = (await leader.get(`/api/v1/cockpit/items?region=${code}&overdue=true&limit=500`)).json();
        expect(late.total, code).toBe(want.overdueIds.length);
        expect(late.items.map((i: { id: string }) => i.id).sort(), code).toEqual(want.overdueIds);
        for (const [status, n] of Object.entries(want.byStatus)) {
          const list = (
            await leader.get(`/api/v1/cockpit/items?region=${code}&status=${status}&limit=500`)
          ).json();
          expect(list.total, `${code} ${status}`).toBe(n);
          expect(list.items, `${code} ${status}`).toHaveLength(n);
          expect(list.items.every((i: { status: string }) => i.status === status)).toBe(true);
        }
      }
    };
    await check();
    const before = (await overview(leader, RANGE)).open.byStatus;
    // E accepted: counted in progress at once, before any catch-up.
    atNoon(ctx, '2025-04-15');
    await act(await w.as('edu_h'), ids.E as string, 'accept');
    const after = (await overview(leader, RANGE)).open.byStatus;
    const count = (rows: { status: string; count: number }[], s: string) =>
      rows.find((r) => r.status === s)?.count ?? 0;
    expect(count(after, 'dispatched')).toBe(count(before, 'dispatched') - 1);
    expect(count(after, 'in_progress')).toBe(count(before, 'in_progress') + 1);
    await check();
    // D completed: open under its new status until the catch-up folds the completion into its facts.
    await complete(ctx, w, 'housing_h', sup, ids.D as string, '2025-04-15');
    await check();
    await catchUpKpis(ctx.db, atNoon(ctx, '2025-04-15'));
    await check();
    expect((await overview(leader, RANGE)).open.total).toBe(3);
    // A full recompute rebuilds the rows from the facts: the same counts, folded into one row each.
    // It builds both tables as copies and swaps them in (kpi/open-items.ts): the tables keep their
    // definition (indexes, constraints, unlogged) and the facts' triggers are on again afterwards.
    const shapeBefore = await tableShape();
    expect(shapeBefore.filter((line) => line.startsWith('index ')).length).toBe(4);
    expect(shapeBefore.filter((line) => line.startsWith('trigger '))).toEqual([
      'trigger cockpit_facts_deleted O',
      'trigger cockpit_facts_inserted O',
      'trigger cockpit_facts_truncated O',
      'trigger cockpit_facts_updated O',
    ]);
    await recomputeKpis(ctx.db, atNoon(ctx, '2025-04-16'));
    expect(await tableShape()).toEqual(shapeBefore);
    await check();
    const rows = await ctx.db
      .selectFrom('cockpit_open_counts')
      .select(['region_path', 'status', 'overdue'])
      .execute();
    expect(new Set(rows.map((r) => `${r.region_path} ${r.status} ${r.overdue}`)).size).toBe(rows.length);
    // The swapped-in tables are the ones the triggers keep: E completed moves its row at once…
    await complete(ctx, w, 'edu_h', sup, ids.E as string, '2025-04-16');
    await check();
    // …and the catch-up's refresh of its facts removes it.
    await catchUpKpis(ctx.db, atNoon(ctx, '2025-04-16'));
    await check();
    expect((await overview(leader, RANGE)).open.total).toBe(2);
  });
});
