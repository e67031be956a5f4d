import { type ItemStatus, LIGHT_NAMES_ZH, type Light, STATUS_NAMES_ZH } from '@duban/schema';
import { type ExpressionBuilder, sql } from 'kysely';
import { lightFor, lightSql } from '../clock/light.ts';
import type { Queryable } from '../db/client.ts';
import type { Database } from '../db/schema.ts';
import { DomainError } from '../shared/errors.ts';

/**
 * The public portal's read side (公众门户): strictly public data, no login. An item is public when
 * it is marked 公开 (`is_public`), its sensitivity is not 敏感, and it has left the draft stage.
 * Everything else — a non-public, sensitive or draft item — does not exist here: it is absent from
 * lists and open data, and its id answers 404 exactly like an unknown one. No people's names, no
 * internal comments or reasons, no attachments leave this module.
 */

/** Statuses an item may be shown in (a draft is not yet a commitment). */
export const PUBLIC_STATUSES: readonly ItemStatus[] = [
  'registered',
  'dispatched',
  'returned',
  'in_progress',
  'completion_requested',
  'completed',
  'evaluated',
  'archived',
  'suspended',
  'cancelled',
];

type ItemsEb = ExpressionBuilder<Database & { i: Database['items'] }, 'i'>;

/** The one definition of "public" (alias i): every query of this module goes through it. */
export function isPublicItem(eb: ItemsEb) {
  return eb.and([
    eb('i.is_public', '=', true),
    eb('i.sensitivity', '<>', 'sensitive'),
    eb('i.status', 'in', PUBLIC_STATUSES),
  ]);
}

const SUMMARY_CHARS = 120;

/** The first sentence(s) of the content, at most SUMMARY_CHARS characters. */
export function summarize(content: string): string {
  const flat = content.replace(/\s+/g, ' ').trim();
  const chars = Array.from(flat);
  return chars.length <= SUMMARY_CHARS ? flat : `${chars.slice(0, SUMMARY_CHARS).join('')}…`;
}

export type PublicListParams = {
  q?: string | undefined;
  regionCode?: string | undefined;
  categoryCode?: string | undefined;
  status?: ItemStatus | undefined;
  light?: Light | undefined;
  page: number;
  pageSize: number;
};

function escapeLike(s: string): string {
  return s.replace(/[\\%_]/g, (c) => `\\${c}`);
}

function baseQuery(db: Queryable) {
  return db
    .selectFrom('items as i')
    .innerJoin('categories as c', 'c.code', 'i.category_code')
    .innerJoin('regions as r', 'r.code', 'i.region_code')
    .where(isPublicItem)
    .select([
      'i.id',
      'i.number',
      'i.title',
      'i.content',
      'i.status',
      'i.category_code',
      'i.region_code',
      'i.deadline',
      'i.progress',
      'i.is_demo',
      'i.updated_at',
      'i.light_yellow_on',
      'i.light_red_on',
      'i.light_overdue_on',
      'i.light_lag_on',
      'i.clock_paused_on',
      'i.due_at',
      'c.name as category_name',
      'r.name as region_name',
    ])
    .select(
      sql<string | null>`(select lu.name from assignments la join units lu on lu.id = la.unit_id
      where la.item_id = i.id and la.role = 'lead' and la.status <> 'returned')`.as('lead_unit_name'),
    );
}

type Row = Awaited<ReturnType<ReturnType<typeof baseQuery>['execute']>>[number];

function present(r: Row, now: Date) {
  const status = r.status as ItemStatus;
  const light = lightFor({ ...r, status }, now, [r.clock_paused_on]);
  return {
    id: r.id,
    number: r.number,
    title: r.title,
    summary: summarize(r.content),
    categoryCode: r.category_code,
    categoryName: r.category_name,
    regionCode: r.region_code,
    regionName: r.region_name,
    leadUnitName: r.lead_unit_name,
    deadline: r.deadline,
    light,
    lightName: light ? LIGHT_NAMES_ZH[light] : null,
    status,
    statusName: STATUS_NAMES_ZH[status],
    percent: r.progress,
    isDemo: r.is_demo,
    updatedAt: r.updated_at.toISOString(),
  };
}

