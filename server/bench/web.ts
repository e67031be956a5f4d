/**
 * Web figures (BENCH_ONLY=web): (a) the JavaScript a page loads initially, gzip — the public
 * portal (web/dist/portal.html) and, for comparison, the signed-in app (web/dist/index.html): the
 * module scripts and modulepreloads each page names; (b) the 领导驾驶舱's time to first chart on the
 * demo data: a server on a freshly seeded demo database (embedded PGlite), the `leader` signed in
 * in Debian's Chromium (playwright-core), and from navigation to /cockpit until a chart has
 * finished its first rendering (`data-chart-ready`), median of BENCH_WEB_RUNS (default 5) runs,
 * each in a fresh browser context (cold cache). Prints figures; asserts nothing.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import zlib from 'node:zlib';
import { chromium } from 'playwright-core';
import { buildApp } from '../src/app.ts';
import type { AppContext } from '../src/context.ts';
import { openDatabase } from '../src/db/client.ts';
import { migrate } from '../src/db/migrate.ts';
import { seedDemo } from '../src/demo/seed.ts';
import { catchUpKpis } from '../src/kpi/rollups.ts';
import { ensureWebBuild, WEB_DIST } from '../test/web/build.ts';
import { fmt, summarize, table } from './lib.ts';

const CHROMIUM = '/usr/bin/chromium';
const PASSWORD = 'bench-password-123';

export type WebBenchResult = {
  initialJs: { page: string; files: number; bytes: number; gzipBytes: number }[];
  cockpit?: { runs: number; firstChartMs: { p50: number; min: number; max: number }; items: number };
};

/** The scripts a built page loads before anything else: its module entry and modulepreloads. */
function initialScripts(html: string): string[] {
  const out = new Set<string>();
  for (const m of html.matchAll(/<script[^>]*type="module"[^>]*src="([^"]+)"/g)) if (m[1]) out.add(m[1]);
  for (const m of html.matchAll(/<link[^>]*rel="modulepreload"[^>]*href="([^"]+)"/g)) if (m[1]) out.add(m[1]);
  return [...out];
}

function initialJs(page: string) {
  const file = path.join(WEB_DIST, page);
  if (!fs.existsSync(file)) return undefined;
  const scripts = initialScripts(fs.readFileSync(file, 'utf8'));
  let bytes = 0;
  let gzipBytes = 0;
  for (const s of scripts) {
    const body = fs.readFileSync(path.join(WEB_DIST, s.replace(/^\//, '')));
    bytes += body.length;
    gzipBytes += zlib.gzipSync(body, { level: 9 }).length;
  }
  return { page, files: scripts.length, bytes, gzipBytes };
}

export async function benchWeb(out: (s?: string) => void, runs = 5): Promise<WebBenchResult> {
  out('\n== web: initial JavaScript and the cockpit’s time to first chart ==');
  ensureWebBuild();
  const sizes = ['portal.html', 'index.html'].map(initialJs);
  for (const [i, s] of sizes.entries())
    if (!s) out(`  ${i === 0 ? 'portal.html' : 'index.html'}: not built (web/dist has no such page)`);
  const initial = sizes.filter((s) => s !== undefined);
  out(
    table(
      ['page', 'scripts', 'KiB', 'KiB gzip'],
      initial.map((s) => [s.page, s.files, fmt(s.bytes / 1024), fmt(s.gzipBytes / 1024)]),
    ),
  );
  const result: WebBenchResult = { initialJs: initial };

  if (!fs.existsSync(CHROMIUM)) {
    out(`  cockpit: skipped — no Chromium at ${CHROMIUM} (apt-get install chromium)`);
    return result;
  }
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'duban-bench-web-'));
  const handle = await openDatabase({ dataDir: dir });
  try {
    await migrate(handle);
    const ctx: AppContext = {
      handle,
      db: handle.db,
      dataDir: dir,
      secureCookies: false,
      maxUploadBytes: 5 * 1024 * 1024,
      metricsToken: undefined,
      now: () => new Date(),
      ledger: { origin: 'duban.bench/ledger', witnessDir: undefined, witnessUrl: undefined },
    };
    const seedStarted = Date.now();
    const seeded = await seedDemo(ctx, { password: PASSWORD });
    await catchUpKpis(ctx.db, new Date());
    out(
      `  demo seeded: ${seeded.items} items, ${seeded.units} units (${fmt((Date.now() - seedStarted) / 1000)} s)`,
    );
    const app = await buildApp(ctx);
    await app.listen({ port: 0, host: '127.0.0.1' });
    const address = app.server.address();
    if (address === null || typeof address === 'string') throw new Error('no TCP address');
    const base = `http://127.0.0.1:${address.port}`;
    const browser = await chromium.launch({
      executablePath: CHROMIUM,
      headless: true,
      args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage'],
    });
    const samples: number[] = [];
    try {
      for (let i = 0; i < runs; i++) {
        const context = await browser.newContext({ locale: 'zh-CN', viewport: { width: 1366, height: 900 } });
        const login = await context.request.post(`${base}/api/v1/auth/login`, {
          data: { username: 'leader', password: PASSWORD },
        });
        if (!login.ok()) throw new Error(`leader login: ${login.status()} ${await login.text()}`);
        const page = await context.newPage();
        page.setDefaultTimeout(60_000);
        const started = performance.now();
        await page.goto(`${base}/cockpit`);
        await page.locator('[data-chart-ready="true"] canvas').first().waitFor();
        samples.push(performance.now() - started);
        await context.close();
      }
    } finally {
      await browser.close();
      await app.close();
    }
    const s = summarize(samples);
    const sorted = [...samples].sort((a, b) => a - b);
    result.cockpit = {
      runs,
      firstChartMs: { p50: s.p50, min: sorted[0] ?? 0, max: sorted[sorted.length - 1] ?? 0 },
      items: seeded.items,
    };
    out(
      table(
        ['cockpit (leader, demo data)', 'runs', 'median ms', 'min ms', 'max ms'],
        [
          [
            'navigation → first chart rendered',
            runs,
            fmt(s.p50, 0),
            fmt(sorted[0] ?? 0, 0),
            fmt(sorted[sorted.length - 1] ?? 0, 0),
          ],
        ],
      ),
    );
  } finally {
    await handle.close();
    fs.rmSync(dir, { recursive: true, force: true });
  }
  return result;
}
