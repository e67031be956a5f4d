import fs from 'node:fs';
import path from 'node:path';
import { type Command, InvalidArgumentError } from 'commander';
import { openDatabase } from '../db/client.ts';
import { readEnv } from '../env.ts';
import { listUnits } from '../org/units.ts';
import { regionCodeArg } from '../shared/cli.ts';
import { documentYear } from './document-year.ts';
import { extractItems } from './extract.ts';
import { formatItems } from './format.ts';
import { llmConfigFromEnv, refineWithLlm } from './llm.ts';
import { DocumentError, loadDocumentText } from './load-text.ts';
import { attachUnits, buildUnitIndex, type OrgUnit } from './normalise-unit.ts';

function yearArg(value: string): number {
  if (!/^\d{4}$/.test(value)) throw new InvalidArgumentError('应为四位年份 / a four-digit year');
  return Number(value);
}

type Options = { year?: number; json?: boolean; units?: boolean; region?: string; llm?: boolean };

/**
 * `duban extract FILE [--year YYYY] [--json] [--units | --no-units] [--region CODE]`.
 * Extraction needs no database. Unit names are matched to the org tree when a database is at hand:
 * by default only a PostgreSQL server named by DATABASE_URL (several processes may share it); the
 * embedded database only with --units, because it admits one process at a time and `duban start`
 * may hold it. A database that cannot be reached is a warning by default and an error with --units.
 * Exit codes: 0 done, 1 the file cannot be read or has no text (or --units failed), 2 an
 * unsupported file type.
 */
export function registerExtractCommands(program: Command, dataOption: () => string | undefined): void {
  program
    .command('extract')
    .description('从 .txt/.docx/.pdf 文件抽取候选督办事项 / extract candidate items from a document')
    .argument('<file>', '文件 / a .txt, .docx or text .pdf file')
    .option('--year <yyyy>', '文中未写年份时使用的年份 / the year for phrases without one', yearArg)
    .option('--json', '输出 JSON / print JSON')
    .option('--units', '用数据库中的单位归一单位名称 / match unit names to the org tree in the database')
    .option('--no-units', '不连接数据库 / do not use the database')
    .option(
      '--llm',
      '用 DUBAN_LLM_URL 的大模型校正候选 / refine the candidates with the LLM at DUBAN_LLM_URL',
    )
    .option('--no-llm', '不使用大模型（即使已配置）/ rule-based only, even when an LLM is configured')
    .option(
      '--region <code>',
      '只与该行政区划及下级的单位匹配 / match units of this region and below',
      regionCodeArg,
    )
    .action(async (file: string, opts: Options) => {
      let text: string;
      try {
        text = await loadDocumentText(file);
      } catch (err) {
        if (!(err instanceof DocumentError)) throw err;
        console.error(`${err.messageZh} / ${err.message}`);
        process.exitCode = err.code === 'UNSUPPORTED_FORMAT' ? 2 : 1;
        return;
      }
      const year = opts.year ?? documentYear(text);
      let items = extractItems(text, { year });
      // The optional LLM pass: on when DUBAN_LLM_URL is set (or --llm), never fails the command.
      const llm = opts.llm === false ? undefined : llmConfigFromEnv();
      if (opts.llm === true && !llm)
        console.error('未设置 DUBAN_LLM_URL，仅用规则抽取 / DUBAN_LLM_URL is not set; rule-based only');
      if (llm) items = (await refineWithLlm(text, items, llm, { year, warn: (m) => console.error(m) })).items;
      const units = await loadOrgUnits(opts, dataOption());
      if (units === 'failed') {
        process.exitCode = 1;
        return;
      }
      if (units) items = attachUnits(items, buildUnitIndex(units));
      if (opts.json) console.log(JSON.stringify(items, null, 2));
      else console.log(formatItems(file, items, year));
    });
}

/** The org tree's units, null when no database is to be used, 'failed' after an error was printed. */
async function loadOrgUnits(opts: Options, data: string | undefined): Promise<OrgUnit[] | null | 'failed'> {
  const env = readEnv();
  const explicit = opts.units === true;
  if (opts.units === false || (!explicit && !env.DATABASE_URL)) return null;
  const dataDir = path.resolve(data ?? env.DUBAN_DATA);
  if (!env.DATABASE_URL && !fs.existsSync(path.join(dataDir, 'pgdata', 'PG_VERSION'))) {
    console.error(`${dataDir} 中没有数据库 / no database in ${dataDir}`);
    return 'failed';
  }
  try {
    const handle = await openDatabase({ databaseUrl: env.DATABASE_URL, dataDir });
    try {
      const rows = await listUnits(handle.db, {
        regionCode: opts.region,
        subtree: true,
        limit: 1_000_000,
      });
      return rows.map((u) => ({ id: u.id, name: u.name, shortName: u.shortName, regionName: u.regionName }));
    } finally {
      await handle.close();
    }
  } catch (err) {
    const reason = err instanceof Error ? err.message.split('\n')[0] : String(err);
    if (explicit) {
      console.error(`无法读取单位清单 / cannot read the units (${reason})`);
      return 'failed';
    }
    console.error(
      `无法读取单位清单，单位名称未归一 / cannot read the units; names left as written (${reason})`,
    );
    return null;
  }
}
