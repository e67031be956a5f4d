import { createHmac } from 'node:crypto';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createDingtalkChannel, dingtalkSign } from '../../../src/notify/channels/dingtalk.ts';
import { createWecomChannel } from '../../../src/notify/channels/wecom.ts';
import { type Receiver, sampleMessage, startReceiver } from './support.ts';

let robot: Receiver;
beforeAll(async () => {
  robot = await startReceiver();
});
afterAll(async () => {
  await robot.close();
});
beforeEach(() => {
  robot.received.length = 0;
  robot.setHandler(() => ({ status: 200, body: '{"errcode":0,"errmsg":"ok"}' }));
});

function jsonBody(i = 0): Record<string, unknown> {
  return JSON.parse(robot.received[i]?.body ?? 'null') as Record<string, unknown>;
}

describe('企业微信群机器人', () => {
  const key = '693a91f6-7xxx-4bc4-97a0-0ec2sifa5aaa';
  const officialUrl = `https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=${key}`;
  const wecom = () => createWecomChannel({ baseUrl: robot.origin, allow: [robot.hostPort] });

  it('sends markdown to the robot endpoint with the key from the group URL', async () => {
    const result = await wecom().send(sampleMessage(), officialUrl);
    expect(result).toEqual({ ok: true, detail: 'ok' });
    const req = robot.received[0];
    expect(req?.url.pathname).toBe('/cgi-bin/webhook/send');
    expect(req?.url.searchParams.get('key')).toBe(key);
    const body = jsonBody();
    expect(body.msgtype).toBe('markdown');
    const content = (body.markdown as { content: string }).content;
    expect(content).toContain('**【督办提醒】杭督〔2026〕0001号 还有3个工作日到期**');
    expect(content).toContain('老旧小区加装电梯');
    expect(content).toContain('[查看督办事项](https://duban.example.gov.cn/items/3f1c2a9e)');
  });

  it('sends urgent messages as text mentioning @all, and accepts a bare key', async () => {
    await wecom().send(sampleMessage({ urgent: true, kind: 'item.emergency' }), key);
    const body = jsonBody() as { msgtype: string; text: { content: string; mentioned_list: string[] } };
    expect(body.msgtype).toBe('text');
    expect(body.text.mentioned_list).toEqual(['@all']);
    expect(body.text.content.startsWith('【特急】【督办提醒】')).toBe(true);
    expect(body.text.content).toContain('详情：https://duban.example.gov.cn/items/3f1c2a9e');
  });

  it('keeps within the byte limits (markdown 4096, text 2048)', async () => {
    const long = sampleMessage({ text: '督办事项办理进展说明。'.repeat(400) });
    await wecom().send(long, key);
    await wecom().send({ ...long, urgent: true }, key);
    const md = (jsonBody(0).markdown as { content: string }).content;
    const text = (jsonBody(1).text as { content: string }).content;
    expect(Buffer.byteLength(md, 'utf8')).toBeLessThanOrEqual(4096);
    expect(Buffer.byteLength(text, 'utf8')).toBeLessThanOrEqual(2048);
    expect(md.endsWith('[查看督办事项](https://duban.example.gov.cn/items/3f1c2a9e)')).toBe(true);
  });

  it.each([
    [
      '{"errcode":45009,"errmsg":"api freq out of limit"}',
      { ok: false, retryable: true, retryAfterMs: 60_000 },
    ],
    ['{"errcode":-1,"errmsg":"system busy"}', { ok: false, retryable: true }],
    ['{"errcode":93000,"errmsg":"invalid webhook url"}', { ok: false, retryable: false }],
    ['{"errcode":40008,"errmsg":"invalid message type"}', { ok: false, retryable: false }],
    ['<html>bad gateway</html>', { ok: false, retryable: true }],
  ])('reply %s → %j', async (reply, expected) => {
    robot.setHandler(() => ({ status: 200, body: reply }));
    expect(await wecom().send(sampleMessage(), key)).toMatchObject(expected);
  });

  it('maps HTTP errors before errcode', async () => {
    robot.setHandler(() => ({ status: 502 }));
    expect(await wecom().send(sampleMessage(), key)).toMatchObject({ ok: false, retryable: true });
  });

  it('refuses a robot URL on another host, without any request', async () => {
    const result = await wecom().send(
      sampleMessage(),
      `https://evil.example/cgi-bin/webhook/send?key=${key}`,
    );
    expect(result).toMatchObject({ ok: false, retryable: false });
    expect(
      await wecom().send(sampleMessage(), 'https://qyapi.weixin.qq.com/cgi-bin/webhook/send'),
    ).toMatchObject({
      ok: false,
      retryable: false,
    });
    expect(await wecom().send(sampleMessage(), 'key with spaces')).toMatchObject({
      ok: false,
      retryable: false,
    });
    expect(robot.received).toHaveLength(0);
  });

  it('goes through the same SSRF guard: a loopback base URL needs the allow-list', async () => {
    const before = robot.connections();
    const unguarded = createWecomChannel({ baseUrl: robot.origin });
    expect(await unguarded.send(sampleMessage(), key)).toMatchObject({ ok: false, retryable: false });
    expect(robot.connections()).toBe(before);
  });
});

