import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import ExcelJS from 'exceljs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestContext, type TestContext } from '../support/context.ts';
import type { World } from '../support/factories.ts';
import { problem } from '../support/http.ts';
import { buildBulletinWorld, pdfText } from './support.ts';

/** 清单与通报 routes: 401 → 400 (field) → 403/404 → success, the download and the ledgered hash. */
let ctx: TestContext;
let w: World;
let numbers: Record<string, string>;

beforeAll(async () => {
  ctx = await createTestContext();
  ({ w, numbers } = await buildBulletinWorld(ctx));
}, 300_000);
afterAll(async () => {
  await w?.app.close();
  await ctx?.cleanup();
});

const monthly = { kind: 'monthly', period: '2026-10', format: 'docx' };
const sha256 = (b: Buffer) => crypto.createHash('sha256').update(b).digest('hex');

describe('POST /api/v1/bulletins', () => {
  it('401 → 400 naming the field → 403 for other roles → 404 outside the scope', async () => {
    problem(
      await w.app.inject({ method: 'POST', url: '/api/v1/bulletins', payload: monthly }),
      401,
      'UNAUTHENTICATED',
    );
    const sup = await w.as('city_sup');
    problem(
      await sup.post('/api/v1/bulletins', { ...monthly, period: '2026-13' }),
      400,
      'VALIDATION_FAILED',
      'body.period',
    );
    problem(
      await sup.post('/api/v1/bulletins', { ...monthly, period: '2026-Q3' }),
      400,
      'VALIDATION_FAILED',
      'body.period',
    );
    problem(
      await sup.post('/api/v1/bulletins', { ...monthly, format: 'xlsx' }),
      400,
      'VALIDATION_FAILED',
      'body.format',
    );
    problem(
      await sup.post('/api/v1/bulletins', { kind: 'four_lists', format: 'xlsx', period: '2026-10' }),
      400,
      'VALIDATION_FAILED',
      'body.period',
    );
    problem(
      await sup.post('/api/v1/bulletins', { ...monthly, kind: 'daily' }),
      400,
      'VALIDATION_FAILED',
      'body.kind',
    );
    problem(
      await sup.post('/api/v1/bulletins', { ...monthly, extra: 1 }),
      400,
      'VALIDATION_FAILED',
      'body.extra',
    );
    const res = await sup.post('/api/v1/bulletins', { ...monthly, period: '2026-13' });
    expect(res.json().detailZh).toContain('期次格式应为 2026-10');
    problem(await (await w.as('housing_h')).post('/api/v1/bulletins', monthly), 403, 'FORBIDDEN');
    problem(await (await w.as('leader')).post('/api/v1/bulletins', monthly), 403, 'FORBIDDEN');
    problem(
      await (await w.as('ningbo_sup')).post('/api/v1/bulletins', { ...monthly, regionCode: '330100' }),
      404,
      'REGION_NOT_FOUND',
    );
    problem(
      await sup.post('/api/v1/bulletins', { ...monthly, regionCode: '330000' }),
      404,
      'REGION_NOT_FOUND',
    );
  });

  it('201 with the record; the download is the archived file and the ledger holds its SHA-256', async () => {
    const sup = await w.as('city_sup');
    const res = await sup.post('/api/v1/bulletins', monthly);
    expect(res.statusCode, res.body).toBe(201);
    const b = res.json().bulletin;
    expect(b).toMatchObject({
      kind: 'monthly',
      kindName: '月度通报',
      period: '2026-10',
      format: 'docx',
      regionCode: '330100',
      regionName: '杭州市',
      fileName: '杭州市月度通报_2026-10.docx',
      generatedBy: w.users.city_sup,
      generatedByName: 'city_sup',
      trigger: 'api',
    });
    const file = await sup.get(`/api/v1/bulletins/${b.id}/file`);
    expect(file.statusCode).toBe(200);
    expect(file.headers['content-type']).toBe(
      'application/vnd.openxmlformats-officedocument.wordprocessingml.document',
    );
    expect(file.headers['content-disposition']).toBe(
      `attachment; filename="duban-monthly-2026-10.docx"; filename*=UTF-8''${encodeURIComponent('杭州市月度通报_2026-10.docx')}`,
    );
    expect(sha256(file.rawPayload)).toBe(b.sha256);
    expect(file.rawPayload.length).toBe(b.sizeBytes);

    const events = await ctx.db
      .selectFrom('events')
      .select(['type', 'payload', 'actor_id'])
      .where('type', '=', 'bulletin.generated')
      .execute();
    expect(events).toHaveLength(1);
    expect(events[0]?.actor_id).toBe(w.users.city_sup);
    expect(events[0]?.payload).toMatchObject({
      bulletinId: b.id,
      sha256: sha256(file.rawPayload),
      sizeBytes: b.sizeBytes,
      kind: 'monthly',
      period: '2026-10',
      format: 'docx',
      regionCode: '330100',
      trigger: 'api',
    });
  });

  it('a PDF (application/pdf, Chinese text); without a CJK font 503 naming it', async () => {
    const sup = await w.as('city_sup');
    const res = await sup.post('/api/v1/bulletins', { kind: 'weekly', period: '2026-W47', format: 'pdf' });
    expect(res.statusCode, res.body).toBe(201);
    const file = await sup.get(`/api/v1/bulletins/${res.json().bulletin.id}/file`);
    expect(file.headers['content-type']).toBe('application/pdf');
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'duban-bulletin-pdf-'));
    try {
      fs.writeFileSync(path.join(dir, 'w.pdf'), file.rawPayload);
      const text = await pdfText(path.join(dir, 'w.pdf'));
      expect(text).toContain('杭州市督办工作周调度报告');
      expect(text).toContain(numbers.C);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }

    const saved = process.env.DUBAN_CJK_FONT;
    process.env.DUBAN_CJK_FONT = '/nonexistent/NotoSansCJK.ttc';
    try {
      const missing = await sup.post('/api/v1/bulletins', {
        kind: 'weekly',
        period: '2026-W47',
        format: 'pdf',
      });
      problem(missing, 503, 'FONT_MISSING');
      expect(missing.json().detailZh).toContain('DUBAN_CJK_FONT');
      expect(missing.json().detail).toContain('fonts-noto-cjk');
    } finally {
      if (saved === undefined) delete process.env.DUBAN_CJK_FONT;
      else process.env.DUBAN_CJK_FONT = saved;
    }
  });
});

