import type { Sensitivity, Source, Urgency } from '@duban/schema';
import { type CategoryDef, type IndicatorDef, STANDARD_CATEGORIES } from '../items/categories.ts';
import {
  AREAS,
  CANCEL_REASONS,
  COMMENTS,
  COMPLETION_SUMMARIES,
  COMPLETION_TAILS,
  DEPARTMENTS,
  EXTENSION_REASONS,
  GIVEN_NAMES,
  INDICATOR_RANGES,
  INSTRUCTIONS,
  type IndicatorRange,
  MEASURES,
  NEXT_STEPS,
  OTHER_DEPARTMENTS,
  PROGRESS_OPENERS,
  PROGRESS_PROBLEMS,
  PROGRESS_WORK,
  REJECTION_REASONS,
  REQUIREMENTS,
  RETURN_REASONS,
  SOURCE_OPENERS,
  SOURCE_WEIGHTS,
  SURNAMES,
  SUSPEND_REASONS,
  TARGET_LEADS,
  TASK_LEADS,
  TITLE_TEMPLATES,
  UNIT_HEAD_ROLES,
} from './corpus-data.ts';
import type { Rng } from './random.ts';

/**
 * Deterministic generator of realistic Chinese supervision-item text for demo data (演示数据).
 * Pure: no database, no I/O; the same Rng state gives the same output.
 */

export const DEMO_MARK = '（演示数据）';
export const MAX_TITLE_LENGTH = 60;

export type DemoTarget = { key: string; name: string; unit: string; target: number };

export type DemoItemDraft = {
  title: string;
  content: string;
  source: Source;
  categoryCode: string;
  urgency: Urgency;
  sensitivity: Sensitivity;
  isPublic: boolean;
  targets: DemoTarget[];
  responsiblePersons: { name: string; title: string }[];
};

export type DemoProgressReport = {
  narrative: string;
  problems: string;
  nextSteps: string;
  indicatorValues: { key: string; value: number }[];
};

type Ctx = { rng: Rng; regionName: string; place: string; scope: string };

// ---------------------------------------------------------------------------------------------
// Helpers
// ---------------------------------------------------------------------------------------------

/** 全市 / 全区 / 全县 … from the region name's administrative suffix. */
function scopeOf(regionName: string): string {
  const suffixes: readonly [string, string][] = [
    ['自治州', '全州'],
    ['街道', '全街道'],
    ['省', '全省'],
    ['市', '全市'],
    ['区', '全区'],
    ['县', '全县'],
    ['旗', '全旗'],
    ['盟', '全盟'],
    ['州', '全州'],
    ['镇', '全镇'],
    ['乡', '全乡'],
  ];
  for (const [suffix, scope] of suffixes) if (regionName.endsWith(suffix)) return scope;
  return '全域';
}

/** The level word used in titles of leaders: 副市长, 副区长 … */
function leaderTitleOf(regionName: string): string {
  if (regionName.endsWith('省')) return '副省长';
  if (regionName.endsWith('自治区')) return '自治区副主席';
  if (regionName.endsWith('市')) return '副市长';
  if (regionName.endsWith('区')) return '副区长';
  if (regionName.endsWith('县')) return '副县长';
  if (regionName.endsWith('旗')) return '副旗长';
  if (regionName.endsWith('州')) return '副州长';
  if (regionName.endsWith('镇')) return '副镇长';
  if (regionName.endsWith('乡')) return '副乡长';
  if (regionName.endsWith('街道')) return '街道办事处副主任';
  return '分管副职';
}

/** The one-character prefix of a department of this region: 市住建局, 区民政局 … */
function levelPrefixOf(regionName: string): string {
  for (const s of ['省', '市', '区', '县', '旗', '州']) if (regionName.endsWith(s)) return s;
  return '';
}

function placeToken(ctx: { rng: Rng; regionName: string }): string {
  const area = ctx.rng.pick(AREAS);
  const roll = ctx.rng.next();
  if (ctx.regionName && roll < 0.12) return ctx.regionName;
  if (ctx.regionName && roll < 0.3) return `${ctx.regionName}${area}`;
  return area;
}

/** Expands [a|b] alternatives and {p} {r} {s} {n} tokens. */
function expand(pattern: string, ctx: Ctx): string {
  const withChoices = pattern.replace(/\[([^\]]*)\]/g, (_m, alts: string) => ctx.rng.pick(alts.split('|')));
  return withChoices.replace(/\{([prsn])\}/g, (_m, token: string) => {
    switch (token) {
      case 'p':
        return ctx.place;
      case 'r':
        return ctx.regionName || '本地';
      case 's':
        return ctx.regionName && ctx.rng.chance(0.3) ? ctx.regionName : ctx.scope;
      default:
        return String(ctx.rng.int(2, 36));
    }
  });
}

function fill(text: string, vars: Record<string, string | number>): string {
  return text.replace(/\{(\w+)\}/g, (m, k: string) => (k in vars ? String(vars[k]) : m));
}

function decimalsOf(step: number): number {
  const s = String(step);
  const dot = s.indexOf('.');
  return dot < 0 ? 0 : s.length - dot - 1;
}

