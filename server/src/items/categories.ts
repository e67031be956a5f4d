import { type CategoryPatchInput, type NewCategoryInput, URGENCIES, type Urgency } from '@duban/schema';
import type { LightRule } from '../clock/thresholds.ts';
import type { Db, Queryable, Tx } from '../db/client.ts';
import { type LadderStep, ladderOf } from '../escalation/ladder.ts';
import { appendEvents } from '../events/append.ts';
import { DomainError } from '../shared/errors.ts';
import { ruleOf } from './lights.ts';

/**
 * The canonical enums of a supervision item (督办事项) and the standard category taxonomy
 * (督办事项分类标准: 8 大类, each with quantified indicators and acceptance criteria), as the plan
 * asks: “将督办事项划分为‘重大决策部署落实’‘民生实事推进’‘营商环境优化’等8大类，每类明确具体的
 * 量化指标和验收标准”.
 */

// ---------------------------------------------------------------------------------------------
// Taxonomy
// ---------------------------------------------------------------------------------------------

/** key: ascii snake_case, unique across the whole taxonomy. */
export type IndicatorDef = { key: string; name: string; unit: string };

export type CategoryDef = {
  code: string;
  name: string;
  description: string;
  indicators: IndicatorDef[];
  acceptanceCriteria: string;
  sortOrder: number;
};

