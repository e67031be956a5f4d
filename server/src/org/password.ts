import crypto from 'node:crypto';
import { type Algorithm, hash, verify } from '@node-rs/argon2';

/*
 * @node-rs/argon2 declares Algorithm as an ambient const enum, which verbatimModuleSyntax cannot
 * read (and its runtime object is empty), so the member's value is spelled out: Argon2id = 2.
 */
const ARGON2ID: Algorithm = 2;
/** OWASP's argon2id minimum: 19 MiB, 2 passes, 1 lane. */
const OPTIONS = { algorithm: ARGON2ID, memoryCost: 19456, timeCost: 2, parallelism: 1 };

export const MIN_PASSWORD_LENGTH = 8;
export const MAX_PASSWORD_LENGTH = 256;

export async function hashPassword(password: string): Promise<string> {
  return hash(password, OPTIONS);
}

/** False (never an exception) for a wrong password or an unreadable hash. */
export async function verifyPassword(passwordHash: string, password: string): Promise<boolean> {
  try {
    return await verify(passwordHash, password);
  } catch {
    return false;
  }
}

let dummy: Promise<string> | undefined;

/**
 * Verifies against a throwaway hash with the same cost, so a login for an unknown user takes as
 * long as one for a known user with a wrong password (no username probing by timing).
 */
export async function verifyDummyPassword(password: string): Promise<false> {
  dummy ??= hashPassword(crypto.randomBytes(16).toString('base64url'));
  await verifyPassword(await dummy, password);
  return false;
}

/** A random password that is easy to read out: 16 characters without look-alikes. */
export function generatePassword(length = 16): string {
  const alphabet = 'abcdefghjkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789';
  let out = '';
  for (let i = 0; i < length; i++) out += alphabet[crypto.randomInt(alphabet.length)];
  return out;
}
