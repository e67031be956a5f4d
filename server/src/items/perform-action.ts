import crypto from 'node:crypto';
import { ACTION_BODIES, CreateItemBody } from '@duban/schema';
import type { z } from 'zod';
import { admitLeads } from '../admission/admit.ts';
import type { Tx } from '../db/client.ts';
import type { ItemRow } from '../db/schema.ts';
import { appendEvents } from '../events/append.ts';
import type { AttachmentRef, ItemEvent } from '../events/types.ts';
import { hasUploaded } from '../files/store.ts';
import { fieldIssuesFromZod } from '../http/problem.ts';
import { checkDuplicateRegistration } from '../intake/similarity/registration.ts';
import { notify } from '../notify/notify.ts';
import { activeUserIds } from '../org/users.ts';
import { syncReportSlots } from '../reporting/slots.ts';
import type { Actor } from '../shared/actor.ts';
import { DomainError, validationError } from '../shared/errors.ts';
import { createItem } from './create-item.ts';
import { EMERGENCY_HOURS, rollUpProgress, transition } from './lifecycle.ts';
import { clockFor, refreshLights } from './lights.ts';
import type { ItemAction, ItemCommand, ItemStatus } from './model.ts';
import { canReadAttachment, canSeeItem, participantFor } from './policy.ts';
import { loadItemForUpdate, saveItemState } from './repository.ts';
import { holdForHeadApproval, type SubmissionView } from './submissions.ts';

export type ActionBody<A extends ItemAction> = z.infer<(typeof ACTION_BODIES)[A]>;

export type PerformActionInput = {
  itemId: string;
  action: ItemAction;
  body: unknown;
  expectedVersion?: number | undefined;
  now: Date;
  /** 重复督办: registering a draft is refused when it duplicates open items (the HTTP route sets this). */
  checkDuplicates?: boolean;
  /** 单位负责人审批: the head who approved this held submission (performs it instead of holding it again). */
  approvedBy?: string;
};

/** `held`: the action awaits the unit head's approval (submissions.ts); nothing else was written. */
export type PerformActionResult = { held?: SubmissionView };

export function itemNotFound() {
  return new DomainError('ITEM_NOT_FOUND', { zh: '督办事项不存在', en: 'Supervision item not found' });
}

/**
 * Runs one lifecycle action in the caller's transaction: load and lock, authorize (404 when out of
 * scope), transition (pure), then write the state, the side records and the events together.
 */
