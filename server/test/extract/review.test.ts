import type { LightMyRequestResponse } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestContext, type TestContext } from '../support/context.ts';
import { buildWorld, type Session, type World } from '../support/factories.ts';
import { makeDocx, makePdf, para } from './documents.ts';

/** 文件提取 review API: extract from an upload or text, then 批量立项 all or none. */
let ctx: TestContext;
let w: World;
let sup: Session;

const DOC = [
  '杭州市2026年民生实事项目任务分工方案',
  '一、新建社区食堂12个。（牵头单位：市住建局；配合单位：市财政局；完成时限：2026年10月底前）',
  '二、改造提升中小学校舍30所。（牵头单位：市教育局；配合单位：宁波市住建局；完成时限：年底前）',
  '',
].join('\n');

beforeAll(async () => {
  ctx = await createTestContext();
  w = await buildWorld(ctx);
  ctx.setNow('2026-03-02T02:00:00Z');
  sup = await w.login('city_sup');
});
afterAll(async () => {
  await w?.app.close();
  await ctx?.cleanup();
});

function problem(res: LightMyRequestResponse, status: number, code: string, field?: string) {
  expect(res.statusCode, res.body).toBe(status);
  expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
  expect(res.json().code).toBe(code);
  if (field !== undefined) expect(res.json().field).toBe(field);
}

function upload(bytes: Buffer, name: string, session: Session | null = sup, field = 'file') {
  const boundary = '----duban-extract-test';
  const body = Buffer.concat([
    Buffer.from(
      `--${boundary}\r\nContent-Disposition: form-data; name="${field}"; filename="${name}"\r\n` +
        'Content-Type: application/octet-stream\r\n\r\n',
    ),
    bytes,
    Buffer.from(`\r\n--${boundary}--\r\n`),
  ]);
  return w.app.inject({
    method: 'POST',
    url: '/api/v1/extract',
    payload: body,
    headers: {
      'content-type': `multipart/form-data; boundary=${boundary}`,
      ...(session ? { cookie: session.cookie, 'x-csrf-token': session.csrf } : {}),
    },
  });
}

function post(
  url: string,
  body: unknown,
  session: Session | null = sup,
  headers: Record<string, string> = {},
) {
  return w.app.inject({
    method: 'POST',
    url,
    payload: body as object,
    headers: { ...(session ? { cookie: session.cookie, 'x-csrf-token': session.csrf } : {}), ...headers },
  });
}

async function count(table: 'items' | 'intake_records') {
  const row = await ctx.db
    .withTables<{ intake_records: { id: string } }>()
    .selectFrom(table)
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .executeTakeFirstOrThrow();
  return Number(row.n);
}

const rows = () => [
  {
    task: '新建社区食堂12个。',
    leadUnitIds: [w.units.housing],
    collaboratorUnitIds: [w.units.finance],
    deadline: '2026-10-31',
    deadlineText: '2026年10月底前',
    citation: { start: 23, end: 70 },
    targets: [{ name: '新建社区食堂', unit: '个', target: 12 }],
  },
  {
    task: '改造提升中小学校舍30所。',
    leadUnitIds: [w.units.education],
    collaboratorUnitIds: [],
    deadline: '2026-12-31',
    deadlineText: '年底前',
  },
];
const createBody = (items: unknown[] = rows(), extra: Record<string, unknown> = {}) => ({
  categoryCode: 'livelihood',
  source: 'work_report',
  documentName: '民生实事分工方案.txt',
  items,
  ...extra,
});

