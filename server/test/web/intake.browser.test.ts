/**
 * 受理池 (task pool) in the React app, in a real browser: two citizens report the same problem
 * through the public complaint API (no login); a supervisor opens the task pool, sees the other
 * report as a similar record with the phrases they share, accepts one as an item (受理立项, landing
 * on the item page) and rejects the other with a reason. Registering a near-duplicate of that item
 * in 立项 then meets the 重复督办 dialog, and goes through with a reason (仍要立项). Screenshots in
 * 中文 and English; axe-core finds no serious or critical violations.
 */
import fs from 'node:fs';
import ExcelJS from 'exceljs';
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { axeViolations, choose, closes, opened, shot, typeDate, useBrowserApp } from './browser.ts';

const FIRST = {
  title: '和平街道安康小区北门污水管网堵塞外溢',
  content:
    '和平街道安康小区北门污水管网长期堵塞，雨后污水外溢到人行道，居民出行不便，请尽快疏通改造安康小区北门污水管网。',
};
const SECOND = {
  title: '安康小区北门污水管网又堵了',
  content: '和平街道安康小区北门污水管网堵塞，雨后污水外溢到人行道，气味很大，希望有关部门尽快处理。',
};

const b = useBrowserApp();

async function complain(body: { title: string; content: string }): Promise<string> {
  const res = await fetch(`${b.base}/api/v1/public/complaints`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ kind: 'complaint', regionCode: '330100', contactPhone: '13812345678', ...body }),
  });
  const json = (await res.json()) as { trackingNo: string };
  expect(res.status, JSON.stringify(json)).toBe(201);
  return json.trackingNo;
}

const drawer = (page: Page) => page.locator('.ant-drawer:visible');

async function openRecord(page: Page, title: string) {
  await page.getByRole('button', { name: title, exact: true }).click();
  await drawer(page).getByRole('heading', { name: title }).waitFor();
}

async function openTriage(page: Page, name: string) {
  await page.getByTestId('intake-actions').getByRole('button', { name, exact: true }).click();
  const modal = page.locator('.ant-modal:visible');
  await opened(modal);
  return modal;
}

