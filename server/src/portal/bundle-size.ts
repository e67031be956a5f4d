import fs from 'node:fs';
import path from 'node:path';
import zlib from 'node:zlib';

export type BundleSize = {
  /** The files the page loads before it runs (entry script, its static imports, styles). */
  files: { file: string; bytes: number; gzip: number }[];
  jsBytes: number;
  jsGzip: number;
  cssGzip: number;
};

/**
 * The public portal's initial download, measured on the built web/dist: the scripts and styles
 * portal.html references (entry, modulepreload links) and, transitively, the chunks those scripts
 * import statically. Lazily imported pages (`import()`) are not counted: they load on first visit.
 * `npm run bench` prints it; the browser test checks it stays within the 300 KB (gzip) budget.
 */
export function portalInitialSize(distDir: string): BundleSize {
  const html = fs.readFileSync(path.join(distDir, 'portal.html'), 'utf8');
  const refs = [...html.matchAll(/(?:src|href)="(\/assets\/[^"]+\.(?:js|css))"/g)].map((m) => m[1] as string);
  const seen = new Set<string>();
  const queue = [...refs];
  while (queue.length > 0) {
    const ref = queue.shift() as string;
    if (seen.has(ref)) continue;
    seen.add(ref);
    if (!ref.endsWith('.js')) continue;
    const code = fs.readFileSync(path.join(distDir, ref), 'utf8');
    // Static imports of the minified chunk: `import{…}from"./x.js"` or `import"./x.js"`.
    for (const m of code.matchAll(/\bimport\s*(?:[\w${},*\s]+from\s*)?["'](\.\/[^"']+\.js)["']/g)) {
      queue.push(path.posix.join(path.posix.dirname(ref), m[1] as string));
    }
  }
  const files = [...seen].map((ref) => {
    const buf = fs.readFileSync(path.join(distDir, ref));
    return { file: ref, bytes: buf.length, gzip: zlib.gzipSync(buf, { level: 9 }).length };
  });
  const js = files.filter((f) => f.file.endsWith('.js'));
  return {
    files,
    jsBytes: js.reduce((s, f) => s + f.bytes, 0),
    jsGzip: js.reduce((s, f) => s + f.gzip, 0),
    cssGzip: files.filter((f) => f.file.endsWith('.css')).reduce((s, f) => s + f.gzip, 0),
  };
}
