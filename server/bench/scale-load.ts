/**
 * Helpers of the scale bench (bench/scale.ts): an in-process HTTP load generator (node:http with
 * keep-alive, N concurrent clients, fixed duration), sequential latency sampling, and child
 * processes (`duban start --role web|worker`, the bare Fastify of scale-bare.ts) with their RSS read
 * from /proc. The load generator runs in the bench process, on the same 2 cores as the servers.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import { ms, now, type Summary, summarize } from './lib.ts';

export type Request = {
  method: 'GET' | 'POST';
  path: string;
  headers: Record<string, string>;
  body?: string;
};

type Response = { status: number; text: string; ms: number };

function send(agent: http.Agent, base: URL, r: Request): Promise<Response> {
  const t = now();
  return new Promise((resolve, reject) => {
    const headers: Record<string, string | number> = { ...r.headers };
    if (r.body !== undefined) {
      headers['content-type'] = 'application/json';
      headers['content-length'] = Buffer.byteLength(r.body);
    }
    const req = http.request(
      { agent, host: base.hostname, port: base.port, method: r.method, path: r.path, headers },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () =>
          resolve({ status: res.statusCode ?? 0, text: Buffer.concat(chunks).toString('utf8'), ms: ms(t) }),
        );
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    if (r.body !== undefined) req.write(r.body);
    req.end();
  });
}

export type LoadResult = {
  clients: number;
  seconds: number;
  ok: number;
  failed: number;
  perSec: number;
  latency: Summary;
  /** A few of the unexpected answers (status and the start of the body), to tell why. */
  failures: string[];
};

/**
 * `clients` loops, each sending `next(client, n)` one after the other (keep-alive) for `seconds`;
 * an answer with status `expect` counts. Requests still in flight at the end are awaited and counted.
 */
export async function load(
  baseUrl: string,
  clients: number,
  seconds: number,
  expect: number,
  next: (client: number, n: number) => Request,
): Promise<LoadResult> {
  const base = new URL(baseUrl);
  const agent = new http.Agent({ keepAlive: true, maxSockets: clients });
  const lat: number[] = [];
  const failures: string[] = [];
  let ok = 0;
  let failed = 0;
  const started = now();
  const end = Date.now() + seconds * 1000;
  await Promise.all(
    Array.from({ length: clients }, async (_, c) => {
      for (let n = 0; Date.now() < end; n++) {
        const r = await send(agent, base, next(c, n));
        lat.push(r.ms);
        if (r.status === expect) ok++;
        else {
          failed++;
          if (failures.length < 5) failures.push(`${r.status} ${r.text.slice(0, 200)}`);
        }
      }
    }),
  );
  const elapsed = ms(started) / 1000;
  agent.destroy();
  return { clients, seconds: elapsed, ok, failed, perSec: ok / elapsed, latency: summarize(lat), failures };
}

/** One client, `runs` requests one after the other (after 3 untimed): the latency distribution. */
export async function latency(
  baseUrl: string,
  r: Request,
  runs: number,
  budgetMs: number,
): Promise<Summary & { status: number; bytes: number }> {
  const base = new URL(baseUrl);
  const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
  let last: Response = { status: 0, text: '', ms: 0 };
  for (let i = 0; i < 3; i++) last = await send(agent, base, r);
  const samples: number[] = [];
  const begun = now();
  for (let i = 0; i < runs; i++) {
    last = await send(agent, base, r);
    samples.push(last.ms);
    if (i + 1 >= 10 && ms(begun) > budgetMs) break;
  }
  agent.destroy();
  return { ...summarize(samples), status: last.status, bytes: Buffer.byteLength(last.text) };
}

export type Child = { proc: ChildProcess; url: string | undefined; stop: () => Promise<void> };

/**
 * Spawns `node <args>` and waits for a line matching `ready` on its stdout (its first group, if any,
 * is the URL). Output after that is drained, stderr is kept to report a failed start.
 */
export function startChild(
  args: string[],
  env: NodeJS.ProcessEnv,
  ready: RegExp,
  timeoutMs = 120_000,
): Promise<Child> {
  const proc = spawn(process.execPath, args, { env, stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  proc.stderr?.on('data', (c: Buffer) => {
    stderr = (stderr + c.toString('utf8')).slice(-4000);
  });
  const stop = () =>
    new Promise<void>((resolve) => {
      if (proc.exitCode !== null || proc.signalCode !== null) return resolve();
      const kill = setTimeout(() => proc.kill('SIGKILL'), 10_000);
      proc.once('exit', () => {
        clearTimeout(kill);
        resolve();
      });
      proc.kill('SIGTERM');
    });
  return new Promise((resolve, reject) => {
    let out = '';
    const timer = setTimeout(() => {
      void stop();
      reject(new Error(`child ${args.join(' ')} not ready after ${timeoutMs} ms: ${stderr}`));
    }, timeoutMs);
    const onData = (c: Buffer) => {
      out += c.toString('utf8');
      const m = ready.exec(out);
      if (m) {
        clearTimeout(timer);
        out = '';
        proc.stdout?.off('data', onData);
        proc.stdout?.resume();
        resolve({ proc, url: m[1], stop });
      }
    };
    proc.stdout?.on('data', onData);
    proc.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`child ${args.join(' ')} exited (${code}) before it was ready: ${stderr}`));
    });
  });
}

/** Current and peak resident set size of a process in MiB (VmRSS, VmHWM of /proc/<pid>/status). */
export function rssOf(pid: number | undefined): { rssMb: number; peakMb: number } | undefined {
  if (pid === undefined) return undefined;
  try {
    const status = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
    const kb = (key: string) => Number(new RegExp(`^${key}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? 0);
    return { rssMb: Math.round(kb('VmRSS') / 1024), peakMb: Math.round(kb('VmHWM') / 1024) };
  } catch {
    return undefined;
  }
}

/** CPU time (user + system) a process has used so far, in ms, from /proc/<pid>/stat. */
export function cpuMsOf(pid: number | undefined): number | undefined {
  if (pid === undefined) return undefined;
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(f[11]) + Number(f[12])) * 10;
  } catch {
    return undefined;
  }
}
