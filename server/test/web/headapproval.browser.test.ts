/**
 * 单位负责人审批 in the browser (Chromium): in a unit that requires it, a handler's progress report
 * is held for the unit head ("已提交单位负责人审批", shown on the item page); the head finds it under
 * 待审批 in 我的待办 and approves it — the report then reaches the item — and returns an extension
 * request, the reason being required. Every role's menu reaches 通知设置.
 */
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { itemBody } from '../support/factories.ts';
import { axeViolations, openAction, shot, status, submitModal, typeDate, useBrowserApp } from './browser.ts';

const TITLE = '推进城西片区雨污分流改造';
const b = useBrowserApp();

async function api(user: string, url: string, body?: unknown, method: 'POST' | 'PATCH' = 'POST') {
  const client = await b.w.as(user);
  const res = method === 'PATCH' ? await client.patch(url, body) : await client.post(url, body);
  expect(res.statusCode, `${user} ${url}: ${res.body}`).toBeLessThan(300);
  return res.json();
}

describe('单位负责人审批 in the browser', () => {
  let handler: Page;
  let head: Page;
  let itemId: string;

  it('a handler’s progress report is held for the unit head, and the item page says so', async () => {
    const housing = b.w.units.housing as string;
    await api('admin', `/api/v1/org/units/${housing}`, { requireHeadApproval: true }, 'PATCH');
    itemId = (await api('city_sup', '/api/v1/items', itemBody({ title: TITLE }))).item.id;
    await api('city_sup', `/api/v1/items/${itemId}/actions/dispatch`, {
      assignments: [{ unitId: housing, role: 'lead', deadline: '2027-06-30' }],
    });
    await api('housing_h', `/api/v1/items/${itemId}/actions/accept`, {});

    handler = await b.signIn('housing_h');
    await handler.goto(`${b.base}/items/${itemId}`);
    await expect.poll(() => status(handler).textContent()).toBe('办理中');
    const modal = await openAction(handler, '进展反馈');
    await modal.getByLabel('完成进度（%）').fill('60');
    await modal.getByLabel('进展情况').fill('已完成主干管网铺设。');
    await submitModal(modal);
    await handler.getByText('已提交单位负责人审批').waitFor();
    const card = handler.getByTestId('item-submissions');
    await card.getByText('进度 60%：已完成主干管网铺设。').waitFor();
    expect(await status(handler).textContent()).toBe('办理中');
    // The report has not reached the item.
    const item = (await (await b.w.as('city_sup')).get(`/api/v1/items/${itemId}`)).json().item;
    expect(item.progress).toBe(0);
  });

  it('the unit head approves it under 待审批; the report reaches the item', async () => {
    head = await b.signIn('housing_head');
    await expect.poll(() => new URL(head.url()).pathname).toBe('/workbench');
    // The tabs render after the page's first data: wait for them before reading them all.
    await head.getByRole('tab', { name: '待审批' }).waitFor();
    expect(await head.getByRole('tab').allTextContents()).toEqual([
      '待签收',
      '办理中',
      '即将到期',
      '已超期',
      '待审批',
      '待审核办结',
    ]);
    await head.getByRole('tab', { name: '待审批' }).click();
    const row = head.getByRole('row', { name: new RegExp(TITLE) });
    await row.waitFor();
    expect(await row.textContent()).toContain('进度 60%：已完成主干管网铺设。');
    await shot(head, 'workbench-approval-zh');
    expect(await axeViolations(head)).toEqual([]);
    await row.getByRole('button', { name: '批准' }).click();
    await head.getByText('已批准并报送').waitFor();
    await head.getByText('暂无待审批的提交').waitFor();

    const item = (await (await b.w.as('city_sup')).get(`/api/v1/items/${itemId}`)).json().item;
    expect(item.progress).toBe(60);
    // The handler's page follows live: the held card goes, the report appears.
    await handler.getByTestId('item-submissions').waitFor({ state: 'detached', timeout: 15_000 });
    await handler.getByText('已完成主干管网铺设。').first().waitFor();
  });

  it('the head returns an extension request; the reason is required', async () => {
    const modal = await openAction(handler, '申请延期');
    await typeDate(modal.getByLabel('申请延期至'), '2027-09-30');
    await modal.getByLabel('理由').fill('雨季施工受限。');
    await submitModal(modal);
    await handler.getByTestId('item-submissions').waitFor();

    await head.reload();
    const row = head.getByRole('row', { name: new RegExp(TITLE) });
    await row.waitFor();
    expect(await row.textContent()).toContain('延期至 2027-09-30：雨季施工受限。');
    await row.getByRole('button', { name: '退回' }).click();
    const dialog = head.locator('.ant-modal:visible');
    await dialog.getByRole('button', { name: '提交' }).click();
    await dialog.locator('.ant-form-item-explain-error').waitFor();
    await dialog.getByLabel('退回理由').fill('请先补充施工组织方案。');
    await submitModal(dialog);
    await head.getByText('暂无待审批的提交').waitFor();
    const subs = (await (await b.w.as('housing_h')).get('/api/v1/submissions?status=rejected')).json();
    expect(subs.submissions[0]).toMatchObject({
      action: 'request-extension',
      reason: '请先补充施工组织方案。',
    });
  });

  it('every role’s menu reaches 通知设置, and the page works for them', async () => {
    const menu = head.getByRole('navigation', { name: '主菜单' });
    await menu.getByRole('menuitem', { name: '通知设置' }).click();
    await head.getByRole('heading', { name: '通知设置' }).waitFor();
    expect(b.pageErrors).toEqual([]);
  });
});
