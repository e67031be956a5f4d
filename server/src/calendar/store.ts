import { type ExpressionBuilder, sql } from 'kysely';
import type { Db, Queryable, Tx } from '../db/client.ts';
import type { Database } from '../db/schema.ts';
import { appendEvents } from '../events/append.ts';
import { getRegion } from '../org/regions.ts';
import { DomainError, notFound } from '../shared/errors.ts';
import { buildCalendar, type Calendar, type DayKind, overlayDays } from './calendar.ts';
import { packagedCalendar, packagedDay } from './packaged.ts';

/*
 * The calendar_days table: national days (region_code null) and regional overrides. A region's
 * calendar is the national layer overlaid with the overrides of its ancestors and its own, the
 * deepest declaring a day winning — so a province's override reaches every city and county in it,
 * and a county's reaches only that county.
 */

export type DaySource = 'chinese-days' | 'admin';

/** One declared day with the layer it belongs to (regionCode null = national). */
export type StoredDay = {
  date: string;
  regionCode: string | null;
  kind: DayKind;
  name: string;
  source: DaySource;
};

type Meta = { actorId: string | null; at: Date };

const COLUMNS = ['region_code', 'day', 'kind', 'name', 'source'] as const;

function toStored(r: {
  region_code: string | null;
  day: string;
  kind: DayKind;
  name: string;
  source: DaySource;
}): StoredDay {
  return { date: r.day, regionCode: r.region_code, kind: r.kind, name: r.name, source: r.source };
}

function layerIs(regionCode: string | null) {
  return (eb: ExpressionBuilder<Database, 'calendar_days'>) =>
    regionCode === null ? eb('region_code', 'is', null) : eb('region_code', '=', regionCode);
}

/** Codes from the root region down to `regionCode` (its GB/T 2260 path); 404 for an unknown region. */
export async function regionChain(db: Queryable, regionCode: string): Promise<string[]> {
  const region = await getRegion(db, regionCode);
  return region.path.split('.');
}

/**
 * The days that apply in a region (national when regionCode is null), each from the deepest layer
 * that declares it, sorted by date; only those in [from, to] when a range is given.
 */
export async function effectiveDays(
  db: Queryable,
  regionCode: string | null,
  range?: { from: string; to: string },
): Promise<StoredDay[]> {
  const chain = regionCode === null ? [] : await regionChain(db, regionCode);
  let q = db
    .selectFrom('calendar_days')
    .select(COLUMNS)
    .where((eb) =>
      chain.length === 0
        ? eb('region_code', 'is', null)
        : eb.or([eb('region_code', 'is', null), eb('region_code', 'in', chain)]),
    );
  if (range) q = q.where('day', '>=', range.from).where('day', '<=', range.to);
  const rows = await q.execute();
  const layers: StoredDay[][] = Array.from({ length: chain.length + 1 }, () => []);
  for (const r of rows)
    layers[r.region_code === null ? 0 : chain.indexOf(r.region_code) + 1]?.push(toStored(r));
  return overlayDays(layers);
}

/**
 * The working-day calendar of a region (national when regionCode is null or omitted). Reads the
 * table each call: callers doing bulk work build it once and reuse it.
 */
export async function loadCalendar(db: Queryable, regionCode: string | null = null): Promise<Calendar> {
  return buildCalendar(await effectiveDays(db, regionCode));
}

const cache = new Map<string, { stamp: string; calendar: Calendar }>();

/**
 * `loadCalendar`, cached per region for the per-command path: one cheap query tells whether any
 * day was added, changed or removed since the cached calendar was built (by any process).
 */
export async function cachedCalendar(
  db: Queryable,
  regionCode: string | null = null,
  /** The calendarStamp a caller just read within a larger statement (calendarStampSelect). */
  knownStamp?: string,
): Promise<Calendar> {
  const stamp = knownStamp ?? (await calendarStamp(db));
  const key = regionCode ?? '';
  const hit = cache.get(key);
  if (hit?.stamp === stamp) return hit.calendar;
  const calendar = await loadCalendar(db, regionCode);
  cache.set(key, { stamp, calendar });
  return calendar;
}

