import type { Role, UnitKind, Urgency } from '@duban/schema';
import type { LadderStep, LightRule } from '../../api/types.ts';

/** Shapes of the administration API (server/src/org/admin-routes.ts, server/src/items/categories.ts). */

export type Region = { code: string; name: string; level: number; parentCode: string | null };

export type AdminUnit = {
  id: string;
  name: string;
  shortName: string | null;
  kind: string;
  regionCode: string;
  regionName: string;
  parentId: string | null;
  sortOrder: number;
  active: boolean;
  /** 单位负责人审批 (migration 0024). */
  requireHeadApproval: boolean;
};

export type AdminUser = {
  id: string;
  username: string;
  displayName: string;
  roles: Role[];
  active: boolean;
  unit: { id: string; name: string };
  region: { code: string; name: string };
};

export type IndicatorTemplate = { key: string; name: string; unit: string; target?: number | null };

/** GET /api/v1/categories: a category with its indicator templates and a summary of its rules. */
export type CategoryView = {
  code: string;
  name: string;
  description: string;
  acceptanceCriteria: string;
  defaultUrgency: Urgency | null;
  indicators: IndicatorTemplate[];
  sortOrder: number;
  rules: {
    lightRule: LightRule;
    escalationLadder: LadderStep[];
    custom: { lightRule: boolean; escalationLadder: boolean };
  };
};

export type { UnitKind };
