import { describe, expect, it } from 'vitest';
import { predict, train } from '../../src/intake/routing/classifier.ts';
import { DEFAULT_DICTIONARIES, dictionaryScores } from '../../src/intake/routing/dictionaries.ts';
import { crossValidate, demoCorpus } from '../../src/intake/routing/evaluate.ts';
import { combineCategories, combineLeads, departmentKeyOf } from '../../src/intake/routing/service.ts';
import { STANDARD_UNITS } from '../../src/org/standard-units.ts';

describe('routing (pure)', () => {
  it('has a dictionary for every standard department that can lead an item', () => {
    const keys = new Set(DEFAULT_DICTIONARIES.map((d) => d.key));
    for (const u of STANDARD_UNITS) if (u.kind === 'department') expect(keys.has(u.key), u.key).toBe(true);
  });

  it('maps unit names to department keys by their standard suffix', () => {
    expect(departmentKeyOf('杭州市住房和城乡建设局')).toBe('housing');
    expect(departmentKeyOf('浙江省住房和城乡建设厅')).toBe('housing');
    expect(departmentKeyOf('西湖区发展和改革局')).toBe('development_reform');
    expect(departmentKeyOf('杭州市人民政府督查室')).toBe('supervision');
    expect(departmentKeyOf('某某公司')).toBeUndefined();
  });

  it('scores dictionaries by the keywords a text contains', () => {
    const s = dictionaryScores(DEFAULT_DICTIONARIES, '小区门口烧烤店油烟扰民，垃圾也没人清运');
    expect([...s.keys()][0]).toBe('urban_management');
    expect([...s.values()].reduce((a, b) => a + b, 0)).toBeCloseTo(1);
    expect(dictionaryScores(DEFAULT_DICTIONARIES, '无关的文字').size).toBe(0);
  });

  it('trains a naive Bayes model that separates classes, and learns a correction', () => {
    const samples = [
      { title: '老旧小区加装电梯', content: '推进老旧小区加装电梯', label: 'housing' },
      { title: '幼儿园学位扩容', content: '新建幼儿园增加学位', label: 'education' },
    ];
    const model = train(samples);
    const p = predict(model, '加装电梯进度', '小区电梯');
    expect(p[0]?.label).toBe('housing');
    expect(p.reduce((a, b) => a + b.score, 0)).toBeCloseTo(1);
    // A supervisor dispatched 电梯 work to market regulation (特种设备) twice: the next training follows.
    const corrected = train([
      ...samples,
      { title: '电梯困人故障', content: '电梯频繁故障困人', label: 'market_regulation' },
      { title: '电梯安全检验', content: '住宅电梯故障检验', label: 'market_regulation' },
    ]);
    expect(predict(corrected, '电梯故障', '住宅电梯频繁故障')[0]?.label).toBe('market_regulation');
  });

  it('works from the dictionaries alone before any training', () => {
    const text = { title: '河道黑臭', content: '河道排污口偷排，水质发黑' };
    expect(combineLeads(undefined, DEFAULT_DICTIONARIES, text)[0]?.label).toBe('ecology');
    expect(combineCategories(undefined, DEFAULT_DICTIONARIES, text)[0]?.label).toBe('ecology');
  });

  it('cross-validates over the demo corpus: category top-3 ≥ 0.7', () => {
    const corpus = demoCorpus(200);
    const r = crossValidate(corpus, 5);
    expect(r.category.n).toBe(200);
    expect(r.category.top3).toBeGreaterThanOrEqual(0.7);
    expect(r.category.top1).toBeLessThanOrEqual(r.category.top3);
    expect(r.lead.n).toBeGreaterThan(50);
    expect(r.lead.top1).toBeLessThanOrEqual(r.lead.top3);
  });
});
