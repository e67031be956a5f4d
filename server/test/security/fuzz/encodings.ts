import zlib from 'node:zlib';

/**
 * Bodies whose content type or encoding is not what the route reads: multipart to JSON routes,
 * JSON to the upload routes, foreign charsets, compressed and empty bodies.
 */
export type EncodingCase = {
  name: string;
  headers: Record<string, string>;
  payload: string | Buffer;
  /** Whatever the route: never accepted (a 2xx would mean the body was misread or ignored). */
  refused?: boolean;
};

const BOUNDARY = '----duban-fuzz';

function multipart(
  parts: { name: string; filename?: string; type?: string; body: string | Buffer }[],
): Buffer {
  const chunks: Buffer[] = [];
  for (const p of parts) {
    const disposition = `form-data; name="${p.name}"${p.filename !== undefined ? `; filename="${p.filename}"` : ''}`;
    chunks.push(
      Buffer.from(
        `--${BOUNDARY}\r\nContent-Disposition: ${disposition}\r\n${p.type ? `Content-Type: ${p.type}\r\n` : ''}\r\n`,
      ),
      Buffer.isBuffer(p.body) ? p.body : Buffer.from(p.body),
      Buffer.from('\r\n'),
    );
  }
  chunks.push(Buffer.from(`--${BOUNDARY}--\r\n`));
  return Buffer.concat(chunks);
}

const MULTIPART = { 'content-type': `multipart/form-data; boundary=${BOUNDARY}` };

/** The same cases for every write route; `json` is a well-formed body for the route (or `{}`). */
export function encodingCases(json: string): EncodingCase[] {
  return [
    {
      name: 'multipart to a JSON route',
      refused: true,
      headers: MULTIPART,
      payload: multipart([
        { name: 'title', body: '推进' },
        { name: 'file', filename: 'a.txt', type: 'text/plain', body: '督办' },
      ]),
    },
    {
      name: 'charset=latin1',
      refused: true,
      headers: { 'content-type': 'application/json; charset=latin1' },
      payload: Buffer.from(json, 'latin1'),
    },
    {
      name: 'charset=utf-16le',
      refused: true,
      headers: { 'content-type': 'application/json; charset=utf-16le' },
      payload: Buffer.from(json, 'utf16le'),
    },
    { name: 'empty JSON body', refused: true, headers: { 'content-type': 'application/json' }, payload: '' },
    {
      name: 'gzip content-encoding',
      refused: true,
      headers: { 'content-type': 'application/json', 'content-encoding': 'gzip' },
      payload: zlib.gzipSync(json),
    },
    {
      name: 'unknown content-encoding',
      headers: { 'content-type': 'application/json', 'content-encoding': 'br, x-fuzz' },
      payload: json,
    },
    { name: 'text/plain', headers: { 'content-type': 'text/plain; charset=utf-8' }, payload: json },
    {
      name: 'form-urlencoded',
      refused: true,
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      payload: 'title=%27+OR+1%3D1--&reason=x',
    },
    {
      name: 'xml',
      refused: true,
      headers: { 'content-type': 'application/xml' },
      payload: '<?xml version="1.0"?><!DOCTYPE a [<!ENTITY x SYSTEM "file:///etc/passwd">]><a>&x;</a>',
    },
    { name: 'no content-type', refused: true, headers: {}, payload: json },
    { name: 'upper-case type', headers: { 'content-type': 'APPLICATION/JSON' }, payload: json },
    {
      name: 'type with junk parameters',
      headers: { 'content-type': 'application/json; charset="utf-8"; boundary=;;' },
      payload: json,
    },
    {
      name: 'vendor JSON type',
      refused: true,
      headers: { 'content-type': 'application/merge-patch+json' },
      payload: json,
    },
    { name: 'wildcard type', refused: true, headers: { 'content-type': '*/*' }, payload: json },
    { name: 'malformed type', refused: true, headers: { 'content-type': 'json' }, payload: json },
  ];
}

/** Bodies for the multipart upload routes (POST /files, /extract, /intake/import). */
export function uploadCases(maxUploadBytes: number): EncodingCase[] {
  return [
    {
      name: 'JSON to an upload route',
      refused: true,
      headers: { 'content-type': 'application/json' },
      payload: '{"file":"x"}',
    },
    {
      name: 'JSON null to an upload route',
      refused: true,
      headers: { 'content-type': 'application/json' },
      payload: 'null',
    },
    {
      name: 'multipart without boundary',
      refused: true,
      headers: { 'content-type': 'multipart/form-data' },
      payload: 'x',
    },
    {
      name: 'truncated multipart',
      refused: true,
      headers: MULTIPART,
      payload: multipart([{ name: 'file', filename: 'a.txt', body: 'x' }]).subarray(0, 60),
    },
    { name: 'multipart with no parts', refused: true, headers: MULTIPART, payload: `--${BOUNDARY}--\r\n` },
    {
      name: 'multipart field, no file',
      refused: true,
      headers: MULTIPART,
      payload: multipart([{ name: 'file', body: 'plain field' }]),
    },
    {
      name: 'traversing file name',
      headers: MULTIPART,
      payload: multipart([
        { name: 'file', filename: '../../../etc/passwd', type: 'text/plain', body: '督办事项' },
      ]),
    },
    {
      name: 'NUL and surrogate in file name',
      headers: MULTIPART,
      payload: multipart([
        {
          name: 'file',
          filename: `a\u0000b${Buffer.from([0xed, 0xa0, 0x80]).toString('latin1')}.txt`,
          type: 'text/plain',
          body: 'x',
        },
      ]),
    },
    {
      name: 'lying media type',
      headers: MULTIPART,
      payload: multipart([
        { name: 'file', filename: 'a.pdf', type: 'application/pdf', body: '<script>alert(1)</script>' },
      ]),
    },
    {
      name: 'invalid UTF-8 text file',
      headers: MULTIPART,
      payload: multipart([
        {
          name: 'file',
          filename: 'a.txt',
          type: 'text/plain',
          body: Buffer.from([0xff, 0xfe, 0xc0, 0xaf, 0x00]),
        },
      ]),
    },
    {
      name: 'bogus xlsx/docx',
      headers: MULTIPART,
      payload: multipart([
        {
          name: 'file',
          filename: 'a.xlsx',
          type: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
          body: 'PK\u0003\u0004broken',
        },
      ]),
    },
    {
      name: 'two files',
      headers: MULTIPART,
      payload: multipart([
        { name: 'file', filename: 'a.txt', body: 'a' },
        { name: 'file', filename: 'b.txt', body: 'b' },
      ]),
    },
    {
      name: 'file over the upload limit',
      refused: true,
      headers: MULTIPART,
      payload: multipart([
        {
          name: 'file',
          filename: 'big.txt',
          type: 'text/plain',
          body: Buffer.alloc(maxUploadBytes + 1024, 0x61),
        },
      ]),
    },
    {
      name: 'gzip multipart',
      refused: true,
      headers: { ...MULTIPART, 'content-encoding': 'gzip' },
      payload: zlib.gzipSync(multipart([{ name: 'file', filename: 'a.txt', body: 'a' }])),
    },
  ];
}
