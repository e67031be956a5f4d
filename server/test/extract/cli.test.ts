import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Cli, createCli } from '../support/cli.ts';
import { makePdf } from './documents.ts';

/** `duban extract` through the real bin, as a separate process. */
let cli: Cli;
let plan: string;
beforeAll(async () => {
  cli = await createCli('duban-extract-cli-');
  plan = path.join(cli.dataDir, 'plan.txt');
  fs.writeFileSync(
    plan,
    [
      '关于印发2026年为民办实事项目分工方案的通知',
      '1.新建社区食堂12个。（牵头单位：市民政局；配合单位：市发改委、市财政局；完成时限：10月底前）',
      '2.改造农村公路80公里。（市交通运输局负责，持续推进）',
    ].join('\n'),
  );
});
afterAll(async () => {
  await cli?.cleanup();
});

const noStack = (stderr: string) => expect(stderr).not.toMatch(/\n\s+at /);

describe('duban extract', () => {
  it('prints the items as JSON with exactly the exchange fields', async () => {
    const run = await cli.run(['extract', plan, '--json', '--no-units']);
    expect(run.code, run.stderr).toBe(0);
    const items = JSON.parse(run.stdout) as Record<string, unknown>[];
    expect(items).toHaveLength(2);
    expect(Object.keys(items[0] ?? {}).sort()).toEqual(
      [
        'citation',
        'collaborators',
        'deadline',
        'deadline_text',
        'lead',
        'recurring',
        'targets',
        'task',
      ].sort(),
    );
    expect(items[0]).toMatchObject({
      task: '新建社区食堂12个。',
      lead: ['市民政局'],
      collaborators: ['市发改委', '市财政局'],
      deadline: '2026-10-31',
      deadline_text: '10月底前',
      recurring: null,
      targets: [{ value: 12, unit: '个', what: '新建社区食堂' }],
    });
    expect(items[1]).toMatchObject({ lead: ['市交通运输局'], deadline: null, recurring: '持续推进' });
    const text = fs.readFileSync(plan, 'utf8');
    const citation = items[0]?.citation as { start: number; end: number };
    expect(text.slice(citation.start, citation.end)).toBe(
      '新建社区食堂12个。（牵头单位：市民政局；配合单位：市发改委、市财政局；完成时限：10月底前）',
    );
  });

  it('prints a readable listing, and --year replaces the year of year-less phrases', async () => {
    const run = await cli.run(['extract', plan, '--year', '2027', '--no-units']);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toMatch(/共 2 项/);
    expect(run.stdout).toMatch(/牵头：市民政局 {4}配合：市发改委、市财政局/);
    expect(run.stdout).toMatch(/时限：10月底前 → 2027-10-31/);
  });

  it('explains unsupported, missing and scanned files without a stack trace', async () => {
    const doc = path.join(cli.dataDir, 'old.doc');
    fs.writeFileSync(doc, 'x');
    const unsupported = await cli.run(['extract', doc]);
    expect(unsupported.code).toBe(2);
    expect(unsupported.stderr).toMatch(/不支持的文件类型 \.doc/);
    noStack(unsupported.stderr);

    const missing = await cli.run(['extract', path.join(cli.dataDir, 'nothing.txt')]);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toMatch(/无法读取文件/);
    noStack(missing.stderr);

    const scan = path.join(cli.dataDir, 'scan.pdf');
    fs.writeFileSync(scan, makePdf([[]]));
    const scanned = await cli.run(['extract', scan]);
    expect(scanned.code).toBe(1);
    expect(scanned.stderr).toMatch(/没有文字层（可能是扫描件）/);
    noStack(scanned.stderr);

    const badYear = await cli.run(['extract', plan, '--year', '26']);
    expect(badYear.code).toBe(1);
    expect(badYear.stderr).toMatch(/四位年份/);
  });

  it('with --units, names the org-tree unit of each matched name', async () => {
    expect((await cli.run(['org', 'import-regions', '--code', '330000'])).code).toBe(0);
    expect((await cli.run(['org', 'create-units', '--region', '330100'])).code).toBe(0);
    const run = await cli.run(['extract', plan, '--json', '--units', '--region', '330100']);
    expect(run.code, run.stderr).toBe(0);
    const [first] = JSON.parse(run.stdout) as {
      lead: string[];
      units?: { name: string; canonical: string }[];
    }[];
    expect(first?.lead).toEqual(['市民政局']);
    expect(first?.units?.map((u) => [u.name, u.canonical])).toEqual([
      ['市民政局', '杭州市民政局'],
      ['市发改委', '杭州市发展和改革委员会'],
      ['市财政局', '杭州市财政局'],
    ]);
    const plain = await cli.run(['extract', plan, '--json', '--no-units']);
    expect(plain.stdout).not.toMatch(/"units"/);
  });
});
