/**
 * The browser tests' shared harness: the real app on a real port, Debian's Chromium driven by
 * playwright-core (never a downloaded browser), and the helpers every journey uses — signing in,
 * screenshots to artifacts/screenshots/, axe-core, and antd form controls. Nothing is skipped:
 * without /usr/bin/chromium every test fails and says why.
 */
import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { type Browser, type BrowserContext, chromium, type Locator, type Page } from 'playwright-core';
import { afterAll, beforeAll, expect } from 'vitest';
import { buildApp } from '../../src/app.ts';
import { totpCode } from '../../src/auth/mfa.ts';
import type { App } from '../../src/http/types.ts';
import { createTestContext, type TestContext } from '../support/context.ts';
import { buildWorld, PASSWORD, type World } from '../support/factories.ts';
import { ensureWebBuild, ROOT } from './build.ts';

const CHROMIUM = '/usr/bin/chromium';
const SHOTS = path.join(ROOT, 'artifacts/screenshots');
const AXE_SOURCE = fs.readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');

export type BrowserApp = {
  readonly ctx: TestContext;
  readonly w: World;
  /** http://127.0.0.1:<port> */
  readonly base: string;
  /** Uncaught errors of every page, `user: message`; a journey ends by expecting none. */
  readonly pageErrors: string[];
  /**
   * A signed-in page in a browser context of its own (its own cookies), 中文 unless told; on the
   * app at `origin` (default `base`, e.g. another process on the same database).
   */
  signIn(username: string, locale?: string, origin?: string): Promise<Page>;
};

/** Registers the suite's beforeAll/afterAll: the world, the app on a port, one browser. */
export function useBrowserApp(): BrowserApp {
  let ctx: TestContext | undefined;
  let w: World | undefined;
  let app: App | undefined;
  let base = '';
  let browser: Browser | undefined;
  const contexts: BrowserContext[] = [];
  const pageErrors: string[] = [];

  beforeAll(async () => {
    ensureWebBuild();
    ctx = await createTestContext();
    w = await buildWorld(ctx);
    app = await buildApp(ctx);
    await app.listen({ port: 0, host: '127.0.0.1' });
    const address = app.server.address();
    if (address === null || typeof address === 'string') throw new Error('no TCP address');
    base = `http://127.0.0.1:${address.port}`;
    fs.mkdirSync(SHOTS, { recursive: true });
    if (fs.existsSync(CHROMIUM)) {
      browser = await chromium.launch({
        executablePath: CHROMIUM,
        headless: true,
        args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage'],
      });
    }
  });

  afterAll(async () => {
    for (const c of contexts) await c.close().catch(() => undefined);
    await browser?.close();
    await app?.close();
    await w?.app.close();
    await ctx?.cleanup();
  });

  const ready = <T>(v: T | undefined, what: string): T => {
    if (v === undefined) throw new Error(`${what} is not ready (beforeAll failed?)`);
    return v;
  };

  return {
    get ctx() {
      return ready(ctx, 'the test context');
    },
    get w() {
      return ready(w, 'the world');
    },
    get base() {
      return base;
    },
    pageErrors,
    async signIn(username: string, locale = 'zh-CN', origin = base): Promise<Page> {
      if (!browser) {
        throw new Error(
          `Chromium is missing at ${CHROMIUM}: install it with \`apt-get install -y chromium\` (.ci/run does this).`,
        );
      }
      const context = await browser.newContext({ locale, viewport: { width: 1366, height: 900 } });
      contexts.push(context);
      const page = await context.newPage();
      page.setDefaultTimeout(20_000);
      page.on('pageerror', (err) => pageErrors.push(`${username}: ${err.message}`));
      await page.goto(`${origin}/`);
      await page.getByLabel('用户名').fill(username);
      await page.getByLabel('密码').fill(PASSWORD);
      // 双因素认证 (admin, supervisor, leader): enrolled through the API once (the world keeps the
      // secret), so the page asks for the code, computed here at the test clock.
      const world = ready(w, 'the world');
      if (!world.totpSecrets.has(username)) await world.login(username);
      await page.getByRole('button', { name: '登录' }).click();
      const code = page.getByLabel('动态验证码');
      await page.getByTestId('who').or(code).waitFor();
      const secret = world.totpSecrets.get(username);
      if (secret !== undefined && (await code.isVisible())) {
        await code.fill(totpCode(secret, ready(ctx, 'the test context').now()));
        await page.getByRole('button', { name: '验证', exact: true }).click();
      }
      await page.getByTestId('who').waitFor();
      return page;
    },
  };
}