/** A fingerprint of the whole calendar table: it changes whenever any day is added, edited or removed. */
export async function calendarStamp(db: Queryable): Promise<string> {
  const row = await sql<CalendarStampRow>`${calendarStampSelect}`.execute(db);
  return stampText(row.rows[0]);
}

/** calendarStamp's SELECT (columns n, m, s), for a caller that reads it within a larger statement. */
export const calendarStampSelect = sql`
    select count(*)::int as n, max(updated_at) as m,
      sum((day - date '2000-01-01') * (case kind when 'holiday' then 1 else 2 end)
        + coalesce(length(region_code), 0))::text as s
    from calendar_days`;
export type CalendarStampRow = { n: number; m: Date | null; s: string | null };

/** The stamp of calendarStampSelect's row. */
export function stampText(r: CalendarStampRow | undefined): string {
  return `${r?.n}|${r?.m ? new Date(r.m).toISOString() : ''}|${r?.s ?? ''}`;
}

/** Does the national calendar declare any day in this year (has the year's arrangement been entered)? */
export async function hasNationalDays(db: Queryable, year: number): Promise<boolean> {
  const row = await db
    .selectFrom('calendar_days')
    .select('day')
    .where('region_code', 'is', null)
    .where('day', '>=', `${year}-01-01`)
    .where('day', '<=', `${year}-12-31`)
    .limit(1)
    .executeTakeFirst();
  return row !== undefined;
}

export type SeedResult = { version: string; inserted: number; updated: number; removed: number };

const BATCH = 500;

/**
 * Brings the national 'chinese-days' rows in step with the installed package: adds the days it
 * lists that the table lacks, corrects changed ones, removes ones it no longer lists. Rows an admin
 * set are never touched (every write is conditioned on source = 'chinese-days'), so running it
 * again, or after an admin's edits, is safe. Emits `calendar.seeded` when anything changed.
 */
export async function syncChineseDays(db: Db, meta: Meta): Promise<SeedResult> {
  const { version, days } = packagedCalendar();
  return db.transaction().execute(async (tx) => {
    const existing = new Map(
      (await tx.selectFrom('calendar_days').select(COLUMNS).where('region_code', 'is', null).execute()).map(
        (r) => [r.day, r],
      ),
    );
    const listed = new Set(days.map((d) => d.date));
    const missing = days.filter((d) => !existing.has(d.date));
    const changed = days.filter((d) => {
      const e = existing.get(d.date);
      return e?.source === 'chinese-days' && (e.kind !== d.kind || e.name !== d.name);
    });
    const dropped = [...existing.values()]
      .filter((e) => e.source === 'chinese-days' && !listed.has(e.day))
      .map((e) => e.day);

    let inserted = 0;
    for (let i = 0; i < missing.length; i += BATCH) {
      const rows = missing.slice(i, i + BATCH).map((d) => ({
        region_code: null,
        day: d.date,
        kind: d.kind,
        name: d.name,
        source: 'chinese-days' as const,
        updated_at: meta.at,
      }));
      const result = await tx
        .insertInto('calendar_days')
        .values(rows)
        .onConflict((oc) => oc.columns(['region_code', 'day']).doNothing())
        .executeTakeFirst();
      inserted += Number(result.numInsertedOrUpdatedRows ?? 0);
    }
    let updated = 0;
    for (const d of changed) {
      const result = await tx
        .updateTable('calendar_days')
        .set({ kind: d.kind, name: d.name, updated_at: meta.at, updated_by: null })
        .where('region_code', 'is', null)
        .where('day', '=', d.date)
        .where('source', '=', 'chinese-days')
        .executeTakeFirst();
      updated += Number(result.numUpdatedRows);
    }
    let removed = 0;
    for (let i = 0; i < dropped.length; i += BATCH) {
      const result = await tx
        .deleteFrom('calendar_days')
        .where('region_code', 'is', null)
        .where('source', '=', 'chinese-days')
        .where('day', 'in', dropped.slice(i, i + BATCH))
        .executeTakeFirst();
      removed += Number(result.numDeletedRows);
    }
    if (inserted + updated + removed > 0) {
      await appendEvents(
        tx,
        [{ type: 'calendar.seeded', source: 'chinese-days', inserted, updated, removed }],
        meta,
      );
    }
    return { version, inserted, updated, removed };
  });
}

