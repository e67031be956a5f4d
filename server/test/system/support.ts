import { type ChildProcessWithoutNullStreams, spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { createApiToken } from '../../src/auth/tokens.ts';
import { loadActor } from '../../src/org/scope.ts';
import { openRuntime } from '../../src/runtime.ts';
import type { TokenScope } from '../../src/shared/actor.ts';
import { createServerDatabase, dropServerDatabase, type TestContext } from '../support/context.ts';
import { buildWorld } from '../support/factories.ts';

/**
 * Crash and shutdown tests drive `duban start` as a real child process: on the embedded database in
 * its own --data DIR, or on a fresh database of the PostgreSQL server when DATABASE_URL is set.
 */

const BIN = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../bin/duban.mjs');
const LISTENING = /listening on (http:\/\/[^\s]+)/;

export type Store = {
  kind: 'pglite' | 'postgres';
  dataDir: string;
  databaseUrl: string | undefined;
  cleanup(): Promise<void>;
};

export async function createStore(prefix: string): Promise<Store> {
  const adminUrl = process.env.DATABASE_URL;
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  const serverDb = adminUrl ? await createServerDatabase(adminUrl) : undefined;
  return {
    kind: serverDb ? 'postgres' : 'pglite',
    dataDir,
    databaseUrl: serverDb?.url,
    async cleanup() {
      fs.rmSync(dataDir, { recursive: true, force: true });
      if (adminUrl && serverDb) await dropServerDatabase(adminUrl, serverDb.name);
    },
  };
}

export type SeededWorld = {
  units: Record<string, string>;
  users: Record<string, string>;
  /** A bearer token (items:read, items:write) per username. */
  tokens: Record<string, string>;
};

/**
 * buildWorld's units and users in the store (migrated), and an API token for each of `tokenUsers`;
 * the database is closed again so that `duban start` can open it.
 */
export async function seedWorld(store: Store, tokenUsers: string[]): Promise<SeededWorld> {
  const ctx = await openRuntime({ data: store.dataDir, databaseUrl: store.databaseUrl });
  try {
    const w = await buildWorld({ ...ctx, setNow() {}, cleanup: async () => {} } as TestContext);
    await w.app.close();
    const scopes: TokenScope[] = ['items:read', 'items:write', 'org:read'];
    const tokens: Record<string, string> = {};
    for (const username of tokenUsers) {
      const userId = w.users[username];
      if (!userId) throw new Error(`fixture: no user ${username}`);
      const actor = await loadActor(ctx.db, userId, 'session');
      tokens[username] = (
        await createApiToken(ctx.db, actor, { name: 'crash-test', scopes }, new Date())
      ).token;
    }
    return { units: w.units, users: w.users, tokens };
  } finally {
    await ctx.handle.close();
  }
}

export type Exit = { code: number | null; signal: NodeJS.Signals | null };

export type Duban = {
  child: ChildProcessWithoutNullStreams;
  url: string;
  stdout(): string;
  stderr(): string;
  /** Resolves when the process has exited. */
  exited: Promise<Exit>;
  /** Resolves once stdout matches (rejects when the process exits first). */
  waitForOutput(re: RegExp): Promise<void>;
};

/** Spawns `duban --data DIR <args>` on the store and waits for "listening on URL". */
export async function startDuban(store: Store, args: string[], env: NodeJS.ProcessEnv = {}): Promise<Duban> {
  const childEnv: NodeJS.ProcessEnv = { ...process.env, LOG_LEVEL: 'warn', ...env };
  delete childEnv.DATABASE_URL;
  if (store.databaseUrl) childEnv.DATABASE_URL = store.databaseUrl;
  const child = spawn(process.execPath, [BIN, '--data', store.dataDir, ...args], { env: childEnv });
  let stdout = '';
  let stderr = '';
  const waiters: { re: RegExp; resolve: () => void; reject: (e: Error) => void }[] = [];
  const check = () => {
    for (const w of [...waiters]) {
      if (w.re.test(stdout)) {
        waiters.splice(waiters.indexOf(w), 1);
        w.resolve();
      }
    }
  };
  child.stdout.on('data', (d: Buffer) => {
    stdout += d.toString();
    check();
  });
  child.stderr.on('data', (d: Buffer) => {
    stderr += d.toString();
  });
  let exitedFlag = false;
  const exited = new Promise<Exit>((resolve) => {
    child.on('exit', (code, signal) => {
      exitedFlag = true;
      for (const w of waiters.splice(0))
        w.reject(new Error(`duban exited (${code ?? signal}) before ${w.re}:\n${stdout}\n${stderr}`));
      resolve({ code, signal });
    });
  });
  const waitForOutput = (re: RegExp) =>
    new Promise<void>((resolve, reject) => {
      if (re.test(stdout)) return resolve();
      if (exitedFlag) return reject(new Error(`duban has exited:\n${stdout}\n${stderr}`));
      waiters.push({ re, resolve, reject });
    });
  await waitForOutput(LISTENING);
  const url = LISTENING.exec(stdout)?.[1];
  if (!url) throw new Error(`no URL in ${stdout}`);
  return { child, url, stdout: () => stdout, stderr: () => stderr, exited, waitForOutput };
}

/** Runs a one-off `duban` command on the store; its exit code and output. */
export function runDuban(
  store: Store,
  args: string[],
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const childEnv: NodeJS.ProcessEnv = { ...process.env, LOG_LEVEL: 'warn' };
  delete childEnv.DATABASE_URL;
  if (store.databaseUrl) childEnv.DATABASE_URL = store.databaseUrl;
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, '--data', store.dataDir, ...args], { env: childEnv });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => {
      stdout += d.toString();
    });
    child.stderr.on('data', (d: Buffer) => {
      stderr += d.toString();
    });
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

export type Api = {
  get(url: string): Promise<Response>;
  post(url: string, body?: unknown, headers?: Record<string, string>): Promise<Response>;
};

/** fetch() against a running server with a bearer token. */
export function api(base: string, token: string): Api {
  const auth = { authorization: `Bearer ${token}` };
  return {
    get: (url) => fetch(base + url, { headers: auth }),
    post: (url, body, headers = {}) =>
      fetch(base + url, {
        method: 'POST',
        headers: { ...auth, 'content-type': 'application/json', ...headers },
        body: JSON.stringify(body ?? {}),
      }),
  };
}
