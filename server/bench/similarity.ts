/**
 * 重复督办 lookup at scale: the duplicate index (similarity_index and its postings similarity_bands,
 * migrations 0017 and 0026) filled with the real MinHash band keys of BENCH_DUP_TEXTS synthetic
 * complaint-like texts (the first BENCH_DUP_ITEMS, default 20 000, as items from bulkLoad, the rest
 * as intake records), then the lookup the app makes at registration and in POST
 * /api/v1/duplicates/check (`visibleDuplicateItems` → `findDuplicates`) timed for 200 query texts:
 * half of them rewordings of an indexed case (near-duplicates), half new cases.
 *
 * The texts: 24 problem kinds × 2–3 title and 3 body wordings, places built from 浙江 cities,
 * districts and generated street / community names, concrete specifics (shop, building, duration)
 * and a free remark; about one text in ten re-reports an earlier case in another wording.
 */
import {
  CompiledQuery,
  type KyselyPlugin,
  type PluginTransformQueryArgs,
  type PluginTransformResultArgs,
  PostgresQueryCompiler,
  type QueryResult,
  type RootOperationNode,
  sql,
  type UnknownRow,
} from 'kysely';
import type { DbHandle } from '../src/db/client.ts';
import { createRng, type Rng } from '../src/demo/random.ts';
import {
  findDuplicates,
  OTHER_REGION_FACTOR,
  postingKeys,
  RECENT_POSTINGS,
  WINDOW_DAYS,
} from '../src/intake/similarity/index.ts';
import { bandHashes, jaccard, signature, textShingles } from '../src/intake/similarity/minhash.ts';
import { visibleDuplicateItems } from '../src/intake/similarity/registration.ts';
import { DUPLICATE_THRESHOLD } from '../src/intake/similarity/threshold.ts';
import { bulkLoad } from './bulk.ts';
import { fmt, ms, now, phase, summarize, table } from './lib.ts';
import type { World } from './world.ts';

type Problem = { titles: string[]; bodies: string[]; details: string[] };

