import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { Readable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  fileExists,
  incomingDir,
  isSha256Hex,
  readFileStream,
  storedFilePath,
  storeFile,
  sweepIncoming,
} from '../../src/files/store.ts';
import type { Actor } from '../../src/shared/actor.ts';
import { createTestContext, type TestContext } from '../support/context.ts';
import { buildActor, exeBytes, filesBelow, pdfBytes } from './support.ts';

let ctx: TestContext;
let uploader: Actor;
beforeAll(async () => {
  ctx = await createTestContext();
  uploader = await buildActor(ctx, ['handler']);
});
afterAll(async () => {
  await ctx.cleanup();
});

const sha256Of = (b: Buffer) => crypto.createHash('sha256').update(b).digest('hex');

async function readAll(stream: Readable): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const c of stream) chunks.push(c as Buffer);
  return Buffer.concat(chunks);
}

describe('storeFile', () => {
  it('stores a stream in many chunks under its hash and reads it back', async () => {
    const data = Buffer.concat([pdfBytes('chunks'), crypto.randomBytes(300_000)]);
    const source = Readable.from(
      Array.from({ length: Math.ceil(data.length / 7000) }, (_, i) =>
        data.subarray(i * 7000, (i + 1) * 7000),
      ),
    );
    const stored = await storeFile(ctx, source, { declaredName: 'big.pdf', uploadedBy: uploader.userId });
    expect(stored).toEqual({ sha256: sha256Of(data), sizeBytes: data.length, mediaType: 'application/pdf' });
    expect(await fileExists(ctx.db, stored.sha256)).toBe(true);
    const file = await readFileStream(ctx, stored.sha256);
    expect(file.mediaType).toBe('application/pdf');
    expect((await readAll(file.stream)).equals(data)).toBe(true);
    expect(sha256Of(fs.readFileSync(storedFilePath(ctx.dataDir, stored.sha256)))).toBe(stored.sha256);
  });

  it('refuses an upload past the limit without leaving a temporary file', async () => {
    const small = { ...ctx, maxUploadBytes: 1000 };
    await expect(
      storeFile(small, Buffer.concat([pdfBytes(), Buffer.alloc(2000)]), {
        declaredName: 'a.pdf',
        uploadedBy: null,
      }),
    ).rejects.toMatchObject({ code: 'PAYLOAD_TOO_LARGE', status: 413 });
    expect(filesBelow(incomingDir(ctx.dataDir))).toEqual([]);
  });

  it('refuses unaccepted content early, before reading the rest', async () => {
    let pulled = 0;
    async function* endless() {
      for (;;) {
        pulled += 1;
        yield exeBytes();
      }
    }
    await expect(
      storeFile(ctx, endless(), { declaredName: 'x.pdf', uploadedBy: null }),
    ).rejects.toMatchObject({
      code: 'UNSUPPORTED_MEDIA_TYPE',
    });
    expect(pulled).toBeLessThan(20);
    expect(filesBelow(incomingDir(ctx.dataDir))).toEqual([]);
  });

  it('passes on a failing source and cleans up', async () => {
    async function* broken() {
      yield pdfBytes();
      throw new Error('connection reset');
    }
    await expect(storeFile(ctx, broken(), { declaredName: 'x.pdf', uploadedBy: null })).rejects.toThrow(
      'connection reset',
    );
    expect(filesBelow(incomingDir(ctx.dataDir))).toEqual([]);
  });

  it('keeps the first record when the same bytes come again, and restores missing bytes', async () => {
    const data = pdfBytes('again');
    const a = await storeFile(ctx, data, { declaredName: 'a.pdf', uploadedBy: uploader.userId });
    fs.rmSync(storedFilePath(ctx.dataDir, a.sha256));
    const b = await storeFile(ctx, data, { declaredName: 'b.pdf', uploadedBy: null });
    expect(b).toEqual(a);
    expect(fs.readFileSync(storedFilePath(ctx.dataDir, a.sha256)).equals(data)).toBe(true);
    const rows = await ctx.db.selectFrom('files').selectAll().where('sha256', '=', a.sha256).execute();
    expect(rows.map((r) => r.uploaded_by)).toEqual([uploader.userId]);
  });

  it('stores concurrent uploads of the same bytes once', async () => {
    const data = pdfBytes('race');
    const results = await Promise.all(
      Array.from({ length: 5 }, () =>
        storeFile(ctx, data, { declaredName: 'r.pdf', uploadedBy: uploader.userId }),
      ),
    );
    expect(new Set(results.map((r) => r.sha256)).size).toBe(1);
    const sha256 = sha256Of(data);
    expect(filesBelow(path.join(ctx.dataDir, 'files')).filter((f) => f.endsWith(sha256))).toHaveLength(1);
    expect(filesBelow(incomingDir(ctx.dataDir))).toEqual([]);
  });
});

describe('sweepIncoming', () => {
  it('removes only stale half-written uploads', async () => {
    const dir = incomingDir(ctx.dataDir);
    fs.mkdirSync(dir, { recursive: true });
    const stale = path.join(dir, 'stale.part');
    const fresh = path.join(dir, 'fresh.part');
    fs.writeFileSync(stale, 'x');
    fs.writeFileSync(fresh, 'y');
    const now = new Date();
    fs.utimesSync(stale, new Date(now.getTime() - 2 * 86_400_000), new Date(now.getTime() - 2 * 86_400_000));
    expect(await sweepIncoming(ctx.dataDir, now)).toBe(1);
    expect(filesBelow(dir)).toEqual(['fresh.part']);
    fs.rmSync(fresh);
  });
});

describe('readFileStream and helpers', () => {
  it('404s an unknown or malformed hash', async () => {
    await expect(readFileStream(ctx, 'f'.repeat(64))).rejects.toMatchObject({ code: 'FILE_NOT_FOUND' });
    await expect(readFileStream(ctx, '../../etc/passwd')).rejects.toMatchObject({ code: 'FILE_NOT_FOUND' });
    expect(await fileExists(ctx.db, 'f'.repeat(64))).toBe(false);
  });

  it('recognises hashes and refuses to build paths from anything else', () => {
    expect(isSha256Hex('a'.repeat(64))).toBe(true);
    expect(isSha256Hex('A'.repeat(64))).toBe(false);
    expect(() => storedFilePath('/data', '../x')).toThrow();
    expect(storedFilePath('/data', `abcd${'0'.repeat(60)}`)).toBe(`/data/files/ab/cd/abcd${'0'.repeat(60)}`);
  });
});
