import crypto from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import Provider from 'oidc-provider';

/**
 * A real OpenID provider (oidc-provider) on 127.0.0.1 and a random port, for the SSO tests. Its
 * login "page" completes at once through the provider's interaction API, as the account the test
 * chose with `signInAs` (or refuses, with `deny`). Accounts are `sub → claims`.
 */
export type TestProvider = {
  issuer: string;
  clientId: string;
  clientSecret: string;
  /**
   * Who the next login at the provider is (or access_denied when `deny`), and the authentication
   * methods (`amr`) the provider reports for it.
   */
  signInAs(sub: string | 'deny', amr?: string[]): void;
  /** Sets or changes an account's claims. */
  setAccount(sub: string, claims: Record<string, unknown>): void;
  /**
   * Follows the browser's redirects through the provider from `authorizationUrl` (cookies kept by
   * hand, a fresh browser each time) up to the redirect back to `redirectUri`, which is returned.
   */
  authorize(authorizationUrl: string): Promise<URL>;
  close(): Promise<void>;
};

export async function startTestProvider(redirectUri: string): Promise<TestProvider> {
  const accounts = new Map<string, Record<string, unknown>>();
  let next: string | 'deny' = 'deny';
  let nextAmr: string[] | undefined;
  let handler: http.RequestListener = (_req, res) => res.end();
  const server = http.createServer((req, res) => handler(req, res));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const issuer = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const clientId = 'duban';
  const clientSecret = crypto.randomBytes(24).toString('base64url');
  const { privateKey } = crypto.generateKeyPairSync('rsa', { modulusLength: 2048 });
  const provider = new Provider(issuer, {
    clients: [
      {
        client_id: clientId,
        client_secret: clientSecret,
        redirect_uris: [redirectUri],
        grant_types: ['authorization_code'],
        response_types: ['code'],
        token_endpoint_auth_method: 'client_secret_basic',
      },
    ],
    cookies: { keys: [crypto.randomBytes(16).toString('hex')] },
    jwks: { keys: [{ ...privateKey.export({ format: 'jwk' }), use: 'sig', alg: 'RS256', kid: 'test' }] },
    // Like many providers, it releases how the user signed in (`amr`) with every ID token.
    claims: { openid: ['sub', 'amr'], profile: ['preferred_username', 'name'] },
    features: { devInteractions: { enabled: false } },
    ttl: {
      AccessToken: 600,
      AuthorizationCode: 60,
      Grant: 600,
      IdToken: 600,
      Interaction: 600,
      Session: 600,
    },
    async findAccount(_ctx, sub) {
      const claims = accounts.get(sub);
      if (!claims) return undefined;
      return { accountId: sub, claims: async () => ({ sub, ...claims }) };
    },
    interactions: { url: (_ctx, interaction) => `/interaction/${interaction.uid}` },
  });
  const callback = provider.callback();
  handler = (req, res) => {
    if (!req.url?.startsWith('/interaction/')) return callback(req, res);
    completeInteraction(req, res).catch((err: unknown) => {
      res.statusCode = 500;
      res.end(String(err));
    });
  };

  async function completeInteraction(req: http.IncomingMessage, res: http.ServerResponse) {
    const details = await provider.interactionDetails(req, res);
    if (details.prompt.name === 'login') {
      const result =
        next === 'deny'
          ? { error: 'access_denied', error_description: 'the user cancelled' }
          : { login: { accountId: next, ...(nextAmr && { amr: nextAmr }) } };
      await provider.interactionFinished(req, res, result, { mergeWithLastSubmission: false });
      return;
    }
    // consent: a first-party client, granted what it asked for.
    const accountId = details.session?.accountId ?? '';
    const grant = new provider.Grant({ accountId, clientId: details.params.client_id ?? '' });
    grant.addOIDCScope(details.params.scope ?? 'openid');
    const grantId = await grant.save();
    await provider.interactionFinished(req, res, { consent: { grantId } }, { mergeWithLastSubmission: true });
  }

  return {
    issuer,
    clientId,
    clientSecret,
    signInAs(sub, amr) {
      next = sub;
      nextAmr = amr;
    },
    setAccount(sub, claims) {
      accounts.set(sub, claims);
    },
    async authorize(authorizationUrl) {
      const jar = new Map<string, string>();
      let url = new URL(authorizationUrl);
      for (let hop = 0; hop < 10; hop += 1) {
        const res = await fetch(url, {
          redirect: 'manual',
          headers: { cookie: [...jar].map(([k, v]) => `${k}=${v}`).join('; ') },
        });
        for (const line of res.headers.getSetCookie()) {
          const pair = line.split(';')[0] ?? '';
          const eq = pair.indexOf('=');
          const name = pair.slice(0, eq).trim();
          const value = pair.slice(eq + 1);
          if (value === '' || /expires=Thu, 01 Jan 1970/i.test(line)) jar.delete(name);
          else jar.set(name, value);
        }
        const location = res.headers.get('location');
        if (location === null)
          throw new Error(`provider stopped at ${url.href}: ${res.status} ${await res.text()}`);
        url = new URL(location, url);
        if (`${url.origin}${url.pathname}` === redirectUri) return url;
      }
      throw new Error('too many redirects at the provider');
    },
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
