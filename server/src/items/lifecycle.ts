import { addWorkingDays, type Calendar } from '../calendar/calendar.ts';
import { resumeShift, shiftBy } from '../clock/pause.ts';
import type { ItemEvent } from '../events/types.ts';
import type { Role } from '../shared/actor.ts';
import { assertNever } from '../shared/errors.ts';
import { shanghaiDate } from '../shared/time.ts';
import {
  ACTION_NAMES_ZH,
  type Assignment,
  type DispatchTarget,
  ITEM_ACTIONS,
  ITEM_STATUSES,
  type ItemAction,
  type ItemCommand,
  type ItemState,
  type ItemStatus,
  STATUS_NAMES_ZH,
} from './model.ts';

/**
 * The supervision item's lifecycle as a pure function: no I/O, no clock but `now`, no ids but
 * those in the command. The shell loads the state, calls transition(), and writes the new state
 * and the events in one transaction.
 */

/** 特急: the limit in calendar hours from dispatch. */
export const EMERGENCY_HOURS = 24;

/** Who is acting, as far as the lifecycle needs to know (the shell derives it from Actor + scope). */
export type Participant = {
  userId: string;
  unitId: string;
  roles: readonly Role[];
  /** A supervisor with authority over the item's assigning unit (own unit or a subordinate region's). */
  supervises: boolean;
};

export type RefusalReason =
  | 'NOT_PERMITTED'
  | 'INVALID_STATE'
  | 'NOT_ASSIGNED'
  | 'ASSIGNMENT_NOT_PENDING'
  | 'ASSIGNMENT_NOT_ACCEPTED'
  | 'ASSIGNMENTS_PENDING'
  | 'EXTENSION_PENDING'
  | 'NO_PENDING_EXTENSION'
  | 'INVALID_ASSIGNMENTS'
  | 'DEADLINE_IN_PAST'
  | 'DEADLINE_NOT_LATER'
  | 'DEADLINE_AFTER_ITEM'
  | 'UNKNOWN_INDICATOR'
  | 'UNKNOWN_MILESTONE'
  | 'HAS_CHILDREN';

export type Refusal = {
  /** FORBIDDEN → 403, TRANSITION_REFUSED → 409, VALIDATION_FAILED → 400. */
  code: 'FORBIDDEN' | 'TRANSITION_REFUSED' | 'VALIDATION_FAILED';
  reason: RefusalReason;
  field?: string;
  zh: string;
  en: string;
};

export type TransitionResult =
  | { ok: true; state: ItemState; events: ItemEvent[] }
  | { ok: false; refusal: Refusal };

const HANDLING_ROLES: readonly Role[] = ['handler', 'unit_head'];
const COMMENTING_ROLES: readonly Role[] = ['supervisor', 'handler', 'unit_head', 'leader'];

/** Statuses from which each action may start. */
const FROM: { [A in ItemAction]: readonly ItemStatus[] } = {
  register: ['draft'],
  dispatch: ['registered', 'returned'],
  accept: ['dispatched', 'in_progress', 'completion_requested'],
  return: ['dispatched', 'in_progress'],
  report: ['in_progress'],
  'request-extension': ['dispatched', 'in_progress'],
  'approve-extension': ['dispatched', 'in_progress', 'returned', 'completion_requested'],
  'reject-extension': ['dispatched', 'in_progress', 'returned', 'completion_requested'],
  'request-completion': ['in_progress'],
  'approve-completion': ['completion_requested'],
  'reject-completion': ['completion_requested'],
  evaluate: ['completed'],
  archive: ['evaluated', 'cancelled'],
  suspend: ['registered', 'dispatched', 'returned', 'in_progress', 'completion_requested'],
  resume: ['suspended'],
  cancel: [
    'draft',
    'registered',
    'dispatched',
    'returned',
    'in_progress',
    'completion_requested',
    'suspended',
  ],
  reopen: ['completed', 'evaluated', 'archived'],
  decompose: ['registered', 'dispatched', 'in_progress'],
  // 批示 on anything once registered; comments on anything at all.
  instruct: ITEM_STATUSES.filter((st) => st !== 'draft'),
  comment: ITEM_STATUSES,
};

