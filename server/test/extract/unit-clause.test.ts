import { describe, expect, it } from 'vitest';
import { fold } from '../../src/extract/fold.ts';
import { parseUnitClause, resolveRoles, splitUnits, unitsInSentence } from '../../src/extract/unit-clause.ts';

const roles = (text: string, firstListed = false) => {
  const clause = parseUnitClause(text);
  expect(clause).not.toBeNull();
  return clause ? { ...resolveRoles(clause, firstListed), deadlineText: clause.deadlineText } : null;
};

describe('parseUnitClause', () => {
  it('reads labelled fields separated by ；', () => {
    expect(roles('牵头单位：市民政局；配合单位：市财政局、市卫生健康委；完成时限：2024年10月底前')).toEqual({
      lead: ['市民政局'],
      collaborators: ['市财政局', '市卫生健康委'],
      deadlineText: '2024年10月底前',
    });
  });

  it('reads the ASCII punctuation of stored pages the same way', () => {
    expect(roles('牵头单位:市民政局;配合单位:市财政局,市卫生健康委')).toMatchObject({
      lead: ['市民政局'],
      collaborators: ['市财政局', '市卫生健康委'],
    });
  });

  it('reads fields separated by commas', () => {
    expect(roles('牵头单位：区城管局，配合单位：区公安分局、各街道，完成时限：2025年5月底前')).toEqual({
      lead: ['区城管局'],
      collaborators: ['区公安分局', '各街道'],
      deadlineText: '2025年5月底前',
    });
  });

  it('reads X牵头，Y配合', () => {
    expect(roles('市交通运输局牵头，市公安局、市城管局配合')).toMatchObject({
      lead: ['市交通运输局'],
      collaborators: ['市公安局', '市城管局'],
    });
  });

  it('reads X、Y按职责分工负责 as joint leads', () => {
    expect(roles('市教育局、市人力社保局按职责分工负责')).toMatchObject({
      lead: ['市教育局', '市人力社保局'],
      collaborators: [],
    });
  });

  it('makes the 按职责分工负责 group collaborators when a lead is named, splitting at 及', () => {
    expect(roles('县委办、县政府办牵头，县直有关单位及各乡镇按职责分工负责')).toMatchObject({
      lead: ['县委办', '县政府办'],
      collaborators: ['县直有关单位', '各乡镇'],
    });
  });

  it('takes only 责任单位 units as leads, keeping nested brackets in names', () => {
    expect(roles('责任单位：各县（市、区）人民政府、市级有关部门')).toMatchObject({
      lead: ['各县（市、区）人民政府', '市级有关部门'],
      collaborators: [],
    });
  });

  it('makes 责任单位 collaborators beside a 牵头单位, and ignores data providers and leaders', () => {
    expect(
      roles('牵头单位：区统计局；责任单位：区发改局；数据提供单位：区税务局；分管领导：王某'),
    ).toMatchObject({
      lead: ['区统计局'],
      collaborators: ['区发改局'],
    });
  });

  it('applies 列第一位的为牵头单位 and drops 等有关部门', () => {
    expect(roles('市商务局、市财政局、市市场监管局等有关部门负责。列第一位的为牵头单位，下同')).toMatchObject(
      {
        lead: ['市商务局'],
        collaborators: ['市财政局', '市市场监管局'],
      },
    );
    const later = parseUnitClause('市林业局、市水利局负责');
    expect(later && resolveRoles(later, true)).toEqual({ lead: ['市林业局'], collaborators: ['市水利局'] });
  });

  it('reads X会同Y负责 and a deadline part', () => {
    expect(roles('市卫健委会同市医保局负责，2025年6月底前完成')).toEqual({
      lead: ['市卫健委'],
      collaborators: ['市医保局'],
      deadlineText: '2025年6月底前完成',
    });
  });

  it('promotes a unit marked （牵头） in a list', () => {
    expect(roles('责任单位：市文旅局（牵头）、市体育局')).toMatchObject({
      lead: ['市文旅局'],
      collaborators: ['市体育局'],
    });
  });

  it('reads traditional script', () => {
    expect(roles('市財政局牽頭，各區政府配合')).toMatchObject({
      lead: ['市財政局'],
      collaborators: ['各區政府'],
    });
  });

  it('reads a bracket of unit names only as responsible units', () => {
    expect(roles('市委组织部、市人社局，各区政府')).toMatchObject({
      lead: ['市委组织部', '市人社局', '各区政府'],
      collaborators: [],
    });
  });

  it('returns null for brackets that name no assignment', () => {
    const asides = ['以下简称市数据局', '含市教育局', '原市国土资源局', '含开发区'];
    for (const text of [
      '2024-2026年',
      '市、区',
      '以下简称“市数据局”',
      '试行',
      '由市政府办公室负责解释',
      ...asides,
    ]) {
      expect(parseUnitClause(text), text).toBeNull();
    }
  });
});

describe('splitUnits and unitsInSentence', () => {
  it('splits at 、，及 but not inside brackets or at 和', () => {
    const text = '市发展和改革委员会、各县（市、区）政府及市科技和经信局';
    expect(splitUnits(text, fold(text), 0, text.length)).toEqual([
      '市发展和改革委员会',
      '各县（市、区）政府',
      '市科技和经信局',
    ]);
  });

  it('finds 由X牵头，会同Y in a minutes sentence', () => {
    expect(unitsInSentence('由区住建局牵头，会同区财政局研究制定补助办法')).toMatchObject({
      lead: ['区住建局'],
      collaborators: ['区财政局'],
    });
    expect(unitsInSentence('由此带来的问题要妥善处理')).toBeNull();
  });
});
