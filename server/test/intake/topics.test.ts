import fs from 'node:fs';
import type { LightMyRequestResponse } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bandHashes, compareTexts, signature, textShingles } from '../../src/intake/similarity/minhash.ts';
import { buildTopics, TOPIC_THRESHOLD } from '../../src/intake/topics/cluster.ts';
import { createTestContext, type TestContext } from '../support/context.ts';
import { buildWorld, type Client, itemBody, type World } from '../support/factories.ts';

/**
 * 热点话题: three obvious topics among noise in 杭州, one in 宁波; counts, regions, weekly trend and
 * rising flag, data scope, the drill-down (exactly the records counted), auth and 400s.
 */
let ctx: TestContext;
let w: World;
let prov: Client;
let city: Client;
const NOW = new Date('2026-03-02T02:00:00Z');
const DAY = 86_400_000;

type Text = { title: string; content: string };
// 地铁三号线工地夜间施工 at 文三路华星小区 (西湖区): five callers in their own words.
const A: Text[] = [
  {
    title: '文三路华星小区地铁工地夜间施工扰民',
    content: '西湖区文三路华星小区旁边的地铁三号线工地每天施工到凌晨一点，噪音很大，居民无法休息。',
  },
  {
    title: '投诉地铁三号线工地夜间施工',
    content: '文三路华星小区附近的地铁三号线工地晚上一直施工到凌晨一点，吵得老人孩子睡不着。',
  },
  {
    title: '华星小区旁地铁工地半夜施工噪音',
    content: '地铁三号线工地在文三路华星小区边上半夜还在打桩，噪音扰民，已经持续一周。',
  },
  {
    title: '地铁三号线工地凌晨施工太吵',
    content: '西湖区文三路华星小区居民反映，旁边地铁三号线工地凌晨还在施工，噪音大睡不着觉。',
  },
  {
    title: '文三路地铁工地夜间噪音',
    content: '华星小区旁地铁三号线工地夜里施工到一两点，机器轰鸣，孩子第二天上学没精神。',
  },
];
// 春波小区3号楼电梯停运 (滨江区).
const B: Text[] = [
  {
    title: '长河路春波小区三号楼电梯停运',
    content: '滨江区长河路春波小区3号楼电梯坏了半个月一直没修好，高层老人下不了楼。',
  },
  {
    title: '春波小区电梯半个月没修',
    content: '长河路春波小区3号楼电梯停运半个月，物业说等配件，住高层的老人出不了门。',
  },
  {
    title: '春波小区3号楼电梯故障',
    content: '滨江区春波小区3号楼电梯故障停运，物业一直拖着不修，高层住户上下楼很困难。',
  },
  {
    title: '长河路春波小区电梯坏了没人修',
    content: '春波小区3号楼的电梯停了两个多星期，老人只能爬楼梯，物业推说等配件。',
  },
];
// 金沙湖花园火锅店油烟 (钱塘区).
const C: Text[] = [
  {
    title: '金沙湖花园底商火锅店油烟扰民',
    content: '钱塘区下沙街道金沙湖花园的底商火锅店没有安装油烟净化设施，每天傍晚油烟直接排到楼上住户家里。',
  },
  {
    title: '投诉底商火锅店油烟直排',
    content: '钱塘区下沙街道金沙湖花园底商火锅店夜宵时段油烟很重，熏得楼上家里全是味道。',
  },
  {
    title: '金沙湖花园火锅店油烟熏人',
    content: '下沙街道金沙湖花园底商的火锅店油烟直排，楼上住户窗户都不敢开。',
  },
];
const NOISE: [string, Text][] = [
  [
    '330105',
    { title: '城北小区路灯长期不亮', content: '拱墅区城北小区3号楼前路灯已损坏两个月，晚上出行不便。' },
  ],
  [
    '330109',
    { title: '某公司拖欠农民工工资', content: '萧山区一建筑公司拖欠三十名农民工工资四个月，年底无法回家。' },
  ],
  [
    '330110',
    {
      title: '学校门口道路坑洼积水',
      content: '余杭区良渚小学门口道路坑洼严重，下雨天积水，学生上学很危险。',
    },
  ],
  [
    '330102',
    { title: '小河黑臭无人治理', content: '上城区九堡小河水体发黑发臭，夏天气味很大，附近居民苦不堪言。' },
  ],
  [
    '330113',
    {
      title: '广场舞音响声音太大',
      content: '临平区星光广场每晚广场舞音响开得很大，一直到十点，影响周边住户。',
    },
  ],
  [
    '330111',
    { title: '流浪狗在小区咬人', content: '富阳区春江花园小区有多只流浪狗，已经咬伤两名老人，物业不管。' },
  ],
];
// 宁波 (outside 杭州's scope): a rewording of A, and a topic of its own.
const NINGBO_A: Text = {
  title: '地铁三号线工地夜间施工扰民',
  content: '文三路华星小区旁地铁三号线工地每天施工到凌晨一点，噪音很大无法休息。',
};
const D: Text[] = [
  {
    title: '鄞州区天童路垃圾清运不及时',
    content: '鄞州区天童路锦绣小区垃圾桶满了好几天没人清运，臭气熏天。',
  },
  { title: '锦绣小区垃圾几天没人收', content: '天童路锦绣小区门口垃圾桶好几天没人清运，夏天味道很大。' },
];