function refuse(
  code: Refusal['code'],
  reason: RefusalReason,
  zh: string,
  en: string,
  field?: string,
): { ok: false; refusal: Refusal } {
  return { ok: false, refusal: { code, reason, zh, en, ...(field ? { field } : {}) } };
}

function has(p: Participant, roles: readonly Role[]): boolean {
  return p.roles.some((r) => roles.includes(r));
}

function ownAssignment(state: ItemState, p: Participant): Assignment | undefined {
  return state.assignments.find((a) => a.unitId === p.unitId && a.status !== 'returned');
}

const NOT_ACCEPTED = refuse(
  'TRANSITION_REFUSED',
  'ASSIGNMENT_NOT_ACCEPTED',
  '本单位尚未签收该事项',
  'Your unit has not accepted this item',
).refusal;

/** Permission and state checks that need no payload. Null means the action may be attempted. */
export function guard(state: ItemState, action: ItemAction, p: Participant): Refusal | null {
  const permitted = permits(state, action, p);
  if (!permitted.ok) return permitted.refusal;
  if (!FROM[action].includes(state.status)) {
    return refuse(
      'TRANSITION_REFUSED',
      'INVALID_STATE',
      `事项当前状态为「${STATUS_NAMES_ZH[state.status]}」，不能${ACTION_NAMES_ZH[action]}`,
      `Action '${action}' is not allowed while the item is '${state.status}'`,
    ).refusal;
  }
  const own = ownAssignment(state, p);
  switch (action) {
    case 'accept':
    case 'return':
      if (own?.status !== 'pending')
        return refuse(
          'TRANSITION_REFUSED',
          'ASSIGNMENT_NOT_PENDING',
          '本单位的承办任务不是待签收状态',
          "Your unit's assignment is not awaiting acceptance",
        ).refusal;
      return null;
    case 'report':
      return own?.status === 'accepted' ? null : NOT_ACCEPTED;
    case 'request-extension':
      if (own?.status !== 'accepted') return NOT_ACCEPTED;
      if (own.pendingExtension)
        return refuse(
          'TRANSITION_REFUSED',
          'EXTENSION_PENDING',
          '已有待审批的延期申请',
          'An extension request is already pending',
        ).refusal;
      return null;
    case 'approve-extension':
    case 'reject-extension':
      if (!state.assignments.some((a) => a.pendingExtension))
        return refuse(
          'TRANSITION_REFUSED',
          'NO_PENDING_EXTENSION',
          '没有待审批的延期申请',
          'No extension request is pending',
        ).refusal;
      return null;
    case 'reopen':
      // 整改 follows a result that was accepted; a cancelled item that was archived never had one.
      if (state.completedAt === null)
        return refuse(
          'TRANSITION_REFUSED',
          'INVALID_STATE',
          '未办结的事项不能整改再督办',
          'Only an item that was completed can be reopened for rectification',
        ).refusal;
      return null;
    case 'request-completion':
      if (own?.role !== 'lead' || own.status !== 'accepted')
        return refuse(
          'TRANSITION_REFUSED',
          'ASSIGNMENT_NOT_ACCEPTED',
          '只有已签收的牵头单位可以申请办结',
          'Only the lead unit, once it has accepted, may request completion',
        ).refusal;
      if (state.assignments.some((a) => a.status === 'pending'))
        return refuse(
          'TRANSITION_REFUSED',
          'ASSIGNMENTS_PENDING',
          '仍有协同单位未签收，暂不能申请办结',
          'Some collaborating units have not accepted yet',
        ).refusal;
      return null;
    default:
      return null;
  }
}

