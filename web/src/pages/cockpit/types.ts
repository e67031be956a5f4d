import type { ItemStatus } from '@duban/schema';

/** GET /api/v1/cockpit/overview and /api/v1/cockpit/items, as the cockpit reads them. */

export type Counts = {
  due: number;
  completed: number;
  onTimeDue: number;
  onTime: number;
  overdue: number;
  workingDays: number;
  workingDaysOf: number;
};

export type KpiFigure = {
  code: string;
  nameZh: string;
  nameEn: string;
  unit: string;
  direction: 'higher_better' | 'lower_better';
  numerator: number | null;
  denominator: number | null;
  value: number | null;
  noData: { zh: string; en: string } | null;
};

export type OpenItem = {
  id: string;
  number: string;
  title: string;
  status: ItemStatus;
  categoryCode: string;
  leadUnitId: string | null;
  leadUnitName: string | null;
  regionCode: string;
  deadline: string;
  overdue: boolean;
};

export type Overview = {
  region: { code: string; name: string; level: number; parentCode: string | null };
  from: string;
  to: string;
  kpis: KpiFigure[];
  trend: ({ month: string } & Counts)[];
  regions: ({ code: string; name: string } & Counts)[];
  categories: ({ code: string; name: string } & Counts)[];
  units: { total: number; best: UnitCounts[]; lagging: UnitCounts[] };
  open: { total: number; byStatus: { status: ItemStatus; count: number }[] };
  overdue: { total: number; items: OpenItem[] };
};

export type UnitCounts = { id: string; name: string } & Counts;

export type OpenItemsPage = { total: number; limit: number; offset: number; items: OpenItem[] };

export type KpiItemsPage = {
  code: string;
  part: 'numerator' | 'denominator';
  total: number;
  sum: number;
  limit: number;
  offset: number;
  items: {
    id: string;
    number: string;
    title: string;
    status: ItemStatus;
    leadUnitName: string | null;
    periodMonth: string;
    deadline: string;
    completedOn: string | null;
    value: number;
  }[];
};

/** What a drill-down lists: a KPI figure's part, or open items of a region (a status, or overdue). */
export type Drill =
  | {
      kind: 'kpi';
      code: string;
      part: 'numerator' | 'denominator';
      dimension: 'region' | 'unit' | 'category';
      key: string;
      /** For dimension=category: the region within which. */
      region?: string;
      from: string;
      to: string;
      /** What the figure is about (a region, unit or category name), shown in the title. */
      label: string;
    }
  | { kind: 'open'; region: string; status?: ItemStatus; overdue?: boolean; label: string };

/** The drill-down page's address for a figure. */
export function drillHref(d: Drill): string {
  const p = new URLSearchParams();
  for (const [k, v] of Object.entries(d)) if (v !== undefined && v !== false) p.set(k, String(v));
  return `/cockpit/drill?${p}`;
}

/** Percent with one decimal, or null. */
export const percent = (n: number, d: number): number | null =>
  d === 0 ? null : Math.round((n / d) * 1000) / 10;
