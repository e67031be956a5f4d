/**
 * RFC 6962 / RFC 9162 Merkle tree hashing and proof generation, server side.
 *
 * Pure: no database, no I/O; only `node:crypto` SHA-256 (synchronous, for bulk work).
 *
 * - Hashing follows RFC 6962 §2.1: leaf = SHA-256(0x00 ‖ entry), node = SHA-256(0x01 ‖ left ‖ right),
 *   split at the largest power of two strictly smaller than n, no odd-node duplication,
 *   empty tree = SHA-256("").
 * - Generation follows RFC 6962 §2.1.1 / §2.1.2 (PATH / PROOF) over a `NodeSource` of perfect
 *   subtree hashes: stored tiles on the server (`tiles.ts`), or an in-memory list of leaf hashes.
 * - Verification lives in the standalone verifier (`@duban/verifier`, WebCrypto, no database).
 *
 * Tree sizes and indices are JavaScript numbers; they must be non-negative safe integers.
 * All arithmetic on them uses Math, not 32-bit bitwise operators, so sizes up to 2^53 - 1 work.
 */
import { createHash } from 'node:crypto';

const LEAF_PREFIX = Uint8Array.of(0x00);
const NODE_PREFIX = Uint8Array.of(0x01);

/** SHA-256(0x00 ‖ entry) — RFC 6962 §2.1 leaf hash. */
export function leafHash(entry: Uint8Array): Buffer {
  return createHash('sha256').update(LEAF_PREFIX).update(entry).digest();
}

/** SHA-256(0x01 ‖ left ‖ right) — RFC 6962 §2.1 interior node hash. */
export function nodeHash(left: Uint8Array, right: Uint8Array): Buffer {
  return createHash('sha256').update(NODE_PREFIX).update(left).update(right).digest();
}

/** SHA-256 of the empty string: the root of the empty tree. */
export function emptyRoot(): Buffer {
  return createHash('sha256').digest();
}

/** Largest power of two strictly smaller than n (n ≥ 2). */
function splitPoint(n: number): number {
  let k = 1;
  while (k * 2 < n) k *= 2;
  return k;
}

function isSize(x: unknown): x is number {
  return typeof x === 'number' && Number.isSafeInteger(x) && x >= 0;
}

function leafAt(leaves: readonly Uint8Array[], i: number): Uint8Array {
  const h = leaves[i];
  if (h === undefined) throw new RangeError(`missing leaf hash at index ${i}`);
  return h;
}

/**
 * Where generation gets hashes of complete subtrees: `node(height, k)` is the root of the perfect
 * subtree covering leaves [k·2^height, (k+1)·2^height). In memory it is computed from leaf hashes;
 * on the server it is read from stored tiles.
 */
export type NodeSource = (height: number, k: number) => Uint8Array;

/** Node source over an in-memory list of leaf hashes (O(2^height) hashing per node). */
export function leavesSource(leaves: readonly Uint8Array[]): NodeSource {
  const perfect = (lo: number, n: number): Uint8Array => {
    if (n === 1) return leafAt(leaves, lo);
    const half = n / 2;
    return nodeHash(perfect(lo, half), perfect(lo + half, half));
  };
  return (height, k) => perfect(k * 2 ** height, 2 ** height);
}

/** MTH(D[lo:hi]) (hi > lo) from perfect subtrees: aligned power-of-two ranges come from the source. */
function rangeRoot(node: NodeSource, lo: number, hi: number): Uint8Array {
  const n = hi - lo;
  if (isPowerOfTwo(n) && lo % n === 0) return node(Math.log2(n), lo / n);
  const k = splitPoint(n);
  return nodeHash(rangeRoot(node, lo, lo + k), rangeRoot(node, lo + k, hi));
}

/** Merkle Tree Hash of the first `size` leaves; size 0 → SHA-256(""). */
export function rootFrom(node: NodeSource, size: number): Buffer {
  if (!isSize(size)) throw new RangeError(`invalid tree size ${size}`);
  return size === 0 ? emptyRoot() : Buffer.from(rangeRoot(node, 0, size));
}

