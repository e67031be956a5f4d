import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestContext, type TestContext } from '../support/context.ts';
import { buildWorld, type Client, itemBody, type World } from '../support/factories.ts';
import { getFile, postFile, sha256Of } from './support.ts';

/**
 * The evidence path end to end over the API: a handler uploads a file, attaches it to a progress
 * report, and whoever can see the item — and nobody else — can download it.
 */
let ctx: TestContext;
let w: World;
let sup: Client;
let lead: Client;
let itemUrl: string;

const pdf = Buffer.from('%PDF-1.4\n% 现场照片说明\n%%EOF\n', 'utf8');
const sha256 = sha256Of(pdf);
const NAME = '现场照片说明.pdf';

type Event = { seq: number; type: string; payload: Record<string, unknown> };
const eventsOf = async (c: Client): Promise<Event[]> => {
  const res = await c.get(`${itemUrl}/events`);
  expect(res.statusCode, res.body).toBe(200);
  return res.json().events;
};

beforeAll(async () => {
  ctx = await createTestContext();
  ctx.setNow('2026-11-27T02:00:00Z');
  w = await buildWorld(ctx);
  sup = await w.as('city_sup');
  lead = await w.as('housing_h');

  const created = await sup.post('/api/v1/items', itemBody({ title: '城北片区老旧小区改造现场核查' }));
  expect(created.statusCode, created.body).toBe(201);
  itemUrl = `/api/v1/items/${created.json().item.id}`;
  const dispatched = await sup.post(`${itemUrl}/actions/dispatch`, {
    assignments: [
      { unitId: w.units.housing, role: 'lead', deadline: '2027-06-30' },
      { unitId: w.units.education, role: 'collaborator', deadline: '2027-05-31' },
    ],
  });
  expect(dispatched.statusCode, dispatched.body).toBe(200);
  for (const handler of ['housing_h', 'edu_h']) {
    const res = await (await w.as(handler)).post(`${itemUrl}/actions/accept`);
    expect(res.statusCode, res.body).toBe(200);
  }
  expect((await lead.get(itemUrl)).json().item.status).toBe('in_progress');
});
afterAll(async () => {
  await w.app.close();
  await ctx.cleanup();
});

