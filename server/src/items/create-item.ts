import crypto from 'node:crypto';
import type { CreateItemInput } from '@duban/schema';
import { sql } from 'kysely';
import { addWorkingDays, type Calendar } from '../calendar/calendar.ts';
import { type CalendarStampRow, cachedCalendar, calendarStampSelect, stampText } from '../calendar/store.ts';
import { datesFor, lightColumns } from '../clock/thresholds.ts';
import type { Tx } from '../db/client.ts';
import { appendEvents } from '../events/append.ts';
import type { ItemEvent } from '../events/types.ts';
import { recordText } from '../intake/similarity/index.ts';
import { checkDuplicateRegistration } from '../intake/similarity/registration.ts';
import type { Actor } from '../shared/actor.ts';
import { DomainError, validationError } from '../shared/errors.ts';
import { shanghaiDate, shanghaiYear } from '../shared/time.ts';
import { ruleOf } from './lights.ts';
import type { Target } from './model.ts';

export type NewItemOptions = {
  /** A pre-chosen id, when the caller's events must name the item before it exists. */
  id?: string;
  assigningUnitId: string;
  actorId: string;
  now: Date;
  parentId?: string | null;
  weight?: number;
  rectifiesItemId?: string | null;
  isDemo?: boolean;
  /** 重复督办: refuse (409 DUPLICATE_ITEM) a registration duplicating open items this actor may see. */
  duplicateCheckFor?: Actor;
  /**
   * Runs in the transaction once the item is written, just before its events are appended (which
   * takes the ledger's one-row counter until commit): the place for reading back what to answer.
   */
  beforeEvents?: (created: CreatedItem) => Promise<void>;
};

export type CreatedItem = { id: string; number: string; status: 'draft' | 'registered' };

/**
 * 立项: creates an item (draft or registered) with the next number of its assigning unit and year,
 * 督〔YYYY〕NNNN号. The counter row is locked and incremented in the caller's transaction, so
 * concurrent creations queue on it and a rollback hands the number back: no duplicates, no gaps.
 *
 * Round trips are few and the serial locks are taken late: one read of everything referenced, the
 * duplicate check, the text index, then one statement that takes the unit's number and writes the
 * item (with its light dates) and its item_units rows, then the events, last.
 */
