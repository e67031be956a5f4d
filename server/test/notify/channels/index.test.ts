import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { channelsConfigSchema, createChannels } from '../../../src/notify/channels/index.ts';
import { generateWebhookSecret, verifyWebhook } from '../../../src/notify/channels/webhook.ts';
import { type Receiver, sampleMessage, startReceiver } from './support.ts';

describe('createChannels', () => {
  let receiver: Receiver;
  beforeAll(async () => {
    receiver = await startReceiver();
  });
  afterAll(async () => {
    await receiver.close();
  });
  beforeEach(() => {
    receiver.received.length = 0;
    receiver.setHandler((r) =>
      r.url.pathname.startsWith('/cgi-bin/') || r.url.pathname.startsWith('/robot/')
        ? { status: 200, body: '{"errcode":0,"errmsg":"ok"}' }
        : { status: 200, body: 'accepted' },
    );
  });

  it('builds only the configured channels', () => {
    expect(createChannels({}).enabled).toEqual([]);
    const some = createChannels({ sms: { url: 'http://127.0.0.1:9/sms' }, webhook: {} });
    expect(some.enabled).toEqual(['sms', 'webhook']);
    expect(some.email).toBeUndefined();
    expect(some.webhook?.name).toBe('webhook');
    const all = createChannels({
      email: { host: 'smtp.example.gov.cn', from: 'duban@example.gov.cn' },
      sms: { url: 'http://127.0.0.1:9/sms' },
      webhook: {},
      wecom: {},
      dingtalk: {},
    });
    expect(all.enabled).toEqual(['email', 'sms', 'webhook', 'wecom', 'dingtalk']);
  });

  it('delivers a stored target through every HTTP channel, with the shared allow-list', async () => {
    const channels = createChannels({
      allow: [receiver.hostPort],
      sms: { url: `${receiver.origin}/sms` },
      webhook: {},
      wecom: { baseUrl: receiver.origin },
      dingtalk: { baseUrl: receiver.origin },
    });
    const message = sampleMessage();
    const secret = generateWebhookSecret();
    expect(
      await channels.deliver('webhook', message, { url: `${receiver.origin}/hook`, secret }),
    ).toMatchObject({
      ok: true,
    });
    expect(await channels.deliver('sms', message, '13800138000')).toMatchObject({ ok: true });
    expect(await channels.deliver('wecom', message, 'k-12345678')).toMatchObject({ ok: true });
    expect(
      await channels.deliver('dingtalk', message, { url: 'tok-12345678', secret: 'SECabc' }),
    ).toMatchObject({
      ok: true,
    });
    expect(await channels.deliver('dingtalk', message, 'tok-12345678')).toMatchObject({ ok: true });
    expect(receiver.received.map((r) => r.url.pathname)).toEqual([
      '/hook',
      '/sms',
      '/cgi-bin/webhook/send',
      '/robot/send',
      '/robot/send',
    ]);
    const hook = receiver.received[0];
    expect(hook && verifyWebhook(secret, hook.body, hook.headers).ok).toBe(true);
  });

  it('fails permanently for a disabled channel or an invalid stored target', async () => {
    const channels = createChannels({ webhook: {} });
    const message = sampleMessage();
    expect(await channels.deliver('email', message, 'a@hz.gov.cn')).toMatchObject({
      ok: false,
      retryable: false,
      error: '通道未启用：email',
    });
    expect(await channels.deliver('webhook', message, { url: 'https://hooks.example.com/' })).toMatchObject({
      ok: false,
      retryable: false,
    });
    expect(await channels.deliver('webhook', message, 'https://hooks.example.com/')).toMatchObject({
      ok: false,
      retryable: false,
    });
    expect(receiver.received).toHaveLength(0);
  });

  it('validates the configuration', () => {
    expect(channelsConfigSchema.safeParse({ allow: ['http://x'] }).success).toBe(false);
    expect(channelsConfigSchema.safeParse({ telegram: {} }).success).toBe(false);
    expect(channelsConfigSchema.safeParse({ email: { host: 'smtp.example.gov.cn' } }).success).toBe(false);
    expect(channelsConfigSchema.safeParse({ webhook: { timeoutMs: 10 } }).success).toBe(false);
    const parsed = channelsConfigSchema.parse({ webhook: {}, wecom: {} });
    expect(parsed.webhook).toEqual({ allow: [], timeoutMs: 10_000 });
    expect(parsed.wecom?.baseUrl).toBe('https://qyapi.weixin.qq.com');
    expect(() => createChannels({ sms: { url: 'not a url' } })).toThrow();
  });
});
