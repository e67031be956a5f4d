import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  leafHash as asyncLeafHash,
  nodeHash as asyncNodeHash,
  HASH_SIZE,
  verifyConsistency,
  verifyInclusion,
} from '@duban/verifier';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
// Generation is the server's (sync, node:crypto); verification is the standalone verifier's (async,
// WebCrypto), so every test below also checks that the two agree.
import {
  consistencyProof,
  emptyRoot,
  inclusionProof,
  leafHash,
  nodeHash,
  rootHash,
} from '../../src/ledger/merkle.ts';

const VECTORS = fileURLToPath(new URL('../fixtures/rfc6962-vectors', import.meta.url));

function walk(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true })
    .flatMap((e) => (e.isDirectory() ? walk(join(dir, e.name)) : [join(dir, e.name)]))
    .filter((f) => f.endsWith('.json'))
    .sort();
}

const b64 = (s: string): Buffer => Buffer.from(s, 'base64');
const b64List = (l: string[] | null): Buffer[] => (l ?? []).map(b64);
const hex = (s: string): Buffer => Buffer.from(s, 'hex');

interface InclusionVector {
  leafIdx: number;
  treeSize: number;
  root: string;
  leafHash: string;
  proof: string[] | null;
  wantErr: boolean;
}
interface ConsistencyVector {
  size1: number;
  size2: number;
  root1: string;
  root2: string;
  proof: string[] | null;
  wantErr: boolean;
}

// The 8-leaf reference set of the README (and of RFC 6962 test suites).
const REF_LEAVES = [
  '',
  '00',
  '10',
  '2021',
  '3031',
  '40414243',
  '5051525354555657',
  '606162636465666768696a6b6c6d6e6f',
].map((h) => leafHash(hex(h)));
const REF_ROOTS = [
  'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855',
  '6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d',
  'fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125',
  'aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77',
  'd37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7',
  '4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4',
  '76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef',
  'ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c',
  '5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328',
];

describe('RFC 6962 test vectors (transparency-dev/merkle testdata)', () => {
  const inclusionFiles = walk(join(VECTORS, 'inclusion'));
  const consistencyFiles = walk(join(VECTORS, 'consistency'));

  it('finds the vector files', () => {
    expect(inclusionFiles.length).toBeGreaterThan(50);
    expect(consistencyFiles.length).toBeGreaterThan(50);
  });

  it.each(inclusionFiles.map((f) => [relative(VECTORS, f), f]))('%s', async (_name, file) => {
    const v = JSON.parse(readFileSync(file, 'utf8')) as InclusionVector;
    const proof = b64List(v.proof);
    const ok = await verifyInclusion(b64(v.leafHash), v.leafIdx, v.treeSize, proof, b64(v.root));
    expect(ok).toBe(!v.wantErr);
    // Happy paths over the reference tree: our generator must produce exactly the same proof.
    if (
      !v.wantErr &&
      v.treeSize <= REF_LEAVES.length &&
      b64(v.leafHash).equals(REF_LEAVES[v.leafIdx] ?? Buffer.alloc(0))
    ) {
      expect(inclusionProof(REF_LEAVES, v.leafIdx, v.treeSize)).toEqual(proof);
      expect(rootHash(REF_LEAVES.slice(0, v.treeSize))).toEqual(b64(v.root));
    }
  });

  it.each(consistencyFiles.map((f) => [relative(VECTORS, f), f]))('%s', async (_name, file) => {
    const v = JSON.parse(readFileSync(file, 'utf8')) as ConsistencyVector;
    const proof = b64List(v.proof);
    const ok = await verifyConsistency(v.size1, v.size2, proof, b64(v.root1), b64(v.root2));
    expect(ok).toBe(!v.wantErr);
    if (
      !v.wantErr &&
      v.size2 <= REF_LEAVES.length &&
      rootHash(REF_LEAVES.slice(0, v.size2)).equals(b64(v.root2))
    ) {
      expect(consistencyProof(REF_LEAVES, v.size1, v.size2)).toEqual(proof);
    }
  });
});

