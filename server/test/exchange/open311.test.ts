import { XMLParser } from 'fast-xml-parser';
import type { LightMyRequestResponse } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rowCount, type TestContext } from '../support/context.ts';
import { closeWorld, openWorld, type World } from '../support/factories.ts';

/** Open311 GeoReport v2 routes: formats, errors as the spec's arrays, filters, no write on error. */
let ctx: TestContext;
let w: World;
let writer: string;
let reader: string;
beforeAll(async () => {
  ({ ctx, w } = await openWorld('2026-03-02T02:00:00Z'));
  const sup = await w.as('city_sup');
  writer = (await sup.post('/api/v1/auth/tokens', { name: 'open311', scopes: ['items:write'] })).json().token;
  reader = (await sup.post('/api/v1/auth/tokens', { name: 'read', scopes: ['items:read'] })).json().token;
});
afterAll(() => closeWorld(ctx, w));

const xml = new XMLParser({ isArray: (name) => ['service', 'request', 'error'].includes(name) });

function form(fields: Record<string, string>) {
  return new URLSearchParams(fields).toString();
}

const post = (fields: Record<string, string>, format = 'json') =>
  w.app.inject({
    method: 'POST',
    url: `/open311/v2/requests.${format}`,
    payload: form(fields),
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
  });
const get = (url: string) => w.app.inject({ method: 'GET', url: `/open311/v2/${url}` });

function open311Error(res: LightMyRequestResponse, status: number, match: RegExp) {
  expect(res.statusCode, res.body).toBe(status);
  if (res.headers['content-type']?.toString().startsWith('text/xml')) {
    const doc = xml.parse(res.body);
    expect(doc.errors.error[0].code).toBe(status);
    expect(String(doc.errors.error[0].description)).toMatch(match);
  } else {
    expect(res.json()).toEqual([{ code: status, description: expect.stringMatching(match) }]);
  }
}

const valid = () => ({
  api_key: writer,
  service_code: 'livelihood',
  lat: '30.27',
  long: '120.15',
  address_string: '杭州市文三路 100 号',
  description: '路面塌陷 & 积水 <严重>',
  first_name: '三',
  last_name: '张',
  phone: '13812345678',
  email: 'zs@example.cn',
});

describe('services', () => {
  it('lists our categories as services in JSON and XML, and their definitions', async () => {
    const json = await get('services.json');
    expect(json.statusCode).toBe(200);
    expect(json.headers['content-type']).toMatch(/^application\/json/);
    const livelihood = json.json().find((s: { service_code: string }) => s.service_code === 'livelihood');
    expect(livelihood).toMatchObject({ service_name: '民生实事推进', metadata: false, type: 'realtime' });
    const x = await get('services.xml');
    expect(x.headers['content-type']).toMatch(/^text\/xml/);
    const doc = xml.parse(x.body);
    expect(doc.services.service.map((s: { service_code: string }) => s.service_code)).toEqual(
      json.json().map((s: { service_code: string }) => s.service_code),
    );
    expect((await get('services/livelihood.json')).json()).toEqual({
      service_code: 'livelihood',
      attributes: [],
    });
    expect(xml.parse((await get('services/livelihood.xml')).body).service_definition.service_code).toBe(
      'livelihood',
    );
    open311Error(await get('services/nope.json'), 404, /nope/);
    open311Error(await get('services/nope.xml'), 404, /nope/);
  });
});

describe('POST requests', () => {
  it('403 for a missing, unknown or read-only key; 400 for missing fields; nothing written', async () => {
    const { api_key: _, ...noKey } = valid();
    open311Error(await post(noKey), 403, /api_key/);
    open311Error(await post({ ...valid(), api_key: 'duban_nope' }), 403, /api_key/);
    open311Error(await post({ ...valid(), api_key: reader }), 403, /items:write/);
    const { service_code: __, ...noService } = valid();
    open311Error(await post(noService), 400, /service_code/);
    open311Error(await post({ ...valid(), service_code: 'nope' }, 'xml'), 400, /service_code nope/);
    const { lat: _l, long: _g, address_string: _a, ...noPlace } = valid();
    open311Error(await post(noPlace), 400, /location/);
    open311Error(await post({ ...valid(), lat: 'north' }), 400, /lat/);
    open311Error(await post({ ...valid(), email: 'not-mail' }), 400, /email/);
    open311Error(await post({ ...valid(), description: 'x'.repeat(4001) }), 400, /description/);
    expect(await rowCount(ctx, 'intake_records')).toBe(0);
  });

  it('creates a task-pool record and answers its id (JSON and XML)', async () => {
    const res = await post(valid());
    expect(res.statusCode, res.body).toBe(201);
    const [created] = res.json();
    expect(created).toMatchObject({
      service_request_id: expect.stringMatching(/^TS-2026-/),
      account_id: null,
    });
    expect(created.service_notice).toContain(created.service_request_id);
    const x = await post({ ...valid(), description: '第二件' }, 'xml');
    expect(x.statusCode, x.body).toBe(201);
    const doc = xml.parse(x.body);
    expect(doc.service_requests.request[0].service_request_id).toMatch(/^TS-2026-/);

    const pool = (await (await w.as('city_sup')).get('/api/v1/intake?channel=open311')).json();
    expect(pool.total).toBe(2);
    const record = pool.records.find(
      (r: { trackingNo: string }) => r.trackingNo === created.service_request_id,
    );
    expect(record).toMatchObject({
      channel: 'open311',
      kind: 'complaint',
      serviceCode: 'livelihood',
      categoryCode: 'livelihood',
      lat: 30.27,
      long: 120.15,
      address: '杭州市文三路 100 号',
      content: '路面塌陷 & 积水 <严重>',
      contact: { name: '张*', phone: '138****5678' },
    });
  });
});

