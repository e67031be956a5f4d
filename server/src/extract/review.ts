import {
  type CreateItemInput,
  type ExtractCreateInput,
  ExtractCreateRow,
  type ExtractCreateRowInput,
} from '@duban/schema';
import type { Queryable, Tx } from '../db/client.ts';
import { fieldIssuesFromZod } from '../http/problem.ts';
import { insertIntake, recordDecision } from '../intake/store.ts';
import { createItem } from '../items/create-item.ts';
import { performAction } from '../items/perform-action.ts';
import { unitIdsInScopeQuery } from '../org/scope.ts';
import { listUnits } from '../org/units.ts';
import type { Actor } from '../shared/actor.ts';
import { DomainError } from '../shared/errors.ts';
import { shanghaiDate } from '../shared/time.ts';
import { documentYear } from './document-year.ts';
import { extractItems } from './extract.ts';
import { buildUnitIndex, matchUnit, type UnitIndex } from './normalise-unit.ts';
import type { ExtractedItem } from './types.ts';

/** A unit name as written, with the unit of the caller's scope it was matched to (null: none). */
export type ReviewUnit = { name: string; unitId: string | null; canonical: string | null };

/** 候选事项 for the review screen: the extractor's item, its units matched, unmatched names flagged. */
export type ReviewCandidate = ExtractedItem & {
  leadUnits: ReviewUnit[];
  collaboratorUnits: ReviewUnit[];
  /** Names that matched no unit (or several) of the caller's scope: the reviewer must pick one. */
  unmatched: string[];
};

/** The units of the actor's region and below, indexed for the extractor's unit normaliser. */
async function scopeUnitIndex(db: Queryable, actor: Actor): Promise<UnitIndex> {
  const units = await listUnits(db, { regionCode: actor.regionCode, subtree: true, limit: 1_000_000 });
  return buildUnitIndex(
    units.map((u) => ({ id: u.id, name: u.name, shortName: u.shortName, regionName: u.regionName })),
  );
}

/** Runs the extractor on the text and matches each written unit name against the actor's scope. */
export async function reviewCandidates(
  db: Queryable,
  actor: Actor,
  text: string,
  year?: number,
): Promise<{ documentYear: number | null; candidates: ReviewCandidate[] }> {
  const docYear = year ?? documentYear(text);
  const items = extractItems(text, { year: docYear });
  const index = await scopeUnitIndex(db, actor);
  const match = (name: string): ReviewUnit => {
    const m = matchUnit(index, name);
    return { name, unitId: m?.unitId ?? null, canonical: m?.canonical ?? null };
  };
  const candidates = items.map((item) => {
    const leadUnits = item.lead.map(match);
    const collaboratorUnits = item.collaborators.map(match);
    const unmatched = [...leadUnits, ...collaboratorUnits]
      .filter((u) => u.unitId === null)
      .map((u) => u.name);
    return { ...item, leadUnits, collaboratorUnits, unmatched };
  });
  return { documentYear: docYear, candidates };
}

/** One row's problem in a 批量立项 refused as a whole. */
export type RowError = {
  index: number;
  field: string;
  code: string;
  message: string;
  messageZh: string;
  detail: string;
  detailZh: string;
  duplicates?: unknown;
};

function rowError(index: number, field: string, code: string, zh: string, en: string, extra = {}): RowError {
  return { index, field, code, message: en, messageZh: zh, detail: en, detailZh: zh, ...extra };
}

/** A command's field (body.deadline, body.assignments.0.unitId) as the field of row `index`. */
function rowField(index: number, field: string | undefined): string {
  const prefix = `body.items.${index}`;
  if (!field?.startsWith('body.')) return prefix;
  const rest = field.slice('body.'.length);
  if (rest.startsWith('assignments')) return `${prefix}.leadUnitIds`;
  if (rest.startsWith('title') && !rest.startsWith('title.')) return `${prefix}.title`;
  if (rest.startsWith('content')) return `${prefix}.task`;
  return `${prefix}.${rest}`;
}

