import { describe, expect, it } from 'vitest';
import { buildCalendar } from '../../src/calendar/calendar.ts';
import { createRng } from '../../src/demo/random.ts';
import { FEATURES, featuresAt, type ItemHistory, unitRecord } from '../../src/risk/features.ts';
import { auc, brier, levelOf } from '../../src/risk/model.ts';
import { backtestSnapshots, fitAndEvaluate } from '../../src/risk/service.ts';

const DAY = 86_400_000;
const cal = buildCalendar([]);
const noon = (date: string) => new Date(`${date}T12:00:00+08:00`);
const iso = (d: Date) => new Date(d.getTime() + 8 * 3_600_000).toISOString().slice(0, 10);

function history(o: {
  id: string;
  unit: string;
  start: string;
  deadline: string;
  completed?: string;
  reports?: [string, number][];
  category?: string;
}): ItemHistory {
  const reports = (o.reports ?? []).map(([d, p]) => ({ at: noon(d), percent: p }));
  return {
    id: o.id,
    status: o.completed ? 'completed' : 'in_progress',
    categoryCode: o.category ?? 'livelihood',
    leadUnitId: o.unit,
    collaborators: 0,
    recurring: false,
    start: noon(o.start),
    deadlines: [{ at: noon(o.start), deadline: o.deadline }],
    finalDeadline: o.deadline,
    progress: reports,
    reports: reports.map((r) => r.at),
    extensions: [],
    returns: [],
    completedAt: o.completed ? noon(o.completed) : null,
  };
}

/**
 * A synthetic history where lateness is obvious: half the units are chronically late (80 % of
 * their items late, against 15 % elsewhere) and late items report half the progress.
 */
function synthetic(seed: number, informative: boolean): ItemHistory[] {
  const rng = createRng(seed);
  const out: ItemHistory[] = [];
  for (let i = 0; i < 240; i++) {
    const unit = `u${i % 12}`;
    const lateUnit = i % 12 < 6;
    const start = new Date(Date.UTC(2024, 0, 1) + i * 1.5 * DAY);
    const deadline = new Date(start.getTime() + rng.int(60, 100) * DAY);
    const late = rng.chance(lateUnit ? 0.8 : 0.15);
    const pace = informative ? (late ? rng.float(0.3, 0.6) : rng.float(0.9, 1.1)) : rng.float(0.3, 1.1);
    const reports: [string, number][] = [];
    for (let t = start.getTime() + 15 * DAY; t < deadline.getTime(); t += 15 * DAY) {
      const share = (t - start.getTime()) / (deadline.getTime() - start.getTime());
      reports.push([iso(new Date(t)), Math.min(95, Math.round(share * 100 * pace))]);
    }
    const completed = new Date(deadline.getTime() + (late ? rng.int(5, 30) : -rng.int(1, 10)) * DAY);
    out.push(
      history({
        id: `item-${String(i).padStart(3, '0')}`,
        unit: informative ? unit : `u${rng.int(0, 11)}`,
        start: iso(start),
        deadline: iso(deadline),
        completed: iso(completed),
        reports,
      }),
    );
  }
  return out;
}

describe('AUC and Brier', () => {
  it('computes the Mann–Whitney AUC with ties counted half', () => {
    expect(auc([0.1, 0.4, 0.35, 0.8], [0, 0, 1, 1])).toBeCloseTo(0.75, 10);
    expect(auc([0.9, 0.8, 0.1], [1, 1, 0])).toBe(1);
    expect(auc([0.1, 0.2], [1, 0])).toBe(0);
    expect(auc([0.5, 0.5, 0.5, 0.5], [1, 0, 1, 0])).toBe(0.5);
    expect(auc([0.5, 0.6], [1, 1])).toBeNaN();
    expect(brier([1, 0, 0.5], [1, 0, 1])).toBeCloseTo(0.25 / 3, 10);
  });

  it('levels: 低 < 0.3 ≤ 中 < 0.6 ≤ 高', () => {
    expect([0, 0.299, 0.3, 0.599, 0.6, 1].map(levelOf)).toEqual([
      'low',
      'low',
      'medium',
      'medium',
      'high',
      'high',
    ]);
  });
});