const ids: Record<string, string[]> = { A: [], B: [], C: [], D: [] };
let aOld: string;
let aTask: string;

async function add(text: Text, regionCode: string, daysAgo: number, kind = 'complaint'): Promise<string> {
  ctx.setNow(new Date(NOW.getTime() - daysAgo * DAY));
  const res = await prov.post('/api/v1/intake', { kind, regionCode, ...text });
  expect(res.statusCode, res.body).toBe(201);
  return res.json().record.id as string;
}

function problem(res: LightMyRequestResponse, status: number, code: string, field?: string) {
  expect(res.statusCode, res.body).toBe(status);
  expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
  expect(res.json().code).toBe(code);
  if (field !== undefined) expect(res.json().field).toBe(field);
}

type TopicJson = {
  key: string;
  label: string;
  count: number;
  regions: { code: string; count: number }[];
  weekly: number[];
  lastWeek: number;
  rising: boolean;
  linkedItems: { id: string; number: string; records: number }[];
  sampleRecordIds: string[];
};

async function topics(client: Client, query = '') {
  const res = await client.get(`/api/v1/intake/topics${query}`);
  expect(res.statusCode, res.body).toBe(200);
  return res.json() as {
    topics: TopicJson[];
    recordsConsidered: number;
    capped: boolean;
    weekStarts: string[];
  };
}

beforeAll(async () => {
  ctx = await createTestContext();
  w = await buildWorld(ctx);
  prov = await w.as('prov_sup');
  city = await w.as('city_sup');
  for (const [i, d] of [1, 2, 3, 10, 17].entries()) ids.A?.push(await add(A[i] as Text, '330106', d));
  for (const [i, d] of [8, 9, 15, 16].entries()) ids.B?.push(await add(B[i] as Text, '330108', d));
  for (const [i, d] of [4, 12, 20].entries()) ids.C?.push(await add(C[i] as Text, '330114', d));
  for (const [i, [region, text]] of NOISE.entries()) await add(text, region, i + 1);
  for (const [i, d] of [3, 5].entries()) ids.D?.push(await add(D[i] as Text, '330212', d));
  ids.NA = [await add(NINGBO_A, '330212', 2)];
  // Not counted at 30 days: a record 40 days old, and a task (not a citizen's complaint).
  aOld = await add(A[0] as Text, '330106', 40);
  aTask = await add(A[1] as Text, '330106', 1, 'task');
  ctx.setNow(NOW);
});
afterAll(async () => {
  await w?.app.close();
  await ctx?.cleanup();
});

describe('the threshold', () => {
  it('joins reworded reports of one case and few "other problem at the same place" pairs', () => {
    const lines = fs
      .readFileSync(new URL('../fixtures/duplicates/pairs.jsonl', import.meta.url), 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { a: Text; b: Text; duplicate: boolean; note: string });
    const share = (pred: (n: string) => boolean) => {
      const xs = lines.filter((l) => pred(l.note));
      return xs.filter((l) => compareTexts(l.a, l.b).score >= TOPIC_THRESHOLD).length / xs.length;
    };
    expect(share((n) => n.endsWith('same case, reworded'))).toBeGreaterThanOrEqual(0.95);
    expect(share((n) => n.endsWith('same place, other problem'))).toBeLessThanOrEqual(0.15);
  });
});

