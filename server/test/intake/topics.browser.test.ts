/**
 * 热点话题 in the React app, in a real browser: three citizens report the same problem through the
 * public complaint API; a supervisor opens 热点话题 from the menu, sees the topic with its count,
 * rising tag and sparkline, opens its records, and turns it into an item (转为督办事项 opens 立项
 * prefilled). A leader sees the page without that button. Screenshots in 中文 and English; axe-core
 * finds no serious or critical violations.
 */
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { axeViolations, shot, useBrowserApp } from '../web/browser.ts';

const REPORTS = [
  {
    title: '文三路华星小区地铁工地夜间施工扰民',
    content: '文三路华星小区旁边的地铁三号线工地每天施工到凌晨一点，噪音很大，居民无法休息。',
  },
  {
    title: '投诉地铁三号线工地夜间施工',
    content: '文三路华星小区附近的地铁三号线工地晚上一直施工到凌晨一点，吵得老人孩子睡不着。',
  },
  {
    title: '华星小区旁地铁工地半夜施工噪音',
    content: '地铁三号线工地在文三路华星小区边上半夜还在打桩，噪音扰民，已经持续一周。',
  },
];

const b = useBrowserApp();

async function complain(body: { title: string; content: string }) {
  const res = await fetch(`${b.base}/api/v1/public/complaints`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ kind: 'complaint', regionCode: '330106', contactPhone: '13812345678', ...body }),
  });
  expect(res.status, await res.text()).toBe(201);
}

const topicCard = (page: Page) => page.getByTestId('topic').filter({ hasText: '地铁三号线工地' });

describe('热点话题 in the browser (Chromium)', () => {
  let sup: Page;

  it('shows the topic with its count, rising tag, trend and regions', async () => {
    for (const r of REPORTS) await complain(r);
    sup = await b.signIn('city_sup');
    await sup.getByRole('navigation', { name: '主菜单' }).getByRole('menuitem', { name: '热点话题' }).click();
    await sup.getByRole('heading', { name: '热点话题' }).waitFor();
    const selected = sup.getByRole('navigation', { name: '主菜单' }).locator('.ant-menu-item-selected');
    expect(await selected.textContent()).toBe('热点话题');
    const card = topicCard(sup);
    await card.waitFor();
    const text = (await card.textContent()) ?? '';
    expect(text).toContain('3 条');
    expect(text).toContain('上升');
    expect(text).toContain('西湖区');
    expect(await card.getByTestId('topic-sparkline').getAttribute('aria-label')).toBe(
      '每周记录数：0、0、0、0、3',
    );
    await shot(sup, 'topics-zh');
    expect(await axeViolations(sup)).toEqual([]);
  });

  it('opens exactly the topic’s records', async () => {
    await topicCard(sup).getByRole('button', { name: '查看记录' }).click();
    const drawer = sup.locator('.ant-drawer:visible');
    await drawer.getByTestId('topic-records').waitFor();
    await expect.poll(() => drawer.locator('tbody tr.ant-table-row').count()).toBe(3);
    for (const r of REPORTS) expect(await drawer.textContent()).toContain(r.title);
    await sup.keyboard.press('Escape');
  });

  it('转为督办事项 opens 立项 prefilled from the topic', async () => {
    await topicCard(sup).getByRole('button', { name: '转为督办事项' }).click();
    await sup.waitForURL(/\/console\/new$/);
    await sup.getByRole('heading', { name: '立项' }).waitFor();
    expect(await sup.getByLabel('事项标题').inputValue()).toMatch(/^热点话题：.*地铁三号线工地/);
    const content = await sup.getByLabel('事项内容').inputValue();
    expect(content).toContain('3 件');
    expect(content).toContain('西湖区');
  });

  it('a leader reads the topics without 转为督办事项; English works too', async () => {
    const leader = await b.signIn('leader');
    await leader.goto(`${b.base}/topics`);
    await topicCard(leader).waitFor();
    expect(await topicCard(leader).getByRole('button', { name: '转为督办事项' }).count()).toBe(0);
    const en = sup;
    await en.goto(`${b.base}/topics`);
    await en.getByText('English', { exact: true }).click();
    await en.getByRole('heading', { name: 'Hot topics' }).waitFor();
    await topicCard(en).getByRole('button', { name: 'Register as item' }).waitFor();
    await shot(en, 'topics-en');
    expect(await axeViolations(en)).toEqual([]);
    expect(b.pageErrors).toEqual([]);
  });
});
