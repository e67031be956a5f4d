import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Cli, createCli } from '../support/cli.ts';

/** `duban calendar …` as a script calls it: a separate process, only the result on stdout. */
let cli: Cli;
let _dataDir: string;
beforeAll(async () => {
  cli = await createCli('duban-cal-cli-');
  _dataDir = cli.dataDir;
});
afterAll(async () => {
  await cli?.cleanup();
});

const duban = (args: string[], opts?: { untilOutput?: RegExp }) => cli.run(args, opts);

describe('duban calendar', () => {
  it('add-workdays prints the date, workdays-between the count', async () => {
    const after = await duban(['calendar', 'add-workdays', '2025-01-27', '1']);
    expect(after, after.stderr).toMatchObject({ code: 0, stdout: '2025-02-05\n' });
    const before = await duban(['calendar', 'add-workdays', '2025-02-05', '-1']);
    expect(before).toMatchObject({ code: 0, stdout: '2025-01-27\n' });
    const between = await duban(['calendar', 'workdays-between', '2024-12-31', '2025-12-31']);
    expect(between).toMatchObject({ code: 0, stdout: '248\n' });
    const back = await duban([
      'calendar',
      'workdays-between',
      '2025-02-08',
      '2025-01-26',
      '--region',
      '330000',
    ]);
    // 330000 is not imported here: an unknown region is refused, not silently national.
    expect(back.code).toBe(1);
    expect(back.stdout).toBe('');
    expect(back.stderr).toMatch(/行政区划 330000/);
  });

  it('refuses bad input with a message on stderr and a non-zero exit', async () => {
    for (const args of [
      ['add-workdays', '2025-02-30', '1'],
      ['add-workdays', '2025-02-03', '1.5'],
      ['add-workdays', '2025-02-03'],
      ['workdays-between', '2025-01-01', 'tomorrow'],
      ['add-workdays', '9999-12-30', '5'],
    ]) {
      const run = await duban(['calendar', ...args]);
      expect(run.code, args.join(' ')).not.toBe(0);
      expect(run.stdout).toBe('');
      expect(run.stderr.length).toBeGreaterThan(0);
    }
  });

  it('seed is idempotent', async () => {
    const seed = await duban(['calendar', 'seed']);
    expect(seed.code, seed.stderr).toBe(0);
    expect(seed.stdout).toMatch(/新增 0，更正 0，移除 0/);
  });
});
