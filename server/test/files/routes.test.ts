import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { incomingDir, storedFilePath } from '../../src/files/store.ts';
import type { App } from '../../src/http/types.ts';
import type { Actor } from '../../src/shared/actor.ts';
import { createTestContext, type TestContext } from '../support/context.ts';
import {
  buildActor,
  buildFilesApp,
  exeBytes,
  filesBelow,
  multipart,
  pdfBytes,
  TEST_USER_HEADER,
} from './support.ts';

let ctx: TestContext;
let app: App;
let handler: Actor;
let other: Actor;
let auditor: Actor;
const actors = new Map<string, Actor>();
/** `${userId}:${sha256}` pairs the injected item-visibility check lets through. */
const visibleViaItems = new Set<string>();

beforeAll(async () => {
  ctx = await createTestContext();
  handler = await buildActor(ctx, ['handler']);
  other = await buildActor(ctx, ['supervisor']);
  auditor = await buildActor(ctx, ['auditor']);
  for (const a of [handler, other, auditor]) actors.set(a.userId, a);
  app = await buildFilesApp(ctx, actors, {
    canReadViaItems: async (actor, sha256) => visibleViaItems.has(`${actor.userId}:${sha256}`),
  });
});
afterAll(async () => {
  await app.close();
  await ctx.cleanup();
});

const sha256Of = (b: Buffer) => crypto.createHash('sha256').update(b).digest('hex');
const filesRoot = () => path.join(ctx.dataDir, 'files');

function upload(as: Actor | undefined, parts: Parameters<typeof multipart>[0]) {
  const body = multipart(parts);
  return app.inject({
    method: 'POST',
    url: '/api/v1/files',
    headers: { ...body.headers, ...(as ? { [TEST_USER_HEADER]: as.userId } : {}) },
    payload: body.payload,
  });
}

function download(as: Actor | undefined, sha256: string) {
  return app.inject({
    method: 'GET',
    url: `/api/v1/files/${sha256}`,
    headers: as ? { [TEST_USER_HEADER]: as.userId } : {},
  });
}

