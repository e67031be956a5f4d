import ICAL from 'ical.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FEED_LIMIT } from '../../src/feeds/entries.ts';
import { addDays } from '../../src/shared/time.ts';
import { createTestContext, type TestContext } from '../support/context.ts';
import { buildWorld, itemBody, type World } from '../support/factories.ts';

/** A supervisor with more dates than the feed holds gets the FEED_LIMIT nearest to today. */

let ctx: TestContext;
let w: World;
const TODAY = '2026-11-27';
const ITEMS = 41;
const MILESTONES = 50;
/** Milestone k (0 … 2049) is k days from today, except milestone 0: a week ago. */
const milestoneDate = (k: number) => (k === 0 ? addDays(TODAY, -7) : addDays(TODAY, k));
const ids: string[] = [];

beforeAll(async () => {
  ctx = await createTestContext();
  ctx.setNow(`${TODAY}T02:00:00Z`);
  w = await buildWorld(ctx);
  const sup = await w.as('county_sup');
  for (let j = 0; j < ITEMS; j++) {
    const milestones = Array.from({ length: MILESTONES }, (_, m) => ({
      name: `节点${j * MILESTONES + m}`,
      date: milestoneDate(j * MILESTONES + m),
    }));
    // Item deadlines lie beyond every milestone (2033): the farthest dates of all.
    const res = await sup.post(
      '/api/v1/items',
      itemBody({
        title: `事项${j}`,
        deadline: `2033-01-${String((j % 28) + 1).padStart(2, '0')}`,
        milestones,
      }),
    );
    if (res.statusCode !== 201) throw new Error(`${res.statusCode} ${res.body}`);
    ids.push(res.json().item.id);
  }
});
afterAll(async () => {
  await w?.app.close();
  await ctx?.cleanup();
});

describe('the feed cap', () => {
  it(`keeps the ${FEED_LIMIT} dates nearest to today, past or future, and says so`, async () => {
    expect(ITEMS * (MILESTONES + 1)).toBeGreaterThan(FEED_LIMIT);
    const issued = await (await w.as('county_sup')).post('/api/v1/users/me/calendar-feed');
    expect(issued.statusCode).toBe(201);
    const res = await w.app.inject({ method: 'GET', url: new URL(issued.json().url).pathname });
    expect(res.statusCode).toBe(200);
    const calendar = new ICAL.Component(ICAL.parse(res.body));
    expect(String(calendar.getFirstPropertyValue('x-wr-caldesc'))).toContain(
      `仅列出距今最近的 ${FEED_LIMIT} 个日程`,
    );

    const events = calendar.getAllSubcomponents('vevent').map((v) => new ICAL.Event(v));
    expect(events).toHaveLength(FEED_LIMIT);
    // Milestones 0 … 1999 (distances 7, 1 … 1999 days) stay; 2000 … 2049 and every deadline go.
    const kept = new Set(events.map((e) => e.uid));
    const expected = new Set<string>();
    for (let k = 0; k < FEED_LIMIT; k++) {
      const id = ids[Math.floor(k / MILESTONES)];
      expected.add(`${id}-milestone-${(k % MILESTONES) + 1}@duban`);
    }
    expect(kept).toEqual(expected);
    const byUid = new Map(events.map((e) => [e.uid, e]));
    expect(byUid.get(`${ids[0]}-milestone-1@duban`)?.startDate.toString()).toBe('2026-11-20');
    expect(byUid.get(`${ids[39]}-milestone-50@duban`)?.startDate.toString()).toBe(addDays(TODAY, 1999));
  });
});
