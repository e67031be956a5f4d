import { type Expression, type RawBuilder, type SqlBool, sql } from 'kysely';
import type { Queryable } from '../db/client.ts';
import { isUnitInScope } from '../org/scope.ts';
import { type Actor, hasRole } from '../shared/actor.ts';
import { DomainError } from '../shared/errors.ts';
import type { Participant } from './lifecycle.ts';

/**
 * Data scope for items (who may see what), in SQL so lists are scoped by the database:
 * - supervisors, leaders and auditors: items whose assigning, supervising or assigned unit lies
 *   in their own region or a subordinate one;
 * - handlers and unit heads: items their own unit assigns, supervises or is assigned;
 * - evaluators: only the items assigned to them.
 * Admins manage the organisation and see no items. What one may not see answers 404.
 */
export function visibleTo(actor: Actor): Expression<SqlBool> {
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
