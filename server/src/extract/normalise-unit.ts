import { fold } from './fold.ts';
import type { ExtractedItem, UnitMatch } from './types.ts';

/**
 * 单位名称归一: maps a unit name as written in a document (市发改委) to a unit of the org tree
 * (杭州市发展和改革委员会). Both sides are reduced to a key by these alias rules, in order:
 *  1. common abbreviations expand (发改 → 发展改革, 住建 → 住房城乡建设, 人社 → 人力资源社会保障,
 *     卫健 → 卫生健康, 经信/工信, 市场监管局 → 市场监督管理局, 应急局 → 应急管理局, 政府办 →
 *     人民政府办公室, 区政府 → 区人民政府 …);
 *  2. the connective 和 is dropped (发展和改革 = 发展改革, 自然资源和规划 = 自然资源规划);
 *  3. a final 委员会 is 委 (发展改革委员会 = 发展改革委).
 * A written name then matches, trying each level in turn and accepting only a unique unit:
 *  a. the unit's full name (杭州市发改委 = 杭州市发展和改革委员会);
 *  b. its level prefix and short name (市发改委 = 市 + 发展和改革委员会, the region being a 市);
 *  c. its short name alone (发改委, or 市发改委 without the leading 省/市/区/县);
 *  d. the same without the final 局/委/办/厅 (市教育局 = 市教育委员会), when still unique.
 * Several units at the first level that matches (every county has a 财政局) means no match: pass
 * the units of one region to avoid that.
 */
export type OrgUnit = { id: string; name: string; shortName: string | null; regionName: string | null };

const ABBREVIATIONS: [RegExp, string][] = [
  [/发改委/g, '发展改革委'],
  [/发改局/g, '发展改革局'],
  [/发改/g, '发展改革'],
  [/经信/g, '经济信息化'],
  [/经济和信息化/g, '经济信息化'],
  [/工信/g, '工业信息化'],
  [/工业和信息化/g, '工业信息化'],
  [/住建/g, '住房城乡建设'],
  [/住房和城乡建设/g, '住房城乡建设'],
  [/人力社保|人社/g, '人力资源社会保障'],
  [/卫健/g, '卫生健康'],
  [/市场监管局/g, '市场监督管理局'],
  [/应急局$/g, '应急管理局'],
  [/交通局$/g, '交通运输局'],
  [/城管局$/g, '城市管理局'],
  [/医保局$/g, '医疗保障局'],
  [/文旅/g, '文化旅游'],
  [/文广旅/g, '文化广电旅游'],
  [/自然资源规划/g, '自然资源和规划'],
  [/政府办$/g, '人民政府办公室'],
  [/(?<!人民)政府/g, '人民政府'],
];

const PREFIX = /^[省市区县州旗]/;

/** The comparison key of a unit name (see the rules above). */
export function unitKey(name: string): string {
  let k = fold(name).replace(/\s/g, '');
  for (const [re, to] of ABBREVIATIONS) k = k.replace(re, to);
  k = k.replace(/和/g, '');
  k = k.replace(/委员会$/, '委').replace(/办公室$/, '办');
  return k;
}

const stem = (key: string) => key.replace(/(?:局|委|办|厅)$/, '');

export type UnitIndex = {
  levels: Map<string, Set<string>>[];
  byId: Map<string, OrgUnit>;
  /** 省/市/区/县 of the unit's region, when known. */
  levelChar: Map<string, string>;
};

export function buildUnitIndex(units: OrgUnit[]): UnitIndex {
  const levels = [0, 1, 2, 3].map(() => new Map<string, Set<string>>());
  const levelChar = new Map<string, string>();
  const add = (level: number, key: string, id: string) => {
    const map = levels[level];
    if (!map || key.length < 2) return;
    map.set(key, (map.get(key) ?? new Set()).add(id));
  };
  for (const u of units) {
    const short =
      u.shortName ??
      (u.regionName && u.name.startsWith(u.regionName) ? u.name.slice(u.regionName.length) : null);
    add(0, unitKey(u.name), u.id);
    const level = u.regionName ? fold(u.regionName).slice(-1) : '';
    if (PREFIX.test(level)) levelChar.set(u.id, level);
    if (short) {
      if (PREFIX.test(level)) add(1, unitKey(level + short), u.id);
      add(2, unitKey(short), u.id);
      add(3, stem(unitKey(short)), u.id);
      if (PREFIX.test(level)) add(3, stem(unitKey(level + short)), u.id);
    }
    add(3, stem(unitKey(u.name)), u.id);
  }
  return { levels, byId: new Map(units.map((u) => [u.id, u])), levelChar };
}

/** The unit a written name stands for, or null (no match, or several equally good). */
export function matchUnit(index: UnitIndex, written: string): UnitMatch | null {
  const key = unitKey(written);
  const prefix = PREFIX.test(key) ? key.slice(0, 1) : null;
  const bare = prefix ? key.slice(1) : key;
  // Without its 市/区 prefix a name may only match units of a region of that kind (区财政局 is no 市财政局).
  const samePrefix = (id: string) => prefix === null || (index.levelChar.get(id) ?? prefix) === prefix;
  const tries: [number, string, boolean][] = [
    [0, key, false],
    [1, key, false],
    [2, key, false],
    [2, bare, true],
    [3, stem(key), false],
    [3, stem(bare), true],
  ];
  for (const [level, k, stripped] of tries) {
    const found = [...(index.levels[level]?.get(k) ?? [])];
    const ids = stripped ? found.filter(samePrefix) : found;
    if (ids.length === 0) continue;
    if (ids.length > 1) return null;
    const [id] = ids;
    const unit = id === undefined ? undefined : index.byId.get(id);
    return unit ? { name: written, unitId: unit.id, canonical: unit.name } : null;
  }
  return null;
}

/** The items with `units` filled in for the lead and collaborator names that match. */
export function attachUnits(items: ExtractedItem[], index: UnitIndex): ExtractedItem[] {
  return items.map((item) => {
    const units = [...item.lead, ...item.collaborators]
      .map((name) => matchUnit(index, name))
      .filter((m): m is UnitMatch => m !== null);
    return units.length > 0 ? { ...item, units } : item;
  });
}