/** Merkle Tree Hash (RFC 6962 §2.1) of a list of leaf hashes; empty list → SHA-256(""). */
export function rootHash(leafHashes: readonly Uint8Array[]): Buffer {
  return rootFrom(leavesSource(leafHashes), leafHashes.length);
}

/**
 * Audit path PATH(index, D[treeSize]) (RFC 6962 §2.1.1), ordered from the leaf's sibling upwards.
 * Throws RangeError on invalid arguments (index ≥ treeSize, treeSize 0).
 */
export function inclusionProofFrom(node: NodeSource, index: number, treeSize: number): Buffer[] {
  if (!isSize(treeSize) || treeSize < 1) throw new RangeError(`invalid tree size ${treeSize}`);
  if (!isSize(index) || index >= treeSize) {
    throw new RangeError(`invalid leaf index ${index} for tree size ${treeSize}`);
  }
  const path: Buffer[] = [];
  const walk = (m: number, lo: number, hi: number): void => {
    const n = hi - lo;
    if (n === 1) return;
    const k = splitPoint(n);
    if (m < k) {
      walk(m, lo, lo + k);
      path.push(Buffer.from(rangeRoot(node, lo + k, hi)));
    } else {
      walk(m - k, lo + k, hi);
      path.push(Buffer.from(rangeRoot(node, lo, lo + k)));
    }
  };
  walk(index, 0, treeSize);
  return path;
}

/** `inclusionProofFrom` over in-memory leaf hashes (treeSize ≤ leafHashes.length). */
export function inclusionProof(leafHashes: readonly Uint8Array[], index: number, treeSize: number): Buffer[] {
  if (isSize(treeSize) && treeSize > leafHashes.length) {
    throw new RangeError(`invalid tree size ${treeSize} (have ${leafHashes.length} leaves)`);
  }
  return inclusionProofFrom(leavesSource(leafHashes), index, treeSize);
}

/**
 * Consistency proof PROOF(m, D[n]) (RFC 6962 §2.1.2) between the trees of the first m and first n
 * leaves. Requires 0 < m ≤ n (a proof from the empty tree is meaningless; m = n gives the empty
 * proof). Throws RangeError on invalid arguments.
 */
export function consistencyProofFrom(node: NodeSource, m: number, n: number): Buffer[] {
  if (!isSize(n)) throw new RangeError(`invalid tree size ${n}`);
  if (!isSize(m) || m < 1 || m > n) {
    throw new RangeError(`invalid old tree size ${m} for new tree size ${n}`);
  }
  const proof: Buffer[] = [];
  const sub = (mm: number, lo: number, hi: number, b: boolean): void => {
    const nn = hi - lo;
    if (mm === nn) {
      if (!b) proof.push(Buffer.from(rangeRoot(node, lo, hi)));
      return;
    }
    const k = splitPoint(nn);
    if (mm <= k) {
      sub(mm, lo, lo + k, b);
      proof.push(Buffer.from(rangeRoot(node, lo + k, hi)));
    } else {
      sub(mm - k, lo + k, hi, false);
      proof.push(Buffer.from(rangeRoot(node, lo, lo + k)));
    }
  };
  sub(m, 0, n, true);
  return proof;
}

/** `consistencyProofFrom` over in-memory leaf hashes (n ≤ leafHashes.length). */
export function consistencyProof(leafHashes: readonly Uint8Array[], m: number, n: number): Buffer[] {
  if (isSize(n) && n > leafHashes.length) {
    throw new RangeError(`invalid tree size ${n} (have ${leafHashes.length} leaves)`);
  }
  return consistencyProofFrom(leavesSource(leafHashes), m, n);
}

/** The synchronous hasher for `TreeBuilder` (verifier/src/log.ts), backed by node:crypto. */
export const nodeHasher = { leaf: leafHash, node: nodeHash, empty: emptyRoot };

function isPowerOfTwo(x: number): boolean {
  if (x < 1) return false;
  while (x % 2 === 0) x /= 2;
  return x === 1;
}
