import type { LightMyRequestResponse } from 'fastify';
import { expect } from 'vitest';
import { buildApp } from '../../src/app.ts';
import { totpCode } from '../../src/auth/mfa.ts';
import type { App } from '../../src/http/types.ts';
import { ensureStandardCategories } from '../../src/items/categories.ts';
import { importRegions } from '../../src/org/regions.ts';
import { createUnit } from '../../src/org/units.ts';
import { createUser } from '../../src/org/users.ts';
import { createTestContext, type TestContext } from './context.ts';

export const PASSWORD = 'test-password-123';

type UnitSpec = { key: string; name: string; kind: string; regionCode: string; shortName?: string };
const UNITS: UnitSpec[] = [
  {
    key: 'provOffice',
    name: '浙江省人民政府督查室',
    kind: 'supervision_office',
    regionCode: '330000',
    shortName: '浙',
  },
  {
    key: 'cityOffice',
    name: '杭州市人民政府督查室',
    kind: 'supervision_office',
    regionCode: '330100',
    shortName: '杭',
  },
  { key: 'housing', name: '杭州市住房和城乡建设局', kind: 'department', regionCode: '330100' },
  { key: 'education', name: '杭州市教育局', kind: 'department', regionCode: '330100' },
  { key: 'finance', name: '杭州市财政局', kind: 'department', regionCode: '330100' },
  { key: 'countyOffice', name: '西湖区人民政府督查室', kind: 'supervision_office', regionCode: '330106' },
  { key: 'countyHousing', name: '西湖区住房和城乡建设局', kind: 'department', regionCode: '330106' },
  { key: 'ningboHousing', name: '宁波市住房和城乡建设局', kind: 'department', regionCode: '330200' },
  { key: 'ningboOffice', name: '宁波市人民政府督查室', kind: 'supervision_office', regionCode: '330200' },
];

type UserSpec = { username: string; unit: string; roles: string[] };
const USERS: UserSpec[] = [
  { username: 'prov_sup', unit: 'provOffice', roles: ['supervisor'] },
  { username: 'city_sup', unit: 'cityOffice', roles: ['supervisor'] },
  { username: 'county_sup', unit: 'countyOffice', roles: ['supervisor'] },
  { username: 'ningbo_sup', unit: 'ningboOffice', roles: ['supervisor'] },
  { username: 'leader', unit: 'provOffice', roles: ['leader'] },
  { username: 'housing_h', unit: 'housing', roles: ['handler'] },
  { username: 'housing_head', unit: 'housing', roles: ['unit_head'] },
  { username: 'edu_h', unit: 'education', roles: ['handler'] },
  { username: 'fin_h', unit: 'finance', roles: ['handler'] },
  { username: 'county_h', unit: 'countyHousing', roles: ['handler'] },
  { username: 'ningbo_h', unit: 'ningboHousing', roles: ['handler'] },
  { username: 'evaluator', unit: 'provOffice', roles: ['evaluator'] },
  { username: 'admin', unit: 'provOffice', roles: ['admin'] },
  { username: 'auditor', unit: 'provOffice', roles: ['auditor'] },
];

export type Session = { cookie: string; csrf: string };
export type World = {
  app: App;
  units: Record<string, string>;
  users: Record<string, string>;
  login(username: string): Promise<Session>;
  as(username: string): Promise<Client>;
  /** 双因素认证: the TOTP secret login() enrolled for the user (users of the roles that need it). */
  totpSecrets: Map<string, string>;
};

export type Client = {
  get(url: string): Promise<LightMyRequestResponse>;
  post(url: string, body?: unknown, headers?: Record<string, string>): Promise<LightMyRequestResponse>;
  patch(url: string, body: unknown, headers?: Record<string, string>): Promise<LightMyRequestResponse>;
  put(url: string, body: unknown, headers?: Record<string, string>): Promise<LightMyRequestResponse>;
};

