import {
  AcceptIntakeBody,
  CreateIntakeBody,
  type CreateItemInput,
  ForwardIntakeBody,
  type IntakeChannel,
  IntakeIdParams,
  ItemIdParams,
  ListIntakeQuery,
  MergeIntakeBody,
  RejectIntakeBody,
  type Source,
} from '@duban/schema';
import type { z } from 'zod';
import { requireActor, requireScope } from '../auth/guard.ts';
import type { AppContext } from '../context.ts';
import type { Tx } from '../db/client.ts';
import { runCommand } from '../http/command.ts';
import type { App } from '../http/types.ts';
import { createItem } from '../items/create-item.ts';
import { canSeeItem } from '../items/policy.ts';
import { isUnitInScope } from '../org/scope.ts';
import type { Actor } from '../shared/actor.ts';
import { notFound, validationError } from '../shared/errors.ts';
import { intakeAssistance } from './assist.ts';
import { registerIntakeImportRoutes } from './import.ts';
import { registerPublicComplaintRoutes } from './public.ts';
import {
  assertMayUseIntake,
  checkIntakeReferences,
  getIntake,
  type IntakeRow,
  insertIntake,
  listIntake,
  listIntakeOfItem,
  lockUndecided,
  recordDecision,
} from './store.ts';

const tags = ['intake'];

/** The source an item accepted from a record gets unless the body names one. */
const SOURCE_OF_CHANNEL: { [C in IntakeChannel]: Source } = {
  portal: 'online_message',
  open311: 'online_message',
  extraction: 'work_report',
  web: 'superior_assignment',
  excel: 'superior_assignment',
  api: 'superior_assignment',
};

const itemNotFound = () => notFound('ITEM_NOT_FOUND', { zh: '督办事项', en: 'item' });

/**
 * One triage step on an undecided record (locked): `decide` checks the body against the record and
 * records the decision; the reply is the record as it now stands plus whatever `decide` returns.
 */
type Triage<B extends z.ZodType> = {
  summary: string;
  body: B;
  decide(tx: Tx, actor: Actor, row: IntakeRow, body: z.infer<B>, now: Date): Promise<object | undefined>;
};
const triage = <B extends z.ZodType>(step: Triage<B>) => step;

/** POST /api/v1/intake/:id/{accept,merge,forward,reject}. */
const TRIAGE = {
  accept: triage({
    summary: '受理立项 / accept: register a new item from the record',
    body: AcceptIntakeBody,
    decide: async (tx, actor, row, body, now) => {
      const categoryCode = body.categoryCode ?? row.category_code;
      if (categoryCode === null)
        throw validationError([
          {
            field: 'body.categoryCode',
            message: 'the record has no category: name one',
            messageZh: '请选择事项分类',
          },
        ]);
      const input: CreateItemInput = {
        ...body,
        title: body.title ?? row.title,
        content: body.content ?? row.content,
        source: body.source ?? SOURCE_OF_CHANNEL[row.channel],
        categoryCode,
        draft: false,
      };
      const created = await createItem(tx, input, {
        assigningUnitId: actor.unitId,
        actorId: actor.userId,
        now,
      });
      await recordDecision(tx, actor, row, { status: 'accepted', itemId: created.id }, now);
      return { item: created };
    },
  }),
  merge: triage({
    summary: '并案 / merge: link the record to an existing item',
    body: MergeIntakeBody,
    decide: async (tx, actor, row, body, now) => {
      if (!(await canSeeItem(tx, actor, body.itemId))) throw itemNotFound();
      await recordDecision(tx, actor, row, { status: 'merged', itemId: body.itemId }, now);
      return undefined;
    },
  }),
  forward: triage({
    summary: '转办 / forward the record to a unit',
    body: ForwardIntakeBody,
    decide: async (tx, actor, row, body, now) => {
      if (!(await isUnitInScope(tx, actor, body.unitId)))
        throw notFound('UNIT_NOT_FOUND', { zh: '单位', en: 'unit' });
      await recordDecision(
        tx,
        actor,
        row,
        { status: 'forwarded', unitId: body.unitId, reason: body.reason },
        now,
      );
      return undefined;
    },
  }),
  reject: triage({
    summary: '不予立项 / reject the record',
    body: RejectIntakeBody,
    decide: async (tx, actor, row, body, now) => {
      await recordDecision(tx, actor, row, { status: 'rejected', reason: body.reason }, now);
      return undefined;
    },
  }),
};

