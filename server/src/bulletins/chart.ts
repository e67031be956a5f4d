import zlib from 'node:zlib';

/**
 * The bulletins' bar chart (按期办结率 by unit), one layout drawn two ways: pdfkit primitives in
 * pdf.ts, and in DOCX a borderless table whose bars are one-colour PNGs (docx.ts), so the labels
 * stay text in Word and LibreOffice alike. No browser, canvas or native module is needed.
 */
export type Bar = { label: string; value: number };

export const CHART = { width: 640, rowHeight: 26, labelWidth: 220, top: 36, bottom: 16, max: 100 };

export function chartHeight(bars: readonly Bar[]): number {
  return CHART.top + bars.length * CHART.rowHeight + CHART.bottom;
}

/** Each bar's rectangle in chart coordinates (value 0–100). */
export function barRects(bars: readonly Bar[]) {
  const span = CHART.width - CHART.labelWidth - 60;
  return bars.map((b, i) => ({
    ...b,
    x: CHART.labelWidth,
    y: CHART.top + i * CHART.rowHeight + 5,
    w: Math.max(1, Math.round((Math.min(b.value, CHART.max) / CHART.max) * span)),
    h: CHART.rowHeight - 10,
  }));
}

export const barColour = (v: number) => (v >= 90 ? '#389e0d' : v >= 60 ? '#1677ff' : '#cf1322');

/** A 4 × 4 PNG of one colour: a bar, stretched to its length in the document. */
export function solidPng(hex: string): Buffer {
  return pngOf(4, 4, (fill) => fill(0, 0, 4, 4, hex));
}

type Fill = (x0: number, y0: number, w: number, h: number, hex: string) => void;

function pngOf(width: number, height: number, draw: (fill: Fill) => void): Buffer {
  const stride = width * 3 + 1;
  const raw = Buffer.alloc(stride * height, 0xff);
  for (let y = 0; y < height; y++) raw[y * stride] = 0; // filter: none
  const fill: Fill = (x0, y0, w, h, hex) => {
    const rgb = [1, 3, 5].map((k) => Number.parseInt(hex.slice(k, k + 2), 16));
    for (let y = y0; y < Math.min(height, y0 + h); y++)
      for (let x = x0; x < Math.min(width, x0 + w); x++) {
        const at = y * stride + 1 + x * 3;
        raw[at] = rgb[0] ?? 0;
        raw[at + 1] = rgb[1] ?? 0;
        raw[at + 2] = rgb[2] ?? 0;
      }
  };
  draw(fill);
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(width, 0);
  ihdr.writeUInt32BE(height, 4);
  ihdr.writeUInt8(8, 8); // bit depth
  ihdr.writeUInt8(2, 9); // colour type RGB
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', ihdr),
    chunk('IDAT', zlib.deflateSync(raw)),
    chunk('IEND', Buffer.alloc(0)),
  ]);
}

const CRC_TABLE = Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});

function crc32(buf: Buffer): number {
  let c = 0xffffffff;
  for (const b of buf) c = (CRC_TABLE[(c ^ b) & 0xff] ?? 0) ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

function chunk(type: string, data: Buffer): Buffer {
  const len = Buffer.alloc(4);
  len.writeUInt32BE(data.length);
  const body = Buffer.concat([Buffer.from(type, 'ascii'), data]);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(body));
  return Buffer.concat([len, body, crc]);
}
