import type { ColumnType, Generated, Kysely, Transaction } from 'kysely';
import type { Queryable, Tx } from '../db/client.ts';
import type { Database } from '../db/schema.ts';

/**
 * The tables of migrations/0018_evaluation.sql, typed for Kysely here (db/schema.ts stays as it
 * is): `evalDb(db)` / `evalTx(tx)` give a view of the database that knows them.
 */
type Timestamp = ColumnType<Date, Date | string, Date | string>;
type Numeric = ColumnType<string, number | string, number | string>;

export type ThirdPartyEvaluationTable = {
  id: string;
  item_id: string;
  user_id: string;
  status: 'assigned' | 'declared' | 'withdrawn' | 'scored';
  assigned_by: string;
  assigned_at: Timestamp;
  has_conflict: boolean | null;
  conflict_statement: Generated<string>;
  declared_at: Timestamp | null;
  quality: Numeric | null;
  timeliness: Numeric | null;
  effectiveness: Numeric | null;
  score: Numeric | null;
  comment: Generated<string>;
  scored_at: Timestamp | null;
};

export type SatisfactionLinkTable = {
  id: string;
  item_id: string;
  token_hash: string;
  created_by: string;
  created_at: Timestamp;
  expires_at: Timestamp;
  used_at: Timestamp | null;
};

export type SatisfactionRatingTable = {
  id: string;
  item_id: string;
  link_id: string | null;
  rating: 'satisfied' | 'basic' | 'unsatisfied';
  comment: Generated<string>;
  rework_proposed: Generated<boolean>;
  rated_at: Timestamp;
};

export type EvaluationWeightTable = {
  id: Generated<boolean>;
  supervisor: Numeric;
  third_party: Numeric;
  satisfaction: Numeric;
  updated_by: string | null;
  updated_at: Timestamp;
};

export type FollowupScheduleTable = {
  category_code: string;
  months_after: number[];
  updated_at: Timestamp;
};

export type FollowupReviewTable = {
  id: string;
  item_id: string;
  source: 'schedule' | 'complaint';
  months_after: number | null;
  reason: Generated<string>;
  due_on: string;
  reviewer_id: string | null;
  assigned_by: string | null;
  assigned_at: Timestamp | null;
  outcome: 'consolidated' | 'rebound' | null;
  findings: Generated<string>;
  decided_at: Timestamp | null;
  decided_by: string | null;
  rectification_item_id: string | null;
  notified_at: Timestamp | null;
  created_at: Timestamp;
};

export type EvaluationTables = {
  third_party_evaluations: ThirdPartyEvaluationTable;
  satisfaction_links: SatisfactionLinkTable;
  satisfaction_ratings: SatisfactionRatingTable;
  evaluation_weights: EvaluationWeightTable;
  followup_schedules: FollowupScheduleTable;
  followup_reviews: FollowupReviewTable;
};

export type EvalDb = Kysely<Database & EvaluationTables>;
export type EvalTx = Transaction<Database & EvaluationTables>;

export function evalDb(db: Queryable): EvalDb {
  return db.withTables<EvaluationTables>();
}

export function evalTx(tx: Tx): EvalTx {
  return tx.withTables<EvaluationTables>();
}