export const STANDARD_CATEGORIES: readonly CategoryDef[] = [
  {
    code: 'major-decision',
    name: '重大决策部署落实',
    description:
      '党中央、国务院和上级党委政府重大决策部署，以及本级党委政府重要会议、重要文件确定事项的贯彻落实。',
    indicators: [
      { key: 'key_tasks_decomposed', name: '分解落实重点任务', unit: '项' },
      { key: 'supporting_policies_issued', name: '出台配套政策文件', unit: '件' },
      { key: 'milestones_completed', name: '完成阶段性节点任务', unit: '个' },
      { key: 'reform_pilots_launched', name: '开展改革试点', unit: '个' },
      { key: 'key_task_on_time_rate', name: '重点任务按期完成率', unit: '%' },
    ],
    acceptanceCriteria:
      '各项分解任务按时间节点全部完成，配套政策文件正式印发实施；经督查室实地核查和第三方评估，政策实效达到预期目标。',
    sortOrder: 10,
  },
  {
    code: 'key-project',
    name: '重点项目建设',
    description: '列入年度重点建设计划的产业、基础设施和社会事业项目的开工、建设、投产和投资完成情况。',
    indicators: [
      { key: 'projects_started', name: '新开工重点项目', unit: '个' },
      { key: 'projects_completed', name: '建成投用重点项目', unit: '个' },
      { key: 'investment_completed', name: '完成固定资产投资', unit: '万元' },
      { key: 'land_supplied', name: '保障项目建设用地', unit: '亩' },
      { key: 'roads_built', name: '新建改建道路', unit: '公里' },
    ],
    acceptanceCriteria:
      '项目按计划节点开工、竣工并通过验收，年度投资计划足额完成；相关手续齐全，无安全质量事故。',
    sortOrder: 20,
  },
  {
    code: 'livelihood',
    name: '民生实事推进',
    description: '政府工作报告确定的年度民生实事项目，涵盖住房、教育、医疗、养老、托育、交通出行等领域。',
    indicators: [
      { key: 'old_communities_renovated', name: '改造老旧小区', unit: '个' },
      { key: 'elevators_installed', name: '既有住宅加装电梯', unit: '部' },
      { key: 'parking_spaces_added', name: '新增公共停车泊位', unit: '个' },
      { key: 'childcare_places_added', name: '新增普惠性托位', unit: '个' },
      { key: 'elderly_meal_points_built', name: '建成老年助餐点', unit: '个' },
      { key: 'households_benefited', name: '惠及居民', unit: '户' },
    ],
    acceptanceCriteria:
      '实事项目全部建成并投入使用，量化指标全部达标；群众满意度测评不低于90%，回头看无反弹。',
    sortOrder: 30,
  },
  {
    code: 'business-environment',
    name: '营商环境优化',
    description: '深化“放管服”改革、优化政务服务、落实惠企政策、依法保护市场主体合法权益等事项。',
    indicators: [
      { key: 'online_service_items', name: '实现“一网通办”政务服务事项', unit: '项' },
      { key: 'enterprise_requests_resolved', name: '解决企业反映问题', unit: '件' },
      { key: 'tax_fee_relief', name: '新增减税降费', unit: '万元' },
      { key: 'market_entities_benefited', name: '惠及市场主体', unit: '户' },
      { key: 'arrears_cleared', name: '清偿拖欠企业账款', unit: '万元' },
      { key: 'online_service_rate', name: '政务服务事项网上可办率', unit: '%' },
    ],
    acceptanceCriteria:
      '惠企政策兑现到位、企业诉求按期办结；第三方匿名调查企业满意度不低于90%，无新增拖欠问题。',
    sortOrder: 40,
  },
  {
    code: 'ecology',
    name: '生态环境保护',
    description: '中央和省生态环境保护督察反馈问题整改、污染防治攻坚、河湖治理和国土绿化等事项。',
    indicators: [
      { key: 'inspection_issues_rectified', name: '完成督察反馈问题整改', unit: '个' },
      { key: 'black_odorous_waters_eliminated', name: '消除黑臭水体', unit: '处' },
      { key: 'rivers_remediated', name: '综合整治河道', unit: '公里' },
      { key: 'sewage_pipes_built', name: '新建改造污水管网', unit: '公里' },
      { key: 'afforestation_area', name: '新增造林绿化面积', unit: '亩' },
      { key: 'good_air_days_rate', name: '空气质量优良天数比率', unit: '%' },
    ],
    acceptanceCriteria:
      '整改任务逐项销号并经生态环境部门现场核验，环境质量指标达到年度目标，整改成效经公示无异议。',
    sortOrder: 50,
  },
  {
    code: 'work-safety',
    name: '安全生产与应急',
    description: '安全生产专项整治、重大事故隐患排查治理、防汛防台和应急能力建设等事项。',
    indicators: [
      { key: 'hazards_rectified', name: '排查整改安全隐患', unit: '处' },
      { key: 'enterprises_inspected', name: '检查生产经营单位', unit: '家' },
      { key: 'emergency_drills_held', name: '开展应急演练', unit: '场' },
      { key: 'emergency_shelters_built', name: '建成应急避难场所', unit: '个' },
      { key: 'workers_trained', name: '培训从业人员', unit: '人次' },
    ],
    acceptanceCriteria:
      '重大事故隐患全部整改销号、一般隐患整改率达到100%；应急预案完成修订并经演练检验，期内未发生较大及以上生产安全事故。',
    sortOrder: 60,
  },
  {
    code: 'public-requests',
    name: '群众诉求办理',
    description: '12345政务服务便民热线、网民留言、“互联网+督查”平台等渠道反映的群众急难愁盼问题办理。',
    indicators: [
      { key: 'requests_handled', name: '办理群众诉求', unit: '件' },
      { key: 'request_on_time_rate', name: '诉求按期办结率', unit: '%' },
      { key: 'public_satisfaction_rate', name: '群众满意率', unit: '%' },
      { key: 'callbacks_made', name: '电话回访群众', unit: '人次' },
      { key: 'repeat_requests_resolved', name: '化解重复诉求', unit: '件' },
    ],
    acceptanceCriteria: '诉求在规定时限内办结并答复群众，经回访群众满意或基本满意；同类问题未再次集中反映。',
    sortOrder: 70,
  },
  {
    code: 'npc-cppcc',
    name: '人大建议政协提案办理',
    description: '人大代表建议、政协委员提案的交办、办理、答复和跟踪落实。',
    indicators: [
      { key: 'npc_suggestions_handled', name: '办理人大代表建议', unit: '件' },
      { key: 'cppcc_proposals_handled', name: '办理政协委员提案', unit: '件' },
      { key: 'face_to_face_rate', name: '办前办中沟通面商率', unit: '%' },
      { key: 'solved_or_planned_rate', name: '已解决或列入计划解决比率', unit: '%' },
      { key: 'delegate_satisfaction_rate', name: '代表委员满意率', unit: '%' },
    ],
    acceptanceCriteria:
      '在规定时限内书面答复代表委员，答复内容实事求是、措施具体；承诺事项按期兑现，代表委员满意或基本满意。',
    sortOrder: 80,
  },
];

