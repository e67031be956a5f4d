import crypto from 'node:crypto';
import { rightEdgeTiles, type Tile, TreeBuilder } from '@duban/verifier';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { leafHash, leavesSource, nodeHasher, rootHash } from '../../src/ledger/merkle.ts';
import { tileKey, tileSource } from '../../src/ledger/tiles.ts';

const leaves = (n: number) => Array.from({ length: n }, (_, i) => leafHash(Buffer.from(`entry ${i}`)));

function build(hashes: readonly Uint8Array[]) {
  const tiles = new Map<string, Uint8Array[]>();
  const keep = (t: Tile) => tiles.set(tileKey(t.level, t.idx), [...t.hashes]);
  const tree = new TreeBuilder(nodeHasher, keep);
  for (const h of hashes) tree.push(h);
  for (const t of tree.edgeTiles()) keep(t);
  return { tree, tiles };
}

describe('TreeBuilder (tiles and roots)', () => {
  it('gives the RFC 6962 root at every size across tile boundaries', () => {
    const all = leaves(70_000);
    const tree = new TreeBuilder(nodeHasher);
    expect(Buffer.from(tree.root())).toEqual(rootHash([]));
    const checkAt = new Set([1, 2, 3, 255, 256, 257, 511, 512, 513, 65_535, 65_536, 65_537, 70_000]);
    all.forEach((h, i) => {
      tree.push(h);
      if (checkAt.has(i + 1)) expect(Buffer.from(tree.root())).toEqual(rootHash(all.slice(0, i + 1)));
    });
  });

  it('stores tiles from which any perfect subtree is read back', () => {
    const all = leaves(66_000);
    const { tiles } = build(all);
    expect(tiles.get(tileKey(2, 0))?.length).toBe(1); // 65,536 leaves make one level-2 hash
    const fromTiles = tileSource(tiles);
    const fromLeaves = leavesSource(all);
    for (const [height, k] of [
      [0, 65_999],
      [3, 17],
      [8, 3],
      [11, 2],
      [16, 0],
      [9, 127],
    ] as const) {
      expect(Buffer.from(fromTiles(height, k))).toEqual(Buffer.from(fromLeaves(height, k)));
    }
  });

  it('resumes from the right-edge tiles exactly as if it had never stopped', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 3000 }), fc.integer({ min: 1, max: 600 }), (first, more) => {
        const all = leaves(first + more);
        const { tiles } = build(all.slice(0, first));
        const emitted: Tile[] = [];
        const resumed = TreeBuilder.resume(
          nodeHasher,
          first,
          (l, i) => tiles.get(tileKey(l, i)),
          (t) => emitted.push({ ...t, hashes: [...t.hashes] }),
        );
        for (const h of all.slice(first)) resumed.push(h);
        expect(Buffer.from(resumed.root())).toEqual(rootHash(all));
        const whole = build(all);
        for (const t of [...emitted, ...resumed.edgeTiles()]) {
          expect(t.hashes.map((h) => Buffer.from(h).toString('hex'))).toEqual(
            whole.tiles.get(tileKey(t.level, t.idx))?.map((h) => Buffer.from(h).toString('hex')),
          );
        }
      }),
      { numRuns: 40 },
    );
  });

  it('refuses to resume when a right-edge tile is missing or short', () => {
    const { tiles } = build(leaves(300));
    expect(() => TreeBuilder.resume(nodeHasher, 300, () => undefined)).toThrow(/missing/);
    const short = (l: number, i: number) => tiles.get(tileKey(l, i))?.slice(0, 10);
    expect(() => TreeBuilder.resume(nodeHasher, 300, short)).toThrow(/shorter/);
    expect(rightEdgeTiles(300)).toEqual([
      { level: 0, idx: 1, width: 44 },
      { level: 1, idx: 0, width: 1 },
    ]);
  });

  it('hashes random data the same way in the tile source and from leaves', () => {
    const all = Array.from({ length: 600 }, () => leafHash(crypto.randomBytes(40)));
    const { tiles } = build(all);
    expect(Buffer.from(tileSource(tiles)(9, 0))).toEqual(Buffer.from(leavesSource(all)(9, 0)));
  });
});
