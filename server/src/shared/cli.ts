import { InvalidArgumentError } from 'commander';
import type { AppContext } from '../context.ts';
import { DomainError } from './errors.ts';

export function regionCodeArg(value: string): string {
  if (!/^\d{6}$/.test(value)) throw new InvalidArgumentError('应为 6 位行政区划代码 / a 6-digit region code');
  return value;
}

/**
 * Opens the context, runs fn, closes the database. A domain error, or a RangeError from date
 * arithmetic beyond the representable years, becomes a message on stderr and exit code 1.
 */
export async function withContext(open: () => Promise<AppContext>, fn: (ctx: AppContext) => Promise<void>) {
  const ctx = await open();
  try {
    await fn(ctx);
  } catch (err) {
    if (err instanceof DomainError) console.error(`${err.messageZh} / ${err.message}`);
    else if (err instanceof RangeError) console.error(`超出可计算范围 / out of range: ${err.message}`);
    else throw err;
    process.exitCode = 1;
  } finally {
    await ctx.handle.close();
  }
}
