import type { Queryable } from '../db/client.ts';
import type { ItemRow } from '../db/schema.ts';
import { itemNotFound } from '../items/perform-action.ts';
import { canSeeItem, participantFor } from '../items/policy.ts';
import { isUuid } from '../org/scope.ts';
import { activeUserIds } from '../org/users.ts';
import type { Actor } from '../shared/actor.ts';
import { DomainError } from '../shared/errors.ts';

/** 已办结: the statuses of an item whose result was accepted (evaluation and 回头看 apply). */
export const CLOSED_STATUSES = ['completed', 'evaluated', 'archived'] as const;

/** The item, if the actor may see it; else 404 (as every out-of-scope id). */
export async function loadVisibleItem(db: Queryable, actor: Actor, itemId: string): Promise<ItemRow> {
  if (!isUuid(itemId) || !(await canSeeItem(db, actor, itemId))) throw itemNotFound();
  const row = await db.selectFrom('items').selectAll().where('id', '=', itemId).executeTakeFirst();
  if (!row) throw itemNotFound();
  return row;
}

/** Whether the actor supervises the item (a supervisor over its assigning unit). */
export async function supervises(db: Queryable, actor: Actor, row: ItemRow): Promise<boolean> {
  return (await participantFor(db, actor, row.assigning_unit_id)).supervises;
}

/** 403 unless the actor supervises the item. */
export async function assertSupervises(db: Queryable, actor: Actor, row: ItemRow, what: string) {
  if (!(await supervises(db, actor, row)))
    throw new DomainError('FORBIDDEN', {
      zh: `只有负责该事项的督查员可以${what}`,
      en: 'Only a supervisor of this item may do this',
    });
}

/** 409 unless the item was completed (办结) and not reopened into another state. */
export function assertClosed(row: ItemRow) {
  if (!(CLOSED_STATUSES as readonly string[]).includes(row.status) || row.completed_at === null)
    throw new DomainError(
      'TRANSITION_REFUSED',
      { zh: '事项尚未办结', en: 'The item has not been completed' },
      { details: { itemStatus: row.status } },
    );
}

/** The supervisors of an item: of its assigning unit and of its supervising unit. */
export async function itemSupervisorIds(
  db: Queryable,
  row: Pick<ItemRow, 'assigning_unit_id' | 'supervising_unit_id'>,
): Promise<string[]> {
  const ids = [
    ...(await activeUserIds(db, row.assigning_unit_id, ['supervisor'])),
    ...(await activeUserIds(db, row.supervising_unit_id, ['supervisor'])),
  ];
  return [...new Set(ids)];
}
