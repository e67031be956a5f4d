/**
 * Deadline rules, milestones, periodic reports and administration in the React app, in a real
 * browser (Debian's Chromium via playwright-core) against the real app: a supervisor registers an
 * item with a working-days rule, milestones and a weekly report (a server 400 lands on the nested
 * milestone input), sees the provisional deadline, dispatches without a unit deadline; the chase
 * raises 节点逾期; a handler reports a milestone reached via its checkbox. An admin marks a rest day
 * on the working-day calendar and changes a category's escalation ladder; a supervisor has no
 * admin menu and gets the friendly 未找到 page at the admin URLs. Screenshots (zh, en) go to
 * artifacts/screenshots/; axe-core checks the admin pages. Nothing is skipped: without
 * /usr/bin/chromium every test fails and says why.
 */
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { chaseItem } from '../../src/escalation/chase.ts';
import {
  axeViolations,
  choose,
  closes,
  openAction,
  opened,
  shot,
  status,
  submitModal,
  typeDate,
  useBrowserApp,
} from './browser.ts';

const TITLE = '推进城南片区雨污分流改造';

const b = useBrowserApp();

/** A calendar date in Asia/Shanghai, `days` from today. */
function shanghaiDay(days = 0): string {
  return new Date(Date.now() + days * 86_400_000).toLocaleDateString('en-CA', { timeZone: 'Asia/Shanghai' });
}