export async function performAction(
  tx: Tx,
  actor: Actor,
  input: PerformActionInput,
): Promise<PerformActionResult> {
  const loaded = await loadItemForUpdate(tx, input.itemId);
  if (!loaded || !(await canSeeItem(tx, actor, input.itemId))) throw itemNotFound();
  const { row, state } = loaded;
  if (input.expectedVersion !== undefined && input.expectedVersion !== row.version) {
    throw new DomainError(
      'PRECONDITION_FAILED',
      {
        zh: `事项版本已变化（当前为 ${row.version}），请刷新后重试`,
        en: `Item version is ${row.version}, not ${input.expectedVersion}`,
      },
      { field: 'header.if-match' },
    );
  }
  const participant = await participantFor(tx, actor, row.assigning_unit_id);
  // Parsed here too, so callers other than the HTTP route (demo, exchange) get the same defaults and checks.
  const parsed = ACTION_BODIES[input.action].safeParse(input.body);
  if (!parsed.success) throw validationError(fieldIssuesFromZod(parsed.error.issues, 'body'));
  const command = await buildCommand(tx, actor, input.action, parsed.data, row);
  const clock = await clockFor(tx, { regionCode: row.region_code, categoryCode: row.category_code });
  const result = transition(state, command, participant, input.now, clock.cal);
  if (!result.ok) {
    const r = result.refusal;
    throw new DomainError(
      r.code,
      { zh: r.zh, en: r.en },
      {
        ...(r.field ? { field: r.field.startsWith('header') ? r.field : `body.${r.field}` } : {}),
        details: { reason: r.reason, action: input.action, itemStatus: state.status },
      },
    );
  }
  if (command.action === 'dispatch')
    await checkUnitsExist(
      tx,
      command.assignments.map((a) => a.unitId),
    );
  // 督办事项准入: a lead unit over its quota for the period is refused unless a leader approved it.
  if (command.action === 'dispatch') await admitLeads(tx, row.id, command.assignments, input.now);
  if (input.approvedBy === undefined) {
    const held = await holdForHeadApproval(tx, actor, { ...input, body: parsed.data }, row);
    if (held) return { held };
  }
  const duplicateOverride =
    input.action === 'register' && input.checkDuplicates
      ? await checkDuplicateRegistration(
          tx,
          actor,
          {
            title: row.title,
            content: row.content,
            regionCode: row.region_code,
            excludeId: row.id,
            now: input.now,
          },
          (parsed.data as ActionBody<'register'>).duplicateOverride,
        )
      : undefined;
  const events: ItemEvent[] = duplicateOverride
    ? result.events.map((e) => (e.type === 'item.registered' ? { ...e, duplicateOverride } : e))
    : result.events;
  await saveItemState(tx, state, result.state, row.version, input.now, clock);
  await appendEvents(tx, events, { actorId: actor.userId, at: input.now });
  await writeSideRecords(tx, actor, command, { ...input, body: parsed.data }, row);
  // 定期报送: slots follow the status; a lead-unit report fills one (after the report row exists).
  await syncReportSlots(tx, row, result.state, command, actor.unitId, input.now);
  if (row.parent_id && (result.state.progress !== state.progress || result.state.status !== state.status)) {
    await rollUpAncestors(tx, row.parent_id, input.itemId, actor.userId, input.now);
  }
  return {};
}

async function buildCommand(
  tx: Tx,
  actor: Actor,
  action: ItemAction,
  raw: unknown,
  item: { id: string; region_code: string },
): Promise<ItemCommand> {
  const itemId = item.id;
  const regionCode = item.region_code;
  switch (action) {
    case 'report': {
      const body = raw as ActionBody<'report'>;
      return {
        action,
        reportId: crypto.randomUUID(),
        ...body,
        attachments: await attachmentRefs(tx, actor, body.attachments),
      };
    }
    case 'reopen':
      return {
        action,
        reason: (raw as ActionBody<'reopen'>).reason,
        rectificationItemId: crypto.randomUUID(),
      };
    case 'decompose': {
      const body = raw as ActionBody<'decompose'>;
      await checkLowerUnits(
        tx,
        regionCode,
        body.children.map((c) => c.assigningUnitId),
      );
      const existing = await tx
        .selectFrom('items')
        .select(['progress', 'weight', 'status'])
        .where('parent_id', '=', itemId)
        .execute();
      return {
        action,
        children: body.children.map((c) => ({
          itemId: crypto.randomUUID(),
          deadline: c.deadline,
          weight: c.weight,
        })),
        existingChildren: existing.map((c) => ({
          progress: c.progress,
          weight: Number(c.weight),
          status: c.status as ItemStatus,
        })),
      };
    }
    case 'instruct':
    case 'comment':
      return { action, remarkId: crypto.randomUUID(), body: (raw as ActionBody<'comment'>).body };
    default:
      // Every other action's body is exactly its command's payload.
      return { action, ...(raw as object) } as ItemCommand;
  }
}

async function attachmentRefs(
  tx: Tx,
  actor: Actor,
  list: ActionBody<'report'>['attachments'],
): Promise<AttachmentRef[]> {
  const refs: AttachmentRef[] = [];
  for (const [i, a] of list.entries()) {
    const f = await tx.selectFrom('files').selectAll().where('sha256', '=', a.sha256).executeTakeFirst();
    // Only a file one may already read can be attached: else attaching would grant reading it.
    const readable =
      f &&
      ((await hasUploaded(tx, a.sha256, actor.userId)) || (await canReadAttachment(tx, actor, a.sha256)));
    if (!f || !readable)
      throw validationError([
        {
          field: `body.attachments.${i}.sha256`,
          message: 'no uploaded file has this hash',
          messageZh: '附件不存在，请先上传',
        },
      ]);
    refs.push({ sha256: f.sha256, name: a.name, sizeBytes: Number(f.size_bytes), mediaType: f.media_type });
  }
  return refs;
}