describe('clustering (pure)', () => {
  const rec = (t: Text, id: string, hoursAgo: number) => {
    const shingles = textShingles(t.title, t.content);
    return {
      ...t,
      id,
      regionCode: '330106',
      regionName: '西湖区',
      receivedAt: new Date(NOW.getTime() - hoursAgo * 3_600_000),
      itemId: null,
      shingles,
      bands: bandHashes(signature(shingles)),
    };
  };
  // Another problem at the same place, and one report of both problems that is close to each.
  const E: Text[] = [
    {
      title: '文三路华星小区5号楼电梯停运',
      content: '西湖区文三路华星小区5号楼电梯坏了一个星期，物业不修，老人下不了楼。',
    },
    {
      title: '华星小区电梯坏了一周没修',
      content: '文三路华星小区5号楼电梯停运一周，高层住户上下楼困难，物业推说等配件。',
    },
    {
      title: '华星小区5号楼电梯故障',
      content: '西湖区文三路华星小区5号楼的电梯故障停运多日，老人孩子只能爬楼梯。',
    },
  ];
  const BRIDGE: Text = {
    title: '华星小区地铁工地夜间施工和电梯停运',
    content: '文三路华星小区旁地铁三号线工地凌晨施工，5号楼电梯又停运一周，老人下不了楼。',
  };

  it('does not chain two problems of one place through a report of both', () => {
    expect(compareTexts(BRIDGE, A[0] as Text).score).toBeGreaterThanOrEqual(TOPIC_THRESHOLD);
    expect(E.some((e) => compareTexts(BRIDGE, e).score >= TOPIC_THRESHOLD)).toBe(true);
    const records = [
      ...A.slice(0, 3).map((t, i) => rec(t, `a${i}`, 50 - i)),
      rec(BRIDGE, 'x', 40),
      ...E.map((t, i) => rec(t, `e${i}`, 30 - i)),
    ];
    const topics = buildTopics(records, { until: NOW, days: 30, minSize: 2 });
    expect(topics.map((t) => [...t.recordIds].sort())).toEqual([
      ['a0', 'a1', 'a2', 'x'],
      ['e0', 'e1', 'e2'],
    ]);
    expect(topics[0]?.key).toBe('a0');
    expect(topics[1]?.label).toContain('电梯');
  });
});

describe('GET /api/v1/intake/topics', () => {
  it('finds exactly the three 杭州 topics, with counts, regions, trend and rising flag', async () => {
    const r = await topics(city);
    expect(r.recordsConsidered).toBe(5 + 4 + 3 + NOISE.length);
    expect(r.capped).toBe(false);
    expect(r.weekStarts).toHaveLength(5);
    expect(r.topics.map((t) => t.count)).toEqual([5, 4, 3]);
    const [a, b, c] = r.topics as [TopicJson, TopicJson, TopicJson];
    expect(a.key).toBe(ids.A?.[4]); // the earliest record
    expect(new Set(a.sampleRecordIds)).toEqual(new Set(ids.A));
    expect(a.regions).toEqual([{ code: '330106', name: expect.any(String), count: 5 }]);
    expect(a.label).toContain('地铁三号线工地');
    expect(a.weekly).toEqual([0, 0, 1, 1, 3]);
    expect(a.rising).toBe(true);
    expect(b.key).toBe(ids.B?.[3]);
    expect(b.regions).toEqual([{ code: '330108', name: expect.any(String), count: 4 }]);
    expect(b.label).toContain('春波小区');
    expect(b.weekly).toEqual([0, 0, 2, 2, 0]);
    expect(b.rising).toBe(false);
    expect(c.key).toBe(ids.C?.[2]);
    expect(c.regions[0]?.code).toBe('330114');
    expect(c.rising).toBe(false);
    for (const t of r.topics) {
      expect(t.sampleRecordIds).not.toContain(aOld);
      expect(t.sampleRecordIds).not.toContain(aTask);
    }
  });

  it('a longer window takes the older record in; minSize drops the small topics', async () => {
    const long = await topics(city, '?days=60');
    expect(long.topics[0]?.count).toBe(6);
    expect(long.topics[0]?.key).toBe(aOld);
    expect((await topics(city, '?minSize=4')).topics.map((t) => t.count)).toEqual([5, 4]);
  });

  it('keeps records outside the scope out: 宁波, the county and the province each see their own', async () => {
    const ningbo = await topics(await w.as('ningbo_sup'));
    expect(ningbo.topics.map((t) => t.count)).toEqual([2]);
    expect(new Set(ningbo.topics[0]?.sampleRecordIds)).toEqual(new Set(ids.D));
    const county = await topics(await w.as('county_sup'));
    expect(county.topics.map((t) => t.count)).toEqual([5]);
    // The province (and a leader there) sees 宁波's rewording in topic A and 宁波's own topic.
    for (const client of [prov, await w.as('leader')]) {
      const all = await topics(client);
      expect(all.topics.map((t) => t.count)).toEqual([6, 4, 3, 2]);
      expect(all.topics[0]?.regions.map((x) => [x.code, x.count])).toEqual([
        ['330106', 5],
        ['330212', 1],
      ]);
    }
    // A region of the caller's scope narrows the list.
    expect((await topics(prov, '?region=330212')).topics.map((t) => t.count)).toEqual([2]);
    problem(
      await city.get('/api/v1/intake/topics?region=330212'),
      404,
      'REGION_NOT_FOUND',
      'querystring.region',
    );
  });

  it('follows new records and decisions at once (no stale answer), with the linked items', async () => {
    ids.A?.push(await add(A[2] as Text, '330106', 0));
    ctx.setNow(NOW);
    const after = await topics(city);
    expect(after.topics[0]?.count).toBe(6);
    const item = await city.post('/api/v1/items', itemBody());
    expect(item.statusCode, item.body).toBe(201);
    const itemId = item.json().item.id as string;
    for (const id of [ids.A?.[0], ids.A?.[1]]) {
      const merged = await city.post(`/api/v1/intake/${id}/merge`, { itemId });
      expect(merged.statusCode, merged.body).toBe(200);
    }
    const linked = await topics(city);
    expect(linked.topics[0]?.linkedItems).toEqual([
      { id: itemId, number: item.json().item.number, title: expect.any(String), records: 2 },
    ]);
  });
});

