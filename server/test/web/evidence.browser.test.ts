/**
 * The evidence ledger in a real browser: Debian's Chromium (never a downloaded one) driven by
 * playwright-core against the real app on a real port. The pages run @duban/verifier with WebCrypto:
 * the item page (React) bundles it, the public 存证核验 page loads web/dist/verifier.js (esbuild),
 * both built by the web workspace's `build` script. Nothing here is skipped: without
 * /usr/bin/chromium every test fails and says why.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { EvidencePackage } from '@duban/verifier';
import { type Browser, chromium, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../../src/app.ts';
import { totpCode } from '../../src/auth/mfa.ts';
import type { App } from '../../src/http/types.ts';
import { loadOrCreateSigner } from '../../src/ledger/keys.ts';
import { checkpointNow } from '../../src/ledger/service.ts';
import { createTestContext, type TestContext } from '../support/context.ts';
import { buildWorld, itemBody, PASSWORD, type World } from '../support/factories.ts';
import { ensureWebBuild } from './build.ts';

const CHROMIUM = '/usr/bin/chromium';

function missingChromium(): Error {
  return new Error(
    `Chromium is missing at ${CHROMIUM}: install it with \`apt-get update && apt-get install -y chromium\` ` +
      '(.ci/run does this in CI). The browser tests never download a browser.',
  );
}

let ctx: TestContext;
let w: World;
let app: App;
let base: string;
let browser: Browser | undefined;
let tmp: string;
/** Created, dispatched and covered by the checkpoint. */
let itemId: string;
/** Created after the checkpoint: its only entry is pending. */
let pendingItemId: string;
let checkpointSize: number;
let pkg: EvidencePackage;
let pkgFile: string;

beforeAll(async () => {
  ensureWebBuild();
  ctx = await createTestContext();
  w = await buildWorld(ctx);
  const sup = await w.as('city_sup');
  itemId = (await sup.post('/api/v1/items', itemBody({ title: '浏览器核验事项' }))).json().item.id;
  const dispatched = await sup.post(`/api/v1/items/${itemId}/actions/dispatch`, {
    assignments: [{ unitId: w.units.housing, role: 'lead', deadline: '2027-06-30' }],
  });
  expect(dispatched.statusCode, dispatched.body).toBe(200);
  const integration = await checkpointNow(ctx);
  if (!integration) throw new Error('no checkpoint was made');
  checkpointSize = integration.size;
  pendingItemId = (await sup.post('/api/v1/items', itemBody({ title: '尚未入账事项' }))).json().item.id;

  const res = await sup.get(`/api/v1/items/${itemId}/evidence`);
  expect(res.statusCode, res.body).toBe(200);
  pkg = res.json();
  expect(pkg.entries.length).toBeGreaterThanOrEqual(2);
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'duban-web-'));
  pkgFile = path.join(tmp, `evidence-${itemId}.json`);
  fs.writeFileSync(pkgFile, res.body);

  app = await buildApp(ctx);
  await app.listen({ port: 0, host: '127.0.0.1' });
  const address = app.server.address();
  if (address === null || typeof address === 'string') throw new Error('no TCP address');
  base = `http://127.0.0.1:${address.port}`;
  if (fs.existsSync(CHROMIUM)) {
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      headless: true,
      args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage'],
    });
  }
});

afterAll(async () => {
  await browser?.close();
  await app?.close();
  await w?.app.close();
  await ctx?.cleanup();
  if (tmp) fs.rmSync(tmp, { recursive: true, force: true });
});

/** A page in a fresh browser context (no cookies); page errors fail the test that opened it. */
async function newPage(): Promise<{ page: Page; errors: string[] }> {
  if (!browser) throw missingChromium();
  const context = await browser.newContext({ locale: 'zh-CN' });
  const page = await context.newPage();
  page.setDefaultTimeout(20_000);
  const errors: string[] = [];
  page.on('pageerror', (err) => errors.push(err.message));
  return { page, errors };
}

async function text(page: Page, selector: string): Promise<string> {
  return ((await page.locator(selector).textContent()) ?? '').trim();
}

/** Opens the public portal and drops nothing yet: the published keys have been listed. */
async function openPortal(): Promise<{ page: Page; errors: string[] }> {
  const opened = await newPage();
  await opened.page.goto(`${base}/verify.html`);
  await opened.page.locator('#keys code').first().waitFor();
  return opened;
}

/** Waits for the portal's verdict and returns its text. */
async function verdict(page: Page): Promise<string> {
  await page.locator('#verdict').waitFor();
  return text(page, '#verdict');
}

