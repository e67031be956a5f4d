/**
 * 公众门户 in a real browser, as a citizen with no account on a phone-sized screen: search and
 * filter the public items, open one and read its timeline, submit a complaint and follow it by its
 * tracking number, rate a completed item through a one-time satisfaction link (issued via the API
 * by a supervisor), switch to English and 长者模式 (kept across a reload), and axe-core finds no
 * serious or critical WCAG 2.1 A/AA violation on any portal page. Non-public items stay 未找到.
 */
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { portalInitialSize } from '../../src/portal/bundle-size.ts';
import type { Client } from '../support/factories.ts';
import { itemBody } from '../support/factories.ts';
import { axeViolations, shot, useBrowserApp } from './browser.ts';
import { WEB_DIST } from './build.ts';

const b = useBrowserApp();
const PHONE = { width: 375, height: 812 };
const ids: Record<string, string> = {};
let sup: Client;
let browser: Browser;
const contexts: BrowserContext[] = [];
/** Every script the portal pages requested: none of the signed-in app's. */
const scripts: string[] = [];

async function citizen(locale = 'zh-CN'): Promise<Page> {
  const context = await browser.newContext({ locale, viewport: PHONE, deviceScaleFactor: 1, hasTouch: true });
  contexts.push(context);
  const page = await context.newPage();
  // Generous: the machine running the suite may be busy (a page's first load compiles its bundle).
  page.setDefaultTimeout(30_000);
  page.on('pageerror', (err) => b.pageErrors.push(`citizen: ${err.message}`));
  page.on('request', (r) => {
    if (r.resourceType() === 'script') scripts.push(new URL(r.url()).pathname);
  });
  return page;
}

async function expectAccessible(page: Page, what: string): Promise<void> {
  expect(await axeViolations(page), what).toEqual([]);
}

beforeAll(async () => {
  const { w } = b;
  sup = await w.as('city_sup');
  const lead = await w.as('housing_h');
  const create = async (key: string, c: Client, body: Record<string, unknown>) => {
    const res = await c.post('/api/v1/items', itemBody(body));
    expect(res.statusCode, res.body).toBe(201);
    ids[key] = res.json().item.id;
    return `/api/v1/items/${ids[key]}`;
  };
  const dispatch = async (url: string, c: Client, unitId: string) => {
    const r = await c.post(`${url}/actions/dispatch`, { assignments: [{ unitId, role: 'lead' }] });
    expect(r.statusCode, r.body).toBe(200);
  };
  const housing = w.units.housing as string;
  const a = await create('renovation', sup, {
    title: '推进老旧小区改造',
    content: '完成城北片区老旧小区综合改造 50 个。',
  });
  await dispatch(a, sup, housing);
  expect((await lead.post(`${a}/actions/accept`)).statusCode).toBe(200);
  expect(
    (await lead.post(`${a}/actions/report`, { percent: 60, narrative: '已完成 30 个小区的改造。' }))
      .statusCode,
  ).toBe(200);

  const ningboSup = await w.as('ningbo_sup');
  const nb = await create('port', ningboSup, {
    title: '宁波港区道路整治',
    content: '整治港区道路 10 公里。',
    categoryCode: 'key-project',
  });
  await dispatch(nb, ningboSup, w.units.ningboHousing as string);

  const done = await create('done', sup, { title: '城区路灯全面修复', content: '修复城区损坏路灯 300 盏。' });
  await dispatch(done, sup, housing);
  expect((await lead.post(`${done}/actions/accept`)).statusCode).toBe(200);
  expect(
    (await lead.post(`${done}/actions/report`, { percent: 100, narrative: '已全部修复。' })).statusCode,
  ).toBe(200);
  expect((await lead.post(`${done}/actions/request-completion`, { summary: '完成。' })).statusCode).toBe(200);
  expect((await sup.post(`${done}/actions/approve-completion`, { comment: '同意' })).statusCode).toBe(200);

  await create('hidden', sup, {
    title: '内部事项不应出现',
    content: '内部研究的财政预算调整事项。',
    sensitivity: 'internal',
    isPublic: false,
  });

  // The harness's browser (one Chromium for the suite), reached through a signed-in page.
  const supPage = await b.signIn('city_sup');
  const br = supPage.context().browser();
  if (!br) throw new Error('no browser');
  browser = br;
});

afterAll(async () => {
  for (const c of contexts) await c.close().catch(() => undefined);
});

