import type { Tx } from '../db/client.ts';
import { createItem } from '../items/create-item.ts';
import type { ItemAction } from '../items/model.ts';
import { performAction } from '../items/perform-action.ts';
import type { Actor } from '../shared/actor.ts';
import { addDays } from '../shared/time.ts';
import {
  type DemoItemDraft,
  demoCancelReason,
  demoComment,
  demoCompletionSummary,
  demoExtensionReason,
  demoInstruction,
  demoProgressReport,
  demoRejectionReason,
  demoReturnReason,
  demoSuspendReason,
} from './corpus.ts';
import type { Rng } from './random.ts';

/** A dated step of the demo's simulated history; all steps run in time order, each in its own transaction. */
export type Step = { at: Date; label: string; run: (tx: Tx, at: Date) => Promise<void> };

export type Final =
  | 'draft'
  | 'registered'
  | 'dispatched'
  | 'returned'
  | 'in_progress'
  | 'completion_requested'
  | 'completed'
  | 'evaluated'
  | 'archived'
  | 'suspended'
  | 'cancelled';

export type LightGoal = 'green' | 'yellow' | 'red' | 'overdue';

export type Party = { unitId: string; actor: Actor };

/** A lazily known item id: set when the creating step (or the parent's decompose) has run. */
export type ItemRef = { id: string | null };

export type ItemPlan = {
  ref: ItemRef;
  draft: DemoItemDraft;
  supervisor: Actor;
  leader: Actor;
  lead: Party;
  collaborators: Party[];
  /** A different lead the item was first sent to, who returned it (退回 → 重新交办). */
  returnedBy?: Party;
  final: Final;
  light: LightGoal;
  extension?: 'approved' | 'pending' | 'rejected';
  rejectOnce?: boolean;
  /** Created by the parent's decompose step rather than registered here. */
  createdByParent?: boolean;
  decompose?: { children: { plan: ItemPlan; assigningUnitId: string; weight: number }[] };
  /** Dates fixed by the parent's decompose step (children). */
  fixed?: { start: string; deadline: string };
  /** 滞后风险 demo trait of the lead unit, 0 (punctual) … 1 (chronically late): later finishes, slower progress, sparser reports. */
  lateness?: number;
};

const DAY = 86_400_000;

/** Noon in Asia/Shanghai on a date, so simulated actions fall inside office hours. */
function at(date: string, hour = 10): Date {
  return new Date(`${date}T${String(hour).padStart(2, '0')}:00:00+08:00`);
}

/** Chooses dates so that, seen from `today`, the item shows the light it is meant to show. */
function schedule(rng: Rng, plan: ItemPlan, today: string): { start: string; deadline: string } {
  const d = (n: number) => addDays(today, n);
  switch (plan.final) {
    case 'draft':
    case 'registered':
      return { start: d(-rng.int(1, 15)), deadline: d(rng.int(30, 180)) };
    case 'dispatched':
    case 'returned':
      return { start: d(-rng.int(2, 12)), deadline: d(rng.int(20, 150)) };
    case 'completed':
    case 'evaluated':
    case 'archived': {
      const start = d(-rng.int(120, 330));
      return { start, deadline: addDays(start, rng.int(60, 110)) };
    }
    default:
      break;
  }
  switch (plan.light) {
    case 'overdue': {
      const deadline = d(-rng.int(1, 45));
      return { start: addDays(deadline, -rng.int(45, 120)), deadline };
    }
    case 'red': {
      const deadline = d(rng.int(0, 1));
      return { start: addDays(deadline, -rng.int(45, 120)), deadline };
    }
    case 'yellow': {
      if (rng.chance(0.5)) {
        const deadline = d(rng.int(2, 3));
        return { start: addDays(deadline, -rng.int(40, 100)), deadline };
      }
      const left = rng.int(8, 14);
      return { start: d(-left * 4 - rng.int(2, 10)), deadline: d(left) };
    }
    case 'green': {
      const left = rng.int(40, 160);
      return { start: d(-rng.int(12, Math.floor(left / 2))), deadline: d(left) };
    }
  }
}

