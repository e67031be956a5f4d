import type { Db } from '../db/client.ts';
import { importRegions } from '../org/regions.ts';
import { createStandardUnits } from '../org/standard-units.ts';

/** The demo jurisdiction: 浙江省, its 11 cities, and four districts/counties of 杭州 in depth. */
export const DEMO_PROVINCE = '330000';
export const DEMO_COUNTIES = ['330106', '330102', '330110', '330127'];

export type DemoOrg = {
  /** 'province:housing', '330100:supervision', … → unit id */
  unitIds: Map<string, string>;
  /** region code → its department units (kind 'department') */
  departments: Map<string, { id: string; name: string }[]>;
  /** region code → its supervision office unit id */
  offices: Map<string, string>;
  regionNames: Map<string, string>;
  cities: string[];
};

export async function createDemoOrg(db: Db, at: Date): Promise<DemoOrg> {
  await importRegions(db, { code: DEMO_PROVINCE, at });
  const cities = (
    await db
      .selectFrom('regions')
      .select('code')
      .where('parent_code', '=', DEMO_PROVINCE)
      .orderBy('code')
      .execute()
  ).map((r) => r.code);
  const unitIds = new Map<string, string>();
  const departments = new Map<string, { id: string; name: string }[]>();
  const offices = new Map<string, string>();
  const regionNames = new Map<string, string>();
  for (const code of [DEMO_PROVINCE, ...cities, ...DEMO_COUNTIES]) {
    await createStandardUnits(db, code, { meta: { actorId: null, at } });
  }
  const units = await db
    .selectFrom('units as u')
    .innerJoin('regions as r', 'r.code', 'u.region_code')
    .select(['u.id', 'u.name', 'u.kind', 'u.region_code', 'r.name as region_name'])
    .orderBy('u.name')
    .execute();
  for (const u of units) {
    regionNames.set(u.region_code, u.region_name);
    const key = u.region_code === DEMO_PROVINCE ? 'province' : u.region_code;
    const std = standardKey(u.name, u.region_name);
    if (std) unitIds.set(`${key}:${std}`, u.id);
    if (u.kind === 'supervision_office') offices.set(u.region_code, u.id);
    if (u.kind === 'department') {
      const list = departments.get(u.region_code) ?? [];
      list.push({ id: u.id, name: u.name });
      departments.set(u.region_code, list);
    }
  }
  return { unitIds, departments, offices, regionNames, cities };
}

const KEYS: [string, RegExp][] = [
  ['supervision', /督查室$/],
  ['general_office', /办公(厅|室)$/],
  ['government', /人民政府$/],
  ['housing', /住房和城乡建设(厅|局)$/],
];

function standardKey(name: string, regionName: string): string | undefined {
  const rest = name.slice(regionName.length);
  return KEYS.find(([, re]) => re.test(rest))?.[0];
}
