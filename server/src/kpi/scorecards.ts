import { sql } from 'kysely';
import type { Queryable, Tx } from '../db/client.ts';
import { appendEvents } from '../events/append.ts';
import { KNOWN_UNIT_KINDS, type UnitKind } from '../org/units.ts';
import { type Actor, hasRole } from '../shared/actor.ts';
import { DomainError, notFound, validationError } from '../shared/errors.ts';
import { shanghaiDate } from '../shared/time.ts';
import { compilePart, type KpiDefinition, loadDefinitions } from './definitions.ts';
import { regionInScope, unitsInRegionQuery } from './queries.ts';

/**
 * 考核记分卡 (scorecards): per unit kind, a template of weighted KPI components in two groups —
 * 政策实效 (results) and 过程 (process) — and points deducted per 督办单 of the 绩效扣分 and
 * 组织处理建议 steps. A unit's card over a period:
 *
 * - each component is its KPI over the unit's led items in the period (kpi_item_facts, the same
 *   compiled predicate as the KPI figures) with 容错免责 items left out of every part;
 *   score = the value (%) when higher is better, 100 − value when lower is better;
 * - components without data (denominator 0) are not scored: the others' weights are scaled up to
 *   sum to 1 (effectiveWeight); points = effectiveWeight × score; base = Σ points (0–100);
 * - deductions: every escalation notice of a deduction step issued in the period (Beijing date) on
 *   an item the unit leads, not exempted, costs the template's points for that step;
 * - total = base − deductions (null when no component has data); units ranked by total.
 */

export const COMPONENT_GROUPS = ['results', 'process'] as const;
export type ComponentGroup = (typeof COMPONENT_GROUPS)[number];
export const GROUP_NAMES_ZH: Record<ComponentGroup, string> = { results: '政策实效', process: '过程' };

export const DEDUCTION_STEPS = ['deduction', 'organizational'] as const;
export type DeductionStep = (typeof DEDUCTION_STEPS)[number];
const STEP_NAMES_ZH: Record<DeductionStep, string> = {
  deduction: '绩效扣分',
  organizational: '组织处理建议',
};

export type ScorecardComponent = { kpi: string; group: ComponentGroup; weight: number };
export type ScorecardTemplateInput = {
  components: ScorecardComponent[];
  deductions: Record<DeductionStep, number>;
};
export type ScorecardTemplate = ScorecardTemplateInput & {
  unitKind: UnitKind;
  /** Σ weights of the 政策实效 components. */
  resultsWeight: number;
  isDefault: boolean;
  updatedAt: string | null;
};

/** Built-in template (every unit kind): 政策实效 70 %, 过程 30 %; 2 and 5 points per notice. */
export const DEFAULT_TEMPLATE: ScorecardTemplateInput = {
  components: [
    { kpi: 'on_time_rate', group: 'results', weight: 0.3 },
    { kpi: 'completion_rate', group: 'results', weight: 0.1 },
    { kpi: 'satisfaction', group: 'results', weight: 0.2 },
    { kpi: 'rebound_rate', group: 'results', weight: 0.1 },
    { kpi: 'return_rate', group: 'process', weight: 0.15 },
    { kpi: 'accountability_rate', group: 'process', weight: 0.15 },
  ],
  deductions: { deduction: 2, organizational: 5 },
};

/** An edited template must keep 政策实效 at this share or more. */
export const MIN_RESULTS_WEIGHT = 0.5;
const EPS = 1e-9;

const round2 = (v: number) => Math.round(v * 100) / 100;
const sumWeights = (cs: readonly ScorecardComponent[], group: ComponentGroup) =>
  Math.round(cs.filter((c) => c.group === group).reduce((s, c) => s + c.weight, 0) * 10000) / 10000;

export const unitKindNotFound = () => notFound('NOT_FOUND', { zh: '单位类型', en: 'unit kind' });

export function parseUnitKind(kind: string): UnitKind {
  const k = KNOWN_UNIT_KINDS.find((x) => x === kind);
  if (!k) throw unitKindNotFound();
  return k;
}

