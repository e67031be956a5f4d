import { ContactPhone, TRACKING_NO } from '@duban/schema';
import fastifyFormbody from '@fastify/formbody';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { type SqlBool, sql } from 'kysely';
import { z } from 'zod';
import { resolveApiToken } from '../../auth/tokens.ts';
import type { AppContext } from '../../context.ts';
import type { App } from '../../http/types.ts';
import { idb, insertIntake } from '../../intake/store.ts';
import { hasScope } from '../../shared/actor.ts';
import { DomainError } from '../../shared/errors.ts';
import { maskPersonalText } from '../../shared/pii.ts';
import { type Format, Open311Error, send, sendError, splitFormat, xmlDocument } from './format.ts';

/**
 * Open311 GeoReport v2 (http://wiki.open311.org/GeoReport_v2/) under /open311/v2/: our categories
 * are the services; a posted service request is a task-pool record of channel `open311`, its
 * service_request_id the record's tracking number. Reading needs no key and shows only records
 * that came in over Open311, never contact data. Errors are the spec's [{code, description}].
 */
const PREFIX = '/open311/v2';
const DEFAULT_DAYS = 90;
const MAX_RESULTS = 1000;
/** Item states in which a linked request is closed (done, or ended for good). */
const CLOSED_ITEM = ['completed', 'evaluated', 'archived', 'cancelled'];
const tags = ['open311'];

type Params = Record<string, unknown>;

function str(params: Params, key: string): string | undefined {
  const v = params[key];
  const s = Array.isArray(v) ? v[0] : v;
  if (typeof s !== 'string' && typeof s !== 'number') return undefined;
  const t = String(s).trim();
  return t === '' ? undefined : t;
}

function bad(description: string): Open311Error {
  return new Open311Error(400, description);
}

function formatOf(request: FastifyRequest): Format {
  return (request.url.split('?')[0] ?? '').endsWith('.xml') ? 'xml' : 'json';
}

