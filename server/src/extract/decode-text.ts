/**
 * Text files from government offices come in UTF-8 (with or without BOM), UTF-16 with BOM, or
 * GB18030/GBK. Strict UTF-8 decoding is tried first; a file that is not valid UTF-8 is read as
 * GB18030 (a superset of GBK and GB2312), which Node's full ICU decodes without a dependency.
 */
export function decodeText(buf: Uint8Array): string {
  if (buf[0] === 0xef && buf[1] === 0xbb && buf[2] === 0xbf)
    return new TextDecoder('utf-8').decode(buf.subarray(3));
  if (buf[0] === 0xff && buf[1] === 0xfe) return new TextDecoder('utf-16le').decode(buf.subarray(2));
  if (buf[0] === 0xfe && buf[1] === 0xff) return new TextDecoder('utf-16be').decode(buf.subarray(2));
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(buf);
  } catch {
    return new TextDecoder('gb18030').decode(buf);
  }
}

/** Line ends to \n and NULs removed, so offsets mean the same on every platform. */
export function normaliseNewlines(text: string): string {
  return text.replace(/\r\n?/g, '\n').split(String.fromCharCode(0)).join('');
}
