import { type Expression, type RawBuilder, type SqlBool, sql } from 'kysely';
import type { Queryable } from '../db/client.ts';
import { isUnitInScope } from '../org/scope.ts';
import { type Actor, hasGrant, hasRole } from '../shared/actor.ts';
import { DomainError } from '../shared/errors.ts';
import type { Participant } from './lifecycle.ts';

/**
 * Data scope for items (who may see what), in SQL so lists are scoped by the database:
 * - supervisors, leaders and auditors: items whose assigning, supervising or assigned unit lies
 *   in their own region or a subordinate one;
 * - handlers and unit heads: items their own unit assigns, supervises or is assigned;
 * - evaluators: only the items assigned to them.
 * Admins manage the organisation and see no items. What one may not see answers 404.
 * A 敏感 item (sensitivity 'sensitive') needs more: the `sensitive:read` grant, or the actor's own
 * unit handles it (its assigning or supervising unit, or assigned as lead or collaborator), or the
 * actor registered it, or an evaluator assignment to it (sensitiveCondition).
 */
export function visibleTo(actor: Actor): Expression<SqlBool> {
  const scope = scopeOf(actor);
  if (hasGrant(actor, 'sensitive:read')) return scope;
  return sql<SqlBool>`(${scope} and ${sensitiveCondition(actor)})`;
}

/** SQL: the item is not 敏感, or the actor's unit handles it, or the actor registered or evaluates it. */
export function sensitiveCondition(actor: Pick<Actor, 'userId' | 'unitId'>): Expression<SqlBool> {
  return sql<SqlBool>`(i.sensitivity <> 'sensitive' or i.created_by = ${actor.userId}
    or i.assigning_unit_id = ${actor.unitId} or i.supervising_unit_id = ${actor.unitId}
    or exists (select 1 from assignments sa where sa.item_id = i.id and sa.unit_id = ${actor.unitId})
    or exists (select 1 from evaluator_assignments se where se.item_id = i.id and se.user_id = ${actor.userId}))`;
}

function scopeOf(actor: Actor): Expression<SqlBool> {
  const involved: RawBuilder<boolean>[] = [];
  if (hasRole(actor, 'supervisor', 'leader', 'auditor')) {
    const path = actor.regionPath;
    involved.push(sql<boolean>`(iu.region_path = ${path} or iu.region_path like ${`${path}.%`})`);
  }
  if (hasRole(actor, 'handler', 'unit_head')) involved.push(sql<boolean>`iu.unit_id = ${actor.unitId}`);
  const branches: RawBuilder<boolean>[] = [];
  if (involved.length > 0) {
    // One semi-join over item_units (kept by the commands), answered from its indexes.
    branches.push(
      sql<boolean>`i.id in (select iu.item_id from item_units iu where ${sql.join(involved, sql` or `)})`,
    );
  }
  if (hasRole(actor, 'evaluator')) {
    branches.push(
      sql<boolean>`i.id in (select e.item_id from evaluator_assignments e where e.user_id = ${actor.userId})`,
    );
  }
  if (branches.length === 0) return sql<SqlBool>`false`;
  return sql<SqlBool>`(${sql.join(branches, sql` or `)})`;
}

/** What a drill-down shows for a 敏感 item the actor may not open. */
export const SENSITIVE_PLACEHOLDER_ZH = '（敏感事项，需授权查看）';

/**
 * Aggregates (cockpit, KPI) count every item of the region; their drill-downs list the same items
 * so "figure == drill-down total" holds for everyone, but a 敏感 item the actor may not see
 * (visibleTo) is listed without its title (`redacted: true`), and opening it answers 404.
 */
export async function redactSensitive<T extends { id: string; title: string }>(
  db: Queryable,
  actor: Actor,
  rows: readonly T[],
): Promise<(T & { redacted?: true })[]> {
  if (rows.length === 0 || hasGrant(actor, 'sensitive:read')) return [...rows];
  const hidden = await db
    .selectFrom('items as i')
    .select('i.id')
    .where(
      'i.id',
      'in',
      rows.map((r) => r.id),
    )
    // `is not true`: a null supervising unit makes the condition null, and null is not visible either.
    .where(sql<SqlBool>`${sensitiveCondition(actor)} is not true`)
    .execute();
  const ids = new Set(hidden.map((h) => h.id));
  return rows.map((r) => (ids.has(r.id) ? { ...r, title: SENSITIVE_PLACEHOLDER_ZH, redacted: true } : r));
}

export async function canSeeItem(db: Queryable, actor: Actor, itemId: string): Promise<boolean> {
  const row = await db
    .selectFrom('items as i')
    .select('i.id')
    .where('i.id', '=', itemId)
    .where(visibleTo(actor))
    .executeTakeFirst();
  return row !== undefined;
}

/** The actor as the lifecycle sees them: a supervisor supervises items assigned from their region. */
export async function participantFor(
  db: Queryable,
  actor: Actor,
  assigningUnitId: string,
): Promise<Participant> {
  const supervises =
    hasRole(actor, 'supervisor') &&
    (actor.unitId === assigningUnitId || (await isUnitInScope(db, actor, assigningUnitId)));
  return { userId: actor.userId, unitId: actor.unitId, roles: actor.roles, supervises };
}

/** Whether the actor can see an item whose progress reports attach the file with this hash. */
export async function canReadAttachment(db: Queryable, actor: Actor, sha256: string): Promise<boolean> {
  const row = await db
    .selectFrom('items as i')
    .select('i.id')
    .where(visibleTo(actor))
    .where(
      sql<boolean>`exists (select 1 from progress_reports p where p.item_id = i.id
        and p.attachments @> ${JSON.stringify([{ sha256 }])}::jsonb)`,
    )
    .limit(1)
    .executeTakeFirst();
  return row !== undefined;
}

/** 立项 is a supervisor's act: the item is assigned by the supervisor's own unit. */
export function assertMayRegisterItems(actor: Actor): void {
  if (!hasRole(actor, 'supervisor'))
    throw new DomainError('FORBIDDEN', {
      zh: '只有督查员可以立项',
      en: 'Only supervisors may register items',
    });
}