/** {p} place, {d} specific, {w} when / how long. */
const PROBLEMS: Problem[] = [
  {
    titles: ['{p}{d}夜间施工噪音扰民', '{d}深夜作业影响{p}居民休息', '投诉{p}{d}违规夜间施工'],
    bodies: [
      '{p}附近的{d}每天到{w}还在施工，机械轰鸣，老人孩子都睡不着。',
      '{d}在{p}一带连续多日夜间作业，{w}以后仍在打桩，未见夜间施工许可公示。',
      '住在{p}，旁边{d}{w}还没停工，打过几次电话没人管，要求夜间停工。',
    ],
    details: ['地铁工地', '商业综合体工地', '安置房项目工地', '道路改造工地', '管网施工队', '学校扩建工地'],
  },
  {
    titles: ['{p}{d}油烟扰民', '投诉{p}{d}油烟直排', '{d}油烟污染{p}住户'],
    bodies: [
      '{p}的{d}没有安装油烟净化设施，{w}油烟直接排到楼上住户家里，窗户都不敢开。',
      '{p}{d}{w}油烟很重，熏得楼上家里全是味道，多次沟通无果。',
      '楼下{d}的排烟管道直接对着{p}居民楼，{w}呛得人喘不过气，希望执法部门上门检查。',
    ],
    details: ['烧烤店', '小龙虾店', '火锅店', '大排档', '川菜馆', '早餐店'],
  },
  {
    titles: ['{p}{d}不亮', '{p}{d}损坏无人修', '{d}故障{p}夜间出行不便'],
    bodies: [
      '{p}的{d}已经坏了{w}，晚上一片漆黑，行人经过很不安全。',
      '{p}{d}{w}没有亮过，报修后一直没人来修，老人晚上出门摔过跤。',
      '{d}损坏：{p}一段约两百米没有照明，{w}了，请城管部门维修。',
    ],
    details: ['主干道路灯', '小区入口路灯', '人行道路灯', '桥下照明灯', '公交站旁路灯'],
  },
  {
    titles: ['{p}停水{w}', '{p}{d}供水不正常', '{p}自来水{d}'],
    bodies: [
      '{p}从{w}开始停水，事先没有通知，家里老人做饭洗漱都成问题。',
      '{p}{d}，已经持续{w}，物业说是管网问题，自来水公司一直没有答复。',
      '{p}{w}水压很低，{d}，高层住户基本接不到水。',
    ],
    details: ['水管爆裂', '水压不足', '水质发黄', '二次供水泵房故障', '管网改造'],
  },
  {
    titles: ['{p}{d}无人清运', '{p}垃圾堆积{w}', '{d}影响{p}环境卫生'],
    bodies: [
      '{p}的{d}{w}没人清运，夏天臭气熏天，苍蝇蚊子很多。',
      '{p}{d}，环卫车{w}没来过，垃圾桶满了都堆在路边。',
      '{d}问题：{p}垃圾{w}未清理，污水横流，居民出行要绕道。',
    ],
    details: ['生活垃圾', '建筑垃圾', '装修垃圾', '大件垃圾', '垃圾中转点'],
  },
  {
    titles: ['{p}消防通道被{d}占用', '{p}{d}堵塞消防通道', '{d}占用{p}消防通道'],
    bodies: [
      '{p}的消防通道长期被{d}占用，{w}都这样，一旦发生火灾消防车根本进不来。',
      '{p}{d}堵塞消防通道{w}，物业劝说无效，存在重大安全隐患。',
      '{d}停放在{p}消防通道上，{w}没有挪过，请消防部门检查。',
    ],
    details: ['私家车', '电动车', '杂物', '快递三轮车', '废旧家具'],
  },
  {
    titles: ['{p}{d}电梯故障', '{p}电梯{w}频繁停运', '{d}电梯困人{p}'],
    bodies: [
      '{p}{d}的电梯{w}坏了好几次，有一次还困了人，物业只是简单修一下。',
      '{p}{d}电梯停运{w}，高层的老人下不了楼，维保单位迟迟不来。',
      '{d}电梯运行时异响抖动，{p}业主{w}反复报修，担心出安全事故。',
    ],
    details: ['3幢', '5幢', '8幢', '12幢', '17幢', '21幢'],
  },
  {
    titles: ['{d}拖欠农民工工资', '{p}{d}欠薪', '讨要{d}工资'],
    bodies: [
      '在{p}{d}干活的工人{w}没有拿到工资，包工头联系不上，涉及二十多人。',
      '{d}拖欠{p}项目务工人员工资{w}，多次讨要无果，家里等着用钱。',
      '{p}{d}的工资{w}未发，公司说要等甲方付款，请劳动监察部门介入。',
    ],
    details: ['装修公司', '建筑工地', '物流公司', '服装厂', '电子厂', '餐饮店'],
  },
  {
    titles: ['{p}路面{d}', '{p}{d}未修复', '{d}影响{p}通行'],
    bodies: [
      '{p}路面{d}{w}了，雨天积水，电动车经过容易摔倒。',
      '{p}{d}，{w}没有修补，夜间车辆经过颠簸很大。',
      '{d}：{p}一段路{w}无人维修，已经有行人崴脚。',
    ],
    details: ['坑洼破损', '井盖缺失', '塌陷', '人行道砖松动', '沥青开裂'],
  },
  {
    titles: ['{p}{d}噪音扰民', '{p}广场舞音响太吵', '{d}影响{p}休息'],
    bodies: [
      '{p}{d}每天{w}音响开得很大，周围住户无法休息。',
      '{p}的{d}{w}噪音不断，孩子没法写作业，沟通过几次没有效果。',
      '{d}噪声扰民：{p}{w}音量很大，请公安和城管协调。',
    ],
    details: ['广场舞', 'KTV', '酒吧', '健身房', '夜市摊位'],
  },
  {
    titles: ['{p}{d}违章搭建', '举报{p}{d}违建', '{d}违法建设{p}'],
    bodies: [
      '{p}有住户{d}，{w}开工，既影响邻居采光也存在安全隐患。',
      '{p}{d}，施工{w}了，城管来看过但没有拆除。',
      '举报{d}：{p}{w}正在施工，请执法部门制止。',
    ],
    details: ['顶楼加盖', '圈占绿地', '阳台外扩', '一楼扩建院子', '楼顶搭彩钢棚'],
  },
  {
    titles: ['{p}{d}伤人', '{p}流浪狗{w}', '{d}{p}无人管'],
    bodies: [
      '{p}{d}{w}，已经咬伤两个小孩，居民不敢晚上出门。',
      '{p}的{d}，{w}数量越来越多，请有关部门收容。',
      '{d}：{p}{w}狗叫扰民，还有随地便溺。',
    ],
    details: ['流浪狗', '烈性犬未拴绳', '大型犬', '流浪猫', '群养犬只'],
  },
  {
    titles: ['{p}河道{d}', '{p}{d}整治', '反映{p}{d}'],
    bodies: [
      '{p}旁边的河{w}又黑又臭，{d}，周边开窗都闻得到。',
      '{p}一带{d}，{w}水面发黑冒泡，怀疑有企业偷排。',
      '{d}：{p}{w}河水颜色异常，希望河长办查明污染源。',
    ],
    details: ['河道黑臭', '河面漂浮物', '排污口', '沿河违规排放', '河岸垃圾'],
  },
  {
    titles: ['{p}{d}收费不合理', '{p}物业{d}', '投诉{p}{d}'],
    bodies: [
      '{p}物业{d}，{w}业主多次提出意见，物业置之不理。',
      '{p}{d}，{w}没有公示收支，业委会也联系不上。',
      '{d}：{p}物业{w}服务质量差，保洁保安都不到位。',
    ],
    details: ['乱收停车费', '擅自涨价', '公共收益不公开', '不开发票', '强制收取装修押金'],
  },
  {
    titles: ['{p}{d}', '{p}公交{d}', '{d}方便{p}出行'],
    bodies: [
      '{p}{d}，{w}居民出行只能走到两公里外坐车。',
      '{p}附近{d}，{w}等车要半个多小时，上班经常迟到。',
      '建议{d}，{p}新建小区入住后{w}公交一直没有跟上。',
    ],
    details: ['公交线路取消', '公交班次太少', '公交站点太远', '末班车太早', '增设公交站'],
  },
  {
    titles: ['{p}{d}无证经营', '{p}{d}卫生差', '举报{d}{p}'],
    bodies: [
      '{p}的{d}{w}一直无证经营，后厨卫生很差，吃了拉肚子。',
      '{p}{d}{w}使用过期食材，请市场监管部门检查。',
      '{d}：{p}{w}食品卫生问题，消费者投诉过。',
    ],
    details: ['小吃店', '奶茶店', '熟食摊', '学校门口小卖部', '私人作坊'],
  },
  {
    titles: ['{p}{d}积水', '{p}雨天{d}', '{d}{p}排水不畅'],
    bodies: [
      '{p}{d}，一下雨就积水到小腿，{w}都这样。',
      '{p}{w}每逢暴雨{d}，车库被淹过两次。',
      '{d}：{p}雨水管网堵塞，{w}没有疏通。',
    ],
    details: ['地下车库', '小区主路', '低洼路段', '下穿通道', '菜场门口'],
  },
  {
    titles: ['{p}{d}扰民', '{p}{d}影响通行', '{d}{p}占道'],
    bodies: [
      '{p}{d}，{w}把人行道全占了，行人只能走机动车道。',
      '{p}门口{d}{w}，早晚高峰堵得水泄不通。',
      '{d}：{p}{w}占道经营，垃圾随地扔。',
    ],
    details: ['流动摊贩', '占道经营', '店外经营', '夜市摆摊', '早市摊点'],
  },
  {
    titles: ['{p}{d}未退费', '{p}{d}跑路', '{d}{p}预付卡'],
    bodies: [
      '{p}的{d}突然关门，{w}前办的卡还有几千元没用，老板联系不上。',
      '{p}{d}{w}闭店，会员预付款无法退回，涉及上百人。',
      '{d}：{p}{w}拒绝退费，请市场监管部门协调。',
    ],
    details: ['健身房', '培训机构', '美容院', '理发店', '游泳馆'],
  },
  {
    titles: ['{p}{d}', '{p}老旧小区{d}', '{d}{p}安全隐患'],
    bodies: [
      '{p}{d}，{w}没有处理，居民担心出事。',
      '{p}{d}{w}，墙体开裂，下雨漏水。',
      '{d}：{p}{w}物业不管，社区说没有经费。',
    ],
    details: ['外墙脱落', '楼道电线私拉乱接', '电动车楼道充电', '屋顶漏水', '化粪池满溢'],
  },
  {
    titles: ['{p}{d}入学', '{p}孩子{d}', '{d}{p}学位'],
    bodies: [
      '{p}孩子{d}，{w}教育局答复说学位紧张。',
      '住在{p}，{d}，{w}还没有结果，开学在即。',
      '{d}：{p}新建小区{w}没有配套学校。',
    ],
    details: ['划片不合理', '无法就近入学', '转学手续难办', '随迁子女入学', '幼儿园学位不足'],
  },
  {
    titles: ['{p}{d}', '{p}医保{d}', '{d}办理难'],
    bodies: [
      '在{p}办理{d}，{w}跑了三次还没办好，窗口说材料不全。',
      '{p}{d}，{w}网上系统一直提示错误。',
      '{d}：{p}{w}报销款一直没到账。',
    ],
    details: ['医保异地备案', '社保转移', '医保报销', '退休手续', '灵活就业参保'],
  },
  {
    titles: ['{p}{d}', '{p}房屋{d}', '{d}{p}开发商'],
    bodies: [
      '{p}{d}，{w}开发商一直拖着不办。',
      '{p}业主{d}，{w}多次找住建部门没有结果。',
      '{d}：{p}{w}交房后问题一直没有整改。',
    ],
    details: ['办不了房产证', '延期交房', '房屋质量问题', '车位只售不租', '公摊面积不符'],
  },
  {
    titles: ['{p}{d}污染', '{p}{d}异味', '{d}{p}排放'],
    bodies: [
      '{p}附近{d}{w}排放刺鼻气味，晚上更严重。',
      '{p}{d}{w}烟囱冒黑烟，周边晾的衣服都是灰。',
      '{d}：{p}{w}粉尘很大，请生态环境部门监测。',
    ],
    details: ['化工厂', '印染厂', '喷漆作坊', '搅拌站', '塑料加工厂'],
  },
];