export type PublicItem = ReturnType<typeof present>;

async function regionPath(db: Queryable, code: string): Promise<string> {
  const region = await db.selectFrom('regions').select('path').where('code', '=', code).executeTakeFirst();
  if (!region)
    throw new DomainError(
      'VALIDATION_FAILED',
      { zh: '行政区划不存在', en: 'Unknown region' },
      { field: 'querystring.regionCode' },
    );
  return region.path;
}

/** 公开事项列表: search, filters, page-numbered (a citizen's list is small enough for offsets). */
export async function listPublicItems(db: Queryable, p: PublicListParams, now: Date) {
  let q = baseQuery(db);
  if (p.q) {
    const like = `%${escapeLike(p.q)}%`;
    q = q.where(sql<boolean>`(i.title ilike ${like} or i.number ilike ${like} or i.content ilike ${like})`);
  }
  if (p.regionCode) {
    const path = await regionPath(db, p.regionCode);
    q = q.where(sql<boolean>`(r.path = ${path} or r.path like ${`${path}.%`})`);
  }
  if (p.categoryCode) q = q.where('i.category_code', '=', p.categoryCode);
  if (p.status) q = q.where('i.status', '=', p.status);
  if (p.light) q = q.where(sql<boolean>`${lightSql(now)} = ${sql.lit(p.light)}`);
  const counted = await db
    .selectFrom(q.as('x'))
    .select((eb) => eb.fn.countAll<string | number>().as('n'))
    .executeTakeFirstOrThrow();
  const rows = await q
    .orderBy('i.updated_at', 'desc')
    .orderBy('i.id', 'asc')
    .limit(p.pageSize)
    .offset((p.page - 1) * p.pageSize)
    .execute();
  return {
    items: rows.map((r) => present(r, now)),
    total: Number(counted.n),
    page: p.page,
    pageSize: p.pageSize,
  };
}

/** Every public item, for the open-data download (number order). */
export async function allPublicItems(db: Queryable, now: Date): Promise<PublicItem[]> {
  const rows = await baseQuery(db).orderBy('i.number').orderBy('i.id').execute();
  return rows.map((r) => present(r, now));
}

export type TimelineEntry = {
  at: string;
  kind: 'dispatched' | 'accepted' | 'progress' | 'extension' | 'completed' | 'evaluated';
  /** 中文 / English text of the step, built from public facts only. */
  textZh: string;
  text: string;
  unitName: string | null;
  percent: number | null;
  narrative: string | null;
};

const TIMELINE_TYPES = [
  'item.dispatched',
  'item.accepted',
  'item.progress_reported',
  'item.extension_approved',
  'item.completion_approved',
  'item.evaluated',
] as const;

/**
 * One public item and its public timeline: 交办, 签收, 进展 (percent and narrative), 延期获批,
 * 办结, 评价. No actor, no comment or reason, no attachment, no indicator detail. A non-public or
 * unknown id: 404, the same answer.
 */