/** Who may take each action, by role and relation to the item. */
function permits(
  state: ItemState,
  action: ItemAction,
  p: Participant,
): { ok: true } | { ok: false; refusal: Refusal } {
  let allowed: boolean;
  switch (action) {
    case 'register':
    case 'dispatch':
    case 'approve-extension':
    case 'reject-extension':
    case 'approve-completion':
    case 'reject-completion':
    case 'evaluate':
    case 'archive':
    case 'suspend':
    case 'resume':
    case 'cancel':
    case 'reopen':
    case 'decompose':
      allowed = p.supervises;
      break;
    case 'accept':
    case 'return':
    case 'report':
    case 'request-extension':
    case 'request-completion':
      allowed = has(p, HANDLING_ROLES) && state.assignments.some((a) => a.unitId === p.unitId);
      break;
    case 'instruct':
      allowed = has(p, ['leader']);
      break;
    case 'comment':
      allowed = has(p, COMMENTING_ROLES);
      break;
    default:
      return assertNever(action);
  }
  if (allowed) return { ok: true };
  return refuse(
    'FORBIDDEN',
    'NOT_PERMITTED',
    `您无权对该事项执行「${ACTION_NAMES_ZH[action]}」`,
    `You may not '${action}' this item`,
  );
}

/** The actions a participant may attempt now: what the API returns as `allowedActions`. */
export function allowedActions(state: ItemState, p: Participant): ItemAction[] {
  return ITEM_ACTIONS.filter((a) => guard(state, a, p) === null);
}

/**
 * `cal` is the item's working-day calendar: a clock that ran again after a pause moves deadlines
 * on by the working days it stood still (clock/pause.ts).
 */
