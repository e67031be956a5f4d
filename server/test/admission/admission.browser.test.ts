/**
 * 督办准入 in the browser (Chromium): a dispatch over the lead unit's monthly quota is refused in
 * the 交办 dialog with the message and 申请超额审批; the supervisor asks with a reason; the leader
 * sees the unit's use (1/1) and the pending request on 督办准入 and approves it; the dispatch passes,
 * and the unit's handlers see its use on 我的待办.
 */
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { itemBody } from '../support/factories.ts';
import {
  axeViolations,
  choose,
  closes,
  openAction,
  shot,
  status,
  submitModal,
  useBrowserApp,
} from '../web/browser.ts';

const TITLE = '推进城东片区老旧管网更新改造';
const b = useBrowserApp();

async function api(user: string, url: string, body: unknown, method: 'POST' | 'PUT' = 'POST') {
  const client = await b.w.as(user);
  const res = method === 'PUT' ? await client.put(url, body) : await client.post(url, body);
  expect(res.statusCode, `${user} ${url}: ${res.body}`).toBeLessThan(300);
  return res.json();
}

describe('督办准入 in the browser', () => {
  let sup: Page;
  let itemId: string;

  it('a dispatch over the quota shows the message and 申请超额审批, which sends the request', async () => {
    const housing = b.w.units.housing as string;
    await api('city_sup', '/api/v1/admission/quotas', { unitId: housing, period: 'month', limit: 1 }, 'PUT');
    const first = (await api('city_sup', '/api/v1/items', itemBody())).item.id;
    await api('city_sup', `/api/v1/items/${first}/actions/dispatch`, {
      assignments: [{ unitId: housing, role: 'lead' }],
    });
    itemId = (await api('city_sup', '/api/v1/items', itemBody({ title: TITLE }))).item.id;

    sup = await b.signIn('city_sup');
    await sup.goto(`${b.base}/items/${itemId}`);
    await expect.poll(() => status(sup).textContent()).toBe('已立项');
    const modal = await openAction(sup, '交办');
    await choose(sup, modal.getByLabel('单位'), '杭州市住房和城乡建设局', '住房和城乡');
    await modal.getByRole('button', { name: '提交' }).click();
    const alert = modal.getByRole('alert');
    await alert.getByText('达到准入限额 1 项').waitFor();
    await alert.getByRole('button', { name: '申请超额审批' }).click();
    await alert.getByLabel('申请理由').fill('市委专题会议明确由住建局牵头。');
    await alert.getByRole('button', { name: '提交申请' }).click();
    await alert.getByText('已提交超额审批申请').waitFor();
    await shot(sup, 'admission-dispatch-refused');
    await modal.getByRole('button', { name: '取消' }).click();
    await closes(modal);
    expect(await status(sup).textContent()).toBe('已立项');
  });

  it('the leader sees the use and the request on 督办准入 and approves it', async () => {
    const leader = await b.signIn('leader');
    await leader.getByRole('menuitem', { name: '督办准入' }).click();
    await leader.getByRole('heading', { name: '督办准入' }).waitFor();
    const unitRow = leader
      .getByTestId('admission-usage')
      .getByRole('row', { name: /杭州市住房和城乡建设局/ });
    await unitRow.waitFor();
    expect(await unitRow.textContent()).toContain('1/1');
    expect(await unitRow.textContent()).toContain('单位限额');
    const request = leader.getByTestId('admission-requests').getByRole('row', { name: new RegExp(TITLE) });
    expect(await request.textContent()).toContain('待审批');
    expect(await request.textContent()).toContain('市委专题会议明确由住建局牵头。');
    expect(await axeViolations(leader)).toEqual([]);
    await shot(leader, 'admission-page');
    await request.getByRole('button', { name: '批准' }).click();
    await expect.poll(() => request.textContent()).toContain('已批准');
  });

  it('the dispatch then passes', async () => {
    await sup.reload();
    const modal = await openAction(sup, '交办');
    await choose(sup, modal.getByLabel('单位'), '杭州市住房和城乡建设局', '住房和城乡');
    await submitModal(modal);
    await expect.poll(() => status(sup).textContent()).toBe('已交办');
  });

  it('the unit’s handlers see its use on 我的待办', async () => {
    const handler = await b.signIn('housing_h');
    await expect.poll(() => new URL(handler.url()).pathname).toBe('/workbench');
    const card = handler.getByTestId('unit-usage');
    await card.waitFor();
    expect(await card.textContent()).toContain('本单位牵头承办限额');
    expect(await card.textContent()).toContain('2/1');
    expect(await axeViolations(handler)).toEqual([]);
    // without a quota there is no card
    const edu = await b.signIn('edu_h');
    await edu.getByRole('tab', { name: '待签收' }).waitFor();
    expect(await edu.getByTestId('unit-usage').count()).toBe(0);
    expect(b.pageErrors).toEqual([]);
  });
});