export function registerOpen311Routes(app: App, ctx: AppContext) {
  app.register(async (plugin) => {
    // Form bodies (the spec's POST) are accepted by these routes only.
    await plugin.register(fastifyFormbody);
    plugin.setErrorHandler((err, request, reply) => {
      const format = formatOf(request);
      if (err instanceof Open311Error) return sendError(reply, format, err.status, err.message);
      if (err instanceof DomainError && err.status < 500)
        return sendError(reply, format, err.status, `${err.messageZh} (${err.message})`);
      const status = (err as { statusCode?: unknown }).statusCode;
      if (typeof status === 'number' && status >= 400 && status < 500)
        return sendError(reply, format, status, '请求不合法 (bad request)');
      request.log.error({ err }, 'open311 error');
      return sendError(reply, format, 500, '服务器内部错误 (internal server error)');
    });

    const services = async () =>
      (
        await ctx.db
          .selectFrom('categories')
          .select(['code', 'name', 'description'])
          .orderBy('sort_order')
          .orderBy('code')
          .execute()
      ).map((c) => ({
        service_code: c.code,
        service_name: c.name,
        description: c.description,
        metadata: false,
        type: 'realtime',
        keywords: '',
        group: '',
      }));

    for (const format of ['json', 'xml'] as const) {
      plugin.get(
        `${PREFIX}/services.${format}`,
        { schema: { tags, summary: `Open311 服务列表 / service list (${format})` } },
        async (_request, reply) => send(reply, format, 200, 'services', 'service', await services()),
      );

      plugin.get(
        `${PREFIX}/requests.${format}`,
        { schema: { tags, summary: `Open311 诉求列表 / service requests (${format})` } },
        async (request, reply) =>
          send(
            reply,
            format,
            200,
            'service_requests',
            'request',
            await listRequests(request.query as Params),
          ),
      );

      plugin.post(
        `${PREFIX}/requests.${format}`,
        {
          schema: {
            tags,
            summary: `Open311 提交诉求 / post a service request (${format}; form-encoded, api_key = API token with items:write)`,
          },
        },
        async (request, reply) => {
          const params = { ...(request.query as Params), ...((request.body as Params | undefined) ?? {}) };
          const created = await postRequest(params);
          return send(reply, format, 201, 'service_requests', 'request', [created]);
        },
      );
    }

    plugin.get(
      `${PREFIX}/services/:file`,
      { schema: { tags, summary: 'Open311 服务定义 / service definition ({service_code}.json|xml)' } },
      async (request: FastifyRequest<{ Params: { file: string } }>, reply: FastifyReply) => {
        const parts = splitFormat(request.params.file);
        if (!parts) throw new Open311Error(404, 'format must be .json or .xml');
        const [code, format] = parts;
        const found = (await services()).find((s) => s.service_code === code);
        if (!found) return sendError(reply, format, 404, `service_code ${code} not found`);
        // No extra attributes: every service is described by its description alone.
        if (format === 'xml')
          return reply
            .type('text/xml; charset=utf-8')
            .send(xmlDocument({ service_definition: { service_code: code, attributes: '' } }));
        return { service_code: code, attributes: [] };
      },
    );

    plugin.get(
      `${PREFIX}/requests/:file`,
      { schema: { tags, summary: 'Open311 单个诉求 / one service request ({service_request_id}.json|xml)' } },
      async (request: FastifyRequest<{ Params: { file: string } }>, reply: FastifyReply) => {
        const parts = splitFormat(request.params.file);
        if (!parts) throw new Open311Error(404, 'format must be .json or .xml');
        const [id, format] = parts;
        const rows = TRACKING_NO.test(id) ? await listRequests({ service_request_id: id }) : [];
        if (rows.length === 0) return sendError(reply, format, 404, `service_request_id ${id} not found`);
        return send(reply, format, 200, 'service_requests', 'request', rows);
      },
    );
  });

  async function postRequest(params: Params) {
    const key = str(params, 'api_key');
    const now = ctx.now();
    const actor = key === undefined ? 'invalid' : await resolveApiToken(ctx.db, key, now);
    if (typeof actor === 'string' || !hasScope(actor, 'items:write') || actor.via !== 'token')
      throw new Open311Error(403, 'api_key is missing or invalid, or lacks the items:write scope');
    const serviceCode = str(params, 'service_code');
    if (serviceCode === undefined) throw bad('service_code is required');
    const service = await ctx.db
      .selectFrom('categories')
      .select(['code', 'name'])
      .where('code', '=', serviceCode)
      .executeTakeFirst();
    if (!service) throw bad(`service_code ${serviceCode} not found`);
    const lat = coordinate(params, 'lat', 90);
    const long = coordinate(params, 'long', 180);
    if ((lat === undefined) !== (long === undefined)) throw bad('lat and long must be given together');
    const address = str(params, 'address_string') ?? str(params, 'address_id');
    if (lat === undefined && address === undefined)
      throw bad('a location is required: lat and long, address_string or address_id');
    if (address !== undefined && address.length > 500)
      throw bad('address_string is longer than 500 characters');
    const description = str(params, 'description');
    if (description !== undefined && description.length > 4000)
      throw bad('description is longer than 4000 characters');
    const email = str(params, 'email');
    if (email !== undefined && !z.email().max(200).safeParse(email).success) throw bad('email is not valid');
    const phone = str(params, 'phone');
    if (phone !== undefined && !ContactPhone.safeParse(phone).success) throw bad('phone is not valid');
    const name = `${str(params, 'last_name') ?? ''}${str(params, 'first_name') ?? ''}`.slice(0, 50);
    const title = description
      ? [...description.replace(/\s+/g, ' ')].slice(0, 60).join('')
      : `${service.name}${address ? `：${address}` : ''}`.slice(0, 200);
    const row = await ctx.db.transaction().execute((tx) =>
      insertIntake(
        tx,
        {
          channel: 'open311',
          kind: 'complaint',
          title,
          content: description ?? title,
          regionCode: actor.regionCode,
          categoryCode: service.code,
          serviceCode: service.code,
          lat,
          long,
          address,
          contactName: name === '' ? undefined : name,
          contactPhone: phone,
          contactEmail: email,
        },
        { actorId: actor.userId, now },
      ),
    );
    return {
      service_request_id: row.tracking_no,
      service_notice: `已受理，查询编号 ${row.tracking_no} (received; tracking number ${row.tracking_no})`,
      account_id: null,
    };
  }

  async function listRequests(params: Params) {
    const status = sql<'open' | 'closed'>`case
      when ir.status in ('rejected', 'forwarded') then 'closed'
      when ir.status in ('accepted', 'merged') and i.status in (${sql.join(CLOSED_ITEM)}) then 'closed'
      else 'open' end`;
    let q = idb(ctx.db)
      .selectFrom('intake_records as ir')
      .leftJoin('items as i', 'i.id', 'ir.item_id')
      .leftJoin('units as fu', 'fu.id', 'ir.forwarded_unit_id')
      .leftJoin('categories as c', 'c.code', 'ir.service_code')
      .select([
        'ir.tracking_no',
        'ir.status as intake_status',
        'ir.service_code',
        'c.name as service_name',
        'ir.content',
        'ir.address',
        'ir.lat',
        'ir.long',
        'ir.received_at',
        'ir.decided_at',
        'ir.decision_reason',
        'i.updated_at as item_updated_at',
        'i.deadline as item_deadline',
        'i.number as item_number',
        'fu.name as forwarded_unit_name',
      ])
      .select(status.as('status'))
      .where('ir.channel', '=', 'open311');
    const ids = str(params, 'service_request_id');
    if (ids !== undefined) {
      // The spec: a list of ids overrides every other filter.
      const list = ids
        .split(',')
        .map((s) => s.trim())
        .filter((s) => s !== '');
      if (list.length > MAX_RESULTS) throw bad(`at most ${MAX_RESULTS} service_request_id values`);
      q = q.where('ir.tracking_no', 'in', list.length > 0 ? list : ['']);
    } else {
      const code = str(params, 'service_code');
      if (code !== undefined)
        q = q.where(
          'ir.service_code',
          'in',
          code.split(',').map((s) => s.trim()),
        );
      const end = date(params, 'end_date');
      const start =
        date(params, 'start_date') ?? new Date((end ?? ctx.now()).getTime() - DEFAULT_DAYS * 86_400_000);
      q = q.where('ir.received_at', '>=', start);
      if (end !== undefined) q = q.where('ir.received_at', '<=', end);
      const wanted = str(params, 'status');
      if (wanted !== undefined) {
        const list = wanted.split(',').map((s) => s.trim());
        if (!list.every((s) => s === 'open' || s === 'closed')) throw bad('status must be open or closed');
        q = q.where(sql<SqlBool>`(${status}) in (${sql.join(list)})`);
      }
    }
    const rows = await q.orderBy('ir.received_at', 'desc').orderBy('ir.id').limit(MAX_RESULTS).execute();
    return rows.map((r) => {
      const updated = new Date(
        Math.max(
          ...[r.received_at, r.decided_at, r.item_updated_at].flatMap((d) =>
            d instanceof Date ? [d.getTime()] : [],
          ),
        ),
      );
      return {
        service_request_id: r.tracking_no,
        status: r.status,
        status_notes: statusNote(r),
        service_name: r.service_name,
        service_code: r.service_code,
        // Read without a key: personal data inside the citizen's text and address is masked.
        description: maskPersonalText(r.content),
        agency_responsible: r.forwarded_unit_name,
        service_notice: null,
        requested_datetime: r.received_at.toISOString(),
        updated_datetime: updated.toISOString(),
        expected_datetime: r.item_deadline ? `${r.item_deadline}T23:59:59+08:00` : null,
        address: maskPersonalText(r.address),
        address_id: null,
        zipcode: null,
        lat: r.lat,
        long: r.long,
        media_url: null,
      };
    });
  }
}