/** 交办 names units by id: one that does not exist is the caller's mistake (400), not a failed foreign key. */
async function checkUnitsExist(tx: Tx, unitIds: string[]) {
  for (const [i, unitId] of unitIds.entries()) {
    const unit = await tx.selectFrom('units').select('id').where('id', '=', unitId).executeTakeFirst();
    if (!unit)
      throw validationError([
        { field: `body.assignments.${i}.unitId`, message: 'unknown unit', messageZh: '承办单位不存在' },
      ]);
  }
}

/** Child items go to units strictly below the parent's region (国家—省—市—县—乡). */
async function checkLowerUnits(tx: Tx, regionCode: string, unitIds: string[]) {
  const parent = await tx
    .selectFrom('regions')
    .select('path')
    .where('code', '=', regionCode)
    .executeTakeFirstOrThrow();
  for (const [i, unitId] of unitIds.entries()) {
    const u = await tx
      .selectFrom('units as u')
      .innerJoin('regions as r', 'r.code', 'u.region_code')
      .select('r.path')
      .where('u.id', '=', unitId)
      .executeTakeFirst();
    if (!u?.path.startsWith(`${parent.path}.`))
      throw validationError([
        {
          field: `body.children.${i}.assigningUnitId`,
          message: 'must be a unit of a subordinate region',
          messageZh: '须为下级行政区划的单位',
        },
      ]);
  }
}

/** What a child or rectification item takes over from the item it comes from, checked as it is read. */
function inheritedFields(row: ItemRow) {
  return {
    categoryCode: row.category_code,
    urgency: Inherited.shape.urgency.parse(row.urgency),
    sensitivity: Inherited.shape.sensitivity.parse(row.sensitivity),
    targets: Inherited.shape.targets.parse(row.targets),
    isPublic: row.is_public,
  };
}
const Inherited = CreateItemBody.pick({ urgency: true, sensitivity: true, targets: true });

