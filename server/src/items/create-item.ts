import crypto from 'node:crypto';
import type { CreateItemInput } from '@duban/schema';
import { sql } from 'kysely';
import { addWorkingDays, type Calendar } from '../calendar/calendar.ts';
import { cachedCalendar } from '../calendar/store.ts';
import type { Tx } from '../db/client.ts';
import { appendEvents } from '../events/append.ts';
import type { ItemEvent } from '../events/types.ts';
import { recordText } from '../intake/similarity/index.ts';
import { checkDuplicateRegistration } from '../intake/similarity/registration.ts';
import type { Actor } from '../shared/actor.ts';
import { DomainError, validationError } from '../shared/errors.ts';
import { shanghaiDate, shanghaiYear } from '../shared/time.ts';
import { syncItemUnits } from './involvement.ts';
import { refreshLights } from './lights.ts';
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
};

/**
 * 立项: creates an item (draft or registered) with the next number of its assigning unit and year,
 * 督〔YYYY〕NNNN号. The counter row is locked and incremented in the caller's transaction, so
 * concurrent creations queue on it and a rollback hands the number back: no duplicates, no gaps.
 */
export async function createItem(tx: Tx, input: CreateItemInput, opts: NewItemOptions) {
  await checkReferences(tx, input);
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

  const unit = await tx
    .selectFrom('units as u')
    .innerJoin('regions as r', 'r.code', 'u.region_code')
    .select(['u.id', 'u.region_code', 'r.name as region_name', 'r.level as region_level'])
    .where('u.id', '=', opts.assigningUnitId)
    .executeTakeFirst();
  if (!unit)
    throw new DomainError('UNIT_NOT_FOUND', { zh: '交办单位不存在', en: 'Assigning unit not found' });
  const deadline = initialDeadline(input, opts.now, await cachedCalendar(tx, unit.region_code));
  const duplicateOverride =
    opts.duplicateCheckFor && !input.draft
      ? await checkDuplicateRegistration(
          tx,
          opts.duplicateCheckFor,
          { title: input.title, content: input.content, regionCode: unit.region_code, now: opts.now },
          input.duplicateOverride,
        )
      : undefined;

  const year = shanghaiYear(opts.now);
  const counter = await sql<{ last_value: number }>`
    insert into item_number_counters (unit_id, year, last_value) values (${unit.id}, ${year}, 1)
    on conflict (unit_id, year) do update set last_value = item_number_counters.last_value + 1
    returning last_value`.execute(tx);
  const seq = Number(counter.rows[0]?.last_value);
  const number = formatItemNumber(regionAbbreviation(unit.region_name, unit.region_level), year, seq);

  const id = opts.id ?? crypto.randomUUID();
  const status: 'draft' | 'registered' = input.draft ? 'draft' : 'registered';
  await tx
    .insertInto('items')
    .values({
      id,
      number,
      assigning_unit_id: unit.id,
      number_year: year,
      number_seq: seq,
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
    })
    .execute();
  await refreshLights(tx, id);
  await recordText(tx, {
    kind: 'item',
    id,
    regionCode: unit.region_code,
    title: input.title,
    content: input.content,
    at: opts.now,
  });

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
  await syncItemUnits(tx, id);
  const events: ItemEvent[] =
    status === 'registered' ? [created, { type: 'item.registered', itemId: id }] : [created];
  await appendEvents(tx, events, { actorId: opts.actorId, at: opts.now });
  return { id, number, status };
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
