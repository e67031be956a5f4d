import type { FastifyRequest } from 'fastify';
import { type Actor, hasRole, hasScope, type Role, type TokenScope } from '../shared/actor.ts';
import { DomainError } from '../shared/errors.ts';

/** The authenticated caller, or 401 UNAUTHENTICATED. */
export function requireActor(request: FastifyRequest): Actor {
  const actor = request.actor;
  if (!actor) {
    throw new DomainError('UNAUTHENTICATED', { zh: '请先登录', en: 'Authentication required' });
  }
  return actor;
}

/** 403 FORBIDDEN when the caller is an API token without this scope (sessions have every scope). */
export function requireScope(actor: Actor, scope: TokenScope): void {
  if (!hasScope(actor, scope)) {
    throw new DomainError('FORBIDDEN', {
      zh: `访问令牌缺少权限范围 ${scope}`,
      en: `The API token lacks the scope ${scope}`,
    });
  }
}

/** 403 FORBIDDEN unless the caller has one of the roles. */
export function requireRole(actor: Actor, ...roles: Role[]): void {
  if (!hasRole(actor, ...roles)) {
    throw new DomainError('FORBIDDEN', { zh: '无权执行此操作', en: 'You may not do this' });
  }
}