describe('the verifier package hashes like the server', () => {
  it('leafHash and nodeHash agree (WebCrypto vs node:crypto)', async () => {
    for (const h of ['', '00', '2021', '606162636465666768696a6b6c6d6e6f']) {
      expect(Buffer.from(await asyncLeafHash(hex(h)))).toEqual(leafHash(hex(h)));
    }
    const [a = Buffer.alloc(0), b = Buffer.alloc(0)] = REF_LEAVES;
    expect(Buffer.from(await asyncNodeHash(a, b))).toEqual(nodeHash(a, b));
    expect(Buffer.from(await asyncNodeHash(b, a))).not.toEqual(nodeHash(a, b));
  });
});

describe('rootHash', () => {
  it.each(REF_ROOTS.map((r, n) => [n, r] as const))('reference root for the first %i leaves', (n, want) => {
    expect(rootHash(REF_LEAVES.slice(0, n)).toString('hex')).toBe(want);
  });

  it('empty tree is SHA-256("") and hashes are domain-separated', () => {
    expect(emptyRoot().toString('hex')).toBe(REF_ROOTS[0]);
    expect(leafHash(new Uint8Array()).toString('hex')).toBe(REF_ROOTS[1]);
    const a = leafHash(hex('aa'));
    const b = leafHash(hex('bb'));
    expect(rootHash([a, b])).toEqual(nodeHash(a, b));
    expect(leafHash(Buffer.concat([a, b]))).not.toEqual(nodeHash(a, b));
    // No odd-node duplication: 3 leaves = H(H(a,b), c), not H(H(a,b), H(c,c)).
    const c = leafHash(hex('cc'));
    expect(rootHash([a, b, c])).toEqual(nodeHash(nodeHash(a, b), c));
  });
});

// ----- helpers for the property tests (independent of the implementation under test) -----

const bitLen = (x: number): number => (x === 0 ? 0 : 32 - Math.clz32(x));
const popCount = (x: number): number => {
  let c = 0;
  for (let y = x; y > 0; y >>>= 1) c += y & 1;
  return c;
};
const trailingZeros = (x: number): number => {
  let c = 0;
  for (let y = x; y > 0 && (y & 1) === 0; y >>>= 1) c++;
  return c;
};
const ceilLog2 = (n: number): number => bitLen(n - 1);
const isPow2 = (x: number): boolean => x > 0 && (x & (x - 1)) === 0;

/** Expected inclusion proof length (transparency-dev/merkle decompInclProof). */
function inclusionLen(index: number, size: number): number {
  const inner = bitLen(index ^ (size - 1));
  return inner + popCount(index >>> inner);
}
/** Expected consistency proof length for 0 < m < n. */
function consistencyLen(m: number, n: number): number {
  const inner = bitLen((m - 1) ^ (n - 1));
  const border = popCount((m - 1) >>> inner);
  return (isPow2(m) ? 0 : 1) + inner - trailingZeros(m) + border;
}

function flipBit(b: Uint8Array, bit: number): Buffer {
  const out = Buffer.from(b);
  const i = Math.floor(bit / 8) % out.length;
  out[i] = (out[i] ?? 0) ^ (1 << (bit % 8));
  return out;
}

/** 1..70 distinct leaves (distinct, so that a proof for one index cannot legitimately serve another). */
const leavesArb = fc
  .uniqueArray(fc.uint8Array({ maxLength: 12 }), {
    minLength: 1,
    maxLength: 70,
    selector: (u) => Buffer.from(u).toString('hex'),
  })
  .map((entries) => entries.map(leafHash));

const inclusionCase = leavesArb.chain((leaves) =>
  fc.integer({ min: 1, max: leaves.length }).chain((size) =>
    fc.record({
      leaves: fc.constant(leaves),
      size: fc.constant(size),
      index: fc.integer({ min: 0, max: size - 1 }),
      bit: fc.nat(HASH_SIZE * 8 - 1),
      pick: fc.nat(),
      other: fc.integer({ min: 1, max: 80 }),
    }),
  ),
);

