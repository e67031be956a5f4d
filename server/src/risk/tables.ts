import type { ColumnType, Kysely } from 'kysely';
import type { Database } from '../db/schema.ts';

/** Kysely's view of the tables of migrations/0023_risk.sql (kept here, beside the code using them). */
type Timestamp = ColumnType<Date, Date | string, Date | string>;
type Json<T> = ColumnType<T, string, string>;

export type RiskTables = {
  risk_models: {
    version: string;
    trained_at: Timestamp;
    params: Json<unknown>;
    metrics: Json<unknown>;
  };
  item_risk: {
    item_id: string;
    lead_unit_id: string | null;
    probability: number;
    level: 'low' | 'medium' | 'high';
    factors: Json<unknown>;
    scored_at: Timestamp;
    model_version: string;
  };
};

/** The database (or transaction) with the risk tables typed as well. */
export function riskDb(db: Kysely<Database>): Kysely<Database & RiskTables> {
  return db.withTables<RiskTables>();
}