export async function createItem(tx: Tx, input: CreateItemInput, opts: NewItemOptions): Promise<CreatedItem> {
  const refs = await readReferences(tx, input, opts.assigningUnitId);
  if (!refs.category_found)
    throw validationError([
      { field: 'body.categoryCode', message: 'unknown category', messageZh: '分类不存在' },
    ]);
  if (input.supervisingUnitId && !refs.supervising_found)
    throw validationError([
      { field: 'body.supervisingUnitId', message: 'unknown unit', messageZh: '监督单位不存在' },
    ]);
  if (input.isPublic && input.sensitivity !== 'public') {
    throw validationError([
      {
        field: 'body.isPublic',
        message: 'only items of sensitivity public may be shown publicly',
        messageZh: '只有公开事项可以在门户公示',
      },
    ]);
  }
  const keys = new Set<string>();
  for (const [i, t] of input.targets.entries()) {
    if (keys.has(t.key))
      throw validationError([
        { field: `body.targets.${i}.key`, message: 'duplicate indicator key', messageZh: '指标重复' },
      ]);
    keys.add(t.key);
  }
  const unit = refs.unit_id === null ? undefined : { ...refs, id: refs.unit_id };
  if (!unit || unit.region_code === null || unit.region_name === null || unit.region_level === null)
    throw new DomainError('UNIT_NOT_FOUND', { zh: '交办单位不存在', en: 'Assigning unit not found' });
  const cal = await cachedCalendar(tx, unit.region_code, stampText(refs));
  const deadline = initialDeadline(input, opts.now, cal);
  const duplicateOverride =
    opts.duplicateCheckFor && !input.draft
      ? await checkDuplicateRegistration(
          tx,
          opts.duplicateCheckFor,
          { title: input.title, content: input.content, regionCode: unit.region_code, now: opts.now },
          input.duplicateOverride,
        )
      : undefined;

  const id = opts.id ?? crypto.randomUUID();
  const status: 'draft' | 'registered' = input.draft ? 'draft' : 'registered';
  // The text index has no reference to the item: written before the number is taken.
  await recordText(tx, {
    kind: 'item',
    id,
    regionCode: unit.region_code,
    title: input.title,
    content: input.content,
    at: opts.now,
  });
  // What refreshLights would store for the new row: dates from its deadline and milestones (not
  // dispatched, no progress, no assignments yet), and no chase day (registered and draft items are
  // not chased).
  const dates = datesFor(cal, ruleOf(refs.light_rule), null, {
    deadline,
    progress: 0,
    milestones: input.milestones,
  });
  // item_units as syncItemUnits would write them: the assigning and the supervising unit.
  const involved = new Map<string, string>();
  if (unit.region_path !== null) involved.set(unit.id, unit.region_path);
  if (input.supervisingUnitId && refs.supervising_path !== null)
    involved.set(input.supervisingUnitId, refs.supervising_path);

  const year = shanghaiYear(opts.now);
  const prefix = regionAbbreviation(unit.region_name, unit.region_level);
  // One statement: the unit's next number (the counter row stays locked to commit), the item, its units.
  let q = tx.with('n', (db) =>
    db
      .insertInto('item_number_counters')
      .values({ unit_id: unit.id, year, last_value: 1 })
      .onConflict((oc) =>
        oc.columns(['unit_id', 'year']).doUpdateSet({ last_value: sql`item_number_counters.last_value + 1` }),
      )
      .returning('last_value'),
  );
  if (involved.size > 0) {
    const rows = [...involved].map(([unitId, path]) => ({ item_id: id, unit_id: unitId, region_path: path }));
    q = q.with('u', (db) =>
      db.insertInto('item_units').values(rows).returning('item_id'),
    ) as unknown as typeof q;
  }
  const inserted = await q
    .insertInto('items')
    .values({
      id,
      number: sql<string>`(select ${numberSql(prefix, year, sql.ref('n.last_value'))} from n)`,
      assigning_unit_id: unit.id,
      number_year: year,
      number_seq: (eb) => eb.selectFrom('n').select('n.last_value'),
      title: input.title,
      content: input.content,
      source: input.source,
      category_code: input.categoryCode,
      urgency: input.urgency,
      sensitivity: input.sensitivity,
      status,
      supervising_unit_id: input.supervisingUnitId ?? null,
      region_code: unit.region_code,
      responsible_persons: JSON.stringify(input.responsiblePersons),
      deadline,
      deadline_rule: input.deadlineRule ? JSON.stringify(input.deadlineRule) : null,
      milestones: JSON.stringify(input.milestones),
      targets: JSON.stringify(input.targets satisfies Target[]),
      parent_id: opts.parentId ?? null,
      weight: opts.weight ?? 1,
      rectifies_item_id: opts.rectifiesItemId ?? null,
      is_public: input.isPublic,
      report_schedule: input.reportSchedule ? JSON.stringify(input.reportSchedule) : null,
      progress: 0,
      is_demo: opts.isDemo ?? false,
      created_by: opts.actorId,
      created_at: opts.now,
      updated_at: opts.now,
      version: 1,
      ...lightColumns(dates),
      chase_next_on: null,
    })
    .returning(['number'])
    .executeTakeFirstOrThrow();
  const number = inserted.number;

  const created: ItemEvent = {
    type: 'item.created',
    itemId: id,
    status,
    number,
    title: input.title,
    source: input.source,
    categoryCode: input.categoryCode,
    urgency: input.urgency,
    sensitivity: input.sensitivity,
    assigningUnitId: unit.id,
    deadline,
    ...(input.deadlineRule ? { deadlineRule: input.deadlineRule } : {}),
    parentId: opts.parentId ?? null,
    rectifiesItemId: opts.rectifiesItemId ?? null,
    ...(duplicateOverride ? { duplicateOverride } : {}),
  };
  const result: CreatedItem = { id, number, status };
  if (opts.beforeEvents) await opts.beforeEvents(result);
  const events: ItemEvent[] =
    status === 'registered' ? [created, { type: 'item.registered', itemId: id }] : [created];
  await appendEvents(tx, events, { actorId: opts.actorId, at: opts.now });
  return result;
}

/**
 * Everything creation reads before writing, in one round trip: the category (and its light rule),
 * the supervising unit, the assigning unit with its region, and the calendar's stamp.
 */
