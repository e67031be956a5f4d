import { createRequire } from 'node:module';
import type { XMLBuilder } from 'fast-xml-parser';
import type { FastifyReply } from 'fastify';

/** Open311 answers: JSON arrays, or XML documents of the same shape (GeoReport v2). */
export type Format = 'json' | 'xml';

let builder: XMLBuilder | undefined;

/** The XML writer, loaded with the first XML answer (most processes never send one). */
function xmlBuilder(): XMLBuilder {
  if (builder === undefined) {
    const fxp = createRequire(import.meta.url)('fast-xml-parser') as typeof import('fast-xml-parser');
    builder = new fxp.XMLBuilder({ format: true, ignoreAttributes: false, suppressEmptyNode: false });
  }
  return builder;
}

type Scalar = string | number | boolean | null;
type Row = Record<string, Scalar>;

/** `<root><element>…</element>…</root>` with nulls as empty elements. */
export function toXml(root: string, element: string, rows: Row[]): string {
  const clean = rows.map((row) =>
    Object.fromEntries(Object.entries(row).map(([k, v]) => [k, v === null ? '' : String(v)])),
  );
  return xmlDocument({ [root]: { [element]: clean } });
}

/** An XML document of a tree of plain objects (text values are escaped by the builder). */
export function xmlDocument(tree: Record<string, unknown>): string {
  return `<?xml version="1.0" encoding="utf-8"?>\n${xmlBuilder().build(tree)}`;
}

export function send(
  reply: FastifyReply,
  format: Format,
  status: number,
  root: string,
  element: string,
  rows: Row[],
) {
  reply.code(status);
  if (format === 'xml') return reply.type('text/xml; charset=utf-8').send(toXml(root, element, rows));
  return reply.type('application/json; charset=utf-8').send(JSON.stringify(rows));
}

/** An Open311 error: the HTTP status and the spec's `[{code, description}]` (XML `<errors>`). */
export class Open311Error extends Error {
  readonly status: number;
  constructor(status: number, description: string) {
    super(description);
    this.status = status;
  }
}

export function sendError(reply: FastifyReply, format: Format, status: number, description: string) {
  return send(reply, format, status, 'errors', 'error', [{ code: status, description }]);
}

/** 'requests.xml' → ['requests', 'xml']; undefined for any other ending. */
export function splitFormat(file: string): [string, Format] | undefined {
  const m = /^(.+)\.(json|xml)$/.exec(file);
  if (!m?.[1] || !m[2]) return undefined;
  return [m[1], m[2] as Format];
}
