/**
 * Building an RFC 6962 tree leaf by leaf, as tiles (C2SP tlog-tiles layout: a tile at level L holds
 * up to 256 hashes of complete subtrees of height 8L). The server's integrator uses it to extend the
 * stored tree, and `duban ledger verify` uses it to re-derive every stored tile and checkpoint root
 * from the entries alone. Hashing is synchronous and injected, so this module stays free of Node
 * APIs; Node passes node:crypto, a browser could pass any synchronous SHA-256.
 */

export const TILE_HEIGHT = 8;
export const TILE_WIDTH = 256;

export type SyncHasher = {
  /** SHA-256(0x00 ‖ entry) */
  leaf(entry: Uint8Array): Uint8Array;
  /** SHA-256(0x01 ‖ left ‖ right) */
  node(left: Uint8Array, right: Uint8Array): Uint8Array;
  /** SHA-256("") — the root of the empty tree */
  empty(): Uint8Array;
};

export type Tile = { level: number; idx: number; hashes: Uint8Array[] };

/** Root of a perfect subtree given its 2^k bottom hashes, in order. */
export function perfectRoot(hasher: SyncHasher, hashes: readonly Uint8Array[]): Uint8Array {
  if (hashes.length === 0 || (hashes.length & (hashes.length - 1)) !== 0) {
    throw new RangeError(`perfectRoot needs a power-of-two count, got ${hashes.length}`);
  }
  let layer: Uint8Array[] = [...hashes];
  while (layer.length > 1) {
    const next: Uint8Array[] = [];
    for (let i = 0; i < layer.length; i += 2) next.push(hasher.node(at(layer, i), at(layer, i + 1)));
    layer = next;
  }
  return at(layer, 0);
}

function at(list: readonly Uint8Array[], i: number): Uint8Array {
  const h = list[i];
  if (h === undefined) throw new RangeError(`missing hash at ${i}`);
  return h;
}

/** A level's right edge: its partial tile and that tile's compact range (perfect subtrees, largest first). */
type Edge = { idx: number; hashes: Uint8Array[]; stack: { height: number; hash: Uint8Array }[] };

/**
 * An append-only tree kept as its right edge: for each level, the hashes of the current (partial)
 * tile and their compact range, so both appending and taking the root cost O(log n) hashes.
 * Appending a leaf may complete tiles; each completed tile is reported to `onTile` once.
 */
export class TreeBuilder {
  #levels: Edge[] = [];
  #size = 0;

  constructor(
    private readonly hasher: SyncHasher,
    private readonly onTile: (tile: Tile) => void = () => {},
  ) {}

  /**
   * Continues a tree of `size` leaves from its right-edge tiles (as `rightEdgeTiles(size)` names
   * them). Missing or short tiles throw: the stored tree does not cover `size`.
   */
  static resume(
    hasher: SyncHasher,
    size: number,
    edge: (level: number, idx: number) => readonly Uint8Array[] | undefined,
    onTile?: (tile: Tile) => void,
  ): TreeBuilder {
    const tree = new TreeBuilder(hasher, onTile);
    for (const { level, idx, width } of rightEdgeTiles(size)) {
      const stored = width === 0 ? [] : edge(level, idx);
      if (stored === undefined || stored.length < width) {
        throw new Error(`tile ${level}/${idx} is missing or shorter than ${width} hashes`);
      }
      const e: Edge = { idx, hashes: [], stack: [] };
      for (const h of stored.slice(0, width)) tree.#append(e, h);
      tree.#levels[level] = e;
    }
    tree.#size = size;
    return tree;
  }

  get size(): number {
    return this.#size;
  }

  #edge(level: number): Edge {
    let e = this.#levels[level];
    if (e === undefined) {
      e = { idx: 0, hashes: [], stack: [] };
      this.#levels[level] = e;
    }
    return e;
  }

  #append(e: Edge, hash: Uint8Array): void {
    e.hashes.push(hash);
    e.stack.push({ height: 0, hash });
    for (;;) {
      const right = e.stack.at(-1);
      const left = e.stack.at(-2);
      if (!right || !left || left.height !== right.height) break;
      e.stack.splice(-2, 2, { height: left.height + 1, hash: this.hasher.node(left.hash, right.hash) });
    }
  }

  push(leafHash: Uint8Array): void {
    let hash = leafHash;
    let level = 0;
    for (;;) {
      const e = this.#edge(level);
      this.#append(e, hash);
      if (e.hashes.length < TILE_WIDTH) break;
      this.onTile({ level, idx: e.idx, hashes: e.hashes });
      hash = e.stack[0]?.hash ?? perfectRoot(this.hasher, e.hashes);
      this.#levels[level] = { idx: e.idx + 1, hashes: [], stack: [] };
      level += 1;
    }
    this.#size += 1;
  }

  /** The partial right-most tile of every level that has one (what a store must write after pushes). */
  edgeTiles(): Tile[] {
    const out: Tile[] = [];
    this.#levels.forEach((e, level) => {
      if (e.hashes.length > 0) out.push({ level, idx: e.idx, hashes: [...e.hashes] });
    });
    return out;
  }

  /** RFC 6962 root of the tree as it stands: the perfect subtrees of the right edge, folded. */
  root(): Uint8Array {
    const parts: Uint8Array[] = [];
    for (let level = this.#levels.length - 1; level >= 0; level--) {
      for (const s of this.#levels[level]?.stack ?? []) parts.push(s.hash);
    }
    if (parts.length === 0) return this.hasher.empty();
    let root = at(parts, parts.length - 1);
    for (let i = parts.length - 2; i >= 0; i--) root = this.hasher.node(at(parts, i), root);
    return root;
  }
}

/**
 * The right-most tile of each level for a tree of `size` leaves, and how many of its hashes belong
 * to that size (width 0 means the level's last tile is complete and the next one is empty).
 */
export function rightEdgeTiles(size: number): { level: number; idx: number; width: number }[] {
  const out: { level: number; idx: number; width: number }[] = [];
  let count = size; // complete entries at this level
  let level = 0;
  while (count > 0) {
    out.push({ level, idx: Math.floor(count / TILE_WIDTH), width: count % TILE_WIDTH });
    count = Math.floor(count / TILE_WIDTH);
    level += 1;
  }
  return out;
}