export async function getPublicItem(db: Queryable, id: string, now: Date) {
  const row = await baseQuery(db).where('i.id', '=', id).executeTakeFirst();
  if (!row) throw new DomainError('NOT_FOUND', { zh: '事项不存在或未公开', en: 'Item not found' });
  const events = await db
    .selectFrom('events')
    .select(['type', 'occurred_at', 'payload'])
    .where('item_id', '=', id)
    .where('type', 'in', TIMELINE_TYPES)
    .orderBy('seq')
    .execute();
  const unitIds = new Set<string>();
  const reportIds: string[] = [];
  for (const e of events) {
    const p = e.payload as {
      unitId?: string;
      reportId?: string;
      assignments?: { unitId: string; role: string }[];
    };
    if (p.unitId) unitIds.add(p.unitId);
    for (const a of p.assignments ?? []) if (a.role === 'lead') unitIds.add(a.unitId);
    if (p.reportId) reportIds.push(p.reportId);
  }
  const units =
    unitIds.size === 0
      ? []
      : await db
          .selectFrom('units')
          .select(['id', 'name'])
          .where('id', 'in', [...unitIds])
          .execute();
  const unitName = (uid: string | undefined) => units.find((u) => u.id === uid)?.name ?? null;
  const reports =
    reportIds.length === 0
      ? []
      : await db
          .selectFrom('progress_reports')
          .select(['id', 'percent', 'narrative'])
          .where('item_id', '=', id)
          .where('id', 'in', reportIds)
          .execute();
  const timeline: TimelineEntry[] = [];
  for (const e of events) {
    const at = e.occurred_at.toISOString();
    const p = e.payload as Record<string, unknown>;
    const base = { at, unitName: null, percent: null, narrative: null };
    switch (e.type) {
      case 'item.dispatched': {
        const lead = (p.assignments as { unitId: string; role: string }[] | undefined)?.find(
          (a) => a.role === 'lead',
        );
        const name = unitName(lead?.unitId);
        timeline.push({
          ...base,
          kind: 'dispatched',
          unitName: name,
          textZh: name ? `交办至${name}牵头办理` : '已交办',
          text: name ? `Assigned to ${name} (lead)` : 'Assigned',
        });
        break;
      }
      case 'item.accepted': {
        const name = unitName(p.unitId as string);
        timeline.push({
          ...base,
          kind: 'accepted',
          unitName: name,
          textZh: `${name ?? '承办单位'}已签收`,
          text: `Accepted by ${name ?? 'the unit'}`,
        });
        break;
      }
      case 'item.progress_reported': {
        const report = reports.find((r) => r.id === p.reportId);
        const name = unitName(p.unitId as string);
        const percent = report?.percent ?? (typeof p.percent === 'number' ? p.percent : null);
        timeline.push({
          ...base,
          kind: 'progress',
          unitName: name,
          percent,
          narrative: report?.narrative ?? null,
          textZh: `${name ?? '承办单位'}报送进展${percent === null ? '' : `：完成 ${percent}%`}`,
          text: `Progress reported by ${name ?? 'the unit'}${percent === null ? '' : `: ${percent}% done`}`,
        });
        break;
      }
      case 'item.extension_approved': {
        const name = unitName(p.unitId as string);
        timeline.push({
          ...base,
          kind: 'extension',
          unitName: name,
          textZh: `延期获批：期限由 ${String(p.oldDeadline)} 调整为 ${String(p.newDeadline)}`,
          text: `Extension granted: deadline moved from ${String(p.oldDeadline)} to ${String(p.newDeadline)}`,
        });
        break;
      }
      case 'item.completion_approved':
        timeline.push({ ...base, kind: 'completed', textZh: '审核通过，已办结', text: 'Completed' });
        break;
      case 'item.evaluated': {
        const score = typeof p.score === 'number' ? p.score : null;
        timeline.push({
          ...base,
          kind: 'evaluated',
          textZh: score === null ? '已评价' : `已评价，综合得分 ${score}`,
          text: score === null ? 'Evaluated' : `Evaluated, score ${score}`,
        });
        break;
      }
    }
  }
  const item = present(row, now);
  return { item: { ...item, content: row.content }, timeline };
}

/** The filter lists: every category; the regions that hold public items, with their ancestors. */
export async function listPublicCategories(db: Queryable) {
  const rows = await db
    .selectFrom('categories')
    .select(['code', 'name'])
    .orderBy('sort_order')
    .orderBy('code')
    .execute();
  return { categories: rows };
}

export async function listPublicRegions(db: Queryable) {
  // The regions of the public items, then every region on their paths (path = the codes from the root).
  const paths = await db
    .selectFrom('items as i')
    .innerJoin('regions as r', 'r.code', 'i.region_code')
    .where(isPublicItem)
    .select('r.path')
    .distinct()
    .execute();
  const codes = new Set(paths.flatMap((p) => p.path.split('.')));
  if (codes.size === 0) return { regions: [] };
  const rows = await db
    .selectFrom('regions')
    .select(['code', 'name', 'level', 'parent_code', 'path'])
    .where('code', 'in', [...codes])
    .orderBy('path')
    .execute();
  return {
    regions: rows.map((r) => ({ code: r.code, name: r.name, level: r.level, parentCode: r.parent_code })),
  };
}