/**
 * 统一受理 (task pool): supervisors list, read and triage the records of their region subtree
 * (others: 403; out of scope: 404). API tokens with items:write may add records. Also registers
 * the Excel import and the citizens' public complaint routes.
 */
export function registerIntakeRoutes(app: App, ctx: AppContext) {
  registerIntakeImportRoutes(app, ctx);
  registerPublicComplaintRoutes(app, ctx);

  app.get(
    '/api/v1/intake',
    {
      schema: {
        tags,
        summary: '受理记录列表 / task pool records (supervisors)',
        querystring: ListIntakeQuery,
      },
    },
    async (request) => {
      const actor = requireActor(request);
      requireScope(actor, 'items:read');
      assertMayUseIntake(actor);
      return listIntake(ctx.db, actor, request.query);
    },
  );

  app.post(
    '/api/v1/intake',
    {
      schema: {
        tags,
        summary: '登记受理记录 / add a record (supervisor, or an API token with items:write)',
        body: CreateIntakeBody,
      },
    },
    async (request, reply) => {
      const actor = requireActor(request);
      requireScope(actor, 'items:write');
      if (actor.via !== 'token') assertMayUseIntake(actor);
      const body = request.body;
      const regionCode = body.regionCode ?? actor.regionCode;
      const issues = await checkIntakeReferences(
        ctx.db,
        { regionCode, categoryCode: body.categoryCode },
        { fieldPrefix: 'body.', actor },
      );
      if (issues.length > 0) throw validationError(issues);
      return runCommand(ctx, request, reply, actor, async (tx) => {
        const row = await insertIntake(
          tx,
          {
            ...body,
            channel: body.channel ?? (actor.via === 'token' ? 'api' : 'web'),
            regionCode,
          },
          { actorId: actor.userId, now: ctx.now() },
        );
        const record = await getIntake(tx, actor, row.id);
        return { status: 201, body: { record }, headers: { location: `/api/v1/intake/${row.id}` } };
      });
    },
  );

  app.get(
    '/api/v1/intake/:id',
    {
      schema: {
        tags,
        summary: '受理记录详情 / one record (contact data masked)',
        params: IntakeIdParams,
      },
    },
    async (request) => {
      const actor = requireActor(request);
      requireScope(actor, 'items:read');
      assertMayUseIntake(actor);
      const record = await getIntake(ctx.db, actor, request.params.id);
      return { record, ...(await intakeAssistance(ctx.db, actor, record, ctx.now())) };
    },
  );

  for (const [action, step] of Object.entries(TRIAGE) as [string, Triage<z.ZodType>][]) {
    app.post(
      `/api/v1/intake/:id/${action}`,
      { schema: { tags, summary: step.summary, params: IntakeIdParams, body: step.body } },
      async (request, reply) => {
        const actor = requireActor(request);
        requireScope(actor, 'items:write');
        assertMayUseIntake(actor);
        return runCommand(ctx, request, reply, actor, async (tx) => {
          const now = ctx.now();
          const row = await lockUndecided(tx, actor, request.params.id);
          const extra = await step.decide(tx, actor, row, request.body, now);
          return { status: 200, body: { record: await getIntake(tx, actor, row.id), ...extra } };
        });
      },
    );
  }

  app.get(
    '/api/v1/items/:id/intake',
    {
      schema: {
        tags,
        summary: '事项的关联来源 / the records linked to an item and their count',
        params: ItemIdParams,
      },
    },
    async (request) => {
      const actor = requireActor(request);
      requireScope(actor, 'items:read');
      const { id } = request.params;
      if (!(await canSeeItem(ctx.db, actor, id))) throw itemNotFound();
      const records = await listIntakeOfItem(ctx.db, id);
      return { records, count: records.length };
    },
  );
}