describe('POST /api/v1/extract', () => {
  it('needs a login (401) and a supervisor (403)', async () => {
    problem(await post('/api/v1/extract', { text: DOC }, null), 401, 'UNAUTHENTICATED');
    problem(await upload(Buffer.from(DOC), 'plan.txt', null), 401, 'UNAUTHENTICATED');
    for (const who of ['housing_h', 'leader', 'admin'])
      problem(await post('/api/v1/extract', { text: DOC }, await w.login(who)), 403, 'FORBIDDEN');
  });

  it('answers the candidates of a text with units matched inside the caller’s scope', async () => {
    const res = await post('/api/v1/extract', { text: DOC });
    expect(res.statusCode, res.body).toBe(200);
    const body = res.json();
    expect(body.text).toBe(DOC);
    expect(body.documentYear).toBe(2026);
    expect(body.candidates).toHaveLength(2);
    const [a, b] = body.candidates;
    expect(a.task).toBe('新建社区食堂12个。');
    expect(DOC.slice(a.citation.start, a.citation.end)).toContain('新建社区食堂12个');
    expect(a.leadUnits).toEqual([
      { name: '市住建局', unitId: w.units.housing, canonical: '杭州市住房和城乡建设局' },
    ]);
    expect(a.collaboratorUnits[0].unitId).toBe(w.units.finance);
    expect(a.unmatched).toEqual([]);
    expect(b.deadline).toBe('2026-12-31');
    expect(b.leadUnits[0].unitId).toBe(w.units.education);
    // 宁波 lies outside a 杭州 supervisor's scope: flagged, never matched.
    expect(b.collaboratorUnits).toEqual([{ name: '宁波市住建局', unitId: null, canonical: null }]);
    expect(b.unmatched).toEqual(['宁波市住建局']);
  });

  it('does not match units of another region for a county supervisor', async () => {
    const res = await post('/api/v1/extract', { text: DOC }, await w.login('county_sup'));
    expect(res.statusCode, res.body).toBe(200);
    const ids = res
      .json()
      .candidates.flatMap((c: { leadUnits: { unitId: string | null }[] }) =>
        c.leadUnits.map((u) => u.unitId),
      );
    expect(ids).not.toContain(w.units.housing);
    expect(ids).not.toContain(w.units.education);
  });

  it('reads an uploaded .txt (GB18030 too)', async () => {
    const res = await upload(Buffer.from(DOC, 'utf8'), '分工方案.txt');
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json().fileName).toBe('分工方案.txt');
    expect(res.json().candidates).toHaveLength(2);
    // 督办 in GBK
    const gbk = await upload(Buffer.from([0xb6, 0xbd, 0xb0, 0xec]), 'gbk.txt');
    expect(gbk.statusCode, gbk.body).toBe(200);
    expect(gbk.json().text).toBe('督办');
    expect(gbk.json().candidates).toEqual([]);
  });

  it('reads an uploaded .docx and a text .pdf', async () => {
    const lines = DOC.trim().split('\n');
    const docx = await upload(makeDocx(lines.map(para).join('')), '分工方案.docx');
    expect(docx.statusCode, docx.body).toBe(200);
    expect(docx.json().candidates.map((c: { task: string }) => c.task)).toEqual([
      '新建社区食堂12个。',
      '改造提升中小学校舍30所。',
    ]);
    const pdf = await upload(
      makePdf([lines.map((text, i) => ({ x: 72, y: 760 - i * 24, text, size: 9 }))]),
      '分工方案.pdf',
    );
    expect(pdf.statusCode, pdf.body).toBe(200);
    expect(pdf.json().candidates[0].leadUnits[0].unitId).toBe(w.units.housing);
  });

  it('refuses a file over the size limit (413)', async () => {
    const big = Buffer.alloc(ctx.maxUploadBytes + 1024, 0x41);
    problem(await upload(big, 'big.txt'), 413, 'PAYLOAD_TOO_LARGE', 'body.file');
  });

  it('refuses other types, content that does not fit its name and empty documents', async () => {
    problem(
      await upload(Buffer.from('MZ\x90\x00binary'), 'tool.exe'),
      415,
      'UNSUPPORTED_MEDIA_TYPE',
      'body.file',
    );
    problem(await upload(Buffer.from(DOC), 'plan.doc'), 415, 'UNSUPPORTED_MEDIA_TYPE', 'body.file');
    problem(await upload(Buffer.from(DOC), 'plan.pdf'), 415, 'UNSUPPORTED_MEDIA_TYPE', 'body.file');
    problem(await upload(Buffer.from('%PDF-1.4 not really'), 'plan.txt'), 415, 'UNSUPPORTED_MEDIA_TYPE');
    problem(
      await upload(Buffer.from('<html><script>x</script></html>'), 'plan.txt'),
      415,
      'UNSUPPORTED_MEDIA_TYPE',
    );
    problem(
      await upload(Buffer.from('%PDF-1.4\n%%EOF garbage'), 'plan.pdf'),
      400,
      'VALIDATION_FAILED',
      'body.file',
    );
    problem(
      await upload(Buffer.from('PK\x03\x04broken'), 'plan.docx'),
      400,
      'VALIDATION_FAILED',
      'body.file',
    );
    problem(await upload(Buffer.alloc(0), 'plan.txt'), 400, 'VALIDATION_FAILED', 'body.file');
    problem(await upload(Buffer.from(' \n\n  '), 'plan.txt'), 400, 'VALIDATION_FAILED', 'body.file');
    problem(await upload(Buffer.from(DOC), 'plan.txt', sup, 'other'), 400, 'VALIDATION_FAILED', 'body.file');
    problem(await post('/api/v1/extract', { text: '   \n' }), 400, 'VALIDATION_FAILED', 'body.text');
    problem(await post('/api/v1/extract', { text: 5 }), 400, 'VALIDATION_FAILED', 'body.text');
    problem(await post('/api/v1/extract', { text: DOC, extra: 1 }), 400, 'VALIDATION_FAILED', 'body.extra');
  });
});

