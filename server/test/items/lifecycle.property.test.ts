import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { buildCalendar } from '../../src/calendar/calendar.ts';
import { packagedCalendar } from '../../src/calendar/packaged.ts';
import type { ItemEvent } from '../../src/events/types.ts';
import {
  allowedActions,
  compositeScore,
  guard,
  type Participant,
  type Refusal,
  rollUpProgress,
  transition,
} from '../../src/items/lifecycle.ts';
import {
  ACTIVE_STATUSES,
  type DispatchTarget,
  ITEM_ACTIONS,
  ITEM_STATUSES,
  type ItemAction,
  type ItemCommand,
  type ItemState,
  type ItemStatus,
} from '../../src/items/model.ts';
import { addDays, daysBetween, shanghaiDate } from '../../src/shared/time.ts';

/** The official working-day calendar (chinese-days), as the items' region would have it. */
const CAL = buildCalendar(packagedCalendar().days);

/**
 * Property-based tests of the pure lifecycle: random (participant, command) sequences, half of them
 * steered towards what the participant may do now so that runs reach the deep states (办结, 评价,
 * 归档), the other half arbitrary. Invariants are checked after every step.
 */

const OFFICE = '00000000-0000-4000-8000-0000000000aa';
const FAR_OFFICE = '00000000-0000-4000-8000-0000000000bb';
const OUTSIDER_UNIT = '00000000-0000-4000-8000-0000000000cc';
/** Units an item may be dispatched to; each has a handler (P1's is a 单位负责人). */
const UNITS = [
  '00000000-0000-4000-8000-000000000001',
  '00000000-0000-4000-8000-000000000002',
  '00000000-0000-4000-8000-000000000003',
  '00000000-0000-4000-8000-000000000004',
] as const;
const unitAt = (i: number): string => UNITS[i % UNITS.length] ?? OUTSIDER_UNIT;

const PARTICIPANTS: readonly Participant[] = [
  { userId: 'u-sup', unitId: OFFICE, roles: ['supervisor'], supervises: true },
  { userId: 'u-sup-far', unitId: FAR_OFFICE, roles: ['supervisor'], supervises: false },
  { userId: 'u-leader', unitId: OFFICE, roles: ['leader'], supervises: false },
  { userId: 'u-evaluator', unitId: OFFICE, roles: ['evaluator'], supervises: false },
  { userId: 'u-auditor', unitId: OFFICE, roles: ['auditor'], supervises: false },
  { userId: 'u-admin', unitId: OFFICE, roles: ['admin'], supervises: false },
  ...UNITS.map(
    (unitId, i): Participant => ({
      userId: `u-h${i}`,
      unitId,
      roles: i === 1 ? ['unit_head'] : ['handler'],
      supervises: false,
    }),
  ),
  { userId: 'u-outsider', unitId: OUTSIDER_UNIT, roles: ['handler'], supervises: false },
];
const participantAt = (i: number): Participant => {
  const p = PARTICIPANTS[i % PARTICIPANTS.length];
  if (!p) throw new Error('no participant');
  return p;
};

const START = new Date('2026-11-27T02:00:00Z');
const ITEM_ID = '11111111-1111-4111-8111-111111111111';
const TARGET_KEYS = ['old_communities', 'jobs'] as const;

const EVENT_OF: { [A in ItemAction]: ItemEvent['type'] } = {
  register: 'item.registered',
  dispatch: 'item.dispatched',
  accept: 'item.accepted',
  return: 'item.returned',
  report: 'item.progress_reported',
  'request-extension': 'item.extension_requested',
  'approve-extension': 'item.extension_approved',
  'reject-extension': 'item.extension_rejected',
  'request-completion': 'item.completion_requested',
  'approve-completion': 'item.completion_approved',
  'reject-completion': 'item.completion_rejected',
  evaluate: 'item.evaluated',
  archive: 'item.archived',
  suspend: 'item.suspended',
  resume: 'item.resumed',
  cancel: 'item.cancelled',
  reopen: 'item.reopened',
  decompose: 'item.decomposed',
  instruct: 'item.instruction_added',
  comment: 'item.comment_added',
};