describe('GET requests', () => {
  it('reads back by id and in the list, with filters; never contact data', async () => {
    const id = (await post({ ...valid(), description: '按编号读取' })).json()[0].service_request_id;
    const one = await get(`requests/${id}.json`);
    expect(one.statusCode, one.body).toBe(200);
    expect(one.json()).toEqual([
      expect.objectContaining({
        service_request_id: id,
        status: 'open',
        service_code: 'livelihood',
        service_name: '民生实事推进',
        description: '按编号读取',
        requested_datetime: '2026-03-02T02:00:00.000Z',
        lat: 30.27,
        long: 120.15,
      }),
    ]);
    expect(one.body).not.toContain('13812345678');
    const x = xml.parse((await get(`requests/${id}.xml`)).body);
    expect(x.service_requests.request[0]).toMatchObject({ service_request_id: id, status: 'open' });
    // Text is escaped by the XML builder and reads back unchanged.
    const listXml = (await get('requests.xml')).body;
    expect(listXml).toContain('路面塌陷 &amp; 积水 &lt;严重&gt;');
    expect(
      xml.parse(listXml).service_requests.request.map((r: { description: string }) => r.description),
    ).toContain('路面塌陷 & 积水 <严重>');

    open311Error(await get('requests/TS-2026-00000000.json'), 404, /not found/);
    open311Error(await get('requests/whatever.xml'), 404, /not found/);
    open311Error(await get('requests.json?status=pending'), 400, /status/);
    open311Error(await get('requests.json?start_date=yesterday'), 400, /start_date/);

    const all = (await get('requests.json')).json();
    expect(all.map((r: { service_request_id: string }) => r.service_request_id)).toContain(id);
    expect((await get('requests.json?status=closed')).json()).toEqual([]);
    expect((await get('requests.json?service_code=other')).json()).toEqual([]);
    expect(
      (await get(`requests.json?service_request_id=${id},TS-2026-00000000&status=closed`)).json(),
    ).toHaveLength(1);
    expect((await get('requests.json?start_date=2026-03-03T00:00:00Z')).json()).toEqual([]);
    // The default window is the last 90 days.
    ctx.setNow('2026-06-15T00:00:00Z');
    expect((await get('requests.json')).json()).toEqual([]);
    expect((await get('requests.json?start_date=2026-03-01')).json().length).toBe(all.length);
    ctx.setNow('2026-03-02T02:00:00Z');
  });

  it('closes when the record is rejected; portal records are not listed', async () => {
    const id = (await post({ ...valid(), description: '将被驳回' })).json()[0].service_request_id;
    await w.app.inject({
      method: 'POST',
      url: '/api/v1/public/complaints',
      payload: { kind: 'complaint', title: '门户诉求', content: '门户内容' },
    });
    const sup = await w.as('city_sup');
    const recordId = (await sup.get(`/api/v1/intake?q=${id}`)).json().records[0].id;
    expect(
      (await sup.post(`/api/v1/intake/${recordId}/reject`, { reason: '不属于受理范围' })).statusCode,
    ).toBe(200);
    const [r] = (await get(`requests/${id}.json`)).json();
    expect(r).toMatchObject({ status: 'closed', status_notes: '不予立项：不属于受理范围' });
    const closed = (await get('requests.json?status=closed')).json();
    expect(closed.map((x: { service_request_id: string }) => x.service_request_id)).toEqual([id]);
    expect(JSON.stringify((await get('requests.json')).json())).not.toContain('门户');
  });
});
