import crypto from 'node:crypto';
import type { Calendar } from '../calendar/calendar.ts';
import type { Queryable } from '../db/client.ts';
import { shanghaiDate } from '../shared/time.ts';
import {
  FEATURE_LABELS,
  FEATURES,
  featuresAt,
  forEachHistoryBatch,
  HISTORY_BATCH,
  type ItemHistory,
  lateLabel,
  loadUnitRecord,
  nationalCalendar,
  SCORED_STATUSES,
  type UnitRecord,
  unitRecord,
} from './features.ts';
import { auc, brier, explain, levelOf, type Model, predict, type Sample, train } from './model.ts';
import { riskDb } from './tables.ts';

/*
 * Back-test, training and scoring. The back-test takes snapshots at a quarter, half and three
 * quarters of the first deadline span of every item whose outcome is known (closed, or open past
 * its deadline), trains on the items with the earlier deadlines and tests on the later ones (a time
 * split). The model stored for scoring is then refitted on all snapshots.
 */

export const SNAPSHOT_SHARES = [0.25, 0.5, 0.75];
/** Share of the labelled items (by deadline) the back-test trains on. */
export const TRAIN_SHARE = 0.7;

export type Snapshot = Sample & { itemId: string; deadline: string; at: Date };

type Counts = { items: number; snapshots: number; late: number };

export type Metrics = {
  /** The single time split: trained on the first TRAIN_SHARE of the items by deadline, tested on the rest. */
  auc: number | null;
  brier: number | null;
  train: Counts;
  test: Counts;
  /**
   * Rolling origin: the items after the first ROLLING_START (by deadline) in ROLLING_FOLDS folds,
   * each scored by a model trained on all items before it; AUC and Brier over the pooled scores.
   */
  rolling: { auc: number | null; brier: number | null; folds: number; test: Counts };
  /** 'fitted' or, when history is too thin to fit, 'prior' (fixed weights). */
  kind: 'fitted' | 'prior';
};

/** The snapshots of every item whose outcome `now` knows, in deadline order. */
export function backtestSnapshots(histories: ItemHistory[], now: Date, cal: Calendar): Snapshot[] {
  return sortSnapshots(snapshotsOf(histories, now, cal, unitRecord(histories)));
}

/**
 * backtestSnapshots over every dispatched item of the database, in two passes a batch of histories
 * at a time (forEachHistoryBatch): the units' records first, then the snapshots against them. Only
 * the snapshots are held, never every history at once.
 */
export async function loadBacktestSnapshots(
  db: Queryable,
  now: Date,
  batch = HISTORY_BATCH,
): Promise<Snapshot[]> {
  const cal = await nationalCalendar(db);
  const units = await loadUnitRecord(db, batch);
  const snapshots: Snapshot[] = [];
  await forEachHistoryBatch(
    db,
    (histories) => {
      for (const s of snapshotsOf(histories, now, cal, units)) snapshots.push(s);
    },
    batch,
  );
  return sortSnapshots(snapshots);
}

/** Deadline order (then item; an item's snapshots stay in time order). */
function sortSnapshots(snapshots: Snapshot[]): Snapshot[] {
  return snapshots.sort((a, b) => a.deadline.localeCompare(b.deadline) || a.itemId.localeCompare(b.itemId));
}

/** The snapshots of some of the items, against the unit record of them all. */
function snapshotsOf(histories: ItemHistory[], now: Date, cal: Calendar, units: UnitRecord): Snapshot[] {
  const today = shanghaiDate(now);
  const out: Snapshot[] = [];
  for (const h of histories) {
    const y = lateLabel(h, today);
    if (y === null) continue;
    const first = h.deadlines[0]?.deadline ?? h.finalDeadline;
    const end = Math.min((h.completedAt ?? now).getTime(), now.getTime());
    const deadlineAt = new Date(`${first}T18:00:00+08:00`).getTime();
    for (const share of SNAPSHOT_SHARES) {
      const t = h.start.getTime() + share * (deadlineAt - h.start.getTime());
      if (t <= h.start.getTime() || t >= end) continue;
      const at = new Date(t);
      out.push({ itemId: h.id, deadline: h.finalDeadline, at, x: featuresAt(h, at, units, cal), y });
    }
  }
  return out;
}

