import { describe, expect, it } from 'vitest';
import { documentYear } from '../../src/extract/document-year.ts';
import { extractItems } from '../../src/extract/extract.ts';
import type { ExtractedItem } from '../../src/extract/types.ts';

const brief = (items: ExtractedItem[]) =>
  items.map((i) => ({ task: i.task, lead: i.lead, collaborators: i.collaborators, deadline: i.deadline }));

/** The citation starts with the task and lies in the text. */
function expectCitations(text: string, items: ExtractedItem[]) {
  for (const item of items) {
    expect(text.slice(item.citation.start, item.citation.end).startsWith(item.task)).toBe(true);
  }
}

describe('extractItems: unit brackets', () => {
  it('reads numbered items with a （牵头单位：…；配合单位：…；完成时限：…） bracket', () => {
    const text = [
      '2024年民生实事任务分工',
      '一、住房保障',
      '1.筹集保障性租赁住房3000套。（牵头单位：市住建局；配合单位：市自然资源规划局；完成时限：11月底前）',
      '2.完成棚户区改造1200户。(牵头单位:市住建局;配合单位:各区政府;完成时限:年底前)',
    ].join('\n');
    const items = extractItems(text);
    expect(brief(items)).toEqual([
      {
        task: '筹集保障性租赁住房3000套。',
        lead: ['市住建局'],
        collaborators: ['市自然资源规划局'],
        deadline: '2024-11-30',
      },
      {
        task: '完成棚户区改造1200户。',
        lead: ['市住建局'],
        collaborators: ['各区政府'],
        deadline: '2024-12-31',
      },
    ]);
    expect(items[0]?.targets).toEqual([{ value: 3000, unit: '套', what: '筹集保障性租赁住房' }]);
    expectCitations(text, items);
  });

  it('splits a paragraph at each bracket: several tasks share one （一） item', () => {
    const text =
      '（三）优化政务服务。推行高频事项“一网通办”，上半年实现80%以上事项网上可办。（市数据局牵头，市级有关部门配合）健全投诉处理机制，做到3个工作日内响应。（市政务服务中心负责）';
    const items = extractItems(text, { year: 2025 });
    expect(brief(items)).toEqual([
      {
        task: '优化政务服务。推行高频事项“一网通办”，上半年实现80%以上事项网上可办。',
        lead: ['市数据局'],
        collaborators: ['市级有关部门'],
        deadline: '2025-06-30',
      },
      {
        task: '健全投诉处理机制，做到3个工作日内响应。',
        lead: ['市政务服务中心'],
        collaborators: [],
        deadline: null,
      },
    ]);
    expect(items[1]?.deadline_text).toBe('3个工作日内');
    expectCitations(text, items);
  });

  it('reads （X、Y按职责分工负责） and the 列第一位 rule carried by 下同', () => {
    const text = [
      '1.稳定粮食生产，播种面积保持在50万亩以上。（市农业农村局、市发改委负责。列第一位的为牵头单位，下同）',
      '2.加强耕地保护。（市自然资源局、市农业农村局负责）',
    ].join('\n');
    expect(brief(extractItems(text, { year: 2024 }))).toEqual([
      {
        task: '稳定粮食生产，播种面积保持在50万亩以上。',
        lead: ['市农业农村局'],
        collaborators: ['市发改委'],
        deadline: null,
      },
      { task: '加强耕地保护。', lead: ['市自然资源局'], collaborators: ['市农业农村局'], deadline: null },
    ]);
  });

  it('gives one standalone bracket to each numbered sub-item above it, not to their headings', () => {
    const text = [
      '（二）提升基层治理能力',
      '1.加强网格化管理',
      '（1）优化网格划分，配齐专职网格员。',
      '（2）建立网格事项准入制度。',
      '（责任单位：区委政法委、各街道办事处）',
    ].join('\n');
    const items = extractItems(text);
    expect(items.map((i) => i.task)).toEqual(['优化网格划分，配齐专职网格员。', '建立网格事项准入制度。']);
    for (const i of items) expect(i.lead).toEqual(['区委政法委', '各街道办事处']);
  });

  it('reads a bracket broken over two lines', () => {
    const text =
      '1.完成燃气管道更新200公里。（牵头单位：市住建局；配合单位：市\n财政局、各区政府；完成时限：年底前）';
    expect(brief(extractItems(text, { year: 2024 }))).toEqual([
      {
        task: '完成燃气管道更新200公里。',
        lead: ['市住建局'],
        collaborators: ['市财政局', '各区政府'],
        deadline: '2024-12-31',
      },
    ]);
  });

  it('ignores brackets that assign nothing', () => {
    const text = '为贯彻落实《实施意见》（市政发〔2024〕3号）精神，制定本方案（试行）。';
    expect(extractItems(text)).toEqual([]);
  });
});

