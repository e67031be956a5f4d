import type { ColumnType, Kysely, Transaction } from 'kysely';
import type { Queryable, Tx } from '../db/client.ts';
import type { Database } from '../db/schema.ts';

/**
 * The tables of migrations/0022_admission.sql, typed for Kysely here (db/schema.ts stays as it
 * is): `admDb(db)` / `admTx(tx)` give a view of the database that knows them.
 */
type Timestamp = ColumnType<Date, Date | string, Date | string>;

export type QuotaRowTable = {
  period: 'month' | 'quarter';
  max_items: number | null;
  updated_by: string | null;
  updated_at: Timestamp;
};

export type AdmissionTables = {
  admission_kind_quotas: QuotaRowTable & { unit_kind: string };
  admission_unit_quotas: QuotaRowTable & { unit_id: string };
  admission_entries: {
    item_id: string;
    unit_id: string;
    dispatched_on: string;
    request_id: string | null;
  };
  admission_requests: {
    id: string;
    item_id: string;
    unit_id: string;
    period: string;
    reason: string;
    status: 'pending' | 'approved' | 'rejected';
    requested_by: string;
    requested_at: Timestamp;
    decided_by: string | null;
    decided_at: Timestamp | null;
    decision_reason: ColumnType<string, string | undefined, string>;
  };
};

export type AdmDb = Kysely<Database & AdmissionTables>;
export type AdmTx = Transaction<Database & AdmissionTables>;

export function admDb(db: Queryable): AdmDb {
  return db.withTables<AdmissionTables>();
}

export function admTx(tx: Tx): AdmTx {
  return tx.withTables<AdmissionTables>();
}
