import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import ExcelJS from 'exceljs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { scheduleActor } from '../../src/bulletins/jobs.ts';
import { isoWeekOf, kindsDueOn, parsePeriod, previousPeriod } from '../../src/bulletins/period.ts';
import { renderBulletin } from '../../src/bulletins/service.ts';
import { findRegion } from '../../src/org/regions.ts';
import type { Actor } from '../../src/shared/actor.ts';
import { DomainError } from '../../src/shared/errors.ts';
import { createTestContext, type TestContext } from '../support/context.ts';
import { buildBulletinWorld, pdfText, sofficeText, TODAY, tmpDir } from './support.ts';

let ctx: TestContext;
let numbers: Record<string, string>;
let city: Actor;
let dir: string;

beforeAll(async () => {
  ctx = await createTestContext();
  ({ numbers } = await buildBulletinWorld(ctx));
  const region = await findRegion(ctx.db, '330100');
  if (!region) throw new Error('no 杭州');
  city = scheduleActor(region);
  dir = tmpDir('duban-bulletins-');
}, 300_000);

afterAll(async () => {
  if (dir) fs.rmSync(dir, { recursive: true, force: true });
  await ctx?.cleanup();
});

const write = (name: string, bytes: Buffer) => {
  const file = path.join(dir, name);
  fs.writeFileSync(file, bytes);
  return file;
};

describe('periods', () => {
  it('reads weekly, monthly and quarterly codes into their days', () => {
    expect(parsePeriod('weekly', '2026-W47')).toMatchObject({ from: '2026-11-16', to: '2026-11-22' });
    expect(parsePeriod('weekly', '2026-W01')).toMatchObject({ from: '2025-12-29', to: '2026-01-04' });
    expect(parsePeriod('weekly', '2026-W53').from).toBe('2026-12-28'); // 2026 has 53 ISO weeks
    expect(parsePeriod('monthly', '2026-02')).toMatchObject({ from: '2026-02-01', to: '2026-02-28' });
    expect(parsePeriod('quarterly', '2026-Q3')).toMatchObject({
      from: '2026-07-01',
      to: '2026-09-30',
      monthFrom: '2026-07',
      monthTo: '2026-09',
      labelZh: '2026年第三季度',
    });
    expect(isoWeekOf('2027-01-01')).toEqual({ year: 2026, week: 53 });
  });

  it('refuses malformed and impossible periods naming the field', () => {
    for (const [kind, code] of [
      ['weekly', '2026-47'],
      ['weekly', '2027-W53'],
      ['monthly', '2026-13'],
      ['quarterly', '2026-Q5'],
      ['monthly', undefined],
    ] as const) {
      let caught: unknown;
      try {
        parsePeriod(kind, code);
      } catch (err) {
        caught = err;
      }
      expect(caught, `${kind} ${code}`).toBeInstanceOf(DomainError);
      expect((caught as DomainError).field).toBe('body.period');
    }
  });

  it('knows what is due when: Mondays, the 1st, a quarter’s first day', () => {
    expect(kindsDueOn('2026-11-23')).toEqual(['weekly']);
    expect(kindsDueOn('2026-12-01')).toEqual(['monthly']);
    expect(kindsDueOn('2026-10-01')).toEqual(['monthly', 'quarterly']);
    expect(kindsDueOn('2026-11-20')).toEqual([]);
    expect(previousPeriod('weekly', '2026-11-23').code).toBe('2026-W47');
    expect(previousPeriod('monthly', '2026-01-01').code).toBe('2025-12');
    expect(previousPeriod('quarterly', '2026-01-01').code).toBe('2025-Q4');
    expect(previousPeriod('quarterly', '2026-10-01').code).toBe('2026-Q3');
  });
});

describe('the four lists', () => {
  it('are a workbook of four sheets with a frozen, filtered header, that LibreOffice reads', async () => {
    const r = await renderBulletin(ctx.db, city, { kind: 'four_lists', format: 'xlsx' }, ctx.now());
    expect(r.fileName).toBe(`杭州市四张清单_${TODAY}.xlsx`);
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load(r.bytes as unknown as ArrayBuffer);
    expect(wb.worksheets.map((s) => s.name)).toEqual(['任务清单', '责任清单', '时限清单', '结果清单']);
    for (const ws of wb.worksheets) {
      expect(ws.views[0]).toMatchObject({ state: 'frozen', ySplit: 1 });
      expect(ws.autoFilter).toBeTruthy();
      expect(ws.getColumn(3).width).toBeGreaterThan(20);
      expect(ws.rowCount).toBe(4); // header + A, B, C (宁波's D is outside 杭州)
    }

    const text = await sofficeText(write('four-lists.xlsx', r.bytes), 'csv');
    for (const sheet of ['任务清单', '责任清单', '时限清单', '结果清单']) expect(text).toContain(sheet);
    for (const k of ['A', 'B', 'C']) expect(text).toContain(numbers[k]);
    expect(text).not.toContain(numbers.D);
    expect(text).toContain('序号,督办编号,事项名称,督办内容,事项来源,督办分类,紧急程度,立项单位,状态');
    expect(text).toMatch(
      new RegExp(`\\n\\d,${numbers.B},新建中小学校乙,杭州市教育局,[^\\n]*2026-10-30,,超期`),
    );
    expect(text).toMatch(
      new RegExp(`${numbers.A},推进老旧小区改造甲,杭州市住房和城乡建设局,已办结,100,2026-10-20,按期`),
    );
  }, 300_000);
});

