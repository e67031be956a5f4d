/**
 * RFC 6962 / RFC 9162 Merkle tree hashing, proof generation and proof verification.
 *
 * Pure: no database, no I/O; only `node:crypto` SHA-256 (straightforward to port to WebCrypto).
 *
 * - Hashing follows RFC 6962 §2.1: leaf = SHA-256(0x00 ‖ entry), node = SHA-256(0x01 ‖ left ‖ right),
 *   split at the largest power of two strictly smaller than n, no odd-node duplication,
 *   empty tree = SHA-256("").
 * - Generation (`inclusionProof`, `consistencyProof`) follows RFC 6962 §2.1.1 / §2.1.2 (PATH / PROOF)
 *   from an in-memory list of leaf hashes (O(n) hashing per call).
 * - Verification follows RFC 9162 §2.1.3.2 / §2.1.4.2 (as implemented by transparency-dev/merkle).
 *   The verifiers never throw: any malformed input yields `false`.
 *
 * Tree sizes and indices are JavaScript numbers; they must be non-negative safe integers.
 * All arithmetic on them uses Math, not 32-bit bitwise operators, so sizes up to 2^53 - 1 work.
 */
import { createHash } from 'node:crypto';

/** Output size of SHA-256 in bytes; every leaf hash, node hash, root and proof element has this length. */
export const HASH_SIZE = 32;

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

/** MTH(D[lo:hi]) over leaf hashes (hi > lo). */
function subtreeRoot(leaves: readonly Uint8Array[], lo: number, hi: number): Buffer {
  const n = hi - lo;
  if (n === 1) return Buffer.from(leafAt(leaves, lo));
  const k = splitPoint(n);
  return nodeHash(subtreeRoot(leaves, lo, lo + k), subtreeRoot(leaves, lo + k, hi));
}

/** Merkle Tree Hash (RFC 6962 §2.1) of a list of leaf hashes; empty list → SHA-256(""). */
export function rootHash(leafHashes: readonly Uint8Array[]): Buffer {
  if (leafHashes.length === 0) return emptyRoot();
  return subtreeRoot(leafHashes, 0, leafHashes.length);
}

/**
 * Audit path PATH(index, D[treeSize]) (RFC 6962 §2.1.1) for the tree formed by the first `treeSize`
 * leaf hashes. Ordered from the leaf's sibling upwards. Throws RangeError on invalid arguments.
 */
export function inclusionProof(leafHashes: readonly Uint8Array[], index: number, treeSize: number): Buffer[] {
  if (!isSize(treeSize) || treeSize < 1 || treeSize > leafHashes.length) {
    throw new RangeError(`invalid tree size ${treeSize} (have ${leafHashes.length} leaves)`);
  }
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
      path.push(subtreeRoot(leafHashes, lo + k, hi));
    } else {
      walk(m - k, lo + k, hi);
      path.push(subtreeRoot(leafHashes, lo, lo + k));
    }
  };
  walk(index, 0, treeSize);
  return path;
}

/**
 * Consistency proof PROOF(m, D[n]) (RFC 6962 §2.1.2) between the trees formed by the first m and
 * first n leaf hashes. Requires 0 < m ≤ n ≤ leafHashes.length (a proof from the empty tree is
 * meaningless; m = n gives the empty proof). Throws RangeError on invalid arguments.
 */
export function consistencyProof(leafHashes: readonly Uint8Array[], m: number, n: number): Buffer[] {
  if (!isSize(n) || n > leafHashes.length) {
    throw new RangeError(`invalid tree size ${n} (have ${leafHashes.length} leaves)`);
  }
  if (!isSize(m) || m < 1 || m > n) {
    throw new RangeError(`invalid old tree size ${m} for new tree size ${n}`);
  }
  const proof: Buffer[] = [];
  const sub = (mm: number, lo: number, hi: number, b: boolean): void => {
    const nn = hi - lo;
    if (mm === nn) {
      if (!b) proof.push(subtreeRoot(leafHashes, lo, hi));
      return;
    }
    const k = splitPoint(nn);
    if (mm <= k) {
      sub(mm, lo, lo + k, b);
      proof.push(subtreeRoot(leafHashes, lo + k, hi));
    } else {
      sub(mm - k, lo + k, hi, false);
      proof.push(subtreeRoot(leafHashes, lo, lo + k));
    }
  };
  sub(m, 0, n, true);
  return proof;
}