const REFUSAL_CODES: readonly Refusal['code'][] = ['FORBIDDEN', 'TRANSITION_REFUSED', 'VALIDATION_FAILED'];
/** Actions that record something but leave the lifecycle state exactly as it was. */
const STATE_NEUTRAL: readonly ItemAction[] = ['comment', 'instruct', 'reopen'];
/** Actions a guided walk takes less often, so it reaches 办结 and 归档. */
const SIDE_ACTIONS: readonly ItemAction[] = [...STATE_NEUTRAL, 'suspend', 'cancel', 'return', 'decompose'];

// ---------------------------------------------------------------- generators

type DeadlineSpec = { kind: 'ok'; frac: number } | { kind: 'past' | 'late'; days: number };
type PlanEntry = { unit: number; role: 'lead' | 'collaborator'; deadline: DeadlineSpec };

const deadlineSpec: fc.Arbitrary<DeadlineSpec> = fc.oneof(
  {
    weight: 8,
    arbitrary: fc.record({
      kind: fc.constant('ok' as const),
      frac: fc.double({ min: 0, max: 1, noNaN: true }),
    }),
  },
  {
    weight: 1,
    arbitrary: fc.record({ kind: fc.constant('past' as const), days: fc.integer({ min: 1, max: 90 }) }),
  },
  {
    weight: 1,
    arbitrary: fc.record({ kind: fc.constant('late' as const), days: fc.integer({ min: 1, max: 90 }) }),
  },
);

/** A plausible plan: one lead, 0–3 distinct collaborators. */
const validPlan: fc.Arbitrary<PlanEntry[]> = fc
  .tuple(
    fc.shuffledSubarray([0, 1, 2, 3], { minLength: 1, maxLength: 4 }),
    fc.array(
      fc.record({ kind: fc.constant('ok' as const), frac: fc.double({ min: 0, max: 1, noNaN: true }) }),
      {
        minLength: 4,
        maxLength: 4,
      },
    ),
  )
  .map(([units, deadlines]) =>
    units.map(
      (unit, i): PlanEntry => ({
        unit,
        role: i === 0 ? 'lead' : 'collaborator',
        deadline: deadlines[i] ?? { kind: 'ok', frac: 0 },
      }),
    ),
  );

/** Anything: no lead, two leads, a unit twice, past or too-late deadlines, an empty list. */
const wildPlan: fc.Arbitrary<PlanEntry[]> = fc.array(
  fc.record({
    unit: fc.nat(3),
    role: fc.constantFrom('lead' as const, 'collaborator' as const),
    deadline: deadlineSpec,
  }),
  { maxLength: 5 },
);

const text = fc.oneof(
  { weight: 4, arbitrary: fc.constantFrom('资金拨付滞后', '请补充材料', 'done') },
  { weight: 1, arbitrary: fc.constantFrom('', '   ', '\n\t') },
  { weight: 1, arbitrary: fc.string({ maxLength: 20 }) },
);

const bag = fc.record({
  plan: fc.oneof({ weight: 3, arbitrary: validPlan }, { weight: 1, arbitrary: wildPlan }),
  reason: text,
  percent: fc.integer({ min: 0, max: 100 }),
  indicators: fc.oneof(
    { weight: 4, arbitrary: fc.subarray<string>([...TARGET_KEYS]) },
    { weight: 1, arbitrary: fc.subarray<string>([...TARGET_KEYS, 'unknown_key', '']) },
  ),
  extDays: fc.integer({ min: -30, max: 120 }),
  /** -1: the unit whose extension is pending (if any); else a unit of the pool. */
  extUnit: fc.integer({ min: -1, max: 3 }),
  scores: fc.tuple(
    fc.double({ min: 0, max: 100, noNaN: true }),
    fc.double({ min: 0, max: 100, noNaN: true }),
    fc.double({ min: 0, max: 100, noNaN: true }),
  ),
  children: fc.integer({ min: 1, max: 3 }),
});
type Bag = typeof bag extends fc.Arbitrary<infer T> ? T : never;

