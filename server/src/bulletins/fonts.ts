import fs from 'node:fs';
import { DomainError } from '../shared/errors.ts';

/**
 * The CJK font PDFs are set in: `DUBAN_CJK_FONT` (a .ttf/.otf, or a .ttc with `#FaceName`, e.g.
 * `/fonts/NotoSansCJK-Regular.ttc#NotoSansCJKsc-Regular`), else Debian's fonts-noto-cjk or
 * fonts-wqy-*. Without one a PDF would show empty boxes, so it is refused instead.
 */
export type CjkFont = { path: string; face: string | undefined };

/** Simplified Chinese faces of the common collections, tried in order for a .ttc without #face. */
export const SC_FACES = [
  'NotoSansCJKsc-Regular',
  'NotoSerifCJKsc-Regular',
  'SourceHanSansSC-Regular',
  'SourceHanSerifSC-Regular',
  'WenQuanYiMicroHei',
  'WenQuanYiZenHei',
];

const CANDIDATES: CjkFont[] = [
  { path: '/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc', face: 'NotoSansCJKsc-Regular' },
  { path: '/usr/share/fonts/opentype/noto/NotoSerifCJK-Regular.ttc', face: 'NotoSerifCJKsc-Regular' },
  { path: '/usr/share/fonts/truetype/wqy/wqy-microhei.ttc', face: 'WenQuanYiMicroHei' },
  { path: '/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc', face: 'WenQuanYiZenHei' },
];

export class MissingFontError extends DomainError {
  constructor(detail: { zh: string; en: string }) {
    super('CONFLICT', detail, { details: { font: 'DUBAN_CJK_FONT' } });
    this.name = 'MissingFontError';
  }
}

const missing = (why: string) =>
  new MissingFontError({
    zh: `无法生成 PDF：${why}。请安装 fonts-noto-cjk（Noto Sans CJK SC）或设置 DUBAN_CJK_FONT 指向中文字体文件`,
    en: `Cannot make a PDF: ${why}. Install fonts-noto-cjk (Noto Sans CJK SC) or set DUBAN_CJK_FONT to a Chinese font file`,
  });

/** The font to use, or MissingFontError naming what is missing. */
export function findCjkFont(env: NodeJS.ProcessEnv = process.env): CjkFont {
  const configured = env.DUBAN_CJK_FONT?.trim();
  if (configured) {
    const [path = '', face] = configured.split('#');
    if (!fs.existsSync(path)) throw missing(`DUBAN_CJK_FONT 指定的字体文件 ${path} 不存在`);
    return { path, face: face || undefined };
  }
  const found = CANDIDATES.find((c) => fs.existsSync(c.path));
  if (!found) throw missing('未找到中文字体（Noto Sans CJK SC / 文泉驿）');
  return found;
}

export { missing as missingFontError };

const bytesCache = new Map<string, { stamp: string; bytes: Buffer }>();

/**
 * The font file's bytes, read once per process (a CJK collection is ~20 MB) and read again only
 * when the file changes (size or mtime). pdfkit parses and subsets them per document.
 */
export function fontBytes(path: string): Buffer {
  const st = fs.statSync(path);
  const stamp = `${st.size}:${st.mtimeMs}`;
  const hit = bytesCache.get(path);
  if (hit?.stamp === stamp) return hit.bytes;
  const bytes = fs.readFileSync(path);
  bytesCache.set(path, { stamp, bytes });
  return bytes;
}
