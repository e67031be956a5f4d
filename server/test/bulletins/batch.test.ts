import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rootRegions, scheduleActor } from '../../src/bulletins/jobs.ts';
import { readItemsForListing } from '../../src/items/batch-read.ts';
import { getItemDetail } from '../../src/items/queries.ts';
import { createTestContext, rowCount, type TestContext } from '../support/context.ts';
import type { World } from '../support/factories.ts';
import { problem } from '../support/http.ts';
import { buildBulletinWorld } from './support.ts';

/** The set-based read the lists and bulletins use, and a retried POST that renders nothing. */
let ctx: TestContext;
let w: World;
let ids: Record<string, string>;

beforeAll(async () => {
  ctx = await createTestContext();
  ({ w, ids } = await buildBulletinWorld(ctx));
}, 300_000);
afterAll(async () => {
  await w?.app.close();
  await ctx?.cleanup();
});

describe('readItemsForListing', () => {
  it('gives, in the order asked, the values getItemDetail gives, leaving out what the caller may not see', async () => {
    const now = ctx.now();
    const [root] = await rootRegions(ctx.db);
    const province = scheduleActor(root as { code: string; name: string; path: string });
    const order = [ids.D, ids.B, ids.A, ids.C] as string[];
    const read = await readItemsForListing(ctx.db, province, order, now);
    expect(read.map((i) => i.id)).toEqual(order);
    for (const item of read) {
      const detail = await getItemDetail(ctx.db, province, item.id, now);
      const { assignments, ...rest } = item;
      for (const [field, value] of Object.entries(rest))
        expect(value, field).toEqual(detail[field as keyof typeof detail]);
      expect(assignments).toEqual(
        detail.assignments.map(({ returnReason: _r, pendingExtension: _p, ...a }) => a),
      );
      expect(assignments.some((a) => a.role === 'lead' && a.light !== undefined)).toBe(true);
    }
    // A leader of 杭州 (where A was registered) sees A, B, C but not 宁波's D.
    const city = await ctx.db
      .selectFrom('items as i')
      .innerJoin('regions as r', 'r.code', 'i.region_code')
      .select(['r.code', 'r.name', 'r.path'])
      .where('i.id', '=', ids.A as string)
      .executeTakeFirstOrThrow();
    const hangzhou = scheduleActor(city);
    const seen = await readItemsForListing(ctx.db, hangzhou, order, now);
    expect(seen.map((i) => i.id)).toEqual([ids.B, ids.A, ids.C]);
    expect(await readItemsForListing(ctx.db, hangzhou, [], now)).toEqual([]);
  });
});

describe('POST /api/v1/bulletins with an Idempotency-Key', () => {
  it('replays the stored answer without rendering again (so even without the font a PDF retry succeeds)', async () => {
    const sup = await w.as('city_sup');
    const body = { kind: 'monthly', period: '2026-10', format: 'pdf' };
    const key = { 'idempotency-key': 'bulletin-retry-0001' };
    const first = await sup.post('/api/v1/bulletins', body, key);
    expect(first.statusCode, first.body).toBe(201);
    const archived = await rowCount(ctx, 'bulletins');
    const saved = process.env.DUBAN_CJK_FONT;
    // Rendering a PDF now would answer 503: the replay must not render.
    process.env.DUBAN_CJK_FONT = '/nonexistent/font.ttc';
    try {
      const retry = await sup.post('/api/v1/bulletins', body, key);
      expect(retry.statusCode, retry.body).toBe(201);
      expect(retry.headers['idempotent-replayed']).toBe('true');
      expect(retry.json()).toEqual(first.json());
      // The same key with another request is still refused, naming the header, nothing written.
      problem(
        await sup.post('/api/v1/bulletins', { ...body, period: '2026-09' }, key),
        422,
        'IDEMPOTENCY_KEY_REUSED',
        'header.idempotency-key',
      );
      // A new key renders: without the font that is the 503.
      const fresh = await sup.post('/api/v1/bulletins', body, { 'idempotency-key': 'bulletin-retry-0002' });
      expect(fresh.statusCode, fresh.body).toBe(503);
    } finally {
      if (saved === undefined) delete process.env.DUBAN_CJK_FONT;
      else process.env.DUBAN_CJK_FONT = saved;
    }
    expect(await rowCount(ctx, 'bulletins')).toBe(archived);
  });
});
