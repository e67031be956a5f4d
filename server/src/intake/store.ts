import crypto from 'node:crypto';
import {
  INTAKE_STATUS_NAMES_ZH,
  type IntakeChannel,
  type IntakeKind,
  type IntakeStatus,
  type ListIntakeParams,
} from '@duban/schema';
import { type Kysely, type Selectable, type SqlBool, sql } from 'kysely';
import type { Queryable, Tx } from '../db/client.ts';
import type { Database } from '../db/schema.ts';
import { appendEvents } from '../events/append.ts';
import { isRegionPathInScope, isUuid, regionSubtreeCondition } from '../org/scope.ts';
import type { Actor } from '../shared/actor.ts';
import { DomainError, notFound } from '../shared/errors.ts';
import { maskEmail, maskName, maskPersonalText, maskPhone } from '../shared/pii.ts';
import { shanghaiYear } from '../shared/time.ts';
import { onIntakeReceived } from './assist.ts';

/** Kysely's view of migrations/0016_intake.sql. */
export type IntakeRecordTable = {
  id: string;
  tracking_no: string;
  channel: IntakeChannel;
  kind: IntakeKind;
  title: string;
  content: string;
  region_code: string;
  category_code: string | null;
  service_code: string | null;
  lat: number | null;
  long: number | null;
  address: string | null;
  contact_name: string | null;
  contact_phone: string | null;
  contact_email: string | null;
  status: IntakeStatus;
  item_id: string | null;
  forwarded_unit_id: string | null;
  decision_reason: string | null;
  decided_by: string | null;
  decided_at: Date | null;
  created_by: string | null;
  received_at: Date;
};
export type IntakeRow = Selectable<IntakeRecordTable>;
export type IntakeDatabase = Database & { intake_records: IntakeRecordTable };

/** The database (or transaction) with the intake table in its type. */
export function idb(db: Queryable): Kysely<IntakeDatabase> {
  return db.withTables<{ intake_records: IntakeRecordTable }>();
}

const CROCKFORD = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';

/** TS-2026-XXXXXXXX: 40 random bits in Crockford base32 — public, and not guessable. */
export function newTrackingNo(now: Date): string {
  const bytes = crypto.randomBytes(5);
  let bits = 0n;
  for (const b of bytes) bits = (bits << 8n) | BigInt(b);
  let out = '';
  for (let i = 0; i < 8; i++) {
    out = CROCKFORD[Number(bits & 31n)] + out;
    bits >>= 5n;
  }
  return `TS-${shanghaiYear(now)}-${out}`;
}

/** The contact maskers live with the free-text ones (shared/pii.ts); re-exported for this module's users. */
export { maskEmail, maskName, maskPhone };

export type NewIntake = {
  channel: IntakeChannel;
  kind: IntakeKind;
  title: string;
  content: string;
  regionCode: string;
  categoryCode?: string | undefined;
  serviceCode?: string | undefined;
  lat?: number | undefined;
  long?: number | undefined;
  address?: string | undefined;
  contactName?: string | undefined;
  contactPhone?: string | undefined;
  contactEmail?: string | undefined;
};

/** Field-level problems of a record's references (region, category), without writing anything. */
export async function checkIntakeReferences(
  db: Queryable,
  input: Pick<NewIntake, 'regionCode' | 'categoryCode'>,
  opts: { fieldPrefix: string; actor?: Actor | undefined },
): Promise<{ field: string; message: string; messageZh: string }[]> {
  const issues: { field: string; message: string; messageZh: string }[] = [];
  const region = await db
    .selectFrom('regions')
    .select(['code', 'path'])
    .where('code', '=', input.regionCode)
    .executeTakeFirst();
  if (!region) {
    issues.push({
      field: `${opts.fieldPrefix}regionCode`,
      message: 'unknown region',
      messageZh: '行政区划不存在',
    });
  } else if (opts.actor && !isRegionPathInScope(opts.actor, region.path)) {
    issues.push({
      field: `${opts.fieldPrefix}regionCode`,
      message: 'the region is outside your data scope',
      messageZh: '行政区划不在您的管辖范围内',
    });
  }
  if (input.categoryCode !== undefined) {
    const category = await db
      .selectFrom('categories')
      .select('code')
      .where('code', '=', input.categoryCode)
      .executeTakeFirst();
    if (!category)
      issues.push({
        field: `${opts.fieldPrefix}categoryCode`,
        message: 'unknown category',
        messageZh: '分类不存在',
      });
  }
  return issues;
}