describe('GET /api/v1/bulletins and the file', () => {
  it('401 → 400 → 403 → 404 outside the scope → the list of the region subtree', async () => {
    problem(await w.app.inject({ method: 'GET', url: '/api/v1/bulletins' }), 401, 'UNAUTHENTICATED');
    const sup = await w.as('city_sup');
    problem(await sup.get('/api/v1/bulletins?kind=daily'), 400, 'VALIDATION_FAILED', 'querystring.kind');
    problem(await (await w.as('housing_h')).get('/api/v1/bulletins'), 403, 'FORBIDDEN');
    problem(await sup.get('/api/v1/bulletins?regionCode=330200'), 404, 'REGION_NOT_FOUND');

    const list = await sup.get('/api/v1/bulletins');
    expect(list.statusCode, list.body).toBe(200);
    expect(list.json().total).toBe(2);
    expect(
      list
        .json()
        .bulletins.map((b: { kind: string }) => b.kind)
        .sort(),
    ).toEqual(['monthly', 'weekly']);
    const monthlyOnly = await sup.get('/api/v1/bulletins?kind=monthly');
    expect(monthlyOnly.json().bulletins).toHaveLength(1);

    // The province sees 杭州's; 宁波 sees none, and 杭州's file answers it 404.
    expect((await (await w.as('leader')).get('/api/v1/bulletins')).json().total).toBe(2);
    expect((await (await w.as('auditor')).get('/api/v1/bulletins')).json().total).toBe(2);
    const ningbo = await w.as('ningbo_sup');
    expect((await ningbo.get('/api/v1/bulletins')).json()).toEqual({ bulletins: [], total: 0 });
    const id = list.json().bulletins[0].id;
    problem(await ningbo.get(`/api/v1/bulletins/${id}/file`), 404, 'NOT_FOUND');
    problem(await sup.get(`/api/v1/bulletins/${crypto.randomUUID()}/file`), 404, 'NOT_FOUND');
    problem(await sup.get('/api/v1/bulletins/nope/file'), 400, 'VALIDATION_FAILED', 'params.id');
    problem(
      await w.app.inject({ method: 'GET', url: `/api/v1/bulletins/${id}/file` }),
      401,
      'UNAUTHENTICATED',
    );
    problem(await (await w.as('edu_h')).get(`/api/v1/bulletins/${id}/file`), 403, 'FORBIDDEN');

    // A province bulletin is not 杭州's to read.
    const prov = await w.as('prov_sup');
    const made = await prov.post('/api/v1/bulletins', {
      kind: 'quarterly',
      period: '2026-Q4',
      format: 'docx',
    });
    expect(made.statusCode, made.body).toBe(201);
    expect(made.json().bulletin.regionCode).toBe('330000');
    problem(await sup.get(`/api/v1/bulletins/${made.json().bulletin.id}/file`), 404, 'NOT_FOUND');
    expect((await prov.get(`/api/v1/bulletins/${made.json().bulletin.id}/file`)).statusCode).toBe(200);
    expect((await prov.get('/api/v1/bulletins?regionCode=330100')).json().total).toBe(2);
  });
});

describe('GET /api/v1/reports/four-lists.xlsx', () => {
  it('401 → 400 → 403 → 404 outside the scope → the workbook of the region', async () => {
    const url = '/api/v1/reports/four-lists.xlsx';
    problem(await w.app.inject({ method: 'GET', url }), 401, 'UNAUTHENTICATED');
    const sup = await w.as('city_sup');
    problem(await sup.get(`${url}?regionCode=33`), 400, 'VALIDATION_FAILED', 'querystring.regionCode');
    problem(await (await w.as('housing_h')).get(url), 403, 'FORBIDDEN');
    problem(await (await w.as('ningbo_sup')).get(`${url}?regionCode=330100`), 404, 'REGION_NOT_FOUND');

    const res = await sup.get(url);
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toBe(
      'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
    );
    expect(res.headers['content-disposition']).toContain(
      `filename*=UTF-8''${encodeURIComponent('杭州市四张清单_2026-11-20.xlsx')}`,
    );
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load(res.rawPayload as unknown as ArrayBuffer);
    const numbersIn = (name: string) =>
      (wb.getWorksheet(name)?.getColumn(2).values ?? []).filter(
        (v) => typeof v === 'string' && v.includes('〔'),
      );
    expect(numbersIn('责任清单').sort()).toEqual([numbers.A, numbers.B, numbers.C].sort());
    const province = await (await w.as('leader')).get(url);
    const wb2 = new ExcelJS.Workbook();
    await wb2.xlsx.load(province.rawPayload as unknown as ArrayBuffer);
    expect(wb2.getWorksheet('任务清单')?.rowCount).toBe(5); // header + A, B, C, D
  });
});