async function readReferences(
  tx: Tx,
  input: Pick<CreateItemInput, 'categoryCode' | 'supervisingUnitId'>,
  assigningUnitId: string,
) {
  const supervising = input.supervisingUnitId ?? null;
  const { rows } = await sql<
    CalendarStampRow & {
      category_found: boolean;
      light_rule: unknown;
      supervising_found: boolean;
      supervising_path: string | null;
      unit_id: string | null;
      region_code: string | null;
      region_name: string | null;
      region_level: number | null;
      region_path: string | null;
    }
  >`
    select
      exists (select 1 from categories c where c.code = ${input.categoryCode}) as category_found,
      (select c.light_rule from categories c where c.code = ${input.categoryCode}) as light_rule,
      ${supervising === null ? sql`false` : sql`exists (select 1 from units su where su.id = ${supervising})`}
        as supervising_found,
      ${
        supervising === null
          ? sql`null::text`
          : sql`(select sr.path from units su join regions sr on sr.code = su.region_code where su.id = ${supervising})`
      } as supervising_path,
      a.id as unit_id, a.region_code, a.region_name, a.region_level, a.region_path,
      s.n, s.m, s.s
    from (${calendarStampSelect}) s
    left join (
      select u.id, u.region_code, r.name as region_name, r.level as region_level, r.path as region_path
      from units u join regions r on r.code = u.region_code
      where u.id = ${assigningUnitId}
    ) a on true`.execute(tx);
  const row = rows[0];
  if (!row) throw new Error('creation: the reference read returned no row');
  return row;
}

/** formatItemNumber in SQL, for the statement that takes the number. */
function numberSql(prefix: string, year: number, seq: ReturnType<typeof sql.ref>) {
  return sql<string>`${`${prefix}督〔${year}〕`}::text || lpad(${seq}::text, greatest(4, length(${seq}::text)), '0') || '号'`;
}

/**
 * The deadline stored at registration: the fixed date, or the date the 期限规则 would give if the
 * item were dispatched today (the dispatch, or the lead's acceptance, fixes it for real).
 */
function initialDeadline(
  input: Pick<CreateItemInput, 'deadline' | 'deadlineRule' | 'urgency' | 'milestones'>,
  now: Date,
  cal: Calendar,
): string {
  const today = shanghaiDate(now);
  const rule = input.deadlineRule;
  const fail = (field: string, message: string, messageZh: string) =>
    validationError([{ field, message, messageZh }]);
  if (rule && input.deadline !== undefined)
    throw fail(
      'body.deadline',
      'give a deadline or a deadline rule, not both',
      '固定期限与期限规则只能选其一',
    );
  if (!rule && input.deadline === undefined)
    throw fail('body.deadline', 'a deadline or a deadline rule is required', '请填写办理期限或期限规则');
  if (rule?.kind === 'hours' && input.urgency !== 'critical')
    throw fail('body.deadlineRule', 'hour limits are for 特急 items only', '按小时计的期限仅适用于特急事项');
  let deadline: string;
  if (rule === undefined) deadline = input.deadline as string;
  else if (rule.kind === 'hours') deadline = shanghaiDate(new Date(now.getTime() + rule.hours * 3_600_000));
  else deadline = addWorkingDays(cal, today, rule.days);
  if (deadline < today) throw fail('body.deadline', 'the deadline is in the past', '办理期限不能早于今天');
  const late = input.milestones.findIndex((m) => m.date > deadline);
  if (late >= 0)
    throw fail(
      `body.milestones.${late}.date`,
      'a milestone cannot be later than the deadline',
      '阶段性节点不能晚于办理期限',
    );
  return deadline;
}

/** 督〔2026〕0001号, prefixed with the region's abbreviation (浙督〔2026〕0001号, 西湖督〔2026〕0001号). */
export function formatItemNumber(prefix: string, year: number, seq: number): string {
  return `${prefix}督〔${year}〕${String(seq).padStart(4, '0')}号`;
}

/** 浙江省 → 浙, 杭州市 → 杭, 西湖区 → 西湖, 淳安县 → 淳安: the usual prefix of document numbers. */
export function regionAbbreviation(name: string, level: number): string {
  if (level <= 2) return name.slice(0, 1);
  const stem = name.replace(/(自治县|自治旗|新区|区|县|市|旗)$/, '');
  return stem.length > 0 ? stem.slice(0, 2) : name.slice(0, 1);
}

async function checkReferences(tx: Tx, input: Pick<CreateItemInput, 'categoryCode' | 'supervisingUnitId'>) {
  const category = await tx
    .selectFrom('categories')
    .select('code')
    .where('code', '=', input.categoryCode)
    .executeTakeFirst();
  if (!category)
    throw validationError([
      { field: 'body.categoryCode', message: 'unknown category', messageZh: '分类不存在' },
    ]);
  if (input.supervisingUnitId) {
    const unit = await tx
      .selectFrom('units')
      .select('id')
      .where('id', '=', input.supervisingUnitId)
      .executeTakeFirst();
    if (!unit)
      throw validationError([
        { field: 'body.supervisingUnitId', message: 'unknown unit', messageZh: '监督单位不存在' },
      ]);
  }
}

export { checkReferences, initialDeadline };
