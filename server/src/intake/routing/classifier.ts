import { textShingles } from '../similarity/minhash.ts';

/**
 * A multinomial naive Bayes classifier over character bigrams (the shingles of the duplicate
 * detector: punctuation and hotline formulae removed), with Laplace smoothing. Small and pure: the
 * model is plain JSON (document and feature counts per class), stored in routing_models.
 */
export type NaiveBayesModel = {
  classes: Record<string, { docs: number; total: number; counts: Record<string, number> }>;
  vocabulary: number;
  docs: number;
};

export type Sample = { title: string; content: string; label: string; weight?: number };

export function features(title: string, content: string): string[] {
  return [...textShingles(title, content)];
}

export function train(samples: readonly Sample[]): NaiveBayesModel {
  const classes: NaiveBayesModel['classes'] = {};
  const vocab = new Set<string>();
  let docs = 0;
  for (const s of samples) {
    const w = s.weight ?? 1;
    let c = classes[s.label];
    if (!c) {
      c = { docs: 0, total: 0, counts: {} };
      classes[s.label] = c;
    }
    c.docs += w;
    docs += w;
    for (const f of features(s.title, s.content)) {
      vocab.add(f);
      c.counts[f] = (c.counts[f] ?? 0) + w;
      c.total += w;
    }
  }
  return { classes, vocabulary: vocab.size, docs };
}

/** Class probabilities for a text, best first (softmax of the log-likelihoods). */
export function predict(
  model: NaiveBayesModel,
  title: string,
  content: string,
): { label: string; score: number }[] {
  const labels = Object.keys(model.classes);
  if (labels.length === 0) return [];
  const fs = features(title, content);
  const v = model.vocabulary + 1;
  const logs = labels.map((label) => {
    const c = model.classes[label] as NaiveBayesModel['classes'][string];
    let lp = Math.log(c.docs / model.docs);
    const denom = Math.log(c.total + v);
    for (const f of fs) lp += Math.log((c.counts[f] ?? 0) + 1) - denom;
    return lp;
  });
  const max = Math.max(...logs);
  const exps = logs.map((l) => Math.exp(l - max));
  const sum = exps.reduce((a, b) => a + b, 0);
  return labels
    .map((label, i) => ({ label, score: (exps[i] as number) / sum }))
    .sort((a, b) => b.score - a.score || a.label.localeCompare(b.label));
}