describe('POST /api/v1/files', () => {
  it('401 without a caller', async () => {
    const res = await upload(undefined, [{ name: 'file', filename: 'a.pdf', data: pdfBytes() }]);
    expect(res.statusCode).toBe(401);
    expect(res.json().code).toBe('UNAUTHENTICATED');
  });

  it('403 for a role that does not report progress', async () => {
    const res = await upload(auditor, [{ name: 'file', filename: 'a.pdf', data: pdfBytes() }]);
    expect(res.statusCode).toBe(403);
    expect(res.json().code).toBe('FORBIDDEN');
  });

  it('400 naming the file field when the body is not multipart', async () => {
    const res = await app.inject({
      method: 'POST',
      url: '/api/v1/files',
      headers: { [TEST_USER_HEADER]: handler.userId },
      payload: { file: 'nope' },
    });
    expect(res.statusCode).toBe(400);
    expect(res.headers['content-type']).toContain('application/problem+json');
    expect(res.json()).toMatchObject({ code: 'VALIDATION_FAILED', field: 'body.file' });
  });

  it('400 naming the file field when the part is missing or misnamed', async () => {
    for (const parts of [
      [{ name: 'note', data: 'just a field' }],
      [{ name: 'file', data: 'a field, not a file' }],
      [{ name: 'attachment', filename: 'a.pdf', data: pdfBytes() }],
      [],
    ]) {
      const res = await upload(handler, parts);
      expect(res.statusCode, JSON.stringify(parts)).toBe(400);
      expect(res.json()).toMatchObject({ code: 'VALIDATION_FAILED', field: 'body.file' });
    }
  });

  it('400 for a malformed multipart body', async () => {
    const res = await app.inject({
      method: 'POST',
      url: '/api/v1/files',
      headers: { [TEST_USER_HEADER]: handler.userId, 'content-type': 'multipart/form-data; boundary=xyz' },
      payload: '--xyz\r\nContent-Disposition: form-data; name="file"; filename="a.pdf"\r\n\r\n%PDF-1.7 cut',
    });
    expect(res.statusCode).toBe(400);
    expect(res.json()).toMatchObject({ code: 'VALIDATION_FAILED', field: 'body.file' });
    expect(filesBelow(incomingDir(ctx.dataDir))).toEqual([]);
  });

  it('400 for an empty file', async () => {
    const res = await upload(handler, [{ name: 'file', filename: 'a.txt', data: '' }]);
    expect(res.statusCode).toBe(400);
    expect(res.json()).toMatchObject({ code: 'VALIDATION_FAILED', field: 'body.file' });
  });

  it('415 for an executable renamed .pdf, HTML and SVG, storing nothing', async () => {
    for (const [filename, data] of [
      ['invoice.pdf', exeBytes()],
      ['page.html', Buffer.from('<html><script>alert(1)</script></html>')],
      ['logo.svg', Buffer.from('<svg xmlns="http://www.w3.org/2000/svg"/>')],
    ] as const) {
      const res = await upload(handler, [{ name: 'file', filename, contentType: 'application/pdf', data }]);
      expect(res.statusCode, filename).toBe(415);
      expect(res.json().code).toBe('UNSUPPORTED_MEDIA_TYPE');
      const row = await ctx.db
        .selectFrom('files')
        .select('sha256')
        .where('sha256', '=', sha256Of(data))
        .executeTakeFirst();
      expect(row).toBeUndefined();
    }
    expect(filesBelow(filesRoot())).toEqual([]);
  });

  it('413 past the size limit, leaving no temporary file or row behind', async () => {
    const small = { ...ctx, maxUploadBytes: 10_000 };
    const smallApp = await buildFilesApp(small, actors);
    try {
      for (const size of [10_001, 200_000]) {
        const data = Buffer.concat([pdfBytes(), Buffer.alloc(size, 0x41)]).subarray(0, size);
        const body = multipart([{ name: 'file', filename: 'big.pdf', data }]);
        const res = await smallApp.inject({
          method: 'POST',
          url: '/api/v1/files',
          headers: { ...body.headers, [TEST_USER_HEADER]: handler.userId },
          payload: body.payload,
        });
        expect(res.statusCode, String(size)).toBe(413);
        expect(res.json()).toMatchObject({ code: 'PAYLOAD_TOO_LARGE', maxBytes: 10_000 });
        const rows = await ctx.db
          .selectFrom('files')
          .select('sha256')
          .where('sha256', '=', sha256Of(data))
          .execute();
        expect(rows).toEqual([]);
      }
      expect(filesBelow(filesRoot())).toEqual([]);
      // exactly at the limit is fine
      const data = Buffer.concat([pdfBytes('limit'), Buffer.alloc(10_000, 0x41)]).subarray(0, 10_000);
      const body = multipart([{ name: 'file', filename: 'edge.pdf', data }]);
      const ok = await smallApp.inject({
        method: 'POST',
        url: '/api/v1/files',
        headers: { ...body.headers, [TEST_USER_HEADER]: handler.userId },
        payload: body.payload,
      });
      expect(ok.statusCode).toBe(201);
      expect(ok.json().file.sizeBytes).toBe(10_000);
    } finally {
      await smallApp.close();
    }
  });

  it('201 stores the file under its hash, and the same bytes twice are one file and one row', async () => {
    const data = pdfBytes('twice');
    const sha256 = sha256Of(data);
    const first = await upload(handler, [
      { name: 'title', data: 'ignored field' },
      { name: 'file', filename: '整改报告.pdf', contentType: 'application/octet-stream', data },
    ]);
    expect(first.statusCode).toBe(201);
    expect(first.json()).toEqual({
      file: { sha256, sizeBytes: data.length, mediaType: 'application/pdf', name: '整改报告.pdf' },
    });
    const second = await upload(other, [{ name: 'file', filename: 'copy.exe', data }]);
    expect(second.statusCode).toBe(201);
    expect(second.json().file).toEqual({
      sha256,
      sizeBytes: data.length,
      mediaType: 'application/pdf',
      name: 'copy.exe.pdf',
    });

    const rows = await ctx.db.selectFrom('files').selectAll().where('sha256', '=', sha256).execute();
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({
      size_bytes: data.length,
      media_type: 'application/pdf',
      uploaded_by: handler.userId,
    });
    const onDisk = filesBelow(filesRoot()).filter((f) => f.endsWith(sha256));
    expect(onDisk).toEqual([path.join(sha256.slice(0, 2), sha256.slice(2, 4), sha256)]);
    expect(filesBelow(incomingDir(ctx.dataDir))).toEqual([]);
  });

  it('every stored file hashes to its name', async () => {
    await upload(handler, [{ name: 'file', filename: 'notes.csv', data: '单位,进度\n市教育局,80\n' }]);
    const stored = filesBelow(filesRoot()).filter((f) => !f.startsWith('incoming'));
    expect(stored.length).toBeGreaterThan(0);
    for (const rel of stored) {
      const name = path.basename(rel);
      expect(rel).toBe(path.join(name.slice(0, 2), name.slice(2, 4), name));
      expect(sha256Of(fs.readFileSync(path.join(filesRoot(), rel)))).toBe(name);
    }
  });
});

