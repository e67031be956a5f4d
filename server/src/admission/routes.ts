import {
  AdmissionDecisionBody,
  AdmissionRejectBody,
  AdmissionRequestBody,
  AdmissionRequestParams,
  AdmissionRequestsQuery,
  QuotaBody,
  UnitUsageParams,
  UsageQuery,
} from '@duban/schema';
import { requireActor, requireScope } from '../auth/guard.ts';
import type { AppContext } from '../context.ts';
import { runCommand } from '../http/command.ts';
import type { App } from '../http/types.ts';
import { listQuotas, setQuota } from './quotas.ts';
import { createRequest, decideRequest, getRequest, listRequests } from './requests.ts';
import { currentMonth, listUsage, unitUsage } from './usage.ts';

const tags = ['admission'];

/** 督办事项准入: quotas, their use, and over-quota approvals. Outside the data scope: 404. */
export function registerAdmissionRoutes(app: App, ctx: AppContext) {
  app.get(
    '/api/v1/admission/quotas',
    {
      schema: {
        tags,
        summary: '准入限额 / quotas: kinds’ defaults and units’ own (supervisor, leader, admin)',
      },
    },
    async (request) => {
      const actor = requireActor(request);
      requireScope(actor, 'items:read');
      return listQuotas(ctx.db, actor);
    },
  );

  app.put(
    '/api/v1/admission/quotas',
    {
      schema: {
        tags,
        summary: '设置准入限额 / set a unit’s quota or a kind’s default (limit null: no limit)',
        body: QuotaBody,
      },
    },
    async (request, reply) => {
      const actor = requireActor(request);
      requireScope(actor, 'items:write');
      return runCommand(ctx, request, reply, actor, async (tx) => ({
        status: 200,
        body: await setQuota(tx, actor, request.body, ctx.now()),
      }));
    },
  );

  app.get(
    '/api/v1/admission/usage',
    {
      schema: {
        tags,
        summary: '准入限额使用 / quota use per unit for a month (YYYY-MM; default this month)',
        querystring: UsageQuery,
      },
    },
    async (request) => {
      const actor = requireActor(request);
      requireScope(actor, 'items:read');
      const period = request.query.period ?? currentMonth(ctx.now());
      return { period, units: await listUsage(ctx.db, actor, period, request.query.all === 'true') };
    },
  );

  app.get(
    '/api/v1/admission/usage/units/:unitId',
    {
      schema: {
        tags,
        summary: '单位准入限额使用 / one unit’s quota use',
        params: UnitUsageParams,
        querystring: UsageQuery,
      },
    },
    async (request) => {
      const actor = requireActor(request);
      requireScope(actor, 'items:read');
      const period = request.query.period ?? currentMonth(ctx.now());
      return { usage: await unitUsage(ctx.db, actor, request.params.unitId, period) };
    },
  );

  app.get(
    '/api/v1/admission/requests',
    {
      schema: {
        tags,
        summary: '超额审批申请 / over-quota requests in scope',
        querystring: AdmissionRequestsQuery,
      },
    },
    async (request) => {
      const actor = requireActor(request);
      requireScope(actor, 'items:read');
      return { requests: await listRequests(ctx.db, actor, request.query) };
    },
  );

  app.post(
    '/api/v1/admission/requests',
    {
      schema: {
        tags,
        summary:
          '申请超额交办 / ask a leader to approve dispatching an item over a unit’s quota (supervisor)',
        body: AdmissionRequestBody,
      },
    },
    async (request, reply) => {
      const actor = requireActor(request);
      requireScope(actor, 'items:write');
      return runCommand(ctx, request, reply, actor, async (tx) => ({
        status: 201,
        body: { request: await createRequest(tx, actor, request.body, ctx.now()) },
      }));
    },
  );

  app.get(
    '/api/v1/admission/requests/:id',
    { schema: { tags, summary: '超额审批申请 / one over-quota request', params: AdmissionRequestParams } },
    async (request) => {
      const actor = requireActor(request);
      requireScope(actor, 'items:read');
      return { request: await getRequest(ctx.db, actor, request.params.id) };
    },
  );

  app.post(
    '/api/v1/admission/requests/:id/approve',
    {
      schema: {
        tags,
        summary: '批准超额交办 / approve (leader over the unit)',
        params: AdmissionRequestParams,
        body: AdmissionDecisionBody,
      },
    },
    async (request, reply) => {
      const actor = requireActor(request);
      requireScope(actor, 'items:write');
      return runCommand(ctx, request, reply, actor, async (tx) => ({
        status: 200,
        body: {
          request: await decideRequest(
            tx,
            actor,
            request.params.id,
            { approve: true, reason: request.body.reason },
            ctx.now(),
          ),
        },
      }));
    },
  );

  app.post(
    '/api/v1/admission/requests/:id/reject',
    {
      schema: {
        tags,
        summary: '驳回超额交办 / reject, with the reason (leader over the unit)',
        params: AdmissionRequestParams,
        body: AdmissionRejectBody,
      },
    },
    async (request, reply) => {
      const actor = requireActor(request);
      requireScope(actor, 'items:write');
      return runCommand(ctx, request, reply, actor, async (tx) => ({
        status: 200,
        body: {
          request: await decideRequest(
            tx,
            actor,
            request.params.id,
            { approve: false, reason: request.body.reason },
            ctx.now(),
          ),
        },
      }));
    },
  );
}
