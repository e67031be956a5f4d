import type { ItemAction, ItemStatus, Light, Role, Sensitivity, Source, Urgency } from '@duban/schema';

/** Response shapes of the API as the web app reads them (see /api/v1/openapi.json). */

export type Me = {
  id: string;
  username: string;
  displayName: string;
  roles: Role[];
  unit: { id: string; name: string };
  region: { code: string; name: string };
};

export type ItemSummary = {
  id: string;
  number: string;
  title: string;
  status: ItemStatus;
  statusName: string;
  categoryCode: string;
  urgency: Urgency;
  deadline: string;
  progress: number;
  light: Light | null;
  assigningUnitName: string;
  leadUnitName: string | null;
  isDemo: boolean;
  version: number;
};

export type ItemPage = { items: ItemSummary[]; nextCursor: string | null };

export type AssignmentRole = 'lead' | 'collaborator';

export type Assignment = {
  unitId: string;
  unitName: string;
  role: AssignmentRole;
  deadline: string;
  status: 'pending' | 'accepted' | 'returned';
  progress: number;
  acceptedAt: string | null;
  returnReason: string | null;
  pendingExtension: { newDeadline: string; reason: string } | null;
  light: Light | null;
};

export type Target = { key: string; name: string; unit: string; target: number };

export type ItemDetail = {
  id: string;
  number: string;
  title: string;
  content: string;
  source: Source;
  categoryCode: string;
  urgency: Urgency;
  sensitivity: Sensitivity;
  status: ItemStatus;
  statusName: string;
  light: Light | null;
  assigningUnit: { id: string; name: string | null };
  supervisingUnit: { id: string; name: string | null } | null;
  responsiblePersons: { name: string; title: string }[];
  deadline: string;
  milestones: { name: string; date: string }[];
  targets: Target[];
  progress: number;
  isPublic: boolean;
  isDemo: boolean;
  completionRequest: { summary: string; requestedAt: string } | null;
  createdAt: string;
  dispatchedAt: string | null;
  dueAt: string | null;
  completedAt: string | null;
  version: number;
  assignments: Assignment[];
  allowedActions: ItemAction[];
};

export type ItemEvent = {
  seq: number;
  id: string;
  type: string;
  at: string;
  actor: { id: string; name: string | null } | null;
};

export type Attachment = { sha256: string; name: string };

export type ProgressReport = {
  id: string;
  unitName: string;
  authorName: string;
  percent: number;
  narrative: string;
  problems: string;
  nextSteps: string;
  attachments: Attachment[];
  createdAt: string;
};

export type Remark = { id: string; kind: string; body: string; authorName: string; createdAt: string };

export type Category = { code: string; name: string; description: string };

export type Unit = { id: string; name: string; shortName: string | null; regionName: string };

export type StoredFile = { sha256: string; sizeBytes: number; mediaType: string; name: string };
