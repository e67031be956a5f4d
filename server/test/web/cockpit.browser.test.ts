/**
 * 领导驾驶舱 in a real browser (Debian's Chromium via playwright-core) against the real app, on
 * demo-like data: items in 杭州 (city and 西湖区) and 宁波, some completed on time, one late, some open
 * past their deadline. The leader lands on the cockpit, sees the KPI cards, the heat map of 浙江's
 * cities and the other charts; a click on the 超期数 card and a click on a slice of the status chart
 * each open the drill-down list, whose total equals the figure clicked. Screenshots (zh, en) go to
 * artifacts/screenshots/; axe-core finds no serious or critical violation. Nothing is skipped:
 * without /usr/bin/chromium every test fails and says why.
 */
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { catchUpKpis } from '../../src/kpi/rollups.ts';
import { type Client, itemBody } from '../support/factories.ts';
import { axeViolations, shot, useBrowserApp } from './browser.ts';

const b = useBrowserApp();

/** A calendar date in Asia/Shanghai, `days` from today. */
function shanghaiDay(days = 0): string {
  return new Date(Date.now() + days * 86_400_000).toLocaleDateString('en-CA', { timeZone: 'Asia/Shanghai' });
}

const TEXTS = [
  '新建城东污水处理厂一座，日处理能力十万吨。',
  '完成全市中小学食堂明厨亮灶改造。',
  '开通城西至机场的快速公交专线两条。',
  '建设智慧停车平台，接入公共泊位两万个。',
  '推动高校毕业生就业见习基地扩容。',
  '整治背街小巷路面破损与积水点位。',
  '压缩企业开办时间至一个工作日以内。',
  '完成港区集装箱码头岸电设施建设。',
];

async function ok(res: { statusCode: number; body: string; json(): unknown }, what: string) {
  expect(res.statusCode, `${what}: ${res.body}`).toBeLessThan(300);
  return res.json() as { item: { id: string } };
}

type Plan = { sup: string; unit: string; handler: string; text: number; fate: 'on_time' | 'late' | 'open' };

/** Registers, dispatches and (per plan) completes items on a clock 40 days back, then catches the KPIs up. */
async function seed() {
  const { w, ctx } = b;
  const clients = new Map<string, Client>();
  const as = async (u: string) => {
    let c = clients.get(u);
    if (!c) {
      c = await w.as(u);
      clients.set(u, c);
    }
    return c;
  };
  // Sign in on the real clock first, so the sessions outlive the clock travel.
  for (const u of ['city_sup', 'ningbo_sup', 'housing_h', 'county_h', 'ningbo_h']) await as(u);
  const plans: Plan[] = [
    { sup: 'city_sup', unit: 'housing', handler: 'housing_h', text: 0, fate: 'on_time' },
    { sup: 'city_sup', unit: 'housing', handler: 'housing_h', text: 1, fate: 'on_time' },
    { sup: 'city_sup', unit: 'housing', handler: 'housing_h', text: 2, fate: 'late' },
    { sup: 'city_sup', unit: 'housing', handler: 'housing_h', text: 3, fate: 'open' },
    { sup: 'city_sup', unit: 'countyHousing', handler: 'county_h', text: 4, fate: 'on_time' },
    { sup: 'city_sup', unit: 'countyHousing', handler: 'county_h', text: 5, fate: 'open' },
    { sup: 'ningbo_sup', unit: 'ningboHousing', handler: 'ningbo_h', text: 6, fate: 'open' },
    { sup: 'ningbo_sup', unit: 'ningboHousing', handler: 'ningbo_h', text: 7, fate: 'on_time' },
  ];
  const at = (days: number) => ctx.setNow(`${shanghaiDay(days)}T04:00:00Z`);
  const deadline = shanghaiDay(-10);
  const ids: string[] = [];
  at(-40);
  for (const p of plans) {
    const sup = await as(p.sup);
    const text = TEXTS[p.text] as string;
    const created = await ok(
      await sup.post(
        '/api/v1/items',
        itemBody({ title: text.slice(0, 16), content: text, targets: [], deadline }),
      ),
      'register',
    );
    const id = created.item.id;
    ids.push(id);
    await ok(
      await sup.post(`/api/v1/items/${id}/actions/dispatch`, {
        assignments: [{ unitId: w.units[p.unit], role: 'lead', deadline }],
      }),
      'dispatch',
    );
  }
  for (const [i, p] of plans.entries()) {
    if (p.fate === 'open' && i % 2 === 0) continue; // one open item stays unaccepted
    const id = ids[i] as string;
    const h = await as(p.handler);
    at(-38);
    await ok(await h.post(`/api/v1/items/${id}/actions/accept`, {}), 'accept');
    if (p.fate === 'open') continue;
    at(p.fate === 'late' ? -5 : -20);
    await ok(
      await h.post(`/api/v1/items/${id}/actions/request-completion`, { summary: '已按要求完成。' }),
      'request',
    );
    await ok(
      await (await as(p.sup)).post(`/api/v1/items/${id}/actions/approve-completion`, { comment: '同意办结' }),
      'approve',
    );
  }
  ctx.setNow(new Date());
  await catchUpKpis(ctx.db, new Date());
}

