/*
 * 滞后风险模型: L2-regularised logistic regression on standardised features, fitted by batch
 * gradient descent, and the back-test measures (AUC by Mann–Whitney, Brier score). Pure functions:
 * no database here.
 */

export type Vector = number[];

export type Model = {
  version: string;
  features: string[];
  means: number[];
  stds: number[];
  weights: number[];
  bias: number;
};

export type Sample = { x: Vector; y: 0 | 1 };

const sigmoid = (z: number) => 1 / (1 + Math.exp(-Math.max(-40, Math.min(40, z))));

function standardiser(rows: Vector[], width: number) {
  const means = new Array<number>(width).fill(0);
  const stds = new Array<number>(width).fill(0);
  for (const r of rows)
    for (let j = 0; j < width; j++) means[j] = (means[j] ?? 0) + (r[j] ?? 0) / rows.length;
  for (const r of rows)
    for (let j = 0; j < width; j++)
      stds[j] = (stds[j] ?? 0) + ((r[j] ?? 0) - (means[j] ?? 0)) ** 2 / rows.length;
  // A constant feature (std 0) is left centred and unscaled: its weight stays 0 under L2.
  return { means, stds: stds.map((v) => (v > 1e-12 ? Math.sqrt(v) : 1)) };
}

export function standardise(model: Pick<Model, 'means' | 'stds'>, x: Vector): Vector {
  return x.map((v, j) => (v - (model.means[j] ?? 0)) / (model.stds[j] ?? 1));
}

/** Fits the model: full-batch gradient descent on the mean log-loss plus lambda/2·|w|². */
export function train(
  samples: Sample[],
  features: string[],
  opts: { version: string; lambda?: number; rate?: number; iterations?: number } = { version: 'risk' },
): Model {
  const width = features.length;
  const { means, stds } = standardiser(
    samples.map((s) => s.x),
    width,
  );
  const xs = samples.map((s) => standardise({ means, stds }, s.x));
  const lambda = opts.lambda ?? 0.05;
  const rate = opts.rate ?? 0.3;
  const weights = new Array<number>(width).fill(0);
  const positives = samples.filter((s) => s.y === 1).length;
  // Start at the base rate, so a feature-less model predicts it.
  let bias = Math.log((positives + 0.5) / (samples.length - positives + 0.5));
  const n = Math.max(1, samples.length);
  for (let it = 0; it < (opts.iterations ?? 1500); it++) {
    const grad = new Array<number>(width).fill(0);
    let gb = 0;
    for (let i = 0; i < xs.length; i++) {
      const x = xs[i] as Vector;
      let z = bias;
      for (let j = 0; j < width; j++) z += (weights[j] ?? 0) * (x[j] ?? 0);
      const err = sigmoid(z) - (samples[i] as Sample).y;
      gb += err;
      for (let j = 0; j < width; j++) grad[j] = (grad[j] ?? 0) + err * (x[j] ?? 0);
    }
    for (let j = 0; j < width; j++)
      weights[j] = (weights[j] ?? 0) - rate * ((grad[j] ?? 0) / n + lambda * (weights[j] ?? 0));
    bias -= (rate * gb) / n;
  }
  return { version: opts.version, features, means, stds, weights, bias };
}

/** Each feature's share of the score (weight × standardised value), and the probability. */
export function explain(model: Model, x: Vector): { probability: number; contributions: number[] } {
  const z = standardise(model, x);
  const contributions = z.map((v, j) => v * (model.weights[j] ?? 0));
  const probability = sigmoid(model.bias + contributions.reduce((s, c) => s + c, 0));
  return { probability, contributions };
}

export function predict(model: Model, x: Vector): number {
  return explain(model, x).probability;
}

/**
 * AUC as the Mann–Whitney statistic: the chance that a random late case scores above a random
 * on-time one (ties count half). NaN when either class is missing.
 */
export function auc(scores: number[], labels: (0 | 1)[]): number {
  const idx = scores.map((s, i) => ({ s, y: labels[i] ?? 0 })).sort((a, b) => a.s - b.s);
  let rankSumPos = 0;
  let pos = 0;
  let i = 0;
  while (i < idx.length) {
    let j = i;
    while (j + 1 < idx.length && (idx[j + 1] as { s: number }).s === (idx[i] as { s: number }).s) j++;
    const rank = (i + j) / 2 + 1; // average rank of the tie group, 1-based
    for (let k = i; k <= j; k++)
      if ((idx[k] as { y: number }).y === 1) {
        rankSumPos += rank;
        pos++;
      }
    i = j + 1;
  }
  const neg = idx.length - pos;
  if (pos === 0 || neg === 0) return Number.NaN;
  return (rankSumPos - (pos * (pos + 1)) / 2) / (pos * neg);
}

/** Mean squared error of the probabilities. */
export function brier(scores: number[], labels: (0 | 1)[]): number {
  if (scores.length === 0) return Number.NaN;
  return scores.reduce((s, p, i) => s + (p - (labels[i] ?? 0)) ** 2, 0) / scores.length;
}

export type RiskLevel = 'low' | 'medium' | 'high';

/** 低 < 0.3 ≤ 中 < 0.6 ≤ 高. */
export function levelOf(probability: number): RiskLevel {
  if (probability < 0.3) return 'low';
  if (probability < 0.6) return 'medium';
  return 'high';
}
