import { createHmac } from 'node:crypto';
import { Webhook } from 'standardwebhooks';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { ResolvedAddress } from '../../../src/notify/channels/guard.ts';
import {
  createWebhookChannel,
  generateWebhookSecret,
  signWebhook,
  verifyWebhook,
  webhookBody,
  webhookHeaders,
  webhookSecretSchema,
  webhookTargetSchema,
} from '../../../src/notify/channels/webhook.ts';
import { closedPort, type Receiver, sampleMessage, startReceiver } from './support.ts';

describe('signing and verification', () => {
  // The test vector of the Standard Webhooks reference libraries.
  const vector = {
    secret: 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw',
    id: 'msg_p5jXN8AQM9LWM0D4loKWxJek',
    timestamp: new Date(1614265330 * 1000),
    payload: '{"test": 2432232314}',
    signature: 'v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=',
  };

  it('reproduces the specification test vector', () => {
    expect(signWebhook(vector.secret, vector.id, vector.timestamp, vector.payload)).toBe(vector.signature);
    const key = Buffer.from(vector.secret.slice('whsec_'.length), 'base64');
    const independent = createHmac('sha256', key)
      .update(`${vector.id}.${Math.floor(vector.timestamp.getTime() / 1000)}.${vector.payload}`)
      .digest('base64');
    expect(`v1,${independent}`).toBe(vector.signature);
  });

  it('verifies the vector at its own time and rejects it outside the tolerance', () => {
    const headers = {
      'webhook-id': vector.id,
      'webhook-timestamp': '1614265330',
      'webhook-signature': vector.signature,
    };
    expect(verifyWebhook(vector.secret, vector.payload, headers, { now: vector.timestamp })).toEqual({
      ok: true,
      id: vector.id,
      timestamp: 1614265330,
    });
    const later = new Date(vector.timestamp.getTime() + 301_000);
    expect(verifyWebhook(vector.secret, vector.payload, headers, { now: later })).toEqual({
      ok: false,
      error: 'timestamp too old',
    });
    const earlier = new Date(vector.timestamp.getTime() - 301_000);
    expect(verifyWebhook(vector.secret, vector.payload, headers, { now: earlier })).toEqual({
      ok: false,
      error: 'timestamp too new',
    });
    expect(
      verifyWebhook(vector.secret, vector.payload, headers, { now: later, toleranceSeconds: 600 }).ok,
    ).toBe(true);
  });

  it('interoperates with the official library both ways', () => {
    const secret = generateWebhookSecret();
    const official = new Webhook(secret);
    const body = webhookBody(sampleMessage());
    const now = new Date();
    const ours = webhookHeaders(secret, 'a1b2c3', now, body);
    expect(official.verify(body, ours)).toEqual(JSON.parse(body));
    const theirs = {
      'webhook-id': 'a1b2c3',
      'webhook-timestamp': String(Math.floor(now.getTime() / 1000)),
      'webhook-signature': official.sign('a1b2c3', now, body),
    };
    expect(verifyWebhook(secret, body, theirs).ok).toBe(true);
    expect(verifyWebhook(secret, Buffer.from(body), theirs).ok).toBe(true);
  });

  it('rejects a changed body, id, timestamp, a wrong secret and missing headers', () => {
    const secret = generateWebhookSecret();
    const body = '{"type":"item.reminder"}';
    const h = webhookHeaders(secret, 'id-1', new Date(), body);
    expect(verifyWebhook(secret, `${body} `, h)).toEqual({ ok: false, error: 'no matching signature' });
    expect(verifyWebhook(secret, body, { ...h, 'webhook-id': 'id-2' }).ok).toBe(false);
    expect(
      verifyWebhook(secret, body, { ...h, 'webhook-timestamp': String(Number(h['webhook-timestamp']) + 1) })
        .ok,
    ).toBe(false);
    expect(verifyWebhook(generateWebhookSecret(), body, h).ok).toBe(false);
    expect(verifyWebhook(secret, body, { 'webhook-id': 'id-1' })).toEqual({
      ok: false,
      error: 'missing webhook headers',
    });
    expect(verifyWebhook(secret, body, { ...h, 'webhook-timestamp': '12abc' }).ok).toBe(false);
    expect(verifyWebhook(secret, body, { ...h, 'webhook-signature': 'v2,abc v1,' }).ok).toBe(false);
  });

  it('signs with every secret during rotation; either one verifies; header names are case-insensitive', () => {
    const [oldSecret, newSecret] = [generateWebhookSecret(), generateWebhookSecret()];
    const body = '{}';
    const h = webhookHeaders([oldSecret, newSecret], 'rot-1', new Date(), body);
    expect(h['webhook-signature'].split(' ')).toHaveLength(2);
    expect(verifyWebhook(oldSecret, body, h).ok).toBe(true);
    expect(verifyWebhook(newSecret, body, h).ok).toBe(true);
    expect(new Webhook(newSecret).verify(body, h)).toEqual({});
    const upper = Object.fromEntries(Object.entries(h).map(([k, v]) => [k.toUpperCase(), v]));
    expect(verifyWebhook([generateWebhookSecret(), newSecret], body, upper).ok).toBe(true);
  });

  it('validates secrets and targets', () => {
    expect(webhookSecretSchema.safeParse(generateWebhookSecret()).success).toBe(true);
    expect(webhookSecretSchema.safeParse('whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw').success).toBe(true);
    expect(webhookSecretSchema.safeParse('MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw').success).toBe(false);
    expect(webhookSecretSchema.safeParse('whsec_c2hvcnQ=').success).toBe(false);
    expect(webhookSecretSchema.safeParse('whsec_not base64!').success).toBe(false);
    const secret = generateWebhookSecret();
    expect(webhookTargetSchema.safeParse({ url: 'https://hooks.example.com/in', secret }).success).toBe(true);
    expect(webhookTargetSchema.safeParse({ url: 'ftp://hooks.example.com/in', secret }).success).toBe(false);
    expect(webhookTargetSchema.safeParse({ url: 'https://hooks.example.com/in', secret: [] }).success).toBe(
      false,
    );
  });
});