type Overview = { open: { byStatus: { status: string; count: number }[] } };

async function overviewIn(page: Page): Promise<Overview> {
  return page.evaluate(async () => (await fetch('/api/v1/cockpit/overview')).json());
}

async function drillTotal(page: Page): Promise<number> {
  const tag = page.getByTestId('drill-total');
  await tag.waitFor();
  await expect.poll(async () => (await page.locator('.ant-table-row').count()) > 0).toBe(true);
  return Number(await tag.getAttribute('data-total'));
}

describe('领导驾驶舱 in the browser (Chromium)', () => {
  let leader: Page;

  it('the leader lands on the cockpit: cards and the heat map of the cities', async () => {
    await seed();
    leader = await b.signIn('leader');
    await leader.waitForURL(/\/cockpit/);
    await leader.getByRole('heading', { name: /领导驾驶舱/ }).waitFor();
    for (const id of ['completion_rate', 'on_time_rate', 'overdue', 'avg_working_days', 'satisfaction'])
      await leader.getByTestId(`kpi-${id}`).waitFor();
    await leader.locator('[data-testid="chart-map"][data-chart-ready="true"]').waitFor();
    await leader.locator('[data-testid="chart-trend"][data-chart-ready="true"]').waitFor();
    await leader.locator('[data-testid="chart-status"][data-chart-ready="true"]').waitFor();
    await expect.poll(() => leader.locator('[data-testid="chart-map"] canvas').count()).toBeGreaterThan(0);
    // 办结率: 4 on time + 1 late of 8 due.
    expect(await leader.getByTestId('kpi-completion_rate').textContent()).toContain('办结 5 / 应办结 8');
    expect(await leader.getByTestId('kpi-satisfaction').textContent()).toContain('满意 0 / 评价 0');
    await shot(leader, 'cockpit-zh');
    expect(await axeViolations(leader)).toEqual([]);
  });

  it('a card opens its drill-down: the list total equals the figure', async () => {
    const card = leader.getByTestId('kpi-overdue');
    const figure = Number(((await card.locator('.ant-statistic-content-value').textContent()) ?? '').trim());
    expect(figure).toBe(4); // the late one and the three open past the deadline
    await card.getByRole('link').click();
    await leader.waitForURL(/\/cockpit\/drill/);
    expect(await drillTotal(leader)).toBe(figure);
    await shot(leader, 'cockpit-drill-zh');
    expect(await axeViolations(leader)).toEqual([]);
  });

  it('a click on a chart (a slice of the status ring) opens the items behind it', async () => {
    await leader.goto(`${b.base}/cockpit`);
    const chart = leader.locator('[data-testid="chart-status"][data-chart-ready="true"]');
    await chart.waitFor();
    const o = await overviewIn(leader);
    const first = o.open.byStatus[0];
    if (!first) throw new Error('no open items');
    // The ring (radius 40–68 %, centre 50 % / 45 %) starts at 12 o'clock, clockwise: just right of the
    // top lies the first slice.
    await chart.scrollIntoViewIfNeeded();
    const box = await chart.boundingBox();
    if (!box) throw new Error('no chart box');
    const r = (Math.min(box.width, box.height) / 2) * 0.54;
    const angle = (4 * Math.PI) / 180;
    await leader.mouse.click(
      box.x + box.width / 2 + r * Math.sin(angle),
      box.y + box.height * 0.45 - r * Math.cos(angle),
    );
    await leader.waitForURL(/\/cockpit\/drill/);
    expect(leader.url()).toContain(`status=${first.status}`);
    expect(await drillTotal(leader)).toBe(first.count);
  });

  it('shows the cockpit in English', async () => {
    await leader.goto(`${b.base}/cockpit`);
    await leader.getByText('English', { exact: true }).click();
    await leader.getByRole('heading', { name: /Leader cockpit/ }).waitFor();
    await leader.locator('[data-testid="chart-map"][data-chart-ready="true"]').waitFor();
    expect(await leader.getByTestId('kpi-completion_rate').textContent()).toContain('5 completed of 8 due');
    await shot(leader, 'cockpit-en');
    expect(await axeViolations(leader)).toEqual([]);
    expect(b.pageErrors).toEqual([]);
  });
});