const CITIES = [
  ['杭州市', ['西湖区', '拱墅区', '上城区', '滨江区', '余杭区', '萧山区', '临平区', '钱塘区']],
  ['宁波市', ['海曙区', '江北区', '鄞州区', '镇海区', '北仑区', '奉化区']],
  ['温州市', ['鹿城区', '龙湾区', '瓯海区', '洞头区']],
  ['嘉兴市', ['南湖区', '秀洲区']],
  ['湖州市', ['吴兴区', '南浔区']],
  ['绍兴市', ['越城区', '柯桥区', '上虞区']],
  ['金华市', ['婺城区', '金东区']],
  ['衢州市', ['柯城区', '衢江区']],
  ['舟山市', ['定海区', '普陀区']],
  ['台州市', ['椒江区', '黄岩区', '路桥区']],
  ['丽水市', ['莲都区']],
] as const;
const NAME_CHARS = Array.from(
  '东西南北中新华光明和平文化建设人民解放胜利长安永兴安康宁静春秋兰桂梅竹松柏金银丰源福寿嘉禾瑞祥云海山湖溪江月星阳晨曦锦绣翠园景望湾泉桥塘湘沁怡悦欣荣盛世泰鑫龙凤',
);
const STREET_SUFFIX = ['路', '街', '大道', '巷'];
const ESTATE_SUFFIX = ['小区', '花园', '家园', '新村', '苑', '公寓', '佳苑', '名邸'];
const WHENS = [
  '一个星期',
  '两个星期',
  '半个多月',
  '一个多月',
  '三个月',
  '半年多',
  '晚上十一点',
  '凌晨一点',
  '每天傍晚',
  '周末',
  '最近几天',
  '今年以来',
];
const REMARKS = [
  '',
  '',
  '打过12345好几次了。',
  '社区网格员来看过但没有下文。',
  '附近住着很多老人和小孩。',
  '已经拍了照片和视频。',
  '物业说不归他们管。',
  '周边商户也有意见。',
  '希望给个明确答复。',
  '之前整改过一次但又反弹了。',
  '上个月也反映过同样情况。',
  '街道说要协调，但一直没消息。',
];