const step = fc.record({
  guided: fc.constantFrom('forward' as const, 'forward' as const, 'any' as const, 'random' as const),
  pick: fc.nat(),
  actor: fc.nat(PARTICIPANTS.length - 1),
  action: fc.nat(ITEM_ACTIONS.length - 1),
  advanceDays: fc.oneof(
    { weight: 5, arbitrary: fc.constant(0) },
    { weight: 1, arbitrary: fc.integer({ min: 1, max: 20 }) },
  ),
  bag,
});
type Step = typeof step extends fc.Arbitrary<infer T> ? T : never;

const initialState: fc.Arbitrary<ItemState> = fc
  .record({
    /** 0: a draft; 1: an item completed earlier (so 整改 can follow); else registered. */
    start: fc.nat(9),
    deadlineDays: fc.integer({ min: 30, max: 400 }),
    targets: fc.subarray([...TARGET_KEYS]),
  })
  .map(({ start, deadlineDays, targets }): ItemState => {
    const base: ItemState = {
      id: ITEM_ID,
      status: start === 0 ? 'draft' : 'registered',
      statusBeforeSuspend: null,
      assigningUnitId: OFFICE,
      deadline: addDays(shanghaiDate(START), deadlineDays),
      progress: 0,
      hasChildren: false,
      targets: targets.map((key) => ({ key, name: key, unit: '个', target: 50 })),
      assignments: [],
      completionRequest: null,
      evaluation: null,
      dispatchedAt: null,
      completedAt: null,
      archivedAt: null,
      clockPausedOn: null,
      urgency: 'normal',
      dueAt: null,
      deadlineRule: null,
      milestones: [],
    };
    if (start !== 1) return base;
    const deadline = base.deadline;
    return {
      ...base,
      status: 'completed',
      progress: 100,
      assignments: [
        {
          unitId: unitAt(0),
          role: 'lead',
          deadline,
          status: 'accepted',
          progress: 100,
          acceptedAt: START.toISOString(),
          acceptedBy: 'u-h0',
          returnReason: null,
          pendingExtension: null,
        },
      ],
      dispatchedAt: START.toISOString(),
      completedAt: START.toISOString(),
    };
  });

// ---------------------------------------------------------------- commands from a bag

function resolveDeadline(spec: DeadlineSpec, today: string, itemDeadline: string): string {
  switch (spec.kind) {
    case 'ok':
      return addDays(today, Math.floor(spec.frac * Math.max(0, daysBetween(today, itemDeadline))));
    case 'past':
      return addDays(today, -spec.days);
    case 'late':
      return addDays(itemDeadline, spec.days);
  }
}

function commandFor(
  action: ItemAction,
  b: Bag,
  state: ItemState,
  p: Participant,
  today: string,
  n: number,
): ItemCommand {
  switch (action) {
    case 'register':
    case 'accept':
    case 'archive':
    case 'resume':
      return { action };
    case 'dispatch':
      return {
        action,
        assignments: b.plan.map(
          (e): DispatchTarget => ({
            unitId: unitAt(e.unit),
            role: e.role,
            deadline: resolveDeadline(e.deadline, today, state.deadline),
          }),
        ),
      };
    case 'return':
    case 'suspend':
    case 'cancel':
    case 'reject-completion':
      return { action, reason: b.reason };
    case 'report':
      return {
        action,
        reportId: `report-${n}`,
        percent: b.percent,
        narrative: '已开工',
        problems: '',
        nextSteps: '',
        indicatorValues: b.indicators.map((key) => ({ key, value: 1 })),
        milestonesReached: [],
        attachments: [],
      };
    case 'request-extension': {
      const own = state.assignments.find((a) => a.unitId === p.unitId && a.status !== 'returned');
      return { action, newDeadline: addDays(own?.deadline ?? state.deadline, b.extDays), reason: b.reason };
    }
    case 'approve-extension':
    case 'reject-extension': {
      const pending = state.assignments.find((a) => a.pendingExtension);
      const unitId = b.extUnit < 0 ? (pending?.unitId ?? unitAt(0)) : unitAt(b.extUnit);
      return action === 'approve-extension'
        ? { action, unitId, comment: b.reason }
        : { action, unitId, reason: b.reason };
    }
    case 'request-completion':
      return { action, summary: b.reason };
    case 'approve-completion':
      return { action, comment: b.reason };
    case 'evaluate': {
      const [quality, timeliness, effectiveness] = b.scores;
      return { action, quality, timeliness, effectiveness, comment: b.reason };
    }
    case 'reopen':
      return { action, reason: b.reason, rectificationItemId: `rect-${n}` };
    case 'decompose':
      return {
        action,
        children: Array.from({ length: b.children }, (_, i) => ({
          itemId: `child-${n}-${i}`,
          // Mostly within the item's time; now and then past or after the parent's deadline.
          deadline: addDays(state.deadline, i % 4 === 3 ? 5 : -i),
          weight: 1 + (i % 3),
        })),
        // Children from an earlier decomposition, as the shell would read them.
        existingChildren: state.hasChildren
          ? [{ progress: b.percent, weight: 2, status: 'in_progress' }]
          : [],
      };
    case 'instruct':
    case 'comment':
      return { action, remarkId: `remark-${n}`, body: b.reason };
  }
}

