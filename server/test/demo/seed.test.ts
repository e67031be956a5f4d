import fs from 'node:fs';
import path from 'node:path';
import { ITEM_STATUSES, LIGHTS, URGENCIES } from '@duban/schema';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../../src/app.ts';
import { lightFor } from '../../src/clock/light.ts';
import { seedDemo } from '../../src/demo/seed.ts';
import type { App } from '../../src/http/types.ts';
import { STANDARD_CATEGORIES } from '../../src/items/categories.ts';
import type { ItemStatus } from '../../src/items/model.ts';
import { createTestContext, type TestContext } from '../support/context.ts';

/** The demo a newcomer meets on first start: seeded once here, with random passwords. */
let ctx: TestContext;
let app: App;
let result: Awaited<ReturnType<typeof seedDemo>>;
const NOW = '2026-11-27T02:00:00Z';

beforeAll(async () => {
  ctx = await createTestContext();
  ctx.setNow(NOW);
  result = await seedDemo(ctx, {});
  app = await buildApp(ctx);
}, 600_000);
afterAll(async () => {
  await app?.close();
  await ctx?.cleanup();
});

function passwordOf(username: string): string {
  const line = result.accountsText.split('\n').find((l) => l.trim().startsWith(`${username} `));
  const password = line?.trim().split(/\s+/)[1];
  if (!password) throw new Error(`no password for ${username}`);
  return password;
}

async function login(username: string, password: string) {
  return app.inject({ method: 'POST', url: '/api/v1/auth/login', payload: { username, password } });
}

describe('demo data', () => {
  it('covers ≥ 300 items in every state, category and urgency, all marked 演示数据', async () => {
    expect(result.items).toBeGreaterThanOrEqual(300);
    expect(result.units).toBeGreaterThanOrEqual(30);
    const rows = await ctx.db
      .selectFrom('items')
      .select([
        'status',
        'category_code',
        'urgency',
        'is_demo',
        'content',
        'light_yellow_on',
        'light_red_on',
        'light_overdue_on',
        'light_lag_on',
        'clock_paused_on',
      ])
      .execute();
    expect(new Set(rows.map((r) => r.status))).toEqual(new Set(ITEM_STATUSES));
    expect(new Set(rows.map((r) => r.category_code))).toEqual(
      new Set(STANDARD_CATEGORIES.map((c) => c.code)),
    );
    expect(new Set(rows.map((r) => r.urgency))).toEqual(new Set(URGENCIES));
    expect(rows.every((r) => r.is_demo && r.content.includes('演示数据'))).toBe(true);
    const lights = new Set(
      rows.map((r) => lightFor({ ...r, status: r.status as ItemStatus }, new Date(NOW), [r.clock_paused_on])),
    );
    for (const l of LIGHTS) expect(lights, l).toContain(l);
  });

  it('decomposes down to county level and has returned, extended and reported histories', async () => {
    const counties = await ctx.db
      .selectFrom('items as c')
      .innerJoin('regions as r', 'r.code', 'c.region_code')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .where('c.parent_id', 'is not', null)
      .where('r.level', '=', 3)
      .executeTakeFirstOrThrow();
    expect(Number(counties.n)).toBeGreaterThan(0);
    const types = await ctx.db
      .selectFrom('events')
      .select(['type', (eb) => eb.fn.countAll<number>().as('n')])
      .groupBy('type')
      .execute();
    const count = (t: string) => Number(types.find((r) => r.type === t)?.n ?? 0);
    for (const t of [
      'item.returned',
      'item.extension_approved',
      'item.extension_requested',
      'item.progress_reported',
      'item.progress_rolled_up',
      'item.completion_rejected',
      'item.instruction_added',
      'item.decomposed',
    ]) {
      expect(count(t), t).toBeGreaterThan(0);
    }
    const seqs = await ctx.db.selectFrom('events').select('seq').orderBy('seq').execute();
    expect(seqs.map((r) => Number(r.seq))).toEqual(seqs.map((_, i) => i + 1));
  });

  it('gives every role an account with its own random password, written to data/demo-accounts.txt', async () => {
    const file = path.join(ctx.dataDir, 'demo-accounts.txt');
    expect(fs.readFileSync(file, 'utf8')).toBe(result.accountsText);
    expect(fs.statSync(file).mode & 0o077).toBe(0);
    const names = ['admin', 'supervisor', 'leader', 'unit_head', 'handler', 'evaluator', 'auditor'];
    const passwords = names.map(passwordOf);
    expect(new Set(passwords).size).toBe(names.length);
    for (const p of passwords) expect(p.length).toBeGreaterThanOrEqual(12);
    for (const name of names) {
      expect((await login(name, passwordOf(name))).statusCode, name).toBe(200);
      expect((await login(name, 'demo')).statusCode, name).toBe(401);
    }
  });

  it('lets the demo supervisor and leader see the whole province', async () => {
    for (const name of ['supervisor', 'leader']) {
      const res = await login(name, passwordOf(name));
      const cookie = res.cookies.find((c) => c.name === 'duban_session');
      let seen = 0;
      let cursor: string | null = null;
      do {
        const url: string = `/api/v1/items?limit=200${cursor ? `&cursor=${cursor}` : ''}`;
        const page = await app.inject({
          method: 'GET',
          url,
          headers: { cookie: `duban_session=${cookie?.value}` },
        });
        expect(page.statusCode).toBe(200);
        seen += page.json().items.length;
        cursor = page.json().nextCursor;
      } while (cursor);
      expect(seen, name).toBe(result.items);
    }
  });

  it('requires 单位负责人审批 in the units that have a head (省住建厅), and only there', async () => {
    const on = await ctx.db
      .selectFrom('units')
      .select('name')
      .where('require_head_approval', '=', true)
      .execute();
    expect(on).toHaveLength(1);
    expect(on[0]?.name).toMatch(/住房和城乡建设厅$/);
    // The histories were simulated before: none of them is held.
    const held = await ctx.db
      .selectFrom('events')
      .select('seq')
      .where('type', '=', 'submission.created')
      .execute();
    expect(held).toEqual([]);
  });

  it('fills the 受理池 with citizens’ complaints in which 热点话题 finds repeated problems, one rising', async () => {
    const res = await login('supervisor', passwordOf('supervisor'));
    const cookie = `duban_session=${res.cookies.find((c) => c.name === 'duban_session')?.value}`;
    const pool = await app.inject({ method: 'GET', url: '/api/v1/intake?limit=200', headers: { cookie } });
    expect(pool.statusCode).toBe(200);
    const records = pool.json().records as {
      kind: string;
      status: string;
      contact: { phone: string | null };
    }[];
    expect(records.length).toBeGreaterThanOrEqual(40);
    expect(records.every((r) => r.kind === 'complaint' && r.status === 'received')).toBe(true);
    // Phone numbers are stored and masked on read.
    expect(records.every((r) => r.contact.phone?.includes('*'))).toBe(true);
    const topics = await app.inject({ method: 'GET', url: '/api/v1/intake/topics', headers: { cookie } });
    expect(topics.statusCode).toBe(200);
    const list = topics.json().topics as { count: number; rising: boolean }[];
    expect(list.length).toBeGreaterThanOrEqual(4);
    expect(list.some((t) => t.rising)).toBe(true);
  });

  it('refuses to seed a database that is not empty', async () => {
    await expect(seedDemo(ctx, {})).rejects.toThrow(/空数据库|empty database/);
  });
});
