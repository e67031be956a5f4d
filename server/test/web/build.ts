import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
export const WEB_DIST = path.join(ROOT, 'web/dist');

/** What the web build reads (the esbuild output public/verifier.js is a product, not a source). */
const SOURCES = [
  'web/src',
  'web/public',
  'web/index.html',
  'web/vite.config.ts',
  'verifier/src',
  'schema/src',
];

/** The newest modification time of a file or anything under a folder. */
function newestMtime(p: string): number {
  if (!fs.existsSync(p)) return 0;
  const stat = fs.statSync(p);
  if (!stat.isDirectory()) return p.endsWith(`public${path.sep}verifier.js`) ? 0 : stat.mtimeMs;
  let newest = 0;
  for (const e of fs.readdirSync(p)) newest = Math.max(newest, newestMtime(path.join(p, e)));
  return newest;
}

/**
 * Builds web/dist with the web workspace's own build script when it is missing or older than its
 * sources, so `vitest run` alone works. Must run before buildApp: the static files are listed when
 * the app starts.
 */
export function ensureWebBuild(): void {
  const built = path.join(WEB_DIST, 'index.html');
  const verifier = path.join(WEB_DIST, 'verifier.js');
  const fresh =
    fs.existsSync(built) &&
    fs.existsSync(verifier) &&
    Math.min(fs.statSync(built).mtimeMs, fs.statSync(verifier).mtimeMs) >=
      Math.max(...SOURCES.map((s) => newestMtime(path.join(ROOT, s))));
  // Vitest sets NODE_ENV=test, which would give a development build of React.
  const env = { ...process.env, NODE_ENV: 'production' };
  if (!fresh) execFileSync('npm', ['run', 'build', '--workspace', 'web'], { cwd: ROOT, stdio: 'pipe', env });
}