async function writeSideRecords(
  tx: Tx,
  actor: Actor,
  cmd: ItemCommand,
  input: PerformActionInput,
  row: ItemRow,
) {
  switch (cmd.action) {
    case 'report': {
      await tx
        .insertInto('progress_reports')
        .values({
          id: cmd.reportId,
          item_id: row.id,
          assignment_id: (
            await tx
              .selectFrom('assignments')
              .select('id')
              .where('item_id', '=', row.id)
              .where('unit_id', '=', actor.unitId)
              .executeTakeFirstOrThrow()
          ).id,
          unit_id: actor.unitId,
          author_id: actor.userId,
          percent: cmd.percent,
          narrative: cmd.narrative,
          problems: cmd.problems,
          next_steps: cmd.nextSteps,
          indicator_values: JSON.stringify(cmd.indicatorValues),
          attachments: JSON.stringify(cmd.attachments),
          created_at: input.now,
        })
        .execute();
      return;
    }
    case 'instruct':
    case 'comment':
      await tx
        .insertInto('remarks')
        .values({
          id: cmd.remarkId,
          item_id: row.id,
          author_id: actor.userId,
          kind: cmd.action === 'instruct' ? 'instruction' : 'comment',
          body: cmd.body,
          created_at: input.now,
        })
        .execute();
      return;
    case 'reopen': {
      // 整改: a new linked item of the same assigning unit, registered and ready to dispatch.
      const body = input.body as ActionBody<'reopen'>;
      await createItem(
        tx,
        {
          title: body.title ?? `【整改】${row.title}`,
          content: `${row.content}\n\n整改原因：${cmd.reason}`,
          source: 'inspection_finding',
          ...inheritedFields(row),
          deadline: body.deadline,
          responsiblePersons: CreateItemBody.shape.responsiblePersons.parse(row.responsible_persons),
          ...(row.supervising_unit_id ? { supervisingUnitId: row.supervising_unit_id } : {}),
          milestones: [],
          draft: false,
        },
        {
          id: cmd.rectificationItemId,
          assigningUnitId: row.assigning_unit_id,
          actorId: actor.userId,
          now: input.now,
          rectifiesItemId: row.id,
          isDemo: row.is_demo,
        },
      );
      return;
    }
    case 'decompose': {
      const body = input.body as ActionBody<'decompose'>;
      for (const [i, child] of body.children.entries()) {
        await createItem(
          tx,
          {
            title: child.title ?? row.title,
            content: child.content ?? row.content,
            source: 'superior_assignment',
            ...inheritedFields(row),
            ...(child.targets ? { targets: child.targets } : {}),
            deadline: child.deadline,
            responsiblePersons: [],
            milestones: [],
            draft: false,
          },
          {
            id: cmd.children[i]?.itemId ?? crypto.randomUUID(),
            assigningUnitId: child.assigningUnitId,
            actorId: actor.userId,
            now: input.now,
            parentId: row.id,
            isDemo: row.is_demo,
            weight: child.weight,
          },
        );
      }
      return;
    }
    case 'dispatch':
      if (row.urgency === 'critical') await alertEmergency(tx, row, cmd.assignments, input.now);
      return;
    default:
      return;
  }
}

/**
 * 特急 green channel: everyone who must act hears at once, on every channel they have (urgent
 * notifications skip quiet hours and digests): the handling units and the supervising office.
 */
async function alertEmergency(tx: Tx, row: ItemRow, assignments: readonly { unitId: string }[], now: Date) {
  const recipients = [
    ...(
      await Promise.all(assignments.map((a) => activeUserIds(tx, a.unitId, ['handler', 'unit_head'])))
    ).flat(),
    ...(await activeUserIds(tx, row.assigning_unit_id, ['supervisor'])),
  ];
  await notify(
    tx,
    {
      recipients,
      kind: 'item.emergency',
      title: `【特急】${row.number} ${row.title}`,
      body: `特急事项已交办并自动签收，须在 ${EMERGENCY_HOURS} 小时内办结并报送进展。`,
      link: `/items/${row.id}`,
      itemId: row.id,
      urgent: true,
      data: { itemId: row.id, number: row.number, hours: EMERGENCY_HOURS },
    },
    now,
  );
}

/** Re-computes each ancestor's progress from its children, recording every change as an event. */
async function rollUpAncestors(tx: Tx, parentId: string, fromChildId: string, actorId: string, now: Date) {
  let current: string | null = parentId;
  let from = fromChildId;
  while (current) {
    const parent = await tx
      .selectFrom('items')
      .select(['id', 'progress', 'parent_id', 'status', 'version'])
      .where('id', '=', current)
      .forUpdate()
      .executeTakeFirstOrThrow();
    const children = await tx
      .selectFrom('items')
      .select(['progress', 'weight', 'status'])
      .where('parent_id', '=', current)
      .execute();
    const progress = rollUpProgress(
      children.map((c) => ({
        progress: c.progress,
        weight: Number(c.weight),
        status: c.status as ItemStatus,
      })),
    );
    if (progress === parent.progress) return;
    await tx
      .updateTable('items')
      .set({ progress, updated_at: now, version: parent.version + 1 })
      .where('id', '=', parent.id)
      .execute();
    await refreshLights(tx, parent.id);
    const event: ItemEvent = {
      type: 'item.progress_rolled_up',
      itemId: parent.id,
      progress,
      fromChildId: from,
    };
    await appendEvents(tx, [event], { actorId, at: now });
    from = parent.id;
    current = parent.parent_id;
  }
}