export function transition(
  state: ItemState,
  cmd: ItemCommand,
  p: Participant,
  now: Date,
  cal: Calendar,
): TransitionResult {
  const blocked = guard(state, cmd.action, p);
  if (blocked) return { ok: false, refusal: blocked };
  const at = now.toISOString();
  const today = shanghaiDate(now);
  const itemId = state.id;
  const done = (next: Partial<ItemState>, ...events: ItemEvent[]): TransitionResult => ({
    ok: true,
    state: { ...state, ...next },
    events,
  });

  switch (cmd.action) {
    case 'register':
      return done({ status: 'registered' }, { type: 'item.registered', itemId });

    case 'dispatch': {
      // A re-dispatch after a return restarts the clock that stopped when the item came back.
      const clock =
        state.status === 'returned' && state.clockPausedOn !== null
          ? resumeShift(cal, state.clockPausedOn, today, state.deadline)
          : undefined;
      // 期限规则: the first dispatch fixes a deadline counted from today (a re-dispatch keeps it,
      // moved on by the pause); 特急 counts calendar hours from every dispatch.
      const emergency = state.urgency === 'critical';
      const hours = state.deadlineRule?.kind === 'hours' ? state.deadlineRule.hours : EMERGENCY_HOURS;
      const dueAt = emergency ? new Date(now.getTime() + hours * 3_600_000).toISOString() : state.dueAt;
      const ruled = state.dispatchedAt === null ? ruleDeadline(state, cal, today, dueAt) : null;
      const deadline = ruled ?? clock?.to ?? state.deadline;
      const targets = cmd.assignments.map((t) => ({ ...t, deadline: t.deadline ?? deadline }));
      const invalid = checkDispatch(targets, deadline, today);
      if (invalid) return invalid;
      const previous = new Map(state.assignments.map((a) => [a.unitId, a]));
      const assignments = targets.map((t): Assignment => {
        const before = previous.get(t.unitId);
        const kept = before?.status === 'accepted' && before.role === t.role;
        const auto = emergency && !kept;
        return {
          unitId: t.unitId,
          role: t.role,
          deadline: t.deadline,
          status: kept || auto ? 'accepted' : 'pending',
          progress: kept ? before.progress : 0,
          acceptedAt: kept ? before.acceptedAt : auto ? at : null,
          acceptedBy: kept ? before.acceptedBy : null,
          returnReason: null,
          pendingExtension: null,
        };
      });
      // Units dropped by a re-dispatch stay on record as returned, so their reports keep their owner.
      const chosen = new Set(targets.map((t) => t.unitId));
      for (const before of state.assignments) {
        if (!chosen.has(before.unitId))
          assignments.push({
            ...before,
            status: 'returned',
            pendingExtension: null,
            returnReason: before.returnReason ?? '重新交办时调整',
          });
      }
      const leadAccepted = assignments.some((a) => a.role === 'lead' && a.status === 'accepted');
      return done(
        {
          status: leadAccepted ? 'in_progress' : 'dispatched',
          assignments,
          deadline,
          clockPausedOn: null,
          dispatchedAt: state.dispatchedAt ?? at,
          dueAt,
        },
        {
          type: 'item.dispatched',
          itemId,
          assignments: targets,
          ...(ruled ? { deadline: ruled } : {}),
          ...(clock ? { clock } : {}),
          ...(emergency && dueAt ? { emergency: { dueAt, autoAccepted: true } } : {}),
        },
      );
    }

    case 'accept': {
      const own = mustOwn(state, p);
      let assignments = replace(state.assignments, own, {
        status: 'accepted',
        acceptedAt: at,
        acceptedBy: p.userId,
      });
      const status = own.role === 'lead' && state.status === 'dispatched' ? 'in_progress' : state.status;
      // 签收后N个工作日: the lead's first acceptance fixes the deadline; sub-deadlines that were the
      // item's move with it, earlier ones stay.
      const rule = state.deadlineRule;
      const fixes = rule?.kind === 'working-days' && rule.from === 'acceptance';
      const deadline =
        fixes && own.role === 'lead' && own.acceptedAt === null
          ? addWorkingDays(cal, today, rule.days)
          : null;
      if (deadline === null || deadline === state.deadline)
        return done({ status, assignments }, { type: 'item.accepted', itemId, unitId: own.unitId });
      assignments = assignments.map((a) =>
        a.deadline === state.deadline && a.status !== 'returned' ? { ...a, deadline } : a,
      );
      return done(
        { status, assignments, deadline },
        { type: 'item.accepted', itemId, unitId: own.unitId, deadline },
      );
    }

    case 'return': {
      const reason = cmd.reason.trim();
      if (!reason)
        return refuse(
          'VALIDATION_FAILED',
          'INVALID_STATE',
          '请填写退回理由',
          'A reason is required',
          'reason',
        );
      const own = mustOwn(state, p);
      const assignments = replace(state.assignments, own, { status: 'returned', returnReason: reason });
      return done(
        { status: 'returned', assignments, clockPausedOn: state.clockPausedOn ?? today },
        { type: 'item.returned', itemId, unitId: own.unitId, reason },
      );
    }

    case 'report': {
      const known = new Set(state.targets.map((t) => t.key));
      const unknown = cmd.indicatorValues.findIndex((v) => !known.has(v.key));
      if (unknown >= 0)
        return refuse(
          'VALIDATION_FAILED',
          'UNKNOWN_INDICATOR',
          '指标不属于该事项的量化目标',
          'Indicator is not one of the item’s quantified targets',
          `indicatorValues.${unknown}.key`,
        );
      const badMilestone = cmd.milestonesReached.findIndex((i) => i >= state.milestones.length);
      if (badMilestone >= 0)
        return refuse(
          'VALIDATION_FAILED',
          'UNKNOWN_MILESTONE',
          '该事项没有这个阶段性节点',
          'The item has no such milestone',
          `milestonesReached.${badMilestone}`,
        );
      const own = mustOwn(state, p);
      const assignments = replace(state.assignments, own, { progress: cmd.percent });
      // The lead consolidates: its figure is the item's, unless child items roll up into it.
      const progress = own.role === 'lead' && !state.hasChildren ? cmd.percent : state.progress;
      const reached = cmd.milestonesReached.filter((i) => !state.milestones[i]?.reachedOn);
      const milestones =
        reached.length === 0
          ? state.milestones
          : state.milestones.map((m, i) => (reached.includes(i) ? { ...m, reachedOn: today } : m));
      return done(
        { assignments, progress, milestones },
        {
          type: 'item.progress_reported',
          itemId,
          reportId: cmd.reportId,
          unitId: own.unitId,
          percent: cmd.percent,
          itemProgress: progress,
          indicatorValues: cmd.indicatorValues,
          attachments: cmd.attachments,
          ...(reached.length > 0 ? { milestonesReached: reached } : {}),
        },
      );
    }

    case 'request-extension': {
      const own = mustOwn(state, p);
      if (cmd.newDeadline <= own.deadline)
        return refuse(
          'VALIDATION_FAILED',
          'DEADLINE_NOT_LATER',
          '申请的新期限须晚于当前期限',
          'The new deadline must be later than the current one',
          'newDeadline',
        );
      if (own.role === 'collaborator' && cmd.newDeadline > state.deadline)
        return refuse(
          'VALIDATION_FAILED',
          'DEADLINE_AFTER_ITEM',
          '协同单位的期限不能晚于事项总期限',
          "A collaborator's deadline cannot be later than the item's",
          'newDeadline',
        );
      const reason = cmd.reason.trim();
      // 延期须在期限前申请: a late request is still decided, but counts as overdue.
      const late = today > own.deadline;
      // The lead's request stops the item's clock too, unless something else already has.
      const pausesItem = own.role === 'lead' && state.clockPausedOn === null;
      const assignments = replace(state.assignments, own, {
        pendingExtension: {
          newDeadline: cmd.newDeadline,
          reason,
          requestedBy: p.userId,
          requestedAt: at,
          ...(late ? { late } : {}),
          ...(pausesItem ? { pausedItem: true } : {}),
        },
      });
      return done(
        { assignments, ...(pausesItem ? { clockPausedOn: today } : {}) },
        {
          type: 'item.extension_requested',
          itemId,
          unitId: own.unitId,
          currentDeadline: own.deadline,
          newDeadline: cmd.newDeadline,
          reason,
          ...(late ? { late } : {}),
        },
      );
    }

    case 'approve-extension':
    case 'reject-extension': {
      const target = state.assignments.find((a) => a.unitId === cmd.unitId && a.pendingExtension);
      if (!target?.pendingExtension)
        return refuse(
          'TRANSITION_REFUSED',
          'NO_PENDING_EXTENSION',
          '该单位没有待审批的延期申请',
          'That unit has no pending extension request',
          'unitId',
        );
      // The clock this request stopped runs again: the item's, when the request stopped it (and
      // nothing since — a suspension or return — has taken over the pause).
      const requestedOn = shanghaiDate(new Date(target.pendingExtension.requestedAt));
      const itemClock =
        target.pendingExtension.pausedItem &&
        state.clockPausedOn !== null &&
        state.status !== 'suspended' &&
        state.status !== 'returned'
          ? resumeShift(cal, state.clockPausedOn, today, state.deadline)
          : undefined;
      const resumed = itemClock ? { clockPausedOn: null, deadline: itemClock.to } : {};
      if (cmd.action === 'reject-extension') {
        const clock = resumeShift(cal, requestedOn, today, target.deadline);
        const itemDeadline = itemClock?.to ?? state.deadline;
        // The lead's shifted deadline carries the item's along; a collaborator's stays within it.
        const deadline = target.role === 'lead' && clock.to > itemDeadline ? clock.to : itemDeadline;
        const own = target.role === 'lead' || clock.to <= deadline ? clock.to : deadline;
        const assignments = replace(state.assignments, target, { pendingExtension: null, deadline: own });
        return done(
          { assignments, ...resumed, deadline },
          {
            type: 'item.extension_rejected',
            itemId,
            unitId: target.unitId,
            reason: cmd.reason.trim(),
            ...(clock.pausedWorkingDays > 0 ? { clock } : {}),
          },
        );
      }
      const newDeadline = target.pendingExtension.newDeadline;
      const assignments = replace(state.assignments, target, {
        deadline: newDeadline,
        pendingExtension: null,
      });
      const current = itemClock?.to ?? state.deadline;
      const deadline = target.role === 'lead' && newDeadline > current ? newDeadline : current;
      return done(
        { assignments, ...resumed, deadline },
        {
          type: 'item.extension_approved',
          itemId,
          unitId: target.unitId,
          oldDeadline: target.deadline,
          newDeadline,
          comment: cmd.comment.trim(),
        },
      );
    }

    case 'request-completion': {
      const summary = cmd.summary.trim();
      return done(
        {
          status: 'completion_requested',
          completionRequest: { summary, requestedBy: p.userId, requestedAt: at },
        },
        { type: 'item.completion_requested', itemId, summary },
      );
    }

    case 'approve-completion':
      return done(
        {
          status: 'completed',
          completedAt: at,
          progress: 100,
          assignments: state.assignments.map((a) => (a.status === 'accepted' ? { ...a, progress: 100 } : a)),
        },
        { type: 'item.completion_approved', itemId, comment: cmd.comment.trim() },
      );

    case 'reject-completion':
      return done(
        { status: 'in_progress', completionRequest: null },
        { type: 'item.completion_rejected', itemId, reason: cmd.reason.trim() },
      );

    case 'evaluate': {
      const score = compositeScore(cmd.quality, cmd.timeliness, cmd.effectiveness);
      const comment = cmd.comment.trim();
      return done(
        {
          status: 'evaluated',
          evaluation: {
            quality: cmd.quality,
            timeliness: cmd.timeliness,
            effectiveness: cmd.effectiveness,
            score,
            comment,
            evaluatedBy: p.userId,
            evaluatedAt: at,
          },
        },
        {
          type: 'item.evaluated',
          itemId,
          quality: cmd.quality,
          timeliness: cmd.timeliness,
          effectiveness: cmd.effectiveness,
          score,
          comment,
        },
      );
    }

    case 'archive':
      return done({ status: 'archived', archivedAt: at }, { type: 'item.archived', itemId });

    case 'suspend':
      return done(
        {
          status: 'suspended',
          statusBeforeSuspend: state.status,
          clockPausedOn: state.clockPausedOn ?? today,
        },
        { type: 'item.suspended', itemId, reason: cmd.reason.trim() },
      );

    case 'resume': {
      const status = state.statusBeforeSuspend ?? 'registered';
      // Back to 退回 (awaiting re-dispatch): the clock stays stopped until the re-dispatch.
      if (status === 'returned' || state.clockPausedOn === null) {
        return done({ status, statusBeforeSuspend: null }, { type: 'item.resumed', itemId });
      }
      const clock = resumeShift(cal, state.clockPausedOn, today, state.deadline);
      const assignments = state.assignments.map((a) =>
        a.status === 'returned' || clock.pausedWorkingDays === 0
          ? a
          : { ...a, deadline: shiftBy(cal, clock, a.deadline) },
      );
      return done(
        { status, statusBeforeSuspend: null, clockPausedOn: null, deadline: clock.to, assignments },
        { type: 'item.resumed', itemId, ...(clock.pausedWorkingDays > 0 ? { clock } : {}) },
      );
    }

    case 'cancel':
      return done(
        { status: 'cancelled', statusBeforeSuspend: null },
        { type: 'item.cancelled', itemId, reason: cmd.reason.trim() },
      );

    case 'reopen':
      return done(
        {},
        {
          type: 'item.reopened',
          itemId,
          rectificationItemId: cmd.rectificationItemId,
          reason: cmd.reason.trim(),
        },
      );

    case 'decompose': {
      for (const [i, child] of cmd.children.entries()) {
        if (child.deadline < today)
          return refuse(
            'VALIDATION_FAILED',
            'DEADLINE_IN_PAST',
            '办理期限不能早于今天',
            'The deadline is in the past',
            `children.${i}.deadline`,
          );
        if (child.deadline > state.deadline)
          return refuse(
            'VALIDATION_FAILED',
            'DEADLINE_AFTER_ITEM',
            '下级事项期限不能晚于本事项期限',
            "A child item's deadline cannot be later than its parent's",
            `children.${i}.deadline`,
          );
      }
      // From now on the item's progress is its children's weighted mean; new children start at 0.
      const progress = rollUpProgress([
        ...cmd.existingChildren,
        ...cmd.children.map((c) => ({ progress: 0, weight: c.weight, status: 'registered' as const })),
      ]);
      return done(
        { hasChildren: true, progress },
        { type: 'item.decomposed', itemId, childItemIds: cmd.children.map((c) => c.itemId), progress },
      );
    }

    case 'instruct':
      return done(
        {},
        { type: 'item.instruction_added', itemId, remarkId: cmd.remarkId, body: cmd.body.trim() },
      );

    case 'comment':
      return done({}, { type: 'item.comment_added', itemId, remarkId: cmd.remarkId, body: cmd.body.trim() });

    default:
      return assertNever(cmd);
  }
}

