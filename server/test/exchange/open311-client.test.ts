import { XMLParser } from 'fast-xml-parser';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TestContext } from '../support/context.ts';
import { closeWorld, openWorld, PASSWORD, type World } from '../support/factories.ts';

/**
 * An independent Open311 GeoReport v2 client, written from the specification
 * (http://wiki.open311.org/GeoReport_v2/): apart from starting the server (a test database with an
 * organisation, listening on a loopback port) it uses nothing of ours — only HTTP through fetch.
 */
let ctx: TestContext;
let w: World;
let base: string;
beforeAll(async () => {
  ({ ctx, w } = await openWorld());
  base = await w.app.listen({ port: 0, host: '127.0.0.1' });
});
afterAll(() => closeWorld(ctx, w));

const xml = new XMLParser({ isArray: (name) => ['service', 'request', 'error'].includes(name) });

type Session = { cookie: string; csrf: string };

async function login(username: string): Promise<Session> {
  const res = await fetch(`${base}/api/v1/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ username, password: PASSWORD }),
  });
  expect(res.status).toBe(200);
  const cookie = (res.headers.get('set-cookie') ?? '').split(';')[0] ?? '';
  const json = await res.json();
  // 双因素认证 (a supervisor): the world's helper enrols and gives the TOTP code.
  if (json.mfa !== undefined) return w.login(username);
  return { cookie, csrf: json.csrfToken };
}

async function api(session: Session, method: string, path: string, body?: unknown) {
  const res = await fetch(`${base}${path}`, {
    method,
    headers: {
      cookie: session.cookie,
      ...(method === 'GET' ? {} : { 'content-type': 'application/json', 'x-csrf-token': session.csrf }),
    },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  expect(res.status, `${method} ${path}: ${text}`).toBeLessThan(300);
  return JSON.parse(text);
}

function inDays(days: number): string {
  return new Date(Date.now() + days * 86_400_000).toISOString().slice(0, 10);
}

describe('an Open311 client', () => {
  it('lists services, posts a request, reads it back, and sees it closed once its item is done', async () => {
    // Service discovery, in both formats.
    const servicesJson = await fetch(`${base}/open311/v2/services.json`);
    expect(servicesJson.status).toBe(200);
    expect(servicesJson.headers.get('content-type')).toMatch(/json/);
    const services = (await servicesJson.json()) as {
      service_code: string;
      service_name: string;
      type: string;
    }[];
    expect(services.length).toBeGreaterThan(0);
    for (const s of services) {
      expect(typeof s.service_code).toBe('string');
      expect(typeof s.service_name).toBe('string');
      expect(['realtime', 'batch', 'blackbox']).toContain(s.type);
    }
    const servicesXml = await fetch(`${base}/open311/v2/services.xml`);
    expect(servicesXml.headers.get('content-type')).toMatch(/xml/);
    const parsed = xml.parse(await servicesXml.text());
    expect(parsed.services.service.map((s: { service_code: string }) => String(s.service_code))).toEqual(
      services.map((s) => s.service_code),
    );
    const service = services[0];
    if (!service) throw new Error('no service');

    // An API key: an API token the city's supervisor issues.
    const supervisor = await login('city_sup');
    const { token } = await api(supervisor, 'POST', '/api/v1/auth/tokens', {
      name: 'open311-client',
      scopes: ['items:write'],
    });

    // POST Service Request, form-encoded as the spec says.
    const posted = await fetch(`${base}/open311/v2/requests.json`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({
        api_key: token,
        service_code: service.service_code,
        lat: '30.2741',
        long: '120.1551',
        address_string: '杭州市西湖区文三路 1 号',
        description: '人行道井盖缺失，存在安全隐患。',
        email: 'citizen@example.cn',
        first_name: 'Mei',
        last_name: 'Li',
      }).toString(),
    });
    expect(posted.status).toBeGreaterThanOrEqual(200);
    expect(posted.status).toBeLessThan(300);
    const [answer] = (await posted.json()) as { service_request_id: string; service_notice: string }[];
    const id = answer?.service_request_id;
    if (!id) throw new Error('no service_request_id');

    // GET Service Request by id, and in the list.
    const one = await fetch(`${base}/open311/v2/requests/${id}.json`);
    expect(one.status).toBe(200);
    const [request] = (await one.json()) as Record<string, unknown>[];
    expect(request).toMatchObject({
      service_request_id: id,
      status: 'open',
      service_code: service.service_code,
      description: '人行道井盖缺失，存在安全隐患。',
      lat: 30.2741,
      long: 120.1551,
    });
    expect(Number.isNaN(Date.parse(String(request?.requested_datetime)))).toBe(false);
    expect(JSON.stringify(request)).not.toContain('citizen@example.cn');
    const list = (await (await fetch(`${base}/open311/v2/requests.json?status=open`)).json()) as {
      service_request_id: string;
    }[];
    expect(list.map((r) => r.service_request_id)).toContain(id);

    // The supervisor turns the request into an item; the city's housing bureau completes it.
    const pool = await api(supervisor, 'GET', `/api/v1/intake?q=${id}`);
    const recordId = pool.records[0].id;
    const accepted = await api(supervisor, 'POST', `/api/v1/intake/${recordId}/accept`, {
      deadline: inDays(60),
    });
    const itemId = accepted.item.id;
    await api(supervisor, 'POST', `/api/v1/items/${itemId}/actions/dispatch`, {
      assignments: [{ unitId: w.units.housing, role: 'lead' }],
    });
    const handler = await login('housing_h');
    await api(handler, 'POST', `/api/v1/items/${itemId}/actions/accept`, {});
    let mid = xml.parse(await (await fetch(`${base}/open311/v2/requests/${id}.xml`)).text());
    expect(mid.service_requests.request[0].status).toBe('open');
    await api(handler, 'POST', `/api/v1/items/${itemId}/actions/request-completion`, {
      summary: '井盖已补装。',
    });
    await api(supervisor, 'POST', `/api/v1/items/${itemId}/actions/approve-completion`, { comment: '' });

    mid = xml.parse(await (await fetch(`${base}/open311/v2/requests/${id}.xml`)).text());
    expect(mid.service_requests.request[0]).toMatchObject({ service_request_id: id, status: 'closed' });
    const closed = (await (await fetch(`${base}/open311/v2/requests.json?status=closed`)).json()) as {
      service_request_id: string;
    }[];
    expect(closed.map((r) => r.service_request_id)).toEqual([id]);

    // Errors are the spec's list of {code, description}.
    const missing = await fetch(`${base}/open311/v2/requests/TS-1999-00000000.json`);
    expect(missing.status).toBe(404);
    const [error] = (await missing.json()) as { code: number; description: string }[];
    expect(error?.code).toBe(404);
    expect(typeof error?.description).toBe('string');
  });
});
