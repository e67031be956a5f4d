import type { Command } from 'commander';
import type { AppContext } from '../context.ts';
import { recomputeKpis } from './rollups.ts';

export function registerKpiCommands(program: Command, open: () => Promise<AppContext>) {
  const kpi = program.command('kpi').description('绩效指标 / KPIs');
  kpi
    .command('recompute')
    .description('全量重算指标事实与汇总 / rebuild every KPI fact and roll-up')
    .action(async () => {
      const ctx = await open();
      try {
        const r = await recomputeKpis(ctx.db, ctx.now());
        console.log(
          `指标已重算 / KPIs recomputed: ${r.facts} 条事项事实 (item facts), ${r.rollups} 条汇总 (roll-ups), ` +
            `事件至 / events up to #${r.lastSeq}, ${(r.ms / 1000).toFixed(2)} s`,
        );
      } finally {
        await ctx.handle.close();
      }
    });
}