/** Regions of 浙江, a handful of units at province, city and county level, and a user per role. */
export async function buildWorld(ctx: TestContext): Promise<World> {
  await importRegions(ctx.db, { code: '330000' });
  await ensureStandardCategories(ctx.db);
  const units: Record<string, string> = {};
  for (const u of UNITS) {
    const row = await ctx.db
      .transaction()
      .execute((tx) =>
        createUnit(
          tx,
          { name: u.name, kind: u.kind, regionCode: u.regionCode, shortName: u.shortName ?? null },
          { actorId: null, at: new Date() },
        ),
      );
    units[u.key] = row.id;
  }
  const users: Record<string, string> = {};
  for (const u of USERS) {
    const unitId = units[u.unit];
    if (!unitId) throw new Error(`fixture: no unit ${u.unit}`);
    const created = await createUser(ctx.db, {
      username: u.username,
      displayName: u.username,
      password: PASSWORD,
      unitId,
      roles: u.roles,
    });
    users[u.username] = created.id;
  }
  const app = await buildApp(ctx);
  const sessions = new Map<string, Session>();
  const totpSecrets = new Map<string, string>();
  let logins = 0;
  const login = async (username: string): Promise<Session> => {
    logins += 1;
    const res = await app.inject({
      method: 'POST',
      url: '/api/v1/auth/login',
      payload: { username, password: PASSWORD },
      // Each sign-in from an address of its own: the per-address limit is for the login tests.
      remoteAddress: `10.99.${(logins >> 8) & 255}.${logins & 255}`,
    });
    if (res.statusCode !== 200) throw new Error(`login ${username}: ${res.statusCode} ${res.body}`);
    const session = sessionOf(res);
    const mfa: unknown = res.json().mfa;
    if (mfa === undefined) return session;
    // 双因素认证 (on by default for admin, supervisor, leader): enrol at the first sign-in, then
    // give the code computed from the remembered secret at the test clock.
    const step = (url: string, s: Session, payload: object) =>
      app.inject({ method: 'POST', url, payload, headers: { cookie: s.cookie, 'x-csrf-token': s.csrf } });
    let secret = totpSecrets.get(username);
    if (mfa === 'enroll') {
      const enrol = await step('/api/v1/auth/mfa/enroll', session, {});
      if (enrol.statusCode !== 200) throw new Error(`enrol ${username}: ${enrol.statusCode} ${enrol.body}`);
      secret = String(enrol.json().secret);
      totpSecrets.set(username, secret);
    }
    if (secret === undefined) throw new Error(`login ${username}: TOTP on, but no secret known`);
    const url = mfa === 'enroll' ? '/api/v1/auth/mfa/enroll/confirm' : '/api/v1/auth/mfa/verify';
    const done = await step(url, session, { code: totpCode(secret, ctx.now()) });
    if (done.statusCode !== 200) throw new Error(`mfa ${username}: ${done.statusCode} ${done.body}`);
    return sessionOf(done);
  };
  const as = async (username: string): Promise<Client> => {
    let s = sessions.get(username);
    if (!s) {
      s = await login(username);
      sessions.set(username, s);
    }
    const session = s;
    const write =
      (method: 'POST' | 'PATCH' | 'PUT') =>
      (url: string, body?: unknown, headers: Record<string, string> = {}) =>
        app.inject({
          method,
          url,
          payload: (body ?? {}) as object,
          headers: { cookie: session.cookie, 'x-csrf-token': session.csrf, ...headers },
        });
    return {
      get: (url) => app.inject({ method: 'GET', url, headers: { cookie: session.cookie } }),
      post: write('POST'),
      patch: (url, body, headers) => write('PATCH')(url, body, headers),
      put: (url, body, headers) => write('PUT')(url, body, headers),
    };
  };
  return { app, units, users, login, as, totpSecrets };
}

/** The session a sign-in answer set (cookie and CSRF token). */
function sessionOf(res: LightMyRequestResponse): Session {
  const cookie = res.cookies.find((c) => c.name === 'duban_session');
  if (!cookie) throw new Error('no session cookie');
  return { cookie: `duban_session=${cookie.value}`, csrf: res.json().csrfToken };
}

/**
 * A fresh test database with buildWorld's world (for a test file's beforeAll), the clock set to `now`
 * when given. Should the world fail to build, the database is dropped again.
 */
export async function openWorld(now?: Date | string): Promise<{ ctx: TestContext; w: World }> {
  const ctx = await createTestContext();
  try {
    const w = await buildWorld(ctx);
    if (now !== undefined) ctx.setNow(now);
    return { ctx, w };
  } catch (err) {
    await ctx.cleanup();
    throw err;
  }
}

/** Closes what openWorld opened (for afterAll; either is unset when beforeAll failed). */
export async function closeWorld(ctx: TestContext | undefined, w: World | undefined): Promise<void> {
  await w?.app.close();
  await ctx?.cleanup();
}