describe('public portal (no login, phone-sized)', () => {
  it('searches and filters the public items, opens one and reads its timeline', async () => {
    const page = await citizen();
    await page.goto(`${b.base}/portal`);
    await page.getByRole('heading', { level: 1, name: '公开督办事项' }).waitFor();
    await expect.poll(() => page.getByTestId('result-count').textContent()).toBe('共 3 项');
    const list = page.getByTestId('item-list');
    await expect.poll(() => list.textContent()).toContain('推进老旧小区改造');
    expect(await page.content()).not.toContain('内部事项不应出现');
    // The light in words, not colour alone.
    expect(await list.textContent()).toContain('绿灯 · 正常');
    await expectAccessible(page, 'home');
    await shot(page, 'portal-home-zh-phone');

    await page.getByLabel('关键词').fill('港区');
    await page.getByRole('button', { name: '查询' }).click();
    await expect.poll(() => page.getByTestId('result-count').textContent()).toBe('共 1 项');
    expect(await list.textContent()).toContain('宁波港区道路整治');
    expect(page.url()).toContain('q=');

    await page.getByRole('link', { name: '清除条件' }).click();
    await expect.poll(() => page.getByTestId('result-count').textContent()).toBe('共 3 项');
    await page.getByLabel('行政区划').selectOption('330200');
    await page.getByRole('button', { name: '查询' }).click();
    await expect.poll(() => page.getByTestId('result-count').textContent()).toBe('共 1 项');
    expect(await list.textContent()).toContain('宁波港区道路整治');

    await page.getByRole('link', { name: '清除条件' }).click();
    await page.getByLabel('分类', { exact: true }).selectOption('livelihood');
    await page.getByLabel('状态', { exact: true }).selectOption('completed');
    await page.getByRole('button', { name: '查询' }).click();
    await expect.poll(() => page.getByTestId('result-count').textContent()).toBe('共 1 项');
    expect(await list.textContent()).toContain('城区路灯全面修复');
    // Back: the previous list and its form come back.
    await page.goBack();
    await expect.poll(() => page.getByTestId('result-count').textContent()).toBe('共 3 项');

    await page.getByRole('link', { name: '推进老旧小区改造' }).click();
    await page.getByRole('heading', { level: 1, name: '推进老旧小区改造' }).waitFor();
    const timeline = page.getByTestId('timeline');
    await expect.poll(() => timeline.textContent()).toContain('交办至杭州市住房和城乡建设局牵头办理');
    expect(await timeline.textContent()).toContain('完成 60%');
    expect(await timeline.textContent()).toContain('已完成 30 个小区的改造。');
    expect(await timeline.textContent()).toContain('已签收');
    expect(await page.getByTestId('item-page').textContent()).not.toContain('housing_h');
    await expectAccessible(page, 'item page');
    await shot(page, 'portal-item-zh-phone');

    // A non-public item and an unknown address: the same 未找到 page.
    await page.goto(`${b.base}/portal/items/${ids.hidden}`);
    await page.getByTestId('not-found').waitFor();
    expect(await page.content()).not.toContain('内部事项不应出现');
    await expectAccessible(page, 'not found');
    await page.goto(`${b.base}/portal/no-such-page`);
    await page.getByRole('heading', { level: 1, name: '未找到' }).waitFor();
    // Deep links get the portal's own page, never the signed-in app's.
    const html = await page.request.get(`${b.base}/portal/track/TS-2026-ABCDEFGH`, {
      headers: { accept: 'text/html' },
    });
    expect(html.status()).toBe(200);
    expect(await html.text()).toContain('<title>督办公开 · 公众门户</title>');
  });

  it('submits a complaint, shows field errors beside the field, and finds it by tracking number', async () => {
    const page = await citizen();
    await page.goto(`${b.base}/portal`);
    await page.getByRole('link', { name: '我要投诉/建议' }).click();
    await page.getByRole('heading', { level: 1, name: '我要投诉/建议' }).waitFor();
    await expectAccessible(page, 'complaint form');
    // Nothing filled in: the server's field errors appear beside the fields.
    await page.getByRole('button', { name: '提交' }).click();
    await page.locator('#err-title').waitFor();
    expect(await page.locator('#err-title').textContent()).toContain('请填写标题');
    expect(await page.getByLabel(/^标题/).getAttribute('aria-invalid')).toBe('true');
    await expectAccessible(page, 'complaint form with errors');
    await shot(page, 'portal-complaint-errors-zh-phone');

    await page.getByLabel('建议', { exact: true }).check();
    await page.getByLabel(/^标题/).fill('建议增设公交站台');
    await page.getByLabel(/^内容/).fill('城北小区门口没有公交站台，老人出行不便，建议增设。');
    await page.getByLabel('联系电话').fill('13800138000');
    await page.getByRole('button', { name: '提交' }).click();
    const no = (await page.getByTestId('tracking-no').textContent()) ?? '';
    expect(no).toMatch(/^TS-\d{4}-[0-9A-Z]{8}$/);
    await expectAccessible(page, 'complaint receipt');

    await page.getByRole('link', { name: '查询办理进度' }).click();
    const result = page.getByTestId('track-result');
    await expect.poll(() => result.textContent()).toContain('建议增设公交站台');
    expect(await page.getByTestId('track-status').textContent()).toBe('已受理');
    expect(await result.textContent()).not.toContain('13800138000');
    await expectAccessible(page, 'tracking result');
    await shot(page, 'portal-track-zh-phone');

    await page.getByLabel('查询编号').fill('TS-2026-ZZZZZZZZ');
    await page.getByRole('button', { name: '查询', exact: true }).click();
    await page.getByTestId('track-missing').waitFor();
    expect(await page.getByTestId('track-missing').textContent()).toContain('未找到');
  });

  it('rates a completed item once through its satisfaction link', async () => {
    const res = await sup.post(`/api/v1/items/${ids.done}/satisfaction-links`, {});
    expect(res.statusCode, res.body).toBe(201);
    const token = res.json().token as string;
    expect(token).toEqual(expect.any(String));

    const page = await citizen();
    await page.goto(`${b.base}/portal/satisfaction/${token}`);
    await page.getByRole('heading', { level: 1, name: '满意度评价' }).waitFor();
    await page.getByTestId('sat-form').waitFor();
    expect(await page.content()).toContain('城区路灯全面修复');
    await expectAccessible(page, 'satisfaction form');
    await shot(page, 'portal-satisfaction-zh-phone');
    await page.getByLabel('基本满意').check();
    await page.getByLabel('意见或建议（选填）').fill('修得很及时。');
    await page.getByRole('button', { name: '提交' }).click();
    await expect.poll(() => page.getByTestId('sat-message').textContent()).toBe('感谢您的评价！');

    await page.reload();
    await expect
      .poll(() => page.getByTestId('sat-message').textContent())
      .toBe('该链接已评价过，感谢您的参与。');
    expect(await page.getByTestId('sat-form').count()).toBe(0);
    await expectAccessible(page, 'satisfaction used');

    await page.goto(`${b.base}/portal/satisfaction/not-a-real-token`);
    await expect.poll(() => page.getByTestId('sat-message').textContent()).toBe('评价链接无效。');
  });

  it('offers the open data, in English and 长者模式 too, kept across a reload', async () => {
    const page = await citizen();
    await page.goto(`${b.base}/portal/open-data`);
    await page.getByRole('heading', { level: 1, name: '开放数据' }).waitFor();
    expect(await page.getByTestId('download-csv').getAttribute('href')).toBe('/api/v1/public/items.csv');
    const csv = await page.request.get(`${b.base}/api/v1/public/items.csv`);
    expect(csv.status()).toBe(200);
    const bytes = await csv.body();
    expect([...bytes.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
    expect(bytes.toString('utf8')).toContain('推进老旧小区改造');
    await expectAccessible(page, 'open data');

    // 长者模式 in Chinese: larger text, kept in localStorage.
    await page.goto(`${b.base}/portal`);
    await page.getByTestId('result-count').waitFor();
    const fontSize = () =>
      page.evaluate(() => Number.parseFloat(getComputedStyle(document.documentElement).fontSize));
    const normal = await fontSize();
    await page.getByRole('button', { name: '长者模式' }).click();
    expect(await page.getByTestId('elder-toggle').getAttribute('aria-pressed')).toBe('true');
    expect(await fontSize()).toBeGreaterThan(normal);
    await expectAccessible(page, 'home, elder mode');
    await shot(page, 'portal-home-zh-elder-phone');

    await page.getByTestId('lang-switch').click();
    await page.getByRole('heading', { level: 1, name: 'Public supervision items' }).waitFor();
    expect(await page.evaluate(() => document.documentElement.lang)).toBe('en');
    await page.reload();
    await page.getByRole('heading', { level: 1, name: 'Public supervision items' }).waitFor();
    expect(await page.getByTestId('elder-toggle').getAttribute('aria-pressed')).toBe('true');
    await expect.poll(() => page.getByTestId('result-count').textContent()).toBe('3 items');
    expect(await page.getByTestId('item-list').textContent()).toContain('Green · on track');
    await expectAccessible(page, 'home, English, elder mode');
    await shot(page, 'portal-home-en-elder-phone');

    await page.getByRole('link', { name: 'Complaint / suggestion' }).click();
    await page.getByRole('heading', { level: 1, name: 'Complaint or suggestion' }).waitFor();
    await expectAccessible(page, 'complaint form, English, elder mode');
    await shot(page, 'portal-complaint-en-elder-phone');

    await page.getByTestId('elder-toggle').click();
    await page.getByRole('link', { name: 'Public items' }).click();
    await page.getByTestId('result-count').waitFor();
    await shot(page, 'portal-home-en-phone');
    // Nothing wider than the phone's screen.
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(PHONE.width);
  });

  it('loads none of the signed-in app and keeps its initial JavaScript small', () => {
    expect(scripts.length).toBeGreaterThan(0);
    const size = portalInitialSize(WEB_DIST);
    const initial = new Set(size.files.map((f) => f.file));
    // The main app's entry (index-*.js, with antd) is never requested by a portal page.
    expect(scripts.filter((s) => /\/assets\/index-/.test(s))).toEqual([]);
    expect([...initial].some((f) => /\/assets\/index-/.test(f))).toBe(false);
    console.log(`portal initial JS: ${(size.jsGzip / 1024).toFixed(1)} KB gzip (${size.files.length} files)`);
    expect(size.jsGzip).toBeLessThan(300 * 1024);
    expect(b.pageErrors).toEqual([]);
  });
});
