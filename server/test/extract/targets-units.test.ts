import { describe, expect, it } from 'vitest';
import { attachUnits, buildUnitIndex, matchUnit, unitKey } from '../../src/extract/normalise-unit.ts';
import { findTargets } from '../../src/extract/targets.ts';
import type { ExtractedItem } from '../../src/extract/types.ts';

describe('findTargets', () => {
  it('reads numbers with units and the clause they measure', () => {
    expect(findTargets('改造老旧小区50个，新增停车泊位1.2万个')).toEqual([
      { value: 50, unit: '个', what: '改造老旧小区' },
      { value: 1.2, unit: '万个', what: '停车泊位' },
    ]);
    expect(findTargets('力争地区生产总值增长6.5%左右')).toEqual([
      { value: 6.5, unit: '%', what: '地区生产总值增长' },
    ]);
    expect(findTargets('为企业减负30亿元')).toEqual([{ value: 30, unit: '亿元', what: '为企业减负' }]);
  });

  it('skips years, dates, ordinals and time spans', () => {
    expect(findTargets('2024年6月底前，第3批项目在10个工作日内完成审批')).toEqual([]);
  });
});

const UNITS = [
  { id: 'u1', name: '临江市发展和改革委员会', shortName: '发展和改革委员会', regionName: '临江市' },
  { id: 'u2', name: '临江市财政局', shortName: '财政局', regionName: '临江市' },
  { id: 'u3', name: '东湖区财政局', shortName: '财政局', regionName: '东湖区' },
  { id: 'u4', name: '西湖区财政局', shortName: '财政局', regionName: '西湖区' },
  { id: 'u5', name: '临江市住房和城乡建设局', shortName: '住房和城乡建设局', regionName: '临江市' },
  { id: 'u6', name: '临江市人民政府办公室', shortName: '人民政府办公室', regionName: '临江市' },
  { id: 'u7', name: '临江市卫生健康委员会', shortName: null, regionName: '临江市' },
];

describe('unit-name normalisation', () => {
  const index = buildUnitIndex(UNITS);
  const id = (name: string) => matchUnit(index, name)?.unitId ?? null;

  it('treats 发改委, 发展改革委 and 发展和改革委员会 as one name', () => {
    expect(unitKey('市发改委')).toBe(unitKey('市发展改革委'));
    expect(unitKey('市发展改革委')).toBe(unitKey('市发展和改革委员会'));
    expect([id('市发改委'), id('市发展改革委'), id('市发展和改革委员会'), id('临江市发改委')]).toEqual([
      'u1',
      'u1',
      'u1',
      'u1',
    ]);
  });

  it('expands 住建, 卫健 and 政府办, with or without the region prefix', () => {
    expect(id('市住建局')).toBe('u5');
    expect(id('市卫健委')).toBe('u7');
    expect(id('市政府办')).toBe('u6');
    expect(matchUnit(index, '市住建局')).toEqual({
      name: '市住建局',
      unitId: 'u5',
      canonical: '临江市住房和城乡建设局',
    });
  });

  it('matches the 市/区 prefix against the kind of region, and refuses ambiguous names', () => {
    expect(id('市财政局')).toBe('u2');
    expect(id('区财政局')).toBeNull();
    expect(id('财政局')).toBeNull();
    expect(id('东湖区财政局')).toBe('u3');
    expect(id('市教育局')).toBeNull();
  });

  it('adds the matches to items and leaves names as written', () => {
    const item: ExtractedItem = {
      task: '任务',
      lead: ['市发改委'],
      collaborators: ['市财政局', '市统计局'],
      deadline: null,
      deadline_text: null,
      recurring: null,
      targets: [],
      citation: { start: 0, end: 2 },
    };
    const [out] = attachUnits([item], index);
    expect(out?.lead).toEqual(['市发改委']);
    expect(out?.units).toEqual([
      { name: '市发改委', unitId: 'u1', canonical: '临江市发展和改革委员会' },
      { name: '市财政局', unitId: 'u2', canonical: '临江市财政局' },
    ]);
  });
});
