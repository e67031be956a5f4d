import fs from 'node:fs';
import path from 'node:path';
import { BULLETIN_FORMATS, type BulletinFormat, type BulletinKind } from '@duban/schema';
import { type Command, InvalidArgumentError } from 'commander';
import type { AppContext } from '../context.ts';
import { findRegion } from '../org/regions.ts';
import { DomainError } from '../shared/errors.ts';
import { rootRegions, scheduleActor } from './jobs.ts';
import { recordBulletin, renderBulletin, storeRendered } from './service.ts';

const PERIOD_KINDS = ['weekly', 'monthly', 'quarterly'] as const;

function periodKind(value: string): (typeof PERIOD_KINDS)[number] {
  if ((PERIOD_KINDS as readonly string[]).includes(value)) return value as (typeof PERIOD_KINDS)[number];
  throw new InvalidArgumentError('应为 weekly、monthly 或 quarterly / must be weekly, monthly or quarterly');
}

function format(value: string): BulletinFormat {
  if (value === 'docx' || value === 'pdf') return value;
  throw new InvalidArgumentError(
    `应为 docx 或 pdf / must be docx or pdf (of ${BULLETIN_FORMATS.join(', ')})`,
  );
}

function regionCode(value: string): string {
  if (/^\d{6}$/.test(value)) return value;
  throw new InvalidArgumentError('应为 6 位行政区划代码 / must be a 6-digit region code');
}

class CliError extends Error {}

/** The region to report on: --region, else the one province root (several: --region is needed). */
async function reportRegion(ctx: AppContext, code: string | undefined) {
  if (code !== undefined) {
    const region = await findRegion(ctx.db, code);
    if (!region) throw new CliError(`行政区划 ${code} 不存在 / region ${code} not found`);
    return region;
  }
  const roots = await rootRegions(ctx.db);
  const [root] = roots;
  if (!root) throw new CliError('尚未导入行政区划 / no regions imported yet (duban org import-regions)');
  if (roots.length > 1)
    throw new CliError(
      `有 ${roots.length} 个省级行政区划，请用 --region 指定 / several provinces: pass --region CODE`,
    );
  return root;
}

/** Renders, writes the file, and archives it (trigger 'cli') with its ledger event. */
async function generate(
  open: () => Promise<AppContext>,
  req: { kind: BulletinKind; period?: string; format: BulletinFormat; region?: string },
  out: string,
  prefix: string,
) {
  const ctx = await open();
  try {
    const region = await reportRegion(ctx, req.region);
    const now = ctx.now();
    const rendered = await renderBulletin(
      ctx.db,
      scheduleActor(region),
      { kind: req.kind, period: req.period, format: req.format, regionCode: region.code },
      now,
      prefix,
    );
    const target = path.resolve(out);
    fs.mkdirSync(path.dirname(target), { recursive: true });
    fs.writeFileSync(target, rendered.bytes);
    const file = await storeRendered(ctx, rendered, null);
    await ctx.db
      .transaction()
      .execute((tx) => recordBulletin(tx, rendered, file, { userId: null, trigger: 'cli' }, now));
    console.log(
      `已生成 / written ${target}: ${rendered.fileName}, ${rendered.bytes.length} 字节 (bytes), sha256 ${file.sha256}`,
    );
  } catch (err) {
    if (err instanceof DomainError) {
      const field =
        err.field ?? (err.details as { errors?: { field?: string }[] } | undefined)?.errors?.[0]?.field;
      console.error(`${err.messageZh} / ${err.message}${field ? ` (${field})` : ''}`);
      process.exitCode = 1;
    } else if (err instanceof CliError) {
      console.error(err.message);
      process.exitCode = 1;
    } else throw err;
  } finally {
    await ctx.handle.close();
  }
}

export function registerBulletinCommands(program: Command, open: () => Promise<AppContext>) {
  const report = program.command('report').description('清单与通报 / the four lists and bulletins');
  report
    .command('four-lists')
    .description('生成四张清单（任务、责任、时限、结果）Excel / write the four lists as an .xlsx workbook')
    .requiredOption('--out <file>', '输出文件 / output file (.xlsx)')
    .option('--region <code>', '行政区划，默认省级 / region (default the province root)', regionCode)
    .action(async (opts: { out: string; region?: string }) => {
      await generate(open, { kind: 'four_lists', format: 'xlsx', region: opts.region }, opts.out, 'options');
    });
  report
    .command('bulletin')
    .description('生成周调度、月通报或季考核 / write a weekly, monthly or quarterly bulletin (.docx or .pdf)')
    .requiredOption('--kind <kind>', 'weekly | monthly | quarterly', periodKind)
    .requiredOption('--period <period>', '期次 / period: 2026-W47 | 2026-10 | 2026-Q3')
    .requiredOption('--format <format>', 'docx | pdf', format)
    .requiredOption('--out <file>', '输出文件 / output file')
    .option('--region <code>', '行政区划，默认省级 / region (default the province root)', regionCode)
    .action(
      async (opts: {
        kind: (typeof PERIOD_KINDS)[number];
        period: string;
        format: BulletinFormat;
        out: string;
        region?: string;
      }) => {
        await generate(
          open,
          { kind: opts.kind, period: opts.period, format: opts.format, region: opts.region },
          opts.out,
          'options',
        );
      },
    );
}