type Case = { problem: number; place: string; region: number; detail: string; when: string };

const name2 = (rng: Rng) => `${rng.pick(NAME_CHARS)}${rng.pick(NAME_CHARS)}`;

export function newCase(rng: Rng): Case {
  const region = rng.int(0, CITIES.length - 1);
  const [city, districts] = CITIES[region] as (typeof CITIES)[number];
  const street = `${name2(rng)}${rng.pick(STREET_SUFFIX)}`;
  const estate = `${name2(rng)}${rng.pick(ESTATE_SUFFIX)}`;
  const place = `${rng.chance(0.5) ? city : ''}${rng.pick(districts)}${street}${estate}`;
  const problem = rng.int(0, PROBLEMS.length - 1);
  const p = PROBLEMS[problem] as Problem;
  return { problem, place, region, detail: rng.pick(p.details), when: rng.pick(WHENS) };
}

/** One caller's report of a case: a title and body wording, and sometimes a remark. */
function tell(rng: Rng, c: Case): { title: string; content: string } {
  const p = PROBLEMS[c.problem] as Problem;
  const fill = (s: string) =>
    s.replaceAll('{p}', c.place).replaceAll('{d}', c.detail).replaceAll('{w}', c.when);
  return { title: fill(rng.pick(p.titles)), content: `${fill(rng.pick(p.bodies))}${rng.pick(REMARKS)}` };
}

