import crypto from 'node:crypto';
import fs from 'node:fs';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runScheduledBulletins } from '../../src/bulletins/jobs.ts';
import { storedFilePath } from '../../src/files/store.ts';
import { createTestContext, type TestContext } from '../support/context.ts';
import type { World } from '../support/factories.ts';
import { buildBulletinWorld } from './support.ts';

/** The worker's schedule: 周调度 on Mondays, 月通报 on the 1st, 季考核 on a quarter's first day — once. */
let ctx: TestContext;
let w: World;

beforeAll(async () => {
  ctx = await createTestContext();
  ({ w } = await buildBulletinWorld(ctx));
}, 300_000);
afterAll(async () => {
  await w?.app.close();
  await ctx?.cleanup();
});

type Row = {
  kind: string;
  period: string;
  format: string;
  region_code: string;
  sha256: string;
  trigger: string;
};
const rows = async () =>
  (
    await sql<Row>`select kind, period, format, region_code, sha256, trigger, generated_by from bulletins
      order by kind, period, format`.execute(ctx.db)
  ).rows;

/** 08:05 Beijing time on the day. */
const at = (day: string) => new Date(`${day}T00:05:00Z`);

describe('scheduled bulletins', () => {
  it('make nothing on a day nothing is due', async () => {
    expect(await runScheduledBulletins(ctx, at('2026-11-20'))).toEqual([]);
    expect(await rows()).toEqual([]);
  });

  it('make the previous week’s 周调度 on Monday, once, even when two workers run at the same time', async () => {
    const [a, b] = await Promise.all([
      runScheduledBulletins(ctx, at('2026-11-23')),
      runScheduledBulletins(ctx, at('2026-11-23')),
    ]);
    expect([...(a ?? []), ...(b ?? [])]).toHaveLength(2);
    expect(await runScheduledBulletins(ctx, new Date('2026-11-23T05:05:00Z'))).toEqual([]);
    expect(await rows()).toEqual([
      expect.objectContaining({
        kind: 'weekly',
        period: '2026-W47',
        format: 'docx',
        region_code: '330000',
        trigger: 'schedule',
        generated_by: null,
      }),
      expect.objectContaining({
        kind: 'weekly',
        period: '2026-W47',
        format: 'pdf',
        region_code: '330000',
        trigger: 'schedule',
        generated_by: null,
      }),
    ]);
  }, 300_000);

  it('make 月通报 on the 1st and 季考核 on a quarter’s first day, archived with their hash in the ledger', async () => {
    expect(await runScheduledBulletins(ctx, at('2026-12-01'))).toHaveLength(2);
    expect(await runScheduledBulletins(ctx, at('2027-01-01'))).toHaveLength(4);
    const all = await rows();
    expect(all.map((r) => `${r.kind} ${r.period} ${r.format}`)).toEqual([
      'monthly 2026-11 docx',
      'monthly 2026-11 pdf',
      'monthly 2026-12 docx',
      'monthly 2026-12 pdf',
      'quarterly 2026-Q4 docx',
      'quarterly 2026-Q4 pdf',
      'weekly 2026-W47 docx',
      'weekly 2026-W47 pdf',
    ]);
    const events = await ctx.db
      .selectFrom('events')
      .select(['payload', 'actor_id'])
      .where('type', '=', 'bulletin.generated')
      .execute();
    expect(events).toHaveLength(8);
    for (const r of all) {
      const bytes = fs.readFileSync(storedFilePath(ctx.dataDir, r.sha256));
      expect(crypto.createHash('sha256').update(bytes).digest('hex')).toBe(r.sha256);
      expect(events.some((e) => (e.payload as { sha256: string }).sha256 === r.sha256)).toBe(true);
    }
    expect(events.every((e) => e.actor_id === null)).toBe(true);
    // The province leader sees them in the archive, 杭州 does not (made for the province).
    expect((await (await w.as('leader')).get('/api/v1/bulletins?limit=200')).json().total).toBe(8);
    expect((await (await w.as('city_sup')).get('/api/v1/bulletins')).json().total).toBe(0);
  }, 400_000);
});
