import type { Queryable, Tx } from '../db/client.ts';
import { evalDb, evalTx } from '../evaluation/tables.ts';
import { appendEvents } from '../events/append.ts';
import { isProvinceLevel } from '../org/scope.ts';
import { type Actor, hasRole } from '../shared/actor.ts';
import { DomainError } from '../shared/errors.ts';

/** 回头看 by default 3 and 6 months after 办结. */
export const DEFAULT_MONTHS_AFTER: readonly number[] = [3, 6];

/** 'YYYY-MM-DD' plus n calendar months; a day past the month's end gives its last day. */
export function addMonths(date: string, n: number): string {
  const [y, m, d] = date.split('-').map(Number) as [number, number, number];
  const total = y * 12 + (m - 1) + n;
  const year = Math.floor(total / 12);
  const month = (total % 12) + 1;
  const last = new Date(Date.UTC(year, month, 0)).getUTCDate();
  const day = Math.min(d, last);
  return `${String(year).padStart(4, '0')}-${String(month).padStart(2, '0')}-${String(day).padStart(2, '0')}`;
}

function categoryNotFound() {
  return new DomainError('CATEGORY_NOT_FOUND', { zh: '督办分类不存在', en: 'Category not found' });
}

export async function getFollowupSchedule(db: Queryable, code: string) {
  const category = await db
    .selectFrom('categories')
    .select(['code', 'name'])
    .where('code', '=', code)
    .executeTakeFirst();
  if (!category) throw categoryNotFound();
  const row = await evalDb(db)
    .selectFrom('followup_schedules')
    .selectAll()
    .where('category_code', '=', code)
    .executeTakeFirst();
  return {
    code: category.code,
    name: category.name,
    monthsAfter: row ? [...row.months_after] : [...DEFAULT_MONTHS_AFTER],
    custom: row !== undefined,
    updatedAt: row?.updated_at.toISOString() ?? null,
  };
}

export function assertMayEditFollowupSchedule(actor: Actor) {
  if (!hasRole(actor, 'admin') || !isProvinceLevel(actor))
    throw new DomainError('FORBIDDEN', {
      zh: '只有省级管理员可以修改回头看安排',
      en: 'Only an admin of a province-level region may change follow-up schedules',
    });
}

/** Applies to items completed from now on (reviews already scheduled keep their dates). */
export async function setFollowupSchedule(
  tx: Tx,
  actor: Actor,
  code: string,
  monthsAfter: number[],
  now: Date,
) {
  const category = await tx
    .selectFrom('categories')
    .select('code')
    .where('code', '=', code)
    .forUpdate()
    .executeTakeFirst();
  if (!category) throw categoryNotFound();
  const months = [...monthsAfter].sort((a, b) => a - b);
  await evalTx(tx)
    .insertInto('followup_schedules')
    .values({ category_code: code, months_after: months, updated_at: now })
    .onConflict((oc) => oc.column('category_code').doUpdateSet({ months_after: months, updated_at: now }))
    .execute();
  await appendEvents(tx, [{ type: 'category.followup_changed', code, monthsAfter: months }], {
    actorId: actor.userId,
    at: now,
  });
  return getFollowupSchedule(tx, code);
}
