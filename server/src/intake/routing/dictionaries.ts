import { sql } from 'kysely';
import type { Queryable } from '../../db/client.ts';
import { normalise } from '../similarity/minhash.ts';

/**
 * 三定 responsibility keywords per department key (the keys of org/standard-units.ts), with the
 * categories that department's work usually falls in. The built-in list seeds the
 * routing_dictionaries table; province-level admins edit it there.
 */
export type Dictionary = { key: string; nameZh: string; keywords: string[]; categoryCodes: string[] };

export const DEFAULT_DICTIONARIES: readonly Dictionary[] = [
  {
    key: 'general_office',
    nameZh: '政府办公室',
    keywords: [
      '政务公开',
      '政府常务会议',
      '议定事项',
      '建议提案',
      '人大代表建议',
      '政协提案',
      '综合协调',
      '文电',
      '会务',
    ],
    categoryCodes: ['major-decision', 'npc-cppcc'],
  },
  {
    key: 'development_reform',
    nameZh: '发展和改革',
    keywords: [
      '重点项目',
      '重大项目',
      '项目审批',
      '投资',
      '发展规划',
      '价格',
      '物价',
      '粮食储备',
      '能耗',
      '碳达峰',
      '双碳',
      '社会信用',
      '营商环境',
      '专项债',
    ],
    categoryCodes: ['key-project', 'major-decision', 'business-environment'],
  },
  {
    key: 'finance',
    nameZh: '财政',
    keywords: [
      '财政资金',
      '预算',
      '专项资金',
      '资金拨付',
      '政府采购',
      '国有资产',
      '绩效评价',
      '贴息',
      '补贴资金',
      '债务',
    ],
    categoryCodes: ['major-decision'],
  },
  {
    key: 'housing',
    nameZh: '住房和城乡建设',
    keywords: [
      '老旧小区',
      '小区改造',
      '加装电梯',
      '电梯',
      '物业',
      '住房',
      '保障房',
      '公租房',
      '安置房',
      '建筑工地',
      '施工',
      '燃气',
      '危房',
      '城市更新',
      '房地产',
      '工程质量',
      '建筑垃圾',
    ],
    categoryCodes: ['livelihood', 'key-project', 'work-safety'],
  },
  {
    key: 'education',
    nameZh: '教育',
    keywords: [
      '学校',
      '幼儿园',
      '义务教育',
      '学位',
      '课后服务',
      '校外培训',
      '双减',
      '教师',
      '学生',
      '校园',
      '托育',
    ],
    categoryCodes: ['livelihood'],
  },
  {
    key: 'civil_affairs',
    nameZh: '民政',
    keywords: [
      '养老',
      '养老院',
      '居家养老',
      '低保',
      '救助',
      '社会救助',
      '残疾人',
      '殡葬',
      '婚姻登记',
      '社区',
      '社会组织',
      '困难群众',
    ],
    categoryCodes: ['livelihood'],
  },
  {
    key: 'human_resources',
    nameZh: '人力资源和社会保障',
    keywords: [
      '就业',
      '欠薪',
      '拖欠工资',
      '农民工工资',
      '社保',
      '社会保险',
      '劳动合同',
      '劳动监察',
      '技能培训',
      '人才',
      '养老保险',
    ],
    categoryCodes: ['livelihood', 'public-requests'],
  },
  {
    key: 'natural_resources',
    nameZh: '自然资源和规划',
    keywords: [
      '国土空间规划',
      '用地',
      '土地',
      '耕地保护',
      '违法用地',
      '不动产登记',
      '矿山',
      '地质灾害',
      '测绘',
      '规划许可',
    ],
    categoryCodes: ['key-project', 'ecology'],
  },
  {
    key: 'ecology',
    nameZh: '生态环境',
    keywords: [
      '环境污染',
      '污染',
      '排污',
      '偷排',
      '废气',
      '废水',
      '扬尘',
      '噪声',
      '臭气',
      '空气质量',
      '水质',
      '黑臭',
      '固废',
      '环保督察',
      '生态修复',
      '挥发性有机物',
    ],
    categoryCodes: ['ecology'],
  },
  {
    key: 'transport',
    nameZh: '交通运输',
    keywords: [
      '道路',
      '公路',
      '公交',
      '公交车',
      '地铁',
      '轨道交通',
      '客运',
      '货运',
      '出租车',
      '网约车',
      '交通',
      '桥梁',
      '港口',
      '渔港',
      '停车',
    ],
    categoryCodes: ['key-project', 'livelihood'],
  },
  {
    key: 'water',
    nameZh: '水利',
    keywords: [
      '河道',
      '河湖',
      '水库',
      '山塘',
      '海塘',
      '防汛',
      '排涝',
      '堤防',
      '饮用水',
      '供水',
      '水资源',
      '清淤',
      '河长',
    ],
    categoryCodes: ['ecology', 'work-safety'],
  },
  {
    key: 'agriculture',
    nameZh: '农业农村',
    keywords: [
      '农业',
      '农村',
      '乡村振兴',
      '农田',
      '高标准农田',
      '粮食生产',
      '生猪',
      '动物防疫',
      '农民',
      '农村污水',
      '渔业',
      '种植',
    ],
    categoryCodes: ['major-decision', 'ecology'],
  },
  {
    key: 'commerce',
    nameZh: '商务',
    keywords: [
      '消费',
      '商贸',
      '外贸',
      '跨境电商',
      '招商',
      '外资',
      '农贸市场',
      '夜间经济',
      '商业街区',
      '会展',
    ],
    categoryCodes: ['business-environment'],
  },
  {
    key: 'culture_tourism',
    nameZh: '文化广电旅游',
    keywords: ['文化', '旅游', '景区', '文物', '图书馆', '文化礼堂', '非遗', '广播电视', '演出', '历史街区'],
    categoryCodes: ['livelihood', 'npc-cppcc'],
  },
  {
    key: 'health',
    nameZh: '卫生健康',
    keywords: [
      '医院',
      '医疗',
      '卫生院',
      '医共体',
      '看病',
      '药品',
      '疫情',
      '疾病防控',
      '公共卫生',
      '婴幼儿',
      '医保',
    ],
    categoryCodes: ['livelihood'],
  },
  {
    key: 'emergency',
    nameZh: '应急管理',
    keywords: [
      '安全生产',
      '隐患排查',
      '事故',
      '应急',
      '危险化学品',
      '消防',
      '森林防火',
      '防灾减灾',
      '应急救援',
      '台风',
    ],
    categoryCodes: ['work-safety'],
  },
  {
    key: 'market_regulation',
    nameZh: '市场监督管理',
    keywords: [
      '食品安全',
      '市场监管',
      '企业开办',
      '营业执照',
      '价格欺诈',
      '消费者权益',
      '特种设备',
      '产品质量',
      '抽检',
      '计量',
      '网络餐饮',
    ],
    categoryCodes: ['business-environment', 'work-safety'],
  },
  {
    key: 'data',
    nameZh: '数据',
    keywords: [
      '数字化',
      '数据共享',
      '政务服务',
      '一网通办',
      '全程网办',
      '数字政府',
      '大数据',
      '政务平台',
      '办事',
    ],
    categoryCodes: ['business-environment'],
  },
  {
    key: 'public_security',
    nameZh: '公安',
    keywords: [
      '治安',
      '诈骗',
      '电信诈骗',
      '违停',
      '交通违法',
      '户籍',
      '派出所',
      '报警',
      '打击',
      '非法集资',
      '流浪犬',
    ],
    categoryCodes: ['public-requests', 'work-safety'],
  },
  {
    key: 'justice',
    nameZh: '司法',
    keywords: ['法律援助', '普法', '人民调解', '行政复议', '合法性审查', '公证', '社区矫正', '法治'],
    categoryCodes: ['major-decision'],
  },
  {
    key: 'urban_management',
    nameZh: '城市管理（综合行政执法）',
    keywords: [
      '城管',
      '违章搭建',
      '违建',
      '占道经营',
      '油烟',
      '垃圾',
      '垃圾分类',
      '环卫',
      '路灯',
      '市容',
      '公共厕所',
      '户外广告',
      '渣土',
      '噪音扰民',
    ],
    categoryCodes: ['livelihood', 'public-requests'],
  },
];