/** What checkDispatch should say, written independently. */
function dispatchIsValid(targets: DispatchTarget[], today: string, itemDeadline: string): boolean {
  const units = targets.map((t) => t.unitId);
  return (
    targets.filter((t) => t.role === 'lead').length === 1 &&
    new Set(units).size === units.length &&
    targets.every((t) => {
      const d = t.deadline ?? itemDeadline;
      return d >= today && d <= itemDeadline;
    })
  );
}

/** A cheap assertion for the hot loop (vitest's expect costs too much at millions of calls). */
function must(cond: boolean, message: string): asserts cond {
  if (!cond) throw new Error(message);
}

function deepFreeze<T>(value: T): T {
  if (value && typeof value === 'object' && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const v of Object.values(value)) deepFreeze(v);
  }
  return value;
}

// ---------------------------------------------------------------- invariants

const liveLeads = (s: ItemState) => s.assignments.filter((a) => a.role === 'lead' && a.status !== 'returned');

function checkState(s: ItemState) {
  const where = `(${s.status})`;
  must(ITEM_STATUSES.includes(s.status), `unknown status ${s.status}`);
  must(s.id === ITEM_ID && s.assigningUnitId === OFFICE, 'identity changed');
  must(Number.isInteger(s.progress) && s.progress >= 0 && s.progress <= 100, `progress ${s.progress}`);
  const units = s.assignments.map((a) => a.unitId);
  must(new Set(units).size === units.length, `a unit is assigned twice ${where}`);
  const leads = liveLeads(s);
  must(leads.length <= 1, `two live leads ${where}`);
  for (const a of s.assignments) {
    must(a.progress >= 0 && a.progress <= 100, `assignment progress ${a.progress}`);
    must(!a.pendingExtension || a.status === 'accepted', `extension pending on a ${a.status} assignment`);
    must(a.status !== 'accepted' || a.acceptedAt !== null, 'accepted without acceptedAt');
    must(a.status === 'returned' || a.deadline <= s.deadline, `sub-deadline ${a.deadline} > ${s.deadline}`);
  }
  // 挂起 remembers where it came from, and only then.
  must((s.status === 'suspended') === (s.statusBeforeSuspend !== null), `statusBeforeSuspend ${where}`);
  must(s.statusBeforeSuspend !== 'suspended', 'suspended before suspend');
  const working = s.status === 'suspended' ? s.statusBeforeSuspend : s.status;
  if (working && (ACTIVE_STATUSES.includes(working) || working === 'completed' || working === 'evaluated'))
    must(leads.length === 1, `no live lead while ${working}`);
  if (working === 'dispatched') must(leads[0]?.status === 'pending', 'dispatched with the lead accepted');
  if (working === 'in_progress' || working === 'completion_requested')
    must(leads[0]?.status === 'accepted', `${working} without an accepted lead`);
  if (working === 'completion_requested') {
    must(!s.assignments.some((a) => a.status === 'pending'), 'a unit pending at 申请办结');
    must(s.completionRequest !== null, 'completion_requested without a request');
  }
  if (working === 'completed' || working === 'evaluated')
    must(s.completedAt !== null && s.progress === 100, `${working} but progress ${s.progress}`);
  if (working === 'evaluated' || (s.status === 'archived' && s.evaluation)) {
    const score = s.evaluation?.score ?? -1;
    must(score >= 0 && score <= 100, `score ${score}`);
  }
  if (s.status === 'archived') must(s.archivedAt !== null, 'archived without archivedAt');
  if (s.assignments.length > 0) must(s.dispatchedAt !== null, 'assignments without dispatchedAt');
}

