/** The evaluation, 回头看, bulletin and scorecard API's answers as these pages read them. */

export type Scores = {
  quality: number;
  timeliness: number;
  effectiveness: number;
  score: number;
  comment: string;
  scoredAt: string | null;
};

export type EvaluatorStatus = 'assigned' | 'declared' | 'withdrawn' | 'scored';

/** GET /api/v1/items/{id}/evaluation: an evaluator sees only their own part (blind). */
export type ItemEvaluation =
  | {
      itemId: string;
      blind: true;
      mine: { status: EvaluatorStatus; hasConflict: boolean | null; scores: Scores | null } | null;
    }
  | FullEvaluation;

/** What supervisors, leaders and auditors see; `evaluators.detail` only for the item's supervisors. */
export type FullEvaluation = {
  itemId: string;
  blind: false;
  rubric: { score: number } | null;
  evaluators: {
    mean: number | null;
    count: number;
    assigned: number;
    detail?: {
      userId: string;
      displayName: string;
      status: EvaluatorStatus;
      hasConflict: boolean | null;
      scores: Scores | null;
    }[];
  };
  satisfaction: {
    count: number;
    counts: { satisfied: number; basic: number; unsatisfied: number };
    score: number | null;
  };
  reworkProposed: boolean;
  weights: { supervisor: number; thirdParty: number; satisfaction: number };
  composite: { score: number | null; missing: string[] };
};

export type OrgUser = {
  id: string;
  username: string;
  displayName: string;
  roles: string[];
  active: boolean;
};

export type Assignment = {
  itemId: string;
  number: string;
  title: string;
  itemStatus: string;
  status: EvaluatorStatus;
  hasConflict: boolean | null;
  assignedAt: string;
  myScores: Scores | null;
};

export type Followup = {
  id: string;
  itemId: string;
  itemNumber: string;
  itemTitle: string;
  reason: string | null;
  dueOn: string;
  status: string;
  reviewer: { id: string; displayName: string } | null;
  outcome: 'consolidated' | 'rebound' | null;
  findings: string | null;
  rectificationItemId: string | null;
};
