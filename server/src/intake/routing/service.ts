import { sql } from 'kysely';
import type { Queryable, Tx } from '../../db/client.ts';
import { appendEvents } from '../../events/append.ts';
import { STANDARD_UNITS } from '../../org/standard-units.ts';
import { type NaiveBayesModel, predict, type Sample, train } from './classifier.ts';
import { type Dictionary, dictionaryScores, listDictionaries } from './dictionaries.ts';

export type Target = 'category' | 'lead_unit';
/** Department keys that never lead a 督办 item (the government itself, the supervision office). */
const NOT_LEADS = new Set(['government', 'supervision']);
/** Weight of the trained classifier against the 三定 dictionaries, when a model exists. */
export const MODEL_WEIGHT = 0.6;

/** The standard department key a unit's name ends with (longest suffix wins), if any. */
export function departmentKeyOf(unitName: string): string | undefined {
  let best: { key: string; len: number } | undefined;
  for (const u of STANDARD_UNITS) {
    for (const s of Object.values(u.suffix)) {
      if (s && unitName.endsWith(s) && (!best || s.length > best.len)) best = { key: u.key, len: s.length };
    }
  }
  return best?.key;
}

/** Category scores: the model's probabilities blended with the dictionaries' category votes (pure). */
export function combineCategories(
  model: NaiveBayesModel | undefined,
  dicts: readonly Dictionary[],
  text: { title: string; content: string },
): { label: string; score: number }[] {
  const byKey = new Map(dicts.map((d) => [d.key, d]));
  const votes = new Map<string, number>();
  for (const [key, s] of dictionaryScores(dicts, `${text.title}。${text.content}`)) {
    const codes = byKey.get(key)?.categoryCodes ?? [];
    codes.forEach((c, i) => {
      // The first category listed is the department's main line of work.
      const share = (s * (codes.length - i)) / ((codes.length * (codes.length + 1)) / 2);
      votes.set(c, (votes.get(c) ?? 0) + share);
    });
  }
  return blend(model ? predict(model, text.title, text.content) : [], votes, model !== undefined);
}

/** Lead-department scores: the model's probabilities blended with the dictionary scores (pure). */
export function combineLeads(
  model: NaiveBayesModel | undefined,
  dicts: readonly Dictionary[],
  text: { title: string; content: string },
): { label: string; score: number }[] {
  const dict = dictionaryScores(dicts, `${text.title}。${text.content}`);
  return blend(model ? predict(model, text.title, text.content) : [], dict, model !== undefined).filter(
    (s) => !NOT_LEADS.has(s.label),
  );
}

function blend(
  modelScores: { label: string; score: number }[],
  dict: Map<string, number>,
  haveModel: boolean,
): { label: string; score: number }[] {
  const out = new Map<string, number>();
  const w = haveModel ? (dict.size > 0 ? MODEL_WEIGHT : 1) : 0;
  for (const m of modelScores) out.set(m.label, w * m.score);
  for (const [k, v] of dict) out.set(k, (out.get(k) ?? 0) + (1 - w) * v);
  return [...out]
    .map(([label, score]) => ({ label, score }))
    .sort((a, b) => b.score - a.score || a.label.localeCompare(b.label));
}

/**
 * Past items as training samples: text → category, and text → the department key of the lead unit
 * it was (last) dispatched to. A supervisor who dispatched to another unit than the suggestion made
 * a sample pointing there: the next training learns the correction.
 */
export async function trainingSamples(db: Queryable): Promise<{ category: Sample[]; lead: Sample[] }> {
  const items = await db
    .selectFrom('items')
    .select(['id', 'title', 'content', 'category_code'])
    .where('status', 'not in', ['draft', 'cancelled'])
    .execute();
  const leads = await db
    .selectFrom('assignments as a')
    .innerJoin('units as u', 'u.id', 'a.unit_id')
    .select(['a.item_id', 'u.name'])
    .where('a.role', '=', 'lead')
    .where('a.status', '<>', 'returned')
    .execute();
  const leadOf = new Map(leads.map((l) => [l.item_id, departmentKeyOf(l.name)]));
  const category: Sample[] = [];
  const lead: Sample[] = [];
  for (const i of items) {
    category.push({ title: i.title, content: i.content, label: i.category_code });
    const key = leadOf.get(i.id);
    if (key && !NOT_LEADS.has(key)) lead.push({ title: i.title, content: i.content, label: key });
  }
  return { category, lead };
}

export async function trainModels(tx: Tx, meta: { actorId: string | null; now: Date }) {
  const samples = await trainingSamples(tx);
  const result = {
    category: { samples: samples.category.length, classes: 0 },
    leadUnit: { samples: samples.lead.length, classes: 0 },
    trainedAt: meta.now.toISOString(),
  };
  for (const [target, list, slot] of [
    ['category', samples.category, result.category],
    ['lead_unit', samples.lead, result.leadUnit],
  ] as const) {
    if (list.length === 0) {
      await sql`delete from routing_models where target = ${target}`.execute(tx);
      continue;
    }
    const model = train(list);
    slot.classes = Object.keys(model.classes).length;
    await sql`
      insert into routing_models (target, model, samples, trained_at, trained_by)
      values (${target}, ${JSON.stringify(model)}::jsonb, ${list.length}, ${meta.now}, ${meta.actorId})
      on conflict (target) do update set model = excluded.model, samples = excluded.samples,
        trained_at = excluded.trained_at, trained_by = excluded.trained_by`.execute(tx);
  }
  await appendEvents(
    tx,
    [
      {
        type: 'routing.trained',
        categorySamples: result.category.samples,
        leadUnitSamples: result.leadUnit.samples,
      },
    ],
    { actorId: meta.actorId, at: meta.now },
  );
  return result;
}

async function loadModel(db: Queryable, target: Target): Promise<NaiveBayesModel | undefined> {
  const r = await sql<{ model: unknown }>`select model from routing_models where target = ${target}`.execute(
    db,
  );
  const m = r.rows[0]?.model;
  if (m === undefined) return undefined;
  return (typeof m === 'string' ? JSON.parse(m) : m) as NaiveBayesModel;
}

export async function suggestRouting(
  db: Queryable,
  q: { title: string; content: string; regionCode: string; now: Date },
) {
  const dicts = await listDictionaries(db, q.now);
  const [catModel, leadModel] = [await loadModel(db, 'category'), await loadModel(db, 'lead_unit')];
  const cats = combineCategories(catModel, dicts, q);
  const names = new Map(
    (await db.selectFrom('categories').select(['code', 'name']).execute()).map((c) => [c.code, c.name]),
  );
  const categories = cats
    .filter((c) => names.has(c.label))
    .slice(0, 3)
    .map((c) => ({ code: c.label, nameZh: names.get(c.label) as string, score: round(c.score) }));
  const units = await db
    .selectFrom('units')
    .select(['id', 'name'])
    .where('region_code', '=', q.regionCode)
    .where('active', '=', true)
    .orderBy('sort_order')
    .execute();
  const unitByKey = new Map<string, { id: string; name: string }>();
  for (const u of units) {
    const key = departmentKeyOf(u.name);
    if (key && !unitByKey.has(key)) unitByKey.set(key, u);
  }
  const leadUnits = combineLeads(leadModel, dicts, q)
    .filter((s) => unitByKey.has(s.label))
    .slice(0, 3)
    .map((s) => {
      const u = unitByKey.get(s.label) as { id: string; name: string };
      return { unitId: u.id, name: u.name, departmentKey: s.label, score: round(s.score) };
    });
  return { categories, leadUnits };
}

const round = (x: number) => Math.round(x * 1000) / 1000;