describe('extractItems: field lines', () => {
  it('reads 牵头单位/责任单位/完成时限 lines under a numbered item', () => {
    const text = [
      '（一）城镇新增就业2万人以上',
      '牵头单位：县人社局',
      '责任单位：各乡镇、县经信局',
      '完成时限：2024年12月',
      '（二）城镇调查失业率控制在5.5%以内',
      '责任单位：县人社局',
    ].join('\n');
    expect(brief(extractItems(text))).toEqual([
      {
        task: '城镇新增就业2万人以上',
        lead: ['县人社局'],
        collaborators: ['各乡镇', '县经信局'],
        deadline: '2024-12-31',
      },
      { task: '城镇调查失业率控制在5.5%以内', lead: ['县人社局'], collaborators: [], deadline: null },
    ]);
  });

  it('reads 部门分工：X牵头，Y配合 and skips the leader line', () => {
    const text = [
      '3.外贸进出口总额增长3%。',
      '分管副市长：张某某',
      '部门分工：市商务局牵头，海关、市税务局配合。',
    ].join('\n');
    expect(brief(extractItems(text))).toEqual([
      {
        task: '外贸进出口总额增长3%。',
        lead: ['市商务局'],
        collaborators: ['海关', '市税务局'],
        deadline: null,
      },
    ]);
  });

  it('reads an inline 责任单位： after the task', () => {
    const items = extractItems('5.开展燃气安全专项整治。责任单位：市应急局、市城管局');
    expect(brief(items)).toEqual([
      { task: '开展燃气安全专项整治。', lead: ['市应急局', '市城管局'], collaborators: [], deadline: null },
    ]);
  });
});

describe('extractItems: directives', () => {
  it('reads the numbered lines after 会议议定如下事项： and a numbered directive opening with its unit', () => {
    const text = [
      '专题会议纪要',
      '会议议定如下事项：',
      '一、由区农业农村局牵头，会同区财政局拟定补贴方案，10月底前报区政府。',
      '二、区应急局要组织开展汛后隐患复查。',
      '会议要求各单位抓好落实。',
      '三、各街道要在年底前完成网格员培训全覆盖。',
    ].join('\n');
    expect(brief(extractItems(text, { year: 2025 }))).toEqual([
      {
        task: '由区农业农村局牵头，会同区财政局拟定补贴方案，10月底前报区政府。',
        lead: ['区农业农村局'],
        collaborators: ['区财政局'],
        deadline: '2025-10-31',
      },
      { task: '区应急局要组织开展汛后隐患复查。', lead: ['区应急局'], collaborators: [], deadline: null },
      {
        task: '各街道要在年底前完成网格员培训全覆盖。',
        lead: ['各街道'],
        collaborators: [],
        deadline: '2025-12-31',
      },
    ]);
  });
});

