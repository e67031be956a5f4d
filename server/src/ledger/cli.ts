import fs from 'node:fs';
import path from 'node:path';
import { verifyEvidencePackage } from '@duban/verifier';
import type { Command } from 'commander';
import type { AppContext } from '../context.ts';
import { rotateSigner, verifierKeys } from './keys.ts';
import { checkpointNow, forgetSigner, signerFor } from './service.ts';
import { type LedgerReport, verifyLedger } from './verify-log.ts';

/** Reads witness files: a file of signed notes, or every file in a folder. */
function readWitness(paths: readonly string[]): string[] {
  return paths.flatMap((p) => {
    if (!fs.existsSync(p)) throw new Error(`见证文件不存在 / no such witness file or folder: ${p}`);
    const stat = fs.statSync(p);
    if (!stat.isDirectory()) return [fs.readFileSync(p, 'utf8')];
    return fs
      .readdirSync(p)
      .sort()
      .map((f) => path.join(p, f))
      .filter((f) => fs.statSync(f).isFile())
      .map((f) => fs.readFileSync(f, 'utf8'));
  });
}

function printReport(r: LedgerReport) {
  console.log(
    `条目 ${r.entries}（已纳入 ${r.integrated}），检查点 ${r.checkpoints}，见证检查点 ${r.witnessed}，用时 ${r.seconds.toFixed(1)} s`,
  );
  console.log(
    `entries ${r.entries} (integrated ${r.integrated}), checkpoints ${r.checkpoints}, witnessed ${r.witnessed}`,
  );
  if (r.ok) {
    console.log('✓ 账本完整：每个条目、哈希瓦片与检查点均已核对一致 / ledger verified');
    return;
  }
  if (r.firstBadIndex !== null) console.log(`✗ 第一个问题条目 / first bad index: ${r.firstBadIndex}`);
  for (const p of r.problems) console.log(`✗ [${p.code}] ${p.message} / ${p.messageEn}`);
}

const collect = (value: string, previous: string[]) => [...previous, value];

export function registerLedgerCommands(program: Command, open: () => Promise<AppContext>) {
  const ledger = program.command('ledger').description('证据账本 / the evidence ledger');

  ledger
    .command('key')
    .description('显示验证公钥（当前的在最后）/ print the verifier keys (current last)')
    .action(async () => {
      const ctx = await open();
      try {
        signerFor(ctx);
        for (const k of verifierKeys(ctx.dataDir)) console.log(k);
      } finally {
        await ctx.handle.close();
      }
    });

  ledger
    .command('rotate-key')
    .description(
      '轮换签名密钥；旧公钥保留，旧检查点仍可验证 / rotate the signing key (old checkpoints stay verifiable)',
    )
    .action(async () => {
      const ctx = await open();
      try {
        signerFor(ctx);
        const next = rotateSigner(ctx.dataDir);
        forgetSigner(ctx.dataDir);
        await checkpointNow(ctx);
        console.log(next.verifierKey);
      } finally {
        await ctx.handle.close();
      }
    });

  ledger
    .command('checkpoint')
    .description('立即整合新条目并签发检查点 / integrate new entries and sign a checkpoint now')
    .action(async () => {
      const ctx = await open();
      try {
        await checkpointNow(ctx);
        const row = await ctx.db
          .selectFrom('ledger_checkpoints')
          .select('note')
          .orderBy('id', 'desc')
          .limit(1)
          .executeTakeFirst();
        if (row) process.stdout.write(row.note);
      } finally {
        await ctx.handle.close();
      }
    });

  ledger
    .command('verify')
    .description('全量核验账本 / re-derive and check the whole ledger')
    .option(
      '--witness <path>',
      '见证检查点文件或目录，可重复 / witnessed checkpoints (file or folder; repeatable)',
      collect,
      [],
    )
    .option('--json', '输出 JSON / print the report as JSON')
    .action(async (opts: { witness: string[]; json?: boolean }) => {
      const witnessNotes = readWitness(opts.witness);
      const ctx = await open();
      try {
        signerFor(ctx);
        const report = await verifyLedger(ctx.db, verifierKeys(ctx.dataDir), {
          witnessNotes,
          onProgress: opts.json
            ? undefined
            : (done, total) => process.stderr.write(`\r核验中 / verifying ${done}/${total}`),
        });
        if (!opts.json) process.stderr.write('\n');
        if (opts.json) console.log(JSON.stringify(report, null, 2));
        else printReport(report);
        if (!report.ok) process.exitCode = 1;
      } finally {
        await ctx.handle.close();
      }
    });

  ledger
    .command('verify-package <file>')
    .description('离线核验存证包 / verify an evidence package offline')
    .option('--key <vkey>', '信任的验证公钥，可重复 / a trusted verifier key (repeatable)', collect, [])
    .option('--json', '输出 JSON / print the report as JSON')
    .action(async (file: string, opts: { key: string[]; json?: boolean }) => {
      let pkg: unknown;
      try {
        pkg = JSON.parse(fs.readFileSync(file, 'utf8'));
      } catch (err) {
        console.error(
          `无法读取存证包 / cannot read the package: ${err instanceof Error ? err.message : err}`,
        );
        process.exitCode = 1;
        return;
      }
      const report = await verifyEvidencePackage(pkg, opts.key.length > 0 ? { trustedKeys: opts.key } : {});
      if (opts.json) console.log(JSON.stringify(report, null, 2));
      else {
        const good = report.entries.filter((e) => e.ok).length;
        console.log(
          `${report.ok ? '✓ 存证包核验通过' : '✗ 存证包核验失败'}：事项 ${report.itemId ?? '?'}，条目 ${good}/${report.entries.length} 通过，检查点大小 ${report.checkpoint?.size ?? '?'}`,
        );
        if (!report.keyTrusted)
          console.log(
            '! 签名公钥来自存证包本身；请用 --key 指定从官方渠道获得的公钥 / key not independently trusted',
          );
        for (const p of report.problems) console.log(`✗ [${p.code}] ${p.message} / ${p.messageEn}`);
      }
      if (!report.ok) process.exitCode = 1;
    });
}