/** Splits snapshots by item: the first `share` of the items (by deadline) train, the rest test. */
export function timeSplit(
  snapshots: Snapshot[],
  share = TRAIN_SHARE,
): { train: Snapshot[]; test: Snapshot[] } {
  const items = [...new Set(snapshots.map((s) => s.itemId))];
  const cut = Math.floor(items.length * share);
  const trainIds = new Set(items.slice(0, cut));
  return {
    train: snapshots.filter((s) => trainIds.has(s.itemId)),
    test: snapshots.filter((s) => !trainIds.has(s.itemId)),
  };
}

export const ROLLING_START = 0.4;
export const ROLLING_FOLDS = 4;

/** Rolling-origin back-test: each later fold scored by a model of everything before it. */
function rolling(snapshots: Snapshot[], version: string): Metrics['rolling'] {
  const scores: number[] = [];
  const tested: Snapshot[] = [];
  for (let k = 0; k < ROLLING_FOLDS; k++) {
    const from = ROLLING_START + ((1 - ROLLING_START) * k) / ROLLING_FOLDS;
    const to = ROLLING_START + ((1 - ROLLING_START) * (k + 1)) / ROLLING_FOLDS;
    const before = timeSplit(snapshots, from).train;
    const fold = timeSplit(timeSplit(snapshots, to).train, from / to).test;
    const model = usable(before) ? train(before, FEATURES, { version }) : priorModel();
    for (const s of fold) {
      scores.push(predict(model, s.x));
      tested.push(s);
    }
  }
  return {
    ...measure(
      scores,
      tested.map((s) => s.y),
    ),
    folds: ROLLING_FOLDS,
    test: count(tested),
  };
}

/** Fixed weights on the raw features, for a database without enough history to fit a model. */
export function priorModel(): Model {
  const weights = FEATURES.map((f) => {
    switch (f) {
      case 'elapsed_share':
        return 2.5;
      case 'progress':
        return -3;
      case 'days_since_report':
        return 0.5;
      case 'extensions':
        return 0.4;
      case 'returns':
        return 0.3;
      case 'unit_on_time_rate':
        return -1.5;
      default:
        return 0;
    }
  });
  return {
    version: 'prior-1',
    features: FEATURES,
    means: FEATURES.map(() => 0),
    stds: FEATURES.map(() => 1),
    weights,
    bias: -0.25,
  };
}

const count = (s: Snapshot[]) => ({
  items: new Set(s.map((x) => x.itemId)).size,
  snapshots: s.length,
  late: s.filter((x) => x.y === 1).length,
});
const usable = (s: Snapshot[]) => {
  const late = s.filter((x) => x.y === 1).length;
  return s.length >= 20 && late >= 3 && s.length - late >= 3;
};

/** The back-test and the model to store: pure, given the snapshots. */
export function fitAndEvaluate(snapshots: Snapshot[], version: string): { model: Model; metrics: Metrics } {
  const split = timeSplit(snapshots);
  if (!usable(split.train)) {
    const model = priorModel();
    const scores = split.test.map((s) => predict(model, s.x));
    return {
      model,
      metrics: {
        ...measure(
          scores,
          split.test.map((s) => s.y),
        ),
        train: count(split.train),
        test: count(split.test),
        rolling: rolling(snapshots, version),
        kind: 'prior',
      },
    };
  }
  const backtest = train(split.train, FEATURES, { version });
  const scores = split.test.map((s) => predict(backtest, s.x));
  const model = train(snapshots, FEATURES, { version });
  return {
    model,
    metrics: {
      ...measure(
        scores,
        split.test.map((s) => s.y),
      ),
      train: count(split.train),
      test: count(split.test),
      rolling: rolling(snapshots, version),
      kind: 'fitted',
    },
  };
}

function measure(scores: number[], labels: (0 | 1)[]) {
  const a = auc(scores, labels);
  const b = brier(scores, labels);
  return { auc: Number.isFinite(a) ? a : null, brier: Number.isFinite(b) ? b : null };
}

/** Back-tests on the database's history, stores the model and returns it with its metrics. */
export async function trainRiskModel(
  db: Queryable,
  now: Date,
  batch = HISTORY_BATCH,
): Promise<{ model: Model; metrics: Metrics }> {
  const snapshots = await loadBacktestSnapshots(db, now, batch);
  const version = `risk-${now.toISOString().slice(0, 19).replace(/[-:T]/g, '')}-${crypto.randomBytes(3).toString('hex')}`;
  const result = fitAndEvaluate(snapshots, version);
  await riskDb(db)
    .insertInto('risk_models')
    .values({
      version: result.model.version === 'prior-1' ? `${version}-prior` : version,
      trained_at: now,
      params: JSON.stringify(result.model),
      metrics: JSON.stringify(result.metrics),
    })
    .execute();
  return result;
}

