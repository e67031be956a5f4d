import fs from 'node:fs/promises';
import path from 'node:path';
import { decodeText, normaliseNewlines } from './decode-text.ts';
import { htmlToText } from './html-text.ts';
import { pdfText } from './load-pdf.ts';

/** Why a document could not be read; `code` is stable, the messages are for people. */
export class DocumentError extends Error {
  constructor(
    readonly code: 'UNSUPPORTED_FORMAT' | 'UNREADABLE' | 'NO_TEXT',
    readonly messageZh: string,
    message: string,
  ) {
    super(message);
  }
}

export const SUPPORTED_EXTENSIONS = ['.txt', '.text', '.md', '.docx', '.pdf'] as const;

/** The plain text of a .txt, .docx or text .pdf file (see each loader for the layout rules). */
export async function loadDocumentText(file: string): Promise<string> {
  const ext = path.extname(file).toLowerCase();
  if (!(SUPPORTED_EXTENSIONS as readonly string[]).includes(ext)) {
    const hint = ext === '.doc' || ext === '.wps' ? '（请另存为 .docx / save it as .docx first）' : '';
    throw new DocumentError(
      'UNSUPPORTED_FORMAT',
      `不支持的文件类型 ${ext || '（无扩展名）'}，支持 .txt、.docx、.pdf${hint}`,
      `unsupported file type ${ext || '(none)'}; use .txt, .docx or .pdf`,
    );
  }
  let buf: Buffer;
  try {
    buf = await fs.readFile(file);
  } catch (err) {
    const reason = err instanceof Error && 'code' in err ? String(err.code) : 'error';
    throw new DocumentError(
      'UNREADABLE',
      `无法读取文件 ${file}（${reason}）`,
      `cannot read ${file} (${reason})`,
    );
  }
  const text = normaliseNewlines(await decode(file, ext, buf));
  if (text.trim().length === 0) {
    throw ext === '.pdf'
      ? new DocumentError(
          'NO_TEXT',
          `${file} 没有文字层（可能是扫描件），请先进行文字识别（OCR）`,
          `${file} has no text layer (a scanned PDF?); run OCR first`,
        )
      : new DocumentError('NO_TEXT', `${file} 没有文字内容`, `${file} contains no text`);
  }
  return text;
}

async function decode(file: string, ext: string, buf: Buffer): Promise<string> {
  try {
    if (ext === '.docx') {
      const mammoth = await import('mammoth');
      const { value } = await mammoth.convertToHtml({ buffer: buf });
      return htmlToText(value);
    }
    if (ext === '.pdf') return await pdfText(new Uint8Array(buf));
    return decodeText(buf);
  } catch (err) {
    const reason = err instanceof Error ? err.message.split('\n')[0] : String(err);
    throw new DocumentError(
      'UNREADABLE',
      `无法解析 ${file}：文件已损坏或不是有效的 ${ext} 文件（${reason}）`,
      `cannot parse ${file}: damaged or not a valid ${ext} file (${reason})`,
    );
  }
}
