import type { MeView, UserView } from './schema.ts';
import type { UserDetail } from './users.ts';

export function presentMe(u: UserDetail): MeView {
  return {
    id: u.id,
    username: u.username,
    displayName: u.displayName,
    roles: u.roles,
    unit: { id: u.unitId, name: u.unitName },
    region: { code: u.regionCode, name: u.regionName },
  };
}

export function presentUser(u: UserDetail): UserView {
  return { ...presentMe(u), active: u.active };
}
