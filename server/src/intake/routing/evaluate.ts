/**
 * Routing suggestions, k-fold cross-validated over the demo corpus (the generator `duban seed
 * --demo` uses): top-1 and top-3 accuracy of the category and of the lead department.
 * `npm run eval:routing --workspace server`.
 */
import { demoItemDraft } from '../../demo/corpus.ts';
import { createRng } from '../../demo/random.ts';
import { STANDARD_CATEGORIES } from '../../items/categories.ts';
import type { Sample } from './classifier.ts';
import { train } from './classifier.ts';
import { DEFAULT_DICTIONARIES } from './dictionaries.ts';
import { combineCategories, combineLeads } from './service.ts';

/** The demo's department names (corpus-data DEPARTMENTS) → standard department keys. */
const DEMO_DEPARTMENT_KEYS: Record<string, string> = {
  发展改革委: 'development_reform',
  政府办公室: 'general_office',
  司法局: 'justice',
  财政局: 'finance',
  农业农村局: 'agriculture',
  住房城乡建设局: 'housing',
  交通运输局: 'transport',
  自然资源和规划局: 'natural_resources',
  民政局: 'civil_affairs',
  卫生健康委: 'health',
  城市管理局: 'urban_management',
  教育局: 'education',
  政务服务数据管理局: 'data',
  市场监管局: 'market_regulation',
  生态环境局: 'ecology',
  水利局: 'water',
  应急管理局: 'emergency',
  人力资源社会保障局: 'human_resources',
  文化广电旅游局: 'culture_tourism',
};
const REGIONS = ['浙江省', '杭州市', '宁波市', '温州市', '西湖区', '余杭区', '鄞州区', '鹿城区'];

export type LabelledText = { title: string; content: string; category: string; lead?: string };

/**
 * The demo corpus: category in turn as the seed does; the lead department is the one whose head the
 * generator names as responsible (drafts naming none, or a department without a standard key, have
 * no lead label).
 */
export function demoCorpus(n: number, seed = 20261127): LabelledText[] {
  const rng = createRng(seed);
  const out: LabelledText[] = [];
  for (let i = 0; i < n; i++) {
    const category = STANDARD_CATEGORIES[i % STANDARD_CATEGORIES.length]?.code;
    const d = demoItemDraft(rng, {
      regionName: rng.pick(REGIONS),
      ...(category ? { categoryCode: category } : {}),
    });
    const head = d.responsiblePersons[1]?.title ?? '';
    const dept = Object.keys(DEMO_DEPARTMENT_KEYS).find((k) => head.includes(k));
    out.push({
      title: d.title,
      content: d.content,
      category: d.categoryCode,
      ...(dept ? { lead: DEMO_DEPARTMENT_KEYS[dept] } : {}),
    });
  }
  return out;
}

export type Accuracy = { n: number; top1: number; top3: number };

export function crossValidate(corpus: LabelledText[], folds = 5): { category: Accuracy; lead: Accuracy } {
  const acc = { category: { n: 0, hit1: 0, hit3: 0 }, lead: { n: 0, hit1: 0, hit3: 0 } };
  for (let f = 0; f < folds; f++) {
    const trainSet = corpus.filter((_, i) => i % folds !== f);
    const testSet = corpus.filter((_, i) => i % folds === f);
    const catModel = train(
      trainSet.map((t): Sample => ({ title: t.title, content: t.content, label: t.category })),
    );
    const leadModel = train(
      trainSet.flatMap((t): Sample[] =>
        t.lead ? [{ title: t.title, content: t.content, label: t.lead }] : [],
      ),
    );
    for (const t of testSet) {
      const cats = combineCategories(catModel, DEFAULT_DICTIONARIES, t).map((c) => c.label);
      acc.category.n++;
      if (cats[0] === t.category) acc.category.hit1++;
      if (cats.slice(0, 3).includes(t.category)) acc.category.hit3++;
      if (t.lead) {
        const leads = combineLeads(leadModel, DEFAULT_DICTIONARIES, t).map((c) => c.label);
        acc.lead.n++;
        if (leads[0] === t.lead) acc.lead.hit1++;
        if (leads.slice(0, 3).includes(t.lead)) acc.lead.hit3++;
      }
    }
  }
  const of = (a: { n: number; hit1: number; hit3: number }): Accuracy => ({
    n: a.n,
    top1: a.n ? a.hit1 / a.n : 0,
    top3: a.n ? a.hit3 / a.n : 0,
  });
  return { category: of(acc.category), lead: of(acc.lead) };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const corpus = demoCorpus(400);
  const r = crossValidate(corpus, 5);
  const pct = (x: number) => `${(x * 100).toFixed(1)}%`;
  console.log(`智能分派评测 / routing: 5-fold cross-validation over ${corpus.length} demo items`);
  console.log(`category   (n=${r.category.n}): top-1 ${pct(r.category.top1)}  top-3 ${pct(r.category.top3)}`);
  console.log(`lead unit  (n=${r.lead.n}): top-1 ${pct(r.lead.top1)}  top-3 ${pct(r.lead.top3)}`);
}
