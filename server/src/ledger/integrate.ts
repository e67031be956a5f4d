import { formatCheckpoint, rightEdgeTiles, type Tile, TreeBuilder } from '@duban/verifier';
import { sql } from 'kysely';
import type { Db, Tx } from '../db/client.ts';
import type { Signer } from './keys.ts';
import { leafHash, nodeHasher } from './merkle.ts';
import { readTiles, tileKey, writeTiles } from './tiles.ts';

/** Entries folded into the tree per transaction; a large backlog takes several rounds. */
export const BATCH = 10_000;
/** Entries read per query within a round: the round's memory is one page, not the whole batch. */
const READ = 1_000;

export type Integration = { size: number; root: Buffer; added: number; checkpointId: number | null };

/**
 * Integration (the second half of sequence-then-integrate): folds events committed since the last
 * run into the stored tiles and signs a checkpoint of the new tree, all in one transaction that
 * holds the ledger_state row lock, so concurrent integrators queue rather than race. Writers never
 * wait for this: they only took their gapless seq from event_counter in their own transaction.
 * Returns null when there was nothing to do and a checkpoint of the current size already exists.
 */
export async function integrateOnce(db: Db, signer: Signer, at: Date): Promise<Integration | null> {
  return db.transaction().execute(async (tx) => {
    const state = await sql<{ size: number; root: Uint8Array }>`
      select size, root from ledger_state where id for update`.execute(tx);
    const current = state.rows[0];
    if (!current) throw new Error('ledger_state row is missing');
    const size = Number(current.size);
    // The next entries in pages of READ (seq > the last one taken), up to BATCH in all and stopping
    // at the first gap: the same entries as one read of BATCH, without BATCH rows in memory at once.
    let taken = 0;
    let more = true;
    const nextPage = async (): Promise<{ seq: number; canonical: string }[]> => {
      if (!more) return [];
      const want = Math.min(READ, BATCH - taken);
      const rows = await tx
        .selectFrom('events')
        .select(['seq', 'canonical'])
        .where('seq', '>', size + taken)
        .orderBy('seq')
        .limit(want)
        .execute();
      const page: { seq: number; canonical: string }[] = [];
      for (const r of rows) {
        if (Number(r.seq) !== size + taken + page.length + 1) break;
        page.push({ seq: Number(r.seq), canonical: r.canonical });
      }
      taken += page.length;
      more = page.length === want && taken < BATCH;
      return page;
    };
    let page = await nextPage();
    if (page.length === 0) {
      if (await hasCheckpointFor(tx, size, signer)) return null;
      const id = await signCheckpoint(tx, signer, size, Buffer.from(current.root), at);
      return { size, root: Buffer.from(current.root), added: 0, checkpointId: id };
    }
    const changed = new Map<string, Tile>();
    const keep = (tile: Tile) =>
      changed.set(tileKey(tile.level, tile.idx), { ...tile, hashes: [...tile.hashes] });
    const edge = await readTiles(
      tx,
      rightEdgeTiles(size).filter((t) => t.width > 0),
    );
    const tree = TreeBuilder.resume(nodeHasher, size, (level, idx) => edge.get(tileKey(level, idx)), keep);
    while (page.length > 0) {
      for (const row of page) tree.push(leafHash(Buffer.from(row.canonical, 'utf8')));
      page = await nextPage();
    }
    for (const tile of tree.edgeTiles()) keep(tile);
    await writeTiles(tx, [...changed.values()]);
    const root = Buffer.from(tree.root());
    await tx.updateTable('ledger_state').set({ size: tree.size, root }).where('id', '=', true).execute();
    const id = await signCheckpoint(tx, signer, tree.size, root, at);
    return { size: tree.size, root, added: taken, checkpointId: id };
  });
}

async function hasCheckpointFor(tx: Tx, size: number, signer: Signer): Promise<boolean> {
  const row = await tx
    .selectFrom('ledger_checkpoints')
    .select('id')
    .where('size', '=', size)
    .where('key_id', '=', signer.keyId)
    .limit(1)
    .executeTakeFirst();
  return row !== undefined;
}

async function signCheckpoint(tx: Tx, signer: Signer, size: number, root: Buffer, at: Date): Promise<number> {
  const note = signer.sign(formatCheckpoint({ origin: signer.name, size, rootHash: root }));
  const row = await tx
    .insertInto('ledger_checkpoints')
    .values({ size, root, key_name: signer.name, key_id: signer.keyId, note, created_at: at })
    .returning('id')
    .executeTakeFirstOrThrow();
  return Number(row.id);
}

/**
 * Integrates until the backlog is empty (each round its own transaction and checkpoint), or until
 * `stop()` says so between rounds: a worker shutting down in front of a large backlog (10M events
 * take ~1,000 rounds) ends after the round in hand instead of being killed in the middle of one.
 */
export async function integrateAll(
  db: Db,
  signer: Signer,
  at: () => Date,
  stop: () => boolean = () => false,
): Promise<Integration | null> {
  let last: Integration | null = null;
  for (;;) {
    const round = await integrateOnce(db, signer, at());
    if (round === null) return last;
    last = round;
    if (round.added < BATCH || stop()) return last;
  }
}
