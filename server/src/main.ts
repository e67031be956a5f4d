import { Command, InvalidArgumentError } from 'commander';
import { buildApp } from './app.ts';
import { migrate } from './db/migrate.ts';
import { readEnv } from './env.ts';
import { openRuntime } from './runtime.ts';

const program = new Command();
program
  .name('duban')
  .description('Duban 督办 — 政务督办平台 (government task supervision)')
  .option('--data <dir>', '嵌入式数据库与文件目录 / data folder for the embedded database and files')
  .showHelpAfterError();

function port(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0 || n > 65535) throw new InvalidArgumentError('端口应为 0–65535');
  return n;
}

program
  .command('start')
  .description('启动服务 / start the server')
  .option('--role <role>', 'web | worker | all', 'all')
  .option('--port <n>', '端口 / port', port)
  .option('--host <host>', '监听地址 / listen address')
  .action(async (opts: { role: string; port?: number; host?: string }) => {
    const env = readEnv();
    const ctx = await openRuntime({ data: program.opts().data });
    const app = await buildApp(ctx, { logger: { level: env.LOG_LEVEL } });
    const address = await app.listen({ port: opts.port ?? env.PORT, host: opts.host ?? env.HOST });
    console.log(`Duban 已启动 / listening on ${address} (role ${opts.role}, ${ctx.handle.kind})`);
    const stop = async () => {
      await app.close();
      await ctx.handle.close();
      process.exit(0);
    };
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
  });

program
  .command('migrate')
  .description('执行数据库迁移 / apply database migrations')
  .action(async () => {
    const ctx = await openRuntime({ data: program.opts().data });
    const result = await migrate(ctx.handle);
    console.log(`迁移完成 / migrations up to date (${result.total} total)`);
    await ctx.handle.close();
  });

await program.parseAsync(process.argv);
