/**
 * RFC 6962 Merkle hashing and RFC 9162 proof verification over WebCrypto SHA-256 (async).
 *
 * A port of the verifiers in server/src/ledger/merkle.ts (which follow transparency-dev/merkle):
 * - leaf = SHA-256(0x00 ‖ entry), node = SHA-256(0x01 ‖ left ‖ right);
 * - inclusion (RFC 9162 §2.1.3.2): index ≥ treeSize is rejected, the proof must have exactly the
 *   length the path needs;
 * - consistency (RFC 9162 §2.1.4.2): size1 > size2 and size1 = 0 are rejected; size1 = size2 only
 *   with an empty proof and byte-identical roots; otherwise the proof must be non-empty and exact.
 *
 * The verifiers never throw and never reject: any malformed input yields `false`. Sizes and indices
 * must be non-negative safe integers; arithmetic uses Math, not 32-bit bitwise operators.
 */
import { bytesEqual, sha256 } from './bytes.ts';

/** SHA-256 output size: every leaf hash, node hash, root and proof element has this length. */
export const HASH_SIZE = 32;

const LEAF_PREFIX = Uint8Array.of(0x00);
const NODE_PREFIX = Uint8Array.of(0x01);

/** SHA-256(0x00 ‖ entry) — RFC 6962 §2.1 leaf hash. */
export function leafHash(entry: Uint8Array): Promise<Uint8Array> {
  return sha256(LEAF_PREFIX, entry);
}

/** SHA-256(0x01 ‖ left ‖ right) — RFC 6962 §2.1 interior node hash. */
export function nodeHash(left: Uint8Array, right: Uint8Array): Promise<Uint8Array> {
  return sha256(NODE_PREFIX, left, right);
}

function isSize(x: unknown): x is number {
  return typeof x === 'number' && Number.isSafeInteger(x) && x >= 0;
}

function isHash(x: unknown): x is Uint8Array {
  return x instanceof Uint8Array && x.length === HASH_SIZE;
}

function isHashList(x: unknown): x is readonly Uint8Array[] {
  return Array.isArray(x) && x.every(isHash);
}

const lsb = (x: number): boolean => x % 2 === 1;
const shr = (x: number): number => Math.floor(x / 2);

function isPowerOfTwo(x: number): boolean {
  if (x < 1) return false;
  let y = x;
  while (y % 2 === 0) y /= 2;
  return y === 1;
}

/**
 * RFC 9162 §2.1.3.2: does `proof` show that `leafHash` is the leaf at `index` of the tree of size
 * `treeSize` whose root is `root`? Resolves to false (never throws or rejects) on malformed input.
 */
export async function verifyInclusion(
  leafHash: Uint8Array,
  index: number,
  treeSize: number,
  proof: readonly Uint8Array[],
  root: Uint8Array,
): Promise<boolean> {
  try {
    if (!isSize(index) || !isSize(treeSize) || index >= treeSize) return false;
    if (!isHash(leafHash) || !isHash(root) || !isHashList(proof)) return false;
    let fn = index;
    let sn = treeSize - 1;
    let r: Uint8Array = leafHash;
    for (const p of proof) {
      if (sn === 0) return false;
      if (lsb(fn) || fn === sn) {
        r = await nodeHash(p, r);
        if (!lsb(fn)) {
          while (!lsb(fn) && fn !== 0) {
            fn = shr(fn);
            sn = shr(sn);
          }
        }
      } else {
        r = await nodeHash(r, p);
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
 * append-only extension of the tree of size `size1` with root `root1`? Resolves to false (never
 * throws or rejects) on malformed input.
 */
export async function verifyConsistency(
  size1: number,
  size2: number,
  proof: readonly Uint8Array[],
  root1: Uint8Array,
  root2: Uint8Array,
): Promise<boolean> {
  try {
    if (!isSize(size1) || !isSize(size2) || size1 > size2 || size1 === 0) return false;
    if (!Array.isArray(proof)) return false;
    // As transparency-dev/merkle (and its test vectors): equal sizes need only byte-identical roots.
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
    let fr: Uint8Array = first;
    let sr: Uint8Array = first;
    // 6.
    for (let i = 1; i < path.length; i++) {
      const c = path[i];
      if (c === undefined || sn === 0) return false;
      if (lsb(fn) || fn === sn) {
        fr = await nodeHash(c, fr);
        sr = await nodeHash(c, sr);
        if (!lsb(fn)) {
          while (!lsb(fn) && fn !== 0) {
            fn = shr(fn);
            sn = shr(sn);
          }
        }
      } else {
        sr = await nodeHash(sr, c);
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