function roundTo(value: number, decimals: number): number {
  const f = 10 ** decimals;
  return Math.round(value * f) / f;
}

const DEFAULT_RANGE: IndicatorRange = { min: 10, max: 100, step: 1, style: 'count' };

function rangeOf(key: string, unit: string): IndicatorRange {
  return (
    INDICATOR_RANGES[key] ?? (unit === '%' ? { min: 85, max: 100, step: 1, style: 'reach' } : DEFAULT_RANGE)
  );
}

function targetValue(rng: Rng, range: IndicatorRange): number {
  const steps = Math.floor((range.max - range.min) / range.step);
  // Skew towards the lower half: most items are modest, a few are large programmes.
  const u = rng.next();
  const k = Math.floor(u * u * (steps + 1));
  return roundTo(range.min + Math.min(k, steps) * range.step, decimalsOf(range.step));
}

/** “改造老旧小区50个” / “群众满意率达到95%”. */
export function describeTarget(t: { key: string; name: string; unit: string; target: number }): string {
  const style = rangeOf(t.key, t.unit).style;
  return style === 'reach' ? `${t.name}达到${t.target}${t.unit}` : `${t.name}${t.target}${t.unit}`;
}

function personName(rng: Rng): string {
  return `${rng.pick(SURNAMES)}${rng.pick(GIVEN_NAMES)}`;
}

function categoryOrThrow(code: string): CategoryDef {
  const c = STANDARD_CATEGORIES.find((x) => x.code === code);
  if (!c) throw new Error(`unknown category code: ${code}`);
  return c;
}

function sourceFor(rng: Rng, categoryCode: string): Source {
  const weights = SOURCE_WEIGHTS[categoryCode] ?? { work_report: 1 };
  const entries = Object.entries(weights) as [Source, number][];
  return rng.weighted(entries);
}

function urgencyFor(rng: Rng, categoryCode: string, source: Source): Urgency {
  const hot = categoryCode === 'work-safety' || source === 'leader_instruction';
  return rng.weighted<Urgency>([
    ['normal', hot ? 60 : 78],
    ['urgent', hot ? 30 : 18],
    ['critical', hot ? 10 : 4],
  ]);
}

function sensitivityFor(rng: Rng, categoryCode: string): Sensitivity {
  const inward = categoryCode === 'work-safety' || categoryCode === 'major-decision';
  return rng.weighted<Sensitivity>([
    ['public', inward ? 45 : 68],
    ['internal', inward ? 42 : 26],
    ['sensitive', inward ? 13 : 6],
  ]);
}

// ---------------------------------------------------------------------------------------------
// Items
// ---------------------------------------------------------------------------------------------

export function demoItemDraft(rng: Rng, opts: { regionName: string; categoryCode?: string }): DemoItemDraft {
  const regionName = opts.regionName.trim();
  const category = opts.categoryCode ? categoryOrThrow(opts.categoryCode) : rng.pick(STANDARD_CATEGORIES);
  const templates = TITLE_TEMPLATES[category.code] ?? [];
  const ctx: Ctx = {
    rng,
    regionName,
    place: placeToken({ rng, regionName }),
    scope: scopeOf(regionName),
  };

  // Title
  let title: string;
  let keys: string[];
  if (templates.length > 0) {
    const [pattern, keyList] = rng.pick(templates);
    title = expand(pattern, ctx);
    if (title.length > MAX_TITLE_LENGTH) {
      // A long region prefix: retry with the bare area.
      title = expand(pattern, { ...ctx, place: rng.pick(AREAS), regionName: '' });
    }
    keys = keyList.split(' ').filter((k) => category.indicators.some((i) => i.key === k));
  } else {
    title = `推进${ctx.place}${category.name}重点工作`;
    keys = [];
  }
  if (title.length > MAX_TITLE_LENGTH) title = title.slice(0, MAX_TITLE_LENGTH);
  if (keys.length === 0 && category.indicators.length > 0) {
    keys = rng.sample(category.indicators, 2).map((i) => i.key);
  }

  // Targets
  const targets: DemoTarget[] = keys.flatMap((key) => {
    const def: IndicatorDef | undefined = category.indicators.find((i) => i.key === key);
    if (!def) return [];
    return [
      { key: def.key, name: def.name, unit: def.unit, target: targetValue(rng, rangeOf(def.key, def.unit)) },
    ];
  });

  // Classification
  const source = sourceFor(rng, category.code);
  const urgency = urgencyFor(rng, category.code, source);
  const sensitivity = sensitivityFor(rng, category.code);
  const isPublic = sensitivity === 'public' && rng.chance(0.85);

  // Content: opener + task, targets, measure, (requirement), demo mark.
  const sentences: string[] = [];
  const opener = expand(rng.pick(SOURCE_OPENERS[source]), ctx);
  sentences.push(`${opener}${fill(rng.pick(TASK_LEADS), { t: title })}`);
  if (targets.length > 0) {
    sentences.push(`${rng.pick(TARGET_LEADS)}${targets.map(describeTarget).join('，')}。`);
  }
  const measures = MEASURES[category.code] ?? [];
  if (measures.length > 0) sentences.push(rng.pick(measures));
  if (sentences.length < 4 && rng.chance(0.6)) sentences.push(rng.pick(REQUIREMENTS));
  if (sentences.length < 2) sentences.push(rng.pick(REQUIREMENTS));
  const content = `${sentences.join('')}${DEMO_MARK}`;

  // Responsible persons: the leader in charge, usually plus the head of the lead department.
  const responsiblePersons = [{ name: personName(rng), title: leaderTitleOf(regionName) }];
  if (rng.chance(0.8)) {
    const dept = rng.pick(DEPARTMENTS[category.code] ?? ['政府办公室']);
    responsiblePersons.push({
      name: personName(rng),
      title: `${levelPrefixOf(regionName)}${dept}${rng.pick(UNIT_HEAD_ROLES)}`,
    });
  }
  if (responsiblePersons.length === 2 && responsiblePersons[0]?.name === responsiblePersons[1]?.name) {
    responsiblePersons.pop();
  }

  return {
    title,
    content,
    source,
    categoryCode: category.code,
    urgency,
    sensitivity,
    isPublic,
    targets,
    responsiblePersons,
  };
}