/** Checks a template against the KPI definitions; a failure names the field (400). */
export function validateTemplate(input: ScorecardTemplateInput, defs: readonly KpiDefinition[]): void {
  const seen = new Set<string>();
  input.components.forEach((c, i) => {
    const def = defs.find((d) => d.code === c.kpi);
    const field = `body.components.${i}.kpi`;
    if (!def)
      throw validationError([
        { field, message: `unknown KPI ${c.kpi}`, messageZh: `未知的绩效指标「${c.kpi}」` },
      ]);
    if (def.unit !== '%')
      throw validationError([
        {
          field,
          message: 'a component must be a rate (%)',
          messageZh: `「${def.nameZh}」不是百分比指标，不能计分`,
        },
      ]);
    if (seen.has(c.kpi))
      throw validationError([{ field, message: 'KPI listed twice', messageZh: `「${def.nameZh}」重复` }]);
    seen.add(c.kpi);
  });
  const total = input.components.reduce((s, c) => s + c.weight, 0);
  if (Math.abs(total - 1) > 1e-6)
    throw validationError([
      {
        field: 'body.components',
        message: `weights must sum to 1 (they sum to ${round2(total * 100) / 100})`,
        messageZh: `各项权重之和须为 1（当前为 ${round2(total * 100) / 100}）`,
      },
    ]);
  const results = input.components.filter((c) => c.group === 'results').reduce((s, c) => s + c.weight, 0);
  if (results < MIN_RESULTS_WEIGHT - 1e-6)
    throw validationError([
      {
        field: 'body.components',
        message: `the results (政策实效) components must weigh at least ${MIN_RESULTS_WEIGHT} (they weigh ${round2(results * 100) / 100})`,
        messageZh: `政策实效类指标权重合计不得低于 ${MIN_RESULTS_WEIGHT}（当前为 ${round2(results * 100) / 100}）`,
      },
    ]);
}

type TemplateRow = { components: unknown; deductions: unknown; updated_at: Date | string };

export async function getTemplate(db: Queryable, unitKind: UnitKind): Promise<ScorecardTemplate> {
  const r = await sql<TemplateRow>`
    select components, deductions, updated_at from scorecard_templates where unit_kind = ${unitKind}`.execute(
    db,
  );
  const row = r.rows[0];
  const t: ScorecardTemplateInput = row
    ? {
        components: row.components as ScorecardComponent[],
        deductions: row.deductions as Record<DeductionStep, number>,
      }
    : DEFAULT_TEMPLATE;
  return {
    unitKind,
    components: t.components,
    deductions: t.deductions,
    resultsWeight: sumWeights(t.components, 'results'),
    isDefault: !row,
    updatedAt: row ? new Date(row.updated_at).toISOString() : null,
  };
}

/** Replaces a unit kind's template (province-level admin; checked by the route) with its event. */
export async function setTemplate(
  tx: Tx,
  unitKind: UnitKind,
  input: ScorecardTemplateInput,
  meta: { actorId: string; at: Date },
): Promise<ScorecardTemplate> {
  validateTemplate(input, await loadDefinitions(tx));
  const previous = await getTemplate(tx, unitKind);
  await sql`
    insert into scorecard_templates (unit_kind, components, deductions, updated_by, updated_at)
    values (${unitKind}, ${JSON.stringify(input.components)}, ${JSON.stringify(input.deductions)},
      ${meta.actorId}, ${meta.at.toISOString()})
    on conflict (unit_kind) do update set components = excluded.components, deductions = excluded.deductions,
      updated_by = excluded.updated_by, updated_at = excluded.updated_at`.execute(tx);
  await appendEvents(
    tx,
    [
      {
        type: 'scorecard.template_changed',
        unitKind,
        components: input.components,
        deductions: input.deductions,
        previous: previous.isDefault
          ? null
          : { components: previous.components, deductions: previous.deductions },
      },
    ],
    meta,
  );
  return getTemplate(tx, unitKind);
}

/** Only an admin of a province-level region edits templates (they apply across the instance). */
export function assertMayEditTemplates(actor: Actor): void {
  if (!hasRole(actor, 'admin') || actor.regionPath.includes('.'))
    throw new DomainError('FORBIDDEN', {
      zh: '只有省级管理员可以修改考核记分卡模板',
      en: 'Only an admin of a province-level region may change scorecard templates',
    });
}

