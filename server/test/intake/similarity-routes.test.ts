import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { findDuplicates, recordText, reindexItems } from '../../src/intake/similarity/index.ts';
import { compareTexts } from '../../src/intake/similarity/minhash.ts';
import { DUPLICATE_THRESHOLD } from '../../src/intake/similarity/threshold.ts';
import { rowCount, type TestContext } from '../support/context.ts';
import { type Client, closeWorld, itemBody, openWorld, type World } from '../support/factories.ts';
import { expectProblem } from '../support/http.ts';

/**
 * 重复督办: the index (recordText / findDuplicates), the refusal at registration (409 DUPLICATE_ITEM
 * unless a supervisor overrides it, recorded in the event) and POST /api/v1/duplicates/check.
 */
let ctx: TestContext;
let w: World;
let city: Client;
const NOW = '2026-03-02T02:00:00Z';

const A = {
  title: '文三路华星小区地铁工地夜间施工扰民',
  content: '西湖区文三路华星小区旁边的地铁三号线工地每天施工到凌晨一点，噪音很大，居民无法休息。',
};
const A2 = {
  title: '投诉地铁三号线工地夜间施工',
  content: '文三路华星小区附近的地铁三号线工地晚上一直施工到凌晨一点，吵得老人孩子睡不着。',
};
const B = {
  title: '长河路春波小区三号楼电梯停运',
  content: '滨江区长河路春波小区3号楼电梯坏了半个月一直没修好，高层老人下不了楼。',
};
const B2 = {
  title: '春波小区电梯半个月没修',
  content: '长河路春波小区3号楼电梯停运半个月，物业说等配件，住高层的老人出不了门。',
};

beforeAll(async () => {
  ({ ctx, w } = await openWorld(NOW));
  city = await w.as('city_sup');
});
afterAll(() => closeWorld(ctx, w));

async function eventOf(type: string, itemId: string) {
  const r = await ctx.db
    .selectFrom('events')
    .select('payload')
    .where('type', '=', type)
    .where('item_id', '=', itemId)
    .executeTakeFirstOrThrow();
  return (typeof r.payload === 'string' ? JSON.parse(r.payload) : r.payload) as Record<string, unknown>;
}

describe('the fixtures are what they claim', () => {
  it('A/A2 and B/B2 are duplicates, A and B are not', () => {
    expect(compareTexts(A, A2).score).toBeGreaterThanOrEqual(DUPLICATE_THRESHOLD);
    expect(compareTexts(B, B2).score).toBeGreaterThanOrEqual(DUPLICATE_THRESHOLD);
    expect(compareTexts(A, B).score).toBeLessThan(DUPLICATE_THRESHOLD);
  });
});

describe('the index', () => {
  it('finds a recorded intake text by a reworded one, with score and shared phrases', async () => {
    const at = new Date(NOW);
    await recordText(ctx.db, { kind: 'intake', id: 'rec-1', regionCode: '330106', ...A, at });
    const found = await findDuplicates(ctx.db, { ...A2, regionCode: '330106', now: at });
    expect(found).toHaveLength(1);
    expect(found[0]).toMatchObject({ kind: 'intake', id: 'rec-1' });
    expect(found[0]?.score).toBeGreaterThanOrEqual(DUPLICATE_THRESHOLD);
    expect(found[0]?.sharedPhrases.some((p) => p.includes('地铁三号线工地'))).toBe(true);
    // Another region counts a little less; kinds, excludeId and an unrelated text find nothing.
    const other = await findDuplicates(ctx.db, { ...A2, regionCode: '330200', now: at, minScore: 0 });
    expect(other[0]?.score).toBeLessThan(found[0]?.score as number);
    expect(await findDuplicates(ctx.db, { ...A2, kinds: ['item'], now: at })).toEqual([]);
    expect(await findDuplicates(ctx.db, { ...A2, excludeId: 'rec-1', now: at })).toEqual([]);
    expect(await findDuplicates(ctx.db, { ...B2, now: at })).toEqual([]);
    // 180 days later the record has left the window.
    const later = new Date(at.getTime() + 181 * 86_400_000);
    expect(await findDuplicates(ctx.db, { ...A2, now: later })).toEqual([]);
    // An upsert replaces the text.
    await recordText(ctx.db, { kind: 'intake', id: 'rec-1', regionCode: '330106', ...B, at });
    expect(await findDuplicates(ctx.db, { ...A2, now: at })).toEqual([]);
    expect((await findDuplicates(ctx.db, { ...B2, now: at }))[0]?.id).toBe('rec-1');
    await sql`delete from similarity_index where kind = 'intake'`.execute(ctx.db);
  });
});