// ---------------------------------------------------------------------------------------------
// Progress and remarks
// ---------------------------------------------------------------------------------------------

/**
 * Cumulative indicators (counts, amounts) report roughly percent/100 × target. Rate indicators
 * (“群众满意率达到95%”) are a level, not a sum: they report a plausible current level that climbs
 * from about 80% of the target towards it (a satisfaction rate of 40% at half-way would read as
 * a failure, not as progress). Values never exceed the target; at 100% they equal it.
 */
function progressValue(rng: Rng, t: DemoTarget, percent: number): number {
  const range = rangeOf(t.key, t.unit);
  const decimals = decimalsOf(range.step);
  if (percent <= 0) return 0;
  if (percent >= 100) return t.target;
  const share = range.style === 'reach' ? 0.8 + (0.2 * percent) / 100 : percent / 100;
  const jitter = range.style === 'reach' ? rng.float(0.98, 1.01) : rng.float(0.92, 1.06);
  const raw = Math.min(t.target, t.target * share * jitter);
  return Math.max(0, roundTo(raw, decimals));
}

export function demoProgressReport(
  rng: Rng,
  opts: { percent: number; title: string; targets: DemoItemDraft['targets'] },
): DemoProgressReport {
  const percent = Math.max(0, Math.min(100, Math.round(opts.percent)));
  const indicatorValues = opts.targets.map((t) => ({ key: t.key, value: progressValue(rng, t, percent) }));

  const parts: string[] = [fill(rng.pick(PROGRESS_OPENERS), { t: opts.title, pct: percent })];
  if (opts.targets.length > 0 && percent > 0) {
    const done = opts.targets
      .map((t, i) => `${t.name}${indicatorValues[i]?.value ?? 0}${t.unit}（目标${t.target}${t.unit}）`)
      .join('，');
    parts.push(`主要指标完成情况：${done}。`);
  }
  for (const w of rng.sample(PROGRESS_WORK, rng.int(1, 2))) {
    parts.push(fill(w, { n: rng.int(2, 12), pct2: Math.min(100, Math.max(10, percent + rng.int(-10, 20))) }));
  }

  const problems =
    percent >= 100 && rng.chance(0.6)
      ? '无。'
      : rng
          .sample(PROGRESS_PROBLEMS, rng.int(1, 2))
          .map((p, i) => `${i + 1}. ${p}`)
          .join('\n');
  const nextSteps =
    percent >= 100
      ? '做好办结验收和佐证材料整理，建立长效管理机制，巩固工作成效。'
      : rng
          .sample(NEXT_STEPS, rng.int(1, 3))
          .map((s, i) => `${i + 1}. ${s}`)
          .join('\n');

  return { narrative: parts.join(''), problems, nextSteps, indicatorValues };
}

export function demoReturnReason(rng: Rng): string {
  return fill(rng.pick(RETURN_REASONS), { d: rng.pick(OTHER_DEPARTMENTS) });
}

export function demoExtensionReason(rng: Rng): string {
  return fill(rng.pick(EXTENSION_REASONS), { n: rng.pick([5, 10, 15, 20, 30]) });
}

export function demoRejectionReason(rng: Rng): string {
  return rng.pick(REJECTION_REASONS);
}

export function demoInstruction(rng: Rng): string {
  return rng.pick(INSTRUCTIONS);
}

export function demoComment(rng: Rng): string {
  return rng.pick(COMMENTS);
}

export function demoSuspendReason(rng: Rng): string {
  return rng.pick(SUSPEND_REASONS);
}

export function demoCancelReason(rng: Rng): string {
  return rng.pick(CANCEL_REASONS);
}

export function demoCompletionSummary(rng: Rng, title: string): string {
  return `${fill(rng.pick(COMPLETION_SUMMARIES), { t: title })}${rng.pick(COMPLETION_TAILS)}`;
}
