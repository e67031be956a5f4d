import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { App } from '../../src/http/types.ts';
import {
  buildTestApp,
  buildUser,
  expectProblem,
  importZhejiang,
  login,
  type Session,
} from '../org/support.ts';
import { createTestContext, type TestContext } from '../support/context.ts';

let ctx: TestContext;
let app: App;
let alice: Session;
let carol: Session;
beforeAll(async () => {
  ctx = await createTestContext();
  app = await buildTestApp(ctx);
  await importZhejiang(ctx);
  await buildUser(ctx, { username: 'alice', roles: ['admin'], regionCode: '330100' });
  await buildUser(ctx, { username: 'carol', roles: ['supervisor'], regionCode: '330100' });
  alice = await login(app, 'alice');
  carol = await login(app, 'carol');
});
afterAll(async () => {
  await app.close();
  await ctx.cleanup();
});

async function issue(s: Session, payload: Record<string, unknown>) {
  const res = await app.inject({ method: 'POST', url: '/api/v1/auth/tokens', headers: s.headers, payload });
  expect(res.statusCode).toBe(201);
  const body: { token: string; apiToken: { id: string } } = res.json();
  return body;
}

const bearer = (token: string) => ({ authorization: `Bearer ${token}` });

describe('POST /api/v1/auth/tokens', () => {
  it('follows 401 → 400 → 201 and returns the plaintext once', async () => {
    const url = '/api/v1/auth/tokens';
    const payload = { name: 'CI', scopes: ['org:read'] };
    expectProblem(await app.inject({ method: 'POST', url, payload }), 401, 'UNAUTHENTICATED');
    const post = (p: Record<string, unknown>) =>
      app.inject({ method: 'POST', url, headers: alice.headers, payload: p });
    expectProblem(await post({ name: 'CI', scopes: [] }), 400, 'VALIDATION_FAILED', 'body.scopes');
    expectProblem(await post({ name: 'CI', scopes: ['root'] }), 400, 'VALIDATION_FAILED', 'body.scopes.0');
    expectProblem(
      await post({ ...payload, expiresAt: 'tomorrow' }),
      400,
      'VALIDATION_FAILED',
      'body.expiresAt',
    );
    expectProblem(
      await post({ ...payload, expiresAt: '2000-01-01T00:00:00Z' }),
      400,
      'VALIDATION_FAILED',
      'body.expiresAt',
    );

    const { token, apiToken } = await issue(alice, payload);
    expect(token).toMatch(/^duban_[A-Za-z0-9_-]{43}$/);
    const row = await ctx.db
      .selectFrom('api_tokens')
      .selectAll()
      .where('id', '=', apiToken.id)
      .executeTakeFirstOrThrow();
    expect(row.token_hash).toMatch(/^[0-9a-f]{64}$/);
    expect(row.token_hash).not.toContain(token);
    const ev = await ctx.db
      .selectFrom('events')
      .select('payload')
      .where('type', '=', 'api_token.created')
      .execute();
    expect(ev.map((e) => e.payload)).toContainEqual(
      expect.objectContaining({ type: 'api_token.created', tokenId: apiToken.id, scopes: ['org:read'] }),
    );

    const list = await app.inject({ method: 'GET', url, headers: { cookie: alice.cookie } });
    expect(list.statusCode).toBe(200);
    expect(list.json().tokens).toEqual([
      expect.objectContaining({ id: apiToken.id, name: 'CI', scopes: ['org:read'] }),
    ]);
    expect(list.body).not.toContain(token);
    expect(list.body).not.toContain(row.token_hash);
  });
});

