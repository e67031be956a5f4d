import { ExtractCreateBody, ExtractTextBody } from '@duban/schema';
import fastifyMultipart from '@fastify/multipart';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { requireActor, requireRole, requireScope } from '../auth/guard.ts';
import type { AppContext } from '../context.ts';
import { runCommand } from '../http/command.ts';
import { fieldIssuesFromZod } from '../http/problem.ts';
import type { App } from '../http/types.ts';
import { DomainError, validationError } from '../shared/errors.ts';
import { checkRows, createFromReview, refusal, reviewCandidates } from './review.ts';
import { UPLOAD_FIELD, uploadedText } from './upload.ts';

const tags = ['extract'];
const security: { [scheme: string]: string[] }[] = [{ session: [] }, { bearer: [] }];
/** Documents to extract from: a work plan is rarely more than a few MB, even as a PDF. */
const MAX_DOCUMENT_BYTES = 20 * 1024 * 1024;

function tooLarge(maxBytes: number): DomainError {
  return new DomainError(
    'PAYLOAD_TOO_LARGE',
    {
      zh: `文件超过大小上限（${maxBytes} 字节）`,
      en: `The file exceeds the size limit of ${maxBytes} bytes`,
    },
    { field: `body.${UPLOAD_FIELD}`, details: { maxBytes } },
  );
}

function emptyText(): DomainError {
  return validationError([{ field: 'body.text', message: 'the text is empty', messageZh: '文本内容为空' }]);
}

/**
 * 文件提取 (console): POST /api/v1/extract reads an uploaded .txt/.docx/.pdf (multipart, part
 * "file") or JSON {text} and answers the candidate items with their units matched to the caller's
 * scope; POST /api/v1/extract/create registers the reviewed candidates, all or none.
 */
export function registerExtractRoutes(app: App, ctx: AppContext): void {
  const maxBytes = Math.min(ctx.maxUploadBytes, MAX_DOCUMENT_BYTES);
  app.register(async (plugin) => {
    const scope = plugin.withTypeProvider<ZodTypeProvider>();
    // Scoped here so only this route accepts multipart bodies, with its limits.
    await scope.register(fastifyMultipart, {
      limits: { fileSize: maxBytes, files: 1, fields: 5, parts: 10 },
    });
    scope.post(
      '/api/v1/extract',
      {
        schema: {
          tags,
          summary:
            '文件提取 / extract candidate items from a .txt/.docx/.pdf upload (multipart, part "file") or JSON {text} (supervisors)',
          consumes: ['multipart/form-data', 'application/json'],
          security,
        },
      },
      async (request) => {
        const actor = requireActor(request);
        requireScope(actor, 'items:write');
        requireRole(actor, 'supervisor');
        let text: string;
        let fileName: string | null = null;
        let year: number | undefined;
        if (request.isMultipart()) {
          const part = await request.file().catch((err: unknown) => {
            if ((err as { code?: unknown }).code === 'FST_REQ_FILE_TOO_LARGE') throw tooLarge(maxBytes);
            return undefined;
          });
          if (!part || part.fieldname !== UPLOAD_FIELD)
            throw validationError([
              {
                field: `body.${UPLOAD_FIELD}`,
                message: `a multipart/form-data part named "${UPLOAD_FIELD}" carrying a file is required`,
                messageZh: `缺少名为 ${UPLOAD_FIELD} 的文件`,
              },
            ]);
          let bytes: Buffer;
          try {
            bytes = await part.toBuffer();
          } catch (err) {
            if ((err as { code?: unknown }).code === 'FST_REQ_FILE_TOO_LARGE') throw tooLarge(maxBytes);
            throw validationError([
              {
                field: `body.${UPLOAD_FIELD}`,
                message: 'malformed multipart body',
                messageZh: '上传内容格式错误',
              },
            ]);
          }
          fileName = part.filename.slice(0, 255);
          text = await uploadedText(part.filename, bytes);
        } else {
          const parsed = ExtractTextBody.safeParse(request.body);
          if (!parsed.success) throw validationError(fieldIssuesFromZod(parsed.error.issues, 'body'));
          text = parsed.data.text.replace(/\r\n?/g, '\n');
          year = parsed.data.year;
          if (text.trim().length === 0) throw emptyText();
        }
        const review = await reviewCandidates(ctx.db, actor, text, year);
        return { text, fileName, ...review };
      },
    );
  });

  app.post(
    '/api/v1/extract/create',
    {
      schema: {
        tags,
        summary:
          '批量立项 / register the reviewed candidates as items, all or none; errors[] name each row (supervisors)',
        body: ExtractCreateBody,
        security,
      },
    },
    async (request, reply) => {
      const actor = requireActor(request);
      requireScope(actor, 'items:write');
      requireRole(actor, 'supervisor');
      const body = request.body;
      const category = await ctx.db
        .selectFrom('categories')
        .select('code')
        .where('code', '=', body.categoryCode)
        .executeTakeFirst();
      if (!category)
        throw validationError([
          { field: 'body.categoryCode', message: 'unknown category', messageZh: '分类不存在' },
        ]);
      const now = ctx.now();
      const checked = await checkRows(ctx.db, actor, body, now);
      return runCommand(ctx, request, reply, actor, async (tx) => {
        const { created, errors } = await createFromReview(tx, actor, body, checked.rows, now);
        const all = [...checked.errors, ...errors];
        // Any problem: throwing rolls the transaction back, so nothing is created.
        if (all.length > 0) throw refusal(all);
        return { status: 201, body: { created, count: created.length } };
      });
    },
  );
}
