import { z } from 'zod';
import { ROLES } from '../shared/actor.ts';
import { MAX_PASSWORD_LENGTH, MIN_PASSWORD_LENGTH } from './password.ts';
import { USERNAME_PATTERN } from './users.ts';

/** Request and response shapes of the org routes (and the user shape auth returns at login). */

export const regionCode = z.string().regex(/^\d{6}$/, 'a 6-digit GB/T 2260 code');

export const regionView = z.object({
  code: z.string(),
  name: z.string(),
  level: z.number().int(),
  parentCode: z.string().nullable(),
});

export const unitView = z.object({
  id: z.uuid(),
  name: z.string(),
  shortName: z.string().nullable(),
  kind: z.string(),
  regionCode: z.string(),
  regionName: z.string(),
  parentId: z.uuid().nullable(),
  sortOrder: z.number().int(),
  active: z.boolean(),
  requireHeadApproval: z.boolean(),
});

export const role = z.enum(ROLES);

/** The signed-in user as the web app needs it. */
export const meView = z.object({
  id: z.uuid(),
  username: z.string(),
  displayName: z.string(),
  roles: z.array(role),
  unit: z.object({ id: z.uuid(), name: z.string() }),
  region: z.object({ code: z.string(), name: z.string() }),
});
export type MeView = z.infer<typeof meView>;

export const userView = z.object({
  id: z.uuid(),
  username: z.string(),
  displayName: z.string(),
  roles: z.array(role),
  active: z.boolean(),
  unit: z.object({ id: z.uuid(), name: z.string() }),
  region: z.object({ code: z.string(), name: z.string() }),
});
export type UserView = z.infer<typeof userView>;

export const newUserBody = z.object({
  username: z.string().regex(USERNAME_PATTERN, '3–32 characters of a-z 0-9 _ . -'),
  displayName: z.string().trim().min(1).max(64),
  password: z.string().min(MIN_PASSWORD_LENGTH).max(MAX_PASSWORD_LENGTH),
  unitId: z.uuid(),
  roles: z.array(role).min(1),
});

export const userPatchBody = z
  .object({
    displayName: z.string().trim().min(1).max(64).optional(),
    roles: z.array(role).min(1).optional(),
    active: z.boolean().optional(),
  })
  .refine((b) => Object.keys(b).length > 0, { message: 'nothing to change' });
