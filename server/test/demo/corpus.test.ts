import { SENSITIVITIES, SOURCES, URGENCIES } from '@duban/schema';
import { describe, expect, it } from 'vitest';
import {
  DEMO_MARK,
  type DemoItemDraft,
  demoCancelReason,
  demoComment,
  demoCompletionSummary,
  demoExtensionReason,
  demoInstruction,
  demoItemDraft,
  demoProgressReport,
  demoRejectionReason,
  demoReturnReason,
  demoSuspendReason,
} from '../../src/demo/corpus.ts';
import { TITLE_TEMPLATES } from '../../src/demo/corpus-data.ts';
import { createRng } from '../../src/demo/random.ts';
import { findCategory, STANDARD_CATEGORIES } from '../../src/items/categories.ts';

const REGIONS = ['杭州市', '西湖区', '淳安县', '浙江省', '青石镇'];

function drafts(seed: number | string, n: number, categoryCode?: string): DemoItemDraft[] {
  const rng = createRng(seed);
  return Array.from({ length: n }, (_, i) =>
    demoItemDraft(rng, { regionName: REGIONS[i % REGIONS.length] ?? '杭州市', categoryCode }),
  );
}

describe('random', () => {
  it('is deterministic and in range', () => {
    const a = createRng(7);
    const b = createRng(7);
    const xs = Array.from({ length: 200 }, () => a.next());
    expect(Array.from({ length: 200 }, () => b.next())).toEqual(xs);
    expect(xs.every((x) => x >= 0 && x < 1)).toBe(true);
    expect(createRng('demo').next()).toBe(createRng('demo').next());
    expect(createRng(1).next()).not.toBe(createRng(2).next());

    const r = createRng(3);
    const ints = Array.from({ length: 1000 }, () => r.int(1, 6));
    expect(Math.min(...ints)).toBe(1);
    expect(Math.max(...ints)).toBe(6);
    expect(r.shuffle([1, 2, 3, 4, 5]).sort()).toEqual([1, 2, 3, 4, 5]);
    expect(new Set(r.sample([1, 2, 3, 4, 5], 3)).size).toBe(3);
    expect(Array.from({ length: 100 }, () => r.chance(0)).some(Boolean)).toBe(false);
    expect(Array.from({ length: 100 }, () => r.chance(1)).every(Boolean)).toBe(true);
    expect(() => r.pick([])).toThrow();
  });
});

describe('demo item drafts', () => {
  it('has enough title templates per category', () => {
    for (const c of STANDARD_CATEGORIES) {
      expect(TITLE_TEMPLATES[c.code]?.length ?? 0).toBeGreaterThanOrEqual(25);
      for (const [, keys] of TITLE_TEMPLATES[c.code] ?? []) {
        for (const k of keys.split(' ')) expect(c.indicators.map((i) => i.key)).toContain(k);
      }
    }
  });

  it('is deterministic for a seed', () => {
    expect(drafts(42, 50)).toEqual(drafts(42, 50));
    expect(drafts(42, 50)).not.toEqual(drafts(43, 50));
  });

  it('produces varied, well-formed drafts', () => {
    const list = drafts(2026, 400);
    expect(new Set(list.map((d) => d.title)).size).toBeGreaterThanOrEqual(300);
    const categories = new Set(list.map((d) => d.categoryCode));
    expect(categories.size).toBe(8);
    for (const d of list) {
      expect(d.title.length).toBeGreaterThan(4);
      expect(d.title.length).toBeLessThanOrEqual(60);
      expect(d.title).not.toMatch(/[{}[\]|]/);
      expect(d.content.endsWith(DEMO_MARK)).toBe(true);
      expect(d.content.endsWith('（演示数据）')).toBe(true);
      expect(d.content).not.toMatch(/[{}[\]]/);
      const sentences = d.content.slice(0, -DEMO_MARK.length).split('。').filter(Boolean);
      expect(sentences.length).toBeGreaterThanOrEqual(2);
      expect(sentences.length).toBeLessThanOrEqual(4);
      expect(SOURCES).toContain(d.source);
      expect(URGENCIES).toContain(d.urgency);
      expect(SENSITIVITIES).toContain(d.sensitivity);
      if (d.isPublic) expect(d.sensitivity).toBe('public');
      const category = findCategory(d.categoryCode);
      expect(category).toBeDefined();
      expect(d.targets.length).toBeGreaterThan(0);
      for (const t of d.targets) {
        const def = category?.indicators.find((i) => i.key === t.key);
        expect(def).toBeDefined();
        expect(t.name).toBe(def?.name);
        expect(t.unit).toBe(def?.unit);
        expect(t.target).toBeGreaterThan(0);
        if (t.unit === '%') expect(t.target).toBeLessThanOrEqual(100);
      }
      expect(new Set(d.targets.map((t) => t.key)).size).toBe(d.targets.length);
      expect(d.responsiblePersons.length).toBeGreaterThanOrEqual(1);
      for (const p of d.responsiblePersons) {
        expect(p.name).toMatch(/^[\u4e00-\u9fa5]{2,3}$/);
        expect(p.title.length).toBeGreaterThan(0);
      }
    }
    // Mostly normal urgency; most public items are shown on the portal.
    const normal = list.filter((d) => d.urgency === 'normal').length;
    expect(normal).toBeGreaterThan(list.length / 2);
    expect(list.some((d) => d.urgency === 'critical')).toBe(true);
    expect(list.some((d) => d.isPublic)).toBe(true);
    expect(list.some((d) => d.sensitivity === 'sensitive')).toBe(true);
  });

  it('honours a requested category and varies titles within it', () => {
    for (const c of STANDARD_CATEGORIES) {
      const list = drafts(`cat-${c.code}`, 100, c.code);
      expect(list.every((d) => d.categoryCode === c.code)).toBe(true);
      expect(new Set(list.map((d) => d.title)).size).toBeGreaterThanOrEqual(85);
    }
    expect(drafts(1, 20, 'npc-cppcc').every((d) => d.source === 'npc_suggestion')).toBe(true);
    expect(() => demoItemDraft(createRng(1), { regionName: '杭州市', categoryCode: 'nope' })).toThrow();
  });

  it('uses the region for flavour and titles of the right level', () => {
    const list = Array.from({ length: 200 }, (_, i) => demoItemDraft(createRng(i), { regionName: '淳安县' }));
    expect(list.some((d) => d.title.includes('淳安县') || d.title.includes('全县'))).toBe(true);
    expect(list.every((d) => d.responsiblePersons[0]?.title === '副县长')).toBe(true);
  });
});