/** 综合评分: 实效 weighs most, as the plan asks results over paperwork (weights 0.3 / 0.2 / 0.5). */
export function compositeScore(quality: number, timeliness: number, effectiveness: number): number {
  return Math.round((quality * 0.3 + timeliness * 0.2 + effectiveness * 0.5) * 10) / 10;
}

/**
 * 进度汇总: a parent's progress is the weighted mean of its children's; finished children count
 * as 100 and cancelled ones drop out.
 */
export function rollUpProgress(
  children: readonly { progress: number; weight: number; status: ItemStatus }[],
): number {
  let total = 0;
  let weights = 0;
  for (const c of children) {
    if (c.status === 'cancelled' || c.weight <= 0) continue;
    const done = c.status === 'completed' || c.status === 'evaluated' || c.status === 'archived';
    total += (done ? 100 : c.progress) * c.weight;
    weights += c.weight;
  }
  return weights === 0 ? 0 : Math.round(total / weights);
}

/**
 * The deadline a rule gives at the first dispatch: N working days from today (签收后: provisional
 * until the lead accepts), or the day the 特急 hours run out.
 */
function ruleDeadline(state: ItemState, cal: Calendar, today: string, dueAt: string | null): string | null {
  const rule = state.deadlineRule;
  if (rule === null) return null;
  if (rule.kind === 'hours') return dueAt === null ? null : shanghaiDate(new Date(dueAt));
  return addWorkingDays(cal, today, rule.days);
}

