import type { Db } from '../db/client.ts';
import type { MfaState } from '../db/schema.ts';
import { appendEvents } from '../events/append.ts';
import { sha256Hex } from './crypto.ts';
import { stateAfterPassword } from './mfa.ts';
import { type OidcIdentity, SsoError } from './oidc-flow.ts';
import { createSession, deleteExpiredSessions, deleteSession, type NewSession } from './sessions.ts';

/**
 * Signs in the Duban user behind a provider identity, in one transaction: the user linked to the
 * (issuer, subject), else the active user whose username the claim names — who is then linked, so
 * later logins follow the subject even if the claim changes. Never creates users. The session the
 * browser came with ends (rotation) and a new one starts, as at password login — in the two-factor
 * step when the user's roles need TOTP and the provider did not report a second factor (`amr`).
 */
export async function signInWithOidc(
  db: Db,
  identity: OidcIdentity,
  previousSessionId: string | undefined,
  now: Date,
): Promise<NewSession & { mfaState: MfaState }> {
  return db.transaction().execute(async (tx) => {
    const linked = await tx
      .selectFrom('users')
      .select(['id', 'active'])
      .where('oidc_issuer', '=', identity.issuer)
      .where('oidc_subject', '=', identity.subject)
      .forUpdate()
      .executeTakeFirst();
    let user = linked;
    if (!user) {
      const named = await tx
        .selectFrom('users')
        .select(['id', 'active', 'oidc_subject'])
        .where('username', '=', identity.username)
        .forUpdate()
        .executeTakeFirst();
      if (!named) throw new SsoError('unknown_user');
      if (!named.active) throw new SsoError('inactive_user');
      // Linked to another subject (of this or an earlier provider): the claim alone is not enough.
      if (named.oidc_subject !== null) throw new SsoError('subject_mismatch');
      await tx
        .updateTable('users')
        .set((eb) => ({
          oidc_issuer: identity.issuer,
          oidc_subject: identity.subject,
          version: eb('version', '+', 1),
        }))
        .where('id', '=', named.id)
        .execute();
      await appendEvents(
        tx,
        [
          {
            type: 'user.updated',
            userId: named.id,
            changes: { oidcLink: { issuer: identity.issuer, subject: identity.subject } },
          },
        ],
        { actorId: named.id, at: now },
      );
      user = named;
    }
    if (!user.active) throw new SsoError('inactive_user');
    if (previousSessionId) await deleteSession(tx, sha256Hex(previousSessionId));
    await deleteExpiredSessions(tx, user.id, now);
    // Two-factor as at password login, unless the provider vouches for a second factor.
    const { roles } = await tx
      .selectFrom('users')
      .select('roles')
      .where('id', '=', user.id)
      .executeTakeFirstOrThrow();
    const mfaState = identity.multiFactor ? 'full' : await stateAfterPassword(tx, user.id, roles);
    return { ...(await createSession(tx, user.id, now, mfaState)), mfaState };
  });
}
