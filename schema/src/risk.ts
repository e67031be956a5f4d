import { z } from 'zod';

/** 滞后风险 (lag risk): levels 低 < 0.3 ≤ 中 < 0.6 ≤ 高. */
export const RISK_LEVELS = ['low', 'medium', 'high'] as const;
export type RiskLevel = (typeof RISK_LEVELS)[number];

const RegionCode = z.string().regex(/^\d{6}$/, 'a 6-digit GB/T 2260 code');

export const RiskOverviewQuery = z.object({ region: RegionCode.optional() }).strict();

export const RiskItemsQuery = z
  .object({
    /** Open scored items of this region subtree (default the caller's own region). */
    region: RegionCode.optional(),
    /** Led by this unit. */
    unit: z.uuid().optional(),
    category: z.string().min(1).max(64).optional(),
    level: z.enum(RISK_LEVELS).optional(),
    /** Instead of a region: these items (comma-separated ids, at most 200), as far as the caller sees them. */
    ids: z
      .string()
      .max(200 * 37)
      .transform((v) => v.split(',').filter((s) => s !== ''))
      .pipe(z.array(z.uuid()).min(1).max(200))
      .optional(),
    limit: z.coerce.number().int().min(1).max(500).default(50),
    offset: z.coerce.number().int().min(0).max(1_000_000).default(0),
  })
  .strict();

/** POST /api/v1/risk/train takes no options: an empty object (or no body). */
export const RiskTrainBody = z.object({}).strict().optional();

export const RiskItemParams = z.object({ id: z.uuid() }).strict();

export type RiskFactor = { feature: string; zh: string; en: string; value: number; contribution: number };

/** An item's latest score. */
export type ItemRisk = {
  probability: number;
  level: RiskLevel;
  topFactors: RiskFactor[];
  scoredAt: string;
  modelVersion: string;
};

export type RiskCounts = { count: number; low: number; medium: number; high: number; mean: number };

export type RiskModelInfo = {
  version: string;
  trainedAt: string;
  kind: 'fitted' | 'prior';
  auc: number | null;
  brier: number | null;
  rollingAuc: number | null;
  testSnapshots: number;
};

export type RiskOverview = {
  region: { code: string; name: string };
  model: RiskModelInfo | null;
  totals: RiskCounts;
  regions: ({ code: string; name: string } & RiskCounts)[];
  units: ({ id: string; name: string } & RiskCounts)[];
  categories: ({ code: string; name: string } & RiskCounts)[];
  /** Unit × category cells with items. */
  cells: ({ unitId: string; categoryCode: string } & RiskCounts)[];
};

export type RiskItem = {
  id: string;
  number: string;
  title: string;
  status: string;
  categoryCode: string;
  leadUnitId: string | null;
  leadUnitName: string | null;
  regionCode: string;
  deadline: string;
} & ItemRisk;

export type RiskItemsPage = { total: number; limit: number; offset: number; items: RiskItem[] };