function checkRefusal(r: Refusal) {
  expect(REFUSAL_CODES).toContain(r.code);
  expect(r.reason.length).toBeGreaterThan(0);
  expect(r.zh.trim().length).toBeGreaterThan(0);
  expect(r.en.trim().length).toBeGreaterThan(0);
  if (r.code === 'VALIDATION_FAILED') expect(r.field, 'a 400 names its field').toBeTruthy();
}

const reached = new Set<ItemStatus>();
const succeeded = new Set<ItemAction>();

function run(initial: ItemState, steps: Step[]) {
  let state = deepFreeze(initial);
  let now = START;
  let suspendedFrom: ItemStatus | null = null;
  checkState(state);
  for (const [n, s] of steps.entries()) {
    now = new Date(now.getTime() + s.advanceDays * 86_400_000);
    const today = shanghaiDate(now);

    // allowedActions is exactly the set guard() lets through, for everyone.
    const pairs: [Participant, ItemAction][] = [];
    for (const p of PARTICIPANTS) {
      const allowed = allowedActions(state, p);
      for (const a of ITEM_ACTIONS)
        must(
          allowed.includes(a) === (guard(state, a, p) === null),
          `allowedActions and guard disagree on ${a} for ${p.userId} in ${state.status}`,
        );
      for (const a of allowed) pairs.push([p, a]);
    }
    // Guided steps mostly move the item along rather than commenting on it.
    const moving = pairs.filter(([, a]) => !SIDE_ACTIONS.includes(a));
    const pool = s.guided === 'forward' && moving.length > 0 ? moving : pairs;
    const chosen = s.guided !== 'random' && pool.length > 0 ? pool[s.pick % pool.length] : undefined;
    const p = chosen?.[0] ?? participantAt(s.actor);
    const action = chosen?.[1] ?? ITEM_ACTIONS[s.action] ?? 'comment';
    const cmd = commandFor(action, s.bag, state, p, today, n);
    const blocked = guard(state, action, p);

    let result: ReturnType<typeof transition>;
    try {
      result = transition(state, cmd, p, now, CAL);
    } catch (err) {
      throw new Error(`transition threw on ${action} by ${p.userId} in ${state.status}: ${String(err)}`);
    }

    if (!result.ok) {
      checkRefusal(result.refusal);
      if (blocked) {
        // What allowedActions leaves out is refused, with guard()'s own answer.
        expect(result.refusal).toEqual(blocked);
      } else {
        // Past the guard only the payload can be wrong, and the refusal says which field.
        expect(result.refusal.code).not.toBe('FORBIDDEN');
        expect(result.refusal.field, `${action}: ${result.refusal.reason}`).toBeTruthy();
      }
      if (action === 'dispatch' && cmd.action === 'dispatch' && !blocked)
        expect(dispatchIsValid(cmd.assignments, today, state.deadline)).toBe(false);
      continue;
    }

    expect(blocked, `${action} succeeded although guard refused it`).toBeNull();
    const before = state;
    const after = deepFreeze(result.state);
    succeeded.add(action);
    reached.add(after.status);

    // Every success leaves a trail on this item, led by the action's own event.
    expect(result.events.length).toBeGreaterThanOrEqual(1);
    expect(result.events[0]?.type).toBe(EVENT_OF[action]);
    for (const e of result.events) expect(e.itemId).toBe(before.id);

    checkState(after);

    if (STATE_NEUTRAL.includes(action)) expect(after).toEqual(before);
    if (before.status === 'archived') {
      expect(STATE_NEUTRAL, `${action} succeeded on an archived item`).toContain(action);
      expect(after.status).toBe('archived');
    }
    if (before.status === 'cancelled') expect(['archive', 'comment', 'instruct']).toContain(action);
    if (cmd.action === 'dispatch') {
      // Against the deadline after the dispatch: re-dispatching a returned item restarts its clock and
      // moves the item's deadline on by the pause, so a unit may be given a date past the old one.
      expect(dispatchIsValid(cmd.assignments, today, after.deadline)).toBe(true);
      expect(after.deadline >= before.deadline).toBe(true);
      expect(liveLeads(after).length, 'exactly one live lead after 交办').toBe(1);
      expect(after.assignments.filter((a) => a.status !== 'returned').length).toBe(cmd.assignments.length);
      expect(['dispatched', 'in_progress']).toContain(after.status);
    }
    if (action === 'request-completion')
      expect(before.assignments.some((a) => a.status === 'pending')).toBe(false);
    if (action === 'suspend') suspendedFrom = before.status;
    if (action === 'resume') {
      expect(after.status, 'resume restores the status before suspend').toBe(suspendedFrom);
      suspendedFrom = null;
    }
    if (action === 'cancel') suspendedFrom = null;
    state = after;
  }
}

