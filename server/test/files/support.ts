import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import type { LightMyRequestResponse } from 'fastify';
import type { AppContext } from '../../src/context.ts';
import type { App } from '../../src/http/types.ts';
import type { Actor, Role } from '../../src/shared/actor.ts';
import type { Session } from '../support/factories.ts';

let seq = 0;

/**
 * A region, unit and user row (inserted directly) and the Actor that user is — for the store's
 * own tests, which call storeFile without HTTP. Route tests log in through buildWorld instead.
 */
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

/** Who calls: a logged-in session (cookie + CSRF header), a bearer API token, or nobody. */
export type Caller = Session | { bearer: string } | undefined;

/** Headers that authenticate the caller; the CSRF header only for unsafe methods, like a browser. */
function authHeaders(as: Caller, unsafe: boolean): Record<string, string> {
  if (as === undefined) return {};
  if ('bearer' in as) return { authorization: `Bearer ${as.bearer}` };
  return unsafe ? { cookie: as.cookie, 'x-csrf-token': as.csrf } : { cookie: as.cookie };
}

/** POST /api/v1/files with a hand-built multipart body, through the app's real authentication. */
export function postFile(app: App, as: Caller, parts: Part[]): Promise<LightMyRequestResponse> {
  const body = multipart(parts);
  return app.inject({
    method: 'POST',
    url: '/api/v1/files',
    headers: { ...body.headers, ...authHeaders(as, true) },
    payload: body.payload,
  });
}

/** GET /api/v1/files/{sha256} through the app's real authentication. */
export function getFile(app: App, as: Caller, sha256: string): Promise<LightMyRequestResponse> {
  return app.inject({ method: 'GET', url: `/api/v1/files/${sha256}`, headers: authHeaders(as, false) });
}

export const sha256Of = (b: Buffer | string): string => crypto.createHash('sha256').update(b).digest('hex');
