import { Command, InvalidArgumentError } from 'commander';
import { buildApp } from './app.ts';
import { registerBackupCommands } from './backup/cli.ts';
import { registerBulletinCommands } from './bulletins/cli.ts';
import { registerCalendarCommands } from './calendar/cli.ts';
import type { AppContext } from './context.ts';
import { migrate } from './db/migrate.ts';
import { readEnv } from './env.ts';
import { registerExtractCommands } from './extract/cli.ts';
import { registerSimilarityCommands } from './intake/similarity/cli.ts';
import { registerKpiCommands } from './kpi/cli.ts';
import { registerLedgerCommands } from './ledger/cli.ts';
import { registerOrgCommands } from './org/cli.ts';
import { openRuntime } from './runtime.ts';
import { exportToFile } from './system/export.ts';
import { markDraining } from './system/readiness.ts';

const program = new Command();
program
  .name('duban')
  .description('Duban 督办 — 政务督办平台 (government task supervision)')
  .option('--data <dir>', '嵌入式数据库与文件目录，默认 ./data / data folder (embedded database and files)')
  .showHelpAfterError();

const open = () => openRuntime({ data: program.opts<{ data?: string }>().data });

function port(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0 || n > 65535)
    throw new InvalidArgumentError('端口应为 0–65535 / port must be 0–65535');
  return n;
}

function role(value: string): 'web' | 'worker' | 'all' {
  if (value === 'web' || value === 'worker' || value === 'all') return value;
  throw new InvalidArgumentError('应为 web、worker 或 all / must be web, worker or all');
}

/** The demo data set and the worker (pg-boss, every job's module) load only in the processes using them. */
const demo = () => import('./demo/seed.ts');

async function seedWithLog(ctx: AppContext) {
  const { seedDemo } = await demo();
  const env = readEnv();
  const started = Date.now();
  const result = await seedDemo(ctx, { password: env.DUBAN_DEMO_PASSWORD, log: (l) => console.log(l) });
  console.log(
    `演示数据已生成 / demo data ready: ${result.items} 个事项, ${result.units} 个单位, ${result.users} 个账号 (${Math.round((Date.now() - started) / 1000)} s)`,
  );
  console.log(`\n${result.accountsText}`);
  console.log(`（账号与密码已写入 ${ctx.dataDir}/demo-accounts.txt）`);
}

program
  .command('start')
  .description(
    '启动服务；空的嵌入式数据库首次启动时生成演示数据 / start; seeds demo data on a fresh embedded database',
  )
  .option('--role <role>', 'web | worker | all', role, 'all')
  .option('--port <n>', '端口 / port (default PORT or 3000)', port)
  .option('--host <host>', '监听地址 / listen address (default HOST or 127.0.0.1)')
  .option('--no-demo', '不生成演示数据 / do not seed demo data')
  .action(async (opts: { role: 'web' | 'worker' | 'all'; port?: number; host?: string; demo: boolean }) => {
    const env = readEnv();
    const ctx = await open();
    if (
      opts.demo &&
      ctx.handle.kind === 'pglite' &&
      opts.role !== 'worker' &&
      (await (await demo()).isEmptyDatabase(ctx))
    ) {
      console.log('首次启动：正在生成演示数据（演示数据）… / first start: seeding demo data…');
      await seedWithLog(ctx);
    }
    const stops: (() => Promise<void>)[] = [];
    if (opts.role !== 'web') stops.push((await import('./system/worker.ts')).startWorker(ctx));
    if (opts.role !== 'worker') {
      const app = await buildApp(ctx, {
        logger: { level: env.LOG_LEVEL },
        trustProxy: env.DUBAN_TRUST_PROXY,
      });
      const address = await app.listen({ port: opts.port ?? env.PORT, host: opts.host ?? env.HOST });
      console.log(`Duban 已启动 / listening on ${address}  (role ${opts.role}, database ${ctx.handle.kind})`);
      stops.unshift(() => app.close());
    } else {
      console.log(`Duban worker 已启动 / worker running (database ${ctx.handle.kind})`);
    }
    // Graceful stop: readiness turns 503, the listener closes, in-flight requests and the worker's
    // current jobs finish, then the database closes (exit 0). A second signal, or 20 s, forces exit 1.
    let stopping = false;
    const stop = async (signal: NodeJS.Signals) => {
      if (stopping) {
        console.error(`再次收到 ${signal}，立即退出 / second ${signal}: exiting now`);
        process.exit(1);
      }
      stopping = true;
      console.log(`收到 ${signal}，正在停止 / draining: finishing in-flight requests and jobs`);
      markDraining(ctx);
      setTimeout(() => {
        console.error('20 s 内未能停止，强制退出 / not stopped within 20 s: exiting');
        process.exit(1);
      }, 20_000);
      try {
        for (const s of stops) await s();
        await ctx.handle.close();
      } catch (err) {
        console.error('停止失败 / stop failed:', err instanceof Error ? err.message : err);
        process.exit(1);
      }
      console.log('Duban 已停止 / stopped');
      process.exit(0);
    };
    process.on('SIGINT', stop);
    process.on('SIGTERM', stop);
  });

program
  .command('migrate')
  .description('执行数据库迁移 / apply database migrations')
  .action(async () => {
    const ctx = await open();
    const result = await migrate(ctx.handle);
    console.log(`迁移完成 / migrations up to date (${result.total} total)`);
    await ctx.handle.close();
  });

program
  .command('seed')
  .description('写入演示数据（仅限空数据库）/ seed demo data into an empty database')
  .requiredOption('--demo', '演示数据 / the demo data set')
  .action(async () => {
    const ctx = await open();
    try {
      if (!(await (await demo()).isEmptyDatabase(ctx))) {
        console.error('数据库不为空，未写入演示数据 / the database is not empty; nothing seeded');
        process.exitCode = 1;
        return;
      }
      await seedWithLog(ctx);
    } finally {
      await ctx.handle.close();
    }
  });

program
  .command('export')
  .description('导出全部数据为 JSON 交换格式 / export everything in the JSON exchange format')
  .requiredOption('--format <format>', 'json', (v) => {
    if (v !== 'json') throw new InvalidArgumentError('目前仅支持 json / only json is supported');
    return v;
  })
  .option('--out <file>', '输出文件，缺省为标准输出 / output file (default stdout)')
  .action(async (opts: { out?: string }) => {
    const ctx = await open();
    try {
      const counts = await exportToFile(ctx, opts.out);
      if (opts.out) console.error(`已导出 / exported to ${opts.out}: ${JSON.stringify(counts)}`);
    } finally {
      await ctx.handle.close();
    }
  });

registerOrgCommands(program, open);
registerCalendarCommands(program, open);
registerLedgerCommands(program, open);
registerKpiCommands(program, open);
registerSimilarityCommands(program, open);
registerBulletinCommands(program, open);
registerExtractCommands(program, () => program.opts<{ data?: string }>().data);
registerBackupCommands(program, open, () => program.opts<{ data?: string }>().data);

try {
  await program.parseAsync(process.argv);
} catch (err) {
  console.error(err instanceof Error ? err.message : String(err));
  process.exit(1);
}
