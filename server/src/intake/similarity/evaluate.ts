/**
 * Duplicate detection against the labelled pairs (test/fixtures/duplicates/pairs.jsonl):
 * precision, recall and F1 at the chosen threshold and a small sweep.
 * `npm run eval:duplicates --workspace server`.
 */
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { compareTexts, type SimilarityText } from './minhash.ts';
import { DUPLICATE_THRESHOLD } from './threshold.ts';

export type LabelledPair = { a: SimilarityText; b: SimilarityText; duplicate: boolean; note: string };
export type Scores = {
  threshold: number;
  precision: number;
  recall: number;
  f1: number;
  tp: number;
  fp: number;
  fn: number;
};

export const PAIRS_FILE = fileURLToPath(
  new URL('../../../test/fixtures/duplicates/pairs.jsonl', import.meta.url),
);

export function loadPairs(file = PAIRS_FILE): LabelledPair[] {
  return fs
    .readFileSync(file, 'utf8')
    .split('\n')
    .filter((l) => l.trim() !== '')
    .map((l) => JSON.parse(l) as LabelledPair);
}

export function scoreAt(scored: { score: number; duplicate: boolean }[], threshold: number): Scores {
  let tp = 0;
  let fp = 0;
  let fn = 0;
  for (const p of scored) {
    const said = p.score >= threshold;
    if (said && p.duplicate) tp++;
    else if (said) fp++;
    else if (p.duplicate) fn++;
  }
  const precision = tp + fp === 0 ? 1 : tp / (tp + fp);
  const recall = tp + fn === 0 ? 1 : tp / (tp + fn);
  const f1 = precision + recall === 0 ? 0 : (2 * precision * recall) / (precision + recall);
  return { threshold, precision, recall, f1, tp, fp, fn };
}

export function evaluatePairs(pairs: LabelledPair[], thresholds: number[]) {
  const scored = pairs.map((p) => ({ ...compareTexts(p.a, p.b), duplicate: p.duplicate, note: p.note }));
  return {
    pairs: pairs.length,
    duplicates: pairs.filter((p) => p.duplicate).length,
    chosen: scoreAt(scored, DUPLICATE_THRESHOLD),
    sweep: thresholds.map((t) => scoreAt(scored, t)),
    scored,
  };
}

const pct = (x: number) => `${(x * 100).toFixed(1)}%`;

if (import.meta.url === `file://${process.argv[1]}`) {
  const result = evaluatePairs(loadPairs(), [0.12, 0.15, 0.18, 0.2, 0.22, 0.25, 0.3, 0.4]);
  console.log(
    `重复督办识别评测 / duplicate detection: ${result.pairs} pairs, ${result.duplicates} duplicates (${path.relative(process.cwd(), PAIRS_FILE)})`,
  );
  const c = result.chosen;
  console.log(
    `threshold ${c.threshold}: precision ${pct(c.precision)}  recall ${pct(c.recall)}  F1 ${pct(c.f1)}  (tp ${c.tp}, fp ${c.fp}, fn ${c.fn})`,
  );
  console.log('sweep:');
  for (const s of result.sweep)
    console.log(
      `  ${s.threshold.toFixed(2)}  P ${pct(s.precision).padStart(6)}  R ${pct(s.recall).padStart(6)}  F1 ${pct(s.f1).padStart(6)}`,
    );
  if (process.argv.includes('--errors'))
    for (const s of result.scored)
      if (s.score >= c.threshold !== s.duplicate)
        console.log(`${s.duplicate ? 'FN' : 'FP'} ${s.score.toFixed(2)} ${s.note}`);
}
