import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  allowListSchema,
  checkDestination,
  classifyAddress,
  isAllowListed,
  parseAllowEntry,
  type ResolvedAddress,
  type Resolver,
} from '../../../src/notify/channels/guard.ts';
import { postJson } from '../../../src/notify/channels/http.ts';
import { type Receiver, startReceiver } from './support.ts';

describe('classifyAddress', () => {
  const table: [address: string, isPublic: boolean, range: string][] = [
    // IPv4 loopback, private (RFC 1918), link-local, CGNAT, unspecified, multicast, broadcast, reserved
    ['127.0.0.1', false, 'loopback'],
    ['127.255.255.254', false, 'loopback'],
    ['10.0.0.1', false, 'private'],
    ['10.255.255.255', false, 'private'],
    ['172.16.0.1', false, 'private'],
    ['172.31.255.255', false, 'private'],
    ['192.168.1.1', false, 'private'],
    ['169.254.169.254', false, 'linkLocal'],
    ['100.64.0.1', false, 'carrierGradeNat'],
    ['100.127.255.255', false, 'carrierGradeNat'],
    ['0.0.0.0', false, 'unspecified'],
    ['0.1.2.3', false, 'unspecified'],
    ['224.0.0.1', false, 'multicast'],
    ['239.255.255.250', false, 'multicast'],
    ['255.255.255.255', false, 'broadcast'],
    ['192.0.2.1', false, 'reserved'],
    ['198.18.0.1', false, 'reserved'],
    ['203.0.113.5', false, 'reserved'],
    ['240.0.0.1', false, 'reserved'],
    // IPv4 public, including the edges of the private blocks
    ['8.8.8.8', true, 'unicast'],
    ['114.114.114.114', true, 'unicast'],
    ['223.5.5.5', true, 'unicast'],
    ['172.15.255.255', true, 'unicast'],
    ['172.32.0.1', true, 'unicast'],
    ['100.63.255.255', true, 'unicast'],
    ['100.128.0.1', true, 'unicast'],
    ['11.0.0.1', true, 'unicast'],
    ['169.253.0.1', true, 'unicast'],
    // IPv6
    ['::1', false, 'loopback'],
    ['0:0:0:0:0:0:0:1', false, 'loopback'],
    ['[::1]', false, 'loopback'],
    ['::', false, 'unspecified'],
    ['fc00::1', false, 'uniqueLocal'],
    ['fd12:3456:789a::1', false, 'uniqueLocal'],
    ['fe80::1', false, 'linkLocal'],
    ['fe80::1%eth0', false, 'linkLocal'],
    ['febf::1', false, 'linkLocal'],
    ['ff02::1', false, 'multicast'],
    ['2001:db8::1', false, 'reserved'],
    ['64:ff9b::a00:1', false, 'rfc6052'],
    ['2002:7f00:1::', false, '6to4'],
    // IPv4-mapped IPv6: never public, whatever it embeds
    ['::ffff:127.0.0.1', false, 'ipv4Mapped:loopback'],
    ['::ffff:7f00:1', false, 'ipv4Mapped:loopback'],
    ['0:0:0:0:0:ffff:7f00:1', false, 'ipv4Mapped:loopback'],
    ['::ffff:10.1.2.3', false, 'ipv4Mapped:private'],
    ['::ffff:169.254.169.254', false, 'ipv4Mapped:linkLocal'],
    ['::ffff:8.8.8.8', false, 'ipv4Mapped:unicast'],
    // IPv6 public
    ['2400:3200::1', true, 'unicast'],
    ['2001:4860:4860::8888', true, 'unicast'],
    ['240e::1', true, 'unicast'],
    // not IP literals
    ['localhost', false, 'invalid'],
    ['example.com', false, 'invalid'],
    ['', false, 'invalid'],
    ['1.2.3', false, 'invalid'],
    ['256.1.1.1', false, 'invalid'],
    ['0x7f.0.0.1', false, 'invalid'],
    ['2130706433', false, 'invalid'],
  ];
  it.each(table)('%s → public %s (%s)', (address, isPublic, range) => {
    expect(classifyAddress(address)).toEqual({ public: isPublic, range });
  });
});

describe('allow-list', () => {
  it.each([
    ['localhost', { host: 'localhost', port: undefined }],
    ['LOCALHOST:8080', { host: 'localhost', port: '8080' }],
    ['127.0.0.1:3000', { host: '127.0.0.1', port: '3000' }],
    ['[::1]', { host: '::1', port: undefined }],
    ['[::1]:9000', { host: '::1', port: '9000' }],
    ['hooks.intranet.gov.cn', { host: 'hooks.intranet.gov.cn', port: undefined }],
  ])('parses %s', (entry, parsed) => {
    expect(parseAllowEntry(entry)).toEqual(parsed);
  });

  it.each(['', 'http://localhost', 'a b', '::1', 'host:port', 'host:123456', 'x/y'])(
    'rejects %j',
    (entry) => {
      expect(parseAllowEntry(entry)).toBeUndefined();
      expect(allowListSchema.safeParse([entry]).success).toBe(false);
    },
  );

  it.each([
    ['http://localhost:8080/x', ['localhost:8080'], true],
    ['http://localhost:8081/x', ['localhost:8080'], false],
    ['http://localhost:8081/x', ['localhost'], true],
    ['http://127.0.0.1/', ['127.0.0.1:80'], true],
    ['https://127.0.0.1/', ['127.0.0.1:80'], false],
    ['https://Hooks.Example.com/in', ['hooks.example.com:443'], true],
    ['https://hooks.example.com.evil.test/', ['hooks.example.com'], false],
    ['http://[::1]:9000/', ['[::1]:9000'], true],
    ['http://[0:0::1]:9000/', ['[0:0:0:0:0:0:0:1]'], true],
    ['http://[::1]:9000/', ['::1'], false],
    ['http://10.0.0.1/', [], false],
  ])('%s with %j → %s', (url, allow, expected) => {
    expect(isAllowListed(new URL(url), allow)).toBe(expected);
  });
});

