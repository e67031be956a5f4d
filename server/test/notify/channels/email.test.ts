import type { AddressInfo } from 'node:net';
import { type ParsedMail, simpleParser } from 'mailparser';
import { SMTPServer } from 'smtp-server';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createEmailChannel, emailBody } from '../../../src/notify/channels/email.ts';
import { closedPort, sampleMessage } from './support.ts';

type Rejection = { code: number; text: string } | undefined;

describe('email over SMTP to a loopback smtp-server', () => {
  const inbox: ParsedMail[] = [];
  const envelopes: string[][] = [];
  let rejectRcpt: Rejection;
  let connections = 0;
  let server: SMTPServer;
  let port = 0;

  beforeAll(async () => {
    server = new SMTPServer({
      disabledCommands: ['STARTTLS'],
      authOptional: true,
      allowInsecureAuth: true,
      logger: false,
      onConnect(_session, callback) {
        connections++;
        callback();
      },
      onAuth(auth, _session, callback) {
        if (auth.username === 'duban' && auth.password === '正确的密码') callback(null, { user: 'duban' });
        else callback(Object.assign(new Error('Invalid username or password'), { responseCode: 535 }));
      },
      onRcptTo(_address, _session, callback) {
        if (rejectRcpt === undefined) callback();
        else callback(Object.assign(new Error(rejectRcpt.text), { responseCode: rejectRcpt.code }));
      },
      onData(stream, session, callback) {
        envelopes.push(session.envelope.rcptTo.map((r) => r.address));
        simpleParser(stream).then(
          (mail) => {
            inbox.push(mail);
            callback();
          },
          (e: Error) => callback(e),
        );
      },
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    port = (server.server.address() as AddressInfo).port;
  });
  afterAll(async () => {
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });
  beforeEach(() => {
    inbox.length = 0;
    envelopes.length = 0;
    rejectRcpt = undefined;
  });

  const channel = (extra: { user?: string; pass?: string } = {}) =>
    createEmailChannel({
      host: '127.0.0.1',
      port,
      secure: false,
      from: '"督办平台" <duban@example.gov.cn>',
      timeoutMs: 5000,
      ...extra,
    });

  it('delivers the Chinese subject and body with the link', async () => {
    const message = sampleMessage();
    const result = await channel().send(message, 'zhangsan@hz.gov.cn');
    expect(result.ok).toBe(true);
    expect(inbox).toHaveLength(1);
    const mail = inbox[0];
    if (mail === undefined) throw new Error('no mail');
    expect(envelopes[0]).toEqual(['zhangsan@hz.gov.cn']);
    expect(mail.subject).toBe('【督办提醒】杭督〔2026〕0001号 还有3个工作日到期');
    expect(mail.text).toContain('老旧小区加装电梯');
    expect(mail.text).toContain('查看督办事项：https://duban.example.gov.cn/items/3f1c2a9e');
    expect(mail.text).toBe(emailBody(message));
    expect(mail.from?.value[0]).toEqual({ address: 'duban@example.gov.cn', name: '督办平台' });
    expect(mail.messageId).toBe(`<${message.id}@example.gov.cn>`);
    expect(mail.headers.get('x-duban-kind')).toBe('item.reminder');
    // mailparser folds X-Priority / Importance into 'priority'; nodemailer sends none for normal mail
    expect(mail.headers.get('priority')).toBeUndefined();
  });

  it('marks urgent mail 【特急】 with high priority, once', async () => {
    await channel().send(sampleMessage({ urgent: true }), 'lisi@hz.gov.cn');
    await channel().send(sampleMessage({ urgent: true, subject: '【特急】防汛督办' }), 'lisi@hz.gov.cn');
    expect(inbox.map((m) => m.subject)).toEqual([
      '【特急】【督办提醒】杭督〔2026〕0001号 还有3个工作日到期',
      '【特急】防汛督办',
    ]);
    expect(inbox[0]?.headers.get('priority')).toBe('high');
  });

  it('treats a 550 rejection as permanent', async () => {
    rejectRcpt = { code: 550, text: 'Mailbox unavailable' };
    const result = await channel().send(sampleMessage(), 'nobody@hz.gov.cn');
    expect(result).toMatchObject({ ok: false, retryable: false });
    expect(!result.ok && result.error).toContain('550');
    expect(inbox).toHaveLength(0);
  });

  it('treats a 451 rejection as temporary', async () => {
    rejectRcpt = { code: 451, text: 'Try again later' };
    const result = await channel().send(sampleMessage(), 'busy@hz.gov.cn');
    expect(result).toMatchObject({ ok: false, retryable: true });
    expect(!result.ok && result.error).toContain('451');
  });

  it('authenticates; a rejected login (535) is permanent', async () => {
    expect(
      (await channel({ user: 'duban', pass: '正确的密码' }).send(sampleMessage(), 'a@hz.gov.cn')).ok,
    ).toBe(true);
    const bad = await channel({ user: 'duban', pass: 'wrong' }).send(sampleMessage(), 'a@hz.gov.cn');
    expect(bad).toMatchObject({ ok: false, retryable: false });
    expect(!bad.ok && bad.error).toContain('535');
  });

  it('treats an unreachable server as temporary', async () => {
    const ch = createEmailChannel({
      host: '127.0.0.1',
      port: await closedPort(),
      from: 'duban@example.gov.cn',
    });
    const result = await ch.send(sampleMessage(), 'a@hz.gov.cn');
    expect(result).toMatchObject({ ok: false, retryable: true });
  });

  it('refuses an invalid address without connecting', async () => {
    const before = connections;
    const result = await channel().send(sampleMessage(), 'not-an-address');
    expect(result).toMatchObject({ ok: false, retryable: false });
    expect(connections).toBe(before);
  });
});