// ---------------------------------------------------------------- properties

describe('transition() over random command sequences', () => {
  it('keeps every invariant, never throws, and types every refusal', () => {
    fc.assert(
      fc.property(initialState, fc.array(step, { minLength: 1, maxLength: 40 }), (init, steps) =>
        run(init, steps),
      ),
      { numRuns: 1000 },
    );
    // The walk must not be vacuous: it reached the end of the closed loop and the side branches.
    for (const s of [
      'returned',
      'completion_requested',
      'evaluated',
      'archived',
      'suspended',
      'cancelled',
    ] as const)
      expect(reached, `never reached ${s}`).toContain(s);
    expect([...ITEM_ACTIONS].filter((a) => !succeeded.has(a))).toEqual([]);
  });

  it('refuses a malformed 交办 plan with VALIDATION_FAILED naming the field, whatever else holds', () => {
    fc.assert(
      fc.property(initialState, wildPlan, fc.integer({ min: 0, max: 30 }), (init, plan, days) => {
        const state = deepFreeze({ ...init, status: 'registered' as const });
        const now = new Date(START.getTime() + days * 86_400_000);
        const today = shanghaiDate(now);
        const assignments = plan.map((e) => ({
          unitId: unitAt(e.unit),
          role: e.role,
          deadline: resolveDeadline(e.deadline, today, state.deadline),
        }));
        const sup = participantAt(0);
        const r = transition(state, { action: 'dispatch', assignments }, sup, now, CAL);
        expect(r.ok).toBe(dispatchIsValid(assignments, today, state.deadline));
        if (!r.ok) {
          expect(r.refusal.code).toBe('VALIDATION_FAILED');
          expect(r.refusal.field).toMatch(/^assignments(\.\d+\.(unitId|deadline))?$/);
        }
      }),
      { numRuns: 500 },
    );
  });

  it('refuses a report naming an indicator the item does not have', () => {
    fc.assert(
      fc.property(
        fc.subarray([...TARGET_KEYS]),
        fc.array(fc.string({ maxLength: 12 }), { minLength: 1, maxLength: 4 }),
        fc.integer({ min: 0, max: 100 }),
        (keys, indicators, percent) => {
          const lead = participantAt(6);
          const state: ItemState = deepFreeze({
            id: ITEM_ID,
            status: 'in_progress',
            statusBeforeSuspend: null,
            assigningUnitId: OFFICE,
            deadline: '2027-06-30',
            progress: 10,
            hasChildren: false,
            targets: keys.map((key) => ({ key, name: key, unit: '个', target: 1 })),
            assignments: [
              {
                unitId: lead.unitId,
                role: 'lead',
                deadline: '2027-06-30',
                status: 'accepted',
                progress: 10,
                acceptedAt: START.toISOString(),
                acceptedBy: lead.userId,
                returnReason: null,
                pendingExtension: null,
              },
            ],
            completionRequest: null,
            evaluation: null,
            dispatchedAt: START.toISOString(),
            completedAt: null,
            archivedAt: null,
            clockPausedOn: null,
            urgency: 'normal',
            dueAt: null,
            deadlineRule: null,
            milestones: [],
          });
          const r = transition(
            state,
            {
              action: 'report',
              reportId: 'r',
              percent,
              narrative: 'n',
              problems: '',
              nextSteps: '',
              indicatorValues: indicators.map((key) => ({ key, value: 1 })),
              attachments: [],
              milestonesReached: [],
            },
            lead,
            START,
            CAL,
          );
          const firstUnknown = indicators.findIndex((k) => !(keys as string[]).includes(k));
          if (firstUnknown < 0) {
            expect(r.ok).toBe(true);
            if (r.ok) expect(r.state.progress).toBe(percent);
          } else {
            expect(r.ok).toBe(false);
            if (!r.ok) {
              expect(r.refusal).toMatchObject({ code: 'VALIDATION_FAILED', reason: 'UNKNOWN_INDICATOR' });
              expect(r.refusal.field).toBe(`indicatorValues.${firstUnknown}.key`);
            }
          }
        },
      ),
      { numRuns: 300 },
    );
  });
});

