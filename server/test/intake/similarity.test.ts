import { describe, expect, it } from 'vitest';
import { evaluatePairs, loadPairs } from '../../src/intake/similarity/evaluate.ts';
import {
  bandHashes,
  compareTexts,
  estimateJaccard,
  jaccard,
  NUM_BANDS,
  normalise,
  segments,
  sharedPhrases,
  shingles,
  signature,
  textShingles,
} from '../../src/intake/similarity/minhash.ts';
import { DUPLICATE_THRESHOLD } from '../../src/intake/similarity/threshold.ts';
import { factoryContent } from '../support/factories.ts';

describe('normalisation and shingles', () => {
  it('folds full-width letters and digits, drops punctuation and whitespace, lower-cases', () => {
    expect(normalise('ＡＢＣ１２３，文三路 88 号！\n（华星小区）')).toBe('abc123文三路88号华星小区');
    expect(normalise('Ｈｅｌｌｏ　Ｗｏｒｌｄ')).toBe('helloworld');
  });

  it('makes bigrams inside each run, never across punctuation or hotline formulae', () => {
    expect([...shingles('文三路')]).toEqual(['文三', '三路']);
    expect([...shingles('路')]).toEqual(['路']);
    expect(segments('市民来电反映：文三路路灯不亮，请尽快处理。')).toEqual(['文三路路灯不亮', '请']);
    expect(textShingles('文三路路灯不亮', '请尽快处理').has('请')).toBe(false);
    const set = textShingles('路灯不亮', '文三路，路灯');
    expect(set.has('路路')).toBe(false);
    expect(set.has('文三')).toBe(true);
  });
});

describe('MinHash and LSH', () => {
  it('is deterministic and estimates the Jaccard similarity closely', () => {
    const a = textShingles(
      '西湖区文三路华星小区路灯不亮',
      '华星小区门口路灯已经坏了一个多月，晚上漆黑一片，老人出门不安全。',
    );
    const b = textShingles(
      '文三路华星小区门口路灯坏了',
      '文三路华星小区门口的路灯坏了一个多月了，晚上出门很不安全。',
    );
    expect(signature(a)).toEqual(signature(new Set(a)));
    const exact = jaccard(a, b);
    expect(exact).toBeGreaterThan(0.2);
    expect(Math.abs(estimateJaccard(signature(a), signature(b)) - exact)).toBeLessThan(0.12);
    expect(estimateJaccard(signature(a), signature(a))).toBe(1);
  });

  it('puts near texts into a common band and gives one key per band', () => {
    const a = signature(
      textShingles(
        '拱墅区丽水苑二次供水停水三天',
        '丽水苑二次供水设备故障，整栋楼停水三天，老人只能下楼打水。',
      ),
    );
    const b = signature(
      textShingles('丽水苑停水三天无人处理', '拱墅区湖墅南路丽水苑二次供水设备故障，停水三天了。'),
    );
    const c = signature(textShingles('推进跨境电商综合试验区建设', '完善海外仓布局，培育跨境电商主体。'));
    const [ba, bb, bc] = [bandHashes(a), bandHashes(b), bandHashes(c)];
    expect(ba).toHaveLength(NUM_BANDS);
    expect(ba.some((h, i) => h === bb[i])).toBe(true);
    expect(ba.filter((h, i) => h === bc[i]).length).toBeLessThan(3);
  });
});

describe('shared phrases', () => {
  it('lists the maximal common runs of four or more characters, longest first', () => {
    const p = sharedPhrases(
      '滨江区长河路春波小区3号楼电梯坏了半个月一直没修好',
      '反映春波小区3号楼电梯停运半个月，长河路春波小区的老人下不了楼',
    );
    expect(p[0]).toBe('春波小区3号楼电梯');
    expect(p).toContain('长河路春波小区');
    expect(p.every((x) => Array.from(x).length >= 4)).toBe(true);
    // A phrase inside a longer one is not repeated.
    expect(p).not.toContain('春波小区');
    expect(sharedPhrases('完全不同的文字', '另外一段话语')).toEqual([]);
  });

  it('explains a pair with its score', () => {
    const r = compareTexts(
      { title: '文三路华星小区地铁工地夜间施工扰民', content: '地铁三号线工地每天到凌晨一点还在施工。' },
      {
        title: '投诉地铁三号线工地夜间施工',
        content: '文三路华星小区旁边的地铁三号线工地晚上施工到凌晨一点。',
      },
    );
    expect(r.score).toBeGreaterThanOrEqual(DUPLICATE_THRESHOLD);
    expect(r.sharedPhrases).toContain('地铁三号线工地');
  });
});

describe('the labelled evaluation set', () => {
  it('has ≥ 300 pairs with both labels, and reaches precision and recall ≥ 0.8 at the chosen threshold', () => {
    const pairs = loadPairs();
    expect(pairs.length).toBeGreaterThanOrEqual(300);
    expect(pairs.filter((p) => p.duplicate).length).toBeGreaterThan(100);
    expect(pairs.filter((p) => !p.duplicate).length).toBeGreaterThan(100);
    const r = evaluatePairs(pairs, [0.1, 0.2, 0.3]);
    expect(r.chosen.threshold).toBe(DUPLICATE_THRESHOLD);
    expect(r.chosen.precision).toBeGreaterThanOrEqual(0.8);
    expect(r.chosen.recall).toBeGreaterThanOrEqual(0.8);
    expect(r.sweep.map((s) => s.threshold)).toEqual([0.1, 0.2, 0.3]);
  });
});

describe('the test factories', () => {
  it('hand out item texts that are pairwise no duplicates', () => {
    const pairwiseBelow = (titles: (i: number) => string, n: number) => {
      const sets = Array.from({ length: n }, (_, i) => textShingles(titles(i), factoryContent(i)));
      for (let i = 0; i < n; i++)
        for (let j = i + 1; j < n; j++)
          expect(jaccard(sets[i] as Set<string>, sets[j] as Set<string>)).toBeLessThan(DUPLICATE_THRESHOLD);
    };
    // The first 64 even under one shared title (the default, or a list's 事项k titles) …
    for (const title of ['推进老旧小区改造', '事项3：老旧小区改造']) pairwiseBelow(() => title, 64);
    // … and all 100 when the titles are numbered as the concurrency tests do.
    pairwiseBelow((i) => `并发立项 市 ${i}`, 100);
  });
});