export async function shot(page: Page, name: string): Promise<void> {
  await page.screenshot({ path: path.join(SHOTS, `${name}.png`), fullPage: true });
}

/** axe-core in the page: WCAG 2.1 A/AA rules; returns the serious and critical violations. */
export async function axeViolations(page: Page): Promise<string[]> {
  // Evaluated over the DevTools protocol, not as an inline <script>: the app's strict CSP blocks those.
  await page.evaluate(AXE_SOURCE);
  const violations = await page.evaluate(async () => {
    const axe = (window as unknown as { axe: { run: (ctx: Document, opts: object) => Promise<AxeResult> } })
      .axe;
    type AxeResult = {
      violations: { id: string; impact: string | null; help: string; nodes: { target: string[] }[] }[];
    };
    const result = await axe.run(document, {
      runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'] },
    });
    return result.violations.map((v) => ({
      id: v.id,
      impact: v.impact,
      help: v.help,
      targets: v.nodes.slice(0, 3).map((n) => n.target.join(' ')),
    }));
  });
  return violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map((v) => `${v.impact} ${v.id}: ${v.help} — ${v.targets.join(', ')}`);
}

/**
 * Picks an option of an antd Select (its dropdown is rendered at the end of the body) and waits
 * until the Select shows it; on a busy machine a click during the dropdown's opening can be lost,
 * or the dropdown can close under the pointer (its option then never becomes clickable), so it
 * tries again — reopening the dropdown when none is open — rather than wait out the action timeout
 * or let a later submit find the field empty (four times at most).
 */
export async function choose(page: Page, field: Locator, option: string, search?: string): Promise<void> {
  const select = field.locator(
    'xpath=ancestor::*[contains(concat(" ", normalize-space(@class), " "), " ant-select ")][1]',
  );
  const dropdowns = page.locator('.ant-select-dropdown:visible');
  for (let attempt = 1; ; attempt++) {
    // A click on the field of an open Select would close it.
    if (attempt === 1 || (await dropdowns.count()) === 0) await field.click();
    if (search) await field.fill(search);
    try {
      await dropdowns
        .locator('.ant-select-item-option', { hasText: option })
        .first()
        .click({ timeout: 5000 });
      await expect.poll(async () => (await select.textContent()) ?? '', { timeout: 3000 }).toContain(option);
      return;
    } catch (err) {
      if (attempt >= 4) throw err;
    }
  }
}

/**
 * Types a date into an antd DatePicker and leaves it (Enter would submit the form). The picker
 * commits the typed date when it closes on blur: wait for its panel to be gone, so a click that
 * follows (submit) never races the commit on a busy machine.
 */
export async function typeDate(field: Locator, date: string): Promise<void> {
  await field.click();
  await field.fill(date);
  await field.press('Tab');
  await expect.poll(() => field.page().locator('.ant-picker-dropdown:visible').count()).toBe(0);
  expect(await field.inputValue()).toBe(date);
}

export const status = (page: Page) => page.getByTestId('item-status');

/** Waits for a modal to be open and done with its opening animation (a click then lands). */
export async function opened(modal: Locator): Promise<void> {
  await modal.waitFor();
  await expect.poll(async () => (await modal.getAttribute('class')) ?? '').not.toMatch(/ant-zoom/);
}

/** Opens an action's modal from the item page's action bar. */
export async function openAction(page: Page, name: string): Promise<Locator> {
  await page.getByTestId('actions').getByRole('button', { name, exact: true }).click();
  const modal = page.locator('.ant-modal:visible');
  await opened(modal);
  return modal;
}

/** Waits for a modal to close; if it stays open, fails with what it says (e.g. a server error). */
export async function closes(modal: Locator): Promise<void> {
  try {
    await modal.waitFor({ state: 'hidden' });
  } catch (err) {
    const text = await modal.textContent().catch(() => null);
    throw new Error(`the dialog stayed open: ${text}`, { cause: err });
  }
}

export async function submitModal(modal: Locator): Promise<void> {
  await modal.getByRole('button', { name: '提交' }).click();
  await closes(modal);
}
