import { z } from 'zod';
import { UNIT_KINDS } from './org.ts';

/**
 * 督办事项准入 (admission control): how many items a unit may receive as lead (牵头) per month or
 * quarter, and over-quota approvals by a leader. Request schemas of server/src/admission.
 */

export const QUOTA_PERIODS = ['month', 'quarter'] as const;
export type QuotaPeriod = (typeof QUOTA_PERIODS)[number];
export const QUOTA_PERIOD_NAMES_ZH: { [P in QuotaPeriod]: string } = { month: '每月', quarter: '每季度' };

export const ADMISSION_REQUEST_STATUSES = ['pending', 'approved', 'rejected'] as const;
export type AdmissionRequestStatus = (typeof ADMISSION_REQUEST_STATUSES)[number];
export const ADMISSION_REQUEST_STATUS_NAMES_ZH: { [S in AdmissionRequestStatus]: string } = {
  pending: '待审批',
  approved: '已批准',
  rejected: '已驳回',
};

const uuid = z.uuid();
const reason = z.string().trim().min(1).max(2000);

/**
 * A unit's own quota (unitId) or the default of a kind of unit (unitKind): exactly one of them.
 * `limit` null means no limit; `inherit: true` (unitId only) removes the unit's own quota so the
 * default of its kind applies again.
 */
export const QuotaBody = z
  .object({
    unitId: uuid.optional(),
    unitKind: z.enum(UNIT_KINDS).optional(),
    period: z.enum(QUOTA_PERIODS).default('month'),
    limit: z.number().int().min(0).max(100_000).nullable().optional(),
    inherit: z.literal(true).optional(),
  })
  .strict();
export type QuotaInput = z.infer<typeof QuotaBody>;

/** 'YYYY-MM' (a month; Asia/Shanghai). */
export const PeriodMonth = z.string().regex(/^\d{4}-(0[1-9]|1[0-2])$/, 'a month YYYY-MM');

export const UsageQuery = z
  .object({ period: PeriodMonth.optional(), all: z.enum(['true', 'false']).optional() })
  .strict();

export const UnitUsageParams = z.object({ unitId: uuid }).strict();

export const AdmissionRequestBody = z.object({ itemId: uuid, unitId: uuid, reason }).strict();

export const AdmissionDecisionBody = z.object({ reason: z.string().trim().max(2000).default('') }).strict();
export const AdmissionRejectBody = z.object({ reason }).strict();

export const AdmissionRequestParams = z.object({ id: uuid }).strict();

export const AdmissionRequestsQuery = z
  .object({ status: z.enum(ADMISSION_REQUEST_STATUSES).optional(), itemId: uuid.optional() })
  .strict();
