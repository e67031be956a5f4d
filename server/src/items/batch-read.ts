import { lightFor } from '../clock/light.ts';
import type { Queryable } from '../db/client.ts';
import type { Actor } from '../shared/actor.ts';
import type { ItemStatus, Milestone } from './model.ts';
import { visibleTo } from './policy.ts';
import { extensionPausedOn } from './queries.ts';

/**
 * Many items at once, read-only, for listings and documents (the bulletins): three set-based queries
 * (items with their assigning and supervising unit names, assignments with their unit names) instead
 * of one getItemDetail per item. The fields carry the same values getItemDetail gives; an id the
 * caller may not see is left out. Returned in the order of `ids`.
 */
export async function readItemsForListing(db: Queryable, actor: Actor, ids: readonly string[], now: Date) {
  if (ids.length === 0) return [];
  const rows: ItemRowWithUnits[] = [];
  const assignmentRows: AssignmentRowWithUnit[] = [];
  // In chunks: a bound parameter per id, kept well below the protocol's limit.
  for (let k = 0; k < ids.length; k += CHUNK) {
    const chunk = ids.slice(k, k + CHUNK);
    rows.push(...(await itemQuery(db).where('i.id', 'in', chunk).where(visibleTo(actor)).execute()));
    assignmentRows.push(...(await assignmentQuery(db).where('a.item_id', 'in', chunk).execute()));
  }
  const byItem = new Map<string, AssignmentRowWithUnit[]>();
  for (const a of assignmentRows) {
    const list = byItem.get(a.item_id);
    if (list) list.push(a);
    else byItem.set(a.item_id, [a]);
  }
  const byId = new Map(rows.map((r) => [r.id, r]));
  return ids.flatMap((id) => {
    const row = byId.get(id);
    return row ? [present(row, byItem.get(id) ?? [], now)] : [];
  });
}

export type ListedItem = Awaited<ReturnType<typeof readItemsForListing>>[number];

const CHUNK = 500;

const itemQuery = (db: Queryable) =>
  db
    .selectFrom('items as i')
    .innerJoin('units as au', 'au.id', 'i.assigning_unit_id')
    .leftJoin('units as su', 'su.id', 'i.supervising_unit_id')
    .selectAll('i')
    .select(['au.name as assigning_unit_name', 'su.name as supervising_unit_name']);

const assignmentQuery = (db: Queryable) =>
  db
    .selectFrom('assignments as a')
    .innerJoin('units as u', 'u.id', 'a.unit_id')
    .selectAll('a')
    .select('u.name as unit_name')
    // getItemDetail's order within an item.
    .orderBy('a.role', 'desc')
    .orderBy('u.name');

type ItemRowWithUnits = Awaited<ReturnType<ReturnType<typeof itemQuery>['execute']>>[number];
type AssignmentRowWithUnit = Awaited<ReturnType<ReturnType<typeof assignmentQuery>['execute']>>[number];

function present(row: ItemRowWithUnits, assignments: AssignmentRowWithUnit[], now: Date) {
  const status = row.status as ItemStatus;
  const milestones = (row.milestones as Milestone[] | null) ?? [];
  return {
    id: row.id,
    number: row.number,
    title: row.title,
    content: row.content,
    source: row.source,
    categoryCode: row.category_code,
    urgency: row.urgency,
    sensitivity: row.sensitivity,
    status,
    light: lightFor({ ...row, status }, now, [row.clock_paused_on]),
    assigningUnit: { id: row.assigning_unit_id, name: row.assigning_unit_name as string | null },
    supervisingUnit: row.supervising_unit_id
      ? { id: row.supervising_unit_id, name: row.supervising_unit_name }
      : null,
    regionCode: row.region_code,
    responsiblePersons: row.responsible_persons,
    deadline: row.deadline,
    milestones: milestones.map((m) => ({ ...m, reachedOn: m.reachedOn ?? null })),
    progress: row.progress,
    parentId: row.parent_id,
    evaluation: row.evaluation,
    dispatchedAt: row.dispatched_at?.toISOString() ?? null,
    completedAt: row.completed_at?.toISOString() ?? null,
    archivedAt: row.archived_at?.toISOString() ?? null,
    assignments: assignments.map((a) => ({
      unitId: a.unit_id,
      unitName: a.unit_name,
      role: a.role,
      deadline: a.deadline,
      status: a.status,
      progress: a.progress,
      acceptedAt: a.accepted_at?.toISOString() ?? null,
      light:
        a.status === 'returned'
          ? null
          : lightFor({ ...a, status, due_at: row.due_at }, now, [
              row.clock_paused_on,
              extensionPausedOn(a.pending_extension),
            ]),
    })),
  };
}
