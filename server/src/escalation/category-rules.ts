import type { CategoryRulesInput } from '@duban/schema';
import { requireRole } from '../auth/guard.ts';
import { DEFAULT_LIGHT_RULE, type LightRule } from '../clock/thresholds.ts';
import type { Queryable, Tx } from '../db/client.ts';
import { appendEvents } from '../events/append.ts';
import { ruleOf } from '../items/lights.ts';
import { isProvinceLevel } from '../org/scope.ts';
import type { Actor } from '../shared/actor.ts';
import { DomainError } from '../shared/errors.ts';
import { DEFAULT_LADDER, type LadderStep, ladderOf } from './ladder.ts';

/**
 * 分类规则: a category's warning-light rule and escalation ladder. Stored null means the default.
 * A change is a ledger event; the deadline sweep then re-dates the category's open items
 * (items/lights.ts redateChangedCategories), within a minute.
 */
export type CategoryRules = {
  code: string;
  name: string;
  lightRule: LightRule;
  escalationLadder: readonly LadderStep[];
  /** Whether each part is the category's own (false: the default applies). */
  custom: { lightRule: boolean; escalationLadder: boolean };
  changedAt: string | null;
  /** The sweep has re-dated the open items after the last change. */
  applied: boolean;
};

export const DEFAULT_RULES = { lightRule: DEFAULT_LIGHT_RULE, escalationLadder: DEFAULT_LADDER };

/**
 * Categories are shared by every region of the instance, so, as the national calendar, only an
 * admin of a province-level region changes their rules.
 */
export function assertMayEditCategoryRules(actor: Actor): void {
  requireRole(actor, 'admin');
  if (!isProvinceLevel(actor))
    throw new DomainError('FORBIDDEN', {
      zh: '只有省级管理员可以修改督办分类规则',
      en: 'Only an admin of a province-level region may change category rules',
    });
}

function categoryNotFound() {
  return new DomainError('NOT_FOUND', { zh: '督办分类不存在', en: 'Category not found' });
}

export async function getCategoryRules(db: Queryable, code: string): Promise<CategoryRules> {
  const c = await db
    .selectFrom('categories')
    .select(['code', 'name', 'light_rule', 'escalation_ladder', 'rules_changed_at', 'rules_dated_at'])
    .where('code', '=', code)
    .executeTakeFirst();
  if (!c) throw categoryNotFound();
  const changedAt = c.rules_changed_at === null ? null : new Date(c.rules_changed_at);
  const datedAt = c.rules_dated_at === null ? null : new Date(c.rules_dated_at);
  return {
    code: c.code,
    name: c.name,
    lightRule: ruleOf(c.light_rule),
    escalationLadder: ladderOf(c.escalation_ladder),
    custom: { lightRule: c.light_rule !== null, escalationLadder: c.escalation_ladder !== null },
    changedAt: changedAt?.toISOString() ?? null,
    applied: changedAt === null || (datedAt !== null && datedAt >= changedAt),
  };
}

export async function setCategoryRules(
  tx: Tx,
  code: string,
  rules: CategoryRulesInput,
  by: { actorId: string; at: Date },
): Promise<CategoryRules> {
  const before = await tx
    .selectFrom('categories')
    .select(['code'])
    .where('code', '=', code)
    .forUpdate()
    .executeTakeFirst();
  if (!before) throw categoryNotFound();
  await tx
    .updateTable('categories')
    .set({
      light_rule: rules.lightRule === null ? null : JSON.stringify(rules.lightRule),
      escalation_ladder: rules.escalationLadder === null ? null : JSON.stringify(rules.escalationLadder),
      rules_changed_at: by.at,
    })
    .where('code', '=', code)
    .execute();
  await appendEvents(
    tx,
    [
      {
        type: 'category.rules_changed',
        code,
        lightRule: rules.lightRule,
        escalationLadder: rules.escalationLadder,
      },
    ],
    by,
  );
  return getCategoryRules(tx, code);
}
