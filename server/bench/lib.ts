import {
  CompiledQuery,
  type KyselyPlugin,
  type PluginTransformQueryArgs,
  type PluginTransformResultArgs,
  PostgresQueryCompiler,
  type QueryResult,
  type RootOperationNode,
  type UnknownRow,
} from 'kysely';

/** Figures only: nothing here asserts a timing. */

export type Summary = { n: number; p50: number; p95: number; max: number; mean: number };

/** Nearest-rank percentiles over durations in milliseconds. */
export function summarize(samples: readonly number[]): Summary {
  const s = [...samples].sort((a, b) => a - b);
  const rank = (p: number) =>
    s[Math.min(s.length - 1, Math.max(0, Math.ceil((p / 100) * s.length) - 1))] ?? 0;
  const mean = s.reduce((a, b) => a + b, 0) / (s.length || 1);
  return { n: s.length, p50: rank(50), p95: rank(95), max: s.at(-1) ?? 0, mean };
}

export function ms(since: bigint): number {
  return Number(process.hrtime.bigint() - since) / 1e6;
}

export const now = () => process.hrtime.bigint();

/**
 * Peak resident set size of this process during a phase, sampled every 25 ms (and at the ends).
 * The server's own memory is not in it; PGlite's is, since it runs inside this process.
 */
export class RssMeter {
  private peak = 0;
  private timer: NodeJS.Timeout | undefined;
  start(): void {
    this.peak = process.memoryUsage.rss();
    this.timer = setInterval(() => this.sample(), 25);
    this.timer.unref();
  }
  private sample(): void {
    const rss = process.memoryUsage.rss();
    if (rss > this.peak) this.peak = rss;
  }
  /** Stops sampling; returns the peak in MiB. */
  stop(): number {
    this.sample();
    clearInterval(this.timer);
    return Math.round(this.peak / 1048576);
  }
}

/** Runs fn while sampling RSS; returns its result, wall time and RSS peak. */
export async function phase<T>(fn: () => Promise<T>): Promise<{ result: T; ms: number; rssMb: number }> {
  const meter = new RssMeter();
  meter.start();
  const t = now();
  try {
    const result = await fn();
    return { result, ms: ms(t), rssMb: meter.stop() };
  } catch (err) {
    meter.stop();
    throw err;
  }
}

/** Runs `tasks` jobs over `workers` concurrent loops (each job index taken once). */
export async function pool(tasks: number, workers: number, job: (i: number) => Promise<void>): Promise<void> {
  let next = 0;
  const loop = async () => {
    while (next < tasks) {
      const i = next++;
      await job(i);
    }
  };
  await Promise.all(Array.from({ length: Math.min(workers, tasks) }, loop));
}

/** A plain aligned text table; numeric-looking cells are right-aligned. */
export function table(headers: string[], rows: (string | number)[][]): string {
  const cells = rows.map((r) => r.map((c) => String(c)));
  const width = (s: string) => [...s].reduce((w, ch) => w + ((ch.codePointAt(0) ?? 0) > 0x2e80 ? 2 : 1), 0);
  const widths = headers.map((h, i) => Math.max(width(h), ...cells.map((r) => width(r[i] ?? ''))));
  const pad = (s: string, i: number, right: boolean) => {
    const fill = ' '.repeat(Math.max(0, (widths[i] ?? 0) - width(s)));
    return right ? fill + s : s + fill;
  };
  const numeric = (s: string) => /^[-+]?[\d.,]+( ?\w+)?$/.test(s) && /\d/.test(s);
  const line = (r: string[], head = false) =>
    r
      .map((c, i) => pad(c, i, !head && numeric(c)))
      .join('  ')
      .trimEnd();
  const out = [line(headers, true), widths.map((w) => '-'.repeat(w)).join('  ')];
  for (const r of cells) out.push(line(r));
  return out.map((l) => `  ${l}`).join('\n');
}

export const fmt = (v: number, digits = 1) => v.toFixed(digits);

/**
 * Remembers the last SELECT compiled through the Kysely instance it is plugged into, so a timed
 * query can be re-run under EXPLAIN ANALYZE with exactly the SQL and parameters it used.
 */
export class CaptureSql implements KyselyPlugin {
  last: CompiledQuery | undefined;
  private readonly compiler = new PostgresQueryCompiler();
  transformQuery(args: PluginTransformQueryArgs): RootOperationNode {
    if (args.node.kind === 'SelectQueryNode') this.last = this.compiler.compileQuery(args.node, args.queryId);
    return args.node;
  }
  async transformResult(args: PluginTransformResultArgs): Promise<QueryResult<UnknownRow>> {
    return args.result;
  }
  explainOf(q: CompiledQuery): CompiledQuery {
    return CompiledQuery.raw(`explain (analyze, buffers, costs off) ${q.sql}`, [...q.parameters]);
  }
}
