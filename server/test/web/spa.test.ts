/**
 * The built web app behind the API: / and deep links (/items/…) answer the SPA's index.html for a
 * browser, while the API, /metrics and files keep their JSON 404s.
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../../src/app.ts';
import type { App } from '../../src/http/types.ts';
import { createTestContext, type TestContext } from '../support/context.ts';
import { ensureWebBuild, WEB_DIST } from './build.ts';

const HTML = { accept: 'text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8' };

let ctx: TestContext;
let app: App;

beforeAll(async () => {
  ensureWebBuild();
  ctx = await createTestContext();
  app = await buildApp(ctx);
});

afterAll(async () => {
  await app?.close();
  await ctx?.cleanup();
});

const indexHtml = () => fs.readFileSync(path.join(WEB_DIST, 'index.html'), 'utf8');

describe('serving the web app', () => {
  it('serves the SPA at / without caching its entry page', async () => {
    const res = await app.inject({ method: 'GET', url: '/', headers: HTML });
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toMatch(/^text\/html/);
    expect(res.body).toBe(indexHtml());
    expect(res.body).toContain('<div id="root"></div>');
    expect(res.headers['cache-control']).toBe('no-cache');
  });

  it('answers a deep link of the app with index.html (the router shows the page)', async () => {
    for (const url of ['/items/0d3c2f0e-1b1a-4c53-9a45-3f1f0a4b7c11', '/workbench?tab=overdue', '/login']) {
      const res = await app.inject({ method: 'GET', url, headers: HTML });
      expect(res.statusCode, url).toBe(200);
      expect(res.headers['content-type'], url).toMatch(/^text\/html/);
      expect(res.body, url).toBe(indexHtml());
      expect(res.headers['cache-control'], url).toBe('no-cache');
    }
  });

  it('serves hashed assets as immutable and the 存证核验 page as a file', async () => {
    const asset = /src="(\/assets\/[^"]+\.js)"/.exec(indexHtml())?.[1];
    expect(asset).toBeDefined();
    const res = await app.inject({ method: 'GET', url: asset ?? '' });
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toMatch(/javascript/);
    expect(res.headers['cache-control']).toBe('public, max-age=31536000, immutable');
    const verify = await app.inject({ method: 'GET', url: '/verify.html', headers: HTML });
    expect(verify.statusCode).toBe(200);
    expect(verify.body).toContain('存证核验');
  });

  it('keeps JSON 404s for the API, /metrics, Open311 and missing files, even for a browser', async () => {
    for (const url of [
      '/api/unknown',
      '/api/v1/no-such-route',
      '/api',
      '/metrics/extra',
      '/open311/v2/no-such-resource',
      '/open311/v3',
      '/assets/missing-abc123.js',
      '/favicon.ico',
    ]) {
      const res = await app.inject({ method: 'GET', url, headers: HTML });
      expect(res.statusCode, url).toBe(404);
      expect(res.headers['content-type'], url).toMatch(/^application\/problem\+json/);
      expect(res.json(), url).toMatchObject({ status: 404, code: 'NOT_FOUND', instance: url });
    }
  });

  it('answers JSON 404 to non-browser callers and to other methods on app paths', async () => {
    const json = await app.inject({
      method: 'GET',
      url: '/items/abc',
      headers: { accept: 'application/json' },
    });
    expect(json.statusCode).toBe(404);
    expect(json.json()).toMatchObject({ code: 'NOT_FOUND' });
    const post = await app.inject({ method: 'POST', url: '/items/abc', headers: HTML, payload: {} });
    expect(post.statusCode).toBe(404);
    expect(post.headers['content-type']).toMatch(/^application\/problem\+json/);
  });
});