describe('钉钉群机器人', () => {
  const token = 'a1b2c3d4e5f6a1b2c3d4e5f6a1b2c3d4e5f6a1b2c3d4e5f6a1b2c3d4e5f6a1b2';
  const secret = 'SEC2f9b4c0a6d7e8f90112233445566778899aabbccddeeff00112233445566778';
  const officialUrl = `https://oapi.dingtalk.com/robot/send?access_token=${token}`;
  const fixedNow = new Date('2026-03-03T01:00:00.123Z');
  const dingtalk = () =>
    createDingtalkChannel({ baseUrl: robot.origin, allow: [robot.hostPort] }, { now: () => fixedNow });

  it('signs with timestamp and sign (HMAC-SHA256 of "timestamp\\nsecret", base64, URL-encoded)', async () => {
    const result = await dingtalk().send(sampleMessage(), { url: officialUrl, secret });
    expect(result).toEqual({ ok: true, detail: 'ok' });
    const req = robot.received[0];
    if (req === undefined) throw new Error('nothing received');
    expect(req.url.pathname).toBe('/robot/send');
    expect(req.url.searchParams.get('access_token')).toBe(token);
    const timestamp = req.url.searchParams.get('timestamp');
    expect(timestamp).toBe(String(fixedNow.getTime()));
    // What DingTalk's server does: recompute from the shared secret and compare.
    const expected = createHmac('sha256', secret).update(`${timestamp}\n${secret}`).digest('base64');
    expect(req.url.searchParams.get('sign')).toBe(expected);
    // …and the raw query carries it percent-encoded, as urlencode/quote_plus would.
    expect(req.rawUrl).toContain(`sign=${encodeURIComponent(expected)}`);
    expect(dingtalkSign(secret, fixedNow.getTime())).toBe(expected);
  });

  it('sends markdown with title, text and link; urgent messages @all', async () => {
    await dingtalk().send(sampleMessage(), { url: officialUrl });
    await dingtalk().send(sampleMessage({ urgent: true }), { url: token });
    const plain = jsonBody(0) as {
      msgtype: string;
      markdown: { title: string; text: string };
      at: { isAtAll: boolean };
    };
    expect(plain.msgtype).toBe('markdown');
    expect(plain.markdown.title).toBe('【督办提醒】杭督〔2026〕0001号 还有3个工作日到期');
    expect(plain.markdown.text).toContain('#### 【督办提醒】杭督〔2026〕0001号');
    expect(plain.markdown.text).toContain('[查看督办事项](https://duban.example.gov.cn/items/3f1c2a9e)');
    expect(plain.at).toEqual({ isAtAll: false });
    expect(robot.received[0]?.url.searchParams.has('sign')).toBe(false);
    const urgent = jsonBody(1) as { markdown: { title: string }; at: { isAtAll: boolean } };
    expect(urgent.at).toEqual({ isAtAll: true });
    expect(urgent.markdown.title.startsWith('【特急】')).toBe(true);
  });

  it.each([
    ['{"errcode":130101,"errmsg":"send too fast"}', { ok: false, retryable: true, retryAfterMs: 600_000 }],
    ['{"errcode":410100,"errmsg":"发送速度太快而限流"}', { ok: false, retryable: true }],
    ['{"errcode":-1,"errmsg":"系统繁忙"}', { ok: false, retryable: true }],
    ['{"errcode":310000,"errmsg":"sign not match"}', { ok: false, retryable: false }],
    ['{"errcode":300001,"errmsg":"token is not exist"}', { ok: false, retryable: false }],
  ])('reply %s → %j', async (reply, expected) => {
    robot.setHandler(() => ({ status: 200, body: reply }));
    expect(await dingtalk().send(sampleMessage(), { url: officialUrl, secret })).toMatchObject(expected);
  });

  it('refuses a robot URL on another host and an unlisted loopback base, without connecting', async () => {
    const before = robot.connections();
    expect(
      await dingtalk().send(sampleMessage(), {
        url: `http://169.254.169.254/robot/send?access_token=${token}`,
      }),
    ).toMatchObject({ ok: false, retryable: false });
    const unguarded = createDingtalkChannel({ baseUrl: robot.origin });
    expect(await unguarded.send(sampleMessage(), { url: token })).toMatchObject({
      ok: false,
      retryable: false,
    });
    expect(robot.connections()).toBe(before);
  });
});