describe('delivery to a loopback receiver', () => {
  let receiver: Receiver;
  const secret = generateWebhookSecret();
  beforeAll(async () => {
    receiver = await startReceiver();
  });
  afterAll(async () => {
    await receiver.close();
  });
  beforeEach(() => {
    receiver.received.length = 0;
    receiver.setHandler(() => ({ status: 204 }));
  });

  const channel = () => createWebhookChannel({ allow: [receiver.hostPort], timeoutMs: 1000 });

  it('POSTs a signed Standard Webhooks request that the official library verifies', async () => {
    const message = sampleMessage({ kind: 'item.escalated' });
    const result = await channel().send(message, { url: `${receiver.origin}/duban/hooks?x=1`, secret });
    expect(result).toEqual({ ok: true, detail: 'HTTP 204' });
    expect(receiver.received).toHaveLength(1);
    const req = receiver.received[0];
    if (req === undefined) throw new Error('nothing received');
    expect(req.method).toBe('POST');
    expect(req.rawUrl).toBe('/duban/hooks?x=1');
    expect(req.headers['content-type']).toBe('application/json; charset=utf-8');
    expect(req.headers['webhook-id']).toBe(message.id);
    const headers = {
      'webhook-id': String(req.headers['webhook-id']),
      'webhook-timestamp': String(req.headers['webhook-timestamp']),
      'webhook-signature': String(req.headers['webhook-signature']),
    };
    expect(Math.abs(Number(headers['webhook-timestamp']) - Date.now() / 1000)).toBeLessThan(5);
    const payload = new Webhook(secret).verify(req.body, headers);
    expect(payload).toEqual({ type: 'item.escalated', timestamp: message.occurredAt, data: message.data });
    expect(verifyWebhook(secret, req.body, req.headers).ok).toBe(true);
    expect(req.body).toContain('杭督〔2026〕0001号');
  });

  it('keeps webhook-id across retries and signs each attempt with its own timestamp', async () => {
    const message = sampleMessage();
    let t = Date.parse('2026-03-03T01:00:00Z');
    const ch = createWebhookChannel(
      { allow: [receiver.hostPort] },
      {
        now: () => {
          t += 60_000;
          return new Date(t);
        },
      },
    );
    receiver.setHandler(() => ({ status: 503 }));
    await ch.send(message, { url: receiver.origin, secret });
    await ch.send(message, { url: receiver.origin, secret });
    const [a, b] = receiver.received;
    expect(a?.headers['webhook-id']).toBe(message.id);
    expect(b?.headers['webhook-id']).toBe(message.id);
    expect(Number(b?.headers['webhook-timestamp']) - Number(a?.headers['webhook-timestamp'])).toBe(60);
    expect(a?.headers['webhook-signature']).not.toBe(b?.headers['webhook-signature']);
  });

  it.each([
    [200, {}, { ok: true }],
    [202, {}, { ok: true }],
    [503, { 'retry-after': '120' }, { ok: false, retryable: true, retryAfterMs: 120_000 }],
    [500, {}, { ok: false, retryable: true }],
    [502, {}, { ok: false, retryable: true }],
    [429, { 'retry-after': '7' }, { ok: false, retryable: true, retryAfterMs: 7000 }],
    [408, {}, { ok: false, retryable: true }],
    [400, {}, { ok: false, retryable: false }],
    [401, {}, { ok: false, retryable: false }],
    [404, {}, { ok: false, retryable: false }],
    [410, {}, { ok: false, retryable: false }],
  ] as const)('HTTP %i %j → %j', async (status, headers, expected) => {
    receiver.setHandler(() => ({ status, headers, body: status >= 400 ? '出错了' : '' }));
    const result = await channel().send(sampleMessage(), { url: receiver.origin, secret });
    expect(result).toMatchObject(expected);
    if (!result.ok && !('retry-after' in headers)) expect(result.retryAfterMs).toBeUndefined();
  });

  it('honours Retry-After given as an HTTP date', async () => {
    const at = new Date(Date.now() + 90_000).toUTCString();
    receiver.setHandler(() => ({ status: 503, headers: { 'retry-after': at } }));
    const result = await channel().send(sampleMessage(), { url: receiver.origin, secret });
    expect(result.ok).toBe(false);
    if (!result.ok) {
      expect(result.retryAfterMs).toBeGreaterThan(80_000);
      expect(result.retryAfterMs).toBeLessThanOrEqual(90_000);
    }
  });

  it('does not follow redirects', async () => {
    receiver.setHandler((r) =>
      r.url.pathname === '/moved' ? { status: 302, headers: { location: '/new' } } : {},
    );
    const result = await channel().send(sampleMessage(), { url: `${receiver.origin}/moved`, secret });
    expect(result).toMatchObject({ ok: false, retryable: false });
    expect(receiver.received.map((r) => r.url.pathname)).toEqual(['/moved']);
  });

  it('gives up after the timeout, retryably', async () => {
    receiver.setHandler(() => 'hang');
    const started = Date.now();
    const result = await channel().send(sampleMessage(), { url: receiver.origin, secret });
    expect(result).toMatchObject({ ok: false, retryable: true });
    expect(!result.ok && result.error).toContain('超时');
    expect(Date.now() - started).toBeLessThan(5000);
  });

  it('reports a refused connection as retryable', async () => {
    const port = await closedPort();
    const ch = createWebhookChannel({ allow: [`127.0.0.1:${port}`] });
    const result = await ch.send(sampleMessage(), { url: `http://127.0.0.1:${port}/`, secret });
    expect(result).toMatchObject({ ok: false, retryable: true });
    expect(!result.ok && result.error).toContain('ECONNREFUSED');
  });

  it('refuses loopback and private targets when not allow-listed, without connecting', async () => {
    const before = receiver.connections();
    const ch = createWebhookChannel();
    for (const url of [
      `http://127.0.0.1:${receiver.port}/`,
      `http://localhost:${receiver.port}/`,
      `http://[::ffff:127.0.0.1]:${receiver.port}/`,
      'http://169.254.169.254/latest/meta-data/',
      'http://10.0.0.1/',
      'http://192.168.0.1/',
      'http://[fe80::1]/',
      'http://[fc00::1]/',
    ]) {
      const result = await ch.send(sampleMessage(), { url, secret });
      expect(result, url).toMatchObject({ ok: false, retryable: false });
    }
    const rebinding = createWebhookChannel(
      {},
      { resolve: async (): Promise<ResolvedAddress[]> => [{ address: '127.0.0.1', family: 4 }] },
    );
    const viaDns = await rebinding.send(sampleMessage(), {
      url: `http://hooks.example.com:${receiver.port}/`,
      secret,
    });
    expect(viaDns).toMatchObject({ ok: false, retryable: false });
    expect(receiver.connections()).toBe(before);
    expect(receiver.received).toHaveLength(0);
  });

  it('reports a request that cannot be built (header with a line break) as a permanent failure', async () => {
    const result = await channel().send(sampleMessage({ id: 'bad\r\nid' }), { url: receiver.origin, secret });
    expect(result).toMatchObject({ ok: false, retryable: false });
    expect(receiver.received).toHaveLength(0);
  });

  it('reports an unusable secret as a permanent failure', async () => {
    const result = await channel().send(sampleMessage(), { url: receiver.origin, secret: 'whsec_' });
    expect(result).toMatchObject({ ok: false, retryable: false });
    expect(receiver.received).toHaveLength(0);
  });
});
