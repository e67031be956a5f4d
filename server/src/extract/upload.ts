import { extensionOf } from '../files/sniff.ts';
import { DomainError, validationError } from '../shared/errors.ts';
import { decodeText, normaliseNewlines } from './decode-text.ts';
import { htmlToText } from './html-text.ts';
import { pdfText } from './load-pdf.ts';
import { SUPPORTED_EXTENSIONS } from './load-text.ts';

/** The upload part's name, as for evidence files. */
export const UPLOAD_FIELD = 'file';

const PDF = Buffer.from('%PDF-', 'latin1');
const ZIP = Buffer.from([0x50, 0x4b, 0x03, 0x04]);
const HEAD = 4096;

function unsupported(zh: string, en: string): DomainError {
  return new DomainError('UNSUPPORTED_MEDIA_TYPE', { zh, en }, { field: `body.${UPLOAD_FIELD}` });
}

function unreadable(zh: string, en: string): DomainError {
  return validationError([{ field: `body.${UPLOAD_FIELD}`, message: en, messageZh: zh }]);
}

/**
 * Whether the bytes are what the name says: a PDF starts %PDF-, a .docx is a ZIP container, and a
 * text file is text (a UTF-16 BOM, or no NUL byte and no markup in its first 4 KiB).
 */
function contentFits(ext: string, bytes: Buffer): boolean {
  const head = bytes.subarray(0, HEAD);
  if (ext === 'pdf') return head.subarray(0, PDF.length).equals(PDF);
  if (ext === 'docx') return head.subarray(0, ZIP.length).equals(ZIP);
  if ((head[0] === 0xff && head[1] === 0xfe) || (head[0] === 0xfe && head[1] === 0xff)) return true;
  if (head.includes(0) || head.subarray(0, PDF.length).equals(PDF) || head.subarray(0, 4).equals(ZIP))
    return false;
  return !decodeText(head)
    .replace(/^\uFEFF/, '')
    .trimStart()
    .startsWith('<');
}

/**
 * The plain text of an uploaded .txt, .docx or text .pdf, as `duban extract` reads a file (same
 * decoders, same line ends). 415 for another type or content that does not fit its name; 400 for
 * a damaged file or one without text (a scanned PDF).
 */
export async function uploadedText(name: string, bytes: Buffer): Promise<string> {
  const ext = extensionOf(name);
  if (!(SUPPORTED_EXTENSIONS as readonly string[]).includes(`.${ext}`)) {
    const hint = ext === 'doc' || ext === 'wps' ? '（请另存为 .docx）' : '';
    throw unsupported(
      `不支持的文件类型 ${ext ? `.${ext}` : '（无扩展名）'}，支持 .txt、.docx、.pdf${hint}`,
      `Unsupported file type ${ext ? `.${ext}` : '(none)'}; use .txt, .docx or .pdf`,
    );
  }
  if (bytes.length === 0) throw unreadable('文件为空', 'The file is empty');
  if (!contentFits(ext, bytes))
    throw unsupported(`文件内容不是有效的 .${ext} 文件`, `The content is not a valid .${ext} file`);
  let raw: string;
  try {
    if (ext === 'docx') {
      const mammoth = await import('mammoth');
      raw = htmlToText((await mammoth.convertToHtml({ buffer: bytes })).value);
    } else if (ext === 'pdf') raw = await pdfText(new Uint8Array(bytes));
    else raw = decodeText(bytes);
  } catch {
    throw unreadable(
      `无法解析文件：已损坏或不是有效的 .${ext} 文件`,
      `Cannot parse the file: damaged or not a valid .${ext} file`,
    );
  }
  const text = normaliseNewlines(raw);
  if (text.trim().length === 0)
    throw unreadable(
      ext === 'pdf' ? '文件没有文字层（可能是扫描件），请先进行文字识别（OCR）' : '文件没有文字内容',
      ext === 'pdf'
        ? 'The PDF has no text layer (a scanned PDF?); run OCR first'
        : 'The file contains no text',
    );
  return text;
}
