/** The task pool's API shapes (server/src/intake/store.ts viewOf, assist.ts). */
export type IntakeRecord = {
  id: string;
  trackingNo: string;
  channel: string;
  kind: string;
  title: string;
  content: string;
  regionCode: string;
  regionName: string | null;
  categoryCode: string | null;
  categoryName: string | null;
  address: string | null;
  contact: { name: string | null; phone: string | null; email: string | null };
  status: string;
  item: { id: string; number: string | null; title: string | null } | null;
  forwardedUnit: { id: string; name: string | null } | null;
  decisionReason: string | null;
  decidedAt: string | null;
  receivedAt: string;
};

export type DuplicateItem = {
  id: string;
  number: string;
  title: string;
  score: number;
  sharedPhrases: string[];
};

export type DuplicateRecord = {
  id: string;
  trackingNo: string;
  title: string;
  status: string;
  receivedAt: string;
  score: number;
  sharedPhrases: string[];
};

export type IntakeDetail = {
  record: IntakeRecord;
  duplicates: { items: DuplicateItem[]; records: DuplicateRecord[] };
  routing: {
    categories: { code: string; nameZh: string; score: number }[];
    leadUnits: { unitId: string; name: string; score: number }[];
  };
};

export const INTAKE_STATUSES = ['received', 'accepted', 'merged', 'forwarded', 'rejected'] as const;
export const INTAKE_CHANNELS = ['web', 'excel', 'extraction', 'api', 'open311', 'portal'] as const;

/** The source an accepted record's item gets by default (as the server's SOURCE_OF_CHANNEL). */
export const SOURCE_OF_CHANNEL: Record<string, string> = {
  portal: 'online_message',
  open311: 'online_message',
  extraction: 'work_report',
  web: 'superior_assignment',
  excel: 'superior_assignment',
  api: 'superior_assignment',
};
