import type * as OpenId from 'openid-client';
import type { Db } from '../db/client.ts';
import { randomSecret, safeEqual, sha256Hex } from './crypto.ts';
import { isLoopbackIssuer, type OidcConfig } from './oidc-config.ts';

/** How long a login may stay at the provider before its callback is refused. */
export const OIDC_LOGIN_TTL_MS = 10 * 60 * 1000;

/**
 * Why an SSO login ended without a session: the code travels to /login?sso_error=… and the login
 * page shows the reason in Chinese (web/src/pages/login/SsoButton.tsx).
 */
export type SsoErrorCode =
  /** The provider could not be reached or its discovery document was refused. */
  | 'provider_unavailable'
  /** The provider answered the authorization request with an error (e.g. the user cancelled). */
  | 'provider_error'
  /** Unknown, expired, used or foreign state: not a login this browser started here. */
  | 'invalid_state'
  /** The code exchange or the ID token's validation failed. */
  | 'token_failed'
  /** The provider named no username in the configured claim. */
  | 'no_username'
  /** No Duban user has that username (SSO never creates users). */
  | 'unknown_user'
  | 'inactive_user'
  /** The Duban user is already linked to another subject of the provider. */
  | 'subject_mismatch';

export class SsoError extends Error {
  readonly code: SsoErrorCode;
  constructor(code: SsoErrorCode, cause?: unknown) {
    super(code, cause === undefined ? undefined : { cause });
    this.code = code;
  }
}

/** Discovery once per configuration (per process); a failure is forgotten so the next login retries. */
const discovered = new WeakMap<OidcConfig, Promise<OpenId.Configuration>>();

/** openid-client loads with the first single sign-on, not in every web process at start. */
const openid = () => import('openid-client');

export function providerConfiguration(config: OidcConfig): Promise<OpenId.Configuration> {
  let pending = discovered.get(config);
  if (pending === undefined) {
    const issuer = new URL(config.issuer);
    pending = openid().then((client) =>
      client.discovery(
        issuer,
        config.clientId,
        config.clientSecret === undefined ? undefined : { client_secret: config.clientSecret },
        config.clientSecret === undefined ? client.None() : client.ClientSecretBasic(config.clientSecret),
        isLoopbackIssuer(config.issuer) ? { execute: [client.allowInsecureRequests] } : undefined,
      ),
    );
    discovered.set(config, pending);
    pending.catch(() => discovered.delete(config));
  }
  return pending.catch((err: unknown) => {
    throw new SsoError('provider_unavailable', err);
  });
}

/**
 * Where to go after login: a same-origin path only (`/items?x=1`); anything else — absolute URLs,
 * `//host`, backslashes, control characters — becomes `/`, so the login cannot be an open redirect.
 */
export function safeReturnTo(raw: string | undefined): string {
  if (raw === undefined || raw.length === 0 || raw.length > 2000) return '/';
  if (!raw.startsWith('/') || raw.startsWith('//')) return '/';
  // biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what is refused
  if (/[\\\u0000-\u001f\u007f]/.test(raw)) return '/';
  const base = new URL('http://duban.invalid');
  const url = new URL(raw, base);
  if (url.origin !== base.origin) return '/';
  return `${url.pathname}${url.search}${url.hash}`;
}

export type StartedLogin = { authorizationUrl: string; browserSecret: string };

/**
 * Starts an authorization-code login with PKCE, state and nonce. The verifier and nonce stay in the
 * database (oidc_logins); the browser gets the state (in the provider's URL) and a secret cookie
 * value that binds the login to it.
 */
export async function startOidcLogin(
  db: Db,
  config: OidcConfig,
  returnTo: string,
  now: Date,
): Promise<StartedLogin> {
  const provider = await providerConfiguration(config);
  const client = await openid();
  const state = client.randomState();
  const nonce = client.randomNonce();
  const codeVerifier = client.randomPKCECodeVerifier();
  const browserSecret = randomSecret(32);
  await db.deleteFrom('oidc_logins').where('expires_at', '<=', now).execute();
  await db
    .insertInto('oidc_logins')
    .values({
      state_hash: sha256Hex(state),
      browser_hash: sha256Hex(browserSecret),
      code_verifier: codeVerifier,
      nonce,
      return_to: returnTo,
      created_at: now,
      expires_at: new Date(now.getTime() + OIDC_LOGIN_TTL_MS),
    })
    .execute();
  const url = client.buildAuthorizationUrl(provider, {
    redirect_uri: config.redirectUri,
    scope: 'openid profile',
    state,
    nonce,
    code_challenge: await client.calculatePKCECodeChallenge(codeVerifier),
    code_challenge_method: 'S256',
  });
  return { authorizationUrl: url.href, browserSecret };
}