describe('GET /api/v1/files/:sha256', () => {
  const data = Buffer.from('整改情况说明：已完成。\n');
  let sha256: string;
  beforeAll(async () => {
    const res = await upload(handler, [{ name: 'file', filename: '说明.txt', data }]);
    expect(res.statusCode).toBe(201);
    sha256 = res.json().file.sha256;
  });

  it('401 without a caller', async () => {
    const res = await download(undefined, sha256);
    expect(res.statusCode).toBe(401);
  });

  it('400 naming sha256 for a malformed hash', async () => {
    for (const bad of ['xyz', sha256.toUpperCase(), `${sha256}0`, '..%2F..%2Fetc%2Fpasswd']) {
      const res = await download(handler, bad);
      expect(res.statusCode, bad).toBe(400);
      expect(res.json().code).toBe('VALIDATION_FAILED');
      // 'params.sha256' once http/problem.ts reads the path fastify-type-provider-zod v7 reports
      // (instancePath); until then the field comes out as 'params'.
      expect(res.json().field).toMatch(/^params(\.sha256)?$/);
    }
  });

  it('404 for an unknown hash and, identically, for a file the caller may not read', async () => {
    const unknown = await download(handler, sha256Of(Buffer.from('never uploaded')));
    const hidden = await download(other, sha256);
    for (const res of [unknown, hidden]) {
      expect(res.statusCode).toBe(404);
      expect(res.json().code).toBe('FILE_NOT_FOUND');
    }
    const strip = (b: Record<string, unknown>) => ({ ...b, instance: undefined });
    expect(strip(hidden.json())).toEqual(strip(unknown.json()));
  });

  it('200 for the uploader, as an attachment that is never sniffed', async () => {
    const res = await download(handler, sha256);
    expect(res.statusCode).toBe(200);
    expect(res.rawPayload.equals(data)).toBe(true);
    expect(res.headers['content-type']).toBe('text/plain; charset=utf-8');
    expect(res.headers['content-disposition']).toBe(`attachment; filename="${sha256}.txt"`);
    expect(res.headers['x-content-type-options']).toBe('nosniff');
    expect(res.headers['content-length']).toBe(String(data.length));
    expect(res.headers['cache-control']).toBe('private, no-store');
  });

  it('200 for whoever can see an item whose report lists the file', async () => {
    visibleViaItems.add(`${other.userId}:${sha256}`);
    const res = await download(other, sha256);
    expect(res.statusCode).toBe(200);
    expect(res.rawPayload.equals(data)).toBe(true);
  });

  it('404 when the row exists but the bytes are gone', async () => {
    const lost = pdfBytes('lost');
    const res = await upload(handler, [{ name: 'file', filename: 'lost.pdf', data: lost }]);
    const hash = res.json().file.sha256;
    fs.rmSync(storedFilePath(ctx.dataDir, hash));
    const get = await download(handler, hash);
    expect(get.statusCode).toBe(404);
    expect(get.json().code).toBe('FILE_NOT_FOUND');
  });
});

describe('default read rule', () => {
  it('lets only the uploader read when no item check is supplied', async () => {
    const plain = await buildFilesApp(ctx, actors);
    try {
      const body = multipart([{ name: 'file', filename: 'mine.pdf', data: pdfBytes('mine') }]);
      const up = await plain.inject({
        method: 'POST',
        url: '/api/v1/files',
        headers: { ...body.headers, [TEST_USER_HEADER]: other.userId },
        payload: body.payload,
      });
      const sha256 = up.json().file.sha256;
      const get = (as: Actor) =>
        plain.inject({
          method: 'GET',
          url: `/api/v1/files/${sha256}`,
          headers: { [TEST_USER_HEADER]: as.userId },
        });
      expect((await get(other)).statusCode).toBe(200);
      expect((await get(handler)).statusCode).toBe(404);
    } finally {
      await plain.close();
    }
  });
});