/** The title an item gets from its task when the reviewer gave none. */
export function titleOf(task: string): string {
  const t = task.trim().replace(/[。；;，,\s]+$/, '');
  return t.length <= 200 ? t : `${t.slice(0, 199)}…`;
}

/**
 * The intake record's text: the task with where it came from. The item's content is the task
 * alone, since a note shared by every row of a document would make them look like duplicates.
 */
function recordContent(row: ExtractCreateRowInput, documentName: string | undefined): string {
  const notes = [
    documentName ? `来源文件：${documentName}` : null,
    row.deadlineText ? `原文时限：${row.deadlineText}` : null,
    row.citation ? `原文位置：第 ${row.citation.start + 1}–${row.citation.end} 字` : null,
  ].filter((n): n is string => n !== null);
  const note = notes.length > 0 ? `\n\n（${notes.join('；')}）` : '';
  // A record holds at most RECORD_MAX characters: a very long task is cut, the note kept.
  const room = RECORD_MAX - [...note].length;
  const task = [...row.task];
  return (task.length > room ? `${task.slice(0, room - 1).join('')}…` : row.task) + note;
}

/** intake_records.content's limit (migrations/0016_intake.sql). */
const RECORD_MAX = 5000;

type Parsed = { index: number; row: ExtractCreateRowInput };

/**
 * Checks every row without writing: its shape, a lead unit when dispatching, no unit both lead and
 * collaborator, every unit inside the actor's scope, no deadline in the past.
 */
export async function checkRows(
  db: Queryable,
  actor: Actor,
  body: ExtractCreateInput,
  now: Date,
): Promise<{ rows: Parsed[]; errors: RowError[] }> {
  const errors: RowError[] = [];
  const rows: Parsed[] = [];
  const ids = new Set<string>();
  body.items.forEach((raw, index) => {
    const parsed = ExtractCreateRow.safeParse(raw);
    if (!parsed.success) {
      for (const issue of fieldIssuesFromZod(parsed.error.issues, `body.items.${index}`))
        errors.push(rowError(index, issue.field, 'VALIDATION_FAILED', issue.messageZh, issue.message));
      return;
    }
    rows.push({ index, row: parsed.data });
    for (const id of [...parsed.data.leadUnitIds, ...parsed.data.collaboratorUnitIds]) ids.add(id);
  });
  const inScope = new Set(
    ids.size === 0
      ? []
      : (
          await unitIdsInScopeQuery(db, actor)
            .where('units.id', 'in', [...ids])
            .execute()
        ).map((r) => r.id),
  );
  const today = shanghaiDate(now);
  const good: Parsed[] = [];
  for (const p of rows) {
    const { index, row } = p;
    const before = errors.length;
    const f = (name: string) => `body.items.${index}.${name}`;
    if (body.dispatch && row.leadUnitIds.length === 0)
      errors.push(
        rowError(index, f('leadUnitIds'), 'VALIDATION_FAILED', '请选择牵头单位', 'a lead unit is required'),
      );
    const both = row.leadUnitIds.find((id) => row.collaboratorUnitIds.includes(id));
    if (both)
      errors.push(
        rowError(
          index,
          f('collaboratorUnitIds'),
          'VALIDATION_FAILED',
          '同一单位不能既是牵头单位又是配合单位',
          'a unit cannot both lead and collaborate',
        ),
      );
    for (const [key, list] of [
      ['leadUnitIds', row.leadUnitIds],
      ['collaboratorUnitIds', row.collaboratorUnitIds],
    ] as const) {
      const at = list.findIndex((id) => !inScope.has(id));
      if (at >= 0)
        errors.push(
          rowError(
            index,
            f(`${key}.${at}`),
            'VALIDATION_FAILED',
            '单位不存在或不在您的管辖范围内',
            'unknown unit or outside your data scope',
          ),
        );
      if (new Set(list).size !== list.length)
        errors.push(rowError(index, f(key), 'VALIDATION_FAILED', '单位重复', 'a unit is listed twice'));
    }
    if (row.deadline < today)
      errors.push(
        rowError(
          index,
          f('deadline'),
          'VALIDATION_FAILED',
          '办理期限不能早于今天',
          'the deadline is in the past',
        ),
      );
    if (errors.length === before) good.push(p);
  }
  return { rows: good, errors };
}

