/**
 * Under the strict Content-Security-Policy (issue 8 §1) the app still works in a real browser
 * (Debian's Chromium via playwright-core): the workbench, the cockpit with its ECharts canvases, the
 * public portal, the API docs and verify.html load with no CSP violation reported, and two
 * journeys run — an admin grants pii:read in the 授权 drawer of 用户与角色, and the supervisor then
 * reads a complaint's full contact in the record drawer (查看完整联系方式, with a reason).
 */
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { choose, closes, opened, shot, useBrowserApp } from '../web/browser.ts';

const b = useBrowserApp();

const COMPLAINT = {
  kind: 'complaint',
  regionCode: '330100',
  title: '文三路沿街餐馆油烟扰民',
  content:
    '我叫张三，电话13812345678，身份证330106199001011234，住西湖区文三路88号3栋2单元501室，楼下餐馆油烟直排。',
  contactName: '张三',
  contactPhone: '13812345678',
};

/**
 * Records every CSP violation a page reports — the DOM event (securitypolicyviolation, installed
 * before any page script) and Chromium's console message — into the returned list.
 */
async function watchCsp(page: Page): Promise<string[]> {
  const violations: string[] = [];
  page.on('console', (msg) => {
    if (msg.text().includes('Content Security Policy')) violations.push(`console: ${msg.text()}`);
  });
  await page.exposeFunction('__reportCsp', (v: string) => violations.push(v));
  await page.addInitScript(() => {
    document.addEventListener('securitypolicyviolation', (e) => {
      const report = (window as unknown as { __reportCsp: (v: string) => void }).__reportCsp;
      report(`${e.violatedDirective} blocked ${e.blockedURI} (${e.sourceFile}:${e.lineNumber})`);
    });
  });
  return violations;
}

async function anonymousPage(): Promise<Page> {
  // A signed-in page's browser context is its own; an anonymous one comes from a fresh sign-in
  // context's browser: open a page and sign out by clearing its cookies.
  const page = await b.signIn('housing_h');
  await page.context().clearCookies();
  return page;
}

describe('strict CSP in the browser (Chromium)', () => {
  it('workbench, cockpit (ECharts), portal, API docs and verify.html report no CSP violation', async () => {
    const handler = await b.signIn('housing_h');
    const onWorkbench = await watchCsp(handler);
    await handler.goto(`${b.base}/`);
    await handler.getByTestId('who').waitFor();
    await handler.getByRole('heading', { level: 1 }).first().waitFor();
    await shot(handler, 'csp-workbench');

    const leader = await b.signIn('leader');
    const onCockpit = await watchCsp(leader);
    await leader.goto(`${b.base}/cockpit`);
    await leader.getByRole('heading', { name: /领导驾驶舱/ }).waitFor();
    await leader.locator('[data-testid="chart-trend"][data-chart-ready="true"]').waitFor();
    await expect.poll(() => leader.locator('[data-testid="chart-trend"] canvas').count()).toBeGreaterThan(0);
    await shot(leader, 'csp-cockpit');

    const visitor = await anonymousPage();
    const onPublic = await watchCsp(visitor);
    await visitor.goto(`${b.base}/portal`);
    await visitor.getByRole('heading', { level: 1 }).first().waitFor();
    await shot(visitor, 'csp-portal');
    await visitor.goto(`${b.base}/verify.html`);
    await visitor.locator('h1').first().waitFor();
    await visitor.goto(`${b.base}/api/v1/docs`);
    await visitor.locator('.swagger-ui .info .title').waitFor();
    await shot(visitor, 'csp-docs');

    // Give late reports (they are queued as tasks) a moment to arrive before judging.
    await handler.waitForTimeout(500);
    expect(onWorkbench).toEqual([]);
    expect(onCockpit).toEqual([]);
    expect(onPublic).toEqual([]);
    expect(b.pageErrors).toEqual([]);
  });

  it('the watcher does see a violation (an inline script the policy blocks)', async () => {
    const page = await b.signIn('housing_h');
    const seen = await watchCsp(page);
    await page.evaluate(() => {
      const s = document.createElement('script');
      s.textContent = 'window.__inlineRan = true';
      document.body.append(s);
    });
    await expect.poll(() => seen.length).toBeGreaterThan(0);
    expect(await page.evaluate(() => (window as unknown as { __inlineRan?: boolean }).__inlineRan)).toBe(
      undefined,
    );
  });

  it('an admin grants pii:read in the 授权 drawer; the supervisor reads the full contact with a reason', async () => {
    const res = await fetch(`${b.base}/api/v1/public/complaints`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(COMPLAINT),
    });
    expect(res.status).toBe(201);

    const admin = await b.signIn('admin');
    const onAdmin = await watchCsp(admin);
    await admin.goto(`${b.base}/admin/users`);
    await admin.getByRole('button', { name: '授权 city_sup' }).click();
    const drawer = admin.locator('.ant-drawer:visible');
    await drawer.getByText('暂无授权').waitFor();
    await choose(admin, drawer.getByLabel('授权类型'), '查看个人信息');
    await drawer.getByLabel('理由').fill('12345 热线回访');
    await drawer
      .getByRole('button', { name: '授 予' })
      .or(drawer.getByRole('button', { name: '授予' }))
      .click();
    // Wait for the granted row itself: the empty table's 暂无授权 placeholder is a row too.
    await drawer.getByText('已授予').first().waitFor();
    expect(await drawer.getByRole('row').count()).toBe(2);
    expect(await drawer.textContent()).not.toContain('暂无授权');
    await shot(admin, 'grants-drawer');

    const sup = await b.signIn('city_sup');
    const onSup = await watchCsp(sup);
    await sup.goto(`${b.base}/intake`);
    await sup.getByRole('button', { name: COMPLAINT.title, exact: true }).click();
    const record = sup.locator('.ant-drawer:visible');
    await record.getByRole('heading', { name: COMPLAINT.title }).waitFor();
    const masked = (await record.getByTestId('intake-content').textContent()) ?? '';
    expect(masked).toContain('138****5678');
    expect(masked).not.toContain('13812345678');
    await record.getByTestId('unmask-contact').click();
    const modal = sup.locator('.ant-modal:visible');
    await opened(modal);
    await modal.getByLabel('查看理由').fill('回访群众核实诉求');
    await modal
      .getByRole('button', { name: '查 看' })
      .or(modal.getByRole('button', { name: '查看' }))
      .click();
    await modal.getByText('13812345678').first().waitFor();
    expect(await modal.textContent()).toContain('文三路88号3栋2单元501室');
    await shot(sup, 'pii-unmasked');
    await modal.getByRole('button', { name: /取\s?消/ }).click();
    await closes(modal);

    const reads = await b.ctx.db.selectFrom('pii_reads').selectAll().execute();
    expect(reads).toHaveLength(1);
    expect(reads[0]?.reason).toBe('回访群众核实诉求');
    expect(onAdmin).toEqual([]);
    expect(onSup).toEqual([]);
    expect(b.pageErrors).toEqual([]);
  });
});
