import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Cli, createCli } from '../support/cli.ts';

let cli: Cli;
beforeAll(async () => {
  cli = await createCli('duban-kpi-cli-');
});
afterAll(async () => {
  await cli?.cleanup();
});

describe('duban kpi recompute', () => {
  it('rebuilds the facts and roll-ups and says how many', async () => {
    const r = await cli.run(['kpi', 'recompute']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(
      /^指标已重算 \/ KPIs recomputed: 0 条事项事实 \(item facts\), 0 条汇总 \(roll-ups\)/,
    );
  });
});
