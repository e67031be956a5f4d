import type { FormInstance } from 'antd';
import type { Locale } from '../i18n/messages.ts';
import { ApiError, type FieldProblem } from './client.ts';

export type FieldPath = (string | number)[];

/** The field problems of a failed request: `errors[]`, or the single `field` of a domain error. */
export function fieldProblems(err: unknown): FieldProblem[] {
  const problem = err instanceof ApiError ? err.problem : null;
  if (!problem) return [];
  if (problem.errors?.length) return problem.errors;
  return problem.field
    ? [{ field: problem.field, message: problem.detail, messageZh: problem.detailZh }]
    : [];
}

/** `body.milestones.0.date` → ['milestones', 0, 'date']; null when not about the body. */
export function bodyPath(field: string): FieldPath | null {
  if (!field.startsWith('body.') && field !== 'body') return null;
  return field
    .slice('body.'.length)
    .split('.')
    .filter((s) => s !== '')
    .map((s) => (/^\d+$/.test(s) ? Number(s) : s));
}

/**
 * Puts a 400's field problems beside the form's inputs. `place` names the input a body path belongs
 * to (null: none). Returns true when every problem found its input — otherwise the caller shows the
 * whole message above the form.
 */
export function placeFieldErrors(
  form: FormInstance,
  err: unknown,
  locale: Locale,
  place: (path: FieldPath) => FieldPath | null,
): boolean {
  const issues = fieldProblems(err);
  const placed = new Map<string, { name: FieldPath; errors: string[] }>();
  for (const issue of issues) {
    const path = bodyPath(issue.field);
    const name = path ? place(path) : null;
    if (!name) continue;
    const key = JSON.stringify(name);
    const text = locale === 'zh-CN' ? issue.messageZh : issue.message;
    const entry = placed.get(key) ?? { name, errors: [] };
    entry.errors.push(text);
    placed.set(key, entry);
  }
  if (placed.size > 0) form.setFields([...placed.values()]);
  const count = [...placed.values()].reduce((n, e) => n + e.errors.length, 0);
  return issues.length > 0 && count === issues.length;
}