describe('the task pool (受理池) in the browser (Chromium)', () => {
  let sup: Page;
  let secondNo: string;
  let itemPath: string;

  it('shows citizens’ complaints with the similar record and its shared phrases', async () => {
    await complain(FIRST);
    secondNo = await complain(SECOND);
    sup = await b.signIn('city_sup');
    const menu = sup.getByRole('navigation', { name: '主菜单' });
    await menu.getByRole('menuitem', { name: '受理池' }).click();
    await sup.getByRole('heading', { name: '受理池' }).waitFor();
    const row = sup.getByRole('row', { name: new RegExp(FIRST.title) });
    await row.waitFor();
    expect(await row.textContent()).toContain('群众门户');
    expect(await row.textContent()).toContain('已受理');
    await shot(sup, 'intake-zh');
    expect(await axeViolations(sup)).toEqual([]);

    await openRecord(sup, FIRST.title);
    const similar = drawer(sup).getByTestId('similar-record').filter({ hasText: secondNo });
    await similar.waitFor();
    expect(await similar.textContent()).toContain(SECOND.title);
    const phrases = await similar.getByTestId('shared-phrases').locator('mark').allTextContents();
    expect(phrases.length).toBeGreaterThan(0);
    expect(phrases.join('')).toContain('污水');
    // The shared phrases are marked in the record's text too; the contact arrives masked.
    expect(await drawer(sup).getByTestId('intake-content').locator('mark').count()).toBeGreaterThan(0);
    expect(await drawer(sup).textContent()).not.toContain('13812345678');
    await drawer(sup).getByTestId('intake-routing').waitFor();
    await shot(sup, 'intake-detail-zh');
    expect(await axeViolations(sup)).toEqual([]);
  });

  it('accepts the record as an item (受理立项) and lands on the item page', async () => {
    const modal = await openTriage(sup, '受理立项');
    expect(await modal.getByLabel('事项标题').inputValue()).toBe(FIRST.title);
    const category = modal.getByLabel('分类');
    const chosen = await category
      .locator('xpath=ancestor::*[contains(@class, "ant-select")][1]')
      .textContent();
    if (!chosen?.includes('民生实事推进')) await choose(sup, category, '民生实事推进');
    await typeDate(modal.getByLabel('办结期限'), '2027-06-30');
    await modal.getByRole('button', { name: '提交' }).click();
    await sup.waitForURL(/\/items\/[0-9a-f-]{36}$/);
    await sup.getByRole('heading', { name: new RegExp(FIRST.title) }).waitFor();
    itemPath = new URL(sup.url()).pathname;
  });

  it('rejects the other record (不予受理) with a reason', async () => {
    await sup.goto(`${b.base}/intake`);
    await openRecord(sup, SECOND.title);
    const modal = await openTriage(sup, '不予受理');
    await modal.getByRole('button', { name: '提交' }).click();
    await modal.locator('.ant-form-item-explain-error').waitFor();
    await modal.getByLabel('理由').fill('与已立项事项为同一问题，已随该事项办理。');
    await modal.getByRole('button', { name: '提交' }).click();
    await closes(modal);
    await expect.poll(() => drawer(sup).getByTestId('intake-status').textContent()).toBe('不予立项');
    expect(await drawer(sup).textContent()).toContain('与已立项事项为同一问题');
    await sup.keyboard.press('Escape');
    await expect
      .poll(async () => (await sup.getByRole('row', { name: new RegExp(SECOND.title) }).textContent()) ?? '')
      .toContain('不予立项');
  });

  it('meets the 重复督办 dialog when registering a near-duplicate, and overrides it with a reason', async () => {
    await sup.goto(`${b.base}/console/new`);
    await sup.getByRole('heading', { name: '立项' }).waitFor();
    await sup.getByLabel('事项标题').fill('疏通改造安康小区北门污水管网');
    await sup
      .getByLabel('事项内容')
      .fill('和平街道安康小区北门污水管网长期堵塞，雨后污水外溢到人行道，请疏通改造安康小区北门污水管网。');
    await choose(sup, sup.getByLabel('来源'), '政府工作报告');
    await choose(sup, sup.getByLabel('分类'), '民生实事推进');
    await typeDate(sup.getByLabel('办结期限'), '2027-06-30');
    await sup.locator('form[id="register"]').getByRole('button', { name: '立项' }).click();

    const dialog = sup.locator('.ant-modal:visible');
    await opened(dialog);
    await dialog.getByText('重复督办提醒').waitFor();
    const dup = dialog.getByTestId('duplicate-items').getByRole('link', { name: new RegExp(FIRST.title) });
    await dup.waitFor();
    expect(await dup.getAttribute('href')).toBe(itemPath);
    await shot(sup, 'register-duplicate-zh');
    expect(await axeViolations(sup)).toEqual([]);
    // The reason is required.
    await dialog.getByRole('button', { name: '仍要立项' }).click();
    await dialog.locator('.ant-form-item-explain-error').waitFor();
    await dialog.getByLabel('重复立项理由').fill('上级专项交办，需单独立项跟踪。');
    await dialog.getByRole('button', { name: '仍要立项' }).click();
    await sup.waitForURL(/\/items\/[0-9a-f-]{36}$/);
    await sup.getByRole('heading', { name: /疏通改造安康小区北门污水管网/ }).waitFor();
  });

  it('imports records from Excel: the template, a refused file’s row errors, then a good file', async () => {
    await sup.goto(`${b.base}/intake`);
    const card = sup.getByTestId('intake-import');
    await card.waitFor();
    const [download] = await Promise.all([
      sup.waitForEvent('download'),
      card.getByRole('link', { name: '下载导入模板' }).click(),
    ]);
    const template = fs.readFileSync(await download.path());
    const withRow = async (row: string[]) => {
      const wb = new ExcelJS.Workbook();
      await wb.xlsx.load(template as unknown as ArrayBuffer);
      wb.worksheets[0]?.addRow(row);
      return Buffer.from(await wb.xlsx.writeBuffer());
    };
    const mime = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';
    const input = card.locator('input[type="file"]');

    await input.setInputFiles({
      name: 'bad.xlsx',
      mimeType: mime,
      buffer: await withRow(['其他', '', '内容']),
    });
    const errors = card.getByRole('table');
    await errors.waitFor();
    const text = (await errors.textContent()) ?? '';
    expect(text).toContain('标题');
    expect(text).toContain('类型');
    expect(await card.getByRole('alert').textContent()).toContain('导入失败');
    await shot(sup, 'intake-import-errors-zh');
    expect(await axeViolations(sup)).toEqual([]);

    await input.setInputFiles({
      name: 'good.xlsx',
      mimeType: mime,
      buffer: await withRow([
        '建议',
        '建议在和平公园增设健身器材',
        '和平公园缺少健身器材，建议增设。',
        '330100',
      ]),
    });
    await card.getByText('已导入 1 条记录').waitFor();
    expect(await card.getByRole('table').count()).toBe(0);
    const row = sup.getByRole('row', { name: /建议在和平公园增设健身器材/ });
    await row.waitFor();
    expect(await row.textContent()).toContain('Excel 导入');
  });

  it('shows the task pool in English', async () => {
    await sup.goto(`${b.base}/intake`);
    await sup.getByRole('heading', { name: '受理池' }).waitFor();
    await sup.getByText('English', { exact: true }).click();
    await sup.getByRole('heading', { name: 'Task pool' }).waitFor();
    await sup.getByRole('row', { name: new RegExp(SECOND.title) }).waitFor();
    await shot(sup, 'intake-en');
    await openRecord(sup, FIRST.title);
    await drawer(sup).getByText('Similar records').waitFor();
    await shot(sup, 'intake-detail-en');
    expect(await axeViolations(sup)).toEqual([]);
    expect(b.pageErrors).toEqual([]);
  });
});