/** Noon in Beijing on the day: the test clock for the next commands. */
export function atNoon(ctx: TestContext, date: string): Date {
  ctx.setNow(`${date}T04:00:00Z`);
  return new Date(`${date}T04:00:00Z`);
}

/** An item action that must succeed (200); the item as it now stands. */
export async function act(client: Client, id: string, action: string, body: unknown = {}) {
  const res = await client.post(`/api/v1/items/${id}/actions/${action}`, body);
  expect(res.statusCode, `${action}: ${res.body}`).toBe(200);
  return res.json().item;
}

/**
 * 重复督办: registration refuses a text that near-duplicates an open item in scope, so every body
 * itemBody() hands out (100 per test file, then they repeat) describes another task in another place:
 * background, place, task and measure each come from their own list.
 * test/intake/similarity.test.ts checks they stay below the duplicate threshold pairwise.
 */
const FACTORY_PLACES =
  '上城区 拱墅区 西湖区 滨江区 萧山区 余杭区 临平区 钱塘区 富阳区 临安区 桐庐县 淳安县 建德市 海曙区 江北区 北仑区 镇海区 鄞州区 奉化区 象山县 宁海县 余姚市 慈溪市 鹿城区 龙湾区 瓯海区 洞头区 永嘉县 平阳县 苍南县 文成县 泰顺县 瑞安市 乐清市 龙港市 吴兴区 南浔区 德清县 长兴县 安吉县 南湖区 秀洲区 嘉善县 海盐县 海宁市 平湖市 桐乡市 越城区 柯桥区 上虞区 新昌县 诸暨市 嵊州市 婺城区 金东区 武义县 浦江县 磐安县 兰溪市 义乌市 东阳市 永康市 柯城区 衢江区'.split(
    ' ',
  );
