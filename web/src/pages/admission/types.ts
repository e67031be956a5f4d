/** The admission API's answers (server/src/admission). */
export type UnitUsage = {
  unitId: string;
  unitName: string;
  unitKind: string;
  regionCode: string;
  quotaSource: 'unit' | 'kind' | 'none';
  periodKind: 'month' | 'quarter';
  period: string;
  from: string;
  to: string;
  limit: number | null;
  used: number;
  pending: number;
};

export type AdmissionRequest = {
  id: string;
  itemId: string;
  itemNumber: string;
  itemTitle: string;
  unitId: string;
  unitName: string;
  period: string;
  reason: string;
  status: 'pending' | 'approved' | 'rejected';
  requestedByName: string;
  requestedAt: string;
  decidedAt: string | null;
  decisionReason: string;
};

export type KindQuota = { unitKind: string; period: 'month' | 'quarter'; limit: number | null };
