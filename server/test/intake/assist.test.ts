import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TestContext } from '../support/context.ts';
import { act, closeWorld, itemBody, openWorld, type World } from '../support/factories.ts';

/**
 * The task pool with the duplicate index and routing: a received record joins the index, its
 * detail lists near-duplicate items and records with the phrases they share plus routing
 * suggestions, and a citizen complaint matching a completed item proposes a 回头看 of it.
 */
let ctx: TestContext;
let w: World;
let doneItemId: string;
let regionCode: string;

const PROBLEM = {
  title: '城西街道永兴小区污水管网堵塞外溢',
  content:
    '城西街道永兴小区北门污水管网长期堵塞，雨后污水外溢到人行道，居民多次反映。请区住建局牵头疏通改造永兴小区北门污水管网，消除外溢隐患。',
};

beforeAll(async () => {
  ({ ctx, w } = await openWorld('2026-03-02T02:00:00Z'));
  const sup = await w.as('city_sup');
  const created = await sup.post('/api/v1/items', itemBody({ ...PROBLEM, deadline: '2026-06-30' }));
  expect(created.statusCode, created.body).toBe(201);
  doneItemId = created.json().item.id;
  regionCode = created.json().item.regionCode;
  await act(sup, doneItemId, 'dispatch', {
    assignments: [{ unitId: w.units.housing, role: 'lead', deadline: '2026-06-30' }],
  });
  await act(await w.as('housing_h'), doneItemId, 'accept');
  await act(await w.as('housing_h'), doneItemId, 'request-completion', { summary: '已疏通改造。' });
  await act(sup, doneItemId, 'approve-completion', { comment: '同意办结' });
});
afterAll(() => closeWorld(ctx, w));

async function complain(title: string, content: string) {
  const res = await w.app.inject({
    method: 'POST',
    url: '/api/v1/public/complaints',
    payload: { kind: 'complaint', title, content, regionCode, contactPhone: '13812345678' },
  });
  expect(res.statusCode, res.body).toBe(201);
  return res.json().trackingNo as string;
}

async function complaintReviews(itemId: string) {
  return ctx.db
    .withTables<{ followup_reviews: { item_id: string; source: string; reason: string | null } }>()
    .selectFrom('followup_reviews')
    .select(['source', 'reason'])
    .where('item_id', '=', itemId)
    .where('source', '=', 'complaint')
    .execute();
}

describe('a complaint in the task pool', () => {
  it('proposes a 回头看 when it matches a completed item, and not otherwise', async () => {
    await complain('学校门口早晚高峰拥堵', '实验小学门口早晚高峰车辆乱停，建议增设即停即走车位。');
    expect(await complaintReviews(doneItemId)).toHaveLength(0);
    const trackingNo = await complain(
      '永兴小区北门污水又外溢了',
      '城西街道永兴小区北门污水管网又堵塞了，雨后污水外溢到人行道，之前说已经疏通改造，现在问题反弹。',
    );
    const reviews = await complaintReviews(doneItemId);
    expect(reviews).toHaveLength(1);
    expect(reviews[0]?.reason).toContain(trackingNo);
    const events = await ctx.db
      .selectFrom('events')
      .select('type')
      .where('type', '=', 'item.followup_proposed')
      .execute();
    expect(events).toHaveLength(1);
  });

  it('shows duplicates with shared phrases and routing suggestions in the record, within scope', async () => {
    const sup = await w.as('city_sup');
    const trained = await sup.post('/api/v1/routing/train', {});
    expect(trained.statusCode, trained.body).toBe(200);
    const list = await sup.get('/api/v1/intake?q=%E6%B0%B8%E5%85%B4');
    expect(list.statusCode, list.body).toBe(200);
    const record = list.json().records.find((r: { title: string }) => r.title.includes('又外溢')) as {
      id: string;
    };
    const res = await sup.get(`/api/v1/intake/${record.id}`);
    expect(res.statusCode, res.body).toBe(200);
    const body = res.json();
    const dup = body.duplicates.items.find((d: { id: string }) => d.id === doneItemId);
    expect(dup).toBeDefined();
    expect(dup.score).toBeGreaterThan(0.2);
    expect(dup.sharedPhrases.join('')).toContain('永兴小区北门污水管网');
    expect(body.duplicates.records.map((r: { id: string }) => r.id)).not.toContain(record.id);
    expect(body.routing.categories.length).toBeGreaterThan(0);
    expect(body.routing.categories[0]).toMatchObject({ code: expect.any(String), score: expect.any(Number) });
    // A supervisor of another city sees neither the record nor, through it, the item.
    const other = await (await w.as('ningbo_sup')).get(`/api/v1/intake/${record.id}`);
    expect(other.statusCode).toBe(404);
  });

  it('lists a second report of the same problem as a similar record', async () => {
    await complain('永兴小区北门污水管网堵塞', '城西街道永兴小区北门污水管网堵塞，雨后污水外溢到人行道。');
    const sup = await w.as('city_sup');
    const list = (await sup.get('/api/v1/intake?q=%E6%B0%B8%E5%85%B4')).json().records as {
      id: string;
      title: string;
    }[];
    const first = list.find((r) => r.title.includes('又外溢')) as { id: string };
    const second = list.find((r) => r.title === '永兴小区北门污水管网堵塞') as { id: string };
    const body = (await sup.get(`/api/v1/intake/${first.id}`)).json();
    const similar = body.duplicates.records.find((r: { id: string }) => r.id === second.id);
    expect(similar).toBeDefined();
    expect(similar.sharedPhrases.length).toBeGreaterThan(0);
  });
});
