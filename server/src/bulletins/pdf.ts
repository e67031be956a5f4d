import fs from 'node:fs';
import PDFDocument from 'pdfkit';
import { barColour, barRects, CHART, chartHeight } from './chart.ts';
import type { Block } from './content.ts';
import { type CjkFont, findCjkFont, fontBytes, missingFontError, SC_FACES } from './fonts.ts';

const MARGIN = 56;
const A4 = { width: 595.28, height: 841.89 };
const TEXT_WIDTH = A4.width - 2 * MARGIN;
const BOTTOM = A4.height - MARGIN;
const CELL_PAD = 4;

type Doc = PDFKit.PDFDocument;

/** Registers the CJK font as 'cjk'; a .ttc without a face tries the Simplified Chinese faces. */
function useFont(doc: Doc, font: CjkFont): void {
  const faces = font.face !== undefined ? [font.face] : font.path.endsWith('.ttc') ? SC_FACES : [undefined];
  for (const face of faces) {
    try {
      const bytes = fontBytes(font.path);
      if (face === undefined) doc.registerFont('cjk', bytes);
      else doc.registerFont('cjk', bytes, face);
      doc.font('cjk');
      // A font without Chinese glyphs would print empty boxes: refuse it.
      const fk = (doc as unknown as { _font?: { font?: { hasGlyphForCodePoint?(c: number): boolean } } })
        ._font?.font;
      if (fk?.hasGlyphForCodePoint && !fk.hasGlyphForCodePoint(0x7763 /* 督 */))
        throw missingFontError(`字体 ${font.path} 不含中文字形`);
      return;
    } catch (err) {
      if (err instanceof Error && err.name === 'MissingFontError') throw err;
    }
  }
  throw missingFontError(`无法读取字体 ${font.path}${font.face ? `#${font.face}` : ''}`);
}

function ensureSpace(doc: Doc, height: number): void {
  if (doc.y + height > BOTTOM) doc.addPage();
}

function drawTable(doc: Doc, block: Extract<Block, { kind: 'table' }>): void {
  const total = block.columns.reduce((s, c) => s + c.weight, 0);
  const widths = block.columns.map((c) => (c.weight / total) * TEXT_WIDTH);
  const size = 9;
  const rowHeight = (cells: string[]) =>
    Math.max(
      ...cells.map((text, i) =>
        doc.fontSize(size).heightOfString(text, { width: (widths[i] ?? 40) - 2 * CELL_PAD }),
      ),
    ) +
    2 * CELL_PAD;
  const drawRow = (cells: string[], header: boolean) => {
    const h = rowHeight(cells);
    let x = MARGIN;
    const y = doc.y;
    cells.forEach((text, i) => {
      const w = widths[i] ?? 40;
      if (header) doc.rect(x, y, w, h).fillAndStroke('#dce6f2', '#8c8c8c');
      else doc.rect(x, y, w, h).lineWidth(0.5).stroke('#8c8c8c');
      doc
        .fillColor('#000000')
        .fontSize(size)
        .text(text, x + CELL_PAD, y + CELL_PAD, {
          width: w - 2 * CELL_PAD,
          align: header ? 'center' : 'left',
        });
      x += w;
    });
    doc.x = MARGIN;
    doc.y = y + h;
  };
  const header = block.columns.map((c) => c.header);
  ensureSpace(doc, rowHeight(header) * 2);
  drawRow(header, true);
  for (const row of block.rows) {
    if (doc.y + rowHeight(row) > BOTTOM) {
      doc.addPage();
      drawRow(header, true);
    }
    drawRow(row, false);
  }
  doc.moveDown(0.8);
}

function drawChart(doc: Doc, block: Extract<Block, { kind: 'chart' }>): void {
  const scale = TEXT_WIDTH / CHART.width;
  const height = chartHeight(block.bars) * scale;
  ensureSpace(doc, height);
  const ox = MARGIN;
  const oy = doc.y;
  doc
    .fontSize(11)
    .fillColor('#000000')
    .text(block.title, ox, oy + 6 * scale, { width: TEXT_WIDTH, align: 'center' });
  doc
    .moveTo(ox + CHART.labelWidth * scale - 1, oy + CHART.top * scale)
    .lineTo(ox + CHART.labelWidth * scale - 1, oy + (CHART.top + block.bars.length * CHART.rowHeight) * scale)
    .lineWidth(0.5)
    .stroke('#8c8c8c');
  for (const r of barRects(block.bars)) {
    const y = oy + r.y * scale;
    const h = r.h * scale;
    doc
      .fontSize(8)
      .fillColor('#000000')
      .text(r.label, ox, y + (h - 9) / 2, { width: (r.x - 8) * scale, align: 'right', lineBreak: false });
    doc
      .rect(ox + r.x * scale, y, r.w * scale, h)
      .fill(barColour(r.value))
      .fillColor('#000000');
    doc.fontSize(8).text(`${r.value.toFixed(1)}%`, ox + (r.x + r.w + 6) * scale, y + (h - 9) / 2, {
      lineBreak: false,
    });
  }
  doc.x = MARGIN;
  doc.y = oy + height + 8;
}

/** Fonts found good in this process (path#face, size and mtime): parsing one again costs ~0.1–0.5 s. */
const checked = new Set<string>();

/** Whether the font loads and has Chinese glyphs: MissingFontError otherwise (checked before any work). */
export function checkCjkFont(font: CjkFont = findCjkFont()): CjkFont {
  let key: string | undefined;
  try {
    const st = fs.statSync(font.path);
    key = `${font.path}#${font.face ?? ''}:${st.size}:${st.mtimeMs}`;
  } catch {
    // useFont below says what is wrong with it
  }
  if (key !== undefined && checked.has(key)) return font;
  const doc = new PDFDocument({ size: 'A4' });
  try {
    useFont(doc, font);
  } finally {
    doc.end();
  }
  if (key !== undefined) checked.add(key);
  return font;
}

/** A bulletin as a PDF set in the CJK font (MissingFontError without one). */
export async function bulletinPdf(
  blocks: Block[],
  title: string,
  font: CjkFont = findCjkFont(),
): Promise<Buffer> {
  const doc = new PDFDocument({
    size: 'A4',
    margin: MARGIN,
    info: { Title: title, Creator: 'Duban 督办', Producer: 'Duban 督办' },
  });
  const chunks: Buffer[] = [];
  doc.on('data', (c: Buffer) => chunks.push(c));
  const done = new Promise<Buffer>((resolve, reject) => {
    doc.on('end', () => resolve(Buffer.concat(chunks)));
    doc.on('error', reject);
  });
  try {
    useFont(doc, font);
  } catch (err) {
    doc.end();
    await done.catch(() => undefined);
    throw err;
  }
  for (const b of blocks) {
    switch (b.kind) {
      case 'title':
        doc.fontSize(18).fillColor('#000000').text(b.text, { align: 'center' });
        doc.moveDown(0.3);
        break;
      case 'subtitle':
        doc.fontSize(11).text(b.text, { align: 'center' });
        doc.moveDown(1);
        break;
      case 'heading':
        ensureSpace(doc, 60);
        doc.fontSize(14).text(b.text, MARGIN, doc.y);
        doc.moveDown(0.4);
        break;
      case 'para':
        doc.fontSize(11).text(b.text, MARGIN, doc.y, { width: TEXT_WIDTH, indent: 22, lineGap: 3 });
        doc.moveDown(0.5);
        break;
      case 'table':
        drawTable(doc, b);
        break;
      case 'chart':
        drawChart(doc, b);
        break;
    }
  }
  doc.end();
  return done;
}
