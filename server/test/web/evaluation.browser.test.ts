/**
 * 评价, 评估任务, 清单与通报 and 考核记分卡 in a real browser (Debian's Chromium via playwright-core)
 * against the real app: a province supervisor opens a completed item's 评价 card, assigns the
 * evaluator and creates a satisfaction link; the evaluator declares no conflict and scores; the
 * supervisor then sees the composite score; the 清单与通报 page generates a monthly DOCX bulletin
 * that the archive lists; the scorecard page shows a ranked table; a due 回头看 is assigned and
 * recorded as 反弹, linking the 整改 item it opened. Screenshots (zh, en) go to
 * artifacts/screenshots/; axe-core finds no serious or critical violation. Nothing is skipped:
 * without /usr/bin/chromium every test fails and says why.
 */

import { sql } from 'kysely';
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { sweepFollowups } from '../../src/followup/jobs.ts';
import { catchUpKpis } from '../../src/kpi/rollups.ts';
import { itemBody } from '../support/factories.ts';
import { axeViolations, choose, opened, shot, useBrowserApp } from './browser.ts';

const b = useBrowserApp();

async function ok(res: { statusCode: number; body: string; json(): unknown }, what: string) {
  expect(res.statusCode, `${what}: ${res.body}`).toBeLessThan(300);
  return res.json() as { item: { id: string } };
}

/** A completed item of the province supervisor, led by 杭州市住房和城乡建设局. */
async function completedItem(): Promise<string> {
  const { w } = b;
  const sup = await w.as('prov_sup');
  const h = await w.as('housing_h');
  const created = await ok(
    await sup.post('/api/v1/items', itemBody({ title: '全省农村饮用水达标提标行动', targets: [] })),
    'register',
  );
  const id = created.item.id;
  await ok(
    await sup.post(`/api/v1/items/${id}/actions/dispatch`, {
      assignments: [{ unitId: w.units.housing, role: 'lead', deadline: '2027-06-30' }],
    }),
    'dispatch',
  );
  await ok(await h.post(`/api/v1/items/${id}/actions/accept`, {}), 'accept');
  await ok(
    await h.post(`/api/v1/items/${id}/actions/request-completion`, { summary: '已按要求完成。' }),
    'request',
  );
  await ok(
    await sup.post(`/api/v1/items/${id}/actions/approve-completion`, { comment: '同意办结' }),
    'approve',
  );
  return id;
}

