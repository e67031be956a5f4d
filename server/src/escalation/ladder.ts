import { addWorkingDays, type Calendar } from '../calendar/calendar.ts';
import { addDays } from '../shared/time.ts';

/**
 * 催办与升级: before the deadline a reminder when the light turns yellow and again when it turns
 * red; after it, the escalation ladder — each step a 督办单 (蓝/黄/红) that is a record, a ledger
 * event and a notification. Steps fall due a number of working days after the deadline and are
 * configurable per category (`categories.escalation_ladder`).
 */
export type NoticeColor = 'blue' | 'yellow' | 'red';
export type StepKind = 'urge' | 'interview' | 'deduction' | 'organizational';

export type LadderStep = {
  kind: StepKind;
  name: string;
  color: NoticeColor;
  /** Falls due this many working days after the deadline (1 = the first working day after it). */
  afterWorkingDays: number;
};

export const DEFAULT_LADDER: readonly LadderStep[] = [
  { kind: 'urge', name: '催办通知', color: 'blue', afterWorkingDays: 1 },
  { kind: 'interview', name: '约谈/通报', color: 'yellow', afterWorkingDays: 6 },
  { kind: 'deduction', name: '绩效扣分', color: 'red', afterWorkingDays: 11 },
  { kind: 'organizational', name: '组织处理建议', color: 'red', afterWorkingDays: 21 },
];

export const COLOR_NAMES_ZH: Record<NoticeColor, string> = { blue: '蓝色', yellow: '黄色', red: '红色' };

/** One thing the chase may do for an item: a reminder, a step of the ladder, or a milestone notice. */
export type ChaseEntry =
  | { key: string; kind: 'reminder'; light: 'yellow' | 'red'; dueOn: string }
  | { key: string; kind: 'escalation'; step: number; ladder: LadderStep; dueOn: string }
  | {
      key: string;
      kind: 'milestone';
      phase: 'before' | 'missed';
      index: number;
      name: string;
      date: string;
      dueOn: string;
    };

/** A milestone as the chase sees it (items.milestones). */
export type ChasedMilestone = { name: string; date: string; reachedOn?: string | null };

/**
 * 节点提醒 on the working day before an unreached milestone, and 节点逾期 the day after it if it
 * is still unreached. Keys carry the milestone's date, so a moved milestone is chased afresh.
 */
export function milestoneEntries(cal: Calendar, milestones: readonly ChasedMilestone[]): ChaseEntry[] {
  return milestones.flatMap((m, index): ChaseEntry[] =>
    m.reachedOn
      ? []
      : [
          {
            key: `milestone-${index + 1}-before@${m.date}`,
            kind: 'milestone',
            phase: 'before',
            index,
            name: m.name,
            date: m.date,
            dueOn: addWorkingDays(cal, m.date, -1),
          },
          {
            key: `milestone-${index + 1}-missed@${m.date}`,
            kind: 'milestone',
            phase: 'missed',
            index,
            name: m.name,
            date: m.date,
            dueOn: addDays(m.date, 1),
          },
        ],
  );
}

/** The first day the chase has anything to do: the yellow light, or an earlier milestone notice. */
export function firstChaseOn(
  cal: Calendar,
  yellowOn: string,
  milestones: readonly ChasedMilestone[],
): string {
  return [yellowOn, ...milestoneEntries(cal, milestones).map((e) => e.dueOn)].sort()[0] as string;
}

/**
 * Everything the chase will do for a deadline, in date order. Keys carry the deadline, so a moved
 * deadline (extension, pause) starts a fresh chase while the old records stay on file.
 */
export function chasePlan(
  cal: Calendar,
  deadline: string,
  lights: { yellowOn: string; redOn: string },
  ladder: readonly LadderStep[] = DEFAULT_LADDER,
  milestones: readonly ChasedMilestone[] = [],
): ChaseEntry[] {
  const entries: ChaseEntry[] = [
    { key: `reminder-yellow@${deadline}`, kind: 'reminder', light: 'yellow', dueOn: lights.yellowOn },
    { key: `reminder-red@${deadline}`, kind: 'reminder', light: 'red', dueOn: lights.redOn },
    ...ladder.map(
      (l, i): ChaseEntry => ({
        key: `step-${i + 1}@${deadline}`,
        kind: 'escalation',
        step: i + 1,
        ladder: l,
        dueOn: addWorkingDays(cal, deadline, Math.max(1, l.afterWorkingDays)),
      }),
    ),
    ...milestoneEntries(cal, milestones),
  ];
  return entries.sort((a, b) => (a.dueOn < b.dueOn ? -1 : a.dueOn > b.dueOn ? 1 : 0));
}

/**
 * What is due on `today` and not yet done, and the next day anything will be. A reminder whose
 * window has passed (the red one is due too, or the deadline is gone) is skipped, not sent late:
 * only the most pressing reminder goes out, while every ladder step is recorded. A milestone's
 * 节点提醒 is skipped once its date has passed; its 节点逾期 always goes out.
 */
export function dueEntries(
  plan: readonly ChaseEntry[],
  done: ReadonlySet<string>,
  today: string,
  deadline: string,
): { due: ChaseEntry[]; nextOn: string | null } {
  const open = plan.filter((e) => !done.has(e.key));
  const reached = open.filter((e) => e.dueOn <= today);
  const reminders = reached.filter((e) => e.kind === 'reminder');
  const latestReminder = today > deadline ? undefined : reminders.at(-1);
  const due = reached.filter(
    (e) =>
      e.kind === 'escalation' ||
      e === latestReminder ||
      (e.kind === 'milestone' && (e.phase === 'missed' || today <= e.date)),
  );
  const later = open.filter((e) => e.dueOn > today);
  return { due, nextOn: later[0]?.dueOn ?? null };
}

const KINDS: readonly StepKind[] = ['urge', 'interview', 'deduction', 'organizational'];
const COLORS: readonly NoticeColor[] = ['blue', 'yellow', 'red'];

/** A category's stored ladder, or the default when it is absent or malformed. */
export function ladderOf(stored: unknown): readonly LadderStep[] {
  if (!Array.isArray(stored) || stored.length === 0) return DEFAULT_LADDER;
  const steps: LadderStep[] = [];
  for (const s of stored) {
    const x = s as Partial<LadderStep> | null;
    if (
      !x ||
      !KINDS.includes(x.kind as StepKind) ||
      !COLORS.includes(x.color as NoticeColor) ||
      typeof x.name !== 'string' ||
      !Number.isInteger(x.afterWorkingDays) ||
      (x.afterWorkingDays ?? 0) < 1
    ) {
      return DEFAULT_LADDER;
    }
    steps.push({
      kind: x.kind as StepKind,
      name: x.name,
      color: x.color as NoticeColor,
      afterWorkingDays: x.afterWorkingDays as number,
    });
  }
  return steps;
}
