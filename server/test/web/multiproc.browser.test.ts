/**
 * Several processes on one PostgreSQL database, as deployed (docs/deployment.md): two
 * `duban start --role web` processes and one `--role worker`, spawned as the CLI runs them, on the
 * test world's database. In Chromium a supervisor works on web process 1 and a handler on web
 * process 2 (two browser contexts): what one does reaches the other's open page live, through the
 * SSE stream of *its* process — which only PostgreSQL's LISTEN/NOTIFY (channel duban_live) can
 * carry, the in-process emitter cannot. A deadline chase the worker runs reaches both web
 * processes' streams the same way.
 *
 * Runs only with DATABASE_URL set: the embedded database (PGlite) is one process by design, so
 * there is nothing to cross. CI runs the whole suite a second time against a PostgreSQL server,
 * and this file runs there.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { sql } from 'kysely';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { itemBody } from '../support/factories.ts';
import { choose, openAction, status, submitModal, typeDate, useBrowserApp } from './browser.ts';

const BIN = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../bin/duban.mjs');
const TITLE = '跨进程实时推送：城西片区雨污分流改造';
const OVERDUE_TITLE = '跨进程督办单：城南片区积水点整治';

type Proc = { name: string; child: ChildProcess; output: () => string; exited: Promise<number | null> };

/** `duban start …` on the test database; resolves once its stdout matches `ready`. */
function startProcess(name: string, args: string[], env: NodeJS.ProcessEnv, ready: RegExp) {
  const child = spawn(process.execPath, [BIN, ...args], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  const exited = new Promise<number | null>((resolve) => child.on('close', (code) => resolve(code)));
  const proc: Proc = { name, child, output: () => out, exited };
  const started = new Promise<RegExpExecArray>((resolve, reject) => {
    const onData = (d: Buffer) => {
      out += d.toString();
      const m = ready.exec(out);
      if (m) resolve(m);
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', onData);
    child.on('error', reject);
    void exited.then((code) => reject(new Error(`${name} exited (${code}) before it was ready:\n${out}`)));
  });
  return { proc, started };
}

/** Polls GET /api/health until it answers 200. */
async function healthy(origin: string): Promise<void> {
  const until = Date.now() + 60_000;
  for (;;) {
    const res = await fetch(`${origin}/api/health`).catch(() => undefined);
    if (res?.status === 200) return;
    if (Date.now() > until) throw new Error(`${origin}/api/health never answered 200`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

/** Ends a child (SIGTERM, then SIGKILL after 15 s) and waits until it is gone. */
async function stopProcess(p: Proc): Promise<void> {
  if (p.child.exitCode !== null || p.child.signalCode !== null) return;
  p.child.kill('SIGTERM');
  const killer = setTimeout(() => p.child.kill('SIGKILL'), 15_000);
  await p.exited;
  clearTimeout(killer);
}

/** Marks the page; `sameDocument` is true only while it was not reloaded or navigated since. */
const mark = (page: Page) =>
  page.evaluate(() => {
    (window as unknown as { __mp?: string }).__mp = 'same document';
  });
const sameDocument = (page: Page) =>
  page.evaluate(() => (window as unknown as { __mp?: string }).__mp === 'same document');

describe.skipIf(!process.env.DATABASE_URL)('two web processes and a worker on one PostgreSQL', () => {
  const b = useBrowserApp();
  const procs: Proc[] = [];
  let web1 = '';
  let web2 = '';
  let sup: Page;
  let handler: Page;
  let itemId = '';

  beforeAll(async () => {
    // The world's database on the server (useBrowserApp made and seeded it): its URL for the children.
    const admin = process.env.DATABASE_URL as string;
    const { rows } = await sql<{ name: string }>`select current_database() as name`.execute(b.ctx.db);
    const url = new URL(admin);
    url.pathname = `/${rows[0]?.name}`;
    const env: NodeJS.ProcessEnv = {
      ...process.env,
      DATABASE_URL: url.toString(),
      LOG_LEVEL: 'warn',
      // The deadline sweep every 2 s, so the worker's chase follows within the test's patience.
      DUBAN_SWEEP_SECONDS: '2',
    };
    // All three share the data folder (evidence files, the ledger key), as a deployment must.
    const common = ['--data', b.ctx.dataDir, 'start', '--no-demo', '--host', '127.0.0.1'];
    const listening = /listening on (http:\/\/127\.0\.0\.1:\d+)/;
    const s1 = startProcess('web 1', [...common, '--role', 'web', '--port', '0'], env, listening);
    const s2 = startProcess('web 2', [...common, '--role', 'web', '--port', '0'], env, listening);
    const s3 = startProcess('worker', [...common, '--role', 'worker'], env, /worker 已启动/);
    procs.push(s1.proc, s2.proc, s3.proc);
    const [m1, m2] = await Promise.all([s1.started, s2.started, s3.started]);
    web1 = m1[1] as string;
    web2 = m2[1] as string;
    expect(web1).not.toBe(web2);
    expect(web1).not.toBe(b.base);
    await Promise.all([healthy(web1), healthy(web2)]);
  });

  afterAll(async () => {
    // Registered after useBrowserApp's hooks, so it runs before the database is dropped.
    await Promise.all(procs.map(stopProcess));
    for (const p of procs) {
      expect(p.child.exitCode !== null || p.child.signalCode !== null, `${p.name} still running`).toBe(true);
    }
  });

  it('the handler on web process 2 sees an item the supervisor dispatches on web process 1, live', async () => {
    const city = await b.w.as('city_sup');
    const res = await city.post('/api/v1/items', itemBody({ title: TITLE }));
    expect(res.statusCode, res.body).toBe(201);
    itemId = res.json().item.id;

    sup = await b.signIn('city_sup', 'zh-CN', web1);
    await sup.goto(`${web1}/items/${itemId}`);
    await expect.poll(() => status(sup).textContent()).toBe('已立项');

    handler = await b.signIn('housing_h', 'zh-CN', web2);
    await expect.poll(() => new URL(handler.url()).pathname).toBe('/workbench');
    await handler.getByRole('tab', { name: '待签收' }).waitFor();
    await handler.getByText('暂无事项').waitFor();
    await handler.locator('[data-live="on"]').waitFor();
    await mark(handler);

    const modal = await openAction(sup, '交办');
    await choose(sup, modal.getByLabel('单位'), '杭州市住房和城乡建设局', '住房和城乡');
    await typeDate(modal.getByLabel('期限'), '2027-06-30');
    await submitModal(modal);
    await expect.poll(() => status(sup).textContent()).toBe('已交办');

    // Process 2 never heard of the dispatch in memory: the row came through LISTEN duban_live.
    await handler.getByRole('cell', { name: TITLE }).waitFor({ timeout: 15_000 });
    expect(await sameDocument(handler)).toBe(true);
    expect(new URL(handler.url()).origin).toBe(web2);
  });

  it('the supervisor on web process 1 follows the handler’s acceptance and progress report, live', async () => {
    await sup.locator('[data-live="on"]').waitFor();
    await mark(sup);
    await handler.getByRole('cell', { name: TITLE }).click();
    await expect.poll(() => handler.url()).toBe(`${web2}/items/${itemId}`);
    await submitModal(await openAction(handler, '签收'));
    await expect.poll(() => status(handler).textContent()).toBe('办理中');
    await expect.poll(() => status(sup).textContent(), { timeout: 15_000 }).toBe('办理中');

    const report = await openAction(handler, '进展反馈');
    await report.getByLabel('完成进度（%）').fill('40');
    await report.getByLabel('进展情况').fill('已完成城西片区 12 条道路的雨污分流管网铺设。');
    await report.getByLabel('存在问题').fill('两处地下管线位置与图纸不符。');
    await report.getByLabel('下步计划').fill('会同燃气公司复测后继续施工。');
    await report.getByLabel('改造老旧小区（50个）').fill('20');
    await submitModal(report);
    await handler.getByText('两处地下管线位置与图纸不符。').waitFor();

    await sup.getByText('两处地下管线位置与图纸不符。').waitFor({ timeout: 15_000 });
    await expect.poll(() => sup.locator('.timeline').textContent()).toContain('进展反馈');
    expect(await sameDocument(sup)).toBe(true);
    expect(new URL(sup.url()).origin).toBe(web1);
  });

  it('a deadline chase the worker process runs reaches both web processes’ streams', async () => {
    // An item dispatched in January with a February deadline: long overdue by the worker's clock.
    // Registered and dispatched through the test's own app (its clock set back), so only the worker
    // can chase it.
    b.ctx.setNow('2026-01-05T04:00:00Z');
    const city = await b.w.as('city_sup');
    const res = await city.post('/api/v1/items', itemBody({ title: OVERDUE_TITLE, deadline: '2026-02-10' }));
    expect(res.statusCode, res.body).toBe(201);
    const overdueId: string = res.json().item.id;

    await sup.goto(`${web1}/items/${overdueId}`);
    await expect.poll(() => status(sup).textContent()).toBe('已立项');
    await sup.getByText('暂无督办单或提醒').waitFor();
    await sup.locator('[data-live="on"]').waitFor();
    await mark(sup);
    // The handler's page on process 2 opens a second stream and keeps the notifications it sends.
    await handler.evaluate(
      () =>
        new Promise<void>((resolve) => {
          const w = window as unknown as { __notes: string[] };
          w.__notes = [];
          const source = new EventSource('/api/v1/notifications/stream');
          source.addEventListener('notification', (e) => {
            w.__notes.push((JSON.parse((e as MessageEvent<string>).data) as { title: string }).title);
          });
          source.addEventListener('ready', () => resolve());
        }),
    );

    const d = await city.post(`/api/v1/items/${overdueId}/actions/dispatch`, {
      assignments: [{ unitId: b.w.units.housing, role: 'lead', deadline: '2026-02-10' }],
    });
    expect(d.statusCode, d.body).toBe(200);
    b.ctx.setNow(new Date());

    // Process 1: the item page shows the 督办单 the worker issued, without a reload.
    const notices = sup.getByTestId('notices');
    await notices.waitFor({ timeout: 30_000 });
    await expect.poll(() => notices.textContent()).toContain('催办通知');
    expect(await sameDocument(sup)).toBe(true);
    // Process 2: the handler's stream carried the worker's notification.
    await expect
      .poll(() => handler.evaluate(() => (window as unknown as { __notes: string[] }).__notes), {
        timeout: 30_000,
      })
      .toContainEqual(expect.stringMatching(new RegExp(`^【蓝色督办单·催办通知】.* ${OVERDUE_TITLE}$`)));
    const chased = await b.ctx.db
      .selectFrom('events')
      .select('type')
      .where('item_id', '=', overdueId)
      .where('type', '=', 'item.chased')
      .execute();
    expect(chased.length).toBeGreaterThan(0);
    expect(b.pageErrors).toEqual([]);
  });
});