/** The package with one byte of one entry changed: a hex digit of the event id (still canonical). */
function tampered(p: EvidencePackage): { pkg: EvidencePackage; index: number } {
  const target = p.entries[1];
  if (!target) throw new Error('fixture: the package needs two entries');
  const at = target.entry.indexOf('"id":"') + '"id":"'.length;
  const digit = target.entry[at];
  const flipped = digit === '0' ? '1' : '0';
  const entry = `${target.entry.slice(0, at)}${flipped}${target.entry.slice(at + 1)}`;
  expect(Buffer.byteLength(entry)).toBe(Buffer.byteLength(target.entry));
  const entries = p.entries.map((e) => (e === target ? { ...e, entry } : e));
  return { pkg: { ...p, entries }, index: target.index };
}

describe('evidence ledger in the browser (Chromium)', () => {
  it('has Chromium installed at /usr/bin/chromium', () => {
    if (!fs.existsSync(CHROMIUM)) throw missingChromium();
    expect(browser?.isConnected()).toBe(true);
  });

  it('serves the bundled verifier built from verifier/src', async () => {
    const res = await fetch(`${base}/verifier.js`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/javascript/);
    expect(await res.text()).toMatch(/export \{[^}]*verifyEvidencePackage/);
  });

  it('shows a supervisor who logs in that the item is verified against the checkpoint', async () => {
    const { page, errors } = await newPage();
    await page.goto(`${base}/`);
    await page.getByLabel('用户名').fill('city_sup');
    await page.getByLabel('密码').fill(PASSWORD);
    await page.getByRole('button', { name: '登录' }).click();
    // Supervisors sign in with a TOTP code (enrolled when beforeAll signed city_sup in).
    const secret = w.totpSecrets.get('city_sup');
    if (secret === undefined) throw new Error('fixture: city_sup has no TOTP secret');
    await page.getByLabel('动态验证码').fill(totpCode(secret, ctx.now()));
    await page.getByRole('button', { name: '验证', exact: true }).click();
    await page.getByRole('cell', { name: '浏览器核验事项' }).click();

    const badge = page.locator('#evidence-badge:not([data-state="checking"])');
    await badge.waitFor();
    expect(await text(page, '#evidence-badge')).toBe(
      `✓ 已验证：${pkg.entries.length} 条记录均在账本检查点（大小 ${checkpointSize}）中`,
    );
    expect(await page.locator('#evidence-badge').getAttribute('data-state')).toBe('verified');
    expect(await page.getByRole('link', { name: '下载存证包' }).getAttribute('href')).toBe(
      `/api/v1/items/${itemId}/evidence`,
    );
    expect(await page.getByRole('link', { name: /存证核验页/ }).getAttribute('href')).toBe('/verify.html');
    // The timeline reads in Chinese too.
    expect(await text(page, '.timeline')).toContain('交办');

    // An item whose only entry came after the checkpoint: nothing to prove yet.
    await page.getByRole('button', { name: '← 返回列表' }).click();
    await page.getByRole('cell', { name: '尚未入账事项' }).click();
    await page.locator(`#evidence-badge:not([data-state="checking"])`).waitFor();
    expect(await text(page, '#evidence-badge')).toBe('记录尚未纳入检查点，请稍后刷新');
    expect(await page.getByRole('link', { name: '下载存证包' }).getAttribute('href')).toBe(
      `/api/v1/items/${pendingItemId}/evidence`,
    );
    expect(errors).toEqual([]);
    await page.context().close();
  });

  it('lets anyone verify the real package in the portal, pinned to the published key', async () => {
    const { page, errors } = await openPortal();
    await page.getByLabel('选择存证包文件（JSON）').setInputFiles(pkgFile);

    expect(await verdict(page)).toBe('✓ 核验通过');
    expect(await text(page, '#r-item')).toBe(itemId);
    expect(await text(page, '#r-origin')).toBe('duban.test/ledger');
    expect(await text(page, '#r-size')).toBe(String(checkpointSize));
    const signer = page.locator('#r-signers li');
    expect(await signer.count()).toBe(1);
    expect(await signer.getAttribute('data-published')).toBe('true');
    expect(await signer.textContent()).toContain('✓ 是本平台公布的验证公钥');
    const [published] = (await (await fetch(`${base}/api/v1/ledger/keys`)).json()).keys as string[];
    expect(published?.startsWith(`${(await signer.locator('code').textContent()) ?? '?'}+`)).toBe(true);
    expect(await text(page, '#r-trust')).toBe('✓ 检查点由本平台公布的验证公钥签名');

    const rows = page.locator('#r-entries tbody tr');
    expect(await rows.count()).toBe(pkg.entries.length);
    for (const [i, e] of pkg.entries.entries()) {
      const row = rows.nth(i);
      expect(await row.getAttribute('data-index')).toBe(String(e.index));
      expect(await row.getAttribute('data-ok')).toBe('true');
      expect(await row.locator('td').last().textContent()).toBe('✓ 通过');
    }
    expect(await text(page, '#r-entries')).toContain('交办');
    expect(await text(page, '#problems')).toBe('无');
    expect(await page.locator('#warnings').count()).toBe(0);

    // The latest public checkpoint, checked against the published key, and the history link.
    await page.locator('#latest-signature').waitFor();
    expect(await text(page, '#latest-size')).toBe(String(checkpointSize));
    expect(await text(page, '#latest-signature')).toMatch(/^✓ 签名有效/);
    expect(await page.getByRole('link', { name: '检查点历史（JSON）' }).getAttribute('href')).toMatch(
      /^\/api\/v1\/ledger\/checkpoints/,
    );
    expect(errors).toEqual([]);
    await page.context().close();
  });

  it('fails a package with one byte of one entry changed, naming the entry (dropped on the page)', async () => {
    const { pkg: bad, index } = tampered(pkg);
    const { page, errors } = await openPortal();
    const dataTransfer = await page.evaluateHandle((json) => {
      const dt = new DataTransfer();
      dt.items.add(new File([json], 'tampered.json', { type: 'application/json' }));
      return dt;
    }, JSON.stringify(bad));
    await page.locator('#drop-zone').dispatchEvent('drop', { dataTransfer });

    expect(await verdict(page)).toBe('✗ 核验失败');
    const problems = await page.locator('#problems li').allTextContents();
    expect(problems).toEqual([
      `位置 ${index}（序号 ${index + 1}）的记录：包含证明不成立：该记录（或其位置）与检查点承诺的台账不符`,
    ]);
    expect(await page.locator('#problems li').getAttribute('data-code')).toBe('inclusion_failed');
    const row = page.locator(`#r-entries tbody tr[data-index="${index}"]`);
    expect(await row.getAttribute('data-ok')).toBe('false');
    expect(await row.locator('td').last().textContent()).toMatch(
      /^✗ 位置 \d+（序号 \d+）的记录：包含证明不成立/,
    );
    expect(await page.locator('#r-entries tbody tr[data-ok="true"]').count()).toBe(pkg.entries.length - 1);
    // The checkpoint itself is still the genuine one.
    expect(await text(page, '#r-trust')).toBe('✓ 检查点由本平台公布的验证公钥签名');
    expect(errors).toEqual([]);
    await page.context().close();
  });

  it('fails a self-consistent package signed by a key the platform did not publish', async () => {
    const rogueDir = fs.mkdtempSync(path.join(tmp, 'rogue-'));
    const rogue = loadOrCreateSigner(rogueDir, 'duban.test/ledger');
    const body = pkg.checkpoint.slice(0, pkg.checkpoint.indexOf('\n\n') + 1);
    const forged = { ...pkg, checkpoint: rogue.sign(body), verifierKeys: [rogue.verifierKey] };
    const forgedFile = path.join(tmp, 'forged.json');
    fs.writeFileSync(forgedFile, JSON.stringify(forged));

    const { page, errors } = await openPortal();
    await page.getByLabel('选择存证包文件（JSON）').setInputFiles(forgedFile);
    expect(await verdict(page)).toBe('✗ 核验失败');
    expect(await page.locator('#r-signers li').getAttribute('data-published')).toBe('false');
    expect(await text(page, '#r-signers')).toContain('✗ 不是本平台公布的验证公钥');
    expect(await text(page, '#r-trust')).toBe('✗ 检查点不是由本平台公布的验证公钥签名');
    expect(await page.locator('#problems li').allTextContents()).toEqual([
      '检查点的签名公钥不在指定的可信公钥之中',
    ]);
    expect(errors).toEqual([]);
    await page.context().close();
  });

  it('says clearly that a non-JSON file is not an evidence package', async () => {
    const file = path.join(tmp, 'notes.json');
    fs.writeFileSync(file, '这不是存证包 {');
    const { page, errors } = await openPortal();
    await page.getByLabel('选择存证包文件（JSON）').setInputFiles(file);

    const alert = page.getByRole('alert').filter({ hasText: '不是有效的 JSON' });
    await alert.waitFor();
    expect(await alert.textContent()).toBe(
      '“notes.json”不是有效的 JSON 文件，无法作为存证包核验。请选择在事项页“下载存证包”得到的 .json 文件。',
    );
    expect(await page.locator('#verdict').count()).toBe(0);
    expect(errors).toEqual([]);
    await page.context().close();
  });
});