// ---------------------------------------------------------------------------------------------
// Verification (RFC 9162 §2.1.3.2 and §2.1.4.2). Never throws.
// ---------------------------------------------------------------------------------------------

function isHash(x: unknown): x is Uint8Array {
  return x instanceof Uint8Array && x.length === HASH_SIZE;
}

function isHashList(x: unknown): x is readonly Uint8Array[] {
  return Array.isArray(x) && x.every(isHash);
}

function bytesEqual(a: unknown, b: unknown): boolean {
  if (!(a instanceof Uint8Array) || !(b instanceof Uint8Array) || a.length !== b.length) return false;
  let diff = 0;
  for (let i = 0; i < a.length; i++) diff |= (a[i] ?? 0) ^ (b[i] ?? 0);
  return diff === 0;
}

const lsb = (x: number): boolean => x % 2 === 1;
const shr = (x: number): number => Math.floor(x / 2);

function isPowerOfTwo(x: number): boolean {
  if (x < 1) return false;
  while (x % 2 === 0) x /= 2;
  return x === 1;
}

/**
 * RFC 9162 §2.1.3.2: does `proof` show that `leafHash` is the leaf at `index` of the tree of size
 * `treeSize` whose root is `root`? Returns false (never throws) on any malformed input.
 */
export function verifyInclusion(
  leafHash: Uint8Array,
  index: number,
  treeSize: number,
  proof: readonly Uint8Array[],
  root: Uint8Array,
): boolean {
  try {
    if (!isSize(index) || !isSize(treeSize) || index >= treeSize) return false;
    if (!isHash(leafHash) || !isHash(root) || !isHashList(proof)) return false;
    let fn = index;
    let sn = treeSize - 1;
    let r: Buffer = Buffer.from(leafHash);
    for (const p of proof) {
      if (sn === 0) return false;
      if (lsb(fn) || fn === sn) {
        r = nodeHash(p, r);
        if (!lsb(fn)) {
          while (!lsb(fn) && fn !== 0) {
            fn = shr(fn);
            sn = shr(sn);
          }
        }
      } else {
        r = nodeHash(r, p);
      }
      fn = shr(fn);
      sn = shr(sn);
    }
    return sn === 0 && bytesEqual(r, root);
  } catch {
    return false;
  }
}

/**
 * RFC 9162 §2.1.4.2: does `proof` show that the tree of size `size2` with root `root2` is an
 * append-only extension of the tree of size `size1` with root `root1`?
 *
 * Edge cases follow transparency-dev/merkle and its test vectors: size1 > size2 → false;
 * size1 = 0 → false (a consistency proof from the empty tree is meaningless); size1 = size2 → true
 * iff the proof is empty and the roots are byte-identical. Never throws.
 */
export function verifyConsistency(
  size1: number,
  size2: number,
  proof: readonly Uint8Array[],
  root1: Uint8Array,
  root2: Uint8Array,
): boolean {
  try {
    if (!isSize(size1) || !isSize(size2) || size1 > size2 || size1 === 0) return false;
    if (!Array.isArray(proof)) return false;
    if (size1 === size2) return proof.length === 0 && bytesEqual(root1, root2);
    if (!isHash(root1) || !isHash(root2) || !isHashList(proof)) return false;
    // 1. An empty proof fails.
    if (proof.length === 0) return false;
    // 2. If size1 is an exact power of two, prepend root1.
    const path: readonly Uint8Array[] = isPowerOfTwo(size1) ? [root1, ...proof] : proof;
    // 3.
    let fn = size1 - 1;
    let sn = size2 - 1;
    // 4.
    while (lsb(fn)) {
      fn = shr(fn);
      sn = shr(sn);
    }
    // 5.
    const first = path[0];
    if (first === undefined) return false;
    let fr: Buffer = Buffer.from(first);
    let sr: Buffer = Buffer.from(first);
    // 6.
    for (let i = 1; i < path.length; i++) {
      const c = path[i];
      if (c === undefined || sn === 0) return false;
      if (lsb(fn) || fn === sn) {
        fr = nodeHash(c, fr);
        sr = nodeHash(c, sr);
        if (!lsb(fn)) {
          while (!lsb(fn) && fn !== 0) {
            fn = shr(fn);
            sn = shr(sn);
          }
        }
      } else {
        sr = nodeHash(sr, c);
      }
      fn = shr(fn);
      sn = shr(sn);
    }
    // 7.
    return sn === 0 && bytesEqual(fr, root1) && bytesEqual(sr, root2);
  } catch {
    return false;
  }
}
