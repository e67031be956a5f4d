import type { Command } from 'commander';
import type { AppContext } from '../../context.ts';
import { reindexItems } from './index.ts';

/** `duban intake reindex`: rebuild the duplicate index from every item. */
export function registerSimilarityCommands(program: Command, open: () => Promise<AppContext>) {
  const intake =
    program.commands.find((c) => c.name() === 'intake') ??
    program.command('intake').description('统一受理 / intake');
  intake
    .command('reindex')
    .description('重建重复督办索引 / rebuild the near-duplicate index from all items')
    .action(async () => {
      const ctx = await open();
      try {
        const n = await ctx.db.transaction().execute((tx) => reindexItems(tx));
        console.log(`重复督办索引已重建 / duplicate index rebuilt: ${n} 个事项 (items)`);
      } finally {
        await ctx.handle.close();
      }
    });
}
