import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../../src/app.ts';
import { incomingDir, storedFilePath } from '../../src/files/store.ts';
import { createTestContext, type TestContext } from '../support/context.ts';
import { buildWorld, type Session, type World } from '../support/factories.ts';
import { exeBytes, filesBelow, getFile, pdfBytes, postFile, sha256Of } from './support.ts';

let ctx: TestContext;
let w: World;
/** A handler (may upload), a supervisor of the city office and one of the province office. */
let handler: Session;
let citySup: Session;
let provSup: Session;

beforeAll(async () => {
  ctx = await createTestContext();
  ctx.setNow('2026-11-27T02:00:00Z');
  w = await buildWorld(ctx);
  handler = await w.login('housing_h');
  citySup = await w.login('city_sup');
  provSup = await w.login('prov_sup');
});
afterAll(async () => {
  await w.app.close();
  await ctx.cleanup();
});

const filesRoot = () => path.join(ctx.dataDir, 'files');
const upload = (as: Parameters<typeof postFile>[1], parts: Parameters<typeof postFile>[2]) =>
  postFile(w.app, as, parts);
const download = (as: Parameters<typeof getFile>[1], sha256: string) => getFile(w.app, as, sha256);

/** A bearer API token of `username` with these scopes, issued through POST /api/v1/auth/tokens. */
async function tokenOf(username: string, scopes: string[]): Promise<{ bearer: string }> {
  const res = await (await w.as(username)).post('/api/v1/auth/tokens', { name: scopes.join('+'), scopes });
  expect(res.statusCode, res.body).toBe(201);
  return { bearer: res.json().token };
}

async function fileRows(sha256: string) {
  return ctx.db.selectFrom('files').selectAll().where('sha256', '=', sha256).execute();
}

