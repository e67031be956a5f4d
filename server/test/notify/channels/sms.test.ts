import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createSmsChannel, normalizePhone, smsText } from '../../../src/notify/channels/sms.ts';
import { closedPort, type Receiver, sampleMessage, startReceiver } from './support.ts';

describe('smsText', () => {
  it('puts subject, text and link on one line within the limit, keeping the link whole', () => {
    const message = sampleMessage({ text: `${'请及时报送办理进展。'.repeat(50)}\n第二行` });
    const text = smsText(message, 120);
    expect(Array.from(text).length).toBeLessThanOrEqual(120);
    expect(text.startsWith('【督办提醒】杭督〔2026〕0001号')).toBe(true);
    expect(text.endsWith(' 详情：https://duban.example.gov.cn/items/3f1c2a9e')).toBe(true);
    expect(text).toContain('…');
    expect(text).not.toContain('\n');
  });

  it('sends short messages whole, marks urgent ones, and drops a link that leaves no room', () => {
    const short = sampleMessage({ text: '请尽快办理。', link: undefined });
    expect(smsText(short, 300)).toBe('【督办提醒】杭督〔2026〕0001号 还有3个工作日到期 请尽快办理。');
    expect(smsText({ ...short, urgent: true }, 300).startsWith('【特急】【督办提醒】')).toBe(true);
    const longLink = sampleMessage({ link: `https://duban.example.gov.cn/${'x'.repeat(80)}` });
    const t = smsText(longLink, 70);
    expect(Array.from(t).length).toBeLessThanOrEqual(70);
    expect(t).not.toContain('https://');
  });

  it.each([
    ['13800138000', '13800138000'],
    ['138 0013 8000', '13800138000'],
    ['+86 138-0013-8000', '+8613800138000'],
    ['(0571) 8700 0000', '057187000000'],
    ['abc', undefined],
    ['12', undefined],
  ])('normalizes %j → %j', (raw, expected) => {
    expect(normalizePhone(raw)).toBe(expected);
  });
});

describe('SMS gateway on loopback', () => {
  let gateway: Receiver;
  beforeAll(async () => {
    gateway = await startReceiver();
  });
  afterAll(async () => {
    await gateway.close();
  });
  beforeEach(() => {
    gateway.received.length = 0;
    gateway.setHandler(() => ({ status: 200, body: '{"messageId":"SM-0001"}' }));
  });

  it('POSTs { id, to, text } with the bearer token and an idempotency key', async () => {
    const sms = createSmsChannel({ url: `${gateway.origin}/sms/send`, token: 'gw-token-1' });
    const message = sampleMessage();
    const result = await sms.send(message, '138 0013 8000');
    expect(result).toEqual({ ok: true, detail: '{"messageId":"SM-0001"}' });
    const req = gateway.received[0];
    expect(req?.url.pathname).toBe('/sms/send');
    expect(req?.headers.authorization).toBe('Bearer gw-token-1');
    expect(req?.headers['idempotency-key']).toBe(message.id);
    expect(req?.headers['content-type']).toBe('application/json; charset=utf-8');
    expect(JSON.parse(req?.body ?? '')).toEqual({
      id: message.id,
      to: '13800138000',
      text: smsText(message, 300),
    });
  });

  it('passes a provider template with the message parameters', async () => {
    const sms = createSmsChannel({ url: gateway.origin, template: 'SMS_480210001' });
    const message = sampleMessage({ urgent: true });
    await sms.send(message, '13800138000');
    expect(JSON.parse(gateway.received[0]?.body ?? '')).toMatchObject({
      template: 'SMS_480210001',
      params: { subject: `【特急】${message.subject}`, link: message.link, kind: 'item.reminder' },
    });
    expect(gateway.received[0]?.headers.authorization).toBeUndefined();
  });

  it.each([
    [204, {}, { ok: true, detail: 'HTTP 204' }],
    [429, { 'retry-after': '30' }, { ok: false, retryable: true, retryAfterMs: 30_000 }],
    [500, {}, { ok: false, retryable: true }],
    [503, {}, { ok: false, retryable: true }],
    [400, {}, { ok: false, retryable: false }],
    [403, {}, { ok: false, retryable: false }],
  ] as const)('gateway HTTP %i → %j', async (status, headers, expected) => {
    gateway.setHandler(() => ({ status, headers }));
    const result = await createSmsChannel({ url: gateway.origin }).send(sampleMessage(), '13800138000');
    expect(result).toMatchObject(expected);
  });

  it('retries timeouts and an unreachable gateway', async () => {
    gateway.setHandler(() => 'hang');
    const slow = await createSmsChannel({ url: gateway.origin, timeoutMs: 1000 }).send(
      sampleMessage(),
      '13800138000',
    );
    expect(slow).toMatchObject({ ok: false, retryable: true });
    const down = await createSmsChannel({ url: `http://127.0.0.1:${await closedPort()}/` }).send(
      sampleMessage(),
      '13800138000',
    );
    expect(down).toMatchObject({ ok: false, retryable: true });
  });

  it('refuses an invalid number without calling the gateway', async () => {
    const result = await createSmsChannel({ url: gateway.origin }).send(sampleMessage(), '请填写手机号');
    expect(result).toMatchObject({ ok: false, retryable: false });
    expect(gateway.received).toHaveLength(0);
  });

  it('validates its configuration', () => {
    expect(() => createSmsChannel({ url: 'ftp://gw.example/' })).toThrow();
    expect(() => createSmsChannel({ url: 'http://gw.example/', maxLength: 10 })).toThrow();
  });
});