describe('POST /api/v1/extract/create', () => {
  it('needs a login (401) and a supervisor (403), writing nothing', async () => {
    const before = await count('items');
    problem(await post('/api/v1/extract/create', createBody(), null), 401, 'UNAUTHENTICATED');
    problem(await post('/api/v1/extract/create', createBody(), await w.login('housing_h')), 403, 'FORBIDDEN');
    problem(await post('/api/v1/extract/create', createBody(), await w.login('leader')), 403, 'FORBIDDEN');
    expect(await count('items')).toBe(before);
  });

  it('refuses bad input naming the field, with nothing written', async () => {
    const items = await count('items');
    const intake = await count('intake_records');
    problem(await post('/api/v1/extract/create', createBody([])), 400, 'VALIDATION_FAILED', 'body.items');
    problem(
      await post('/api/v1/extract/create', createBody(rows(), { categoryCode: 'no-such' })),
      400,
      'VALIDATION_FAILED',
      'body.categoryCode',
    );
    problem(
      await post('/api/v1/extract/create', createBody(rows(), { source: 'gossip' })),
      400,
      'VALIDATION_FAILED',
      'body.source',
    );
    expect(await count('items')).toBe(items);
    expect(await count('intake_records')).toBe(intake);
  });

  it('is all or nothing: one bad row refuses every row, each error naming its index', async () => {
    const items = await count('items');
    const intake = await count('intake_records');
    const [good, second] = rows();
    const res = await post(
      '/api/v1/extract/create',
      createBody([good, { ...second, deadline: '2026-13-45' }, { ...second, leadUnitIds: [] }]),
    );
    problem(res, 400, 'VALIDATION_FAILED', 'body.items.1.deadline');
    const errors = res.json().errors as { index: number; field: string; detailZh: string }[];
    expect(errors.map((e) => [e.index, e.field])).toEqual([
      [1, 'body.items.1.deadline'],
      [2, 'body.items.2.leadUnitIds'],
    ]);
    expect(errors[1]?.detailZh).toBe('请选择牵头单位');
    expect(await count('items')).toBe(items);
    expect(await count('intake_records')).toBe(intake);
  });

  it('refuses units outside the caller’s scope and past deadlines', async () => {
    const items = await count('items');
    const [good, second] = rows();
    const res = await post(
      '/api/v1/extract/create',
      createBody([
        good,
        { ...second, collaboratorUnitIds: [w.units.ningboHousing] },
        { ...second, deadline: '2026-01-05' },
        { ...second, collaboratorUnitIds: [second?.leadUnitIds[0]] },
      ]),
    );
    problem(res, 400, 'VALIDATION_FAILED');
    expect(res.json().errors.map((e: { field: string }) => e.field)).toEqual([
      'body.items.1.collaboratorUnitIds.0',
      'body.items.2.deadline',
      'body.items.3.collaboratorUnitIds',
    ]);
    // A 西湖区 supervisor may not dispatch to 杭州 city units.
    const county = await post('/api/v1/extract/create', createBody(), await w.login('county_sup'));
    problem(county, 400, 'VALIDATION_FAILED', 'body.items.0.leadUnitIds.0');
    expect(await count('items')).toBe(items);
  });

  let createdIds: string[] = [];
  it('creates every row: items dispatched to the reviewed units, intake records of channel extraction', async () => {
    const items = await count('items');
    const res = await post('/api/v1/extract/create', createBody(), sup, {
      'idempotency-key': 'extract-create-1',
    });
    expect(res.statusCode, res.body).toBe(201);
    const body = res.json();
    expect(body.count).toBe(2);
    expect(body.created.map((c: { index: number; status: string }) => [c.index, c.status])).toEqual([
      [0, 'dispatched'],
      [1, 'dispatched'],
    ]);
    createdIds = body.created.map((c: { id: string }) => c.id);
    expect(await count('items')).toBe(items + 2);

    // A retry with the same key replays the answer and creates nothing more.
    const replay = await post('/api/v1/extract/create', createBody(), sup, {
      'idempotency-key': 'extract-create-1',
    });
    expect(replay.statusCode).toBe(201);
    expect(replay.headers['idempotent-replayed']).toBe('true');
    expect(await count('items')).toBe(items + 2);

    const detail = (await w.as('city_sup')).get(`/api/v1/items/${createdIds[0]}`);
    const item = (await detail).json().item;
    expect(item.title).toBe('新建社区食堂12个');
    expect(item.content).toBe('新建社区食堂12个。');
    expect(item.source).toBe('work_report');
    expect(item.deadline).toBe('2026-10-31');
    expect(item.targets).toEqual([
      expect.objectContaining({ key: 'target_1', name: '新建社区食堂', unit: '个', target: 12 }),
    ]);
    const roles = Object.fromEntries(
      (item.assignments as { unitId: string; role: string }[]).map((a) => [a.unitId, a.role]),
    );
    expect(roles).toEqual({
      [w.units.housing as string]: 'lead',
      [w.units.finance as string]: 'collaborator',
    });

    // The lead unit's handler sees it in their list; a supervisor of another city gets 404.
    const handlerList = await (await w.as('housing_h')).get('/api/v1/items?limit=200');
    expect(handlerList.json().items.map((i: { id: string }) => i.id)).toContain(createdIds[0]);
    expect((await (await w.as('ningbo_sup')).get(`/api/v1/items/${createdIds[0]}`)).statusCode).toBe(404);

    const records = await ctx.db
      .withTables<{
        intake_records: { channel: string; status: string; item_id: string | null; content: string };
      }>()
      .selectFrom('intake_records')
      .select(['channel', 'status', 'item_id', 'content'])
      .where('item_id', 'in', createdIds)
      .execute();
    expect(records.map((r) => [r.channel, r.status]).sort()).toEqual([
      ['extraction', 'accepted'],
      ['extraction', 'accepted'],
    ]);
    expect(records.find((r) => r.item_id === createdIds[0])?.content).toContain(
      '来源文件：民生实事分工方案.txt',
    );
  });

  it('reports duplicates of open items per row (409) and takes a per-row override', async () => {
    const items = await count('items');
    const res = await post('/api/v1/extract/create', createBody());
    problem(res, 409, 'DUPLICATE_ITEM');
    const errors = res.json().errors as { index: number; code: string; duplicates: { id: string }[] }[];
    expect(errors.map((e) => [e.index, e.code])).toEqual([
      [0, 'DUPLICATE_ITEM'],
      [1, 'DUPLICATE_ITEM'],
    ]);
    expect(errors[0]?.duplicates.map((d) => d.id)).toContain(createdIds[0]);
    expect(await count('items')).toBe(items);

    const [a, b] = rows();
    const half = await post(
      '/api/v1/extract/create',
      createBody([{ ...a, duplicateOverride: { reason: '分年度重复下达' } }, b]),
    );
    problem(half, 409, 'DUPLICATE_ITEM', 'body.items.1.task');
    expect(await count('items')).toBe(items);

    const both = await post(
      '/api/v1/extract/create',
      createBody(rows().map((r) => ({ ...r, duplicateOverride: { reason: '分年度重复下达' } }))),
    );
    expect(both.statusCode, both.body).toBe(201);
    expect(await count('items')).toBe(items + 2);
  });

  it('takes a task longer than an intake record holds', async () => {
    const task = `推进城市更新行动，${'完善社区配套设施和公共服务，'.repeat(400)}全面完成年度目标。`;
    expect(task.length).toBeGreaterThan(5000);
    const res = await post(
      '/api/v1/extract/create',
      createBody([
        { task, leadUnitIds: [w.units.housing], deadline: '2026-11-30', deadlineText: '11月底前' },
      ]),
    );
    expect(res.statusCode, res.body).toBe(201);
    const item = (await (await w.as('city_sup')).get(`/api/v1/items/${res.json().created[0].id}`)).json()
      .item;
    expect(item.content).toBe(task);
    expect(item.title.length).toBeLessThanOrEqual(200);
  });

  it('registers without dispatch when asked, leaving the units to 交办', async () => {
    const res = await post(
      '/api/v1/extract/create',
      createBody([{ task: '开展背街小巷环境整治行动。', deadline: '2026-09-30' }], { dispatch: false }),
    );
    expect(res.statusCode, res.body).toBe(201);
    expect(res.json().created[0].status).toBe('registered');
  });
});