/** The top-level region of the instance (where a citizen's record without a region goes). */
export async function defaultRegionCode(db: Queryable): Promise<string | undefined> {
  const row = await db
    .selectFrom('regions')
    .select('code')
    .where('parent_code', 'is', null)
    .orderBy('code')
    .limit(1)
    .executeTakeFirst();
  return row?.code;
}

/**
 * Inserts one record (status received) and its intake.received event in the caller's
 * transaction. References must have been checked (checkIntakeReferences).
 */
export async function insertIntake(
  tx: Tx,
  input: NewIntake,
  meta: { actorId: string | null; now: Date },
): Promise<IntakeRow> {
  const db = idb(tx);
  let trackingNo = newTrackingNo(meta.now);
  // 40 random bits: a clash is rare, but never let it become an error.
  while (
    await db
      .selectFrom('intake_records')
      .select('id')
      .where('tracking_no', '=', trackingNo)
      .executeTakeFirst()
  ) {
    trackingNo = newTrackingNo(meta.now);
  }
  const row = await db
    .insertInto('intake_records')
    .values({
      id: crypto.randomUUID(),
      tracking_no: trackingNo,
      channel: input.channel,
      kind: input.kind,
      title: input.title,
      content: input.content,
      region_code: input.regionCode,
      category_code: input.categoryCode ?? null,
      service_code: input.serviceCode ?? null,
      lat: input.lat ?? null,
      long: input.long ?? null,
      address: input.address ?? null,
      contact_name: input.contactName ?? null,
      contact_phone: input.contactPhone ?? null,
      contact_email: input.contactEmail ?? null,
      status: 'received',
      item_id: null,
      forwarded_unit_id: null,
      decision_reason: null,
      decided_by: null,
      decided_at: null,
      created_by: meta.actorId,
      received_at: meta.now,
    })
    .returningAll()
    .executeTakeFirstOrThrow();
  await appendEvents(
    tx,
    [
      {
        type: 'intake.received',
        intakeId: row.id,
        trackingNo,
        channel: input.channel,
        kind: input.kind,
        regionCode: input.regionCode,
        categoryCode: input.categoryCode ?? null,
      },
    ],
    { actorId: meta.actorId, at: meta.now },
  );
  await onIntakeReceived(tx, row, meta.now);
  return row;
}

export function intakeNotFound(): DomainError {
  return notFound('NOT_FOUND', { zh: '受理记录', en: 'intake record' });
}

/** Supervisors triage the pool; everyone else is refused (403). */
export function assertMayUseIntake(actor: Actor): void {
  if (!actor.roles.includes('supervisor'))
    throw new DomainError('FORBIDDEN', {
      zh: '只有督查员可以使用统一受理',
      en: 'Only supervisors may use the task pool',
    });
}

/** SQL: the record's region lies in the actor's region subtree. */
function inScope(actor: Actor) {
  return sql<SqlBool>`exists (select 1 from regions rg where rg.code = ir.region_code and ${regionSubtreeCondition(
    actor.regionPath,
    'rg.path',
  )})`;
}

function baseQuery(db: Queryable) {
  return idb(db)
    .selectFrom('intake_records as ir')
    .innerJoin('regions as r', 'r.code', 'ir.region_code')
    .leftJoin('categories as c', 'c.code', 'ir.category_code')
    .leftJoin('items as i', 'i.id', 'ir.item_id')
    .leftJoin('units as fu', 'fu.id', 'ir.forwarded_unit_id')
    .leftJoin('users as du', 'du.id', 'ir.decided_by')
    .selectAll('ir')
    .select([
      'r.name as region_name',
      'c.name as category_name',
      'i.number as item_number',
      'i.title as item_title',
      'i.status as item_status',
      'fu.name as forwarded_unit_name',
      'du.display_name as decided_by_name',
    ]);
}