describe('training on a synthetic history', () => {
  const now = noon('2025-12-31');

  it('separates late from on-time items on the later (test) items: AUC > 0.8', () => {
    const snaps = backtestSnapshots(synthetic(7, true), now, cal);
    const { metrics, model } = fitAndEvaluate(snaps, 'test');
    expect(metrics.kind).toBe('fitted');
    expect(metrics.test.snapshots).toBeGreaterThan(100);
    expect(metrics.auc).toBeGreaterThan(0.8);
    expect(metrics.rolling.auc).toBeGreaterThan(0.8);
    expect(metrics.brier).toBeLessThan(0.2);
    // Low progress and a poor unit record raise the risk.
    expect(model.weights[FEATURES.indexOf('velocity')]).toBeLessThan(0);
    expect(model.weights[FEATURES.indexOf('unit_on_time_rate')]).toBeLessThan(0);
  });

  it('finds nothing where there is nothing to find (labels independent of the features)', () => {
    const snaps = backtestSnapshots(synthetic(7, false), now, cal);
    const { metrics } = fitAndEvaluate(snaps, 'test');
    expect(metrics.auc).not.toBeNull();
    expect(metrics.auc as number).toBeLessThan(0.7);
  });

  it('falls back to the fixed prior model when the history is too thin to fit', () => {
    const snaps = backtestSnapshots(synthetic(7, true).slice(0, 5), now, cal);
    expect(fitAndEvaluate(snaps, 'test').metrics.kind).toBe('prior');
  });
});

describe('features at a snapshot', () => {
  const item = history({
    id: 'a',
    unit: 'U',
    start: '2025-03-03',
    deadline: '2025-06-30',
    reports: [
      ['2025-03-20', 10],
      ['2025-04-20', 30],
      ['2025-05-20', 60],
    ],
  });
  const t = noon('2025-05-01');
  const at = (histories: ItemHistory[]) => featuresAt(item, t, unitRecord([item, ...histories]), cal);
  const feature = (x: number[], name: string) => x[FEATURES.indexOf(name)];

  it('see only the item and its unit as known at t (no leakage from later history)', () => {
    const base = at([]);
    expect(feature(base, 'progress')).toBe(0.3);
    expect(feature(base, 'unit_on_time_rate')).toBe(0.5);
    // The unit's items completed (late) after t change nothing at t …
    const later = [
      history({ id: 'b', unit: 'U', start: '2025-01-02', deadline: '2025-04-30', completed: '2025-05-09' }),
      history({ id: 'c', unit: 'U', start: '2025-05-05', deadline: '2025-06-01', completed: '2025-06-20' }),
    ];
    expect(at(later)).toEqual(base);
    // … nor does the item's own report after t (2025-05-20) or its later completion.
    expect(featuresAt({ ...item, completedAt: noon('2025-07-30') }, t, unitRecord([item]), cal)).toEqual(
      base,
    );
    // An item the unit completed late before t does.
    const earlier = history({
      id: 'd',
      unit: 'U',
      start: '2025-01-02',
      deadline: '2025-03-31',
      completed: '2025-04-10',
    });
    expect(feature(at([earlier]), 'unit_on_time_rate')).toBeCloseTo(1 / 3, 10);
    // Another unit's history is not the item's unit's.
    expect(at([{ ...earlier, leadUnitId: 'V' }])).toEqual(base);
  });

  it('elapsed share counts working days; velocity is progress per elapsed share', () => {
    const x = at([]);
    // 2025-03-03 (Mon) → 2025-05-01: 43 weekdays of 85 to 2025-06-30 (Mon).
    expect(feature(x, 'elapsed_share')).toBeCloseTo(43 / 85, 10);
    expect(feature(x, 'velocity')).toBeCloseTo(0.3 / (43 / 85), 10);
    expect(feature(x, 'days_since_report')).toBeCloseTo(11 / 30, 10);
  });
});
