import crypto from 'node:crypto';
import * as OTPAuth from 'otpauth';
import type { Queryable } from '../db/client.ts';
import type { MfaState } from '../db/schema.ts';
import { readEnv } from '../env.ts';
import { isRole } from '../org/scope.ts';
import type { Role } from '../shared/actor.ts';
import { sha256Hex } from './crypto.ts';

/**
 * 双因素认证 (TOTP, RFC 6238): 30-second steps, 6 digits, SHA-1 (what every authenticator app
 * reads), one step of clock drift either way. Roles in DUBAN_MFA_ROLES must use it while the
 * setting `mfa_enforced` is on (the default; the demo seed turns it off); anyone may enrol.
 */

const ISSUER = '督办 Duban';
export const RECOVERY_CODE_COUNT = 10;
/** The settings key that switches the role requirement (absent = on). */
export const MFA_ENFORCED_KEY = 'mfa_enforced';

function totp(secret: string, label = 'user'): OTPAuth.TOTP {
  return new OTPAuth.TOTP({
    issuer: ISSUER,
    label,
    algorithm: 'SHA1',
    digits: 6,
    period: 30,
    secret: OTPAuth.Secret.fromBase32(secret),
  });
}

/** A fresh 160-bit secret, base32 (what authenticator apps take by hand). */
export function newTotpSecret(): string {
  return new OTPAuth.Secret({ size: 20 }).base32;
}

/** The otpauth:// URI an authenticator app scans. */
export function otpauthUri(secret: string, username: string): string {
  return totp(secret, username).toString();
}

/** Whether the 6-digit code is valid at `now` (±1 step). */
export function checkTotp(secret: string, code: string, now: Date): boolean {
  if (!/^\d{6}$/.test(code)) return false;
  return totp(secret).validate({ token: code, timestamp: now.getTime(), window: 1 }) !== null;
}

/** The code at `now` (tests, and the browser tests' sign-in). */
export function totpCode(secret: string, now: Date): string {
  return totp(secret).generate({ timestamp: now.getTime() });
}

export type MfaPolicy = { enforced: boolean; roles: Role[] };

/** Roles that must use TOTP (DUBAN_MFA_ROLES) and whether that is enforced (DB setting). */
export async function mfaPolicy(db: Queryable): Promise<MfaPolicy> {
  const roles = readEnv()
    .DUBAN_MFA_ROLES.split(',')
    .map((r) => r.trim())
    .filter(isRole);
  const row = await db
    .selectFrom('settings')
    .select('value')
    .where('key', '=', MFA_ENFORCED_KEY)
    .executeTakeFirst();
  return { enforced: row?.value !== false, roles };
}

export async function setMfaEnforced(db: Queryable, enforced: boolean): Promise<void> {
  const value = JSON.stringify(enforced);
  await db
    .insertInto('settings')
    .values({ key: MFA_ENFORCED_KEY, value })
    .onConflict((oc) => oc.column('key').doUpdateSet({ value }))
    .execute();
}

export function mfaRequired(roles: readonly string[], policy: MfaPolicy): boolean {
  return policy.enforced && roles.some((r) => isRole(r) && policy.roles.includes(r));
}

/** The confirmed secret of the user, if TOTP is on. */
export async function totpSecretOf(db: Queryable, userId: string): Promise<string | undefined> {
  const row = await db
    .selectFrom('user_mfa')
    .select('secret')
    .where('user_id', '=', userId)
    .executeTakeFirst();
  return row?.secret ?? undefined;
}

/** The session state a right password leads to: a code to give, TOTP to enrol, or signed in. */
export async function stateAfterPassword(
  db: Queryable,
  userId: string,
  roles: readonly string[],
): Promise<MfaState> {
  if (await totpSecretOf(db, userId)) return 'mfa_pending';
  return mfaRequired(roles, await mfaPolicy(db)) ? 'mfa_enroll' : 'full';
}

/** Offers a new secret at enrolment (kept pending until a code from it is confirmed). */
export async function startEnrolment(db: Queryable, userId: string, now: Date): Promise<string> {
  const secret = newTotpSecret();
  await db
    .insertInto('user_mfa')
    .values({ user_id: userId, pending_secret: secret, updated_at: now })
    .onConflict((oc) => oc.column('user_id').doUpdateSet({ pending_secret: secret, updated_at: now }))
    .execute();
  return secret;
}

/** Normalises a recovery code as typed: lower case, no spaces or dashes. */
function recoveryKey(code: string): string {
  return code.toLowerCase().replace(/[\s-]/g, '');
}

const RECOVERY_ALPHABET = 'abcdefghjkmnpqrstuvwxyz23456789';

function newRecoveryCode(): string {
  let out = '';
  for (let i = 0; i < 10; i += 1) out += RECOVERY_ALPHABET[crypto.randomInt(RECOVERY_ALPHABET.length)];
  return `${out.slice(0, 5)}-${out.slice(5)}`;
}

/** Replaces the user's recovery codes with 10 new ones; the plaintext is returned once. */
export async function replaceRecoveryCodes(db: Queryable, userId: string): Promise<string[]> {
  const codes = Array.from({ length: RECOVERY_CODE_COUNT }, newRecoveryCode);
  await db.deleteFrom('mfa_recovery_codes').where('user_id', '=', userId).execute();
  await db
    .insertInto('mfa_recovery_codes')
    .values(codes.map((c) => ({ user_id: userId, code_hash: sha256Hex(recoveryKey(c)), used_at: null })))
    .execute();
  return codes;
}

/** Uses up one recovery code; false when unknown or already used. */
export async function useRecoveryCode(db: Queryable, userId: string, code: string, now: Date) {
  const key = recoveryKey(code);
  if (key.length !== 10) return false;
  const used = await db
    .updateTable('mfa_recovery_codes')
    .set({ used_at: now })
    .where('user_id', '=', userId)
    .where('code_hash', '=', sha256Hex(key))
    .where('used_at', 'is', null)
    .executeTakeFirst();
  return Number(used.numUpdatedRows) === 1;
}

export async function recoveryCodesLeft(db: Queryable, userId: string): Promise<number> {
  const row = await db
    .selectFrom('mfa_recovery_codes')
    .select((eb) => eb.fn.countAll<string>().as('n'))
    .where('user_id', '=', userId)
    .where('used_at', 'is', null)
    .executeTakeFirst();
  return Number(row?.n ?? 0);
}

/** A TOTP code of the confirmed secret, or (when allowed) a recovery code, which is used up. */
export async function checkSecondFactor(
  db: Queryable,
  userId: string,
  code: string,
  now: Date,
  opts: { recovery: boolean },
): Promise<boolean> {
  const secret = await totpSecretOf(db, userId);
  if (!secret) return false;
  if (checkTotp(secret, code.trim(), now)) return true;
  return opts.recovery && (await useRecoveryCode(db, userId, code, now));
}

/** Turns TOTP off for the user: secret and recovery codes go. */
export async function removeMfa(db: Queryable, userId: string): Promise<void> {
  await db.deleteFrom('mfa_recovery_codes').where('user_id', '=', userId).execute();
  await db.deleteFrom('user_mfa').where('user_id', '=', userId).execute();
}