function statusNote(r: {
  intake_status: string;
  status: 'open' | 'closed';
  decision_reason: string | null;
  forwarded_unit_name: string | null;
  item_number: string | null;
}): string {
  switch (r.intake_status) {
    case 'accepted':
      return r.status === 'closed' ? `已办结（${r.item_number}）` : `已立项督办（${r.item_number}）`;
    case 'merged':
      return r.status === 'closed' ? `已办结（${r.item_number}）` : `已并案办理（${r.item_number}）`;
    case 'forwarded':
      return `已转交${r.forwarded_unit_name ?? '有关单位'}办理`;
    case 'rejected':
      return `不予立项：${maskPersonalText(r.decision_reason ?? '')}`;
    default:
      return '已受理，等待处理';
  }
}

function coordinate(params: Params, key: string, max: number): number | undefined {
  const raw = str(params, key);
  if (raw === undefined) return undefined;
  const n = Number(raw);
  if (!Number.isFinite(n) || Math.abs(n) > max)
    throw bad(`${key} must be a number between -${max} and ${max}`);
  return n;
}

function date(params: Params, key: string): Date | undefined {
  const raw = str(params, key);
  if (raw === undefined) return undefined;
  if (!/^\d{4}-\d{2}-\d{2}(T[\d:.]+(Z|[+-]\d{2}:?\d{2})?)?$/.test(raw))
    throw bad(`${key} must be an ISO 8601 date`);
  const d = new Date(raw);
  if (Number.isNaN(d.getTime())) throw bad(`${key} must be an ISO 8601 date`);
  return d;
}
