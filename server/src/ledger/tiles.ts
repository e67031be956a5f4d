import { HASH_SIZE, perfectRoot, TILE_HEIGHT, TILE_WIDTH, type Tile } from '@duban/verifier';
import { sql } from 'kysely';
import type { Db, Tx } from '../db/client.ts';
import { type NodeSource, nodeHasher } from './merkle.ts';

/** Tiles held in memory, keyed `level/idx`. */
export type TileMap = Map<string, Uint8Array[]>;

export const tileKey = (level: number, idx: number) => `${level}/${idx}`;

/** Where the perfect subtree (height, k) lives: a run of 2^(height mod 8) hashes inside one tile. */
function locate(height: number, k: number) {
  const level = Math.floor(height / TILE_HEIGHT);
  const count = 2 ** (height % TILE_HEIGHT);
  const first = k * count;
  return { level, idx: Math.floor(first / TILE_WIDTH), offset: first % TILE_WIDTH, count };
}

/** A node source reading perfect subtrees out of tiles (throws when a needed tile is absent). */
export function tileSource(tiles: TileMap): NodeSource {
  return (height, k) => {
    const { level, idx, offset, count } = locate(height, k);
    const hashes = tiles.get(tileKey(level, idx));
    if (hashes === undefined || hashes.length < offset + count) {
      throw new Error(`ledger tile ${level}/${idx} is missing or too short`);
    }
    return count === 1
      ? (hashes[offset] as Uint8Array)
      : perfectRoot(nodeHasher, hashes.slice(offset, offset + count));
  };
}

const ZERO = new Uint8Array(HASH_SIZE);

/**
 * Runs `compute` twice: first against a recording source to learn which tiles it touches, then
 * against those tiles read in one query. Proof generation thus costs one round trip and O(log n)
 * tile reads whatever the tree size.
 */
export async function withTiles<T>(db: Db | Tx, compute: (node: NodeSource) => T): Promise<T> {
  const wanted = new Map<string, { level: number; idx: number }>();
  compute((height, k) => {
    const { level, idx } = locate(height, k);
    wanted.set(tileKey(level, idx), { level, idx });
    return ZERO;
  });
  return compute(tileSource(await readTiles(db, [...wanted.values()])));
}

export async function readTiles(
  db: Db | Tx,
  keys: readonly { level: number; idx: number }[],
): Promise<TileMap> {
  const map: TileMap = new Map();
  if (keys.length === 0) return map;
  const rows = await db
    .selectFrom('ledger_tiles')
    .select(['level', 'idx', 'hashes'])
    .where((eb) =>
      eb(
        eb.refTuple('level', 'idx'),
        'in',
        keys.map((k) => eb.tuple(k.level, k.idx)),
      ),
    )
    .execute();
  for (const row of rows) map.set(tileKey(row.level, Number(row.idx)), splitHashes(row.hashes));
  return map;
}

export function splitHashes(bytes: Uint8Array): Uint8Array[] {
  const out: Uint8Array[] = [];
  for (let i = 0; i + HASH_SIZE <= bytes.length; i += HASH_SIZE) out.push(bytes.subarray(i, i + HASH_SIZE));
  return out;
}

/** Writes tiles (insert, or replace a partial tile that has grown). */
export async function writeTiles(tx: Tx, tiles: readonly Tile[]): Promise<void> {
  for (let i = 0; i < tiles.length; i += 500) {
    const chunk = tiles.slice(i, i + 500);
    await tx
      .insertInto('ledger_tiles')
      .values(chunk.map((t) => ({ level: t.level, idx: t.idx, hashes: Buffer.concat(t.hashes) })))
      .onConflict((oc) => oc.columns(['level', 'idx']).doUpdateSet({ hashes: sql`excluded.hashes` }))
      .execute();
  }
}
