/**
 * Media types an evidence file (证据文件) may have. The type is decided from the content, never
 * from what the client declares: anything that could run or render as a page (executables,
 * HTML, SVG, scripts) is refused, so nothing we serve back can attack a browser or a desktop.
 */
export const ACCEPTED_MEDIA_TYPES = [
  'application/pdf',
  'image/png',
  'image/jpeg',
  'image/gif',
  'image/webp',
  'application/vnd.openxmlformats-officedocument.wordprocessingml.document',
  'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
  'application/vnd.openxmlformats-officedocument.presentationml.presentation',
  'application/ofd',
  'application/zip',
  'application/msword',
  'application/vnd.ms-excel',
  'application/vnd.ms-powerpoint',
  'text/plain',
  'text/csv',
] as const;
export type AcceptedMediaType = (typeof ACCEPTED_MEDIA_TYPES)[number];

/** How many leading bytes sniffing looks at (and the text check validates). */
export const SNIFF_BYTES = 4096;

/** The file name extensions that fit each type; the first is the one a download is given. */
export const EXTENSIONS: { [T in AcceptedMediaType]: readonly string[] } = {
  'application/pdf': ['pdf'],
  'image/png': ['png'],
  'image/jpeg': ['jpg', 'jpeg', 'jpe', 'jfif'],
  'image/gif': ['gif'],
  'image/webp': ['webp'],
  'application/vnd.openxmlformats-officedocument.wordprocessingml.document': ['docx'],
  'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet': ['xlsx'],
  'application/vnd.openxmlformats-officedocument.presentationml.presentation': ['pptx'],
  'application/ofd': ['ofd'],
  'application/zip': ['zip'],
  'application/msword': ['doc'],
  'application/vnd.ms-excel': ['xls'],
  'application/vnd.ms-powerpoint': ['ppt'],
  'text/plain': ['txt', 'text', 'log', 'md'],
  'text/csv': ['csv'],
};

const PDF = Buffer.from('%PDF-', 'latin1');
const PNG = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
const JPEG = Buffer.from([0xff, 0xd8, 0xff]);
const GIF87 = Buffer.from('GIF87a', 'latin1');
const GIF89 = Buffer.from('GIF89a', 'latin1');
const RIFF = Buffer.from('RIFF', 'latin1');
const WEBP = Buffer.from('WEBP', 'latin1');
const ZIP = Buffer.from([0x50, 0x4b, 0x03, 0x04]);
const OLE = Buffer.from([0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1]);

const ZIP_BY_EXTENSION: Record<string, AcceptedMediaType> = {
  docx: 'application/vnd.openxmlformats-officedocument.wordprocessingml.document',
  xlsx: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
  pptx: 'application/vnd.openxmlformats-officedocument.presentationml.presentation',
  ofd: 'application/ofd',
};

// An OLE compound file is also what .msi installers are, so only the Office extensions pass.
const OLE_BY_EXTENSION: Record<string, AcceptedMediaType> = {
  doc: 'application/msword',
  xls: 'application/vnd.ms-excel',
  ppt: 'application/vnd.ms-powerpoint',
};

/**
 * The media type of a file from its first bytes (at least SNIFF_BYTES of them when the file is
 * that long) and, only to tell apart formats that share a container (ZIP, OLE), its name.
 * Returns undefined for anything not accepted.
 */
export function sniffMediaType(firstBytes: Buffer, name: string): AcceptedMediaType | undefined {
  const ext = extensionOf(name);
  if (startsWith(firstBytes, PDF)) return 'application/pdf';
  if (startsWith(firstBytes, PNG)) return 'image/png';
  if (startsWith(firstBytes, JPEG)) return 'image/jpeg';
  if (startsWith(firstBytes, GIF87) || startsWith(firstBytes, GIF89)) return 'image/gif';
  if (startsWith(firstBytes, RIFF) && firstBytes.subarray(8, 12).equals(WEBP)) return 'image/webp';
  if (startsWith(firstBytes, ZIP)) return ZIP_BY_EXTENSION[ext] ?? 'application/zip';
  if (startsWith(firstBytes, OLE)) return OLE_BY_EXTENSION[ext];
  if (isPlainText(firstBytes.subarray(0, SNIFF_BYTES)) && ext !== '') {
    if (ext === 'csv') return 'text/csv';
    if (EXTENSIONS['text/plain'].includes(ext)) return 'text/plain';
  }
  return undefined;
}

/** The lower-case extension of a file name without its dot, or '' when it has none. */
export function extensionOf(name: string): string {
  const base = name.split(/[\\/]/).pop() ?? '';
  const dot = base.lastIndexOf('.');
  return dot > 0 ? base.slice(dot + 1).toLowerCase() : '';
}

function startsWith(bytes: Buffer, magic: Buffer): boolean {
  return bytes.length >= magic.length && bytes.subarray(0, magic.length).equals(magic);
}

/**
 * Valid UTF-8 without NUL bytes, and not markup: text beginning with '<' (HTML, SVG, XML) is
 * refused even under a .txt name, since a browser that ignored our headers could render it.
 */
function isPlainText(head: Buffer): boolean {
  if (head.length === 0 || head.includes(0)) return false;
  if (!isValidUtf8Prefix(head)) return false;
  const text = head
    .toString('utf8')
    .replace(/^\uFEFF/, '')
    .trimStart();
  return !text.startsWith('<');
}

const decoder = new TextDecoder('utf-8', { fatal: true });

/** Valid UTF-8, allowing a multi-byte sequence cut off at the end of the sample. */
function isValidUtf8Prefix(bytes: Buffer): boolean {
  // Drop up to three trailing bytes of an incomplete sequence before the strict decode.
  let end = bytes.length;
  for (let back = 1; back <= Math.min(3, bytes.length); back++) {
    const b = bytes[bytes.length - back] ?? 0;
    if ((b & 0xc0) === 0x80) continue; // continuation byte: keep looking for the lead byte
    const need = b >= 0xf0 ? 4 : b >= 0xe0 ? 3 : b >= 0xc0 ? 2 : 1;
    if (need > back) end = bytes.length - back;
    break;
  }
  try {
    decoder.decode(bytes.subarray(0, end));
    return true;
  } catch {
    return false;
  }
}
