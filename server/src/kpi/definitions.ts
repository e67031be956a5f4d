import crypto from 'node:crypto';
import { sql } from 'kysely';
import { z } from 'zod';
import type { Queryable } from '../db/client.ts';

/**
 * 绩效指标 (KPI) definitions as data. A KPI is numerator / denominator, each a small predicate over
 * the columns of kpi_item_facts (one row per item, facts.ts):
 *
 *   { count: true, where: { due: true }, exclude: ['extended', 'exempted'] }   count of items
 *   { sum: 'working_days', where: { completed: true } }                          sum of a measure
 *   { unitMonths: true }                                                         units × months (报送负担)
 *
 * `where` is a conjunction of flag = value; `exclude` drops items with any of those flags set
 * (经批准延期, 容错免责). compilePart() turns a part into one SQL condition and one value expression;
 * the roll-ups, the figure and the drill-down all use that compilation, so they cannot disagree.
 */

/** Boolean columns of kpi_item_facts a predicate may test. */
export const FLAG_COLUMNS = [
  'due',
  'completed',
  'completed_on_time',
  'overdue',
  'paused',
  'extended',
  'exempted',
  'returned',
  'escalated',
  'rated',
  'reviewed',
] as const;
export type FlagColumn = (typeof FLAG_COLUMNS)[number];

/** Numeric columns a predicate may sum. */
export const MEASURE_COLUMNS = [
  'working_days',
  'returned_count',
  'deductions',
  'reports_count',
  'ratings_count',
  'satisfied_count',
  'reviews_count',
  'rebound_count',
] as const;
export type MeasureColumn = (typeof MEASURE_COLUMNS)[number];

const Where = z.partialRecord(z.enum(FLAG_COLUMNS), z.boolean());
const Exclude = z.array(z.enum(FLAG_COLUMNS));

export const KpiPart = z.union([
  z.object({ count: z.literal(true), where: Where.optional(), exclude: Exclude.optional() }).strict(),
  z.object({ sum: z.enum(MEASURE_COLUMNS), where: Where.optional(), exclude: Exclude.optional() }).strict(),
  z.object({ unitMonths: z.literal(true) }).strict(),
]);
export type KpiPart = z.infer<typeof KpiPart>;

export const KPI_UNITS = ['%', '工作日', '件', '次/月'] as const;

export const KpiDefinition = z.object({
  code: z.string().regex(/^[a-z][a-z0-9_]{0,40}$/),
  nameZh: z.string().min(1),
  nameEn: z.string().min(1),
  unit: z.enum(KPI_UNITS),
  direction: z.enum(['higher_better', 'lower_better']),
  numerator: KpiPart,
  denominator: KpiPart,
  /** The KPI has no data source yet: it reports null with this reason, never zero. */
  noData: z.object({ zh: z.string(), en: z.string() }).nullable(),
  description: z.string(),
});
export type KpiDefinition = z.infer<typeof KpiDefinition>;

const ALL_BUT_EXEMPT = ['exempted'] as const satisfies FlagColumn[];

/** The built-in KPIs (F9), seeded into kpi_definitions. */
export const BUILTIN_KPIS: readonly KpiDefinition[] = [
  {
    code: 'completion_rate',
    nameZh: '办结率',
    nameEn: 'Completion rate',
    unit: '%',
    direction: 'higher_better',
    numerator: { count: true, where: { due: true, completed: true }, exclude: [...ALL_BUT_EXEMPT] },
    denominator: { count: true, where: { due: true }, exclude: [...ALL_BUT_EXEMPT] },
    noData: null,
    description: '办结数 / 应办结数（容错免责事项不计）',
  },
  {
    code: 'on_time_rate',
    nameZh: '按期办结率',
    nameEn: 'On-time completion rate',
    unit: '%',
    direction: 'higher_better',
    numerator: {
      count: true,
      where: { due: true, completed_on_time: true },
      exclude: ['extended', 'exempted'],
    },
    denominator: { count: true, where: { due: true }, exclude: ['extended', 'exempted'] },
    noData: null,
    description: '按期办结数 / (应办结数 − 经批准延期数 − 容错免责数)',
  },
  {
    code: 'avg_working_days',
    nameZh: '平均办结工作日',
    nameEn: 'Average working days to complete',
    unit: '工作日',
    direction: 'lower_better',
    numerator: { sum: 'working_days', where: { completed: true }, exclude: [...ALL_BUT_EXEMPT] },
    denominator: { count: true, where: { completed: true }, exclude: [...ALL_BUT_EXEMPT] },
    noData: null,
    description: '办结事项自交办至办结的工作日之和 / 办结数',
  },
  {
    code: 'overdue_rate',
    nameZh: '超期率',
    nameEn: 'Overdue rate',
    unit: '%',
    direction: 'lower_better',
    numerator: { count: true, where: { due: true, overdue: true }, exclude: [...ALL_BUT_EXEMPT] },
    denominator: { count: true, where: { due: true }, exclude: [...ALL_BUT_EXEMPT] },
    noData: null,
    description: '超期数（逾期办结与逾期未办结）/ 应办结数（容错免责事项不计）',
  },
  {
    code: 'return_rate',
    nameZh: '退回率',
    nameEn: 'Return rate',
    unit: '%',
    direction: 'lower_better',
    numerator: { count: true, where: { returned: true } },
    denominator: { count: true },
    noData: null,
    description: '曾被承办单位退回的事项数 / 交办事项数',
  },
  {
    code: 'accountability_rate',
    nameZh: '问责率',
    nameEn: 'Accountability rate',
    unit: '%',
    direction: 'lower_better',
    numerator: { count: true, where: { due: true, escalated: true }, exclude: [...ALL_BUT_EXEMPT] },
    denominator: { count: true, where: { due: true }, exclude: [...ALL_BUT_EXEMPT] },
    noData: null,
    description: '升级至约谈/通报、绩效扣分或组织处理的事项数 / 应办结数（容错免责事项不计）',
  },
  {
    code: 'satisfaction',
    nameZh: '满意度',
    nameEn: 'Satisfaction',
    unit: '%',
    direction: 'higher_better',
    numerator: { sum: 'satisfied_count', where: { rated: true }, exclude: [...ALL_BUT_EXEMPT] },
    denominator: { sum: 'ratings_count', where: { rated: true }, exclude: [...ALL_BUT_EXEMPT] },
    noData: null,
    description: '(满意 + 基本满意) 评价数 / 评价数（群众满意度评价；容错免责事项不计）',
  },
  {
    code: 'rebound_rate',
    nameZh: '反弹率',
    nameEn: 'Rebound rate',
    unit: '%',
    direction: 'lower_better',
    numerator: { sum: 'rebound_count', where: { reviewed: true }, exclude: [...ALL_BUT_EXEMPT] },
    denominator: { sum: 'reviews_count', where: { reviewed: true }, exclude: [...ALL_BUT_EXEMPT] },
    noData: null,
    description: '回头看结论为反弹的次数 / 已完成（已作结论）的回头看次数（容错免责事项不计）',
  },
  {
    code: 'report_burden',
    nameZh: '基层报送负担',
    nameEn: 'Reporting burden',
    unit: '次/月',
    direction: 'lower_better',
    numerator: { sum: 'reports_count' },
    denominator: { unitMonths: true },
    noData: null,
    description:
      '进展报送次数 / (单位数 × 月数)；一次报送多方共享，重复索要不计。单位维度单位数为 1，地区维度为辖区内单位数',
  },
];

