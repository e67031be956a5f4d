import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../../src/app.ts';
import type { App } from '../../src/http/types.ts';
import { createTestContext, type TestContext } from '../support/context.ts';

/**
 * Security headers (issue 8 §1): every answer — pages, static files, API, errors — carries the
 * strict CSP and the other helmet headers; HSTS only when secure cookies (HTTPS) are configured.
 */
let ctx: TestContext;
let app: App;
beforeAll(async () => {
  ctx = await createTestContext();
  app = await buildApp(ctx);
});
afterAll(async () => {
  await app?.close();
  await ctx?.cleanup();
});

function directives(header: unknown): Map<string, string> {
  expect(typeof header).toBe('string');
  return new Map(
    String(header)
      .split(';')
      .map((d) => d.trim())
      .filter((d) => d !== '')
      .map((d) => {
        const [name = '', ...values] = d.split(/\s+/);
        return [name, values.join(' ')] as const;
      }),
  );
}

const WEB_DIST = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../web/dist');

describe('security headers', () => {
  const urls = [
    '/api/health',
    '/api/v1/items',
    '/api/v1/nope',
    '/api/v1/public/items.json',
    '/open311/v2/services.json',
    '/',
    '/portal',
    '/items/some-deep-link',
    '/verify.html',
  ];
  for (const url of urls) {
    it(`strict CSP and helmet headers on ${url}`, async () => {
      const res = await app.inject({ method: 'GET', url, headers: { accept: 'text/html,*/*' } });
      const csp = directives(res.headers['content-security-policy']);
      expect(csp.get('default-src')).toBe("'self'");
      expect(csp.get('script-src')).toBe("'self'");
      expect(csp.get('script-src-attr')).toBe("'none'");
      expect(csp.get('img-src')).toBe("'self' data: blob:");
      expect(csp.get('connect-src')).toBe("'self'");
      expect(csp.get('frame-ancestors')).toBe("'none'");
      expect(csp.get('object-src')).toBe("'none'");
      expect(csp.get('base-uri')).toBe("'self'");
      expect(csp.get('form-action')).toBe("'self'");
      for (const value of csp.values()) {
        expect(value).not.toContain('unsafe-eval');
        expect(value).not.toContain('*');
      }
      expect(csp.get('script-src')).not.toContain('unsafe-inline');
      expect(res.headers['x-content-type-options']).toBe('nosniff');
      expect(res.headers['x-frame-options']).toBe('DENY');
      expect(res.headers['referrer-policy']).toBe('strict-origin-when-cross-origin');
      expect(res.headers['cross-origin-opener-policy']).toBe('same-origin');
      expect(res.headers['x-powered-by']).toBeUndefined();
      // Plain HTTP (DUBAN_SECURE_COOKIES off, the test default): no HSTS.
      expect(res.headers['strict-transport-security']).toBeUndefined();
    });
  }

  it('the API documentation still loads its own scripts under the policy', async () => {
    const res = await app.inject({ method: 'GET', url: '/api/v1/docs' });
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-security-policy']).toBeDefined();
    expect(res.body).not.toMatch(/<script>(?!\s*<\/script>)/);
  });

  it('HSTS is sent when secure cookies (HTTPS) are configured', async () => {
    const secure = await buildApp({ ...ctx, secureCookies: true });
    try {
      const res = await secure.inject({ method: 'GET', url: '/api/health' });
      expect(res.headers['strict-transport-security']).toBe('max-age=31536000; includeSubDomains');
      expect(directives(res.headers['content-security-policy']).has('upgrade-insecure-requests')).toBe(true);
    } finally {
      await secure.close();
    }
  });

  it.skipIf(!fs.existsSync(path.join(WEB_DIST, 'index.html')))(
    'the built pages hold no inline script, style attribute or event handler the CSP would block',
    () => {
      for (const page of ['index.html', 'portal.html', 'verify.html']) {
        const html = fs.readFileSync(path.join(WEB_DIST, page), 'utf8');
        for (const tag of html.match(/<script\b[^>]*>[\s\S]*?<\/script>/g) ?? []) {
          expect(tag, `${page}: ${tag}`).toMatch(/\bsrc="\/[^"]+"/);
          expect(tag.replace(/<script\b[^>]*>|<\/script>/g, '').trim()).toBe('');
        }
        expect(html, page).not.toMatch(/\son[a-z]+=/i);
        expect(html, page).not.toMatch(/javascript:/i);
      }
    },
  );
});