const FACTORY_TASKS = [
  '完成城北片区五十个小区的加装电梯任务',
  '新建普惠性幼儿园八所并招聘保教人员',
  '整治背街小巷违停与占道经营',
  '提升农村饮用水达标率至百分之九十八',
  '建成数字化城管平台并接入视频探头',
  '开展燃气管道隐患排查和老化管线更换',
  '推动中小企业贷款贴息政策兑现',
  '清理拖欠民营企业账款专项行动',
  '优化企业开办流程压缩至一个工作日',
  '加快地铁站点接驳公交线路调整',
  '实施河道清淤疏浚与生态护岸工程',
  '建设社区居家养老服务照料中心',
  '推进垃圾分类收运体系和中转站升级',
  '完成危旧房屋安全鉴定与解危处置',
  '建设高标准农田一万亩',
  '改造提升农贸市场环境与冷链设施',
  '开展校园周边食品安全专项检查',
  '推进县域医共体药品统一采购配送',
  '组织就业困难人员技能培训与岗位推荐',
  '落实退役军人优待证发放和走访慰问',
  '建设城市绿道与口袋公园十二处',
  '治理工业园区挥发性有机物排放',
  '完善防汛物资储备和应急抢险队伍',
  '推广新能源公交车并配套充电桩',
  '整改消防通道堵塞和高层建筑消防设施',
  '推进政务服务事项全程网办',
  '规范网约车与出租车行业经营秩序',
  '实施文物保护单位修缮和活化利用',
  '建设智慧停车诱导系统新增泊位',
  '加强海塘加固与沿海防潮设施维护',
  '完成乡镇卫生院标准化建设改造',
  '开展小微企业园亩均效益评价',
  '打造未来社区示范场景三个',
  '开展矿山生态修复和复绿工程',
  '推动跨境电商综合试验区建设',
  '整治农村生活污水处理设施运维',
  '开展道路交通安全隐患点段治理',
  '扩大义务教育阶段课后服务覆盖面',
  '建设区域性公共实训基地',
  '落实粮食生产功能区保护任务',
  '推进电力线路迁改与架空线入地',
  '提升图书馆与文化礼堂开放服务',
  '实施公租房保障扩面与租金补贴',
  '整治电动自行车违规充电问题',
  '建设人才公寓与青年驿站',
  '完善残疾人康复服务和无障碍设施',
  '开展森林防火巡护和林区火源管控',
  '加快渔港建设与渔船安全监管',
  '清理整顿校外培训机构',
  '建立重点项目审批绿色通道',
  '加强生猪稳产保供与动物防疫',
  '完成主城雨污分流管网铺设',
  '建成婴幼儿托育服务机构十家',
  '推动山区县特色产业平台建设',
  '推进水库除险加固与山塘整治',
  '开展网络餐饮平台入网商户抽检',
  '提升公共厕所保洁和设施标准',
  '落实企业研发费用加计扣除辅导',
  '组织夜间经济街区规划和运营',
  '建设城乡公交一体化运营网络',
  '开展历史街区风貌整治',
  '完善社区网格员队伍和考核机制',
  '推进碳达峰试点园区能耗监测',
  '开展打击非法集资宣传和风险排查',
];
const FACTORY_MEASURES = [
  '由分管副市长牵头每月调度',
  '资金列入年度预算足额保障',
  '实行挂图作战倒排工期',
  '建立周报制度及时通报进度',
  '邀请人大代表全程参与监督',
  '纳入年度综合考核重点指标',
  '引入第三方机构开展评估',
  '在门户网站公开办理结果',
  '组建工作专班集中攻坚',
  '对照清单逐项销号管理',
  '同步做好群众解释疏导',
  '强化部门协同形成合力',
  '每季度向常委会书面报告',
  '开通热线收集意见建议',
  '落实属地管理首问负责',
  '探索政企合作运营模式',
  '健全长效机制防止反弹',
  '实行红黄绿三色预警',
  '结合数字化改革推进',
  '组织现场观摩交流经验',
  '把好工程质量安全关口',
  '严格执行招投标规定',
  '加强宣传营造良好氛围',
  '推行容缺受理承诺制',
  '开展群众满意度回访',
  '细化任务分解到人',
  '建立问题台账动态更新',
  '组织专家论证技术方案',
  '坚持试点先行逐步推开',
  '优先保障用地指标',
  '鼓励社会资本积极参与',
  '及时兑现奖补政策',
  '用好专项债券资金',
  '督查室跟踪问效',
  '强化执法检查力度',
  '做好舆情监测和回应',
  '接受社会各界监督',
  '形成可复制推广经验',
  '压实乡镇街道主体责任',
  '村社干部包片负责',
  '落实网格化排查',
  '组织竣工验收',
  '开展回头看复查',
  '实行领导包案制度',
  '纳入民生实事项目',
  '组织志愿者参与服务',
  '运用大数据精准识别',
  '设立意见箱公开电话',
  '建立容错纠错机制',
  '开展业务培训提升能力',
  '制定实施细则明确标准',
  '强化审计监督',
  '推动立法保障',
  '建立联席会议制度',
  '签订目标责任书',
  '落实末位约谈',
  '列入巡察重点',
  '开展交叉检查',
  '实行清单化闭环',
  '统筹城乡一体推进',
  '强化要素保障',
  '引导行业协会自律',
  '加大媒体曝光力度',
  '鼓励群众有奖举报',
];
const FACTORY_BACKGROUNDS = [
  '据上年度审计反馈',
  '针对两会代表建议',
  '鉴于汛期临近',
  '按照省委巡视整改清单',
  '根据第三次全国国土调查结果',
  '结合亚运遗产利用',
  '围绕共同富裕示范区目标',
  '对标长三角先进城市',
  '依据十四五规划纲要',
  '回应12345热线集中诉求',
  '落实国务院大督查意见',
  '因台风灾后重建需要',
  '应对人口老龄化趋势',
  '顺应新型城镇化要求',
  '为迎接国家卫生城市复评',
  '基于营商环境评价短板',
  '聚焦山海协作工程',
  '考虑到春运客流高峰',
  '鉴于梅雨季节隐患增多',
  '依照安全生产十五条措施',
  '根据人口普查数据测算',
  '围绕乡村振兴战略',
  '为创建全国文明城市',
  '对照中央环保督察反馈',
  '针对媒体曝光案例',
  '呼应政协委员提案',
  '响应碳中和行动方案',
  '根据信访积案化解部署',
  '结合地铁四期建设规划',
  '考虑学龄人口峰值来临',
  '为缓解早晚高峰拥堵',
  '依托数字政府建设成果',
  '鉴于去冬今春旱情',
  '应对物价波动压力',
  '围绕海洋经济发展',
  '根据市场主体满意度调查',
  '按照城市体检评估结论',
  '结合历史文化名城保护',
  '为巩固脱贫攻坚成果',
  '针对食品抽检不合格批次',
  '根据电网负荷预测',
  '鉴于疫情后消费复苏',
  '落实双减政策要求',
  '基于重点人群摸排',
  '围绕科创走廊布局',
  '结合黄金周旅游旺季',
  '针对非法采砂反弹',
  '按照海塘安澜千亿工程',
  '依据生猪产能调控方案',
  '为办好杭州马拉松',
  '根据审计署专项调查',
  '鉴于出生人口回落',
  '应对极端高温天气',
  '围绕数字经济一号工程',
  '针对群租房消防隐患',
  '按照民法典普法安排',
  '结合垃圾分类立法',
  '为保障高考中考顺利进行',
  '依据基层减负通知',
  '考虑到秋冬季大气污染',
  '鉴于金融隐患摸底发现',
  '根据农业普查成果',
  '围绕大运河文化带建设',
  '针对电信诈骗高发态势',
];

