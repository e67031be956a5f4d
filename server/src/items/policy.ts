import { type Expression, type SqlBool, sql } from 'kysely';
import type { Queryable } from '../db/client.ts';
import { type Actor, hasRole } from '../shared/actor.ts';
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
  const branches = [sql<boolean>`false`];
  const path = actor.regionPath;
  if (hasRole(actor, 'supervisor', 'leader', 'auditor')) {
    const inRegion = sql`(select r.code from regions r where r.path = ${path} or r.path like ${`${path}.%`})`;
    branches.push(sql<boolean>`i.region_code in ${inRegion}`);
    branches.push(sql<boolean>`exists (select 1 from assignments a join units u on u.id = a.unit_id
      where a.item_id = i.id and u.region_code in ${inRegion})`);
    branches.push(sql<boolean>`exists (select 1 from units u where u.id = i.supervising_unit_id
      and u.region_code in ${inRegion})`);
  }
  if (hasRole(actor, 'handler', 'unit_head')) {
    branches.push(sql<boolean>`i.assigning_unit_id = ${actor.unitId}`);
    branches.push(sql<boolean>`i.supervising_unit_id = ${actor.unitId}`);
    branches.push(
      sql<boolean>`exists (select 1 from assignments a where a.item_id = i.id and a.unit_id = ${actor.unitId})`,
    );
  }
  if (hasRole(actor, 'evaluator')) {
    branches.push(
      sql<boolean>`exists (select 1 from evaluator_assignments e where e.item_id = i.id and e.user_id = ${actor.userId})`,
    );
  }
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

/** Whether a unit lies in the actor's own region or a subordinate one. */
export async function unitInActorRegion(db: Queryable, actor: Actor, unitId: string): Promise<boolean> {
  const row = await db
    .selectFrom('units as u')
    .innerJoin('regions as r', 'r.code', 'u.region_code')
    .select('u.id')
    .where('u.id', '=', unitId)
    .where((eb) =>
      eb.or([eb('r.path', '=', actor.regionPath), eb('r.path', 'like', `${actor.regionPath}.%`)]),
    )
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
    (actor.unitId === assigningUnitId || (await unitInActorRegion(db, actor, assigningUnitId)));
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
