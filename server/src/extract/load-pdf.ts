/**
 * Text of a PDF's text layer (pdfjs-dist, legacy build for Node), in reading order: items grouped
 * into lines by baseline, lines top to bottom, items left to right. A wide gap inside a line (two
 * ems or more) is a table column break and becomes ` | `; a line that runs to the right margin
 * continues on the next one (its paragraph is joined back together). A scanned PDF has no text
 * layer and gives an empty string.
 */
type Piece = { x: number; y: number; width: number; size: number; str: string };
type PdfLine = { y: number; size: number; pieces: Piece[]; left: number; right: number };

export async function pdfText(data: Uint8Array): Promise<string> {
  const pdfjs = await import('pdfjs-dist/legacy/build/pdf.mjs');
  const doc = await pdfjs.getDocument({ data, verbosity: 0, isEvalSupported: false, useSystemFonts: false })
    .promise;
  try {
    const pages: string[] = [];
    for (let n = 1; n <= doc.numPages; n++) {
      const page = await doc.getPage(n);
      const content = await page.getTextContent();
      const pieces: Piece[] = [];
      for (const item of content.items) {
        // pdfjs fills gaps with whitespace items; the gaps themselves are measured below.
        if (!('str' in item) || item.str.trim().length === 0) continue;
        const [a = 0, b = 0, , , e = 0, f = 0] = item.transform as number[];
        pieces.push({
          x: e,
          y: f,
          width: item.width,
          size: Math.hypot(a, b) || item.height || 10,
          str: item.str,
        });
      }
      pages.push(layoutPage(pieces));
      page.cleanup();
    }
    return pages.filter((p) => p.length > 0).join('\n');
  } finally {
    await doc.destroy();
  }
}

export function layoutPage(pieces: Piece[]): string {
  const lines: PdfLine[] = [];
  for (const p of [...pieces].sort((a, b) => b.y - a.y || a.x - b.x)) {
    const line = lines.find((l) => Math.abs(l.y - p.y) <= Math.max(l.size, p.size) * 0.4);
    if (line) line.pieces.push(p);
    else lines.push({ y: p.y, size: p.size, pieces: [p], left: 0, right: 0 });
  }
  lines.sort((a, b) => b.y - a.y);
  const texts: { text: string; left: number; right: number; table: boolean; size: number }[] = [];
  for (const line of lines) {
    line.pieces.sort((a, b) => a.x - b.x);
    let text = '';
    let table = false;
    let prev: Piece | null = null;
    for (const p of line.pieces) {
      if (prev) {
        const gap = p.x - (prev.x + prev.width);
        if (gap >= 2 * line.size) {
          text += ' | ';
          table = true;
        } else if (gap > 0.2 * line.size && /[A-Za-z0-9]$/.test(text) && /^[A-Za-z0-9]/.test(p.str))
          text += ' ';
      }
      text += p.str;
      prev = p;
    }
    const first = line.pieces[0];
    const last = line.pieces.at(-1);
    texts.push({
      text: text.trim(),
      left: first?.x ?? 0,
      right: last ? last.x + last.width : 0,
      table,
      size: line.size,
    });
  }
  const margin = Math.max(0, ...texts.filter((t) => !t.table).map((t) => t.right));
  let out = '';
  texts.forEach((t, i) => {
    out += t.text;
    const next = texts[i + 1];
    if (!next) return;
    const fullWidth = !t.table && !next.table && t.right >= margin - 1.5 * t.size;
    out += fullWidth && !/[。:!?;：；！？]$/.test(t.text) ? '' : '\n';
  });
  return out;
}
