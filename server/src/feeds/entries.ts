import { sql } from 'kysely';
import type { Queryable } from '../db/client.ts';
import type { AssignmentRole, ItemStatus } from '../items/model.ts';
import { visibleTo } from '../items/policy.ts';
import type { Actor, Role } from '../shared/actor.ts';
import { daysBetween, isIsoDate } from '../shared/time.ts';

/**
 * What a user's calendar feed holds: the deadline (到期) and the milestones (节点) of the items the
 * user answers for.
 * - Handlers and unit heads: the items on which their unit holds a live (not returned) assignment,
 *   dated by that assignment's own deadline (the unit's 分工期限, which may differ from the item's).
 * - Supervisors and leaders: the open items of their data scope (region subtree, `visibleTo`),
 *   dated by the item deadline. Drafts are left out: they are not commitments yet.
 * Closed items (completed, evaluated, archived, cancelled) are left out for everyone. Auditors,
 * evaluators and admins answer for no deadline and get an empty calendar. A user with both kinds
 * of role gets both; an item found both ways keeps the assignment's deadline.
 */

/**
 * At most this many events, the nearest to today (before or after) first: each of the two queries
 * takes the 2,000 items with the nearest deadlines, and of all their deadlines and milestones the
 * 2,000 nearest dates are kept. Bounds the feed (about 1 MB) for a province-wide supervisor.
 */
export const FEED_LIMIT = 2000;

const CLOSED: readonly ItemStatus[] = ['completed', 'evaluated', 'archived', 'cancelled'];
const OVERSEER_ROLES: readonly Role[] = ['supervisor', 'leader'];
const ASSIGNEE_ROLES: readonly Role[] = ['handler', 'unit_head'];

export type FeedItem = {
  id: string;
  number: string;
  title: string;
  status: ItemStatus;
  deadline: string;
  updatedAt: Date;
  /** The caller's unit's assignment, when the item is on the calendar because of it. */
  assignment: { role: AssignmentRole; deadline: string; extensionPending: boolean } | null;
};

export type FeedEntry = {
  /** Stable per item and kind: `<itemId>-deadline@duban`, `<itemId>-milestone-<n>@duban`. */
  uid: string;
  kind: 'deadline' | 'milestone';
  /** The day of the event, 'YYYY-MM-DD'. */
  date: string;
  item: FeedItem;
  /** The milestone's name (kind 'milestone'). */
  milestone?: string;
};

export type FeedContent = { entries: FeedEntry[]; truncated: boolean };

type Milestone = { name: string; date: string };

function isMilestone(value: unknown): value is Milestone {
  if (typeof value !== 'object' || value === null) return false;
  const m = value as Record<string, unknown>;
  return typeof m.name === 'string' && typeof m.date === 'string' && isIsoDate(m.date);
}

function milestonesOf(value: unknown): Milestone[] {
  return Array.isArray(value) ? value.filter(isMilestone) : [];
}

/** The feed's events for this user on `today` (Asia/Shanghai), nearest first, at most FEED_LIMIT. */
export async function feedEntries(db: Queryable, actor: Actor, today: string): Promise<FeedContent> {
  const items = new Map<string, { item: FeedItem; milestones: Milestone[] }>();
  let truncated = false;

  if (actor.roles.some((r) => ASSIGNEE_ROLES.includes(r))) {
    const rows = await db
      .selectFrom('assignments as a')
      .innerJoin('items as i', 'i.id', 'a.item_id')
      .select([
        'i.id',
        'i.number',
        'i.title',
        'i.status',
        'i.deadline',
        'i.milestones',
        'i.updated_at',
        'a.role',
        'a.deadline as assignment_deadline',
        'a.pending_extension',
      ])
      .where('a.unit_id', '=', actor.unitId)
      .where('a.status', '!=', 'returned')
      .where('i.status', 'not in', CLOSED)
      .where(visibleTo(actor))
      .orderBy(sql`abs(a.deadline - ${today}::date)`)
      .orderBy('i.id')
      .limit(FEED_LIMIT)
      .execute();
    truncated ||= rows.length === FEED_LIMIT;
    for (const r of rows) {
      items.set(r.id, {
        item: {
          id: r.id,
          number: r.number,
          title: r.title,
          status: r.status as ItemStatus,
          deadline: r.deadline,
          updatedAt: r.updated_at,
          assignment: {
            role: r.role,
            deadline: r.assignment_deadline,
            extensionPending: r.pending_extension !== null,
          },
        },
        milestones: milestonesOf(r.milestones),
      });
    }
  }

  const overseerRoles = actor.roles.filter((r) => OVERSEER_ROLES.includes(r));
  if (overseerRoles.length > 0) {
    // The region-subtree branch of the data scope only (not the unit or evaluator branches).
    const overseer: Actor = { ...actor, roles: overseerRoles };
    const rows = await db
      .selectFrom('items as i')
      .select(['i.id', 'i.number', 'i.title', 'i.status', 'i.deadline', 'i.milestones', 'i.updated_at'])
      .where(visibleTo(overseer))
      .where('i.status', 'not in', [...CLOSED, 'draft'])
      .orderBy(sql`abs(i.deadline - ${today}::date)`)
      .orderBy('i.id')
      .limit(FEED_LIMIT)
      .execute();
    truncated ||= rows.length === FEED_LIMIT;
    for (const r of rows) {
      if (items.has(r.id)) continue;
      items.set(r.id, {
        item: {
          id: r.id,
          number: r.number,
          title: r.title,
          status: r.status as ItemStatus,
          deadline: r.deadline,
          updatedAt: r.updated_at,
          assignment: null,
        },
        milestones: milestonesOf(r.milestones),
      });
    }
  }

  const entries: FeedEntry[] = [];
  for (const { item, milestones } of items.values()) {
    entries.push({
      uid: `${item.id}-deadline@duban`,
      kind: 'deadline',
      date: item.assignment?.deadline ?? item.deadline,
      item,
    });
    milestones.forEach((m, i) => {
      entries.push({
        uid: `${item.id}-milestone-${i + 1}@duban`,
        kind: 'milestone',
        date: m.date,
        item,
        milestone: m.name,
      });
    });
  }
  const distance = (e: FeedEntry) => Math.abs(daysBetween(today, e.date));
  entries.sort(
    (a, b) => distance(a) - distance(b) || a.date.localeCompare(b.date) || a.uid.localeCompare(b.uid),
  );
  if (entries.length > FEED_LIMIT) truncated = true;
  const kept = entries.slice(0, FEED_LIMIT);
  kept.sort((a, b) => a.date.localeCompare(b.date) || a.uid.localeCompare(b.uid));
  return { entries: kept, truncated };
}