function checkDispatch(
  targets: (DispatchTarget & { deadline: string })[],
  itemDeadline: string,
  today: string,
): TransitionResult | null {
  const leads = targets.filter((t) => t.role === 'lead').length;
  if (leads !== 1)
    return refuse(
      'VALIDATION_FAILED',
      'INVALID_ASSIGNMENTS',
      '须指定且只能指定一个牵头单位',
      'Exactly one lead unit is required',
      'assignments',
    );
  const seen = new Set<string>();
  for (const [i, t] of targets.entries()) {
    if (seen.has(t.unitId))
      return refuse(
        'VALIDATION_FAILED',
        'INVALID_ASSIGNMENTS',
        '同一单位不能重复交办',
        'A unit appears twice',
        `assignments.${i}.unitId`,
      );
    seen.add(t.unitId);
    if (t.deadline < today)
      return refuse(
        'VALIDATION_FAILED',
        'DEADLINE_IN_PAST',
        '办理期限不能早于今天',
        'The deadline is in the past',
        `assignments.${i}.deadline`,
      );
    if (t.deadline > itemDeadline)
      return refuse(
        'VALIDATION_FAILED',
        'DEADLINE_AFTER_ITEM',
        '分工期限不能晚于事项总期限',
        "An assignment's deadline cannot be later than the item's",
        `assignments.${i}.deadline`,
      );
  }
  return null;
}

function mustOwn(state: ItemState, p: Participant): Assignment {
  const own = ownAssignment(state, p);
  // guard() has established the assignment exists for every action that calls this.
  if (!own) throw new Error('invariant: guard passed without an assignment');
  return own;
}

function replace(list: Assignment[], which: Assignment, patch: Partial<Assignment>): Assignment[] {
  return list.map((a) => (a === which ? { ...a, ...patch } : a));
}