const consistencyCase = leavesArb.chain((leaves) =>
  fc.integer({ min: 1, max: leaves.length }).chain((n) =>
    fc.record({
      leaves: fc.constant(leaves),
      n: fc.constant(n),
      m: fc.integer({ min: 1, max: n }),
      bit: fc.nat(HASH_SIZE * 8 - 1),
      pick: fc.nat(),
      other: fc.integer({ min: 1, max: 80 }),
    }),
  ),
);

const RUNS = { numRuns: 300 };

describe('inclusion proofs (properties)', () => {
  it('generated proofs verify and have the RFC length', async () => {
    await fc.assert(
      fc.asyncProperty(inclusionCase, async ({ leaves, size, index }) => {
        const proof = inclusionProof(leaves, index, size);
        const root = rootHash(leaves.slice(0, size));
        const leaf = leaves[index] ?? Buffer.alloc(0);
        expect(proof.length).toBe(inclusionLen(index, size));
        expect(proof.length).toBeLessThanOrEqual(ceilLog2(size));
        expect(await verifyInclusion(leaf, index, size, proof, root)).toBe(true);
      }),
      RUNS,
    );
  });

  it('flipping any bit of any proof element, of the leaf or of the root fails', async () => {
    await fc.assert(
      fc.asyncProperty(inclusionCase, async ({ leaves, size, index, bit, pick }) => {
        const proof = inclusionProof(leaves, index, size);
        const root = rootHash(leaves.slice(0, size));
        const leaf = leaves[index] ?? Buffer.alloc(0);
        expect(await verifyInclusion(leaf, index, size, proof, flipBit(root, bit))).toBe(false);
        expect(await verifyInclusion(flipBit(leaf, bit), index, size, proof, root)).toBe(false);
        for (let i = 0; i < proof.length; i++) {
          const bad = proof.map((p, j) => (j === i ? flipBit(p, bit + pick) : p));
          expect(await verifyInclusion(leaf, index, size, bad, root)).toBe(false);
        }
      }),
      RUNS,
    );
  });

  it('changing the index fails', async () => {
    await fc.assert(
      fc.asyncProperty(inclusionCase, async ({ leaves, size, index, other }) => {
        const proof = inclusionProof(leaves, index, size);
        const root = rootHash(leaves.slice(0, size));
        const leaf = leaves[index] ?? Buffer.alloc(0);
        const index2 = (index + other) % (size + 3); // may also land at or beyond size
        fc.pre(index2 !== index);
        expect(await verifyInclusion(leaf, index2, size, proof, root)).toBe(false);
      }),
      RUNS,
    );
  });

  it('changing the size fails (unless the proof for the new size is literally the same)', async () => {
    // RFC 9162 proofs do not commit to the tree size by themselves (the signed tree head does): for a
    // leaf on the left edge, the proof for size 3 is also the proof for size 4 *of the size-3 root*.
    // So: against the true root of the other size, the old proof verifies iff it equals the new proof;
    // and whenever the RFC proof length differs, verification fails even against the original root.
    await fc.assert(
      fc.asyncProperty(inclusionCase, async ({ leaves, size, index, other }) => {
        const proof = inclusionProof(leaves, index, size);
        const root = rootHash(leaves.slice(0, size));
        const leaf = leaves[index] ?? Buffer.alloc(0);
        const size2 = (size + other) % (leaves.length + 2);
        fc.pre(size2 !== size);
        if (index < size2 && inclusionLen(index, size2) !== proof.length) {
          expect(await verifyInclusion(leaf, index, size2, proof, root)).toBe(false);
        }
        if (index >= size2) expect(await verifyInclusion(leaf, index, size2, proof, root)).toBe(false);
        if (index < size2 && size2 <= leaves.length) {
          const want = inclusionProof(leaves, index, size2);
          const same = want.length === proof.length && want.every((p, i) => proof[i]?.equals(p));
          const root2 = rootHash(leaves.slice(0, size2));
          expect(await verifyInclusion(leaf, index, size2, proof, root2)).toBe(same);
        }
      }),
      RUNS,
    );
  });

  it('truncated, extended or malformed proofs fail and nothing throws', async () => {
    await fc.assert(
      fc.asyncProperty(inclusionCase, async ({ leaves, size, index }) => {
        const proof = inclusionProof(leaves, index, size);
        const root = rootHash(leaves.slice(0, size));
        const leaf = leaves[index] ?? Buffer.alloc(0);
        expect(await verifyInclusion(leaf, index, size, [...proof, root], root)).toBe(false);
        expect(await verifyInclusion(leaf, index, size, [root, ...proof], root)).toBe(false);
        if (proof.length > 0) {
          expect(await verifyInclusion(leaf, index, size, proof.slice(1), root)).toBe(false);
          expect(await verifyInclusion(leaf, index, size, proof.slice(0, -1), root)).toBe(false);
          const short = proof.map((p, i) => (i === 0 ? p.subarray(1) : p));
          expect(await verifyInclusion(leaf, index, size, short, root)).toBe(false);
        }
        expect(await verifyInclusion(leaf.subarray(1), index, size, proof, root)).toBe(false);
        expect(await verifyInclusion(leaf, index, size, proof, Buffer.concat([root, Buffer.of(0)]))).toBe(
          false,
        );
        expect(await verifyInclusion(leaf, -1, size, proof, root)).toBe(false);
        expect(await verifyInclusion(leaf, index + 0.5, size, proof, root)).toBe(false);
        expect(await verifyInclusion(leaf, index, Number.NaN, proof, root)).toBe(false);
      }),
      RUNS,
    );
  });
});

