import type { DeadlineRule, UpdateItemInput, Urgency } from '@duban/schema';
import { cachedCalendar } from '../calendar/store.ts';
import type { Tx } from '../db/client.ts';
import { appendEvents } from '../events/append.ts';
import { recordText } from '../intake/similarity/index.ts';
import type { Actor } from '../shared/actor.ts';
import { DomainError, validationError } from '../shared/errors.ts';
import { checkReferences, initialDeadline } from './create-item.ts';
import { syncItemUnits } from './involvement.ts';
import { refreshLights } from './lights.ts';
import { itemNotFound } from './perform-action.ts';
import { canSeeItem, participantFor } from './policy.ts';
import { versionConflict } from './repository.ts';

const EDITABLE = ['draft', 'registered'];

/** Edits the fields of an item not yet dispatched, guarded by its version (If-Match). */
export async function updateItem(
  tx: Tx,
  actor: Actor,
  itemId: string,
  patch: UpdateItemInput,
  version: number,
  now: Date,
) {
  const row = await tx
    .selectFrom('items')
    .selectAll()
    .where('id', '=', itemId)
    .forUpdate()
    .executeTakeFirst();
  if (!row || !(await canSeeItem(tx, actor, itemId))) throw itemNotFound();
  if (row.version !== version)
    throw new DomainError(
      'PRECONDITION_FAILED',
      {
        zh: `事项版本已变化（当前为 ${row.version}），请刷新后重试`,
        en: `Item version is ${row.version}, not ${version}`,
      },
      { field: 'header.if-match' },
    );
  const participant = await participantFor(tx, actor, row.assigning_unit_id);
  if (!participant.supervises)
    throw new DomainError('FORBIDDEN', { zh: '您无权修改该事项', en: 'You may not edit this item' });
  if (!EDITABLE.includes(row.status))
    throw new DomainError(
      'TRANSITION_REFUSED',
      { zh: '事项交办后不能再修改基本信息', en: 'An item can be edited only before it is dispatched' },
      { details: { reason: 'INVALID_STATE', itemStatus: row.status } },
    );
  await checkReferences(tx, {
    categoryCode: patch.categoryCode ?? row.category_code,
    supervisingUnitId: patch.supervisingUnitId,
  });
  // A fixed deadline replaces a rule and a rule replaces a fixed deadline; both at once are refused.
  const timing = [patch.deadline, patch.deadlineRule, patch.milestones, patch.urgency].some(
    (v) => v !== undefined,
  );
  const storedRule = (row.deadline_rule as DeadlineRule | null) ?? undefined;
  const deadlineRule = patch.deadlineRule ?? (patch.deadline !== undefined ? undefined : storedRule);
  const deadline = timing
    ? initialDeadline(
        {
          deadline: patch.deadline ?? (deadlineRule ? undefined : row.deadline),
          deadlineRule,
          urgency: patch.urgency ?? (row.urgency as Urgency),
          milestones: patch.milestones ?? (row.milestones as { name: string; date: string }[]),
        },
        now,
        await cachedCalendar(tx, row.region_code),
      )
    : row.deadline;
  const sensitivity = patch.sensitivity ?? row.sensitivity;
  if ((patch.isPublic ?? row.is_public) && sensitivity !== 'public')
    throw validationError([
      {
        field: 'body.isPublic',
        message: 'only public items may be shown publicly',
        messageZh: '只有公开事项可以在门户公示',
      },
    ]);

  const set = {
    ...(patch.title !== undefined && { title: patch.title }),
    ...(patch.content !== undefined && { content: patch.content }),
    ...(patch.source !== undefined && { source: patch.source }),
    ...(patch.categoryCode !== undefined && { category_code: patch.categoryCode }),
    ...(patch.urgency !== undefined && { urgency: patch.urgency }),
    ...(patch.sensitivity !== undefined && { sensitivity: patch.sensitivity }),
    ...(timing && { deadline, deadline_rule: deadlineRule ? JSON.stringify(deadlineRule) : null }),
    ...(patch.supervisingUnitId !== undefined && { supervising_unit_id: patch.supervisingUnitId }),
    ...(patch.responsiblePersons !== undefined && {
      responsible_persons: JSON.stringify(patch.responsiblePersons),
    }),
    ...(patch.milestones !== undefined && { milestones: JSON.stringify(patch.milestones) }),
    ...(patch.targets !== undefined && { targets: JSON.stringify(patch.targets) }),
    ...(patch.isPublic !== undefined && { is_public: patch.isPublic }),
    ...(patch.reportSchedule !== undefined && {
      report_schedule: patch.reportSchedule ? JSON.stringify(patch.reportSchedule) : null,
    }),
  };
  const res = await tx
    .updateTable('items')
    .set({ ...set, updated_at: now, version: version + 1 })
    .where('id', '=', itemId)
    .where('version', '=', version)
    .executeTakeFirst();
  if (Number(res.numUpdatedRows) !== 1) throw versionConflict();
  if (patch.supervisingUnitId !== undefined) await syncItemUnits(tx, itemId);
  if (timing || patch.categoryCode !== undefined) await refreshLights(tx, itemId);
  if (patch.title !== undefined || patch.content !== undefined)
    await recordText(tx, {
      kind: 'item',
      id: itemId,
      regionCode: row.region_code,
      title: patch.title ?? row.title,
      content: patch.content ?? row.content,
      at: now,
    });
  await appendEvents(tx, [{ type: 'item.updated', itemId, changes: { ...patch } }], {
    actorId: actor.userId,
    at: now,
  });
}
