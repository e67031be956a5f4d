import { requireRole } from '../auth/guard.ts';
import { isProvinceLevel, isRegionPathInScope } from '../org/scope.ts';
import type { Actor } from '../shared/actor.ts';
import { DomainError } from '../shared/errors.ts';

/**
 * Who may change the working-day calendar: an admin. The national layer (region null) applies to
 * every region of this instance, so only an admin of a top-level region (a province: its path has
 * no parent) may change it; a region's overrides may be changed by an admin whose region subtree
 * contains that region. Reading is open to every signed-in user.
 */
export function assertMayEditCalendar(actor: Actor, region: { path: string } | null): void {
  requireRole(actor, 'admin');
  if (region === null) {
    if (!isProvinceLevel(actor)) {
      throw new DomainError('FORBIDDEN', {
        zh: '只有省级管理员可以修改全国工作日历',
        en: 'Only an admin of a province-level region may change the national calendar',
      });
    }
    return;
  }
  if (!isRegionPathInScope(actor, region.path)) {
    throw new DomainError('FORBIDDEN', {
      zh: '只能修改本辖区的工作日历',
      en: 'You may change the calendar of your own region subtree only',
    });
  }
}