/** 'YYYY-MM' or 'YYYY-Qn' → its months; the current quarter when absent. */
export function periodMonths(
  period: string | undefined,
  now: Date,
): { period: string; from: string; to: string } {
  const p =
    period ??
    `${shanghaiDate(now).slice(0, 4)}-Q${Math.floor((Number(shanghaiDate(now).slice(5, 7)) - 1) / 3) + 1}`;
  const q = /^(\d{4})-Q([1-4])$/.exec(p);
  if (q) {
    const first = (Number(q[2]) - 1) * 3 + 1;
    const m = (n: number) => `${q[1]}-${String(n).padStart(2, '0')}`;
    return { period: p, from: m(first), to: m(first + 2) };
  }
  return { period: p, from: p, to: p };
}

export type ScorecardRow = {
  rank: number | null;
  unitId: string;
  unitName: string;
  regionCode: string;
  components: {
    kpi: string;
    nameZh: string;
    nameEn: string;
    group: ComponentGroup;
    direction: KpiDefinition['direction'];
    weight: number;
    /** The weight after components without data were left out (they then sum to 1). */
    effectiveWeight: number | null;
    numerator: number;
    denominator: number;
    value: number | null;
    score: number | null;
    points: number | null;
    /** The drill-down of each part: exactly the items counted (容错免责 left out). */
    items: { numerator: string; denominator: string };
  }[];
  /** Σ points of the scored components (0–100); null when no component has data. */
  base: number | null;
  deductions: {
    points: number;
    notices: {
      noticeId: string;
      itemId: string;
      itemNumber: string;
      itemTitle: string;
      step: DeductionStep;
      stepNameZh: string;
      issuedOn: string;
      points: number;
      link: string;
    }[];
  };
  total: number | null;
};

export type Scorecard = {
  unitKind: UnitKind;
  regionCode: string;
  period: string;
  from: string;
  to: string;
  template: ScorecardTemplate;
  units: ScorecardRow[];
};

function partSql(def: KpiDefinition, part: 'numerator' | 'denominator'): string {
  const c = compilePart(def[part]);
  if (c.kind === 'unitMonths') return '0';
  return c.isSum
    ? `coalesce(sum(${c.value}) filter (where ${c.condition}), 0)::float8`
    : `(count(*) filter (where ${c.condition}))::float8`;
}