type Row = { key: string; name_zh: string; keywords: unknown; category_codes: unknown };

const parse = (v: unknown): string[] =>
  typeof v === 'string' ? (JSON.parse(v) as string[]) : (v as string[]);
const toDictionary = (r: Row): Dictionary => ({
  key: r.key,
  nameZh: r.name_zh,
  keywords: parse(r.keywords),
  categoryCodes: parse(r.category_codes),
});

/** Writes the built-in dictionaries whose keys are missing (an edited one is kept). */
export async function ensureDictionaries(db: Queryable, now: Date): Promise<void> {
  for (const d of DEFAULT_DICTIONARIES) {
    await sql`
      insert into routing_dictionaries (key, name_zh, keywords, category_codes, updated_at)
      values (${d.key}, ${d.nameZh}, ${JSON.stringify(d.keywords)}::jsonb, ${JSON.stringify(d.categoryCodes)}::jsonb, ${now})
      on conflict (key) do nothing`.execute(db);
  }
}

export async function listDictionaries(db: Queryable, now: Date): Promise<Dictionary[]> {
  await ensureDictionaries(db, now);
  const rows =
    await sql<Row>`select key, name_zh, keywords, category_codes from routing_dictionaries order by key`.execute(
      db,
    );
  return rows.rows.map(toDictionary);
}

export async function getDictionary(db: Queryable, key: string, now: Date): Promise<Dictionary | undefined> {
  await ensureDictionaries(db, now);
  const rows = await sql<Row>`
    select key, name_zh, keywords, category_codes from routing_dictionaries where key = ${key}`.execute(db);
  const r = rows.rows[0];
  return r ? toDictionary(r) : undefined;
}

export async function saveDictionary(
  db: Queryable,
  d: Dictionary,
  meta: { actorId: string; now: Date },
): Promise<void> {
  await sql`
    update routing_dictionaries set name_zh = ${d.nameZh}, keywords = ${JSON.stringify(d.keywords)}::jsonb,
      category_codes = ${JSON.stringify(d.categoryCodes)}::jsonb, updated_at = ${meta.now}, updated_by = ${meta.actorId}
    where key = ${d.key}`.execute(db);
}

/**
 * Dictionary scores of a text (pure): per key, the summed length of the keywords it contains,
 * normalised to sum 1 over the keys that match (empty when none does).
 */
export function dictionaryScores(dicts: readonly Dictionary[], text: string): Map<string, number> {
  const t = normalise(text);
  const raw = new Map<string, number>();
  let total = 0;
  for (const d of dicts) {
    let s = 0;
    for (const k of d.keywords) {
      const nk = normalise(k);
      if (nk !== '' && t.includes(nk)) s += Array.from(nk).length;
    }
    if (s > 0) {
      raw.set(d.key, s);
      total += s;
    }
  }
  for (const [k, v] of raw) raw.set(k, v / total);
  return raw;
}
