/**
 * Builds the labelled pair set server/test/fixtures/duplicates/pairs.jsonl (deterministic; see
 * README.md in this folder): `npx tsx src/intake/similarity/build-pairs.ts > test/fixtures/duplicates/pairs.jsonl`.
 *
 * Each problem kind has several hand-written wordings (how different callers or units put the same
 * thing). A true duplicate is one case (place + specifics) told in two different wordings; a hard
 * negative is the same kind of problem at another place, or another problem at the same place.
 */
import { createRng, type Rng } from '../../demo/random.ts';

export type Case = { place: string; detail: string; when: string };
export type Kind = {
  key: string;
  details: string[];
  whens: string[];
  titles: string[];
  bodies: string[];
};

export const PLACES = [
  '西湖区文三路华星小区',
  '拱墅区湖墅南路丽水苑',
  '上城区望江街道近江家园',
  '滨江区长河路春波小区',
  '余杭区五常街道西溪北苑',
  '萧山区城厢街道育才新村',
  '临平区南苑街道藕花洲大街',
  '钱塘区下沙街道金沙湖花园',
  '富阳区富春街道江滨西大道',
  '临安区锦城街道钱王街',
  '宁波市海曙区鼓楼街道中山西路',
  '宁波市江北区孔浦街道怡江小区',
  '鄞州区首南街道天童北路',
  '温州市鹿城区五马街道解放街',
  '瓯海区娄桥街道古岸头村',
  '嘉兴市南湖区解放街道勤俭路',
  '湖州市吴兴区爱山街道红旗路',
  '绍兴市越城区府山街道胜利西路',
  '金华市婺城区城东街道八一北街',
  '衢州市柯城区荷花街道荷五路',
  '舟山市定海区环南街道东海西路',
  '台州市椒江区白云街道市府大道',
  '丽水市莲都区紫金街道丽阳街',
  '义乌市稠城街道工人北路',
  '慈溪市浒山街道新城大道',
  '桐乡市梧桐街道庆丰南路',
  '诸暨市暨阳街道艮塔西路',
  '乐清市城南街道旭阳路',
  '海宁市海洲街道硖石老街',
  '建德市新安江街道严州大道',
];