const BY_CODE = new Map(STANDARD_CATEGORIES.map((c) => [c.code, c]));

export function findCategory(code: string): CategoryDef | undefined {
  return BY_CODE.get(code);
}

/**
 * Inserts the standard categories, or brings existing rows with the same code back to the standard
 * definition. Idempotent; categories an administrator added under other codes are left alone.
 */
export async function ensureStandardCategories(db: Db): Promise<void> {
  const rows = STANDARD_CATEGORIES.map((c) => ({
    code: c.code,
    name: c.name,
    description: c.description,
    indicators: JSON.stringify(c.indicators),
    acceptance_criteria: c.acceptanceCriteria,
    sort_order: c.sortOrder,
  }));
  await db
    .insertInto('categories')
    .values(rows)
    .onConflict((oc) =>
      oc.column('code').doUpdateSet((eb) => ({
        name: eb.ref('excluded.name'),
        description: eb.ref('excluded.description'),
        indicators: eb.ref('excluded.indicators'),
        acceptance_criteria: eb.ref('excluded.acceptance_criteria'),
        sort_order: eb.ref('excluded.sort_order'),
      })),
    )
    .execute();
}

// ---------------------------------------------------------------------------------------------
// Administration (督办分类管理): a province-level admin adds categories and edits their name,
// default urgency and indicator templates (what 立项 pre-fills). Each change is a ledger event.
// ---------------------------------------------------------------------------------------------

export type IndicatorTemplate = { key: string; name: string; unit: string; target?: number | null };

export type CategoryView = {
  code: string;
  name: string;
  description: string;
  indicators: IndicatorTemplate[];
  acceptanceCriteria: string;
  defaultUrgency: Urgency | null;
  sortOrder: number;
  /** 分类规则 at a glance (GET …/categories/{code}/rules has the rest). */
  rules: {
    lightRule: LightRule;
    escalationLadder: readonly LadderStep[];
    custom: { lightRule: boolean; escalationLadder: boolean };
  };
};

function indicatorsOf(stored: unknown): IndicatorTemplate[] {
  if (!Array.isArray(stored)) return [];
  return stored.flatMap((i) => {
    if (!i || typeof i !== 'object') return [];
    const r = i as Record<string, unknown>;
    if (typeof r.key !== 'string' || typeof r.name !== 'string') return [];
    return [
      {
        key: r.key,
        name: r.name,
        unit: typeof r.unit === 'string' ? r.unit : '',
        ...(typeof r.target === 'number' ? { target: r.target } : {}),
      },
    ];
  });
}

const urgencyOf = (v: string | null): Urgency | null =>
  v !== null && (URGENCIES as readonly string[]).includes(v) ? (v as Urgency) : null;

function categoryQuery(db: Queryable) {
  return db
    .selectFrom('categories')
    .select([
      'code',
      'name',
      'description',
      'indicators',
      'acceptance_criteria',
      'default_urgency',
      'sort_order',
      'light_rule',
      'escalation_ladder',
    ])
    .orderBy('sort_order')
    .orderBy('code');
}

type CategorySelection = Awaited<ReturnType<ReturnType<typeof categoryQuery>['executeTakeFirstOrThrow']>>;

function present(c: CategorySelection): CategoryView {
  return {
    code: c.code,
    name: c.name,
    description: c.description,
    indicators: indicatorsOf(c.indicators),
    acceptanceCriteria: c.acceptance_criteria,
    defaultUrgency: urgencyOf(c.default_urgency),
    sortOrder: c.sort_order,
    rules: {
      lightRule: ruleOf(c.light_rule),
      escalationLadder: ladderOf(c.escalation_ladder),
      custom: { lightRule: c.light_rule !== null, escalationLadder: c.escalation_ladder !== null },
    },
  };
}

export async function listCategoryViews(db: Queryable): Promise<CategoryView[]> {
  return (await categoryQuery(db).execute()).map(present);
}

export async function getCategoryView(db: Queryable, code: string): Promise<CategoryView> {
  const row = await categoryQuery(db).where('code', '=', code).executeTakeFirst();
  if (!row) throw categoryNotFound();
  return present(row);
}

function categoryNotFound() {
  return new DomainError('CATEGORY_NOT_FOUND', { zh: '督办分类不存在', en: 'Category not found' });
}