const childArb = fc.record({
  progress: fc.integer({ min: 0, max: 100 }),
  weight: fc.oneof(
    fc.double({ min: Number.MIN_VALUE, max: 1000, noNaN: true }),
    fc.constantFrom(0, -1, 1, 1000),
  ),
  status: fc.constantFrom(...ITEM_STATUSES),
});

describe('rollUpProgress', () => {
  it('stays an integer within 0..100 and ignores cancelled children', () => {
    fc.assert(
      fc.property(
        fc.array(childArb, { maxLength: 12 }),
        fc.array(childArb, { maxLength: 4 }),
        (children, extra) => {
          const p = rollUpProgress(children);
          expect(Number.isInteger(p) && p >= 0 && p <= 100, `rolled up ${p}`).toBe(true);
          const cancelled = extra.map((c) => ({ ...c, status: 'cancelled' as const }));
          expect(rollUpProgress([...cancelled, ...children, ...cancelled])).toBe(p);
          expect(rollUpProgress(children.filter((c) => c.status !== 'cancelled'))).toBe(p);
          if (children.every((c) => c.status === 'cancelled' || c.weight <= 0)) expect(p).toBe(0);
        },
      ),
      { numRuns: 1000 },
    );
  });

  it('counts finished children as 100 and lies between the smallest and largest child', () => {
    fc.assert(
      fc.property(fc.array(childArb, { minLength: 1, maxLength: 12 }), (children) => {
        const counted = children
          .filter((c) => c.status !== 'cancelled' && c.weight > 0)
          .map((c) => (['completed', 'evaluated', 'archived'].includes(c.status) ? 100 : c.progress));
        fc.pre(counted.length > 0);
        const p = rollUpProgress(children);
        expect(p).toBeGreaterThanOrEqual(Math.min(...counted));
        expect(p).toBeLessThanOrEqual(Math.max(...counted));
      }),
      { numRuns: 1000 },
    );
  });
});

describe('compositeScore', () => {
  const score = fc.double({ min: 0, max: 100, noNaN: true });
  it('stays within 0..100, at one decimal, monotone in each criterion', () => {
    fc.assert(
      fc.property(score, score, score, score, (q, t, e, bump) => {
        const s = compositeScore(q, t, e);
        expect(s >= 0 && s <= 100, `score ${s}`).toBe(true);
        expect(Math.round(s * 10) / 10).toBe(s);
        const hi = Math.max(q, bump);
        expect(compositeScore(hi, t, e)).toBeGreaterThanOrEqual(s);
        expect(compositeScore(q, Math.max(t, bump), e)).toBeGreaterThanOrEqual(s);
        expect(compositeScore(q, t, Math.max(e, bump))).toBeGreaterThanOrEqual(s);
      }),
      { numRuns: 1000 },
    );
    expect(compositeScore(100, 100, 100)).toBe(100);
    expect(compositeScore(0, 0, 0)).toBe(0);
  });
});