describe('bearer authentication', () => {
  it('authenticates, is exempt from CSRF, records last use and honours scopes', async () => {
    const { token, apiToken } = await issue(alice, { name: 'reader', scopes: ['org:read'] });
    const me = await app.inject({ method: 'GET', url: '/api/v1/users/me', headers: bearer(token) });
    expect(me.statusCode).toBe(200);
    expect(me.json().user.username).toBe('alice');
    expect(me.json().csrfToken).toBeUndefined();
    const used = await ctx.db
      .selectFrom('api_tokens')
      .select('last_used_at')
      .where('id', '=', apiToken.id)
      .executeTakeFirst();
    expect(used?.last_used_at).toBeInstanceOf(Date);

    // org:write is missing: creating a user is forbidden even for an admin's token
    const create = await app.inject({
      method: 'POST',
      url: '/api/v1/org/users',
      headers: bearer(token),
      payload: {
        username: 'via.token',
        displayName: '令牌',
        password: 'longenough',
        unitId: me.json().user.unit.id,
        roles: ['handler'],
      },
    });
    expectProblem(create, 403, 'FORBIDDEN');

    const narrow = await issue(alice, { name: 'items only', scopes: ['items:read'] });
    const regions = await app.inject({
      method: 'GET',
      url: '/api/v1/org/regions',
      headers: bearer(narrow.token),
    });
    expectProblem(regions, 403, 'FORBIDDEN');

    // a token cannot mint a broader token; unsafe bearer requests need no CSRF header
    const mint = (scopes: string[]) =>
      app.inject({
        method: 'POST',
        url: '/api/v1/auth/tokens',
        headers: bearer(narrow.token),
        payload: { name: 'x', scopes },
      });
    expectProblem(await mint(['org:write']), 403, 'FORBIDDEN');
    expect((await mint(['items:read'])).statusCode).toBe(201);
  });

  it('rejects malformed and unknown tokens with 401', async () => {
    for (const authorization of ['Bearer', 'Bearer nope', `Bearer duban_${'a'.repeat(43)}`]) {
      const res = await app.inject({ method: 'GET', url: '/api/v1/org/regions', headers: { authorization } });
      expectProblem(res, 401, 'UNAUTHENTICATED');
    }
  });

  it('treats an expired token as anonymous', async () => {
    const { token } = await issue(alice, {
      name: 'short',
      scopes: ['org:read'],
      expiresAt: new Date(Date.now() + 60_000).toISOString(),
    });
    expect(
      (await app.inject({ method: 'GET', url: '/api/v1/users/me', headers: bearer(token) })).statusCode,
    ).toBe(200);
    ctx.setNow(new Date(Date.now() + 120_000));
    try {
      const res = await app.inject({ method: 'GET', url: '/api/v1/users/me', headers: bearer(token) });
      expectProblem(res, 401, 'UNAUTHENTICATED');
    } finally {
      ctx.setNow(new Date());
    }
  });
});

describe('DELETE /api/v1/auth/tokens/{id}', () => {
  it('follows 401 → 404 (someone else’s) → 204 and the token stops working', async () => {
    const { token, apiToken } = await issue(alice, { name: 'to revoke', scopes: ['org:read'] });
    const url = `/api/v1/auth/tokens/${apiToken.id}`;
    expectProblem(await app.inject({ method: 'DELETE', url }), 401, 'UNAUTHENTICATED');
    expectProblem(
      await app.inject({ method: 'DELETE', url, headers: carol.headers }),
      404,
      'TOKEN_NOT_FOUND',
    );
    expectProblem(
      await app.inject({ method: 'DELETE', url: '/api/v1/auth/tokens/nope', headers: alice.headers }),
      404,
      'TOKEN_NOT_FOUND',
    );
    const carolList = await app.inject({
      method: 'GET',
      url: '/api/v1/auth/tokens',
      headers: { cookie: carol.cookie },
    });
    expect(carolList.json().tokens).toEqual([]);

    expect((await app.inject({ method: 'DELETE', url, headers: alice.headers })).statusCode).toBe(204);
    expect((await app.inject({ method: 'DELETE', url, headers: alice.headers })).statusCode).toBe(204);
    const ev = await ctx.db
      .selectFrom('events')
      .select('payload')
      .where('type', '=', 'api_token.revoked')
      .execute();
    expect(ev.map((e) => e.payload)).toEqual([
      { type: 'api_token.revoked', tokenId: apiToken.id, userId: expect.any(String) },
    ]);
    const res = await app.inject({ method: 'GET', url: '/api/v1/users/me', headers: bearer(token) });
    expectProblem(res, 401, 'UNAUTHENTICATED');
    const list = await app.inject({
      method: 'GET',
      url: '/api/v1/auth/tokens',
      headers: { cookie: alice.cookie },
    });
    const revoked = list.json().tokens.find((t: { id: string }) => t.id === apiToken.id);
    expect(revoked.revokedAt).toEqual(expect.any(String));
  });
});