describe('POST /api/v1/files', () => {
  it('401 without a session', async () => {
    const data = pdfBytes('anonymous');
    const res = await upload(undefined, [{ name: 'file', filename: 'a.pdf', data }]);
    expect(res.statusCode).toBe(401);
    expect(res.headers['content-type']).toContain('application/problem+json');
    expect(res.json().code).toBe('UNAUTHENTICATED');
    expect(await fileRows(sha256Of(data))).toEqual([]);
  });

  it('401 for a session cookie that is not (or no longer) a session', async () => {
    const res = await upload({ cookie: 'duban_session=forged', csrf: handler.csrf }, [
      { name: 'file', filename: 'a.pdf', data: pdfBytes() },
    ]);
    expect(res.statusCode).toBe(401);
    expect(res.json().code).toBe('UNAUTHENTICATED');
  });

  it('403 CSRF_FAILED for a session cookie without the right X-CSRF-Token, storing nothing', async () => {
    const data = pdfBytes('csrf');
    for (const csrf of ['', 'not-the-token', citySup.csrf]) {
      const res = await upload({ cookie: handler.cookie, csrf }, [{ name: 'file', filename: 'a.pdf', data }]);
      expect(res.statusCode, csrf).toBe(403);
      expect(res.json().code).toBe('CSRF_FAILED');
    }
    expect(await fileRows(sha256Of(data))).toEqual([]);
  });

  it('400 naming body.file when the body is not multipart', async () => {
    const res = await w.app.inject({
      method: 'POST',
      url: '/api/v1/files',
      headers: { cookie: handler.cookie, 'x-csrf-token': handler.csrf },
      payload: { file: 'nope' },
    });
    expect(res.statusCode).toBe(400);
    expect(res.headers['content-type']).toContain('application/problem+json');
    expect(res.json()).toMatchObject({ code: 'VALIDATION_FAILED', field: 'body.file' });
  });

  it('400 naming body.file when the file part is missing or misnamed', async () => {
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

  it('400 naming body.file for a malformed multipart body, leaving no temporary file', async () => {
    const res = await w.app.inject({
      method: 'POST',
      url: '/api/v1/files',
      headers: {
        cookie: handler.cookie,
        'x-csrf-token': handler.csrf,
        'content-type': 'multipart/form-data; boundary=xyz',
      },
      payload: '--xyz\r\nContent-Disposition: form-data; name="file"; filename="a.pdf"\r\n\r\n%PDF-1.7 cut',
    });
    expect(res.statusCode).toBe(400);
    expect(res.json()).toMatchObject({ code: 'VALIDATION_FAILED', field: 'body.file' });
    expect(filesBelow(incomingDir(ctx.dataDir))).toEqual([]);
  });

  it('400 naming body.file for an empty file', async () => {
    const res = await upload(handler, [{ name: 'file', filename: 'a.txt', data: '' }]);
    expect(res.statusCode).toBe(400);
    expect(res.json()).toMatchObject({ code: 'VALIDATION_FAILED', field: 'body.file' });
  });

  it('403 for roles that do not report progress (evaluator, auditor, admin), storing nothing', async () => {
    const data = pdfBytes('not allowed');
    for (const username of ['evaluator', 'auditor', 'admin']) {
      const res = await upload(await w.login(username), [{ name: 'file', filename: 'a.pdf', data }]);
      expect(res.statusCode, username).toBe(403);
      expect(res.json().code).toBe('FORBIDDEN');
    }
    expect(await fileRows(sha256Of(data))).toEqual([]);
  });

  it('403 for a bearer token without items:write; 201 with it (no CSRF header needed)', async () => {
    const data = pdfBytes('by token');
    const readOnly = await tokenOf('housing_h', ['items:read']);
    const denied = await upload(readOnly, [{ name: 'file', filename: 'a.pdf', data }]);
    expect(denied.statusCode).toBe(403);
    expect(denied.json().code).toBe('FORBIDDEN');
    expect(await fileRows(sha256Of(data))).toEqual([]);

    const writer = await tokenOf('housing_h', ['items:read', 'items:write']);
    const ok = await upload(writer, [{ name: 'file', filename: 'a.pdf', data }]);
    expect(ok.statusCode, ok.body).toBe(201);
    expect(ok.json().file.sha256).toBe(sha256Of(data));
  });

  it('403 for a bearer token with items:write whose user may not upload', async () => {
    const res = await upload(await tokenOf('auditor', ['items:read', 'items:write']), [
      { name: 'file', filename: 'a.pdf', data: pdfBytes('auditor token') },
    ]);
    expect(res.statusCode).toBe(403);
    expect(res.json().code).toBe('FORBIDDEN');
  });

  it('415 for an executable renamed .pdf, HTML and SVG, storing nothing', async () => {
    for (const [filename, data] of [
      ['invoice.pdf', exeBytes()],
      ['page.html', Buffer.from('<html><script>alert(1)</script></html>')],
      ['report.pdf', Buffer.from('<!DOCTYPE html><html><body>not a pdf</body></html>')],
      ['logo.svg', Buffer.from('<svg xmlns="http://www.w3.org/2000/svg"/>')],
    ] as const) {
      const res = await upload(handler, [{ name: 'file', filename, contentType: 'application/pdf', data }]);
      expect(res.statusCode, filename).toBe(415);
      expect(res.json().code).toBe('UNSUPPORTED_MEDIA_TYPE');
      expect(await fileRows(sha256Of(data))).toEqual([]);
      expect(filesBelow(filesRoot()).filter((f) => f.endsWith(sha256Of(data)))).toEqual([]);
    }
    expect(filesBelow(incomingDir(ctx.dataDir))).toEqual([]);
  });

  it('413 past the size limit, leaving no temporary file or row behind; exactly the limit is fine', async () => {
    // The real app over the same database, with a small limit; the session works there too.
    const smallApp = await buildApp({ ...ctx, maxUploadBytes: 10_000 });
    try {
      for (const size of [10_001, 200_000]) {
        const data = Buffer.concat([pdfBytes(), Buffer.alloc(size, 0x41)]).subarray(0, size);
        const res = await postFile(smallApp, handler, [{ name: 'file', filename: 'big.pdf', data }]);
        expect(res.statusCode, String(size)).toBe(413);
        expect(res.json()).toMatchObject({ code: 'PAYLOAD_TOO_LARGE', maxBytes: 10_000 });
        expect(await fileRows(sha256Of(data))).toEqual([]);
        expect(filesBelow(filesRoot()).filter((f) => f.endsWith(sha256Of(data)))).toEqual([]);
      }
      expect(filesBelow(incomingDir(ctx.dataDir))).toEqual([]);
      const data = Buffer.concat([pdfBytes('limit'), Buffer.alloc(10_000, 0x41)]).subarray(0, 10_000);
      const ok = await postFile(smallApp, handler, [{ name: 'file', filename: 'edge.pdf', data }]);
      expect(ok.statusCode, ok.body).toBe(201);
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
    expect(first.statusCode, first.body).toBe(201);
    expect(first.json()).toEqual({
      file: { sha256, sizeBytes: data.length, mediaType: 'application/pdf', name: '整改报告.pdf' },
    });
    const second = await upload(citySup, [{ name: 'file', filename: 'copy.exe', data }]);
    expect(second.statusCode, second.body).toBe(201);
    expect(second.json().file).toEqual({
      sha256,
      sizeBytes: data.length,
      mediaType: 'application/pdf',
      name: 'copy.exe.pdf',
    });

    const rows = await fileRows(sha256);
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({
      size_bytes: data.length,
      media_type: 'application/pdf',
      uploaded_by: w.users.housing_h,
    });
    const onDisk = filesBelow(filesRoot()).filter((f) => f.endsWith(sha256));
    expect(onDisk).toEqual([path.join(sha256.slice(0, 2), sha256.slice(2, 4), sha256)]);
    expect(filesBelow(incomingDir(ctx.dataDir))).toEqual([]);
  });

  it('every stored file hashes to its name', async () => {
    const res = await upload(handler, [
      { name: 'file', filename: 'notes.csv', data: '单位,进度\n市教育局,80\n' },
    ]);
    expect(res.statusCode, res.body).toBe(201);
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
    expect(res.statusCode, res.body).toBe(201);
    sha256 = res.json().file.sha256;
  });

  it('401 without a session', async () => {
    const res = await download(undefined, sha256);
    expect(res.statusCode).toBe(401);
    expect(res.json().code).toBe('UNAUTHENTICATED');
    expect(res.rawPayload.includes(data)).toBe(false);
  });

  it('400 naming params.sha256 for a malformed hash', async () => {
    for (const bad of ['xyz', sha256.toUpperCase(), `${sha256}0`, '..%2F..%2Fetc%2Fpasswd']) {
      const res = await download(handler, bad);
      expect(res.statusCode, bad).toBe(400);
      expect(res.headers['content-type']).toContain('application/problem+json');
      expect(res.json()).toMatchObject({ code: 'VALIDATION_FAILED', field: 'params.sha256' });
    }
  });

  it('403 for a bearer token without items:read', async () => {
    const res = await download(await tokenOf('housing_h', ['org:read']), sha256);
    expect(res.statusCode).toBe(403);
    expect(res.json().code).toBe('FORBIDDEN');
  });

  it('404 for an unknown hash and, identically, for an upload of someone else attached to no item', async () => {
    const unknown = await download(handler, sha256Of('never uploaded'));
    // Not even a supervisor above the uploader's unit reads a file no report lists.
    const hiddenCity = await download(citySup, sha256);
    const hiddenProv = await download(provSup, sha256);
    const hiddenPeer = await download(await w.login('edu_h'), sha256);
    for (const res of [unknown, hiddenCity, hiddenProv, hiddenPeer]) {
      expect(res.statusCode).toBe(404);
      expect(res.json().code).toBe('FILE_NOT_FOUND');
      expect(res.rawPayload.includes(data)).toBe(false);
    }
    const strip = (b: Record<string, unknown>) => ({ ...b, instance: undefined });
    expect(strip(hiddenCity.json())).toEqual(strip(unknown.json()));
  });

  it('200 for the uploader, as an attachment that is never sniffed or rendered', async () => {
    const res = await download(handler, sha256);
    expect(res.statusCode).toBe(200);
    expect(res.rawPayload.equals(data)).toBe(true);
    expect(res.headers['content-type']).toBe('text/plain; charset=utf-8');
    expect(res.headers['content-disposition']).toBe(`attachment; filename="${sha256}.txt"`);
    expect(res.headers['x-content-type-options']).toBe('nosniff');
    expect(res.headers['content-security-policy']).toBe("default-src 'none'; sandbox");
    expect(res.headers['content-length']).toBe(String(data.length));
    expect(res.headers['cache-control']).toBe('private, no-store');
  });

  it('200 for the uploader through a bearer token with items:read', async () => {
    const res = await download(await tokenOf('housing_h', ['items:read']), sha256);
    expect(res.statusCode).toBe(200);
    expect(res.rawPayload.equals(data)).toBe(true);
  });

  it('404 when the row exists but the bytes are gone', async () => {
    const lost = pdfBytes('lost');
    const res = await upload(handler, [{ name: 'file', filename: 'lost.pdf', data: lost }]);
    expect(res.statusCode, res.body).toBe(201);
    const hash = res.json().file.sha256;
    fs.rmSync(storedFilePath(ctx.dataDir, hash));
    const get = await download(handler, hash);
    expect(get.statusCode).toBe(404);
    expect(get.json().code).toBe('FILE_NOT_FOUND');
  });
});
