import type { Db } from '../db/client.ts';
import type { UnitRow } from '../db/schema.ts';
import { DomainError } from '../shared/errors.ts';
import { getRegion } from './regions.ts';
import { createUnit, type EventMeta, type UnitKind } from './units.ts';

/**
 * 标准部门清单: the departments a people's government at each level usually has. The unit's
 * name is the region's name followed by the level's suffix (浙江省财政厅, 杭州市财政局, 西湖区财政局);
 * a null suffix means the level has no such department. Edit this list (or pass your own to
 * createStandardUnits) to match local 机构改革 results.
 */
export type StandardUnit = {
  key: string;
  kind: UnitKind;
  /** Suffix at province (1), city (2) and county (3) level. */
  suffix: { 1: string | null; 2: string | null; 3: string | null };
};

const same = (s: string) => ({ 1: s, 2: s, 3: s });
const bureau = (name: string) => ({ 1: `${name}厅`, 2: `${name}局`, 3: `${name}局` });

export const STANDARD_UNITS: readonly StandardUnit[] = [
  { key: 'government', kind: 'government', suffix: same('人民政府') },
  { key: 'supervision', kind: 'supervision_office', suffix: same('政府督查室') },
  {
    key: 'general_office',
    kind: 'government_office',
    suffix: { 1: '人民政府办公厅', 2: '人民政府办公室', 3: '人民政府办公室' },
  },
  {
    key: 'development_reform',
    kind: 'department',
    suffix: { 1: '发展和改革委员会', 2: '发展和改革委员会', 3: '发展和改革局' },
  },
  { key: 'finance', kind: 'department', suffix: bureau('财政') },
  { key: 'housing', kind: 'department', suffix: bureau('住房和城乡建设') },
  { key: 'education', kind: 'department', suffix: bureau('教育') },
  { key: 'civil_affairs', kind: 'department', suffix: bureau('民政') },
  { key: 'human_resources', kind: 'department', suffix: bureau('人力资源和社会保障') },
  { key: 'natural_resources', kind: 'department', suffix: bureau('自然资源') },
  { key: 'ecology', kind: 'department', suffix: bureau('生态环境') },
  { key: 'transport', kind: 'department', suffix: bureau('交通运输') },
  { key: 'water', kind: 'department', suffix: bureau('水利') },
  { key: 'agriculture', kind: 'department', suffix: bureau('农业农村') },
  { key: 'commerce', kind: 'department', suffix: bureau('商务') },
  {
    key: 'culture_tourism',
    kind: 'department',
    suffix: { 1: '文化和旅游厅', 2: '文化广电旅游局', 3: '文化和广电旅游体育局' },
  },
  {
    key: 'health',
    kind: 'department',
    suffix: { 1: '卫生健康委员会', 2: '卫生健康委员会', 3: '卫生健康局' },
  },
  { key: 'emergency', kind: 'department', suffix: bureau('应急管理') },
  { key: 'market_regulation', kind: 'department', suffix: same('市场监督管理局') },
  { key: 'data', kind: 'department', suffix: same('数据局') },
  { key: 'public_security', kind: 'department', suffix: bureau('公安') },
  { key: 'justice', kind: 'department', suffix: bureau('司法') },
  { key: 'urban_management', kind: 'department', suffix: { 1: null, 2: '城市管理局', 3: '综合行政执法局' } },
];

export type StandardUnitSpec = { name: string; shortName: string; kind: UnitKind; sortOrder: number };

/** The standard units for a region of the given level, in list order (pure). */
export function standardUnitsFor(
  region: { name: string; level: number },
  list: readonly StandardUnit[] = STANDARD_UNITS,
): StandardUnitSpec[] {
  const level = region.level;
  if (level !== 1 && level !== 2 && level !== 3) return [];
  const specs: StandardUnitSpec[] = [];
  list.forEach((u, i) => {
    const suffix = u.suffix[level];
    if (suffix === null) return;
    specs.push({ name: `${region.name}${suffix}`, shortName: suffix, kind: u.kind, sortOrder: (i + 1) * 10 });
  });
  return specs;
}

/**
 * Creates the standard units of one region that do not exist yet (matched by name), each with its
 * `unit.created` event, in one transaction. Returns the units created and how many already existed.
 */
export async function createStandardUnits(
  db: Db,
  regionCode: string,
  opts: { list?: readonly StandardUnit[]; meta?: EventMeta } = {},
): Promise<{ created: UnitRow[]; existing: number }> {
  const meta = opts.meta ?? { actorId: null, at: new Date() };
  return db.transaction().execute(async (tx) => {
    const region = await getRegion(tx, regionCode);
    const specs = standardUnitsFor(region, opts.list);
    if (specs.length === 0) {
      throw new DomainError(
        'VALIDATION_FAILED',
        {
          zh: '仅省、市、县三级有标准部门清单',
          en: 'standard units exist for province, city and county level only',
        },
        { field: 'region' },
      );
    }
    const existing = new Set(
      (await tx.selectFrom('units').select('name').where('region_code', '=', regionCode).execute()).map(
        (u) => u.name,
      ),
    );
    const created: UnitRow[] = [];
    for (const spec of specs) {
      if (existing.has(spec.name)) continue;
      created.push(await createUnit(tx, { ...spec, regionCode }, meta));
    }
    return { created, existing: specs.length - created.length };
  });
}
