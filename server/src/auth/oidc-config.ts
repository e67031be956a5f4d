import type { Env } from '../env.ts';

/**
 * 统一身份认证: OpenID Connect single sign-on settings. Duban is a confidential client (client
 * secret, `client_secret_basic`) or, without a secret, a public client; both use PKCE.
 */
export type OidcConfig = {
  /** The provider's Issuer Identifier; its discovery document is fetched at the first login. */
  issuer: string;
  clientId: string;
  clientSecret: string | undefined;
  /** Registered at the provider; the route behind it is GET /api/v1/auth/oidc/callback. */
  redirectUri: string;
  /** Text of the login page's button. */
  label: string;
  /** The claim (ID token, else userinfo) matched against Duban usernames at the first SSO login. */
  usernameClaim: string;
};

export const OIDC_CALLBACK_PATH = '/api/v1/auth/oidc/callback';

/** The SSO settings from the environment; undefined (off) unless DUBAN_OIDC_ISSUER is set. */
export function oidcConfigFromEnv(env: Env): OidcConfig | undefined {
  if (env.DUBAN_OIDC_ISSUER === undefined) return undefined;
  if (env.DUBAN_OIDC_CLIENT_ID === undefined) {
    throw new Error(
      '配置错误 / invalid configuration:\n  DUBAN_OIDC_CLIENT_ID: required when DUBAN_OIDC_ISSUER is set',
    );
  }
  const issuer = new URL(env.DUBAN_OIDC_ISSUER);
  if (issuer.protocol !== 'https:' && !isLoopbackIssuer(env.DUBAN_OIDC_ISSUER)) {
    throw new Error(
      '配置错误 / invalid configuration:\n  DUBAN_OIDC_ISSUER: must be https:// (http only on 127.0.0.1/localhost)',
    );
  }
  return {
    issuer: env.DUBAN_OIDC_ISSUER,
    clientId: env.DUBAN_OIDC_CLIENT_ID,
    clientSecret: env.DUBAN_OIDC_CLIENT_SECRET,
    redirectUri: env.DUBAN_OIDC_REDIRECT_URI ?? defaultRedirectUri(env),
    label: env.DUBAN_OIDC_LABEL,
    usernameClaim: env.DUBAN_OIDC_USERNAME_CLAIM,
  };
}

/** The callback on DUBAN_PUBLIC_URL when set (behind a proxy), else on HOST:PORT. */
function defaultRedirectUri(env: Env): string {
  if (env.DUBAN_PUBLIC_URL !== undefined) {
    return `${env.DUBAN_PUBLIC_URL.replace(/\/+$/, '')}${OIDC_CALLBACK_PATH}`;
  }
  return `http://${env.HOST}:${env.PORT}${OIDC_CALLBACK_PATH}`;
}

/**
 * Whether the provider may be spoken to over plain HTTP: only on this machine (a provider in a
 * test, or behind a local proxy). Anywhere else tokens would cross the network in clear.
 */
export function isLoopbackIssuer(issuer: string): boolean {
  const { protocol, hostname } = new URL(issuer);
  return protocol === 'http:' && ['127.0.0.1', 'localhost', '[::1]'].includes(hostname);
}