/** Turns one plan into its dated steps. */
export function planSteps(rng: Rng, plan: ItemPlan, today: string, now: Date): Step[] {
  // 特急 items are accepted on the units' behalf at dispatch: they are never returned or left
  // awaiting acceptance, so a plan that needs either is told as an 紧急 (urgent) item instead.
  if (
    plan.draft.urgency === 'critical' &&
    (plan.returnedBy || plan.final === 'returned' || plan.final === 'dispatched')
  ) {
    plan.draft = { ...plan.draft, urgency: 'urgent' };
  }
  const autoAccepted = plan.draft.urgency === 'critical';
  const steps: Step[] = [];
  const { start, deadline } = plan.fixed ?? schedule(rng, plan, today);
  const ref = plan.ref;
  const id = () => {
    if (!ref.id) throw new Error('demo: item not created yet');
    return ref.id;
  };
  const act = (when: Date, actor: Actor, action: ItemAction, body: object = {}) =>
    steps.push({
      at: when,
      label: `${action} ${plan.draft.title}`,
      run: async (tx, t) => {
        await performAction(tx, actor, { itemId: id(), action, body, now: t });
      },
    });
  const latest = now.getTime() - 3_600_000;
  const clamp = (date: string, hour = 10) => new Date(Math.min(at(date, hour).getTime(), latest));

  if (!plan.createdByParent) {
    steps.push({
      at: clamp(start, 9),
      label: `create ${plan.draft.title}`,
      run: async (tx, t) => {
        const created = await createItem(
          tx,
          {
            title: plan.draft.title,
            content: plan.draft.content,
            source: plan.draft.source,
            categoryCode: plan.draft.categoryCode,
            urgency: plan.draft.urgency,
            sensitivity: plan.draft.sensitivity,
            deadline,
            responsiblePersons: plan.draft.responsiblePersons,
            milestones: [],
            targets: plan.draft.targets,
            isPublic: plan.draft.isPublic,
            draft: plan.final === 'draft',
          },
          { assigningUnitId: plan.supervisor.unitId, actorId: plan.supervisor.userId, now: t, isDemo: true },
        );
        ref.id = created.id;
      },
    });
  }
  if (plan.final === 'draft' || plan.final === 'registered') {
    if (plan.final === 'registered' && rng.chance(0.3))
      act(clamp(addDays(start, 1)), plan.leader, 'instruct', { body: demoInstruction(rng) });
    return steps;
  }
  if (plan.final === 'cancelled' && rng.chance(0.5)) {
    act(clamp(addDays(start, 1), 15), plan.supervisor, 'cancel', { reason: demoCancelReason(rng) });
    return steps;
  }

  const subDeadline = (p: Party) => (p === plan.lead ? deadline : addDays(deadline, -rng.int(0, 10)));
  const dispatchDay = addDays(start, 1);
  const assignments = (lead: Party) => [
    { unitId: lead.unitId, role: 'lead', deadline },
    ...plan.collaborators.map((c) => ({
      unitId: c.unitId,
      role: 'collaborator',
      deadline: maxDate(subDeadline(c), dispatchDay),
    })),
  ];
  let day = dispatchDay;
  if (plan.returnedBy) {
    act(clamp(day), plan.supervisor, 'dispatch', { assignments: assignments(plan.returnedBy) });
    day = addDays(day, 1);
    act(clamp(day, 11), plan.returnedBy.actor, 'return', { reason: demoReturnReason(rng) });
    day = addDays(day, 1);
  }
  act(clamp(day, 14), plan.supervisor, 'dispatch', { assignments: assignments(plan.lead) });
  if (plan.final === 'returned') {
    act(clamp(addDays(day, 1), 11), plan.lead.actor, 'return', { reason: demoReturnReason(rng) });
    return steps;
  }
  day = addDays(day, 1);
  if (plan.final === 'dispatched') {
    for (const c of plan.collaborators) if (rng.chance(0.5)) act(clamp(day, 9), c.actor, 'accept');
    return steps;
  }
  if (!autoAccepted) {
    act(clamp(day, 9), plan.lead.actor, 'accept');
    for (const c of plan.collaborators) act(clamp(day, 10), c.actor, 'accept');
  }

  if (plan.decompose) {
    const decomposeDay = addDays(day, 1);
    const when = clamp(decomposeDay, 16);
    const children = plan.decompose.children;
    for (const c of children) {
      // A child starts when the parent is decomposed: it is dispatched the day after.
      const own = schedule(rng, c.plan, today);
      const wanted =
        own.deadline > addDays(decomposeDay, 10) ? own.deadline : addDays(decomposeDay, rng.int(30, 90));
      // A child is due no later than its parent.
      c.plan.fixed = { start: decomposeDay, deadline: minDate(wanted, deadline) };
    }
    steps.push({
      at: when,
      label: `decompose ${plan.draft.title}`,
      run: async (tx, t) => {
        await performAction(tx, plan.supervisor, {
          itemId: id(),
          action: 'decompose',
          body: {
            children: children.map((c) => ({
              assigningUnitId: c.assigningUnitId,
              deadline: c.plan.fixed?.deadline ?? deadline,
              weight: c.weight,
            })),
          },
          now: t,
        });
        const rows = await tx
          .selectFrom('items')
          .select(['id', 'assigning_unit_id'])
          .where('parent_id', '=', id())
          .execute();
        for (const c of children)
          c.plan.ref.id = rows.find((r) => r.assigning_unit_id === c.assigningUnitId)?.id ?? null;
      },
    });
  }

  // Progress reports until the item's end of activity.
  let finished = plan.final === 'completed' || plan.final === 'evaluated' || plan.final === 'archived';
  let endDay = finished
    ? minDate(
        addDays(deadline, rng.int(-20, 8) + Math.round(24 * (plan.lateness ?? 0) - 8)),
        addDays(today, -rng.int(3, 20)),
      )
    : today;
  if (endDay <= addDays(day, 10)) {
    // Too young to have finished (a child decomposed recently): it is still being handled.
    plan.final = 'in_progress';
    finished = false;
    endDay = today;
  }
  const span = Math.max(1, (at(endDay).getTime() - at(day).getTime()) / DAY);
  const lag =
    (plan.light === 'overdue' || plan.light === 'red' ? rng.float(0.5, 0.85) : rng.float(0.85, 1.05)) *
    (1 - 0.3 * (plan.lateness ?? 0));
  let cursor = addDays(day, rng.int(5, 12));
  let percent = 0;
  let requestedExtension = false;
  const closing = !['in_progress', 'suspended', 'cancelled'].includes(plan.final);
  const reportsUntil = closing ? addDays(endDay, -7) : endDay;
  while (cursor < reportsUntil) {
    const share = (at(cursor).getTime() - at(day).getTime()) / DAY / span;
    percent = Math.min(finished ? 95 : 90, Math.max(percent + 5, Math.round(share * 100 * lag)));
    const report = demoProgressReport(rng, { percent, title: plan.draft.title, targets: plan.draft.targets });
    act(clamp(cursor, 16), plan.lead.actor, 'report', { percent, ...report });
    for (const c of plan.collaborators)
      if (rng.chance(0.4))
        act(clamp(cursor, 15), c.actor, 'report', {
          percent: Math.min(100, percent + rng.int(-10, 10) + 10),
          narrative: demoProgressReport(rng, { percent, title: plan.draft.title, targets: [] }).narrative,
        });
    if (rng.chance(0.2)) act(clamp(cursor, 17), plan.leader, 'instruct', { body: demoInstruction(rng) });
    if (rng.chance(0.1)) act(clamp(cursor, 18), plan.supervisor, 'comment', { body: demoComment(rng) });
    if (plan.extension && !requestedExtension && share > 0.4) {
      requestedExtension = true;
      const newDeadline = addDays(deadline, rng.int(15, 60));
      act(clamp(cursor, 11), plan.lead.actor, 'request-extension', {
        newDeadline,
        reason: demoExtensionReason(rng),
      });
      const decided = clamp(addDays(cursor, 2), 11);
      if (plan.extension === 'approved')
        act(decided, plan.supervisor, 'approve-extension', {
          unitId: plan.lead.unitId,
          comment: '同意延期，请按新期限抓紧办理。',
        });
      if (plan.extension === 'rejected')
        act(decided, plan.supervisor, 'reject-extension', {
          unitId: plan.lead.unitId,
          reason: '理由不充分，请按原期限完成。',
        });
    }
    cursor = addDays(cursor, rng.int(10, 25) + Math.round(12 * (plan.lateness ?? 0)));
  }

  switch (plan.final) {
    case 'in_progress':
      return steps;
    case 'suspended':
      act(clamp(today, 8), plan.supervisor, 'suspend', { reason: demoSuspendReason(rng) });
      return steps;
    case 'cancelled':
      act(clamp(today, 8), plan.supervisor, 'cancel', { reason: demoCancelReason(rng) });
      return steps;
    default:
      break;
  }
  const close = finished ? endDay : today;
  const reportFinal = demoProgressReport(rng, {
    percent: 100,
    title: plan.draft.title,
    targets: plan.draft.targets,
  });
  if (plan.rejectOnce) {
    act(clamp(addDays(close, -6), 9), plan.lead.actor, 'request-completion', {
      summary: demoCompletionSummary(rng, plan.draft.title),
    });
    act(clamp(addDays(close, -5), 15), plan.supervisor, 'reject-completion', {
      reason: demoRejectionReason(rng),
    });
  }
  act(clamp(addDays(close, -1), 10), plan.lead.actor, 'report', { percent: 100, ...reportFinal });
  act(clamp(addDays(close, -1), 11), plan.lead.actor, 'request-completion', {
    summary: demoCompletionSummary(rng, plan.draft.title),
  });
  if (plan.final === 'completion_requested') return steps;
  act(clamp(close, 10), plan.supervisor, 'approve-completion', {
    comment: '经核查，已按要求完成，同意办结。',
  });
  if (plan.final === 'completed') return steps;
  const q = () => rng.int(70, 98);
  act(clamp(addDays(close, 1), 10), plan.supervisor, 'evaluate', {
    quality: q(),
    timeliness: q(),
    effectiveness: q(),
    comment: '按期保质完成，群众反映良好。',
  });
  if (plan.final === 'evaluated') return steps;
  act(clamp(addDays(close, 2), 10), plan.supervisor, 'archive');
  return steps;
}

function minDate(a: string, b: string) {
  return a < b ? a : b;
}
function maxDate(a: string, b: string) {
  return a > b ? a : b;
}