export const KINDS: Kind[] = [
  {
    key: 'night-construction',
    details: ['地铁三号线工地', '商业综合体工地', '安置房项目工地', '道路改造工地', '管网施工队'],
    whens: ['凌晨一点', '夜里十二点', '晚上十一点'],
    titles: ['{p}{d}夜间施工噪音扰民', '关于{d}夜间违规施工的投诉', '{d}深夜作业影响{p}居民休息'],
    bodies: [
      '{p}附近的{d}每天到{w}还在施工，噪音特别大，严重影响居民休息，希望有关部门尽快处理。',
      '市民来电反映，{d}在{p}一带连续多日夜间作业，一直持续到{w}以后，机械轰鸣，老人孩子都睡不着，请求查处。',
      '我家住{p}，旁边{d}晚上打桩声不断，{w}还没停，打过几次电话也没人管，要求夜间停工。',
      '{p}群众多次投诉{d}未办理夜间施工许可就在{w}后继续施工，噪声扰民问题突出，请督促整改。',
    ],
  },
  {
    key: 'lampblack',
    details: ['一楼烧烤店', '沿街小龙虾店', '底商火锅店', '小区门口大排档', '临街川菜馆'],
    whens: ['每天傍晚', '晚饭时间', '夜宵时段'],
    titles: ['{p}{d}油烟扰民', '投诉{d}油烟直排', '{d}油烟污染{p}住户'],
    bodies: [
      '{p}的{d}没有安装油烟净化设施，{w}油烟直接排到楼上住户家里，窗户都不敢开，请相关部门查处。',
      '来电人反映{p}{d}{w}油烟很重，熏得楼上居民家里全是味道，多次沟通无果，要求整改。',
      '{d}油烟直排问题：{p}居民称该店{w}排放大量油烟，还有噪音，影响生活，希望执法部门上门检查。',
      '我们是{p}的住户，楼下{d}的排烟管道直接对着居民楼，{w}呛得人喘不过气，恳请尽快处理。',
    ],
  },
  {
    key: 'streetlight',
    details: ['主干道路灯', '小区入口路灯', '人行道路灯', '桥下照明灯', '公交站旁路灯'],
    whens: ['半个多月', '一个多月', '两个星期'],
    titles: ['{p}{d}损坏不亮', '反映{d}长期不亮', '{p}夜间照明缺失'],
    bodies: [
      '{p}的{d}已经坏了{w}，晚上一片漆黑，行人和电动车很容易出事，请尽快维修。',
      '市民反映{p}一段{d}{w}都不亮了，夜里出行很不安全，联系过物业说不归他们管，请求协调修复。',
      '{d}长期不亮：来电人称{p}附近照明设施损坏已有{w}，老人晚上散步摔倒过，要求市政部门维修。',
      '请管一管{p}的{d}，坏了{w}没人修，下班回家要摸黑走，存在安全隐患。',
    ],
  },
  {
    key: 'water-outage',
    details: ['自来水', '二次供水', '供水管道', '小区水箱', '居民用水'],
    whens: ['三天', '两天', '一个星期'],
    titles: ['{p}停水无人处理', '反映{p}{d}问题', '{p}居民用水困难'],
    bodies: [
      '{p}已经停水{w}了，事先没有通知，打供水公司电话一直说在抢修，居民生活受到很大影响。',
      '来电人反映{p}{d}出现故障，连续{w}没有水用，楼上住户只能拎桶下楼打水，请督促尽快恢复供水。',
      '我们{p}整栋楼断水{w}，物业和水务互相推诿，老人小孩洗漱做饭都成问题，恳请政府出面协调。',
      '{p}{d}停供{w}，群众反映强烈，希望有关部门查明原因，尽快恢复正常用水并做好临时送水。',
    ],
  },
  {
    key: 'garbage',
    details: ['垃圾分类亭', '垃圾中转点', '路边垃圾桶', '建筑垃圾堆', '生活垃圾'],
    whens: ['好几天', '一个星期', '三四天'],
    titles: ['{p}垃圾无人清运', '{p}{d}脏乱臭', '反映{d}长期未清理'],
    bodies: [
      '{p}的{d}{w}没人清运了，垃圾堆成山，天气热臭味很大，还招苍蝇老鼠，请环卫部门尽快处理。',
      '市民反映{p}附近{d}满溢，{w}无人清理，气味难闻，影响周边居民和商户，要求加强清运。',
      '{d}长期未清理：{p}居民称垃圾已经堆了{w}，流出污水，路过都要捂鼻子，希望尽快清运并定期保洁。',
      '{p}垃圾问题严重，{d}周边脏乱差持续{w}，多次向社区反映未解决，请城管部门督促。',
    ],
  },
  {
    key: 'fire-lane',
    details: ['私家车', '货车', '共享电动车', '外卖电动车', '违停车辆'],
    whens: ['每天晚上', '长期', '周末'],
    titles: ['{p}消防通道被占', '{d}堵塞{p}消防通道', '投诉{p}车辆违停'],
    bodies: [
      '{p}的消防通道{w}被{d}占用，万一发生火灾消防车根本进不来，请相关部门清理并加强管理。',
      '来电人反映{p}{d}{w}乱停乱放，把消防通道堵得严严实实，物业不管，存在严重安全隐患。',
      '我们小区{p}消防车道常被{d}堵住，{w}都是这样，要求交警和消防部门上门处置。',
      '{d}违停占用{p}消防通道问题，居民多次投诉，{w}依然如此，请督促落实整治措施。',
    ],
  },
  {
    key: 'elevator',
    details: ['3号楼电梯', '老旧电梯', '加装电梯', '单元电梯', '住宅电梯'],
    whens: ['十多天', '半个月', '一个多月'],
    titles: ['{p}{d}故障停运', '{p}电梯长期停用', '反映{d}维修不及时'],
    bodies: [
      '{p}{d}坏了{w}一直没修好，楼里很多老人腿脚不便只能爬楼梯，请督促物业和维保单位尽快修复。',
      '市民来电反映{p}的{d}频繁故障，这次已停运{w}，还有人被困过，担心安全，要求检测维修。',
      '{d}维修不及时：{p}居民称电梯停用{w}，物业说在等配件，住高层的老人出不了门，请求协调。',
      '我住{p}，{d}{w}停运没人管，维修资金申请迟迟批不下来，希望住建部门督促解决。',
    ],
  },
  {
    key: 'wage-arrears',
    details: ['建筑工地', '装修公司', '物流园项目', '厂房工程', '市政工程'],
    whens: ['三个月', '半年', '五个月'],
    titles: ['{p}{d}拖欠农民工工资', '反映{d}欠薪问题', '{d}工人讨薪'],
    bodies: [
      '来电人在{p}的{d}干活，老板拖欠工资{w}了，二十多个工人都没拿到钱，请人社部门帮忙追讨。',
      '农民工反映{p}{d}包工头欠薪{w}，找项目部也推给分包，工人快过不下去了，请求依法处理。',
      '{d}欠薪：我们在{p}做工，工资被拖了{w}，合同都签了却不给钱，希望劳动监察介入。',
      '{p}{d}拖欠工人工资{w}，涉及多名外地务工人员，请有关部门督促企业尽快支付。',
    ],
  },
  {
    key: 'pothole',
    details: ['机动车道', '非机动车道', '人行道', '小区出入口道路', '路口'],
    whens: ['一个多月', '好几个月', '下雨后'],
    titles: ['{p}道路坑洼破损', '{p}{d}路面塌陷', '反映{d}破损未修'],
    bodies: [
      '{p}的{d}路面坑坑洼洼，{w}都没修，电动车经过很容易摔倒，请市政部门尽快修补。',
      '市民反映{p}{d}有一个大坑，{w}积水看不出深浅，已经有人摔伤，要求设置警示并修复。',
      '{d}破损：{p}附近路面塌陷{w}，车辆绕行造成拥堵，希望道路养护单位马上处理。',
      '请关注{p}{d}坑洼问题，破损{w}没人管，骑车上下班很危险。',
    ],
  },
  {
    key: 'square-dance',
    details: ['广场舞音响', '健身队音箱', '公园音乐', '夜间唱歌团体', 'K歌摊'],
    whens: ['每晚九点半以后', '早上六点前', '晚上十点以后'],
    titles: ['{p}{d}噪音扰民', '投诉{d}音量过大', '{p}夜间噪声'],
    bodies: [
      '{p}附近{d}声音开得很大，{w}还在放，家里孩子要学习老人要休息，请派出所和城管管一管。',
      '来电人反映{p}的{d}噪音扰民，{w}持续不断，协商无果，要求规定时间和音量。',
      '{d}音量过大：{p}居民称{w}依然吵闹，严重影响休息，多次报警仍反复出现。',
      '我们住在{p}，楼下{d}{w}放音乐，窗户关上都听得清清楚楚，请有关部门协调解决。',
    ],
  },
  {
    key: 'illegal-building',
    details: ['顶楼阳光房', '楼顶加盖房屋', '一楼院子扩建', '沿街搭建棚子', '屋顶彩钢棚'],
    whens: ['最近', '上个月', '这几天'],
    titles: ['{p}违章搭建', '举报{d}违建', '{p}{d}未经审批'],
    bodies: [
      '举报{p}有住户{w}在搞{d}，没有任何审批手续，影响邻居采光还存在安全隐患，请执法部门拆除。',
      '市民反映{p}{d}属于违章建筑，{w}开工，施工噪音大，物业劝阻无效，请求综合执法查处。',
      '{d}违建：{p}居民称该户{w}私自搭建，占用公共空间，希望尽快制止并依法处理。',
      '{p}{w}出现{d}，没有规划许可，邻居意见很大，请城管上门核查。',
    ],
  },
  {
    key: 'stray-dogs',
    details: ['流浪狗', '无主犬', '大型犬', '野狗群', '未拴绳的狗'],
    whens: ['晚上', '早上上学时', '经常'],
    titles: ['{p}{d}伤人隐患', '{p}流浪犬问题', '反映{d}扰民'],
    bodies: [
      '{p}{w}有好几只{d}在小区里乱窜，已经追咬过小孩，居民很害怕，请有关部门捕捉处置。',
      '来电人反映{p}附近{d}{w}出没，夜里狂叫还翻垃圾桶，存在伤人风险，要求处理。',
      '{d}问题：{p}居民称{w}有狗群聚集，老人孩子不敢出门，希望公安和城管联合整治。',
      '我们{p}{d}越来越多，{w}成群结队，上周有人被咬去打了疫苗，请尽快解决。',
    ],
  },
  {
    key: 'road-project',
    details: ['道路拓宽工程', '快速路改造', '跨江大桥接线', '城市绿道建设', '地下综合管廊'],
    whens: ['年底前', '今年六月底前', '明年一季度'],
    titles: ['推进{p}{d}', '加快{p}{d}建设', '{p}{d}按期完工'],
    bodies: [
      '加快推进{p}{d}建设，倒排工期、挂图作战，确保{w}完成主体工程并通车。',
      '督促{p}{d}加快进度，协调解决征迁和管线迁改难题，{w}实现完工目标。',
      '围绕{p}{d}，落实责任单位和时间节点，强化要素保障，力争{w}建成投用。',
      '{p}{d}进度滞后，请牵头单位制定赶工方案，每月报送进展，{w}全面完工。',
    ],
  },
  {
    key: 'river',
    details: ['河道黑臭', '河面漂浮物', '排污口', '沿河违规排放', '河岸垃圾'],
    whens: ['近一个月', '夏天以来', '连续几周'],
    titles: ['{p}河道水质问题', '反映{p}{d}', '{p}{d}整治'],
    bodies: [
      '{p}旁边的河{w}又黑又臭，{d}问题严重，周边居民开窗都闻得到，请环保部门查明污染源。',
      '市民反映{p}一带{d}，{w}水面发黑冒泡，怀疑有企业偷排，要求彻底整治。',
      '{d}：{p}居民称{w}河水颜色异常、气味刺鼻，希望河长办和生态环境部门尽快处理。',
      '请督促整治{p}{d}，{w}未见改善，影响群众生活环境。',
    ],
  },
];