describe('consistency proofs (properties)', () => {
  it('generated proofs verify and have the RFC length', async () => {
    await fc.assert(
      fc.asyncProperty(consistencyCase, async ({ leaves, m, n }) => {
        const proof = consistencyProof(leaves, m, n);
        const root1 = rootHash(leaves.slice(0, m));
        const root2 = rootHash(leaves.slice(0, n));
        if (m === n) expect(proof).toEqual([]);
        else {
          expect(proof.length).toBe(consistencyLen(m, n));
          // RFC 9162 §2.1.4.1: at most ceil(log2 n) + 1 nodes (e.g. m=3, n=4 needs 3 = log2(4) + 1).
          expect(proof.length).toBeLessThanOrEqual(ceilLog2(n) + 1);
        }
        expect(await verifyConsistency(m, n, proof, root1, root2)).toBe(true);
      }),
      RUNS,
    );
  });

  it('flipping any bit of any proof element or of either root fails', async () => {
    await fc.assert(
      fc.asyncProperty(consistencyCase, async ({ leaves, m, n, bit, pick }) => {
        const proof = consistencyProof(leaves, m, n);
        const root1 = rootHash(leaves.slice(0, m));
        const root2 = rootHash(leaves.slice(0, n));
        expect(await verifyConsistency(m, n, proof, flipBit(root1, bit), root2)).toBe(false);
        expect(await verifyConsistency(m, n, proof, root1, flipBit(root2, bit))).toBe(false);
        for (let i = 0; i < proof.length; i++) {
          const bad = proof.map((p, j) => (j === i ? flipBit(p, bit + pick) : p));
          expect(await verifyConsistency(m, n, bad, root1, root2)).toBe(false);
        }
      }),
      RUNS,
    );
  });

  it('changing a size fails (unless the proof for the new sizes is literally the same)', async () => {
    await fc.assert(
      fc.asyncProperty(consistencyCase, async ({ leaves, m, n, other, pick }) => {
        const proof = consistencyProof(leaves, m, n);
        const root1 = rootHash(leaves.slice(0, m));
        const root2 = rootHash(leaves.slice(0, n));
        const delta = (other % (leaves.length + 2)) + 1;
        const [m2, n2] = pick % 2 === 0 ? [m, (n + delta) % (leaves.length + 2)] : [(m + delta) % (n + 2), n];
        fc.pre(m2 !== m || n2 !== n);
        if (m2 === 0 || m2 > n2) {
          expect(await verifyConsistency(m2, n2, proof, root1, root2)).toBe(false);
          return;
        }
        if (m2 < n2 && (proof.length === 0 || consistencyLen(m2, n2) !== proof.length)) {
          expect(await verifyConsistency(m2, n2, proof, root1, root2)).toBe(false);
        }
        if (n2 <= leaves.length) {
          // Against the true roots of the other sizes, the old proof verifies iff it is the right proof.
          const want = consistencyProof(leaves, m2, n2);
          const same = want.length === proof.length && want.every((p, i) => proof[i]?.equals(p));
          const r1 = rootHash(leaves.slice(0, m2));
          const r2 = rootHash(leaves.slice(0, n2));
          expect(await verifyConsistency(m2, n2, proof, r1, r2)).toBe(same);
        }
      }),
      RUNS,
    );
  });

  it('truncated, extended or malformed proofs fail and nothing throws', async () => {
    await fc.assert(
      fc.asyncProperty(consistencyCase, async ({ leaves, m, n }) => {
        const proof = consistencyProof(leaves, m, n);
        const root1 = rootHash(leaves.slice(0, m));
        const root2 = rootHash(leaves.slice(0, n));
        expect(await verifyConsistency(m, n, [...proof, root2], root1, root2)).toBe(false);
        expect(await verifyConsistency(m, n, [root1, ...proof], root1, root2)).toBe(false);
        if (proof.length > 0) {
          expect(await verifyConsistency(m, n, proof.slice(1), root1, root2)).toBe(false);
          expect(await verifyConsistency(m, n, proof.slice(0, -1), root1, root2)).toBe(false);
          const short = proof.map((p, i) => (i === 0 ? p.subarray(1) : p));
          expect(await verifyConsistency(m, n, short, root1, root2)).toBe(false);
        }
        expect(await verifyConsistency(n, m, proof, root2, root1)).toBe(m === n);
        expect(await verifyConsistency(0, n, [], emptyRoot(), root2)).toBe(false);
        expect(await verifyConsistency(m, n, proof, root1.subarray(1), root2)).toBe(false);
        expect(await verifyConsistency(-1, n, proof, root1, root2)).toBe(false);
        expect(await verifyConsistency(m, n + 0.5, proof, root1, root2)).toBe(false);
      }),
      RUNS,
    );
  });
});