export type StoredModel = { version: string; trainedAt: Date; model: Model; metrics: Metrics };

export async function latestModel(db: Queryable): Promise<StoredModel | null> {
  const row = await riskDb(db)
    .selectFrom('risk_models')
    .selectAll()
    .orderBy('trained_at', 'desc')
    .orderBy('version', 'desc')
    .limit(1)
    .executeTakeFirst();
  if (!row) return null;
  return {
    version: row.version,
    trainedAt: new Date(row.trained_at),
    model: row.params as Model,
    metrics: row.metrics as Metrics,
  };
}

export type TopFactor = { feature: string; zh: string; en: string; value: number; contribution: number };

/** The score of one item at `now`, with its three strongest risk-raising factors. */
export function scoreItem(model: Model, h: ItemHistory, now: Date, units: UnitRecord, cal: Calendar) {
  const x = featuresAt(h, now, units, cal);
  const { probability, contributions } = explain(model, x);
  const top: TopFactor[] = contributions
    .map((c, j) => ({ c, j }))
    .filter((e) => e.c > 0.05)
    .sort((a, b) => b.c - a.c)
    .slice(0, 3)
    .map(({ c, j }) => {
      const feature = model.features[j] ?? '';
      const label = FEATURE_LABELS[feature] ?? { zh: feature, en: feature };
      return { feature, ...label, value: round(x[j] ?? 0), contribution: round(c) };
    });
  const features = Object.fromEntries(model.features.map((f, j) => [f, round(x[j] ?? 0)]));
  return { probability, level: levelOf(probability), features, top };
}

const round = (v: number) => Math.round(v * 1000) / 1000;

/**
 * Scores every open item under the latest model (training one first when there is none) and
 * stores the scores; rows of items no longer open are removed. Idempotent: a second run writes
 * the same rows (upsert), so two workers rescoring at once do no harm.
 */
export async function scoreOpenItems(
  db: Queryable,
  now: Date,
  batch = HISTORY_BATCH,
): Promise<{ scored: number; version: string }> {
  let stored = await latestModel(db);
  if (!stored) {
    await trainRiskModel(db, now, batch);
    stored = await latestModel(db);
  }
  if (!stored) throw new Error('risk: no model after training');
  const { model, version } = stored;
  // The units' records from a first pass; then, in one transaction, the open items scored a batch
  // at a time. Each batch covers an id range of the items: rows of that range not scored now (the
  // item closed, or was never dispatched) are removed, so the table ends as one whole pass left it.
  const cal = await nationalCalendar(db);
  const units = await loadUnitRecord(db, batch);
  let scored = 0;
  await db.transaction().execute(async (tx) => {
    const rdb = riskDb(tx);
    let after: string | undefined;
    const removeGone = async (upTo: string | undefined, keep: string[]) => {
      let q = rdb.deleteFrom('item_risk');
      if (after !== undefined) q = q.where('item_id', '>', after);
      if (upTo !== undefined) q = q.where('item_id', '<=', upTo);
      if (keep.length > 0) q = q.where('item_id', 'not in', keep);
      await q.execute();
    };
    await forEachHistoryBatch(
      tx,
      async (histories, lastItemId) => {
        const open = histories.filter((h) => (SCORED_STATUSES as readonly string[]).includes(h.status));
        const rows = open.map((h) => {
          const s = scoreItem(model, h, now, units, cal);
          return {
            item_id: h.id,
            lead_unit_id: h.leadUnitId,
            probability: s.probability,
            level: s.level,
            factors: JSON.stringify({ features: s.features, top: s.top }),
            scored_at: now,
            model_version: version,
          };
        });
        await removeGone(
          lastItemId,
          rows.map((r) => r.item_id),
        );
        after = lastItemId;
        for (let i = 0; i < rows.length; i += 500)
          await rdb
            .insertInto('item_risk')
            .values(rows.slice(i, i + 500))
            .onConflict((oc) =>
              oc.column('item_id').doUpdateSet((eb) => ({
                lead_unit_id: eb.ref('excluded.lead_unit_id'),
                probability: eb.ref('excluded.probability'),
                level: eb.ref('excluded.level'),
                factors: eb.ref('excluded.factors'),
                scored_at: eb.ref('excluded.scored_at'),
                model_version: eb.ref('excluded.model_version'),
              })),
            )
            .execute();
        scored += rows.length;
      },
      batch,
    );
    await removeGone(undefined, []);
  });
  return { scored, version };
}