describe('评价, 评估任务, 清单与通报 and 考核记分卡 in the browser (Chromium)', () => {
  let sup: Page;
  let itemId: string;

  it('a supervisor assigns the evaluator and creates a satisfaction link on the 评价 card', async () => {
    itemId = await completedItem();
    sup = await b.signIn('prov_sup');
    await sup.goto(`${b.base}/items/${itemId}`);
    const card = sup.getByTestId('evaluation-card');
    await card.waitFor();
    expect(await sup.getByTestId('composite-score').textContent()).toContain('暂无');
    expect(await card.textContent()).toContain('缺少：督查评价、第三方评估、群众满意度');

    await choose(sup, card.getByLabel('选择评估人员'), '（evaluator）', 'evaluator');
    await card.getByRole('button', { name: '指派' }).click();
    await expect.poll(async () => (await card.textContent()) ?? '').toContain('evaluator · 待声明利益冲突');

    await card.getByRole('button', { name: '生成满意度评价链接' }).click();
    const link = sup.getByTestId('satisfaction-link');
    await link.waitFor();
    expect(await link.inputValue()).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/portal\/satisfaction\/\S+$/);
    await shot(sup, 'evaluation-card-zh');
    expect(await axeViolations(sup)).toEqual([]);
  });

  it('the evaluator declares no conflict of interest and scores the item once', async () => {
    const ev = await b.signIn('evaluator');
    await expect.poll(() => new URL(ev.url()).pathname).toBe('/evaluations');
    await ev.getByRole('heading', { name: '评估任务' }).waitFor();
    const row = ev.getByRole('row', { name: /全省农村饮用水达标提标行动/ });
    await row.waitFor();
    expect(await row.getByTestId('assignment-status').textContent()).toBe('待声明利益冲突');
    expect(await axeViolations(ev)).toEqual([]);

    await row.getByRole('button', { name: '评估' }).click();
    const modal = ev.locator('.ant-modal:visible');
    await opened(modal);
    await modal.getByText('不存在利益冲突', { exact: true }).click();
    await modal.getByRole('button', { name: '提交' }).click();
    await modal.getByLabel('质量').waitFor();
    await modal.getByLabel('质量').fill('90');
    await modal.getByLabel('时效').fill('80');
    await modal.getByLabel('实效').fill('85');
    await modal.getByLabel('评价意见').fill('按期完成，成效明显。');
    await shot(ev, 'evaluation-score-zh');
    await modal.getByRole('button', { name: '提交评分' }).click();
    await modal.waitFor({ state: 'hidden' });
    await expect.poll(() => row.getByTestId('assignment-status').textContent()).toBe('已评分');
    expect(await row.getByRole('button', { name: '评估' }).count()).toBe(0);
    await shot(ev, 'evaluations-zh');
  });

  it('the supervisor sees the composite score from the third-party part', async () => {
    await sup.reload();
    const card = sup.getByTestId('evaluation-card');
    await card.waitFor();
    await expect.poll(async () => (await card.textContent()) ?? '').toContain('evaluator · 已评分');
    const composite = (await sup.getByTestId('composite-score').textContent()) ?? '';
    expect(composite).toMatch(/^综合评分：\d+\.\d{2}$/);
    expect(await card.textContent()).toContain('缺少：督查评价、群众满意度');
    expect(await card.textContent()).toContain('已评分 1 / 指派 1');
  });

  it('清单与通报 generates a monthly DOCX bulletin and the archive lists it with its SHA-256', async () => {
    const menu = sup.getByRole('navigation', { name: '主菜单' });
    await menu.getByRole('menuitem', { name: '清单与通报' }).click();
    await sup.getByRole('heading', { name: '清单与通报' }).waitFor();
    expect(await sup.getByRole('link', { name: '下载四张清单（Excel）' }).getAttribute('href')).toBe(
      '/api/v1/reports/four-lists.xlsx',
    );
    await sup.getByRole('button', { name: '生成通报' }).click();
    const archive = sup.getByTestId('bulletin-archive');
    const row = archive.getByRole('row', { name: /月度通报/ });
    await row.waitFor({ timeout: 60_000 });
    expect(await row.textContent()).toContain('DOCX');
    const href = await row.getByRole('link').first().getAttribute('href');
    expect(href).toMatch(/^\/api\/v1\/bulletins\/[0-9a-f-]{36}\/file$/);
    const file = await sup.evaluate(async (u) => {
      const r = await fetch(u);
      return { status: r.status, type: r.headers.get('content-type') };
    }, href as string);
    expect(file.status).toBe(200);
    expect(file.type).toContain('wordprocessingml');
    await shot(sup, 'reports-zh');
    expect(await axeViolations(sup)).toEqual([]);
  });

  it('考核记分卡 shows the departments ranked, with components, deductions and total', async () => {
    await catchUpKpis(b.ctx.db, new Date());
    const menu = sup.getByRole('navigation', { name: '主菜单' });
    await menu.getByRole('menuitem', { name: '考核记分卡' }).click();
    await sup.getByRole('heading', { name: /考核记分卡/ }).waitFor();
    const table = sup.getByTestId('scorecard-table');
    await expect.poll(() => table.locator('.ant-table-row').count()).toBeGreaterThan(0);
    const header = (await table.locator('thead').textContent()) ?? '';
    for (const h of ['排名', '单位', '扣分', '总分']) expect(header).toContain(h);
    expect(await table.textContent()).toContain('杭州市住房和城乡建设局');
    // The lead unit of the completed item has figures this quarter: it is ranked first.
    const first = table.locator('.ant-table-row').first();
    expect(await first.locator('td').first().textContent()).toBe('1');
    expect(await first.textContent()).toContain('杭州市住房和城乡建设局');
    await shot(sup, 'scorecards-zh');
    expect(await axeViolations(sup)).toEqual([]);
  });

  it('回头看: the supervisor assigns a reviewer and records 反弹, which opens a linked 整改 item', async () => {
    // The item's first 回头看 (three months after 办结) is brought forward to yesterday.
    await sweepFollowups(b.ctx);
    await sql`update followup_reviews set due_on = current_date - 1 where item_id = ${itemId} and months_after = 3`.execute(
      b.ctx.db,
    );
    const menu = sup.getByRole('navigation', { name: '主菜单' });
    await menu.getByRole('menuitem', { name: '回头看' }).click();
    await sup.getByRole('heading', { name: '回头看' }).waitFor();
    let row = sup.getByRole('row', { name: /全省农村饮用水达标提标行动/ });
    await row.waitFor();
    await shot(sup, 'followups-zh');
    expect(await axeViolations(sup)).toEqual([]);
    await row.getByRole('button', { name: '指派人员' }).click();
    let modal = sup.locator('.ant-modal:visible');
    await opened(modal);
    await choose(sup, modal.getByLabel('回头看人员'), '（prov_sup）', 'prov_sup');
    await modal.getByRole('button', { name: '提交' }).click();
    await modal.waitFor({ state: 'hidden' });

    await sup.getByRole('tab', { name: '已指派' }).click();
    row = sup.getByRole('row', { name: /全省农村饮用水达标提标行动/ });
    await row.getByRole('button', { name: '记录结果' }).click();
    modal = sup.locator('.ant-modal:visible');
    await opened(modal);
    await modal.getByText('反弹', { exact: true }).click();
    await modal.getByLabel('发现情况').fill('部分村庄水质再次不达标。');
    await modal.getByRole('button', { name: '提交' }).click();
    await modal.waitFor({ state: 'hidden' });

    await sup.getByRole('tab', { name: '已完成' }).click();
    row = sup.getByRole('row', { name: /全省农村饮用水达标提标行动/ });
    await row.waitFor();
    expect(await row.textContent()).toContain('反弹');
    expect(await row.getByRole('link', { name: '整改事项' }).getAttribute('href')).toMatch(
      /^\/items\/[0-9a-f-]{36}$/,
    );
  });

  it('shows the pages in English', async () => {
    await sup.goto(`${b.base}/items/${itemId}`);
    await sup.getByTestId('evaluation-card').waitFor();
    await sup.getByText('English', { exact: true }).click();
    await expect
      .poll(async () => (await sup.getByTestId('composite-score').textContent()) ?? '')
      .toMatch(/^Composite score/);
    await shot(sup, 'evaluation-card-en');
    await sup.goto(`${b.base}/reports`);
    await sup.getByRole('heading', { name: 'Lists & bulletins' }).waitFor();
    await sup
      .getByTestId('bulletin-archive')
      .getByRole('row', { name: /Monthly bulletin/ })
      .waitFor();
    await shot(sup, 'reports-en');
    await sup.goto(`${b.base}/scorecards`);
    await sup.getByRole('heading', { name: /Scorecards/ }).waitFor();
    await expect.poll(() => sup.locator('.ant-table-row').count()).toBeGreaterThan(0);
    await shot(sup, 'scorecards-en');
    await sup.goto(`${b.base}/followups`);
    await sup.getByRole('heading', { name: 'Follow-up reviews' }).waitFor();
    await shot(sup, 'followups-en');
    expect(b.pageErrors).toEqual([]);
  });
});
