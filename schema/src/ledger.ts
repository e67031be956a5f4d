import { z } from 'zod';

/** Leaf indices and tree sizes: non-negative safe integers given in decimal in the query string. */
const count = () => z.coerce.number().int().min(0).max(Number.MAX_SAFE_INTEGER);

export const LedgerEntryParams = z.object({ index: count() }).strict();

/** treeSize names the checkpoint to prove against; omitted means the latest checkpoint. */
export const LedgerEntryQuery = z.object({ treeSize: count().min(1).optional() }).strict();

/** A consistency proof from the empty tree proves nothing, so `from` starts at 1. */
export const LedgerConsistencyQuery = z
  .object({ from: count().min(1), to: count().min(1).optional() })
  .strict()
  .refine((q) => q.to === undefined || q.from <= q.to, {
    path: ['from'],
    message: 'from must not exceed to',
  });

export const LedgerCheckpointsQuery = z
  .object({
    /** Only checkpoints with an id below this (paging backwards through history). */
    before: count().min(1).optional(),
    limit: z.coerce.number().int().min(1).max(500).default(100),
  })
  .strict();
