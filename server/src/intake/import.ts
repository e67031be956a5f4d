import { ContactPhone, INTAKE_KIND_NAMES_ZH, INTAKE_KINDS, type IntakeKind, RegionCode } from '@duban/schema';
import fastifyMultipart from '@fastify/multipart';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { requireActor, requireScope } from '../auth/guard.ts';
import type { AppContext } from '../context.ts';
import type { Queryable } from '../db/client.ts';
import { runCommand } from '../http/command.ts';
import type { App } from '../http/types.ts';
import { isRegionPathInScope } from '../org/scope.ts';
import type { Actor } from '../shared/actor.ts';
import { DomainError, validationError } from '../shared/errors.ts';
import { assertMayUseIntake, getIntakeByIds, insertIntake, type NewIntake } from './store.ts';

const tags = ['intake'];
const UPLOAD_FIELD = 'file';
const MAX_BYTES = 5 * 1024 * 1024;
const MAX_ROWS = 2000;
/** Rows whose title starts with this are the template's example and are skipped. */
const EXAMPLE_MARK = '【示例】';

type Column = { key: keyof NewIntake; header: string; width: number; required: boolean };
/** The template's columns, in order. */
const COLUMNS: Column[] = [
  { key: 'kind', header: '类型（投诉/建议/任务）', width: 20, required: true },
  { key: 'title', header: '标题', width: 30, required: true },
  { key: 'content', header: '内容', width: 50, required: true },
  { key: 'regionCode', header: '行政区划代码', width: 16, required: false },
  { key: 'categoryCode', header: '分类代码', width: 14, required: false },
  { key: 'address', header: '地址', width: 30, required: false },
  { key: 'contactName', header: '联系人', width: 12, required: false },
  { key: 'contactPhone', header: '联系电话', width: 16, required: false },
  { key: 'contactEmail', header: '电子邮箱', width: 24, required: false },
];

const EXAMPLE: Record<string, string> = {
  kind: '投诉',
  title: `${EXAMPLE_MARK}城北小区路灯长期不亮`,
  content: '城北小区 3 号楼前路灯已损坏两个月，夜间出行不便，请尽快修复。',
  regionCode: '330106',
  categoryCode: 'livelihood',
  address: '杭州市西湖区城北小区 3 号楼',
  contactName: '张三',
  contactPhone: '13800000000',
  contactEmail: 'zhangsan@example.cn',
};

/** The import template: Chinese headers, one example row, the header frozen. */
export async function importTemplate(): Promise<Buffer> {
  const { default: ExcelJS } = await import('exceljs'); // loaded on first use, not at start
  const wb = new ExcelJS.Workbook();
  wb.creator = 'Duban 督办';
  const ws = wb.addWorksheet('受理记录', { views: [{ state: 'frozen', ySplit: 1 }] });
  ws.columns = COLUMNS.map((c) => ({
    header: c.required ? `${c.header}*` : c.header,
    key: c.key,
    width: c.width,
  }));
  ws.getRow(1).font = { bold: true };
  ws.addRow(EXAMPLE);
  ws.getCell('B2').note =
    `以“${EXAMPLE_MARK}”开头的行不会导入；带 * 的列必填；行政区划代码留空则为您所在地区`;
  for (const c of ['D', 'H']) ws.getColumn(c).numFmt = '@';
  return Buffer.from(await wb.xlsx.writeBuffer());
}

export type RowError = { row: number; field: string; column: string; detailZh: string; detail: string };

const KIND_BY_TEXT = new Map<string, IntakeKind>([
  ...INTAKE_KINDS.map((k) => [k, k] as const),
  ...INTAKE_KINDS.map((k) => [INTAKE_KIND_NAMES_ZH[k], k] as const),
]);

/**
 * Reads and checks every row of a filled template. Either all rows are good (their inputs) or the
 * row-level report of every problem.
 */