/** A part compiled to SQL over the facts alias `f`: the rows it counts and what each contributes. */
export type CompiledPart =
  | { kind: 'items'; condition: string; value: string; isSum: boolean }
  | { kind: 'unitMonths' };

/**
 * The one compiler. Column names come from the closed lists above (never from input), so the
 * text is safe to splice; values are SQL literals true/false.
 */
export function compilePart(part: KpiPart): CompiledPart {
  if ('unitMonths' in part) return { kind: 'unitMonths' };
  const conditions: string[] = [];
  for (const col of FLAG_COLUMNS) {
    const want = part.where?.[col];
    if (want !== undefined) conditions.push(want ? `f.${col}` : `not f.${col}`);
  }
  for (const col of part.exclude ?? []) conditions.push(`not f.${col}`);
  const condition = conditions.length === 0 ? 'true' : conditions.join(' and ');
  if ('sum' in part) return { kind: 'items', condition, value: `coalesce(f.${part.sum}, 0)`, isSum: true };
  return { kind: 'items', condition, value: '1', isSum: false };
}

export type StoredDefinition = KpiDefinition & { sortOrder: number };

/** Puts the built-in KPIs into kpi_definitions; an existing row (perhaps edited) is left alone. */
export async function seedDefinitions(db: Queryable): Promise<void> {
  await db
    .insertInto('kpi_definitions')
    .values(
      BUILTIN_KPIS.map((d, i) => ({
        code: d.code,
        name_zh: d.nameZh,
        name_en: d.nameEn,
        unit: d.unit,
        direction: d.direction,
        numerator: JSON.stringify(d.numerator),
        denominator: JSON.stringify(d.denominator),
        no_data: d.noData === null ? null : JSON.stringify(d.noData),
        description: d.description,
        sort_order: i + 1,
      })),
    )
    .onConflict((oc) => oc.column('code').doNothing())
    .execute();
}

/** The KPI definitions in display order, each checked against the predicate schema. */
export async function loadDefinitions(db: Queryable): Promise<StoredDefinition[]> {
  const rows = await db
    .selectFrom('kpi_definitions')
    .selectAll()
    .orderBy('sort_order')
    .orderBy('code')
    .execute();
  if (rows.length === 0) {
    await seedDefinitions(db);
    return loadDefinitions(db);
  }
  return parseDefinitions(rows);
}

/** kpi_definitions' columns as read (numerator, denominator and no_data parsed JSON). */
export type DefinitionRow = {
  code: string;
  name_zh: string;
  name_en: string;
  unit: string;
  direction: string;
  numerator: unknown;
  denominator: unknown;
  no_data: unknown;
  description: string;
  sort_order: number;
};

/** Rows of kpi_definitions (in display order) checked against the predicate schema. */
export function parseDefinitions(rows: readonly DefinitionRow[]): StoredDefinition[] {
  return rows.map((r) => ({
    ...KpiDefinition.parse({
      code: r.code,
      nameZh: r.name_zh,
      nameEn: r.name_en,
      unit: r.unit,
      direction: r.direction,
      numerator: r.numerator,
      denominator: r.denominator,
      noData: r.no_data,
      description: r.description,
    }),
    sortOrder: r.sort_order,
  }));
}

/** KPIs that roll up (those with a data source). */
export function computable(defs: readonly KpiDefinition[]): KpiDefinition[] {
  return defs.filter((d) => d.noData === null);
}

/** A fingerprint of the formulas: roll-ups built with other formulas must be rebuilt. */
export function definitionsHash(defs: readonly KpiDefinition[]): string {
  const text = JSON.stringify(computable(defs).map((d) => [d.code, d.numerator, d.denominator]));
  return crypto.createHash('sha256').update(text).digest('hex').slice(0, 16);
}

/** `sql.raw` for compiled text (kept in one place so the splicing is easy to audit). */
export const compiled = (text: string) => sql.raw(text);
