import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { createServerDatabase, dropServerDatabase } from './context.ts';

const BIN = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../bin/duban.mjs');

export type Run = { code: number | null; stdout: string; stderr: string };

/**
 * The `duban` command as a newcomer runs it: a separate process on the embedded database in its
 * own --data DIR, or on a fresh database of the PostgreSQL server when DATABASE_URL is set.
 */
export type Cli = {
  dataDir: string;
  /** The server database's URL, when the tests run against a server. */
  databaseUrl: string | undefined;
  run(
    args: string[],
    opts?: { untilOutput?: RegExp; env?: NodeJS.ProcessEnv },
  ): Promise<Run & { kill?: () => void }>;
  cleanup(): Promise<void>;
};

export async function createCli(prefix = 'duban-cli-'): Promise<Cli> {
  const adminUrl = process.env.DATABASE_URL;
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  const serverDb = adminUrl ? await createServerDatabase(adminUrl) : undefined;
  const env: NodeJS.ProcessEnv = { ...process.env, LOG_LEVEL: 'warn' };
  delete env.DATABASE_URL;
  if (serverDb) env.DATABASE_URL = serverDb.url;
  return {
    dataDir,
    databaseUrl: serverDb?.url,
    run: (args, opts = {}) =>
      new Promise((resolve, reject) => {
        const child = spawn(process.execPath, [BIN, '--data', dataDir, ...args], {
          env: { ...env, ...opts.env },
        });
        let stdout = '';
        let stderr = '';
        child.stdout.on('data', (d: Buffer) => {
          stdout += d.toString();
          if (opts.untilOutput?.test(stdout))
            resolve({ code: null, stdout, stderr, kill: () => child.kill('SIGTERM') });
        });
        child.stderr.on('data', (d: Buffer) => {
          stderr += d.toString();
        });
        child.on('error', reject);
        child.on('close', (code) => resolve({ code, stdout, stderr }));
      }),
    async cleanup() {
      fs.rmSync(dataDir, { recursive: true, force: true });
      if (adminUrl && serverDb) await dropServerDatabase(adminUrl, serverDb.name);
    },
  };
}