export async function parseImport(
  db: Queryable,
  actor: Actor,
  bytes: Buffer,
): Promise<{ rows: NewIntake[] } | { errors: RowError[] }> {
  const { default: ExcelJS } = await import('exceljs');
  const wb = new ExcelJS.Workbook();
  try {
    await wb.xlsx.load(bytes as unknown as ArrayBuffer);
  } catch {
    throw fileProblem('the file is not an .xlsx workbook', '文件不是有效的 Excel（.xlsx）文件');
  }
  const ws = wb.worksheets[0];
  if (!ws) throw fileProblem('the workbook has no sheet', '工作簿中没有工作表');
  const headers = COLUMNS.map((_, i) =>
    ws
      .getRow(1)
      .getCell(i + 1)
      .text.replace(/\*$/, '')
      .trim(),
  );
  const wrong = COLUMNS.findIndex((c, i) => headers[i] !== c.header);
  if (wrong >= 0)
    throw fileProblem(
      `column ${wrong + 1} must be headed "${COLUMNS[wrong]?.header}": use the import template`,
      `第 ${wrong + 1} 列表头应为“${COLUMNS[wrong]?.header}”，请使用导入模板`,
    );

  const regions = new Map(
    (await db.selectFrom('regions').select(['code', 'path']).execute()).map((r) => [r.code, r.path]),
  );
  const categories = new Set((await db.selectFrom('categories').select('code').execute()).map((c) => c.code));
  const errors: RowError[] = [];
  const rows: NewIntake[] = [];
  for (let r = 2; r <= ws.rowCount; r++) {
    const cells = COLUMNS.map((_, i) =>
      ws
        .getRow(r)
        .getCell(i + 1)
        .text.trim(),
    );
    if (cells.every((v) => v === '')) continue;
    const value = (key: keyof NewIntake) => cells[COLUMNS.findIndex((c) => c.key === key)] ?? '';
    if (value('title').startsWith(EXAMPLE_MARK)) continue;
    if (rows.length + errors.length >= MAX_ROWS) {
      throw fileProblem(`at most ${MAX_ROWS} rows per file`, `每个文件最多导入 ${MAX_ROWS} 行`);
    }
    const fail = (key: keyof NewIntake, detailZh: string, detail: string) =>
      errors.push({
        row: r,
        field: key,
        column: COLUMNS.find((c) => c.key === key)?.header ?? key,
        detailZh,
        detail,
      });
    const before = errors.length;
    for (const c of COLUMNS) if (c.required && value(c.key) === '') fail(c.key, '必填项为空', 'required');
    const kind = KIND_BY_TEXT.get(value('kind'));
    if (value('kind') !== '' && !kind)
      fail('kind', '类型应为 投诉、建议 或 任务', 'must be 投诉, 建议 or 任务');
    if (value('title').length > 200) fail('title', '标题不能超过 200 字', 'at most 200 characters');
    if (value('content').length > 5000) fail('content', '内容不能超过 5000 字', 'at most 5000 characters');
    const regionCode = value('regionCode') || actor.regionCode;
    const regionPath = regions.get(regionCode);
    if (!RegionCode.safeParse(regionCode).success || regionPath === undefined)
      fail('regionCode', '行政区划代码不存在', 'unknown region code');
    else if (!isRegionPathInScope(actor, regionPath))
      fail('regionCode', '行政区划不在您的管辖范围内', 'region outside your data scope');
    const categoryCode = value('categoryCode') || undefined;
    if (categoryCode !== undefined && !categories.has(categoryCode))
      fail('categoryCode', '分类代码不存在', 'unknown category');
    if (value('address').length > 500) fail('address', '地址不能超过 500 字', 'at most 500 characters');
    if (value('contactName').length > 50)
      fail('contactName', '联系人不能超过 50 字', 'at most 50 characters');
    const phone = value('contactPhone') || undefined;
    if (phone !== undefined && !ContactPhone.safeParse(phone).success)
      fail('contactPhone', '联系电话格式不正确', 'not a phone number');
    const email = value('contactEmail') || undefined;
    if (email !== undefined && !z.email().max(200).safeParse(email).success)
      fail('contactEmail', '电子邮箱格式不正确', 'not an e-mail address');
    if (errors.length > before || !kind) continue;
    rows.push({
      channel: 'excel',
      kind,
      title: value('title'),
      content: value('content'),
      regionCode,
      categoryCode,
      address: value('address') || undefined,
      contactName: value('contactName') || undefined,
      contactPhone: phone,
      contactEmail: email,
    });
  }
  if (errors.length > 0) return { errors };
  if (rows.length === 0) throw fileProblem('the file has no rows to import', '文件中没有可导入的数据行');
  return { rows };
}