/** A re-report: the same case in another wording, sometimes with another duration. */
export function retell(rng: Rng, c: Case) {
  return tell(rng, rng.chance(0.3) ? { ...c, when: rng.pick(WHENS) } : c);
}

/** Remembers the last query (raw SQL included) whose text contains `marker`. */
class CaptureRaw implements KyselyPlugin {
  last: CompiledQuery | undefined;
  private readonly compiler = new PostgresQueryCompiler();
  constructor(private readonly marker: string) {}
  transformQuery(args: PluginTransformQueryArgs): RootOperationNode {
    const q = this.compiler.compileQuery(args.node, args.queryId);
    if (q.sql.includes(this.marker)) this.last = q;
    return args.node;
  }
  async transformResult(args: PluginTransformResultArgs): Promise<QueryResult<UnknownRow>> {
    return args.result;
  }
}

export type DuplicateFigures = {
  texts: number;
  loadSeconds: { items: number; signatures: number; insert: number; index: number; total: number };
  queries: number;
  ms: { p50: number; p95: number; max: number; mean: number };
  nearDuplicates: {
    n: number;
    found: number;
    ownCaseFound: number;
    ownCaseReachable: number;
    ownCaseCandidate: number;
    p50: number;
    p95: number;
  };
  novel: { n: number; found: number; p50: number; p95: number };
  lshCandidates: { p50: number; p95: number; max: number };
};

/**
 * Fills the items and the duplicate index to `target` texts, then times the lookup. Items already
 * in the database (from earlier parts) count; the index gets a generated text for each item that
 * has no entry yet.
 */
