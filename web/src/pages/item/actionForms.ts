import type { ACTION_BODIES, ItemAction } from '@duban/schema';
import type { z } from 'zod';
import type { Messages } from '../../i18n/messages.ts';

/** The request body of an action, as ACTION_BODIES (schema/src/items.ts) defines it. */
export type ActionBody<A extends ItemAction> = z.input<(typeof ACTION_BODIES)[A]>;

/** How a body field is entered. */
export type FieldKind =
  | 'text'
  | 'textarea'
  | 'percent'
  | 'score'
  | 'date'
  | 'extensionUnit'
  | 'assignments'
  | 'attachments'
  | 'indicators'
  | 'milestones'
  | 'children';

export type FieldSpec<A extends ItemAction> = {
  /** A key of the action's body schema: the type check keeps forms and schemas in step. */
  name: keyof ActionBody<A> & string;
  kind: FieldKind;
  label: (t: Messages) => string;
  /** Required by the schema (the server checks it again and says which field is wrong). */
  required: boolean;
};

/**
 * The form of each action: its body fields, or null where the web app has no form yet (the button
 * is shown disabled, so nothing the API allows is hidden).
 */
export const ACTION_FORMS: { [A in ItemAction]: FieldSpec<A>[] | null } = {
  register: [],
  dispatch: [{ name: 'assignments', kind: 'assignments', label: (t) => t.form.assignments, required: true }],
  accept: [],
  return: [{ name: 'reason', kind: 'textarea', label: (t) => t.form.reason, required: true }],
  report: [
    { name: 'percent', kind: 'percent', label: (t) => t.form.percent, required: true },
    { name: 'narrative', kind: 'textarea', label: (t) => t.form.narrative, required: true },
    { name: 'problems', kind: 'textarea', label: (t) => t.form.problems, required: false },
    { name: 'nextSteps', kind: 'textarea', label: (t) => t.form.nextSteps, required: false },
    { name: 'indicatorValues', kind: 'indicators', label: (t) => t.form.indicators, required: false },
    {
      name: 'milestonesReached',
      kind: 'milestones',
      label: (t) => t.form.milestonesReached,
      required: false,
    },
    { name: 'attachments', kind: 'attachments', label: (t) => t.form.attachments, required: false },
  ],
  'request-extension': [
    { name: 'newDeadline', kind: 'date', label: (t) => t.form.newDeadline, required: true },
    { name: 'reason', kind: 'textarea', label: (t) => t.form.reason, required: true },
  ],
  'approve-extension': [
    { name: 'unitId', kind: 'extensionUnit', label: (t) => t.form.unitId, required: true },
    { name: 'comment', kind: 'textarea', label: (t) => t.form.comment, required: false },
  ],
  'reject-extension': [
    { name: 'unitId', kind: 'extensionUnit', label: (t) => t.form.unitId, required: true },
    { name: 'reason', kind: 'textarea', label: (t) => t.form.reason, required: true },
  ],
  'request-completion': [{ name: 'summary', kind: 'textarea', label: (t) => t.form.summary, required: true }],
  'approve-completion': [
    { name: 'comment', kind: 'textarea', label: (t) => t.form.comment, required: false },
  ],
  'reject-completion': [{ name: 'reason', kind: 'textarea', label: (t) => t.form.reason, required: true }],
  evaluate: [
    { name: 'quality', kind: 'score', label: (t) => t.form.quality, required: true },
    { name: 'timeliness', kind: 'score', label: (t) => t.form.timeliness, required: true },
    { name: 'effectiveness', kind: 'score', label: (t) => t.form.effectiveness, required: true },
    { name: 'comment', kind: 'textarea', label: (t) => t.form.comment, required: false },
  ],
  archive: [],
  suspend: [{ name: 'reason', kind: 'textarea', label: (t) => t.form.reason, required: true }],
  resume: [],
  cancel: [{ name: 'reason', kind: 'textarea', label: (t) => t.form.reason, required: true }],
  reopen: [
    { name: 'reason', kind: 'textarea', label: (t) => t.form.reason, required: true },
    { name: 'deadline', kind: 'date', label: (t) => t.form.deadline, required: true },
    { name: 'title', kind: 'text', label: (t) => t.form.title, required: false },
  ],
  // 分解下达: one row per child item for a lower-level unit (title, unit, deadline, weight).
  decompose: [{ name: 'children', kind: 'children', label: (t) => t.consoleTools.children, required: true }],
  instruct: [{ name: 'body', kind: 'textarea', label: (t) => t.form.body, required: true }],
  comment: [{ name: 'body', kind: 'textarea', label: (t) => t.form.body, required: true }],
};

/** Actions that turn work away or stop it: shown as danger buttons. */
export const DANGER_ACTIONS: readonly ItemAction[] = [
  'return',
  'reject-extension',
  'reject-completion',
  'suspend',
  'cancel',
];

/**
 * The form name a server field path (`body.assignments.0.deadline`) belongs to: the longest prefix
 * the form has, or null when the problem is about the request as a whole.
 */
export function formFieldOf(field: string, fields: readonly { name: string; kind: FieldKind }[]) {
  if (!field.startsWith('body.')) return null;
  const path: (string | number)[] = field
    .slice('body.'.length)
    .split('.')
    .map((seg) => (/^\d+$/.test(seg) ? Number(seg) : seg));
  const spec = fields.find((f) => f.name === path[0]);
  if (!spec) return null;
  // Rows of the dispatch list are form fields of their own (assignments.0.deadline).
  if ((spec.kind === 'assignments' || spec.kind === 'children') && path.length === 3) return path;
  return [spec.name];
}