const fill = (s: string, c: Case) =>
  s.replaceAll('{p}', c.place).replaceAll('{d}', c.detail).replaceAll('{w}', c.when);

type Text = { title: string; content: string };
export function write(rng: Rng, kind: Kind, c: Case, avoid?: { t: number; b: number }) {
  let t = rng.int(0, kind.titles.length - 1);
  let b = rng.int(0, kind.bodies.length - 1);
  if (avoid) {
    // Another caller or unit: another wording of both title and body.
    while (t === avoid.t) t = rng.int(0, kind.titles.length - 1);
    while (b === avoid.b) b = rng.int(0, kind.bodies.length - 1);
  }
  return {
    text: { title: fill(kind.titles[t] as string, c), content: fill(kind.bodies[b] as string, c) },
    t,
    b,
  };
}

export function caseOf(rng: Rng, kind: Kind, place?: string): Case {
  return { place: place ?? rng.pick(PLACES), detail: rng.pick(kind.details), when: rng.pick(kind.whens) };
}

export function buildPairs(seed = 20261128): { a: Text; b: Text; duplicate: boolean; note: string }[] {
  const rng = createRng(seed);
  const out: { a: Text; b: Text; duplicate: boolean; note: string }[] = [];
  for (let i = 0; i < 360; i++) {
    const kind = KINDS[i % KINDS.length] as Kind;
    const c = caseOf(rng, kind);
    const first = write(rng, kind, c);
    const roll = i % 9;
    if (roll < 4) {
      // Re-report: same place and specifics; the second caller may give a different duration.
      const again = { ...c, when: rng.chance(0.3) ? rng.pick(kind.whens) : c.when };
      const second = write(rng, kind, again, first);
      out.push({ a: first.text, b: second.text, duplicate: true, note: `${kind.key}: same case, reworded` });
    } else if (roll < 7) {
      // Same problem, another place (a different case), with its own specifics.
      const other = caseOf(rng, kind, rng.pick(PLACES.filter((p) => p !== c.place)));
      const second = write(rng, kind, other);
      out.push({
        a: first.text,
        b: second.text,
        duplicate: false,
        note: `${kind.key}: same problem, other place`,
      });
    } else {
      // Same place, another problem.
      const otherKind = rng.pick(KINDS.filter((k) => k !== kind));
      const second = write(rng, otherKind, caseOf(rng, otherKind, c.place));
      out.push({
        a: first.text,
        b: second.text,
        duplicate: false,
        note: `${kind.key} vs ${otherKind.key}: same place, other problem`,
      });
    }
  }
  return out;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  for (const p of buildPairs()) process.stdout.write(`${JSON.stringify(p)}\n`);
}
