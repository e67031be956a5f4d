/**
 * SSRF guard shared by every channel that calls a URL a user can influence (webhooks, WeCom and
 * DingTalk robots).
 *
 * Rules: only http(s); the hostname is resolved once here, every resolved address must be a public
 * unicast address, and the connection is then made to exactly those checked addresses (the socket's
 * `lookup` returns them instead of resolving again), so DNS rebinding between check and connect is
 * impossible. Refused: loopback, RFC 1918 private, link-local, multicast, unspecified, broadcast,
 * carrier-grade NAT (100.64/10), IPv6 unique-local (fc00::/7), IPv4-mapped and -translated IPv6,
 * NAT64, 6to4, Teredo, documentation and other reserved ranges — anything ipaddr.js does not call
 * 'unicast'. A destination whose `host[:port]` is in the configured allow-list skips the address check
 * (for intranet receivers, and for tests on loopback).
 */
import { promises as dns } from 'node:dns';
import { isIP, type LookupFunction } from 'node:net';
import ipaddr from 'ipaddr.js';
import { z } from 'zod';

export type ResolvedAddress = { address: string; family: 4 | 6 };

/** Resolves a hostname to all its addresses (default: the system resolver, `dns.lookup`). */
export type Resolver = (hostname: string) => Promise<ResolvedAddress[]>;

export type SsrfPolicy = {
  /** `host` or `host:port` (IPv6 as `[::1]:8080`) that may be reached even when not public. */
  allow?: readonly string[];
  resolve?: Resolver;
};

export type AddressVerdict = { public: boolean; range: string };

/**
 * Classifies an IP address literal. Only global unicast is public; an IPv4-mapped IPv6 address is
 * never public (its range names the embedded IPv4 address's range, e.g. 'ipv4Mapped:loopback').
 */
export function classifyAddress(address: string): AddressVerdict {
  const literal = address.startsWith('[') && address.endsWith(']') ? address.slice(1, -1) : address;
  if (isIP(literal) === 0) return { public: false, range: 'invalid' };
  let parsed: ipaddr.IPv4 | ipaddr.IPv6;
  try {
    parsed = ipaddr.parse(literal);
  } catch {
    return { public: false, range: 'invalid' };
  }
  if (parsed.kind() === 'ipv6') {
    const v6 = parsed as ipaddr.IPv6;
    if (v6.isIPv4MappedAddress()) return { public: false, range: `ipv4Mapped:${v6.toIPv4Address().range()}` };
  }
  const range = parsed.range();
  return { public: range === 'unicast', range };
}

export const systemResolver: Resolver = async (hostname) => {
  const found = await dns.lookup(hostname, { all: true, verbatim: true });
  return found.map((a) => ({ address: a.address, family: a.family === 6 ? 6 : 4 }));
};

function defaultPort(url: URL): string {
  if (url.port !== '') return url.port;
  return url.protocol === 'https:' ? '443' : '80';
}

/** The URL's hostname without IPv6 brackets, lower-case. */
export function bareHostname(url: URL): string {
  const h = url.hostname.toLowerCase();
  return h.startsWith('[') && h.endsWith(']') ? h.slice(1, -1) : h;
}

type AllowEntry = { host: string; port: string | undefined };

/** Parses `host`, `host:port`, `[v6]` or `[v6]:port`; undefined when malformed. */
export function parseAllowEntry(entry: string): AllowEntry | undefined {
  const e = entry.trim().toLowerCase();
  const v6 = /^\[([0-9a-f:.]+)\](?::(\d{1,5}))?$/.exec(e);
  if (v6?.[1] !== undefined) return { host: v6[1], port: v6[2] };
  const plain = /^([a-z0-9_.-]+)(?::(\d{1,5}))?$/.exec(e);
  if (plain?.[1] !== undefined) return { host: plain[1], port: plain[2] };
  return undefined;
}

export function isAllowListed(url: URL, allow: readonly string[] | undefined): boolean {
  if (allow === undefined || allow.length === 0) return false;
  const host = bareHostname(url);
  const port = defaultPort(url);
  const hostV6 = isIP(host) === 6 ? ipaddr.parse(host).toNormalizedString() : undefined;
  return allow.some((raw) => {
    const entry = parseAllowEntry(raw);
    if (entry === undefined) return false;
    if (entry.port !== undefined && Number(entry.port) !== Number(port)) return false;
    if (hostV6 !== undefined && isIP(entry.host) === 6) {
      return ipaddr.parse(entry.host).toNormalizedString() === hostV6;
    }
    return entry.host === host;
  });
}

export type Destination =
  | { ok: true; url: URL; addresses: ResolvedAddress[]; lookup: LookupFunction }
  | { ok: false; retryable: boolean; error: string };

/** A socket `lookup` that hands out the addresses already checked, never resolving again. */
function pinnedLookup(addresses: readonly ResolvedAddress[]): LookupFunction {
  return (_hostname, options, callback) => {
    const wanted = options.family === 4 || options.family === 6 ? options.family : undefined;
    const list = wanted === undefined ? addresses : addresses.filter((a) => a.family === wanted);
    const first = list[0];
    if (first === undefined) {
      const err: NodeJS.ErrnoException = new Error('没有可用的已检查地址');
      err.code = 'ENOTFOUND';
      callback(err, '', undefined);
      return;
    }
    if (options.all === true)
      callback(
        null,
        list.map((a) => ({ address: a.address, family: a.family })),
      );
    else callback(null, first.address, first.family);
  };
}

/**
 * Checks a destination URL against the policy and resolves it. The returned `lookup` must be passed
 * to the HTTP request so the connection goes to the checked addresses only.
 */
export async function checkDestination(rawUrl: string | URL, policy: SsrfPolicy): Promise<Destination> {
  let url: URL;
  try {
    url = new URL(rawUrl);
  } catch {
    return { ok: false, retryable: false, error: '目标地址不是有效的 URL' };
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    return { ok: false, retryable: false, error: `不支持的协议 ${url.protocol}（仅 http/https）` };
  }
  const host = bareHostname(url);
  const allowed = isAllowListed(url, policy.allow);
  let addresses: ResolvedAddress[];
  if (isIP(host) !== 0) {
    addresses = [{ address: host, family: isIP(host) === 6 ? 6 : 4 }];
  } else {
    try {
      addresses = await (policy.resolve ?? systemResolver)(host);
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code ?? String(e);
      return { ok: false, retryable: true, error: `域名解析失败：${host}（${code}）` };
    }
    if (addresses.length === 0) return { ok: false, retryable: true, error: `域名解析无结果：${host}` };
  }
  if (!allowed) {
    for (const a of addresses) {
      const verdict = classifyAddress(a.address);
      if (!verdict.public) {
        return {
          ok: false,
          retryable: false,
          error: `拒绝访问非公网地址：${host} → ${a.address}（${verdict.range}），如确需访问请加入白名单`,
        };
      }
    }
  }
  return { ok: true, url, addresses, lookup: pinnedLookup(addresses) };
}

/** Zod schema of an allow-list: `host`, `host:port`, `[v6]` or `[v6]:port` entries. */
export const allowListSchema = z
  .array(z.string().refine((s) => parseAllowEntry(s) !== undefined, '白名单项应为 host 或 host:port'))
  .default([]);