/** The scorecards of the units of a kind in a region (and beneath it) over a period. */
export async function scorecards(
  db: Queryable,
  actor: Actor,
  q: { unitKind: UnitKind; regionCode: string; period: string | undefined },
  now: Date,
): Promise<Scorecard> {
  const region = await regionInScope(db, actor, q.regionCode);
  const { period, from, to } = periodMonths(q.period, now);
  const template = await getTemplate(db, q.unitKind);
  const defs = await loadDefinitions(db);
  const parts = template.components.map((c) => {
    const def = defs.find((d) => d.code === c.kpi);
    return { c, def: def && def.noData === null ? def : undefined };
  });
  const units = await unitsInRegionQuery(db, region.path)
    .where('units.kind', '=', q.unitKind)
    .select(['units.id', 'units.name', 'units.region_code'])
    .orderBy('units.name')
    .execute();
  const ids = units.map((u) => u.id);
  const cols = parts.flatMap(({ def }, i) =>
    def ? [`${partSql(def, 'numerator')} as n${i}`, `${partSql(def, 'denominator')} as d${i}`] : [],
  );
  const figures = new Map<string, Record<string, number>>();
  if (ids.length > 0 && cols.length > 0) {
    const r = await sql<Record<string, number> & { unit_id: string }>`
      select f.lead_unit_id as unit_id, ${sql.raw(cols.join(', '))}
      from kpi_item_facts f
      where f.lead_unit_id = any(${sql.val(ids)}::uuid[]) and f.period_month >= ${from}
        and f.period_month <= ${to} and not f.exempted
      group by f.lead_unit_id`.execute(db);
    for (const row of r.rows) figures.set(row.unit_id, row);
  }
  const notices =
    ids.length === 0
      ? []
      : (
          await sql<{
            unit_id: string;
            id: string;
            item_id: string;
            number: string;
            title: string;
            step_kind: DeductionStep;
            issued_on: string;
          }>`
      select f.lead_unit_id as unit_id, n.id, n.item_id, i.number, i.title, n.step_kind,
        to_char(n.created_at at time zone 'Asia/Shanghai', 'YYYY-MM-DD') as issued_on
      from supervision_notices n
      join kpi_item_facts f on f.item_id = n.item_id
      join items i on i.id = n.item_id
      where n.kind = 'escalation' and n.step_kind in ('deduction', 'organizational')
        and f.lead_unit_id = any(${sql.val(ids)}::uuid[]) and not f.exempted
        and to_char(n.created_at at time zone 'Asia/Shanghai', 'YYYY-MM') between ${from} and ${to}
      order by n.created_at, i.number, n.id`.execute(db)
        ).rows;
  const drill = (code: string, unitId: string, part: 'numerator' | 'denominator') =>
    `/api/v1/kpis/${code}/items?dimension=unit&key=${unitId}&from=${from}&to=${to}&part=${part}&excludeExempted=true`;

  const rows: ScorecardRow[] = units.map((u) => {
    const f = figures.get(u.id);
    const comps = parts.map(({ c, def }, i) => {
      const n = Number(f?.[`n${i}`] ?? 0);
      const d = Number(f?.[`d${i}`] ?? 0);
      const value = def && d > 0 ? (n / d) * 100 : null;
      const score = value === null || !def ? null : def.direction === 'higher_better' ? value : 100 - value;
      return {
        kpi: c.kpi,
        nameZh: def?.nameZh ?? c.kpi,
        nameEn: def?.nameEn ?? c.kpi,
        group: c.group,
        direction: def?.direction ?? 'higher_better',
        weight: c.weight,
        numerator: n,
        denominator: d,
        value,
        score,
        items: { numerator: drill(c.kpi, u.id, 'numerator'), denominator: drill(c.kpi, u.id, 'denominator') },
      };
    });
    const scoredWeight = comps.reduce((s, c) => s + (c.score === null ? 0 : c.weight), 0);
    let base: number | null = null;
    const out = comps.map((c) => {
      if (c.score === null || scoredWeight < EPS)
        return {
          ...c,
          value: c.value === null ? null : round2(c.value),
          score: null,
          effectiveWeight: null,
          points: null,
        };
      const effectiveWeight = c.weight / scoredWeight;
      const points = effectiveWeight * c.score;
      base = (base ?? 0) + points;
      return {
        ...c,
        value: round2(c.value ?? 0),
        score: round2(c.score),
        effectiveWeight: Math.round(effectiveWeight * 10000) / 10000,
        points: round2(points),
      };
    });
    const own = notices
      .filter((x) => x.unit_id === u.id)
      .map((x) => ({
        noticeId: x.id,
        itemId: x.item_id,
        itemNumber: x.number,
        itemTitle: x.title,
        step: x.step_kind,
        stepNameZh: STEP_NAMES_ZH[x.step_kind],
        issuedOn: x.issued_on,
        points: template.deductions[x.step_kind] ?? 0,
        link: `/api/v1/items/${x.item_id}`,
      }));
    const deducted = own.reduce((s, x) => s + x.points, 0);
    const b = base as number | null;
    return {
      rank: null,
      unitId: u.id,
      unitName: u.name,
      regionCode: u.region_code,
      components: out,
      base: b === null ? null : round2(b),
      deductions: { points: round2(deducted), notices: own },
      total: b === null ? null : round2(b - deducted),
    };
  });
  rows.sort((a, b) => {
    if (a.total === null || b.total === null) return a.total === null ? (b.total === null ? 0 : 1) : -1;
    return b.total - a.total;
  });
  let rank = 0;
  rows.forEach((r, i) => {
    if (r.total === null) return;
    const prev = rows[i - 1];
    rank = prev && prev.total === r.total ? rank : i + 1;
    r.rank = rank;
  });
  return { unitKind: q.unitKind, regionCode: region.code, period, from, to, template, units: rows };
}