async function assertCategoryNameFree(db: Queryable, name: string, exceptCode?: string) {
  let q = db.selectFrom('categories').select('code').where('name', '=', name);
  if (exceptCode !== undefined) q = q.where('code', '<>', exceptCode);
  if (await q.executeTakeFirst()) {
    throw new DomainError(
      'CONFLICT',
      { zh: `已有名为“${name}”的督办分类`, en: `a category named ${name} already exists` },
      { field: 'body.name' },
    );
  }
}

function duplicateCode(code: string) {
  return new DomainError(
    'CONFLICT',
    { zh: `分类代码“${code}”已被使用`, en: `category code ${code} is taken` },
    { field: 'body.code' },
  );
}

const stripIndicators = (list: readonly IndicatorTemplate[]) =>
  list.map((i) => ({
    key: i.key,
    name: i.name,
    unit: i.unit,
    ...(typeof i.target === 'number' ? { target: i.target } : {}),
  }));

export async function createCategory(
  tx: Tx,
  input: NewCategoryInput,
  meta: { actorId: string; at: Date },
): Promise<CategoryView> {
  if (await tx.selectFrom('categories').select('code').where('code', '=', input.code).executeTakeFirst()) {
    throw duplicateCode(input.code);
  }
  await assertCategoryNameFree(tx, input.name);
  const sortOrder =
    input.sortOrder ??
    Number(
      (
        await tx
          .selectFrom('categories')
          .select((eb) => eb.fn.max('sort_order').as('max'))
          .executeTakeFirst()
      )?.max ?? 0,
    ) + 10;
  const row = await tx
    .insertInto('categories')
    .values({
      code: input.code,
      name: input.name,
      description: input.description,
      acceptance_criteria: input.acceptanceCriteria,
      default_urgency: input.defaultUrgency,
      indicators: JSON.stringify(stripIndicators(input.indicators)),
      sort_order: sortOrder,
    })
    // Two concurrent creations of one code: the loser inserts nothing and gets the same 409.
    .onConflict((oc) => oc.column('code').doNothing())
    .returning('code')
    .executeTakeFirst();
  if (!row) throw duplicateCode(input.code);
  await appendEvents(tx, [{ type: 'category.created', code: input.code, name: input.name }], meta);
  return getCategoryView(tx, input.code);
}

export async function updateCategory(
  tx: Tx,
  code: string,
  patch: CategoryPatchInput,
  meta: { actorId: string; at: Date },
): Promise<CategoryView> {
  const current = await categoryQuery(tx).where('code', '=', code).forUpdate().executeTakeFirst();
  if (!current) throw categoryNotFound();
  const view = present(current);
  const diff: Record<string, unknown> = {};
  const set: Record<string, unknown> = {};
  if (patch.name !== undefined && patch.name !== view.name) {
    await assertCategoryNameFree(tx, patch.name, code);
    diff.name = patch.name;
    set.name = patch.name;
  }
  if (patch.description !== undefined && patch.description !== view.description) {
    diff.description = patch.description;
    set.description = patch.description;
  }
  if (patch.acceptanceCriteria !== undefined && patch.acceptanceCriteria !== view.acceptanceCriteria) {
    diff.acceptanceCriteria = patch.acceptanceCriteria;
    set.acceptance_criteria = patch.acceptanceCriteria;
  }
  if (patch.defaultUrgency !== undefined && patch.defaultUrgency !== view.defaultUrgency) {
    diff.defaultUrgency = patch.defaultUrgency;
    set.default_urgency = patch.defaultUrgency;
  }
  if (patch.sortOrder !== undefined && patch.sortOrder !== view.sortOrder) {
    diff.sortOrder = patch.sortOrder;
    set.sort_order = patch.sortOrder;
  }
  if (patch.indicators !== undefined) {
    const next = stripIndicators(patch.indicators);
    if (JSON.stringify(next) !== JSON.stringify(view.indicators)) {
      diff.indicators = next;
      set.indicators = JSON.stringify(next);
    }
  }
  if (Object.keys(diff).length > 0) {
    await tx.updateTable('categories').set(set).where('code', '=', code).execute();
    await appendEvents(tx, [{ type: 'category.updated', code, changes: diff }], meta);
  }
  return getCategoryView(tx, code);
}
