import type { FastifyHelmetOptions } from '@fastify/helmet';

/**
 * Security headers (@fastify/helmet) on every answer — pages, assets and API alike — with a
 * strict Content-Security-Policy: scripts only from our own origin (the web build has no inline
 * scripts), no plugins, no framing, forms and fetches to our own origin only.
 *
 * style-src allows 'unsafe-inline': antd's CSS-in-JS (@ant-design/cssinjs) injects <style>
 * elements at run time. A nonce would need index.html templated per response and the nonce
 * handed to antd's StyleProvider; inline styles cannot run scripts, so that is left for later.
 * Swagger UI (/api/v1/docs) loads only its own files and works under the same policy.
 * HSTS is sent only behind HTTPS (DUBAN_SECURE_COOKIES): on plain-HTTP installs it would lock
 * browsers out of the site.
 */
export function securityHeaders(opts: { https: boolean }): FastifyHelmetOptions {
  return {
    contentSecurityPolicy: {
      useDefaults: false,
      directives: {
        defaultSrc: ["'self'"],
        scriptSrc: ["'self'"],
        styleSrc: ["'self'", "'unsafe-inline'"],
        imgSrc: ["'self'", 'data:', 'blob:'],
        fontSrc: ["'self'", 'data:'],
        connectSrc: ["'self'"],
        workerSrc: ["'self'", 'blob:'],
        frameAncestors: ["'none'"],
        objectSrc: ["'none'"],
        baseUri: ["'self'"],
        formAction: ["'self'"],
        scriptSrcAttr: ["'none'"],
        ...(opts.https ? { upgradeInsecureRequests: [] } : {}),
      },
    },
    // Same-origin pages only; the API has no cross-origin readers that need more.
    crossOriginEmbedderPolicy: false,
    crossOriginResourcePolicy: { policy: 'same-origin' },
    frameguard: { action: 'deny' },
    referrerPolicy: { policy: 'strict-origin-when-cross-origin' },
    strictTransportSecurity: opts.https ? { maxAge: 31_536_000, includeSubDomains: true } : false,
  };
}
