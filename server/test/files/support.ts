import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { buildApp } from '../../src/app.ts';
import type { AppContext } from '../../src/context.ts';
import { type FileRoutesOptions, registerFileRoutes } from '../../src/files/routes.ts';
import type { App } from '../../src/http/types.ts';
import type { Actor, Role } from '../../src/shared/actor.ts';

export const TEST_USER_HEADER = 'x-test-user';

/**
 * The app with the file routes, and a test-only hook that makes the user named by the
 * x-test-user header the caller (actors come from `actors`, filled by buildActor).
 */
export async function buildFilesApp(
  ctx: AppContext,
  actors: Map<string, Actor>,
  opts: FileRoutesOptions = {},
): Promise<App> {
  const app = await buildApp(ctx);
  app.addHook('onRequest', async (request) => {
    const id = request.headers[TEST_USER_HEADER];
    if (typeof id === 'string') request.actor = actors.get(id);
  });
  registerFileRoutes(app, ctx, opts);
  await app.ready();
  return app;
}

let seq = 0;

/** A region, unit and user row (inserted directly) and the Actor that user is. */
export async function buildActor(ctx: AppContext, roles: Role[]): Promise<Actor> {
  seq += 1;
  const regionCode = '330000';
  await ctx.db
    .insertInto('regions')
    .values({ code: regionCode, name: '浙江省', level: 1, parent_code: null, path: regionCode })
    .onConflict((oc) => oc.column('code').doNothing())
    .execute();
  const unitId = crypto.randomUUID();
  const unitName = `文件测试单位${seq}`;
  await ctx.db
    .insertInto('units')
    .values({ id: unitId, name: unitName, kind: 'department', region_code: regionCode })
    .execute();
  const userId = crypto.randomUUID();
  const username = `files${seq}_${userId.slice(0, 8)}`;
  await ctx.db
    .insertInto('users')
    .values({
      id: userId,
      username,
      display_name: `文件测试用户${seq}`,
      password_hash: 'not-a-hash',
      unit_id: unitId,
      roles,
    })
    .execute();
  return {
    userId,
    username,
    displayName: `文件测试用户${seq}`,
    unitId,
    unitName,
    regionCode,
    regionPath: regionCode,
    roles,
    scopes: undefined,
    via: 'session',
  };
}

export type Part = { name: string; filename?: string; contentType?: string; data: Buffer | string };

/** A multipart/form-data body built by hand, with the headers to send it. */
export function multipart(parts: Part[]): { payload: Buffer; headers: Record<string, string> } {
  const boundary = `----duban${crypto.randomBytes(8).toString('hex')}`;
  const chunks: Buffer[] = [];
  for (const p of parts) {
    const disposition =
      p.filename === undefined
        ? `form-data; name="${p.name}"`
        : `form-data; name="${p.name}"; filename="${p.filename}"`;
    let head = `--${boundary}\r\nContent-Disposition: ${disposition}\r\n`;
    if (p.contentType) head += `Content-Type: ${p.contentType}\r\n`;
    chunks.push(Buffer.from(`${head}\r\n`, 'utf8'), Buffer.from(p.data), Buffer.from('\r\n'));
  }
  chunks.push(Buffer.from(`--${boundary}--\r\n`));
  return {
    payload: Buffer.concat(chunks),
    headers: { 'content-type': `multipart/form-data; boundary=${boundary}` },
  };
}

/** Every regular file below dir, as paths relative to it. */
export function filesBelow(dir: string): string[] {
  if (!fs.existsSync(dir)) return [];
  return fs
    .readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((d) => d.isFile())
    .map((d) => path.relative(dir, path.join(d.parentPath, d.name)));
}

/** A small but real-looking PDF. */
export function pdfBytes(text = 'hello'): Buffer {
  return Buffer.from(`%PDF-1.7\n1 0 obj <<>> endobj\n% ${text}\ntrailer <<>>\n%%EOF\n`, 'latin1');
}

/** A Windows executable's first bytes. */
export function exeBytes(): Buffer {
  const b = Buffer.alloc(512);
  b.write('MZ', 0, 'latin1');
  b.write('This program cannot be run in DOS mode.', 78, 'latin1');
  return b;
}