/** Calls the API with the page's session (cookie and CSRF token from /users/me). */
async function apiAs(page: Page, method: string, url: string, body?: unknown) {
  return page.evaluate(
    async ({ method, url, body }) => {
      const me = await fetch('/api/v1/users/me').then((r) => r.json());
      const res = await fetch(url, {
        method,
        headers: {
          'content-type': 'application/json',
          ...(me.csrfToken ? { 'x-csrf-token': me.csrfToken } : {}),
        },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
      return { status: res.status, json: await res.json().catch(() => null) };
    },
    { method, url, body },
  );
}

describe('deadline rules, milestones and periodic reports in the browser (Chromium)', () => {
  let sup: Page;
  let itemUrl: string;
  const early = shanghaiDay(-10);
  const soon = shanghaiDay(3);

  it('registers an item with a working-days rule, milestones and a weekly report; a 400 lands on the milestone', async () => {
    sup = await b.signIn('city_sup');
    await sup.goto(`${b.base}/console/new`);
    await sup.getByRole('heading', { name: '立项' }).waitFor();
    await sup.getByLabel('事项标题').fill(TITLE);
    await sup.getByLabel('事项内容').fill('完成城南片区 12 个小区雨污分流改造。');
    await choose(sup, sup.getByLabel('来源'), '领导批示');
    await choose(sup, sup.getByLabel('分类'), '民生实事推进');
    // The hour rule is for 特急 only: not offered for a normal item.
    await sup.getByText('期限规则', { exact: true }).click();
    await sup.getByLabel('起算方式').click();
    const options = sup.locator('.ant-select-dropdown:visible .ant-select-item-option');
    await options.first().waitFor();
    expect(await options.allTextContents()).toEqual(['交办后（工作日）', '签收后（工作日）']);
    await sup.keyboard.press('Escape');
    await sup.getByLabel('工作日数').fill('10');

    await sup.getByRole('button', { name: '添加阶段性节点' }).click();
    await sup.getByRole('button', { name: '添加阶段性节点' }).click();
    const rows = sup.getByTestId('milestone-row');
    await rows.nth(0).getByLabel('节点名称').fill('完成排水管网普查');
    await typeDate(rows.nth(0).getByLabel('节点日期'), early);
    await rows.nth(1).getByLabel('节点名称').fill('完成首批小区改造');
    // Later than the deadline the rule gives: the server says so at that row's date.
    await typeDate(rows.nth(1).getByLabel('节点日期'), shanghaiDay(90));
    await choose(sup, sup.getByLabel('报送周期'), '每周');
    await choose(sup, sup.getByLabel('星期'), '周五');
    await sup.locator('form[id="register"]').getByRole('button', { name: '立项' }).click();
    const rowError = rows.nth(1).locator('.ant-form-item-explain-error');
    await rowError.waitFor();
    expect(await rowError.allTextContents()).toEqual(['阶段性节点不能晚于办理期限']);
    expect(await rows.nth(0).locator('.ant-form-item-explain-error').count()).toBe(0);
    expect(await sup.getByRole('alert').count()).toBe(0);
    await shot(sup, 'register-rule-zh');

    await typeDate(rows.nth(1).getByLabel('节点日期'), soon);
    await sup.locator('form[id="register"]').getByRole('button', { name: '立项' }).click();
    await sup.waitForURL(/\/items\/[0-9a-f-]{36}$/);
    itemUrl = sup.url();
    await sup.getByRole('heading', { name: new RegExp(TITLE) }).waitFor();
    expect(await sup.getByTestId('item-deadline').textContent()).toContain('交办后10个工作日内');
    expect(await sup.getByTestId('deadline-provisional').textContent()).toBe('暂定');
    const milestones = sup.getByTestId('milestones');
    expect(await milestones.getByRole('row', { name: /完成排水管网普查/ }).textContent()).toContain('已逾期');
    expect(await milestones.getByRole('row', { name: /完成首批小区改造/ }).textContent()).toContain('未完成');
    expect(await sup.getByTestId('schedule-label').textContent()).toBe('每周五前');
  });

  it('dispatches without a unit deadline (the item’s applies); the deadline is fixed; the chase raises 节点逾期', async () => {
    const modal = await openAction(sup, '交办');
    await choose(sup, modal.getByLabel('单位'), '杭州市住房和城乡建设局', '住房和城乡');
    expect(await modal.getByLabel('期限').getAttribute('placeholder')).toBe('同事项期限');
    await submitModal(modal);
    await expect.poll(() => status(sup).textContent()).toBe('已交办');
    expect(await sup.getByTestId('deadline-provisional').count()).toBe(0);
    const deadline = ((await sup.getByTestId('item-deadline').textContent()) ?? '').slice(0, 10);
    expect(await sup.getByRole('row', { name: /杭州市住房和城乡建设局/ }).textContent()).toContain(deadline);

    const itemId = itemUrl.split('/').at(-1) ?? '';
    expect(await chaseItem(b.ctx.db, itemId, new Date())).toBeGreaterThan(0);
    await sup.reload();
    const notices = sup.getByTestId('notices');
    await notices.waitFor();
    expect(await notices.textContent()).toContain('节点逾期');
    await shot(sup, 'item-plan-zh');
  });

  it('a handler reports the milestone reached by its checkbox', async () => {
    const handler = await b.signIn('housing_h');
    await handler.goto(itemUrl);
    await openAction(handler, '签收').then(submitModal);
    await expect.poll(() => status(handler).textContent()).toBe('办理中');
    const modal = await openAction(handler, '进展反馈');
    await modal.getByLabel('完成进度（%）').fill('30');
    await modal.getByLabel('进展情况').fill('首批 4 个小区改造完成。');
    // Only milestones not yet reached are offered.
    expect(await modal.getByRole('checkbox').count()).toBe(2);
    await modal.getByRole('checkbox', { name: `完成首批小区改造（${soon}）` }).check();
    await submitModal(modal);
    const row = handler.getByTestId('milestones').getByRole('row', { name: /完成首批小区改造/ });
    await expect.poll(() => row.textContent()).toContain(`已于 ${shanghaiDay()} 完成`);
    expect(
      await handler
        .getByTestId('milestones')
        .getByRole('row', { name: /完成排水管网普查/ })
        .textContent(),
    ).toContain('已逾期');

    await handler.getByText('English', { exact: true }).click();
    await expect.poll(() => status(handler).textContent()).toBe('In progress');
    expect(await handler.getByTestId('item-deadline').textContent()).toContain(
      'within 10 working days of dispatch',
    );
    expect(await handler.getByTestId('milestones').textContent()).toContain(`Reached on ${shanghaiDay()}`);
    expect(await handler.getByTestId('schedule-label').textContent()).toBe('Weekly, by Friday');
    // The lead unit's report filled this week's report period.
    await handler.getByTestId('report-slots').getByText('Reported', { exact: true }).waitFor();
    await shot(handler, 'item-plan-en');
  });
});

describe('administration in the browser (Chromium)', () => {
  let admin: Page;
  const day = `${shanghaiDay().slice(0, 8)}15`;

  it('an admin sees the admin menu and marks a rest day on the working-day calendar, then takes it back', async () => {
    admin = await b.signIn('admin');
    const menu = admin.getByRole('navigation', { name: '主菜单' });
    expect(await menu.getByRole('menuitem').allTextContents()).toEqual([
      '工作日历',
      '督办分类规则',
      '存证核验',
      '接口文档',
    ]);
    await expect.poll(() => new URL(admin.url()).pathname).toBe('/admin/calendar');
    await admin.getByRole('heading', { name: '工作日历' }).waitFor();
    await admin.getByTestId('workday-count').waitFor();

    await admin.locator(`td[title="${day}"]`).click();
    const modal = admin.locator('.ant-modal:visible');
    await modal.waitFor();
    await modal.getByText('休息日', { exact: true }).click();
    await modal.getByLabel('名称').fill('防汛调休');
    await modal.getByRole('button', { name: '保存' }).click();
    await closes(modal);
    const cell = admin.getByTestId(`day-${day}`);
    await expect.poll(() => cell.textContent()).toBe('休息日防汛调休');
    const year = await apiAs(admin, 'GET', `/api/v1/calendar/days?year=${day.slice(0, 4)}`);
    expect(year.json.days.find((d: { date: string }) => d.date === day)).toMatchObject({
      kind: 'holiday',
      name: '防汛调休',
      source: 'admin',
      regionCode: null,
    });
    await shot(admin, 'admin-calendar-zh');
    expect(await axeViolations(admin)).toEqual([]);

    await admin.locator(`td[title="${day}"]`).click();
    await modal.waitFor();
    expect(await modal.getByTestId('day-current').textContent()).toContain('防汛调休 · 管理员设置');
    await modal.getByRole('button', { name: '撤销管理员设置' }).click();
    await modal.waitFor({ state: 'hidden' });
    await expect.poll(() => admin.getByText('防汛调休').count()).toBe(0);
  });

  it('an admin changes a category’s ladder (a 400 beside the field), sees it pending, and restores the default', async () => {
    await admin
      .getByRole('navigation', { name: '主菜单' })
      .getByRole('menuitem', { name: '督办分类规则' })
      .click();
    await admin.getByRole('heading', { name: '督办分类规则' }).waitFor();
    const row = admin.getByRole('row', { name: /民生实事推进/ });
    await row.waitFor();
    expect(await row.textContent()).toContain('已生效');
    await shot(admin, 'admin-rules-zh');
    expect(await axeViolations(admin)).toEqual([]);

    await row.getByRole('button', { name: '编辑' }).click();
    const modal = admin.locator('.ant-modal:visible');
    await opened(modal);
    // Red before yellow: refused by the server at the red field.
    await modal.getByLabel('剩余工作日不超过（天）亮红灯').fill('5');
    await modal.getByLabel('剩余工作日不超过（天）亮黄灯').fill('3');
    await modal.getByRole('button', { name: '保存' }).click();
    const error = modal.locator('.ant-form-item-explain-error');
    await error.waitFor();
    expect(await error.count()).toBe(1);
    expect(await modal.getByRole('alert').count()).toBe(0);
    const redItem = modal.locator('.ant-form-item', {
      has: admin.getByLabel('剩余工作日不超过（天）亮红灯'),
    });
    expect(await redItem.locator('.ant-form-item-explain-error').count()).toBe(1);
    await modal.getByRole('button', { name: '取消' }).click();
    await modal.waitFor({ state: 'hidden' });

    await row.getByRole('button', { name: '编辑' }).click();
    await opened(modal);
    const first = modal.getByTestId('ladder-step').first();
    await first.getByLabel('名称').fill('书面催办');
    await first.getByLabel('逾期后第几个工作日').fill('2');
    await shot(admin, 'admin-rules-edit-zh');
    await modal.getByRole('button', { name: '保存' }).click();
    await closes(modal);
    await expect.poll(() => row.textContent()).toContain('书面催办（逾期2日）');
    expect(await row.textContent()).toContain('将在一分钟内生效');
    const rules = await apiAs(admin, 'GET', '/api/v1/categories/livelihood/rules');
    // The light rule was not touched: it stays the default.
    expect(rules.json.rules.custom).toEqual({ lightRule: false, escalationLadder: true });
    expect(rules.json.rules.escalationLadder[0]).toEqual({
      kind: 'urge',
      name: '书面催办',
      color: 'blue',
      afterWorkingDays: 2,
    });

    await row.getByRole('button', { name: '编辑' }).click();
    await opened(modal);
    await modal.getByRole('button', { name: '恢复默认' }).click();
    await closes(modal);
    await expect.poll(() => row.textContent()).toContain('催办通知（逾期1日）');
    const restored = await apiAs(admin, 'GET', '/api/v1/categories/livelihood/rules');
    expect(restored.json.rules.custom).toEqual({ lightRule: false, escalationLadder: false });
  });

  it('shows the admin pages in English', async () => {
    await admin.getByText('English', { exact: true }).click();
    await admin.getByRole('heading', { name: 'Category rules' }).waitFor();
    // Restored a moment ago: the sweep has not re-dated the open items yet.
    await admin
      .getByRole('row', { name: /民生实事推进/ })
      .getByText('Takes effect within a minute')
      .waitFor();
    await shot(admin, 'admin-rules-en');
    await admin.goto(`${b.base}/admin/calendar`);
    await admin.getByRole('heading', { name: 'Working-day calendar' }).waitFor();
    await admin.getByTestId('workday-count').waitFor();
    await shot(admin, 'admin-calendar-en');
  });

  it('a supervisor has no admin menu and gets the friendly 未找到 page at the admin URLs; the API refuses', async () => {
    const sup = await b.signIn('city_sup');
    const menu = sup.getByRole('navigation', { name: '主菜单' });
    expect(await menu.getByRole('menuitem').allTextContents()).toEqual([
      '督查控制台',
      '存证核验',
      '接口文档',
    ]);
    for (const url of ['/admin/calendar', '/admin/category-rules']) {
      await sup.goto(`${b.base}${url}`);
      await sup.getByText('未找到').waitFor();
      expect(await sup.getByText('页面不存在，或您无权访问。').count()).toBe(1);
    }
    const put = await apiAs(sup, 'PUT', '/api/v1/categories/livelihood/rules', {
      lightRule: null,
      escalationLadder: null,
    });
    expect(put.status).toBe(403);
    expect(b.pageErrors).toEqual([]);
  });
});