describe('argument validation', () => {
  const leaves = REF_LEAVES;
  it('generators throw RangeError on invalid ranges', () => {
    expect(() => inclusionProof(leaves, 0, 0)).toThrow(RangeError);
    expect(() => inclusionProof(leaves, 3, 3)).toThrow(RangeError);
    expect(() => inclusionProof(leaves, 0, 9)).toThrow(RangeError);
    expect(() => consistencyProof(leaves, 0, 3)).toThrow(RangeError);
    expect(() => consistencyProof(leaves, 4, 3)).toThrow(RangeError);
    expect(() => consistencyProof(leaves, 1, 9)).toThrow(RangeError);
  });

  it('verifiers return false on garbage instead of throwing', async () => {
    const junk = [null, undefined, 'x', 42, {}, [1, 2], Buffer.alloc(31)] as unknown as Uint8Array[];
    for (const j of junk) {
      expect(await verifyInclusion(j, 0, 1, [], REF_LEAVES[0] ?? j)).toBe(false);
      expect(await verifyInclusion(REF_LEAVES[0] ?? j, 0, 1, [], j)).toBe(false);
      expect(await verifyInclusion(REF_LEAVES[0] ?? j, 0, 2, [j], REF_LEAVES[0] ?? j)).toBe(false);
      expect(await verifyConsistency(2, 3, [j], REF_LEAVES[0] ?? j, REF_LEAVES[1] ?? j)).toBe(false);
      expect(await verifyConsistency(3, 5, [j, j], j, j)).toBe(false);
    }
    expect(
      await verifyInclusion(
        REF_LEAVES[0] ?? Buffer.alloc(0),
        0,
        1,
        null as unknown as Uint8Array[],
        emptyRoot(),
      ),
    ).toBe(false);
    expect(await verifyConsistency(1, 2, null as unknown as Uint8Array[], emptyRoot(), emptyRoot())).toBe(
      false,
    );
    expect(await verifyConsistency(2 ** 60, 2 ** 61, [], emptyRoot(), emptyRoot())).toBe(false);
  });
});
