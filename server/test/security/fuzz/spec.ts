/**
 * The operations of the OpenAPI document the app serves (GET /api/v1/openapi.json), reduced to what
 * the fuzzer needs: method, path template, parameters and the JSON body schema.
 */

/** The subset of JSON Schema that jsonSchemaTransform (fastify-type-provider-zod) emits. */
export type JsonSchema = {
  type?: string | string[];
  enum?: unknown[];
  const?: unknown;
  format?: string;
  pattern?: string;
  description?: string;
  minLength?: number;
  maxLength?: number;
  minimum?: number;
  maximum?: number;
  exclusiveMinimum?: number;
  exclusiveMaximum?: number;
  minItems?: number;
  maxItems?: number;
  items?: JsonSchema;
  properties?: Record<string, JsonSchema>;
  required?: string[];
  additionalProperties?: boolean | JsonSchema;
  anyOf?: JsonSchema[];
  oneOf?: JsonSchema[];
  allOf?: JsonSchema[];
  default?: unknown;
};

export type Parameter = {
  name: string;
  in: 'path' | 'query' | 'header' | 'cookie';
  required: boolean;
  schema: JsonSchema;
};

export type Operation = {
  method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  /** The OpenAPI path template, e.g. /api/v1/items/{id}. */
  path: string;
  params: Parameter[];
  /** The application/json body schema, when the operation declares one. */
  body: JsonSchema | undefined;
  /** No security requirement: anyone may call it. */
  isPublic: boolean;
  /** What its own schema says it consumes (a multipart upload declares no body schema). */
  consumes: string[];
};

type RawOperation = {
  parameters?: { name: string; in: Parameter['in']; required?: boolean; schema?: JsonSchema }[];
  requestBody?: { content?: Record<string, { schema?: JsonSchema }> };
  security?: Record<string, string[]>[];
};

export type OpenApiDocument = { paths: Record<string, Record<string, RawOperation>> };

const METHODS = new Set(['GET', 'POST', 'PUT', 'PATCH', 'DELETE']);

function isMethod(m: string): m is Operation['method'] {
  return METHODS.has(m);
}

export function operationsOf(doc: OpenApiDocument): Operation[] {
  const ops: Operation[] = [];
  for (const [path, byMethod] of Object.entries(doc.paths)) {
    for (const [m, raw] of Object.entries(byMethod)) {
      const method = m.toUpperCase();
      if (!isMethod(method)) continue;
      const content = raw.requestBody?.content ?? {};
      ops.push({
        method,
        path,
        params: (raw.parameters ?? []).map((p) => ({
          name: p.name,
          in: p.in,
          required: p.required === true || p.in === 'path',
          schema: p.schema ?? { type: 'string' },
        })),
        body: content['application/json']?.schema,
        isPublic: (raw.security ?? []).length === 0,
        consumes: Object.keys(content),
      });
    }
  }
  return ops;
}

/** The parameters in `where` (path, query). */
export function paramsIn(op: Operation, where: Parameter['in']): Parameter[] {
  return op.params.filter((p) => p.in === where);
}

export function isWrite(op: Operation): boolean {
  return op.method !== 'GET';
}