describe('extractItems: tables', () => {
  it('reads rows written one per line with | between cells', () => {
    const text = [
      '2025年重点工作任务清单',
      '序号 | 重点任务 | 牵头单位 | 配合单位 | 完成时限',
      '1 | 新建城市绿道20公里 | 市园林局 | 各区政府 | 10月底前',
      '2 | 整治背街小巷100条 | 市城管局 | 市住建局、各区政府 | 持续推进',
    ].join('\n');
    const items = extractItems(text);
    expect(brief(items)).toEqual([
      { task: '新建城市绿道20公里', lead: ['市园林局'], collaborators: ['各区政府'], deadline: '2025-10-31' },
      {
        task: '整治背街小巷100条',
        lead: ['市城管局'],
        collaborators: ['市住建局', '各区政府'],
        deadline: null,
      },
    ]);
    expect(items[1]?.recurring).toBe('持续推进');
    expectCitations(text, items);
  });

  it('reads a two-row header whose 责任分工 cell spans 牵头单位 and 配合单位', () => {
    const text = [
      '序号 | 工作任务 | 责任分工 | 完成时限',
      '牵头单位 | 配合单位',
      '1 | 建设数字乡村试点5个 | 县农业农村局 | 县数据局、各乡镇 | 10月底前',
    ].join('\n');
    expect(brief(extractItems(text, { year: 2024 }))).toEqual([
      {
        task: '建设数字乡村试点5个',
        lead: ['县农业农村局'],
        collaborators: ['县数据局', '各乡镇'],
        deadline: '2024-10-31',
      },
    ]);
  });

  it('reads a flattened table, one cell per line, with merged group cells and no 序号 header', () => {
    const text = [
      '工作类别',
      '工作内容',
      '责任部门',
      '完成时限',
      '规范管理',
      '1',
      '修订内部管理制度汇编。',
      '综合科',
      '6月底前',
      '2',
      '开展档案数字化整理。',
      '档案室',
      '年底前',
      '队伍建设',
      '3',
      '组织业务培训不少于4次。',
      '人事科',
      '持续推进',
    ].join('\n');
    const items = extractItems(text, { year: 2023 });
    expect(brief(items)).toEqual([
      { task: '修订内部管理制度汇编。', lead: ['综合科'], collaborators: [], deadline: '2023-06-30' },
      { task: '开展档案数字化整理。', lead: ['档案室'], collaborators: [], deadline: '2023-12-31' },
      { task: '组织业务培训不少于4次。', lead: ['人事科'], collaborators: [], deadline: null },
    ]);
  });
});

describe('extractItems: minutes', () => {
  it('takes each 一是/二是 part after 要求 as a task, and 由X牵头 as its lead', () => {
    const text = [
      '2024年5月10日，副市长李某主持召开防汛工作调度会。',
      '会议指出，当前已进入主汛期。',
      '李某要求：一是由市水利局牵头，会同市应急局完成水库隐患排查，6月15日前上报结果。二是加强值班值守。',
    ].join('\n');
    expect(brief(extractItems(text))).toEqual([
      {
        task: '由市水利局牵头，会同市应急局完成水库隐患排查，6月15日前上报结果。',
        lead: ['市水利局'],
        collaborators: ['市应急局'],
        deadline: '2024-06-15',
      },
      { task: '加强值班值守。', lead: [], collaborators: [], deadline: null },
    ]);
  });

  it('splits the sentence after 会议强调 at ；', () => {
    const text = '会议强调，要在9月底前完成主体施工；10月底前完成竣工验收。';
    const items = extractItems(text, { year: 2022 });
    expect(items.map((i) => i.deadline)).toEqual(['2022-09-30', '2022-10-31']);
  });
});

describe('the document year', () => {
  it('comes from the title, a document number, a full date, or the most named year', () => {
    expect(documentYear('关于印发2021年重点任务的通知\n正文')).toBe(2021);
    expect(documentYear('某某市人民政府文件\n某政发〔2019〕12号\n正文')).toBe(2019);
    expect(documentYear('通知\n某某局办公室\n2020年3月2日')).toBe(2020);
    expect(documentYear('会议通报\n推进2018年项目，2018年计划已下达。')).toBe(2018);
    expect(documentYear('会议通报\n年底前完成')).toBeNull();
  });

  it('can be overridden, or set to none', () => {
    const text = '关于印发2021年重点任务的通知\n1.完成验收。（市住建局负责，9月底前）';
    expect(extractItems(text)[0]?.deadline).toBe('2021-09-30');
    expect(extractItems(text, { year: 2030 })[0]?.deadline).toBe('2021-09-30'.replace('2021', '2030'));
    expect(extractItems(text, { year: null })[0]?.deadline).toBeNull();
  });
});
