import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { extractItems } from '../../src/extract/extract.ts';
import { chunkText, type LlmConfig, llmConfigFromEnv, refineWithLlm } from '../../src/extract/llm.ts';
import { type Cli, createCli } from '../support/cli.ts';

/**
 * The optional LLM pass against a fake OpenAI-compatible endpoint started here: each test says how
 * it answers (a JSON reply, garbage, or never).
 */
type Mode =
  | { kind: 'reply'; content: (user: { text: string; candidates: unknown[] }) => string }
  | { kind: 'garbage' }
  | { kind: 'hang' };
let mode: Mode = { kind: 'garbage' };
const requests: { headers: http.IncomingHttpHeaders; body: Record<string, unknown> }[] = [];
const hanging: http.ServerResponse[] = [];
let server: http.Server;
let url: string;

const TEXT = [
  '关于印发2026年为民办实事项目分工方案的通知',
  '1.新建社区食堂12个。（牵头单位：市民政局；配合单位：市发改委、市财政局；完成时限：10月底前）',
  '2.改造农村公路80公里。（市交通运输局负责，持续推进）',
].join('\n');

beforeAll(async () => {
  server = http.createServer((req, res) => {
    let raw = '';
    req.on('data', (d: Buffer) => {
      raw += d.toString();
    });
    req.on('end', () => {
      const body = JSON.parse(raw) as Record<string, unknown>;
      requests.push({ headers: req.headers, body });
      if (req.url !== '/v1/chat/completions') {
        res.writeHead(404).end();
        return;
      }
      if (mode.kind === 'hang') {
        hanging.push(res);
        return;
      }
      const messages = body.messages as { role: string; content: string }[];
      const content =
        mode.kind === 'garbage'
          ? 'Sure! Here are the items: 新建社区食堂'
          : mode.content(JSON.parse(messages[1]?.content ?? '{}') as { text: string; candidates: unknown[] });
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(
        JSON.stringify({
          id: 'x',
          object: 'chat.completion',
          choices: [{ index: 0, message: { role: 'assistant', content } }],
        }),
      );
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1`;
});
afterAll(async () => {
  for (const res of hanging) res.destroy();
  await new Promise<void>((resolve) => server.close(() => resolve()));
});
beforeEach(() => {
  requests.length = 0;
});

const config = (over: Partial<LlmConfig> = {}): LlmConfig => ({
  url,
  model: 'qwen-test',
  key: 'sk-test',
  timeoutMs: 5000,
  ...over,
});

/** The reply a model would give: the candidates, the first one's deadline moved to 9月底前. */
const editDeadline = (user: { candidates: unknown[] }) => {
  const items = (user.candidates as Record<string, unknown>[]).map((c) => ({ ...c }));
  if (items[0]) Object.assign(items[0], { deadline: '2026-09-30', deadline_text: '9月底前' });
  return JSON.stringify({ items });
};

describe('llmConfigFromEnv', () => {
  it('is off without DUBAN_LLM_URL and reads the model and key when set', () => {
    expect(llmConfigFromEnv({})).toBeUndefined();
    expect(llmConfigFromEnv({ DUBAN_LLM_URL: ' ' })).toBeUndefined();
    expect(
      llmConfigFromEnv({ DUBAN_LLM_URL: 'http://h/v1', DUBAN_LLM_MODEL: 'qwen3', DUBAN_LLM_KEY: 'k' }),
    ).toEqual({
      url: 'http://h/v1',
      model: 'qwen3',
      key: 'k',
    });
  });
});

describe('refineWithLlm', () => {
  it('sends the OpenAI-compatible request and applies an edited deadline', async () => {
    mode = { kind: 'reply', content: editDeadline };
    const rule = extractItems(TEXT, { year: 2026 });
    expect(rule[0]?.deadline).toBe('2026-10-31');
    const warnings: string[] = [];
    const r = await refineWithLlm(TEXT, rule, config(), { year: 2026, warn: (m) => warnings.push(m) });
    expect(warnings).toEqual([]);
    expect(r.items).toHaveLength(2);
    expect(r.items[0]).toMatchObject({
      task: '新建社区食堂12个。',
      lead: ['市民政局'],
      collaborators: ['市发改委', '市财政局'],
      deadline: '2026-09-30',
      deadline_text: '9月底前',
      targets: [{ value: 12, unit: '个', what: '新建社区食堂' }],
    });
    // The citation still covers the item with its bracket.
    expect(r.items[0]?.citation).toEqual(rule[0]?.citation);
    expect(r.items[1]).toEqual(rule[1]);
    expect(requests).toHaveLength(1);
    const req = requests[0];
    expect(req?.headers.authorization).toBe('Bearer sk-test');
    expect(req?.body).toMatchObject({
      model: 'qwen-test',
      temperature: 0,
      response_format: { type: 'json_object' },
    });
    const messages = req?.body.messages as { role: string; content: string }[];
    expect(messages.map((m) => m.role)).toEqual(['system', 'user']);
    expect(JSON.parse(messages[1]?.content ?? '{}')).toMatchObject({ year: 2026, text: TEXT });
  });

  it('drops items whose task is not in the text, and unit names that are not in it', async () => {
    mode = {
      kind: 'reply',
      content: () =>
        JSON.stringify({
          items: [
            {
              task: '新建社区食堂12个。',
              lead: ['市民政局', '省民政厅'],
              collaborators: [],
              deadline: '2026-10-31',
            },
            { task: '改造农村公路80公里', lead: ['市交通运输局'], recurring: '持续推进' },
            { task: '建设智慧城市大脑。', lead: ['市大数据局'] },
          ],
        }),
    };
    const rule = extractItems(TEXT, { year: 2026 });
    const r = await refineWithLlm(TEXT, rule, config(), { year: 2026, warn: () => undefined });
    expect(r.dropped).toBe(1);
    expect(r.items.map((i) => i.task)).toEqual(['新建社区食堂12个。', '改造农村公路80公里']);
    expect(r.items[0]?.lead).toEqual(['市民政局']);
    for (const item of r.items) {
      expect(TEXT.slice(item.citation.start, item.citation.end).startsWith(item.task)).toBe(true);
    }
    expect(r.items[1]?.targets).toEqual([{ value: 80, unit: '公里', what: '改造农村公路' }]);
  });

  it('keeps the rule-based result after a garbage reply (retried once) with a warning', async () => {
    mode = { kind: 'garbage' };
    const rule = extractItems(TEXT, { year: 2026 });
    const warnings: string[] = [];
    const r = await refineWithLlm(TEXT, rule, config(), { year: 2026, warn: (m) => warnings.push(m) });
    expect(r.items).toEqual(rule);
    expect(r.refined).toBe(0);
    expect(requests).toHaveLength(2);
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatch(/rule-based result kept/);
  });

  it('keeps the rule-based result when the reply has an impossible date', async () => {
    mode = {
      kind: 'reply',
      content: () =>
        JSON.stringify({ items: [{ task: '新建社区食堂12个。', lead: [], deadline: '2026-02-30' }] }),
    };
    const rule = extractItems(TEXT, { year: 2026 });
    const warnings: string[] = [];
    const r = await refineWithLlm(TEXT, rule, config(), { warn: (m) => warnings.push(m) });
    expect(r.items).toEqual(rule);
    expect(warnings).toHaveLength(1);
  });

  it('keeps the rule-based result when the endpoint does not answer in time', async () => {
    mode = { kind: 'hang' };
    const rule = extractItems(TEXT, { year: 2026 });
    const warnings: string[] = [];
    const r = await refineWithLlm(TEXT, rule, config({ timeoutMs: 300 }), { warn: (m) => warnings.push(m) });
    expect(r.items).toEqual(rule);
    expect(requests).toHaveLength(2);
    expect(warnings[0]).toMatch(/failed/);
  });

  it('keeps the rule-based result when nothing listens', async () => {
    const rule = extractItems(TEXT, { year: 2026 });
    const warnings: string[] = [];
    const r = await refineWithLlm(TEXT, rule, config({ url: 'http://127.0.0.1:9/v1' }), {
      warn: (m) => warnings.push(m),
    });
    expect(r.items).toEqual(rule);
    expect(warnings).toHaveLength(1);
  });

  it('cuts long texts at line ends into chunks that cover the text', () => {
    const text = Array.from({ length: 50 }, (_, i) => `${i + 1}.第${i + 1}项任务的内容写在这一行。`).join(
      '\n',
    );
    const chunks = chunkText(text, 200);
    expect(chunks.length).toBeGreaterThan(3);
    expect(chunks.map((c) => c.text).join('')).toBe(text);
    for (const c of chunks.slice(0, -1)) expect(c.text.endsWith('\n')).toBe(true);
    for (const c of chunks) expect(text.slice(c.start, c.start + c.text.length)).toBe(c.text);
  });
});

describe('duban extract with the LLM', () => {
  let cli: Cli;
  let file: string;
  beforeAll(async () => {
    cli = await createCli('duban-extract-llm-');
    file = path.join(cli.dataDir, 'plan.txt');
    fs.writeFileSync(file, TEXT);
  });
  afterAll(async () => {
    await cli?.cleanup();
  });

  it('never calls the endpoint without DUBAN_LLM_URL', async () => {
    mode = { kind: 'reply', content: editDeadline };
    const run = await cli.run(['extract', file, '--json', '--no-units'], { env: { DUBAN_LLM_URL: '' } });
    expect(run.code, run.stderr).toBe(0);
    expect((JSON.parse(run.stdout) as { deadline: string }[])[0]?.deadline).toBe('2026-10-31');
    expect(requests).toHaveLength(0);
  });

  it('applies the refinement when DUBAN_LLM_URL is set, and not with --no-llm', async () => {
    mode = { kind: 'reply', content: editDeadline };
    const env = { DUBAN_LLM_URL: url, DUBAN_LLM_MODEL: 'qwen-test' };
    const run = await cli.run(['extract', file, '--json', '--no-units'], { env });
    expect(run.code, run.stderr).toBe(0);
    expect((JSON.parse(run.stdout) as { deadline: string }[])[0]?.deadline).toBe('2026-09-30');
    expect(requests).toHaveLength(1);
    const off = await cli.run(['extract', file, '--json', '--no-units', '--no-llm'], { env });
    expect((JSON.parse(off.stdout) as { deadline: string }[])[0]?.deadline).toBe('2026-10-31');
    expect(requests).toHaveLength(1);
  });

  it('falls back to the rule-based items with a warning, exit 0, on a garbage reply', async () => {
    mode = { kind: 'garbage' };
    const run = await cli.run(['extract', file, '--json', '--no-units'], { env: { DUBAN_LLM_URL: url } });
    expect(run.code, run.stderr).toBe(0);
    expect((JSON.parse(run.stdout) as { deadline: string }[])[0]?.deadline).toBe('2026-10-31');
    expect(run.stderr).toMatch(/rule-based result kept/);
  });

  it('says so when --llm is given without DUBAN_LLM_URL', async () => {
    const run = await cli.run(['extract', file, '--json', '--no-units', '--llm'], {
      env: { DUBAN_LLM_URL: '' },
    });
    expect(run.code, run.stderr).toBe(0);
    expect(run.stderr).toMatch(/DUBAN_LLM_URL is not set/);
    expect(requests).toHaveLength(0);
  });
});
