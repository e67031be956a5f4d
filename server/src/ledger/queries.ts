import { EVIDENCE_FORMAT, type EvidencePackage } from '@duban/verifier';
import type { Queryable } from '../db/client.ts';
import { itemNotFound } from '../items/perform-action.ts';
import { canSeeItem } from '../items/policy.ts';
import { type Actor, hasRole } from '../shared/actor.ts';
import { DomainError } from '../shared/errors.ts';
import { verifierKeys } from './keys.ts';
import { consistencyProofFrom, inclusionProofFrom, leafHash } from './merkle.ts';
import { withTiles } from './tiles.ts';

export type CheckpointView = { id: number; size: number; rootHash: string; note: string; createdAt: string };

const b64 = (bytes: Uint8Array) => Buffer.from(bytes).toString('base64');

function present(row: {
  id: number;
  size: number;
  root: Uint8Array;
  note: string;
  created_at: Date | string;
}) {
  return {
    id: Number(row.id),
    size: Number(row.size),
    rootHash: b64(row.root),
    note: row.note,
    createdAt: new Date(row.created_at).toISOString(),
  } satisfies CheckpointView;
}

const checkpointColumns = ['id', 'size', 'root', 'note', 'created_at'] as const;

/** The newest checkpoint, or of exactly `size` when given (the newest signature of that size). */
export async function findCheckpoint(db: Queryable, size?: number): Promise<CheckpointView> {
  let q = db.selectFrom('ledger_checkpoints').select(checkpointColumns).orderBy('id', 'desc').limit(1);
  if (size !== undefined) q = q.where('size', '=', size);
  const row = await q.executeTakeFirst();
  if (!row) {
    throw new DomainError(
      'CHECKPOINT_NOT_FOUND',
      size === undefined
        ? { zh: '账本尚无检查点，请稍后再试', en: 'the ledger has no checkpoint yet; try again shortly' }
        : { zh: `没有大小为 ${size} 的检查点`, en: `no checkpoint of tree size ${size}` },
      size === undefined ? {} : { field: 'querystring.treeSize' },
    );
  }
  return present(row);
}

/** Checkpoint history, newest first (the public portal's list; anyone may keep a copy). */
export async function listCheckpoints(db: Queryable, q: { before?: number | undefined; limit: number }) {
  let query = db
    .selectFrom('ledger_checkpoints')
    .select(checkpointColumns)
    .orderBy('id', 'desc')
    .limit(q.limit);
  if (q.before !== undefined) query = query.where('id', '<', q.before);
  const rows = await query.execute();
  return { checkpoints: rows.map(present) };
}

function entryNotFound(): DomainError {
  return new DomainError('LEDGER_ENTRY_NOT_FOUND', { zh: '账本条目不存在', en: 'ledger entry not found' });
}

/**
 * Who may read an entry: the entries of an item go with the item's data scope; entries about the
 * organisation itself (users, units, calendars) only to admins and auditors. Others get 404.
 */
async function mayReadEntry(db: Queryable, actor: Actor, itemId: string | null): Promise<boolean> {
  if (itemId !== null) return canSeeItem(db, actor, itemId);
  return hasRole(actor, 'admin', 'auditor');
}

/** One entry with its inclusion proof in the tree of the checkpoint named by treeSize (or the latest). */
export async function entryWithProof(
  db: Queryable,
  actor: Actor,
  index: number,
  treeSize: number | undefined,
) {
  const row = await db
    .selectFrom('events')
    .select(['seq', 'item_id', 'canonical'])
    .where('seq', '=', index + 1)
    .executeTakeFirst();
  if (!row || !(await mayReadEntry(db, actor, row.item_id))) throw entryNotFound();
  const checkpoint = await findCheckpoint(db, treeSize);
  if (index >= checkpoint.size) {
    if (treeSize !== undefined) {
      throw new DomainError(
        'VALIDATION_FAILED',
        {
          zh: `条目序号 ${index} 不在大小为 ${treeSize} 的树中`,
          en: `index ${index} is not in a tree of size ${treeSize}`,
        },
        { field: 'params.index' },
      );
    }
    throw new DomainError('LEDGER_PENDING', {
      zh: '该条目已记录，尚未纳入检查点，请稍后再试',
      en: 'the entry is recorded but not yet covered by a checkpoint; try again shortly',
    });
  }
  const proof = await withTiles(db, (node) => inclusionProofFrom(node, index, checkpoint.size));
  return {
    index,
    entry: row.canonical,
    leafHash: b64(leafHash(Buffer.from(row.canonical, 'utf8'))),
    treeSize: checkpoint.size,
    inclusionProof: proof.map(b64),
    checkpoint,
  };
}

/** Consistency proof between tree sizes `from` and `to` (default: the latest checkpoint). */
export async function consistency(db: Queryable, from: number, to: number | undefined) {
  const checkpoint = await findCheckpoint(db, to);
  if (from > checkpoint.size) {
    throw new DomainError(
      'VALIDATION_FAILED',
      {
        zh: `from 不能大于检查点大小 ${checkpoint.size}`,
        en: `from exceeds the checkpoint size ${checkpoint.size}`,
      },
      { field: 'querystring.from' },
    );
  }
  const proof = await withTiles(db, (node) => consistencyProofFrom(node, from, checkpoint.size));
  return { from, to: checkpoint.size, proof: proof.map(b64), checkpoint };
}

/**
 * 存证包: every ledger entry of one item with its inclusion proof against the latest checkpoint,
 * the signed checkpoint itself and the verifier keys — all anyone needs to check the item's
 * history offline (`duban ledger verify-package`, or the portal in a browser).
 */
export async function evidencePackage(
  db: Queryable,
  dataDir: string,
  actor: Actor,
  itemId: string,
  now: Date,
): Promise<EvidencePackage> {
  if (!(await canSeeItem(db, actor, itemId))) throw itemNotFound();
  const checkpoint = await findCheckpoint(db);
  const rows = await db
    .selectFrom('events')
    .select(['seq', 'canonical'])
    .where('item_id', '=', itemId)
    .orderBy('seq')
    .execute();
  const covered = rows.filter((r) => Number(r.seq) <= checkpoint.size);
  const proofs = await withTiles(db, (node) =>
    covered.map((r) => inclusionProofFrom(node, Number(r.seq) - 1, checkpoint.size)),
  );
  return {
    format: EVIDENCE_FORMAT,
    itemId,
    generatedAt: now.toISOString(),
    checkpoint: checkpoint.note,
    verifierKeys: verifierKeys(dataDir),
    entries: covered.map((r, i) => ({
      index: Number(r.seq) - 1,
      entry: r.canonical,
      inclusionProof: (proofs[i] ?? []).map(b64),
    })),
    pending: rows.length - covered.length,
  };
}