describe('GET /api/v1/intake/topics/{topicKey}/records', () => {
  it('lists exactly the records the topic counts', async () => {
    for (const query of ['', '?days=60', '?minSize=3']) {
      const list = await topics(city, query);
      for (const t of list.topics) {
        const res = await city.get(`/api/v1/intake/topics/${t.key}/records${query}`);
        expect(res.statusCode, res.body).toBe(200);
        const body = res.json() as { topic: TopicJson; records: { id: string; regionCode: string }[] };
        expect(body.records).toHaveLength(t.count);
        expect(body.topic.count).toBe(t.count);
        expect(new Set(body.records.map((x) => x.id)).size).toBe(t.count);
        for (const id of t.sampleRecordIds) expect(body.records.map((x) => x.id)).toContain(id);
      }
    }
    const a = (await topics(city)).topics[0] as TopicJson;
    const records = (await city.get(`/api/v1/intake/topics/${a.key}/records`)).json().records as {
      id: string;
    }[];
    expect(new Set(records.map((x) => x.id))).toEqual(new Set(ids.A));
  });

  it('is 404 for a topic outside the caller’s scope or not a topic, 400 for a malformed key', async () => {
    const a = (await topics(city)).topics[0] as TopicJson;
    problem(await (await w.as('ningbo_sup')).get(`/api/v1/intake/topics/${a.key}/records`), 404, 'NOT_FOUND');
    const b = (await topics(city)).topics[1] as TopicJson;
    problem(await (await w.as('county_sup')).get(`/api/v1/intake/topics/${b.key}/records`), 404, 'NOT_FOUND');
    // A record that is not a topic's key (a member, noise) is no topic.
    problem(await city.get(`/api/v1/intake/topics/${ids.A?.[0]}/records`), 404, 'NOT_FOUND');
    problem(await city.get('/api/v1/intake/topics/abc/records'), 400, 'VALIDATION_FAILED', 'params.topicKey');
  });
});

describe('authorization and bad input', () => {
  it('401 without a session; 403 for handlers, unit heads, evaluators and admins', async () => {
    problem(await w.app.inject({ method: 'GET', url: '/api/v1/intake/topics' }), 401, 'UNAUTHENTICATED');
    const key = (await topics(city)).topics[0]?.key as string;
    problem(
      await w.app.inject({ method: 'GET', url: `/api/v1/intake/topics/${key}/records` }),
      401,
      'UNAUTHENTICATED',
    );
    for (const user of ['housing_h', 'housing_head', 'evaluator', 'admin']) {
      const client = await w.as(user);
      problem(await client.get('/api/v1/intake/topics'), 403, 'FORBIDDEN');
      problem(await client.get(`/api/v1/intake/topics/${key}/records`), 403, 'FORBIDDEN');
    }
  });

  it('400 naming the field for bad parameters', async () => {
    for (const [query, field] of [
      ['?days=6', 'querystring.days'],
      ['?days=181', 'querystring.days'],
      ['?days=abc', 'querystring.days'],
      ['?days=7.5', 'querystring.days'],
      ['?minSize=1', 'querystring.minSize'],
      ['?region=3301', 'querystring.region'],
    ] as const) {
      problem(await city.get(`/api/v1/intake/topics${query}`), 400, 'VALIDATION_FAILED', field);
    }
    const res = await city.get('/api/v1/intake/topics?bogus=1');
    expect(res.statusCode).toBe(400);
  });
});