describe('bulletins', () => {
  it('the monthly 通报 as DOCX ranks the units and names the overdue item with its lead unit', async () => {
    const r = await renderBulletin(
      ctx.db,
      city,
      { kind: 'monthly', period: '2026-10', format: 'docx' },
      ctx.now(),
    );
    expect(r.fileName).toBe('杭州市月度通报_2026-10.docx');
    const text = await sofficeText(write('monthly.docx', r.bytes), 'txt');
    expect(text).toContain('杭州市督办工作月度通报');
    expect(text).toContain('2026年10月');
    expect(text).toContain('单位办结情况排名');
    expect(text).toContain('超期事项通报');
    expect(text).toContain(numbers.B);
    expect(text).not.toContain(numbers.D);
    // Ranking: housing (100 % on time) before education (0 %).
    expect(text.indexOf('杭州市住房和城乡建设局')).toBeLessThan(text.indexOf('杭州市教育局'));
    expect(text).toContain('100.0%');
  }, 300_000);

  it('the weekly, monthly and quarterly PDFs render Chinese headings and item numbers', async () => {
    const weekly = await renderBulletin(
      ctx.db,
      city,
      { kind: 'weekly', period: '2026-W47', format: 'pdf' },
      ctx.now(),
    );
    const wText = await pdfText(write('weekly.pdf', weekly.bytes));
    expect(wText).toContain('杭州市督办工作周调度报告');
    expect(wText).toContain('2026年第47周');
    expect(wText).toContain('本周新交办事项');
    expect(wText).toContain(numbers.C); // dispatched in the week
    expect(wText).toContain(numbers.B); // overdue
    expect(wText).toContain('杭州市教育局');

    const monthly = await renderBulletin(
      ctx.db,
      city,
      { kind: 'monthly', period: '2026-10', format: 'pdf' },
      ctx.now(),
    );
    const mText = await pdfText(write('monthly.pdf', monthly.bytes));
    expect(mText).toContain('单位办结情况排名');
    expect(mText).toContain('按期办结率');
    expect(mText).toContain(numbers.B);

    const quarterly = await renderBulletin(
      ctx.db,
      city,
      { kind: 'quarterly', period: '2026-Q4', format: 'pdf' },
      ctx.now(),
    );
    const qText = await pdfText(write('quarterly.pdf', quarterly.bytes));
    expect(qText).toContain('杭州市督办工作季度考核通报');
    expect(qText).toContain('考核排名');
    expect(qText).toContain('综合得分');
  }, 300_000);

  it('the weekly and quarterly DOCX carry their sections', async () => {
    for (const [kind, period, heading] of [
      ['weekly', '2026-W47', '本周办结事项'],
      ['quarterly', '2026-Q4', '考核排名'],
    ] as const) {
      const r = await renderBulletin(ctx.db, city, { kind, period, format: 'docx' }, ctx.now());
      // The document part holds the text (LibreOffice reads the monthly above).
      const { default: mammoth } = await import('mammoth');
      const { value } = await mammoth.extractRawText({ buffer: r.bytes });
      expect(value).toContain(heading);
      expect(value).toContain(numbers.B);
    }
  });

  it('without a CJK font a PDF is refused, never printed in empty boxes', async () => {
    const saved = process.env.DUBAN_CJK_FONT;
    process.env.DUBAN_CJK_FONT = '/nonexistent/font.ttc';
    try {
      await expect(
        renderBulletin(ctx.db, city, { kind: 'monthly', period: '2026-10', format: 'pdf' }, ctx.now()),
      ).rejects.toThrow(/DUBAN_CJK_FONT/);
      // A font without Chinese glyphs (pdfjs-dist's Liberation Sans) is refused too.
      process.env.DUBAN_CJK_FONT = path.join(
        path.dirname(createRequire(import.meta.url).resolve('pdfjs-dist/package.json')),
        'standard_fonts/LiberationSans-Regular.ttf',
      );
      expect(fs.existsSync(process.env.DUBAN_CJK_FONT)).toBe(true);
      await expect(
        renderBulletin(ctx.db, city, { kind: 'monthly', period: '2026-10', format: 'pdf' }, ctx.now()),
      ).rejects.toThrow(/不含中文字形/);
    } finally {
      if (saved === undefined) delete process.env.DUBAN_CJK_FONT;
      else process.env.DUBAN_CJK_FONT = saved;
    }
  });
});
