import type { QuotaPeriod } from '@duban/schema';

/** The evidence-ledger events of 督办事项准入 (events/types.ts lists them in DomainEvent). */
export type QuotaValue = { period: QuotaPeriod; limit: number | null };

export type AdmissionEvent =
  | {
      /** A unit's own quota or a kind's default set (`quota`) or removed (null). */
      type: 'admission.quota_changed';
      target: { unitId: string } | { unitKind: string };
      quota: QuotaValue | null;
      previous: QuotaValue | null;
    }
  | {
      type: 'item.over_quota_requested';
      itemId: string;
      requestId: string;
      unitId: string;
      period: string;
      used: number;
      limit: number;
      reason: string;
    }
  | { type: 'item.over_quota_approved'; itemId: string; requestId: string; unitId: string; reason: string }
  | { type: 'item.over_quota_rejected'; itemId: string; requestId: string; unitId: string; reason: string };