let factoryTexts = 0;

/** Tasks 64… (no background or measure: each is its own long task; only the place recurs). */
const FACTORY_MORE_TASKS = [
  '组织开展汛前水利工程安全大检查并建立隐患整改台账',
  '新建区域消防站两座并配齐抢险救援装备',
  '完成全域农村公路提档升级和安保工程',
  '推动高校毕业生留杭就业创业补贴申领提速',
  '开展进口冷链食品全链条追溯监管',
  '完成中心城区架空线缆序化整治百公里',
  '实施智慧医院建设推行检查结果互认',
  '推进工业企业零土地技改项目备案',
  '建成县级综合档案馆新馆并对外开放',
  '开展电梯按需维保试点和物联网监测',
  '落实城乡居民医保参保缴费财政补助',
  '整治群租房安全隐患并规范租赁登记',
  '推进学校食堂明厨亮灶和营养餐改革',
  '建设海洋牧场与近海渔业资源增殖放流',
  '完成全市农贸市场智慧化改造二十家',
  '推进街道社区卫生服务中心标准化提升',
  '实施人行天桥和地下通道无障碍改造',
  '开展商品房交付质量专项巡查',
  '加快光伏整县推进与分布式能源接入',
  '完善退休人员社会化管理服务体系',
  '推进空中飞线整治与弱电管道共建共享',
  '开展小餐饮店食品经营许可证集中办理',
  '组织秋季征兵体检政审和役前训练',
  '推进数字乡村驾驶舱建设与村务公开',
  '完成高速公路服务区充电设施全覆盖',
  '实施公立医院薪酬制度改革试点',
  '推动科技型中小企业研发投入倍增',
  '开展农村宅基地违法占用耕地清查',
  '建设市民中心一站式婚姻登记服务大厅',
  '推进危险废物集中收集贮存转运体系建设',
  '完成中小学校舍抗震加固与操场改造',
  '开展外卖骑手交通安全培训和头盔佩戴检查',
  '推进生活垃圾焚烧厂扩建和飞灰处置',
  '完善突发公共卫生事件监测预警平台',
  '建设乡镇综合文化站和农家书屋数字化',
  '开展城市内涝积水点排查与泵站提升',
];

/** The i-th distinct default content of itemBody() (see above); after 100 they repeat. */
export function factoryContent(i: number): string {
  const n = FACTORY_TASKS.length;
  const k = i % (n + FACTORY_MORE_TASKS.length);
  if (k >= n) return `${FACTORY_PLACES[k - n]}：${FACTORY_MORE_TASKS[k - n]}。`;
  return `${FACTORY_BACKGROUNDS[k]}，${FACTORY_PLACES[k]}${FACTORY_TASKS[k]}，${FACTORY_MEASURES[(k * 5) % FACTORY_MEASURES.length]}。`;
}

/** A valid registration body; override what a test cares about. */
export function itemBody(overrides: Record<string, unknown> = {}) {
  return {
    title: '推进老旧小区改造',
    content: factoryContent(factoryTexts++),
    source: 'work_report',
    categoryCode: 'livelihood',
    urgency: 'normal',
    sensitivity: 'public',
    isPublic: true,
    deadline: '2027-06-30',
    targets: [{ key: 'old_communities', name: '改造老旧小区', unit: '个', target: 50 }],
    ...overrides,
  };
}
