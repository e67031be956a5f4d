import ExcelJS from 'exceljs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rowCount, type TestContext } from '../support/context.ts';
import { closeWorld, openWorld, type Session, type World } from '../support/factories.ts';
import { problem } from '../support/http.ts';

/** Excel import of the task pool: the template, all rows or none, a row-level report. */
let ctx: TestContext;
let w: World;
let sup: Session;
beforeAll(async () => {
  ({ ctx, w } = await openWorld('2026-03-02T02:00:00Z'));
  sup = await w.login('city_sup');
});
afterAll(() => closeWorld(ctx, w));

async function template(): Promise<Buffer> {
  const res = await w.app.inject({
    method: 'GET',
    url: '/api/v1/intake/import-template.xlsx',
    headers: { cookie: sup.cookie },
  });
  expect(res.statusCode, res.body).toBe(200);
  return res.rawPayload;
}

/** The template with these rows (after the example row, which the import skips). */
async function filled(rows: (string | number)[][]): Promise<Buffer> {
  const wb = new ExcelJS.Workbook();
  await wb.xlsx.load((await template()) as unknown as ArrayBuffer);
  const ws = wb.worksheets[0];
  if (!ws) throw new Error('no sheet');
  for (const r of rows) ws.addRow(r);
  return Buffer.from(await wb.xlsx.writeBuffer());
}

function upload(bytes: Buffer, session: Session | null = sup, field = 'file') {
  const boundary = '----duban-intake-test';
  const body = Buffer.concat([
    Buffer.from(
      `--${boundary}\r\nContent-Disposition: form-data; name="${field}"; filename="import.xlsx"\r\n` +
        'Content-Type: application/vnd.openxmlformats-officedocument.spreadsheetml.sheet\r\n\r\n',
    ),
    bytes,
    Buffer.from(`\r\n--${boundary}--\r\n`),
  ]);
  return w.app.inject({
    method: 'POST',
    url: '/api/v1/intake/import',
    payload: body,
    headers: {
      'content-type': `multipart/form-data; boundary=${boundary}`,
      ...(session ? { cookie: session.cookie, 'x-csrf-token': session.csrf } : {}),
    },
  });
}

const good = (title: string): (string | number)[] => [
  '投诉',
  title,
  '具体内容',
  330106,
  'livelihood',
  '西湖区文三路',
  '王五',
  '13700001111',
  'wangwu@example.cn',
];

describe('GET /api/v1/intake/import-template.xlsx', () => {
  it('401, 403, then a workbook with Chinese headers, an example row and a frozen header', async () => {
    problem(
      await w.app.inject({ method: 'GET', url: '/api/v1/intake/import-template.xlsx' }),
      401,
      'UNAUTHENTICATED',
    );
    const handler = await w.login('housing_h');
    problem(
      await w.app.inject({
        method: 'GET',
        url: '/api/v1/intake/import-template.xlsx',
        headers: { cookie: handler.cookie },
      }),
      403,
      'FORBIDDEN',
    );
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load((await template()) as unknown as ArrayBuffer);
    const ws = wb.worksheets[0];
    expect(ws?.getRow(1).getCell(1).text).toBe('类型（投诉/建议/任务）*');
    expect(ws?.getRow(1).getCell(2).text).toBe('标题*');
    expect(ws?.getRow(1).getCell(8).text).toBe('联系电话');
    expect(ws?.getRow(2).getCell(2).text).toMatch(/^【示例】/);
    expect(ws?.views[0]).toMatchObject({ state: 'frozen', ySplit: 1 });
  });
});

describe('POST /api/v1/intake/import', () => {
  it('401, 400 without a file or with a non-workbook, 403 for a handler', async () => {
    const bytes = await filled([good('一')]);
    problem(await upload(bytes, null), 401, 'UNAUTHENTICATED');
    problem(await upload(bytes, sup, 'other'), 400, 'VALIDATION_FAILED', 'body.file');
    problem(await upload(Buffer.from('not a workbook')), 400, 'VALIDATION_FAILED', 'body.file');
    problem(await upload(await filled([])), 400, 'VALIDATION_FAILED', 'body.file');
    problem(await upload(bytes, await w.login('edu_h')), 403, 'FORBIDDEN');
    expect(await rowCount(ctx, 'intake_records')).toBe(0);
  });

  it('any bad row: 400 with every row-level problem, nothing imported', async () => {
    const bytes = await filled([
      good('好的一行'),
      ['投诉', '', '内容', '', '', '', '', '', ''],
      ['意见', '类型错', '内容', 330200, 'nope', '', '', 'phone', 'mail'],
      good('又一好行'),
    ]);
    const res = await upload(bytes);
    problem(res, 400, 'VALIDATION_FAILED', 'body.file');
    expect(res.json().errors).toEqual([
      { row: 4, field: 'title', column: '标题', detailZh: '必填项为空', detail: 'required' },
      expect.objectContaining({ row: 5, field: 'kind' }),
      expect.objectContaining({ row: 5, field: 'regionCode', detailZh: '行政区划不在您的管辖范围内' }),
      expect.objectContaining({ row: 5, field: 'categoryCode' }),
      expect.objectContaining({ row: 5, field: 'contactPhone' }),
      expect.objectContaining({ row: 5, field: 'contactEmail' }),
    ]);
    expect(res.json().detailZh).toContain('未导入任何记录');
    expect(await rowCount(ctx, 'intake_records')).toBe(0);
  });

  it('all good: every row imported in one transaction, answered masked', async () => {
    const events = await ctx.db
      .selectFrom('events')
      .select('seq')
      .orderBy('seq', 'desc')
      .limit(1)
      .executeTakeFirst();
    const res = await upload(
      await filled([good('第一行'), ['建议', '第二行', '内容二', '', '', '', '', '', '']]),
    );
    expect(res.statusCode, res.body).toBe(201);
    const { records, count } = res.json();
    expect(count).toBe(2);
    expect(records).toMatchObject([
      {
        channel: 'excel',
        kind: 'complaint',
        title: '第一行',
        regionCode: '330106',
        categoryCode: 'livelihood',
        address: '西湖区文三路',
        contact: { name: '王*', phone: '137****1111', email: 'w***@example.cn' },
      },
      { channel: 'excel', kind: 'suggestion', title: '第二行', regionCode: '330100', categoryCode: null },
    ]);
    expect(res.body).not.toContain('13700001111');
    expect(await rowCount(ctx, 'intake_records')).toBe(2);
    const added = await ctx.db
      .selectFrom('events')
      .select('type')
      .where('seq', '>', events?.seq ?? 0)
      .execute();
    expect(added.map((e) => e.type)).toEqual(['intake.received', 'intake.received']);
  });
});
