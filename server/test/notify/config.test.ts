import { describe, expect, it } from 'vitest';
import { notifyConfigFromEnv } from '../../src/notify/config.ts';
import { absoluteLink } from '../../src/notify/message.ts';
import { summarizeTarget } from '../../src/notify/present.ts';

describe('notification configuration from the environment', () => {
  it('has the robots and webhooks by default, e-mail and SMS when configured', () => {
    expect(notifyConfigFromEnv({}).enabled).toEqual(['webhook', 'wecom', 'dingtalk']);
    const cfg = notifyConfigFromEnv({
      DUBAN_SMTP_URL: 'smtps://duban%40hz.gov.cn:p%40ss@mail.hz.gov.cn',
      DUBAN_SMTP_FROM: '"督办平台" <duban@hz.gov.cn>',
      DUBAN_SMS_URL: 'http://10.0.0.5:8080/sms',
      DUBAN_SMS_TOKEN: 'sms-token',
      DUBAN_WEBHOOK_ALLOW: 'oa.intranet:8443, 10.1.2.3',
      DUBAN_PUBLIC_URL: 'https://duban.hz.gov.cn',
    });
    expect(cfg.enabled).toEqual(['email', 'sms', 'webhook', 'wecom', 'dingtalk']);
    expect(cfg.channels.email).toEqual({
      host: 'mail.hz.gov.cn',
      port: 465,
      secure: true,
      user: 'duban@hz.gov.cn',
      pass: 'p@ss',
      from: '"督办平台" <duban@hz.gov.cn>',
    });
    expect(cfg.channels.sms).toEqual({ url: 'http://10.0.0.5:8080/sms', token: 'sms-token' });
    expect(cfg.channels.allow).toEqual(['oa.intranet:8443', '10.1.2.3']);
    expect(cfg.publicUrl).toBe('https://duban.hz.gov.cn');
    expect(
      notifyConfigFromEnv({ DUBAN_SMTP_URL: 'smtp://127.0.0.1:2525', DUBAN_SMTP_FROM: 'a@b.cn' }).channels
        .email,
    ).toMatchObject({ host: '127.0.0.1', port: 2525, secure: false });
  });

  it('refuses an SMTP server without a sender, and a malformed allow-list', () => {
    expect(() => notifyConfigFromEnv({ DUBAN_SMTP_URL: 'smtp://mail' })).toThrow(/DUBAN_SMTP_FROM/);
    expect(() => notifyConfigFromEnv({ DUBAN_WEBHOOK_ALLOW: 'http://x/y' })).toThrow(/allow/);
  });

  it('makes app links absolute on the public origin only', () => {
    expect(absoluteLink('/items/1', 'https://duban.hz.gov.cn')).toBe('https://duban.hz.gov.cn/items/1');
    expect(absoluteLink('/items/1', undefined)).toBeUndefined();
    expect(absoluteLink('https://elsewhere.cn/x', undefined)).toBe('https://elsewhere.cn/x');
    expect(absoluteLink(null, 'https://duban.hz.gov.cn')).toBeUndefined();
  });

  it('summarises targets without their secrets', () => {
    expect(summarizeTarget('email', 'a@hz.gov.cn')).toBe('a@hz.gov.cn');
    expect(summarizeTarget('webhook', { url: 'https://h.cn/in?token=zzz', secret: 'whsec_x' })).toBe(
      'https://h.cn/in（已设置签名密钥）',
    );
    expect(
      summarizeTarget('dingtalk', 'https://oapi.dingtalk.com/robot/send?access_token=abcdef123456'),
    ).toBe('https://oapi.dingtalk.com/robot/send（…3456）');
    expect(summarizeTarget('wecom', 'bare-robot-key-9876')).toBe('…9876');
    expect(summarizeTarget('sms', null)).toBeNull();
  });
});