describe('evidence: upload → report → download by whoever sees the item', () => {
  it('the lead handler uploads a PDF and nobody else can read it before it is attached', async () => {
    const up = await postFile(w.app, await w.login('housing_h'), [
      { name: 'file', filename: NAME, contentType: 'application/pdf', data: pdf },
    ]);
    expect(up.statusCode, up.body).toBe(201);
    expect(up.json().file).toEqual({
      sha256,
      sizeBytes: pdf.length,
      mediaType: 'application/pdf',
      name: NAME,
    });
    for (const username of ['edu_h', 'city_sup']) {
      const res = await getFile(w.app, await w.login(username), sha256);
      expect(res.statusCode, username).toBe(404);
      expect(res.json().code).toBe('FILE_NOT_FOUND');
    }
  });

  it('reporting with an unknown hash is 400 naming body.attachments.0.sha256 and writes no event', async () => {
    const before = (await eventsOf(sup)).length;
    const reportsBefore = (await sup.get(`${itemUrl}/reports`)).json().reports.length;
    const res = await lead.post(`${itemUrl}/actions/report`, {
      percent: 30,
      narrative: '附件尚未上传。',
      attachments: [{ sha256: sha256Of('never uploaded'), name: '不存在.pdf' }],
    });
    expect(res.statusCode).toBe(400);
    expect(res.headers['content-type']).toContain('application/problem+json');
    expect(res.json()).toMatchObject({ code: 'VALIDATION_FAILED', field: 'body.attachments.0.sha256' });
    expect((await eventsOf(sup)).length).toBe(before);
    expect((await sup.get(`${itemUrl}/reports`)).json().reports).toHaveLength(reportsBefore);
    expect((await lead.get(itemUrl)).json().item.progress).toBe(0);
  });

  it('the lead reports with the file attached', async () => {
    const before = (await eventsOf(sup)).length;
    const res = await lead.post(`${itemUrl}/actions/report`, {
      percent: 40,
      narrative: '已完成现场核查，附现场照片说明。',
      attachments: [{ sha256, name: NAME }],
    });
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json().item.progress).toBe(40);
    expect((await eventsOf(sup)).length).toBe(before + 1);
  });

  it('the report lists the attachment with its size and media type', async () => {
    const res = await sup.get(`${itemUrl}/reports`);
    expect(res.statusCode, res.body).toBe(200);
    const reports = res.json().reports as { unitId: string; attachments: unknown[] }[];
    const withFile = reports.filter((r) => r.attachments.length > 0);
    expect(withFile).toHaveLength(1);
    expect(withFile[0]?.unitId).toBe(w.units.housing);
    expect(withFile[0]?.attachments).toEqual([
      { sha256, name: NAME, sizeBytes: pdf.length, mediaType: 'application/pdf' },
    ]);
  });

  it('the item.progress_reported event carries the attachment’s hash', async () => {
    const reported = (await eventsOf(sup)).filter((e) => e.type === 'item.progress_reported');
    expect(reported).toHaveLength(1);
    expect(reported[0]?.payload.attachments).toEqual([
      expect.objectContaining({ sha256, name: NAME, sizeBytes: pdf.length, mediaType: 'application/pdf' }),
    ]);
  });

  it('the uploader, the collaborator, the supervisors and the leader download the same bytes', async () => {
    for (const username of ['housing_h', 'edu_h', 'city_sup', 'prov_sup', 'leader']) {
      const res = await getFile(w.app, await w.login(username), sha256);
      expect(res.statusCode, username).toBe(200);
      expect(res.rawPayload.equals(pdf), username).toBe(true);
      expect(sha256Of(res.rawPayload)).toBe(sha256);
      expect(res.headers['content-type']).toBe('application/pdf');
      expect(res.headers['content-disposition']).toBe(`attachment; filename="${sha256}.pdf"`);
      expect(res.headers['x-content-type-options']).toBe('nosniff');
    }
  });

  it('outside the item’s scope it stays 404, exactly like a file that does not exist', async () => {
    const unknown = await getFile(w.app, await w.login('ningbo_h'), sha256Of('never uploaded'));
    expect(unknown.statusCode).toBe(404);
    for (const username of ['ningbo_h', 'ningbo_sup', 'fin_h']) {
      const res = await getFile(w.app, await w.login(username), sha256);
      expect(res.statusCode, username).toBe(404);
      expect(res.json().code).toBe('FILE_NOT_FOUND');
      expect(res.rawPayload.includes(pdf)).toBe(false);
      const strip = (b: Record<string, unknown>) => ({ ...b, instance: undefined });
      expect(strip(res.json())).toEqual(strip(unknown.json()));
    }
  });

  it('refuses to attach a file one cannot read, so attaching never grants reading', async () => {
    const ningboSup = await w.as('ningbo_sup');
    const other = (await ningboSup.post('/api/v1/items', itemBody({ title: '宁波借用附件测试' }))).json()
      .item;
    const otherUrl = `/api/v1/items/${other.id}`;
    await ningboSup.post(`${otherUrl}/actions/dispatch`, {
      assignments: [{ unitId: w.units.ningboHousing, role: 'lead', deadline: '2027-06-30' }],
    });
    const thief = await w.as('ningbo_h');
    expect((await thief.post(`${otherUrl}/actions/accept`)).statusCode).toBe(200);
    const before = (await thief.get(`${otherUrl}/events`)).json().events.length;
    const res = await thief.post(`${otherUrl}/actions/report`, {
      percent: 10,
      narrative: '借用他人附件',
      attachments: [{ sha256, name: '借用.pdf' }],
    });
    expect(res.statusCode).toBe(400);
    expect(res.json().field).toBe('body.attachments.0.sha256');
    expect((await thief.get(`${otherUrl}/events`)).json().events.length).toBe(before);
    expect((await getFile(w.app, await w.login('ningbo_h'), sha256)).statusCode).toBe(404);

    // Uploading the same bytes oneself is another matter: then one may read and attach them.
    const up = await postFile(w.app, await w.login('ningbo_h'), [
      { name: 'file', filename: '自己的.pdf', contentType: 'application/pdf', data: pdf },
    ]);
    expect(up.statusCode, up.body).toBe(201);
    expect((await getFile(w.app, await w.login('ningbo_h'), sha256)).statusCode).toBe(200);
    const own = await thief.post(`${otherUrl}/actions/report`, {
      percent: 10,
      narrative: '本单位自行上传的材料',
      attachments: [{ sha256, name: '自己的.pdf' }],
    });
    expect(own.statusCode, own.body).toBe(200);
  });
});