export async function benchDuplicates(
  kind: string,
  handle: DbHandle,
  world: World,
  target: number,
  out: (line: string) => void,
  timing: { queries: number; budgetMs: number } = { queries: 200, budgetMs: 120_000 },
): Promise<DuplicateFigures | undefined> {
  if (target <= 0) return undefined;
  const db = handle.db;
  const at = new Date();
  const count = async (q: string) => Number((await handle.withScriptSession((exec) => exec(q)))[0]?.n ?? 0);

  const started = now();
  // Items are bulk-loaded only up to BENCH_DUP_ITEMS (default 20 000): the rest of the texts are
  // indexed as intake records, whose postings live in the same table and are read by the same
  // lookup (the item path filters by kind after counting shared band keys), so the timed item
  // lookup pays for every indexed text without a million items behind it.
  const itemTarget = Math.min(target, Math.max(1, Number(process.env.BENCH_DUP_ITEMS ?? 20_000)));
  const existing = await count('select count(*)::int as n from items');
  const items = await phase(() => bulkLoad(handle, world, Math.max(0, itemTarget - existing), at));

  // Generate and sign the texts; the postings' primary key is dropped for the load and rebuilt as
  // migration 0026 defines it (one sorted build instead of a hundred million btree insertions).
  const rng = createRng(20261128);
  const recent: Case[] = [];
  const recentItems: Case[] = [];
  /** The item ids indexed with each case (to tell whether a rewording finds its own case). */
  const idsOf = new Map<Case, { id: string; title: string; content: string }[]>();
  let signMs = 0;
  let insertMs = 0;
  let loaded = 0;
  /** The next text (the same sequence on every run: a kept database's texts can be told again). */
  const generate = (kind: 'item' | 'intake', id: string) => {
    // One text in ten re-reports a recent case; the others are new cases.
    const c = recent.length > 0 && rng.chance(0.1) ? rng.pick(recent) : newCase(rng);
    const text = retell(rng, c);
    if (recent.length < 5000) recent.push(c);
    else recent[rng.int(0, recent.length - 1)] = c;
    if (kind === 'item') {
      idsOf.set(c, [...(idsOf.get(c) ?? []), { id, ...text }]);
      if (recentItems.length < 5000) recentItems.push(c);
      else recentItems[rng.int(0, recentItems.length - 1)] = c;
    }
    return text;
  };
  // A database kept by an earlier run (BENCH_KEEP_DB=1, then BENCH_DB_NAME): its texts, in the order
  // they were indexed, are generated again (not signed, not inserted) so that the queries below are
  // the same rewordings of the same cases.
  const told = await sql<{ kind: 'item' | 'intake'; id: string }>`
    select kind, id from similarity_index order by seq`.execute(db);
  for (const r of told.rows) generate(r.kind, r.id);
  if (told.rows.length > 0)
    out(`  ${told.rows.length} texts already indexed (kept database): told again, not loaded`);
  const toLoad =
    told.rows.length < target ||
    (await count(
      "select count(*)::int as n from items i where not exists (select 1 from similarity_index s where s.kind = 'item' and s.id = i.id::text)",
    )) > 0;
  if (toLoad)
    await sql`alter table similarity_bands drop constraint if exists similarity_bands_pkey`.execute(db);
  const insertBatch = async (
    kind: 'item' | 'intake',
    rows: { id: string; region: string | null; at: string }[],
  ) => {
    const t = now();
    const cols = { title: [] as string[], content: [] as string[], bands: [] as string[] };
    const keys: number[][] = [];
    for (let i = 0; i < rows.length; i++) {
      const text = generate(kind, (rows[i] as { id: string }).id);
      const b = [
        ...new Set(postingKeys(kind, bandHashes(signature(textShingles(text.title, text.content))))),
      ];
      keys.push(b);
      cols.title.push(text.title);
      cols.content.push(text.content);
      cols.bands.push(`{${b.join(',')}}`);
    }
    signMs += ms(t);
    const t2 = now();
    const ids = rows.map((r) => r.id);
    const inserted = await sql<{ id: string; seq: number }>`
      insert into similarity_index (kind, id, region_code, title, content, recorded_at, bands)
      select ${kind}, t.id, t.region, t.title, t.content, t.at, t.bands::int4[]
      from unnest(${ids}::text[], ${rows.map((r) => r.region)}::text[], ${cols.title}::text[],
        ${cols.content}::text[], ${rows.map((r) => r.at)}::timestamptz[], ${cols.bands}::text[])
        as t(id, region, title, content, at, bands)
      returning id, seq`.execute(db);
    const seqOf = new Map(inserted.rows.map((r) => [r.id, Number(r.seq)]));
    const pBand: number[] = [];
    const pSeq: number[] = [];
    rows.forEach((r, i) => {
      const seq = seqOf.get(r.id) as number;
      for (const b of keys[i] as number[]) {
        pBand.push(b);
        pSeq.push(seq);
      }
    });
    await sql`
      insert into similarity_bands (band, seq)
      select * from unnest(${`{${pBand.join(',')}}`}::int4[], ${`{${pSeq.join(',')}}`}::int8[])`.execute(db);
    insertMs += ms(t2);
    loaded += rows.length;
    if (loaded % 100_000 < rows.length) out(`  … ${loaded} texts indexed (${fmt(ms(started) / 1000, 0)} s)`);
  };
  let after = '00000000-0000-0000-0000-000000000000';
  for (;;) {
    const batch = await sql<{ id: string; region_code: string | null; created_at: Date }>`
      select i.id, i.region_code, i.created_at from items i
      where i.id > ${after}::uuid
        and not exists (select 1 from similarity_index s where s.kind = 'item' and s.id = i.id::text)
      order by i.id limit 2000`.execute(db);
    if (batch.rows.length === 0) break;
    await insertBatch(
      'item',
      batch.rows.map((r) => ({
        id: r.id,
        region: r.region_code,
        at: new Date(r.created_at).toISOString(),
      })),
    );
    after = (batch.rows.at(-1) as { id: string }).id;
  }
  const regions = world.units.map((u) => u.regionCode);
  let remaining = target - (await count('select count(*)::int as n from similarity_index'));
  let nIntake = await count("select count(*)::int as n from similarity_index where kind = 'intake'");
  while (remaining > 0) {
    const size = Math.min(2000, remaining);
    const rows = Array.from({ length: size }, (_, i) => ({
      id: `bench-${nIntake + i}`,
      region: regions[(nIntake + i) % regions.length] ?? null,
      // Spread over the last 90 days: inside the 180-day window of intake records.
      at: new Date(at.getTime() - ((nIntake + i) % 90) * 86_400_000).toISOString(),
    }));
    await insertBatch('intake', rows);
    nIntake += size;
    remaining -= size;
  }
  const ti = now();
  if (toLoad)
    await handle.withScriptSession(async (exec) => {
      await exec(
        `${handle.kind === 'postgres' ? "set maintenance_work_mem = '1GB';" : ''}
      alter table similarity_bands add primary key (band, seq);`,
      );
      // The visibility map makes the posting reads index-only scans.
      await exec('vacuum analyze similarity_bands');
      await exec('analyze similarity_index');
    });
  const indexMs = ms(ti);
  const texts = await count('select count(*)::int as n from similarity_index');
  const postings = await count('select count(*)::int as n from similarity_bands');
  const totalMs = ms(started);
  out(
    `\n[${kind}] 重复督办 lookup over ${texts} indexed texts, ${postings} postings (${loaded} generated here; ` +
      `${itemTarget} of them items, bulk-loaded in ${fmt(items.ms / 1000, 1)} s, the rest intake records)`,
  );
  out(
    `  load: generate + sign ${fmt(signMs / 1000, 1)} s, insert ${fmt(insertMs / 1000, 1)} s, postings primary key + vacuum analyze ` +
      `${fmt(indexMs / 1000, 1)} s — ${fmt(totalMs / 1000, 1)} s in all, items included`,
  );

  // Items in the search window (open, or closed within WINDOW_DAYS): only those can be found.
  const since = new Date(at.getTime() - WINDOW_DAYS * 86_400_000);
  const inWindow = new Set(
    (
      await sql<{ id: string }>`
        select id from items where status not in ('completed', 'evaluated', 'archived', 'cancelled')
          or coalesce(archived_at, completed_at, updated_at) >= ${since}`.execute(db)
    ).rows.map((r) => r.id),
  );
  // Queries: rewordings of indexed cases and new cases, interleaved.
  const qrng = createRng(7);
  const queries: { near: boolean; title: string; content: string; ids: string[]; reachable: boolean }[] = [];
  for (let i = 0; i < timing.queries; i++) {
    const near = i % 2 === 0 && recentItems.length > 0;
    const c = near ? qrng.pick(recentItems) : newCase(qrng);
    const text = retell(qrng, c);
    const own = near ? (idsOf.get(c) ?? []).filter((o) => inWindow.has(o.id)) : [];
    // Reachable: an own-case item in the window scores at least the threshold exactly, even from
    // another region.
    const qs = textShingles(text.title, text.content);
    const reachable = own.some(
      (o) => jaccard(qs, textShingles(o.title, o.content)) * OTHER_REGION_FACTOR >= DUPLICATE_THRESHOLD,
    );
    queries.push({ near, ...text, ids: own.map((o) => o.id), reachable });
  }
  const actor = world.actors.provSup;
  const lookup = (q: { title: string; content: string }) =>
    visibleDuplicateItems(db, actor, { ...q, regionCode: actor.regionCode, now: at }, { openOnly: false });
  for (const q of queries.slice(0, 5)) await lookup(q); // warm-up
  const all: number[] = [];
  const byKind = { near: [] as number[], novel: [] as number[] };
  const found = { near: 0, novel: 0 };
  let ownCase = 0;
  const begun = now();
  for (const q of queries) {
    // Stop early after the budget (but never before 20 queries): the figure is then over fewer.
    if (all.length >= 20 && ms(begun) > timing.budgetMs) break;
    const t = now();
    const r = await lookup(q);
    const d = ms(t);
    all.push(d);
    byKind[q.near ? 'near' : 'novel'].push(d);
    if (r.length > 0) found[q.near ? 'near' : 'novel']++;
    if (q.reachable && r.some((x) => q.ids.includes(x.id))) ownCase++;
  }
  // What the LSH step reads: the postings of the query's band keys (at most RECENT_POSTINGS of
  // each), and how many of its keys have that many or more (read only for their most recent texts).
  const lsh: number[] = [];
  const capped: number[] = [];
  for (const q of queries.slice(0, 20)) {
    const qb = `{${postingKeys('item', bandHashes(signature(textShingles(q.title, q.content)))).join(',')}}`;
    const r = await sql<{ band: number; n: number }>`
      select b.band, (select count(*) from (select 1 from similarity_bands p where p.band = b.band
        limit ${RECENT_POSTINGS}) c)::int as n
      from (select distinct unnest(${qb}::int4[]) as band) b`.execute(db);
    lsh.push(r.rows.reduce((t, x) => t + Number(x.n), 0));
    capped.push(r.rows.filter((x) => Number(x.n) >= RECENT_POSTINGS).length);
  }
  const k = summarize(capped);
  const s = summarize(all);
  const n = summarize(byKind.near);
  const v = summarize(byKind.novel);
  const l = summarize(lsh);
  out(
    table(
      ['queries', 'n', 'with a duplicate', 'p50 ms', 'p95 ms', 'max ms'],
      [
        ['all', s.n, found.near + found.novel, fmt(s.p50, 1), fmt(s.p95, 1), fmt(s.max, 1)],
        ['rewordings of indexed cases', n.n, found.near, fmt(n.p50, 1), fmt(n.p95, 1), fmt(n.max, 1)],
        ['new cases', v.n, found.novel, fmt(v.p50, 1), fmt(v.p95, 1), fmt(v.max, 1)],
      ],
    ),
  );
  const reachable = queries.slice(0, s.n).filter((q) => q.reachable).length;
  // The LSH step alone: is the own case among the scored candidates (any score, any rank)?
  let inCandidates = 0;
  for (const q of queries.slice(0, s.n))
    if (q.reachable) {
      const c = await findDuplicates(db, {
        ...q,
        kinds: ['item'],
        regionCode: actor.regionCode,
        now: at,
        minScore: 0,
        limit: 1000,
      });
      if (c.some((x) => q.ids.includes(x.id))) inCandidates++;
    }
  out(
    `  rewordings whose own case (in the window) scores ≥ ${DUPLICATE_THRESHOLD} exactly: ${reachable}; among the LSH ` +
      `candidates ${inCandidates}, in the top 10 shown ${ownCase} (outranked by same-wording texts of other places)`,
  );
  out(
    `  LSH postings read per query, 20 queries: p50 ${l.p50}, p95 ${l.p95}, max ${l.max}; band keys read for their ` +
      `${RECENT_POSTINGS} most recent texts only: p50 ${k.p50}, max ${k.max} of 128; target p95 ≤ 20 ms`,
  );
  if (s.p95 > 20) {
    // The candidate query exactly as findDuplicates sends it, under EXPLAIN ANALYZE.
    const capture = new CaptureRaw('similarity_bands p');
    const q = queries[1] as { title: string; content: string };
    await findDuplicates(db.withPlugin(capture), { ...q, kinds: ['item'], now: at });
    if (capture.last) {
      const plan = await db.executeQuery<Record<string, string>>(
        CompiledQuery.raw(`explain (analyze, buffers) ${capture.last.sql}`, [...capture.last.parameters]),
      );
      out('  EXPLAIN ANALYZE of the candidate query (a new case):');
      for (const r of plan.rows) out(`    ${Object.values(r)[0]}`);
    }
  }
  return {
    texts,
    loadSeconds: {
      items: items.ms / 1000,
      signatures: signMs / 1000,
      insert: insertMs / 1000,
      index: indexMs / 1000,
      total: totalMs / 1000,
    },
    queries: s.n,
    ms: { p50: s.p50, p95: s.p95, max: s.max, mean: s.mean },
    nearDuplicates: {
      n: n.n,
      found: found.near,
      ownCaseFound: ownCase,
      ownCaseReachable: reachable,
      ownCaseCandidate: inCandidates,
      p50: n.p50,
      p95: n.p95,
    },
    novel: { n: v.n, found: found.novel, p50: v.p50, p95: v.p95 },
    lshCandidates: { p50: l.p50, p95: l.p95, max: l.max },
  };
}