export type PendingLogin = { codeVerifier: string; nonce: string; returnTo: string };

/**
 * Takes the login in flight named by `state` — at most once: the row is deleted whatever follows.
 * Refused (invalid_state) when unknown, expired, or started by another browser (no or another
 * binding cookie).
 */
export async function takeOidcLogin(
  db: Db,
  state: string | undefined,
  browserSecret: string | undefined,
  now: Date,
): Promise<PendingLogin> {
  if (!state || state.length > 200) throw new SsoError('invalid_state');
  // Deleted before the browser check: a callback from elsewhere spends the login, too.
  const row = await db
    .deleteFrom('oidc_logins')
    .where('state_hash', '=', sha256Hex(state))
    .returning(['browser_hash', 'code_verifier', 'nonce', 'return_to', 'expires_at'])
    .executeTakeFirst();
  if (
    !row ||
    row.expires_at <= now ||
    !browserSecret ||
    !safeEqual(row.browser_hash, sha256Hex(browserSecret))
  ) {
    throw new SsoError('invalid_state');
  }
  return { codeVerifier: row.code_verifier, nonce: row.nonce, returnTo: row.return_to };
}

/**
 * `multiFactor`: the provider says (ID token `amr`, RFC 8176) the user gave more than a password,
 * so Duban's own TOTP step is not asked again.
 */
export type OidcIdentity = { issuer: string; subject: string; username: string; multiFactor: boolean };

/** RFC 8176 methods that mean a second factor was used at the provider. */
const MULTI_FACTOR_AMR = new Set(['mfa', 'otp', 'hwk', 'swk', 'sms', 'sc', 'face', 'fpt', 'iris']);

/**
 * Redeems the callback's code (PKCE verifier, state, nonce and the ID token checked by
 * openid-client) and reads who signed in: the ID token's subject and the username claim, from the
 * ID token or else the userinfo endpoint.
 */
export async function redeemOidcCallback(
  config: OidcConfig,
  query: Record<string, string>,
  state: string,
  pending: PendingLogin,
): Promise<OidcIdentity> {
  if (query.error !== undefined) throw new SsoError('provider_error');
  const provider = await providerConfiguration(config);
  const client = await openid();
  const callbackUrl = new URL(config.redirectUri);
  callbackUrl.search = new URLSearchParams(query).toString();
  let tokens: Awaited<ReturnType<typeof OpenId.authorizationCodeGrant>>;
  try {
    tokens = await client.authorizationCodeGrant(provider, callbackUrl, {
      pkceCodeVerifier: pending.codeVerifier,
      expectedState: state,
      expectedNonce: pending.nonce,
      idTokenExpected: true,
    });
  } catch (err) {
    throw new SsoError('token_failed', err);
  }
  const claims = tokens.claims();
  if (!claims) throw new SsoError('token_failed');
  let username = claims[config.usernameClaim];
  if (typeof username !== 'string' && provider.serverMetadata().userinfo_endpoint !== undefined) {
    try {
      const info = await client.fetchUserInfo(provider, tokens.access_token, claims.sub);
      username = info[config.usernameClaim];
    } catch (err) {
      throw new SsoError('token_failed', err);
    }
  }
  if (typeof username !== 'string' || username.trim() === '') throw new SsoError('no_username');
  const amr = Array.isArray(claims.amr) ? claims.amr : [];
  return {
    issuer: claims.iss,
    subject: claims.sub,
    username: username.trim().toLowerCase(),
    multiFactor: amr.some((m) => typeof m === 'string' && MULTI_FACTOR_AMR.has(m)),
  };
}
