import { z } from 'zod';
import { requireActor, requireScope } from '../auth/guard.ts';
import type { AppContext } from '../context.ts';
import { runCommand } from '../http/command.ts';
import type { App } from '../http/types.ts';
import { approveSubmission, listSubmissions, rejectSubmission, SUBMISSION_STATUSES } from './submissions.ts';

const tags = ['items'];

const ListQuery = z.strictObject({
  status: z.enum(SUBMISSION_STATUSES).optional().describe('default: every status'),
  itemId: z.uuid().optional(),
});
const SubmissionParams = z.strictObject({ id: z.uuid() });
const ApproveBody = z.strictObject({});
const RejectBody = z.strictObject({ reason: z.string().trim().min(1).max(2000).describe('退回理由') });

/**
 * 单位负责人审批: the submissions a handler's report, extension or completion request became in a
 * unit that requires its head's approval (see submissions.ts). Out of sight: 404.
 */
export function registerSubmissionRoutes(app: App, ctx: AppContext) {
  app.get(
    '/api/v1/submissions',
    {
      schema: {
        tags,
        summary: '待审批提交 / submissions awaiting (or decided by) the unit head',
        querystring: ListQuery,
      },
    },
    async (request) => {
      const actor = requireActor(request);
      requireScope(actor, 'items:read');
      return { submissions: await listSubmissions(ctx.db, actor, request.query) };
    },
  );

  app.post(
    '/api/v1/submissions/:id/approve',
    {
      schema: {
        tags,
        summary: '单位负责人批准 / approve: performs the held action as the submitter',
        params: SubmissionParams,
        body: ApproveBody.optional(),
      },
    },
    async (request, reply) => {
      const actor = requireActor(request);
      requireScope(actor, 'items:write');
      return runCommand(ctx, request, reply, actor, async (tx) => ({
        status: 200,
        body: { submission: await approveSubmission(tx, actor, request.params.id, ctx.now()) },
      }));
    },
  );

  app.post(
    '/api/v1/submissions/:id/reject',
    {
      schema: {
        tags,
        summary: '单位负责人退回 / return the submission to its submitter with a reason',
        params: SubmissionParams,
        body: RejectBody,
      },
    },
    async (request, reply) => {
      const actor = requireActor(request);
      requireScope(actor, 'items:write');
      return runCommand(ctx, request, reply, actor, async (tx) => ({
        status: 200,
        body: {
          submission: await rejectSubmission(tx, actor, request.params.id, request.body.reason, ctx.now()),
        },
      }));
    },
  );
}