type ViewRow = IntakeRow & {
  region_name: string;
  category_name: string | null;
  item_number: string | null;
  item_title: string | null;
  item_status: string | null;
  forwarded_unit_name: string | null;
  decided_by_name: string | null;
};

/**
 * A record as the API shows it: contact data, and personal data inside the title, text, address
 * and decision reason, masked for every reader (shared/pii.ts; the unmasked contact: pii-routes.ts).
 */
export function viewOf(row: ViewRow) {
  return {
    id: row.id,
    trackingNo: row.tracking_no,
    channel: row.channel,
    kind: row.kind,
    title: maskPersonalText(row.title),
    content: maskPersonalText(row.content),
    regionCode: row.region_code,
    regionName: row.region_name,
    categoryCode: row.category_code,
    categoryName: row.category_name,
    serviceCode: row.service_code,
    lat: row.lat,
    long: row.long,
    address: maskPersonalText(row.address),
    contact: {
      name: maskName(row.contact_name),
      phone: maskPhone(row.contact_phone),
      email: maskEmail(row.contact_email),
    },
    status: row.status,
    statusNameZh: INTAKE_STATUS_NAMES_ZH[row.status],
    item: row.item_id ? { id: row.item_id, number: row.item_number, title: row.item_title } : null,
    forwardedUnit: row.forwarded_unit_id
      ? { id: row.forwarded_unit_id, name: row.forwarded_unit_name }
      : null,
    decisionReason: maskPersonalText(row.decision_reason),
    decidedBy: row.decided_by ? { id: row.decided_by, name: row.decided_by_name } : null,
    decidedAt: row.decided_at?.toISOString() ?? null,
    receivedAt: row.received_at.toISOString(),
  };
}
export type IntakeView = ReturnType<typeof viewOf>;

export async function listIntake(db: Queryable, actor: Actor, params: ListIntakeParams) {
  let q = baseQuery(db).where(inScope(actor));
  if (params.status) q = q.where('ir.status', 'in', params.status);
  if (params.channel) q = q.where('ir.channel', 'in', params.channel);
  if (params.q) {
    const like = `%${params.q.replace(/[\\%_]/g, (m) => `\\${m}`)}%`;
    q = q.where((eb) =>
      eb.or([
        eb('ir.title', 'like', like),
        eb('ir.content', 'like', like),
        eb('ir.tracking_no', '=', params.q ?? ''),
      ]),
    );
  }
  const total = await q
    .clearSelect()
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .executeTakeFirstOrThrow();
  const rows = await q
    .orderBy('ir.received_at', 'desc')
    .orderBy('ir.id')
    .limit(params.limit)
    .offset(params.offset)
    .execute();
  return { records: rows.map(viewOf), total: Number(total.n), limit: params.limit, offset: params.offset };
}

/** One record in the actor's scope, or 404. */
export async function getIntake(db: Queryable, actor: Actor, id: string): Promise<IntakeView> {
  if (!isUuid(id)) throw intakeNotFound();
  const row = await baseQuery(db).where('ir.id', '=', id).where(inScope(actor)).executeTakeFirst();
  if (!row) throw intakeNotFound();
  return viewOf(row);
}

/** The records among `ids` in the actor's scope, in the order given. */
export async function getIntakeByIdsInScope(
  db: Queryable,
  actor: Actor,
  ids: string[],
): Promise<IntakeView[]> {
  if (ids.length === 0) return [];
  const rows = await baseQuery(db).where('ir.id', 'in', ids).where(inScope(actor)).execute();
  const byId = new Map(rows.map((r) => [r.id, viewOf(r)]));
  return ids.flatMap((id) => byId.get(id) ?? []);
}