export type CreatedFromReview = { index: number; id: string; number: string; status: string; title: string };

/**
 * 批量立项 in the caller's transaction: per row, the item (立项, with the duplicate check), its
 * intake record (channel extraction, accepted into the item) and, when asked, its 交办 to the
 * reviewed units — each through the commands that write their own ledger events. Row errors are
 * collected (a domain refusal writes nothing the caller keeps: the caller rolls back on any).
 */
export async function createFromReview(
  tx: Tx,
  actor: Actor,
  body: ExtractCreateInput,
  rows: Parsed[],
  now: Date,
): Promise<{ created: CreatedFromReview[]; errors: RowError[] }> {
  const created: CreatedFromReview[] = [];
  const errors: RowError[] = [];
  for (const { index, row } of rows) {
    try {
      const input: CreateItemInput = {
        title: row.title ?? titleOf(row.task),
        content: row.task,
        source: body.source,
        categoryCode: body.categoryCode,
        urgency: body.urgency,
        sensitivity: 'internal',
        deadline: row.deadline,
        responsiblePersons: [],
        milestones: [],
        targets: row.targets.map((t, i) => ({ key: `target_${i + 1}`, ...t })),
        isPublic: false,
        draft: false,
        ...(row.duplicateOverride ? { duplicateOverride: row.duplicateOverride } : {}),
      };
      const item = await createItem(tx, input, {
        assigningUnitId: actor.unitId,
        actorId: actor.userId,
        now,
        duplicateCheckFor: actor,
      });
      const record = await insertIntake(
        tx,
        {
          channel: 'extraction',
          kind: 'task',
          title: input.title,
          content: recordContent(row, body.documentName),
          regionCode: actor.regionCode,
          categoryCode: body.categoryCode,
        },
        { actorId: actor.userId, now },
      );
      await recordDecision(tx, actor, record, { status: 'accepted', itemId: item.id }, now);
      let status: string = item.status;
      if (body.dispatch) {
        await performAction(tx, actor, {
          itemId: item.id,
          action: 'dispatch',
          body: {
            assignments: [
              ...row.leadUnitIds.map((unitId) => ({ unitId, role: 'lead' })),
              ...row.collaboratorUnitIds.map((unitId) => ({ unitId, role: 'collaborator' })),
            ],
          },
          now,
        });
        status = 'dispatched';
      }
      created.push({ index, id: item.id, number: item.number, status, title: input.title });
    } catch (err) {
      if (!(err instanceof DomainError)) throw err;
      errors.push(
        rowError(index, rowField(index, err.field), err.code, err.messageZh, err.message, {
          ...(err.code === 'DUPLICATE_ITEM' ? { duplicates: err.details?.duplicates } : {}),
        }),
      );
    }
  }
  return { created, errors };
}

/** The refusal of a 批量立项 with row errors: 409 when every row only duplicates open items, else 400. */
export function refusal(errors: RowError[]): DomainError {
  const sorted = [...errors].sort((a, b) => a.index - b.index);
  const first = sorted[0];
  const onlyDuplicates = sorted.every((e) => e.code === 'DUPLICATE_ITEM');
  const rowsWrong = new Set(sorted.map((e) => e.index)).size;
  return new DomainError(
    onlyDuplicates ? 'DUPLICATE_ITEM' : 'VALIDATION_FAILED',
    {
      zh: `批量立项未执行：${rowsWrong} 行有问题，未创建任何事项（第 ${(first?.index ?? 0) + 1} 行：${first?.detailZh ?? ''}）`,
      en: `Nothing created: ${rowsWrong} rows have problems (row ${(first?.index ?? 0) + 1}: ${first?.detail ?? ''})`,
    },
    { field: first?.field ?? 'body.items', details: { errors: sorted } },
  );
}