function fileProblem(en: string, zh: string): DomainError {
  return validationError([{ field: `body.${UPLOAD_FIELD}`, message: en, messageZh: zh }]);
}

/** Excel template download and import (multipart, part "file"): all rows or none. */
export function registerIntakeImportRoutes(app: App, ctx: AppContext) {
  app.get(
    '/api/v1/intake/import-template.xlsx',
    { schema: { tags, summary: '受理记录导入模板 / the Excel import template' } },
    async (request, reply) => {
      const actor = requireActor(request);
      requireScope(actor, 'items:read');
      assertMayUseIntake(actor);
      return reply
        .header('content-type', 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet')
        .header(
          'content-disposition',
          `attachment; filename="intake-template.xlsx"; filename*=UTF-8''${encodeURIComponent('受理记录导入模板.xlsx')}`,
        )
        .send(await importTemplate());
    },
  );

  app.register(async (plugin) => {
    const scope = plugin.withTypeProvider<ZodTypeProvider>();
    await scope.register(fastifyMultipart, {
      limits: { fileSize: MAX_BYTES, files: 1, fields: 5, parts: 10 },
    });
    scope.post(
      '/api/v1/intake/import',
      {
        schema: {
          tags,
          summary:
            'Excel 导入受理记录 / import the filled template (multipart, part "file"); all rows or none',
          consumes: ['multipart/form-data'],
        },
      },
      async (request, reply) => {
        const actor = requireActor(request);
        requireScope(actor, 'items:write');
        assertMayUseIntake(actor);
        const part = request.isMultipart() ? await request.file().catch(() => undefined) : undefined;
        if (!part || part.fieldname !== UPLOAD_FIELD)
          throw fileProblem(
            `a multipart/form-data part named "${UPLOAD_FIELD}" is required`,
            `缺少名为 ${UPLOAD_FIELD} 的文件`,
          );
        let bytes: Buffer;
        try {
          bytes = await part.toBuffer();
        } catch (err) {
          if ((err as { code?: unknown }).code === 'FST_REQ_FILE_TOO_LARGE')
            throw new DomainError('PAYLOAD_TOO_LARGE', {
              zh: `文件超过 ${MAX_BYTES / 1024 / 1024} MB`,
              en: `The file exceeds ${MAX_BYTES / 1024 / 1024} MB`,
            });
          throw fileProblem('malformed multipart body', '上传内容格式错误');
        }
        const parsed = await parseImport(ctx.db, actor, bytes);
        if ('errors' in parsed) {
          const first = parsed.errors[0];
          throw new DomainError(
            'VALIDATION_FAILED',
            {
              zh: `导入失败：${parsed.errors.length} 处错误，未导入任何记录（第 ${first?.row} 行“${first?.column}”：${first?.detailZh}）`,
              en: `Import refused: ${parsed.errors.length} problems, nothing imported`,
            },
            { field: `body.${UPLOAD_FIELD}`, details: { errors: parsed.errors } },
          );
        }
        return runCommand(ctx, request, reply, actor, async (tx) => {
          const now = ctx.now();
          const ids: string[] = [];
          for (const row of parsed.rows)
            ids.push((await insertIntake(tx, row, { actorId: actor.userId, now })).id);
          return { status: 201, body: { records: await getIntakeByIds(tx, ids), count: ids.length } };
        });
      },
    );
  });
}
