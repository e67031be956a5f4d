import { z } from 'zod';
import { extractItems } from './extract.ts';
import type { ExtractedItem } from './types.ts';

/**
 * Scores the extractor against hand-labelled documents (the `dev.jsonl` format: one document a
 * line, `{id, text, year, items: [{task, lead, collaborators, deadline, …}]}`).
 *
 * An extracted item matches a labelled one when their task ranges overlap by at least half of the
 * longer of the two (the labelled task is located in the text by its first occurrence); matching is
 * one-to-one, best overlap first. Precision, recall and F1 count items; lead, collaborator and
 * deadline accuracy are over matched pairs (names compared as sets after folding punctuation and
 * spaces; deadlines as equal ISO dates or both null).
 */
const LabelledItem = z.object({
  task: z.string(),
  lead: z.array(z.string()),
  collaborators: z.array(z.string()),
  deadline: z.string().nullable(),
  kind: z.string().optional(),
});
const LabelledDocument = z.object({
  id: z.string(),
  text: z.string(),
  year: z.number().int().nullable(),
  items: z.array(LabelledItem),
});
export type LabelledItem = z.infer<typeof LabelledItem>;
export type LabelledDocument = z.infer<typeof LabelledDocument>;

export type Scores = {
  documents: number;
  labelled: number;
  extracted: number;
  matched: number;
  precision: number;
  recall: number;
  f1: number;
  leadAccuracy: number;
  collaboratorAccuracy: number;
  deadlineAccuracy: number;
  /** Deadline accuracy over matched items whose labelled deadline is a date. */
  datedDeadlineAccuracy: number;
};

export type DocumentReport = {
  id: string;
  misses: string[];
  spurious: string[];
  wrong: { task: string; field: 'lead' | 'collaborators' | 'deadline'; expected: unknown; got: unknown }[];
};

export function parseLabelled(jsonl: string): LabelledDocument[] {
  return jsonl
    .split('\n')
    .filter((l) => l.trim().length > 0)
    .map((l, i) => {
      const parsed = LabelledDocument.safeParse(JSON.parse(l));
      if (!parsed.success) throw new Error(`line ${i + 1}: ${parsed.error.issues[0]?.message ?? 'invalid'}`);
      return parsed.data;
    });
}

const key = (s: string) => s.replace(/[\s（）()]/g, '');
const sameSet = (a: string[], b: string[]) => {
  const x = new Set(a.map(key));
  const y = new Set(b.map(key));
  return x.size === y.size && [...x].every((v) => y.has(v));
};

type Options = {
  /** Pass each document's labelled year to the extractor instead of letting it find one. */
  useLabelledYear?: boolean;
  /** Leave out labelled items of these kinds (e.g. 'cover_letter_directive'). */
  excludeKinds?: string[];
};

export function evaluate(docs: LabelledDocument[], opts: Options = {}) {
  let labelled = 0;
  let extracted = 0;
  let matched = 0;
  let lead = 0;
  let collaborators = 0;
  let deadline = 0;
  let dated = 0;
  let datedRight = 0;
  const reports: DocumentReport[] = [];
  for (const doc of docs) {
    const gold = doc.items.filter((g) => !opts.excludeKinds?.includes(g.kind ?? ''));
    const predicted = extractItems(doc.text, opts.useLabelledYear ? { year: doc.year } : {});
    labelled += gold.length;
    extracted += predicted.length;
    const pairs = matchItems(doc.text, gold, predicted);
    const report: DocumentReport = { id: doc.id, misses: [], spurious: [], wrong: [] };
    const usedPred = new Set<number>();
    gold.forEach((g, gi) => {
      const pi = pairs.get(gi);
      if (pi === undefined) {
        report.misses.push(g.task);
        return;
      }
      usedPred.add(pi);
      const p = predicted[pi];
      if (!p) return;
      matched++;
      if (sameSet(g.lead, p.lead)) lead++;
      else report.wrong.push({ task: g.task, field: 'lead', expected: g.lead, got: p.lead });
      if (sameSet(g.collaborators, p.collaborators)) collaborators++;
      else
        report.wrong.push({
          task: g.task,
          field: 'collaborators',
          expected: g.collaborators,
          got: p.collaborators,
        });
      if (g.deadline === p.deadline) deadline++;
      else report.wrong.push({ task: g.task, field: 'deadline', expected: g.deadline, got: p.deadline });
      if (g.deadline !== null) {
        dated++;
        if (g.deadline === p.deadline) datedRight++;
      }
    });
    predicted.forEach((p, pi) => {
      if (!usedPred.has(pi)) report.spurious.push(p.task);
    });
    reports.push(report);
  }
  const ratio = (a: number, b: number) => (b === 0 ? 0 : a / b);
  const precision = ratio(matched, extracted);
  const recall = ratio(matched, labelled);
  const scores: Scores = {
    documents: docs.length,
    labelled,
    extracted,
    matched,
    precision,
    recall,
    f1: ratio(2 * precision * recall, precision + recall),
    leadAccuracy: ratio(lead, matched),
    collaboratorAccuracy: ratio(collaborators, matched),
    deadlineAccuracy: ratio(deadline, matched),
    datedDeadlineAccuracy: ratio(datedRight, dated),
  };
  return { scores, reports };
}

/** Labelled index → extracted index, one-to-one, by overlap of task ranges. */
function matchItems(text: string, gold: LabelledItem[], predicted: ExtractedItem[]): Map<number, number> {
  const candidates: { gi: number; pi: number; score: number }[] = [];
  gold.forEach((g, gi) => {
    const start = text.indexOf(g.task);
    if (start < 0) return;
    const end = start + g.task.length;
    predicted.forEach((p, pi) => {
      const ps = p.citation.start;
      const pe = ps + p.task.length;
      const overlap = Math.min(end, pe) - Math.max(start, ps);
      const score = overlap / Math.max(end - start, pe - ps);
      if (score >= 0.5) candidates.push({ gi, pi, score });
    });
  });
  candidates.sort((a, b) => b.score - a.score);
  const pairs = new Map<number, number>();
  const taken = new Set<number>();
  for (const c of candidates) {
    if (pairs.has(c.gi) || taken.has(c.pi)) continue;
    pairs.set(c.gi, c.pi);
    taken.add(c.pi);
  }
  return pairs;
}

const pct = (x: number) => `${(x * 100).toFixed(1)}%`;

/** The scores as a few lines of text (for the eval script). */
export function formatScores(label: string, s: Scores): string {
  return [
    `${label}: ${s.documents} documents, ${s.labelled} labelled items, ${s.extracted} extracted, ${s.matched} matched`,
    `  items     precision ${pct(s.precision)}  recall ${pct(s.recall)}  F1 ${pct(s.f1)}`,
    `  matched   lead ${pct(s.leadAccuracy)}  collaborators ${pct(s.collaboratorAccuracy)}  deadline ${pct(s.deadlineAccuracy)}  (dated deadlines ${pct(s.datedDeadlineAccuracy)})`,
  ].join('\n');
}