describe('demo progress reports', () => {
  const rng = createRng(99);
  const draft = demoItemDraft(rng, { regionName: '杭州市', categoryCode: 'livelihood' });
  const samples = [
    draft,
    ...['public-requests', 'ecology', 'business-environment', 'npc-cppcc'].flatMap((categoryCode) =>
      Array.from({ length: 5 }, () => demoItemDraft(rng, { regionName: '杭州市', categoryCode })),
    ),
  ];

  it('reports values roughly in proportion to the percent', () => {
    expect(samples.some((d) => d.targets.some((t) => t.unit === '%'))).toBe(true);
    for (const draft of samples)
      for (const percent of [0, 10, 35, 50, 80, 99, 100]) {
        const r = demoProgressReport(rng, { percent, title: draft.title, targets: draft.targets });
        expect(r.narrative).toContain(`${percent}%`);
        expect(r.problems.length).toBeGreaterThan(0);
        expect(r.nextSteps.length).toBeGreaterThan(0);
        expect(r.indicatorValues.map((v) => v.key)).toEqual(draft.targets.map((t) => t.key));
        r.indicatorValues.forEach((v, i) => {
          const target = draft.targets[i]?.target ?? 0;
          expect(v.value).toBeGreaterThanOrEqual(0);
          expect(v.value).toBeLessThanOrEqual(target);
          if (percent === 0) expect(v.value).toBe(0);
          if (percent === 100) expect(v.value).toBe(target);
          if (percent > 0 && percent < 100) {
            const expected =
              draft.targets[i]?.unit === '%'
                ? target * (0.8 + (0.2 * percent) / 100)
                : (target * percent) / 100;
            expect(Math.abs(v.value - expected)).toBeLessThanOrEqual(target * 0.1 + 1);
          }
          if (draft.targets[i]?.unit !== '%' && draft.targets[i]?.unit !== '公里') {
            expect(Number.isInteger(v.value)).toBe(true);
          }
        });
      }
  });

  it('is deterministic', () => {
    const a = demoProgressReport(createRng(5), { percent: 40, title: draft.title, targets: draft.targets });
    const b = demoProgressReport(createRng(5), { percent: 40, title: draft.title, targets: draft.targets });
    expect(a).toEqual(b);
  });
});

describe('demo remarks', () => {
  it('returns non-empty Chinese sentences without template leftovers', () => {
    const rng = createRng(11);
    const fns = [
      demoReturnReason,
      demoExtensionReason,
      demoRejectionReason,
      demoInstruction,
      demoComment,
      demoSuspendReason,
      demoCancelReason,
      (r: typeof rng) => demoCompletionSummary(r, '推进城北片区老旧小区改造'),
    ];
    for (const fn of fns) {
      const seen = new Set<string>();
      for (let i = 0; i < 50; i++) {
        const s = fn(rng);
        expect(s).toMatch(/[\u4e00-\u9fa5]/);
        expect(s).toMatch(/[。！]$/);
        expect(s).not.toMatch(/[{}]/);
        seen.add(s);
      }
      expect(seen.size).toBeGreaterThanOrEqual(3);
    }
    expect(demoCompletionSummary(rng, '推进城北片区老旧小区改造')).toContain('推进城北片区老旧小区改造');
  });
});
