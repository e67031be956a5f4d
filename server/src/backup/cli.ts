import path from 'node:path';
import type { Command } from 'commander';
import type { AppContext } from '../context.ts';
import { readEnv } from '../env.ts';
import type { LedgerReport } from '../ledger/verify-log.ts';
import { BackupError } from './archive.ts';
import { createBackup } from './backup.ts';
import { restoreBackup } from './restore.ts';

function fail(err: unknown): void {
  if (err instanceof BackupError) console.error(`✗ ${err.messageZh} / ${err.message}`);
  else throw err;
  process.exitCode = 1;
}

function printLedger(r: LedgerReport): void {
  console.log(
    `账本：条目 ${r.entries}（已纳入 ${r.integrated}），检查点 ${r.checkpoints} / ledger: entries ${r.entries}, checkpoints ${r.checkpoints}`,
  );
  if (r.ok) {
    console.log('✓ 账本完整 / ledger verified');
    return;
  }
  if (r.firstBadIndex !== null) console.log(`✗ 第一个问题条目 / first bad index: ${r.firstBadIndex}`);
  for (const p of r.problems) console.log(`✗ [${p.code}] ${p.message} / ${p.messageEn}`);
}

/**
 * `duban backup --out FILE` and `duban restore FILE`. `dataOption` is the global --data value;
 * restore opens its target itself (it must not be migrated before the archive is loaded).
 */
export function registerBackupCommands(
  program: Command,
  open: () => Promise<AppContext>,
  dataOption: () => string | undefined,
) {
  program
    .command('backup')
    .description(
      '备份数据库、证据文件与账本公钥到一个 .tar.gz / back up the database, evidence files and ledger keys',
    )
    .requiredOption('--out <file>', '备份文件（.tar.gz），不得已存在 / archive to write (must not exist)')
    .option(
      '--include-signing-key',
      '同时备份账本签名私钥（备份文件须保密）/ also include the ledger signing key (keep the archive secret)',
    )
    .action(async (opts: { out: string; includeSigningKey?: boolean }) => {
      const ctx = await open();
      try {
        const started = Date.now();
        const r = await createBackup(ctx, {
          out: opts.out,
          includeSigningKey: opts.includeSigningKey === true,
          log: (l) => console.log(l),
        });
        const rows = r.manifest.tables.reduce((s, t) => s + t.rows, 0);
        console.log(
          `✓ 备份完成 / backup written: ${path.resolve(opts.out)} (${r.bytes} bytes, ${r.manifest.tables.length} 表 / tables, ${rows} 行 / rows, ${r.manifest.files.count} 文件 / files, ${Math.round((Date.now() - started) / 1000)} s)`,
        );
        console.log(`sha256 ${r.archiveSha256}`);
        if (r.manifest.ledger.signingKeyIncluded)
          console.log(
            '! 备份中含账本签名私钥，请妥善保管 / the archive holds the ledger signing key: keep it secret',
          );
      } catch (err) {
        fail(err);
      } finally {
        await ctx.handle.close();
      }
    });

  program
    .command('restore <file>')
    .description(
      '从备份恢复到空的 --data 目录或空的 DATABASE_URL 数据库，并核验账本 / restore into an empty target and verify the ledger',
    )
    .action(async (file: string) => {
      const env = readEnv();
      const dataDir = path.resolve(dataOption() ?? env.DUBAN_DATA);
      try {
        const started = Date.now();
        const r = await restoreBackup({
          file,
          dataDir,
          databaseUrl: env.DATABASE_URL,
          log: (l) => console.log(l),
          onVerifyProgress: (done, total) => process.stderr.write(`\r核验中 / verifying ${done}/${total}`),
        });
        process.stderr.write('\n');
        const rows = r.manifest.tables.reduce((s, t) => s + t.rows, 0);
        console.log(
          `恢复完成 / restored: ${r.manifest.tables.length} 表 / tables, ${rows} 行 / rows, ${r.manifest.files.count} 文件 / files into ${env.DATABASE_URL ? 'the server database' : dataDir} (${Math.round((Date.now() - started) / 1000)} s)`,
        );
        if (r.newVerifierKey)
          console.log(
            `! 备份不含签名私钥：已用同一名称生成新的签名密钥，旧检查点仍用旧公钥核验。请发布新公钥 / the archive has no signing key: a new key (same origin) signs from now on; publish it:\n${r.newVerifierKey}`,
          );
        printLedger(r.ledger);
        if (!r.ledger.ok) process.exitCode = 1;
      } catch (err) {
        fail(err);
      }
    });
}
