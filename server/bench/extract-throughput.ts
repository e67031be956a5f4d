/**
 * Extraction throughput: the 17 real documents of the extraction dev set concatenated (repeated)
 * into a document of about 100,000 characters, extracted warm five times (median); then the same
 * text as .txt, .docx and text .pdf files, loaded and extracted (the loaders included).
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseLabelled } from '../src/extract/evaluate.ts';
import { extractItems } from '../src/extract/extract.ts';
import { loadDocumentText } from '../src/extract/load-text.ts';
import { makeDocx, makePdf, type PdfText, para } from '../test/extract/documents.ts';
import { fmt, ms, now, summarize, table } from './lib.ts';

const DEV = path.join(path.dirname(fileURLToPath(import.meta.url)), '../test/fixtures/extraction/dev.jsonl');
const TARGET_CHARS = 100_000;
const RUNS = 5;

export type ExtractFigures = {
  chars: number;
  documents: number;
  items: number;
  rows: {
    format: string;
    bytes: number;
    chars: number;
    items: number;
    medianMs: number;
    charsPerSec: number;
  }[];
};

/** Lines of at most 40 characters on A4 pages, 50 lines a page (what makePdf lays out). */
function pdfPages(text: string): PdfText[][] {
  const lines: string[] = [];
  for (const line of text.split('\n')) {
    const chars = Array.from(line);
    if (chars.length === 0) continue;
    for (let i = 0; i < chars.length; i += 40) lines.push(chars.slice(i, i + 40).join(''));
  }
  const pages: PdfText[][] = [];
  for (let i = 0; i < lines.length; i += 50)
    pages.push(lines.slice(i, i + 50).map((t, j) => ({ x: 50, y: 790 - j * 14, text: t, size: 12 })));
  return pages;
}

async function timed<T>(fn: () => Promise<T> | T): Promise<{ result: T; median: number }> {
  let result = await fn(); // warm-up
  const samples: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    const t = now();
    result = await fn();
    samples.push(ms(t));
  }
  return { result, median: summarize(samples).p50 };
}

export async function benchExtract(out: (line: string) => void): Promise<ExtractFigures> {
  const docs = parseLabelled(fs.readFileSync(DEV, 'utf8'));
  const parts: string[] = [];
  let chars = 0;
  let documents = 0;
  while (chars < TARGET_CHARS) {
    for (const d of docs) {
      if (chars >= TARGET_CHARS) break;
      parts.push(d.text);
      chars += d.text.length + 2;
      documents++;
    }
  }
  const text = parts.join('\n\n');
  const year = 2025;
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'duban-bench-extract-'));
  try {
    const files = {
      txt: path.join(dir, 'doc.txt'),
      docx: path.join(dir, 'doc.docx'),
      pdf: path.join(dir, 'doc.pdf'),
    };
    fs.writeFileSync(files.txt, text);
    fs.writeFileSync(files.docx, makeDocx(text.split('\n').map(para).join('')));
    fs.writeFileSync(files.pdf, makePdf(pdfPages(text)));

    const rows: ExtractFigures['rows'] = [];
    const row = (format: string, bytes: number, c: number, items: number, median: number) =>
      rows.push({ format, bytes, chars: c, items, medianMs: median, charsPerSec: c / (median / 1000) });
    const core = await timed(() => extractItems(text, { year }));
    row(
      'text in memory (extractItems)',
      Buffer.byteLength(text),
      text.length,
      core.result.length,
      core.median,
    );
    for (const [format, file] of Object.entries(files)) {
      const r = await timed(async () => {
        const loaded = await loadDocumentText(file);
        return { chars: loaded.length, items: extractItems(loaded, { year }).length };
      });
      row(
        `.${format} file (load + extract)`,
        fs.statSync(file).size,
        r.result.chars,
        r.result.items,
        r.median,
      );
    }
    out(
      `\nExtraction throughput: the dev set's ${docs.length} real documents repeated to ${text.length} characters ` +
        `(${documents} document texts), warm, median of ${RUNS} — target: 100,000 characters in ≤ 1 s`,
    );
    out(
      table(
        ['input', 'bytes', 'chars', 'items', 'median ms', 'chars/s', '100k chars ms'],
        rows.map((r) => [
          r.format,
          r.bytes,
          r.chars,
          r.items,
          fmt(r.medianMs, 0),
          fmt(r.charsPerSec, 0),
          fmt((r.medianMs * 100_000) / r.chars, 0),
        ]),
      ),
    );
    return { chars: text.length, documents, items: core.result.length, rows };
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}
