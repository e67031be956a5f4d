import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildCalendar, isWorkday, workingDaysBetween } from '../../src/calendar/calendar.ts';
import { packagedCalendar } from '../../src/calendar/packaged.ts';
import { effectiveDays, loadCalendar, removeDay, setDay, syncChineseDays } from '../../src/calendar/store.ts';
import { importRegions } from '../../src/org/regions.ts';
import { DomainError } from '../../src/shared/errors.ts';
import { createTestContext, type TestContext } from '../support/context.ts';
import { datesOf, NOTICES, officialDays } from './official.ts';

let ctx: TestContext;
const meta = () => ({ actorId: null, at: new Date() });
const set = (date: string, regionCode: string | null, kind: 'holiday' | 'workday', name = '') =>
  ctx.db.transaction().execute((tx) => setDay(tx, { date, regionCode, kind, name }, meta()));
const remove = (date: string, regionCode: string | null) =>
  ctx.db.transaction().execute((tx) => removeDay(tx, { date, regionCode }, meta()));
const eventsOf = (type: string) =>
  ctx.db.selectFrom('events').select(['type', 'payload']).where('type', '=', type).orderBy('seq').execute();

beforeAll(async () => {
  ctx = await createTestContext();
  await importRegions(ctx.db, { code: '330000' });
});
afterAll(async () => {
  await ctx.cleanup();
});

describe('the seeded national calendar', () => {
  it('holds exactly what the installed chinese-days lists, after migrate alone', async () => {
    const rows = await ctx.db
      .selectFrom('calendar_days')
      .select(['day', 'kind', 'name', 'source', 'region_code'])
      .orderBy('day')
      .execute();
    expect(rows.every((r) => r.region_code === null && r.source === 'chinese-days')).toBe(true);
    expect(rows.map((r) => ({ date: r.day, kind: r.kind, name: r.name }))).toEqual(packagedCalendar().days);
  });

  it('matches the State Council notices for 2024–2026', async () => {
    const db = await loadCalendar(ctx.db);
    const official = buildCalendar(officialDays());
    const wrong = NOTICES.flatMap((n) => datesOf(n.year)).filter(
      (d) => isWorkday(db, d) !== isWorkday(official, d),
    );
    expect(wrong).toEqual([]);
    expect(workingDaysBetween(db, '2024-12-31', '2025-12-31')).toBe(248);
  });

  it('re-seeding changes nothing and writes no event', async () => {
    const r = await syncChineseDays(ctx.db, meta());
    expect(r).toMatchObject({ inserted: 0, updated: 0, removed: 0 });
    expect(await eventsOf('calendar.seeded')).toHaveLength(0);
  });
});

describe('admin edits and re-seeding', () => {
  it('a re-seed restores packaged days but never overwrites what an admin set', async () => {
    // An admin declares the Saturday 2025-02-08 a rest day after all, and enters a 2027 day.
    await set('2025-02-08', null, 'holiday', '春节');
    await set('2027-02-08', null, 'holiday', '春节');
    // Meanwhile the packaged rows drift: one changed, one lost, one the package no longer lists.
    await ctx.db
      .updateTable('calendar_days')
      .set({ kind: 'workday' })
      .where('region_code', 'is', null)
      .where('day', '=', '2025-10-08')
      .execute();
    await ctx.db
      .deleteFrom('calendar_days')
      .where('region_code', 'is', null)
      .where('day', '=', '2025-05-05')
      .execute();
    await ctx.db
      .insertInto('calendar_days')
      .values({ day: '2025-03-03', kind: 'holiday', name: '旧数据', source: 'chinese-days' })
      .execute();

    const r = await syncChineseDays(ctx.db, meta());
    expect(r).toMatchObject({ inserted: 1, updated: 1, removed: 1 });
    const cal = await loadCalendar(ctx.db);
    expect(isWorkday(cal, '2025-02-08')).toBe(false); // the admin's edit stands
    expect(isWorkday(cal, '2027-02-08')).toBe(false);
    expect(isWorkday(cal, '2025-10-08')).toBe(false);
    expect(isWorkday(cal, '2025-05-05')).toBe(false);
    expect(isWorkday(cal, '2025-03-03')).toBe(true);
    const seeded = await eventsOf('calendar.seeded');
    expect(seeded.map((e) => e.payload)).toEqual([
      { type: 'calendar.seeded', source: 'chinese-days', inserted: 1, updated: 1, removed: 1 },
    ]);
    expect(await syncChineseDays(ctx.db, meta())).toMatchObject({ inserted: 0, updated: 0, removed: 0 });
  });

  it('removing a national edit brings back the packaged day; packaged days cannot be removed', async () => {
    const { removed, restored } = await remove('2025-02-08', null);
    expect(removed).toMatchObject({ kind: 'holiday', source: 'admin' });
    expect(restored).toEqual({
      date: '2025-02-08',
      regionCode: null,
      kind: 'workday',
      name: '春节',
      source: 'chinese-days',
    });
    expect(isWorkday(await loadCalendar(ctx.db), '2025-02-08')).toBe(true);
    const events = await eventsOf('calendar.day_removed');
    expect(events.at(-1)?.payload).toMatchObject({
      date: '2025-02-08',
      regionCode: null,
      previous: { kind: 'holiday', source: 'admin' },
      restored: { kind: 'workday', name: '春节' },
    });

    const refused = await remove('2025-02-08', null).catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(DomainError);
    expect(refused).toMatchObject({ code: 'CONFLICT', field: 'params.date' });

    const { restored: none } = await remove('2027-02-08', null);
    expect(none).toBeNull();
    await expect(remove('2027-02-08', null)).rejects.toMatchObject({ code: 'NOT_FOUND' });
  });
});

describe('regional overrides', () => {
  // 2025-03-03 is a Monday; 330100 杭州市, 330106 its 西湖区, 330200 宁波市.
  it('apply to the region and the regions beneath it only; the deepest wins', async () => {
    const created = await set('2025-03-03', '330100', 'holiday', '杭州市调休');
    expect(created.created).toBe(true);
    expect((await set('2025-03-03', '330100', 'holiday', '杭州市调休')).created).toBe(false);

    const works = async (region: string | null) =>
      isWorkday(await loadCalendar(ctx.db, region), '2025-03-03');
    expect(await works('330100')).toBe(false);
    expect(await works('330106')).toBe(false);
    expect(await works('330000')).toBe(true);
    expect(await works('330200')).toBe(true);
    expect(await works(null)).toBe(true);

    await set('2025-03-03', '330106', 'workday');
    expect(await works('330106')).toBe(true);
    expect(await works('330100')).toBe(false);
    const days = await effectiveDays(ctx.db, '330106', { from: '2025-03-01', to: '2025-03-31' });
    expect(days).toEqual([
      { date: '2025-03-03', regionCode: '330106', kind: 'workday', name: '', source: 'admin' },
    ]);

    await remove('2025-03-03', '330106');
    expect(await works('330106')).toBe(false);
    await remove('2025-03-03', '330100');
    expect(await works('330106')).toBe(true);
  });

  it('a re-seed leaves overrides alone, and an unknown region answers 404', async () => {
    await set('2025-02-08', '330200', 'holiday');
    await syncChineseDays(ctx.db, meta());
    expect(isWorkday(await loadCalendar(ctx.db, '330200'), '2025-02-08')).toBe(false);
    await expect(loadCalendar(ctx.db, '339999')).rejects.toMatchObject({ code: 'REGION_NOT_FOUND' });
  });
});
