/**
 * 滞后风险 in a real browser (Debian's Chromium via playwright-core): items in 杭州 and 宁波 with a
 * history (杭州市住建局 late three times, 杭州市教育局 on time twice) and four open items, scored by
 * the risk job. The leader's cockpit shows the risk panel (totals, the heat map of the cities, the
 * unit × category table); a heat cell opens the items behind it, as many as the cell says; the
 * item page shows 风险 xx% and the item list a risk column. axe-core finds no serious or critical
 * violation.
 */
import { describe, expect, it } from 'vitest';
import { catchUpKpis } from '../../src/kpi/rollups.ts';
import { rescoreRisk } from '../../src/risk/jobs.ts';
import type { Client } from '../support/factories.ts';
import { itemBody } from '../support/factories.ts';
import { axeViolations, shot, useBrowserApp } from '../web/browser.ts';

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
  '推进农贸市场数字化改造和食品安全追溯。',
];

async function ok(res: { statusCode: number; body: string; json(): unknown }, what: string) {
  expect(res.statusCode, `${what}: ${res.body}`).toBeLessThan(300);
  return res.json() as { item: { id: string } };
}

type Plan = {
  sup: string;
  unit: string;
  handler: string;
  start: number;
  deadline: number;
  done?: number;
  report?: number;
};

const ids: string[] = [];

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
  for (const u of ['city_sup', 'ningbo_sup', 'housing_h', 'edu_h', 'ningbo_h']) await as(u);
  const housing = { sup: 'city_sup', unit: 'housing', handler: 'housing_h' };
  const education = { sup: 'city_sup', unit: 'education', handler: 'edu_h' };
  const plans: Plan[] = [
    { ...housing, start: -200, deadline: -150, done: -140 },
    { ...housing, start: -200, deadline: -150, done: -135 },
    { ...housing, start: -190, deadline: -140, done: -130 },
    { ...education, start: -200, deadline: -150, done: -155 },
    { ...education, start: -190, deadline: -140, done: -145 },
    { ...housing, start: -60, deadline: -5, report: 20 },
    { ...housing, start: -40, deadline: 30, report: 10 },
    { ...education, start: -40, deadline: 60, report: 60 },
    { sup: 'ningbo_sup', unit: 'ningboHousing', handler: 'ningbo_h', start: -30, deadline: 40, report: 30 },
  ];
  const at = (days: number) => ctx.setNow(`${shanghaiDay(days)}T04:00:00Z`);
  for (const [i, p] of plans.entries()) {
    at(p.start);
    const sup = await as(p.sup);
    const text = TEXTS[i] as string;
    const deadline = shanghaiDay(p.deadline);
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
    const h = await as(p.handler);
    at(p.start + 1);
    await ok(await h.post(`/api/v1/items/${id}/actions/accept`, {}), 'accept');
    if (p.report !== undefined) {
      at(Math.min(-1, p.start + 10));
      await ok(
        await h.post(`/api/v1/items/${id}/actions/report`, { percent: p.report, narrative: '正在推进。' }),
        'report',
      );
    }
    if (p.done !== undefined) {
      at(p.done);
      await ok(
        await h.post(`/api/v1/items/${id}/actions/request-completion`, { summary: '已按要求完成。' }),
        'request',
      );
      await ok(
        await sup.post(`/api/v1/items/${id}/actions/approve-completion`, { comment: '同意办结' }),
        'approve',
      );
    }
  }
  ctx.setNow(new Date());
  // The cockpit's own cards and rankings (KPI roll-ups), and the risk scores.
  await catchUpKpis(ctx.db, new Date());
  await rescoreRisk(ctx);
}

describe('滞后风险 in the browser (Chromium)', () => {
  it('the cockpit shows the risk panel; a heat cell opens as many items as it counts', async () => {
    await seed();
    const leader = await b.signIn('leader');
    await leader.goto(`${b.base}/cockpit`);
    const panel = leader.getByTestId('risk-panel');
    await panel.waitFor();
    expect(await leader.getByTestId('risk-total').getAttribute('data-total')).toBe('4');
    await leader.locator('[data-testid="chart-risk-map"][data-chart-ready="true"]').waitFor();
    expect(await leader.getByTestId('risk-model').textContent()).toBeTruthy();
    await shot(leader, 'risk-cockpit-zh');
    expect(await axeViolations(leader)).toEqual([]);
    const cell = leader.locator('[data-testid="risk-heat"] .ant-table-row button').first();
    await cell.scrollIntoViewIfNeeded();
    const count = Number(/\((\d+)\)/.exec((await cell.textContent()) ?? '')?.[1]);
    expect(count).toBeGreaterThan(0);
    await cell.click();
    const total = leader.getByTestId('risk-drill-total');
    await total.waitFor();
    expect(Number(await total.getAttribute('data-total'))).toBe(count);
    await expect
      .poll(() => leader.locator('.ant-drawer .ant-table-row').count(), { timeout: 20_000 })
      .toBe(count);
    await shot(leader, 'risk-drill-zh');
    await leader.keyboard.press('Escape');
    await expect.poll(() => leader.locator('.ant-drawer-open').count()).toBe(0);
  });

  it('the item page shows 风险 xx% and the item list a risk column', async () => {
    const sup = await b.signIn('city_sup');
    await sup.goto(`${b.base}/items/${ids[5]}`);
    const tag = sup.getByTestId('risk-tag');
    await tag.waitFor();
    expect(await tag.textContent()).toMatch(/^风险 \d+%$/);
    await sup.goto(`${b.base}/items`);
    await sup.getByTestId('risk-tag').first().waitFor();
    await expect
      .poll(() => sup.getByTestId('risk-tag').count(), { timeout: 20_000 })
      .toBeGreaterThanOrEqual(3);
    expect(await axeViolations(sup)).toEqual([]);
    expect(b.pageErrors).toEqual([]);
  });
});