export async function getIntakeByIds(db: Queryable, ids: string[]): Promise<IntakeView[]> {
  if (ids.length === 0) return [];
  const rows = await baseQuery(db).where('ir.id', 'in', ids).execute();
  const byId = new Map(rows.map((r) => [r.id, viewOf(r)]));
  return ids.flatMap((id) => byId.get(id) ?? []);
}

/** The records linked to an item (accepted into it or merged onto it), oldest first. */
export async function listIntakeOfItem(db: Queryable, itemId: string): Promise<IntakeView[]> {
  const rows = await baseQuery(db)
    .where('ir.item_id', '=', itemId)
    .orderBy('ir.received_at')
    .orderBy('ir.id')
    .execute();
  return rows.map(viewOf);
}

/** Locks a record in the actor's scope for a decision; 404 outside, 409 when already decided. */
export async function lockUndecided(tx: Tx, actor: Actor, id: string): Promise<IntakeRow> {
  if (!isUuid(id)) throw intakeNotFound();
  const row = await idb(tx)
    .selectFrom('intake_records as ir')
    .selectAll('ir')
    .where('ir.id', '=', id)
    .where(inScope(actor))
    .forUpdate()
    .executeTakeFirst();
  if (!row) throw intakeNotFound();
  if (row.status !== 'received')
    throw new DomainError(
      'TRANSITION_REFUSED',
      {
        zh: `该记录已处理（${INTAKE_STATUS_NAMES_ZH[row.status]}），不能再次处理`,
        en: `The record was already decided (${row.status})`,
      },
      { details: { status: row.status } },
    );
  return row;
}

export type Decision =
  | { status: 'accepted' | 'merged'; itemId: string; reason?: string | undefined }
  | { status: 'forwarded'; unitId: string; reason: string }
  | { status: 'rejected'; reason: string };

/** Records the decision and its event in the caller's transaction. */
export async function recordDecision(
  tx: Tx,
  actor: Actor,
  row: IntakeRow,
  decision: Decision,
  now: Date,
): Promise<void> {
  await idb(tx)
    .updateTable('intake_records')
    .set({
      status: decision.status,
      item_id: 'itemId' in decision ? decision.itemId : null,
      forwarded_unit_id: decision.status === 'forwarded' ? decision.unitId : null,
      decision_reason: decision.reason ?? null,
      decided_by: actor.userId,
      decided_at: now,
    })
    .where('id', '=', row.id)
    .where('status', '=', 'received')
    .execute();
  const meta = { actorId: actor.userId, at: now };
  switch (decision.status) {
    case 'accepted':
    case 'merged':
      await appendEvents(
        tx,
        [
          decision.status === 'accepted'
            ? { type: 'intake.accepted', intakeId: row.id, linkedItemId: decision.itemId }
            : { type: 'intake.merged', intakeId: row.id, linkedItemId: decision.itemId },
        ],
        meta,
      );
      break;
    case 'forwarded':
      await appendEvents(
        tx,
        [{ type: 'intake.forwarded', intakeId: row.id, unitId: decision.unitId, reason: decision.reason }],
        meta,
      );
      break;
    case 'rejected':
      await appendEvents(tx, [{ type: 'intake.rejected', intakeId: row.id, reason: decision.reason }], meta);
      break;
  }
}

/** How many records are linked to each of these items (accepted into or merged onto it). */
export async function linkedIntakeCounts(
  db: Queryable,
  itemIds: readonly string[],
): Promise<Map<string, number>> {
  if (itemIds.length === 0) return new Map();
  const rows = await idb(db)
    .selectFrom('intake_records')
    .select(['item_id', (eb) => eb.fn.countAll<number>().as('n')])
    .where('item_id', 'in', [...itemIds])
    .groupBy('item_id')
    .execute();
  return new Map(rows.flatMap((r) => (r.item_id === null ? [] : [[r.item_id, Number(r.n)] as const])));
}
