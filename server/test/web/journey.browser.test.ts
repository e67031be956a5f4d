/**
 * The handling journey in the React app, in a real browser (Debian's Chromium via playwright-core)
 * against the real app on a real port: a supervisor registers and dispatches an item; a handler of
 * the lead unit accepts it, reports progress with an evidence file and requests completion; the
 * supervisor approves. The supervisor's page follows the handler's steps live (SSE), without a
 * reload. Screenshots of the main pages in 中文 and English go to artifacts/screenshots/, and
 * axe-core checks the workbench and the item page for serious or critical violations.
 * Nothing is skipped: without /usr/bin/chromium every test fails and says why.
 */
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { checkpointNow } from '../../src/ledger/service.ts';
import {
  axeViolations,
  choose,
  openAction,
  shot,
  status,
  submitModal,
  typeDate,
  useBrowserApp,
} from './browser.ts';

const TITLE = '推进城北片区老旧小区综合改造';

const b = useBrowserApp();

describe('the handling journey in the browser (Chromium)', () => {
  let sup: Page;
  let handler: Page;
  let itemUrl: string;

  it('a supervisor registers an item (立项) from the supervision console', async () => {
    sup = await b.signIn('city_sup');
    await expect.poll(() => new URL(sup.url()).pathname).toBe('/console');
    await sup.getByRole('heading', { name: '督查控制台' }).waitFor();
    // The supervisor's menu: the console first, then the cockpit; nothing unbuilt.
    const menu = sup.getByRole('navigation', { name: '主菜单' });
    expect(await menu.getByRole('menuitem').allTextContents()).toEqual([
      '督查控制台',
      '受理池',
      '文件提取',
      '领导驾驶舱',
      '热点话题',
      '回头看',
      '清单与通报',
      '督办准入',
      '考核记分卡',
      '全部事项',
      '通知设置',
      '存证核验',
      '接口文档',
    ]);
    await shot(sup, 'console-zh');

    await sup.getByRole('button', { name: '立项' }).click();
    await sup.getByRole('heading', { name: '立项' }).waitFor();
    await sup.getByLabel('事项标题').fill(TITLE);
    await sup.getByLabel('事项内容').fill('完成城北片区老旧小区综合改造 50 个，年底前全部完工。');
    await choose(sup, sup.getByLabel('来源'), '政府工作报告');
    await choose(sup, sup.getByLabel('分类'), '民生实事推进');
    await typeDate(sup.getByLabel('办结期限'), '2027-06-30');
    await sup.getByRole('button', { name: '添加量化目标' }).click();
    await sup.getByLabel('指标名称').fill('改造老旧小区');
    await sup.getByLabel('指标代码').fill('old_communities');
    await sup.getByLabel('目标值').fill('50');
    await sup.getByLabel('单位', { exact: true }).fill('个');
    // Public: the citizens' portal shows it once it is under way, and at the end of this journey.
    await choose(sup, sup.getByLabel('密级'), '公开');
    await sup.getByRole('switch', { name: '在公众门户公开' }).click();
    await shot(sup, 'register-zh');
    await sup.locator('form[id="register"]').getByRole('button', { name: '立项' }).click();

    await sup.waitForURL(/\/items\/[0-9a-f-]{36}$/);
    itemUrl = sup.url();
    await sup.getByRole('heading', { name: new RegExp(TITLE) }).waitFor();
    expect(await status(sup).textContent()).toBe('已立项');
    expect(await sup.locator('.timeline').textContent()).toContain('立项');
  });

  it('dispatches it (交办), showing a server validation error beside the field', async () => {
    const modal = await openAction(sup, '交办');
    await choose(sup, modal.getByLabel('单位'), '杭州市住房和城乡建设局', '住房和城乡');
    // A unit's deadline after the item's: refused by the server (DEADLINE_AFTER_ITEM) at that field.
    await typeDate(modal.getByLabel('期限'), '2027-07-31');
    await modal.getByRole('button', { name: '提交' }).click();
    const fieldError = modal.locator('.ant-form-item-explain-error');
    await fieldError.waitFor();
    expect(await fieldError.allTextContents()).toEqual(['分工期限不能晚于事项总期限']);
    expect(await modal.getByRole('alert').count()).toBe(0);

    await typeDate(modal.getByLabel('期限'), '2027-06-30');
    await submitModal(modal);
    await expect.poll(() => status(sup).textContent()).toBe('已交办');
    expect(await sup.getByRole('row', { name: /杭州市住房和城乡建设局/ }).textContent()).toContain('待签收');
  });

  it('the handler finds it in 我的待办 and accepts it (签收); the supervisor sees it live', async () => {
    handler = await b.signIn('housing_h');
    await expect.poll(() => new URL(handler.url()).pathname).toBe('/workbench');
    await handler.getByRole('tab', { name: '待签收' }).waitFor();
    expect(await handler.getByRole('tab').allTextContents()).toEqual([
      '待签收',
      '办理中',
      '即将到期',
      '已超期',
      '待审批',
    ]);
    await handler.getByRole('cell', { name: TITLE }).waitFor();
    expect(await handler.getByRole('row', { name: new RegExp(TITLE) }).textContent()).toContain('绿灯');
    await shot(handler, 'workbench-zh');
    expect(await axeViolations(handler)).toEqual([]);

    await handler.getByRole('cell', { name: TITLE }).click();
    await expect.poll(() => handler.url()).toBe(itemUrl);
    const modal = await openAction(handler, '签收');
    await submitModal(modal);
    await expect.poll(() => status(handler).textContent()).toBe('办理中');
    // The supervisor's page, untouched, follows through the live stream.
    await expect.poll(() => status(sup).textContent(), { timeout: 15_000 }).toBe('办理中');
  });

  it('reports progress with an evidence file upload and requests completion', async () => {
    const modal = await openAction(handler, '进展反馈');
    await modal.getByLabel('完成进度（%）').fill('60');
    await modal.getByLabel('进展情况').fill('已完成 30 个小区的改造，其余 20 个正在施工。');
    await modal.getByLabel('存在问题').fill('部分居民意见未统一。');
    await modal.getByLabel('下步计划').fill('逐户沟通，十月底前全部开工。');
    await modal.getByLabel('改造老旧小区（50个）').fill('30');
    await modal.locator('input[type="file"]').setInputFiles({
      name: '验收记录.txt',
      mimeType: 'text/plain',
      buffer: Buffer.from('城北片区老旧小区改造验收记录：30 个小区已完工。\n'),
    });
    await modal.locator('.ant-upload-list-item', { hasText: '验收记录.txt' }).waitFor();
    await expect
      .poll(() => modal.locator('.ant-upload-list-item').getAttribute('class'))
      .toMatch(/ant-upload-list-item-done/);
    await submitModal(modal);

    const file = handler.getByTestId('report-files').getByRole('link', { name: '验收记录.txt' });
    await file.waitFor();
    const href = (await file.getAttribute('href')) ?? '';
    expect(href).toMatch(/^\/api\/v1\/files\/[0-9a-f]{64}$/);
    const cookies = await handler.context().cookies();
    const download = await fetch(`${b.base}${href}`, {
      headers: { cookie: cookies.map((c) => `${c.name}=${c.value}`).join('; ') },
    });
    expect(download.status).toBe(200);
    expect(await download.text()).toContain('30 个小区已完工');
    expect(await handler.getByText('部分居民意见未统一。').count()).toBe(1);
    // Once a checkpoint covers the record, the page verifies it (the bundled @duban/verifier).
    if (!(await checkpointNow(b.ctx))) throw new Error('no checkpoint was made');
    await handler.reload();
    await handler.locator('#evidence-badge:not([data-state="checking"])').waitFor();
    expect(await handler.locator('#evidence-badge').getAttribute('data-state')).toBe('verified');
    expect(await handler.locator('#evidence-badge').textContent()).toMatch(
      /^✓ 已验证：5 条记录均在账本检查点/,
    );
    await shot(handler, 'item-zh');
    expect(await axeViolations(handler)).toEqual([]);

    const completion = await openAction(handler, '申请办结');
    await completion.getByLabel('办结情况').fill('50 个小区全部完成改造并通过验收。');
    await submitModal(completion);
    await expect.poll(() => status(handler).textContent()).toBe('申请办结');
  });

  it('the supervisor approves the completion (审核通过办结)', async () => {
    await expect.poll(() => status(sup).textContent(), { timeout: 15_000 }).toBe('申请办结');
    const modal = await openAction(sup, '审核通过办结');
    await modal.getByLabel('意见').fill('成效明显，同意办结。');
    await submitModal(modal);
    await expect.poll(() => status(sup).textContent()).toBe('已办结');
    // The status and the timeline are loaded apart: wait for the timeline's last step too.
    await expect.poll(() => sup.locator('.timeline').textContent()).toContain('审核通过办结');
    const timeline = (await sup.locator('.timeline').textContent()) ?? '';
    for (const step of ['立项', '交办', '签收', '进展反馈', '申请办结', '审核通过办结']) {
      expect(timeline).toContain(step);
    }
    await expect.poll(() => status(handler).textContent(), { timeout: 15_000 }).toBe('已办结');
    // The item left the supervisor's 待审核 list.
    await sup.goto(`${b.base}/console?tab=review`);
    await sup.getByText('暂无事项').waitFor();
  });

  it('the public portal shows the completed item to a citizen, without signing in', async () => {
    const browser = sup.context().browser();
    if (!browser) throw new Error('the page has no browser');
    const context = await browser.newContext({ locale: 'zh-CN' });
    try {
      const citizen = await context.newPage();
      citizen.setDefaultTimeout(30_000);
      citizen.on('pageerror', (err) => b.pageErrors.push(`citizen: ${err.message}`));
      await citizen.goto(`${b.base}/portal`);
      await citizen.getByRole('searchbox').first().fill('城北片区');
      await citizen.keyboard.press('Enter');
      await citizen.getByRole('link', { name: TITLE }).click();
      await expect.poll(() => citizen.getByTestId('public-status').textContent()).toBe('已办结');
      const page = (await citizen.locator('main').textContent()) ?? '';
      expect(page).toContain('完成城北片区老旧小区综合改造');
      expect(page).toContain('已办结');
    } finally {
      await context.close();
    }
  });

  it('switches to English (antd too), remembers it, and shows the pages in English', async () => {
    await sup.goto(itemUrl);
    await status(sup).waitFor();
    await sup.getByText('English', { exact: true }).click();
    await expect.poll(() => status(sup).textContent()).toBe('Completed');
    await sup.getByRole('button', { name: 'Sign out' }).waitFor();
    expect(await sup.locator('html').getAttribute('lang')).toBe('en');
    await sup.reload();
    await expect.poll(() => status(sup).textContent()).toBe('Completed');
    expect(await sup.locator('.timeline').textContent()).toContain('Completion approved');
    await shot(sup, 'item-en');
    await sup.goto(`${b.base}/console`);
    await sup.getByRole('heading', { name: 'Supervision console' }).waitFor();
    await sup.getByRole('cell', { name: TITLE }).waitFor();
    await shot(sup, 'console-en');
    await sup.getByRole('button', { name: 'Register an item' }).click();
    await sup.getByLabel('Title').waitFor();
    // antd's own texts switch too (the DatePicker placeholder).
    expect(await sup.getByLabel('Deadline').getAttribute('placeholder')).toBe('Select date');
    await shot(sup, 'register-en');

    await handler.getByText('English', { exact: true }).click();
    await handler.goto(`${b.base}/workbench?tab=approval`);
    await handler.getByRole('tab', { name: 'Awaiting approval' }).waitFor();
    await handler.goto(`${b.base}/workbench`);
    await handler.getByRole('tab', { name: 'To accept' }).waitFor();
    await handler.getByText('No items').waitFor();
    await shot(handler, 'workbench-en');

    await handler.getByRole('button', { name: 'Sign out' }).click();
    await handler.getByRole('button', { name: 'Sign in' }).waitFor();
    await shot(handler, 'login-en');
    await handler.getByText('中文', { exact: true }).click();
    await handler.getByRole('button', { name: '登录' }).waitFor();
    await shot(handler, 'login-zh');
  });

  it('shows a friendly 未找到 page for an item one may not see, and the login page when the session ends', async () => {
    const other = await b.signIn('edu_h');
    await other.goto(itemUrl);
    await other.getByText('未找到').waitFor();
    expect(await other.getByText('事项不存在，或您无权查看。').count()).toBe(1);
    await other.goto(`${b.base}/items/00000000-0000-4000-8000-000000000000`);
    await other.getByText('事项不存在，或您无权查看。').waitFor();

    // A session that ends (here: the cookie is gone) sends the next API call's page to the login.
    await other.context().clearCookies();
    await other.getByRole('button', { name: '返回首页' }).click();
    await other.getByRole('button', { name: '登录' }).waitFor();
    expect(new URL(other.url()).pathname).toBe('/login');
    expect(b.pageErrors).toEqual([]);
  });
});
