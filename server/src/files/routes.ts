import fastifyMultipart, { type MultipartFile } from '@fastify/multipart';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { requireActor, requireRole, requireScope } from '../auth/guard.ts';
import type { AppContext } from '../context.ts';
import type { App } from '../http/types.ts';
import type { Actor } from '../shared/actor.ts';
import { DomainError, validationError } from '../shared/errors.ts';
import { attachmentDisposition, attachmentName } from './name.ts';
import { fileNotFound, findFile, hasUploaded, payloadTooLarge, readFileStream, storeFile } from './store.ts';

/** Whether the caller can see an item whose progress report lists this file as an attachment. */
export type CanReadViaItems = (actor: Actor, sha256: string) => Promise<boolean>;

export type FileRoutesOptions = { canReadViaItems?: CanReadViaItems };

const security: { [scheme: string]: string[] }[] = [{ session: [] }, { bearer: [] }];

export const fileView = z.object({
  sha256: z.string(),
  sizeBytes: z.number().int(),
  mediaType: z.string(),
  name: z.string(),
});

const UPLOAD_FIELD = 'file';

export function registerFileRoutes(app: App, ctx: AppContext, opts: FileRoutesOptions = {}): void {
  const canReadViaItems: CanReadViaItems = opts.canReadViaItems ?? (async () => false);

  app.register(async (plugin) => {
    const scope = plugin.withTypeProvider<ZodTypeProvider>();
    // Scoped here so only this route accepts multipart bodies, with our limits.
    await scope.register(fastifyMultipart, {
      limits: { fileSize: ctx.maxUploadBytes, files: 1, fields: 10, parts: 20 },
    });

    scope.post(
      '/api/v1/files',
      {
        schema: {
          tags: ['files'],
          summary: '上传证据文件 / upload an evidence file (multipart/form-data, part "file")',
          consumes: ['multipart/form-data'],
          security,
          response: { 201: z.object({ file: fileView }) },
        },
      },
      async (request, reply) => {
        const actor = requireActor(request);
        requireScope(actor, 'items:write');
        requireRole(actor, 'handler', 'unit_head', 'supervisor', 'leader');
        const part = request.isMultipart()
          ? await request.file().catch((err: unknown) => asUploadError(err, ctx.maxUploadBytes))
          : undefined;
        if (!part || part.fieldname !== UPLOAD_FIELD) throw missingFile();
        const stored = await storeFile(ctx, uploadedBytes(part, ctx.maxUploadBytes), {
          declaredName: part.filename,
          uploadedBy: actor.userId,
        });
        reply.code(201);
        return { file: { ...stored, name: attachmentName(part.filename, stored.mediaType) } };
      },
    );

    scope.get(
      '/api/v1/files/:sha256',
      {
        schema: {
          tags: ['files'],
          summary: '下载证据文件 / download an evidence file by its SHA-256',
          security,
          params: z.object({
            sha256: z.string().regex(/^[0-9a-f]{64}$/, 'must be 64 lower-case hex digits'),
          }),
        },
      },
      async (request, reply) => {
        const actor = requireActor(request);
        requireScope(actor, 'items:read');
        const { sha256 } = request.params;
        const record = await findFile(ctx.db, sha256);
        if (!record) throw fileNotFound();
        // Existence must not leak: whoever may not read the file gets the same 404 as for none.
        const allowed =
          (await hasUploaded(ctx.db, sha256, actor.userId)) || (await canReadViaItems(actor, sha256));
        if (!allowed) throw fileNotFound();
        const file = await readFileStream(ctx, sha256);
        return (
          reply
            .header('Content-Type', contentTypeHeader(file.mediaType))
            .header('Content-Length', file.sizeBytes)
            .header('Content-Disposition', attachmentDisposition(sha256, file.mediaType))
            .header('X-Content-Type-Options', 'nosniff')
            .header('Content-Security-Policy', "default-src 'none'; sandbox")
            // Evidence may be confidential and read on shared office computers: keep no copy.
            .header('Cache-Control', 'private, no-store')
            .send(file.stream)
        );
      },
    );
  });
}

/**
 * The part's bytes, failing when the client's body is malformed (400) or busboy cut the part at
 * the size limit (413) — checked after the last chunk, before storeFile may commit anything.
 */
async function* uploadedBytes(part: MultipartFile, maxBytes: number): AsyncGenerator<Buffer> {
  try {
    for await (const chunk of part.file) yield chunk as Buffer;
  } catch (err) {
    asUploadError(err, maxBytes);
  }
  if (part.file.truncated) throw payloadTooLarge(maxBytes);
}

function asUploadError(err: unknown, maxBytes: number): never {
  if (err instanceof DomainError) throw err;
  const code = (err as { code?: unknown }).code;
  if (code === 'FST_REQ_FILE_TOO_LARGE') throw payloadTooLarge(maxBytes);
  throw validationError([
    {
      field: `body.${UPLOAD_FIELD}`,
      message: `malformed multipart body: ${err instanceof Error ? err.message : 'unreadable'}`,
      messageZh: '上传内容格式错误',
    },
  ]);
}

function missingFile(): DomainError {
  return validationError([
    {
      field: `body.${UPLOAD_FIELD}`,
      message: `a multipart/form-data part named "${UPLOAD_FIELD}" carrying a file is required`,
      messageZh: `缺少名为 ${UPLOAD_FIELD} 的文件`,
    },
  ]);
}

function contentTypeHeader(mediaType: string): string {
  return mediaType.startsWith('text/') ? `${mediaType}; charset=utf-8` : mediaType;
}
