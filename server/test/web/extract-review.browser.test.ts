/**
 * 文件提取 in the React app, in a real browser: a supervisor uploads a small .txt with two
 * commitments, sees each candidate's citation highlighted in the text beside the editable list
 * (clicking a citation selects its candidate), picks the lead unit the extractor could not match,
 * registers both (批量立项) and finds them in the console's list. Screenshots; axe-core finds no
 * serious or critical violations.
 */
import { describe, expect, it } from 'vitest';
import { axeViolations, choose, shot, useBrowserApp } from './browser.ts';

const DOC = [
  '杭州市2026年民生实事项目任务分工方案',
  '一、新建社区食堂12个。（牵头单位：市住建局；配合单位：市财政局；完成时限：2026年10月底前）',
  '二、改造提升城区背街小巷40条。（牵头单位：市城管局；完成时限：年底前）',
  '',
].join('\n');

const b = useBrowserApp();

describe('文件提取 review screen in the browser (Chromium)', () => {
  it('uploads a document, reviews the candidates and registers both', async () => {
    b.ctx.setNow('2026-03-02T02:00:00Z');
    const sup = await b.signIn('city_sup');
    const menu = sup.getByRole('navigation', { name: '主菜单' });
    await menu.getByRole('menuitem', { name: '文件提取' }).click();
    await sup.getByRole('heading', { name: '文件提取' }).waitFor();
    expect(await axeViolations(sup)).toEqual([]);

    await sup.locator('input[type="file"]').setInputFiles({
      name: '民生实事分工方案.txt',
      mimeType: 'text/plain',
      buffer: Buffer.from(DOC, 'utf8'),
    });
    const cards = sup.getByTestId('candidate');
    await expect.poll(() => cards.count()).toBe(2);
    const marks = sup.getByTestId('citation');
    expect(await marks.count()).toBe(2);
    expect(await marks.nth(0).textContent()).toContain('新建社区食堂12个');
    expect(await marks.nth(1).textContent()).toContain('改造提升城区背街小巷40条');

    // The first candidate's units were matched; the second's lead (市城管局) is not in the org tree.
    const first = cards.nth(0);
    expect(await first.textContent()).toContain('杭州市住房和城乡建设局');
    expect(await first.textContent()).toContain('杭州市财政局');
    expect(await first.textContent()).toContain('原文时限：2026年10月底前');
    const second = cards.nth(1);
    expect(await second.getByTestId('unmatched').textContent()).toContain('市城管局');
    expect(await second.getByLabel('办结期限').inputValue()).toBe('2026-12-31');

    // A citation in the text selects its candidate (and back).
    await marks.nth(1).click();
    await expect.poll(async () => (await second.getAttribute('style')) ?? '').toContain('rgb(212, 136, 6)');
    await first.getByRole('button', { name: '定位原文' }).click();
    await expect.poll(async () => (await marks.nth(0).getAttribute('style')) ?? '').toContain('outline');
    expect((await marks.nth(1).getAttribute('style')) ?? '').not.toContain('outline');
    await shot(sup, 'extract-review-zh');
    expect(await axeViolations(sup)).toEqual([]);

    // Without a lead the row is refused, next to the row, and nothing is created.
    await choose(sup, sup.getByLabel('分类（全部事项）'), '民生实事推进');
    await sup.getByTestId('extract-create').click();
    await second.getByTestId('row-error').waitFor();
    expect(await second.getByTestId('row-error').textContent()).toContain('请选择牵头单位');
    expect(await first.getByTestId('row-error').count()).toBe(0);

    await choose(sup, second.getByLabel('牵头单位'), '杭州市教育局', '教育');
    await sup.getByTestId('extract-create').click();
    const done = sup.getByTestId('extract-created');
    await done.waitFor();
    expect(await done.textContent()).toContain('已立项 2 项');
    const links = done.getByRole('link');
    expect(await links.count()).toBe(2);
    await shot(sup, 'extract-created-zh');

    // Both are in the console's list; the edited one went to the chosen lead.
    await sup.goto(`${b.base}/console`);
    for (const title of ['新建社区食堂12个', '改造提升城区背街小巷40条'])
      await sup.getByRole('link', { name: title }).first().waitFor();
    await sup.getByRole('link', { name: '改造提升城区背街小巷40条' }).first().click();
    await sup.waitForURL(/\/items\/[0-9a-f-]{36}$/);
    await expect
      .poll(async () => (await sup.locator('main').first().textContent()) ?? '')
      .toContain('杭州市教育局');

    // The page in English.
    await sup.goto(`${b.base}/extract`);
    await sup.getByRole('heading', { name: '文件提取' }).waitFor();
    await sup.getByText('English', { exact: true }).click();
    await sup.getByRole('heading', { name: 'Extract from a document' }).waitFor();
    await shot(sup, 'extract-upload-en');
    expect(b.pageErrors).toEqual([]);
  });
});