describe('registration refuses a duplicate of an open item in scope', () => {
  let first: { id: string; number: string };

  it('indexes a new item; a reworded second one is 409 DUPLICATE_ITEM naming it, and writes nothing', async () => {
    const res = await city.post('/api/v1/items', itemBody(A));
    expect(res.statusCode, res.body).toBe(201);
    first = res.json().item;
    const before = await rowCount(ctx, 'items');
    const again = await city.post('/api/v1/items', itemBody(A2));
    expectProblem(again, 409, 'DUPLICATE_ITEM', 'body.content');
    const body = again.json();
    expect(body.detailZh).toMatch(/^重复督办/);
    expect(body.duplicates).toHaveLength(1);
    expect(body.duplicates[0]).toMatchObject({ id: first.id, number: first.number, title: A.title });
    expect(body.duplicates[0].score).toBeGreaterThanOrEqual(DUPLICATE_THRESHOLD);
    expect(body.duplicates[0].sharedPhrases.some((p: string) => p.includes('地铁三号线工地'))).toBe(true);
    expect(await rowCount(ctx, 'items')).toBe(before);
  });

  it('does not tell a supervisor about items outside their scope (宁波 registers it)', async () => {
    const ningbo = await w.as('ningbo_sup');
    const res = await ningbo.post('/api/v1/items', itemBody(A2));
    expect(res.statusCode, res.body).toBe(201);
  });

  it('a province supervisor sees both and is refused too; a bad override is a 400', async () => {
    const prov = await w.as('prov_sup');
    const res = await prov.post('/api/v1/items', itemBody(A2));
    expectProblem(res, 409, 'DUPLICATE_ITEM');
    expect(res.json().duplicates).toHaveLength(2);
    expectProblem(
      await prov.post('/api/v1/items', itemBody({ ...A2, duplicateOverride: { reason: '' } })),
      400,
      'VALIDATION_FAILED',
      'body.duplicateOverride.reason',
    );
  });

  it('registers with duplicateOverride and records the reason and the duplicates in item.created', async () => {
    const res = await city.post(
      '/api/v1/items',
      itemBody({ ...A2, duplicateOverride: { reason: '二期工地另行督办' } }),
    );
    expect(res.statusCode, res.body).toBe(201);
    const created = await eventOf('item.created', res.json().item.id);
    expect(created.duplicateOverride).toEqual({ reason: '二期工地另行督办', duplicateIds: [first.id] });
    // An override with nothing to override is not recorded.
    const plain = await city.post('/api/v1/items', itemBody({ duplicateOverride: { reason: '无' } }));
    expect(plain.statusCode, plain.body).toBe(201);
    expect((await eventOf('item.created', plain.json().item.id)).duplicateOverride).toBeUndefined();
  });

  it('checks when a draft is registered, and takes the override there too', async () => {
    const b = await city.post('/api/v1/items', itemBody(B));
    expect(b.statusCode, b.body).toBe(201);
    const draft = await city.post('/api/v1/items', itemBody({ ...B2, draft: true }));
    expect(draft.statusCode, draft.body).toBe(201);
    const id = draft.json().item.id as string;
    const refused = await city.post(`/api/v1/items/${id}/actions/register`, {});
    expectProblem(refused, 409, 'DUPLICATE_ITEM');
    expect(refused.json().duplicates.map((d: { id: string }) => d.id)).toEqual([b.json().item.id]);
    const ok = await city.post(`/api/v1/items/${id}/actions/register`, {
      duplicateOverride: { reason: '另一栋楼' },
    });
    expect(ok.statusCode, ok.body).toBe(200);
    expect((await eventOf('item.registered', id)).duplicateOverride).toEqual({
      reason: '另一栋楼',
      duplicateIds: [b.json().item.id],
    });
  });

  it('a cancelled item no longer blocks, but the check still lists it', async () => {
    const c = {
      title: '金沙湖花园火锅店油烟直排',
      content: '钱塘区下沙街道金沙湖花园底商火锅店没有油烟净化设施，夜宵时段油烟直排楼上住户。',
    };
    const c2 = {
      title: '投诉金沙湖花园底商火锅店油烟',
      content: '金沙湖花园底商火锅店油烟直排，夜宵时段熏得楼上住户不敢开窗。',
    };
    const made = await city.post('/api/v1/items', itemBody(c));
    const id = made.json().item.id as string;
    expectProblem(await city.post('/api/v1/items', itemBody(c2)), 409, 'DUPLICATE_ITEM');
    const cancel = await city.post(`/api/v1/items/${id}/actions/cancel`, { reason: '已移交属地处理' });
    expect(cancel.statusCode, cancel.body).toBe(200);
    const check = await city.post('/api/v1/duplicates/check', c2);
    expect(check.json().duplicates.map((d: { id: string }) => d.id)).toContain(id);
    const now = await city.post('/api/v1/items', itemBody(c2));
    expect(now.statusCode, now.body).toBe(201);
  });

  it('re-indexes an item whose text is edited, and rebuilds the index from all items', async () => {
    const made = await city.post('/api/v1/items', itemBody({ title: '推进智慧停车诱导系统建设' }));
    const id = made.json().item.id as string;
    const text = {
      title: '临平区藕花洲大街路灯损坏',
      content: '临平区南苑街道藕花洲大街主干道路灯已经坏了一个多月，晚上一片漆黑。',
    };
    const patched = await city.patch(`/api/v1/items/${id}`, text, { 'if-match': '"1"' });
    expect(patched.statusCode, patched.body).toBe(200);
    const found = await findDuplicates(ctx.db, {
      title: '藕花洲大街路灯一个多月不亮',
      content: '南苑街道藕花洲大街路灯坏了一个多月，夜里出行不安全。',
      now: new Date(NOW),
    });
    expect(found.map((f) => f.id)).toEqual([id]);
    await sql`delete from similarity_index`.execute(ctx.db);
    expect(await reindexItems(ctx.db)).toBe(await rowCount(ctx, 'items'));
    expect((await findDuplicates(ctx.db, { ...text, now: new Date(NOW) }))[0]?.id).toBe(id);
  });
});

