import fs from 'node:fs';
import path from 'node:path';
import ExcelJS from 'exceljs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openRuntime } from '../../src/runtime.ts';
import { type Cli, createCli } from '../support/cli.ts';
import type { TestContext } from '../support/context.ts';
import { buildBulletinWorld, pdfText } from './support.ts';

/** `duban report four-lists` and `duban report bulletin` on a database with the fixture world. */
let cli: Cli;
let numbers: Record<string, string>;

beforeAll(async () => {
  cli = await createCli('duban-report-cli-');
  const rt = await openRuntime({ data: cli.dataDir, databaseUrl: cli.databaseUrl });
  let now: Date | undefined;
  const ctx: TestContext = {
    ...rt,
    now: () => now ?? new Date(),
    setNow(d) {
      now = new Date(d);
    },
    async cleanup() {
      await rt.handle.close();
    },
  };
  try {
    const built = await buildBulletinWorld(ctx);
    numbers = built.numbers;
    await built.w.app.close();
  } finally {
    await ctx.cleanup();
  }
}, 300_000);
afterAll(async () => {
  await cli?.cleanup();
});

describe('duban report', () => {
  it('four-lists writes the workbook of the region and archives it', async () => {
    const out = path.join(cli.dataDir, 'out', '四张清单.xlsx');
    const r = await cli.run(['report', 'four-lists', '--out', out, '--region', '330100']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(
      /^已生成 \/ written .*四张清单\.xlsx: 杭州市四张清单_\d{4}-\d{2}-\d{2}\.xlsx, \d+ 字节 \(bytes\), sha256 [0-9a-f]{64}/,
    );
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.readFile(out);
    expect(wb.worksheets.map((s) => s.name)).toEqual(['任务清单', '责任清单', '时限清单', '结果清单']);
    const col = (wb.getWorksheet('结果清单')?.getColumn(2).values ?? []).filter((v) => typeof v === 'string');
    expect(col).toEqual(expect.arrayContaining([numbers.A, numbers.B, numbers.C]));
    expect(col).not.toContain(numbers.D);
  }, 300_000);

  it('bulletin writes a PDF in Chinese for the province root by default', async () => {
    const out = path.join(cli.dataDir, 'monthly.pdf');
    const r = await cli.run([
      'report',
      'bulletin',
      '--kind',
      'monthly',
      '--period',
      '2026-10',
      '--format',
      'pdf',
      '--out',
      out,
    ]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain('浙江省月度通报_2026-10.pdf');
    const text = await pdfText(out);
    expect(text).toContain('浙江省督办工作月度通报');
    expect(text).toContain(numbers.B);
    expect(text).toContain('杭州市教育局');
  }, 300_000);

  it('a bad period is a clear error naming it, with exit code 1 and no file', async () => {
    const out = path.join(cli.dataDir, 'bad.docx');
    const bad = await cli.run([
      'report',
      'bulletin',
      '--kind',
      'weekly',
      '--period',
      '2026-10',
      '--format',
      'docx',
      '--out',
      out,
    ]);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toContain('期次格式应为 2026-W47');
    expect(bad.stderr).toContain('options.period');
    expect(fs.existsSync(out)).toBe(false);
  }, 300_000);

  it('a bad kind or an unknown region: exit code 1', async () => {
    const out = path.join(cli.dataDir, 'bad.docx');
    const kind = await cli.run([
      'report',
      'bulletin',
      '--kind',
      'daily',
      '--period',
      '2026-10',
      '--format',
      'docx',
      '--out',
      out,
    ]);
    expect(kind.code).toBe(1);
    expect(kind.stderr).toContain('weekly, monthly or quarterly');
    const region = await cli.run(['report', 'four-lists', '--out', out, '--region', '110000']);
    expect(region.code).toBe(1);
    expect(region.stderr).toContain('行政区划 110000 不存在');
  }, 300_000);

  it('without a CJK font no PDF: exit code 1 naming DUBAN_CJK_FONT', async () => {
    const out = path.join(cli.dataDir, 'no-font.pdf');
    const font = await cli.run(
      ['report', 'bulletin', '--kind', 'monthly', '--period', '2026-10', '--format', 'pdf', '--out', out],
      { env: { DUBAN_CJK_FONT: '/nonexistent/font.ttc' } },
    );
    expect(font.code).toBe(1);
    expect(font.stderr).toContain('DUBAN_CJK_FONT');
    expect(fs.existsSync(out)).toBe(false);
  }, 300_000);
});