async function findDay(tx: Tx, regionCode: string | null, date: string, lock: boolean) {
  let q = tx.selectFrom('calendar_days').select(COLUMNS).where(layerIs(regionCode)).where('day', '=', date);
  if (lock) q = q.forUpdate();
  const row = await q.executeTakeFirst();
  return row ? toStored(row) : undefined;
}

export type DayInput = { date: string; regionCode: string | null; kind: DayKind; name: string };

/**
 * Declares a day a rest day or a working day, nationally or for a region (an admin's edit: source
 * 'admin', which a re-seed leaves alone). Emits `calendar.day_set`. `created` is false when the
 * layer already declared the day.
 */
export async function setDay(
  tx: Tx,
  input: DayInput,
  meta: Meta,
): Promise<{ day: StoredDay; created: boolean }> {
  const previous = await findDay(tx, input.regionCode, input.date, true);
  const values = {
    kind: input.kind,
    name: input.name,
    source: 'admin' as const,
    updated_by: meta.actorId,
    updated_at: meta.at,
  };
  const row = await tx
    .insertInto('calendar_days')
    .values({ region_code: input.regionCode, day: input.date, ...values })
    .onConflict((oc) => oc.columns(['region_code', 'day']).doUpdateSet(values))
    .returning(COLUMNS)
    .executeTakeFirstOrThrow();
  await appendEvents(
    tx,
    [
      {
        type: 'calendar.day_set',
        date: input.date,
        regionCode: input.regionCode,
        kind: input.kind,
        name: input.name,
        previous: previous ? { kind: previous.kind, name: previous.name, source: previous.source } : null,
      },
    ],
    meta,
  );
  return { day: toStored(row), created: previous === undefined };
}

/**
 * Takes back an admin's edit of a day: a region's override disappears (the day follows the layer
 * above again); a national edit gives way to the packaged (chinese-days) day when there is one.
 * Packaged days themselves cannot be removed — a re-seed would bring them back; they are corrected
 * with setDay. Emits `calendar.day_removed`.
 */
export async function removeDay(
  tx: Tx,
  key: { date: string; regionCode: string | null },
  meta: Meta,
): Promise<{ removed: StoredDay; restored: StoredDay | null }> {
  const previous = await findDay(tx, key.regionCode, key.date, true);
  if (!previous) {
    throw notFound('NOT_FOUND', { zh: `${key.date} 的日历设置`, en: `calendar day ${key.date}` });
  }
  if (previous.source === 'chinese-days') {
    throw new DomainError(
      'CONFLICT',
      {
        zh: `${key.date} 是法定节假日安排（chinese-days）中的日期，不能删除；如需更正，请将其设为休息日或工作日`,
        en: `${key.date} belongs to the statutory arrangement (chinese-days) and cannot be removed; set it to a rest day or working day instead`,
      },
      { field: 'params.date' },
    );
  }
  await tx.deleteFrom('calendar_days').where(layerIs(key.regionCode)).where('day', '=', key.date).execute();
  const packaged = key.regionCode === null ? packagedDay(key.date) : undefined;
  let restored: StoredDay | null = null;
  if (packaged) {
    await tx
      .insertInto('calendar_days')
      .values({
        region_code: null,
        day: packaged.date,
        kind: packaged.kind,
        name: packaged.name,
        source: 'chinese-days',
        updated_at: meta.at,
      })
      .execute();
    restored = { ...packaged, regionCode: null, source: 'chinese-days' };
  }
  await appendEvents(
    tx,
    [
      {
        type: 'calendar.day_removed',
        date: key.date,
        regionCode: key.regionCode,
        previous: { kind: previous.kind, name: previous.name, source: previous.source },
        restored: restored ? { kind: restored.kind, name: restored.name } : null,
      },
    ],
    meta,
  );
  return { removed: previous, restored };
}