describe('checkDestination and the guarded POST', () => {
  let receiver: Receiver;
  beforeAll(async () => {
    receiver = await startReceiver();
  });
  afterAll(async () => {
    await receiver.close();
  });

  function fixedResolver(addresses: string[]): Resolver & { calls: string[] } {
    const calls: string[] = [];
    const resolve = async (hostname: string): Promise<ResolvedAddress[]> => {
      calls.push(hostname);
      return addresses.map((address) => ({ address, family: address.includes(':') ? 6 : 4 }));
    };
    return Object.assign(resolve, { calls });
  }

  it.each([
    '127.0.0.1',
    '10.0.0.8',
    '192.168.10.20',
    '172.20.0.1',
    '169.254.169.254',
    '100.100.100.200',
    '0.0.0.0',
    '::1',
    'fc00::5',
    'fd00::1',
    'fe80::1',
    '::ffff:127.0.0.1',
    'ff02::1',
  ])('refuses a hostname resolving to %s, without connecting', async (address) => {
    const resolve = fixedResolver([address]);
    const before = receiver.connections();
    const outcome = await postJson({
      url: `http://intranet.example:${receiver.port}/hook`,
      body: '{}',
      ssrf: { resolve },
    });
    expect(outcome).toMatchObject({ kind: 'failed', retryable: false });
    expect(outcome.kind === 'failed' && outcome.error).toContain('拒绝访问非公网地址');
    expect(resolve.calls).toEqual(['intranet.example']);
    expect(receiver.connections()).toBe(before);
  });

  it('refuses when any one of the resolved addresses is not public', async () => {
    const resolve = fixedResolver(['8.8.8.8', '127.0.0.1']);
    const dest = await checkDestination(`http://mixed.example:${receiver.port}/`, { resolve });
    expect(dest).toMatchObject({ ok: false, retryable: false });
  });

  it.each([
    'http://127.0.0.1:{port}/',
    'http://[::1]:{port}/',
    'http://[::ffff:127.0.0.1]:{port}/',
    'http://2130706433:{port}/',
    'http://0x7f.1:{port}/',
    'http://0.0.0.0:{port}/',
    'http://localhost:{port}/',
    'http://LocalHost:{port}/',
  ])('refuses %s (literal or system-resolved) without connecting', async (template) => {
    const before = receiver.connections();
    const url = template.replace('{port}', String(receiver.port));
    const outcome = await postJson({ url, body: '{}', ssrf: {} });
    expect(outcome).toMatchObject({ kind: 'failed', retryable: false });
    expect(receiver.connections()).toBe(before);
    expect(receiver.received).toHaveLength(0);
  });

  it('never connects to a trailing-dot localhost either (refused, or not resolvable here)', async () => {
    const before = receiver.connections();
    const outcome = await postJson({ url: `http://localhost.:${receiver.port}/`, body: '{}', ssrf: {} });
    expect(outcome.kind).toBe('failed');
    expect(receiver.connections()).toBe(before);
  });

  it('connects to the checked address of an allow-listed name, resolving it once', async () => {
    const resolve = fixedResolver(['127.0.0.1']);
    const outcome = await postJson({
      url: `http://hooks.intranet.test:${receiver.port}/in`,
      body: '{"a":1}',
      ssrf: { allow: [`hooks.intranet.test:${receiver.port}`], resolve },
    });
    expect(outcome).toMatchObject({ kind: 'response', status: 204 });
    // The name does not exist in any real DNS: the socket used the pinned address, not a new lookup.
    expect(resolve.calls).toEqual(['hooks.intranet.test']);
    const last = receiver.received.at(-1);
    expect(last?.headers.host).toBe(`hooks.intranet.test:${receiver.port}`);
    expect(last?.body).toBe('{"a":1}');
  });

  it('allow-listing one port does not open another', async () => {
    const before = receiver.connections();
    const outcome = await postJson({
      url: `http://127.0.0.1:${receiver.port}/`,
      body: '{}',
      ssrf: { allow: ['127.0.0.1:1'] },
    });
    expect(outcome).toMatchObject({ kind: 'failed', retryable: false });
    expect(receiver.connections()).toBe(before);
  });

  it('refuses other protocols and reports resolution failures as retryable', async () => {
    expect(await checkDestination('ftp://example.com/x', {})).toMatchObject({ ok: false, retryable: false });
    expect(await checkDestination('file:///etc/passwd', {})).toMatchObject({ ok: false, retryable: false });
    expect(await checkDestination('not a url', {})).toMatchObject({ ok: false, retryable: false });
    const failing: Resolver = async () => {
      throw Object.assign(new Error('queryA ENOTFOUND'), { code: 'ENOTFOUND' });
    };
    expect(await checkDestination('https://nowhere.example/', { resolve: failing })).toMatchObject({
      ok: false,
      retryable: true,
    });
  });
});