describe('POST /api/v1/duplicates/check', () => {
  const URL = '/api/v1/duplicates/check';

  it('401 → 400 (field) → 403 for others than supervisors → 404 for a region outside the scope', async () => {
    const anonymous = await w.app.inject({ method: 'POST', url: URL, payload: A2 });
    expectProblem(anonymous, 401, 'UNAUTHENTICATED');
    expectProblem(await city.post(URL, { content: A2.content }), 400, 'VALIDATION_FAILED', 'body.title');
    expectProblem(
      await city.post(URL, { ...A2, regionCode: 'x' }),
      400,
      'VALIDATION_FAILED',
      'body.regionCode',
    );
    expectProblem(await (await w.as('housing_h')).post(URL, A2), 403, 'FORBIDDEN');
    expectProblem(await (await w.as('admin')).post(URL, A2), 403, 'FORBIDDEN');
    expectProblem(
      await city.post(URL, { ...A2, regionCode: '330200' }),
      404,
      'REGION_NOT_FOUND',
      'body.regionCode',
    );
  });

  it('lists the near items the caller may see, best first, with score and shared phrases', async () => {
    const res = await city.post(URL, { ...A2, regionCode: '330106' });
    expect(res.statusCode, res.body).toBe(200);
    const { threshold, duplicates } = res.json();
    expect(threshold).toBe(DUPLICATE_THRESHOLD);
    // 杭州's original and its overridden twin; not 宁波's.
    expect(duplicates).toHaveLength(2);
    for (const d of duplicates) {
      expect(d).toMatchObject({ id: expect.any(String), number: expect.stringMatching(/^杭督/) });
      expect(d.sharedPhrases.length).toBeGreaterThan(0);
    }
    expect(duplicates[0].score).toBeGreaterThanOrEqual(duplicates[1].score);
    const ningbo = await (await w.as('ningbo_sup')).post(URL, A2);
    expect(ningbo.json().duplicates.map((d: { number: string }) => d.number[0])).toEqual(['宁']);
  });
});
