import {
  parseCheckpoint,
  rightEdgeTiles,
  splitNotes,
  type Tile,
  TreeBuilder,
  type VerifierKey,
  verifyNote,
} from '@duban/verifier';
import type { Queryable } from '../db/client.ts';
import { canonicalJson } from '../events/append.ts';
import { leafHash, nodeHasher } from './merkle.ts';
import { readTiles, tileKey } from './tiles.ts';

export type LedgerProblem = {
  code:
    | 'ENTRY_MISSING'
    | 'ENTRY_MISMATCH'
    | 'TILE_MISMATCH'
    | 'TILE_MISSING'
    | 'TILE_EXTRA'
    | 'STATE_MISMATCH'
    | 'CHECKPOINT_SIGNATURE'
    | 'CHECKPOINT_MISMATCH'
    | 'CHECKPOINT_ORDER'
    | 'WITNESS_SIGNATURE'
    | 'WITNESS_MISMATCH';
  /** The first leaf index concerned, when there is one. */
  index?: number;
  message: string;
  messageEn: string;
};

export type LedgerReport = {
  ok: boolean;
  entries: number;
  integrated: number;
  checkpoints: number;
  witnessed: number;
  firstBadIndex: number | null;
  problems: LedgerProblem[];
  seconds: number;
};

type Expectation = { size: number; root: Uint8Array; source: string; witness: boolean };

const MAX_PROBLEMS = 50;
const PAGE = 10_000;
const same = (a: Uint8Array, b: Uint8Array) => Buffer.compare(a, b) === 0;

/**
 * `duban ledger verify`: re-derives every leaf and every tile hash from the stored entries alone
 * (with the standalone verifier's TreeBuilder), compares them with the stored tiles and state,
 * checks every stored checkpoint's signature and that its root is the re-derived root at its size
 * (hence all checkpoints are mutually consistent), and does the same for witnessed checkpoints —
 * which catches a history rewritten and re-hashed by someone who also holds the signing key.
 */
export async function verifyLedger(
  db: Queryable,
  keys: readonly string[],
  opts: { witnessNotes?: readonly string[]; onProgress?: (done: number, total: number) => void } = {},
): Promise<LedgerReport> {
  const started = Date.now();
  const problems: LedgerProblem[] = [];
  const report = (p: LedgerProblem) => {
    if (problems.length < MAX_PROBLEMS) problems.push(p);
  };

  const state = await db.selectFrom('ledger_state').select(['size', 'root']).executeTakeFirstOrThrow();
  const integrated = Number(state.size);
  const total = Number(
    (
      await db
        .selectFrom('events')
        .select((eb) => eb.fn.countAll<number>().as('n'))
        .executeTakeFirstOrThrow()
    ).n,
  );

  const expectations = new Map<number, Expectation[]>();
  const expect = (e: Expectation) => expectations.set(e.size, [...(expectations.get(e.size) ?? []), e]);
  const checkpoints = await checkStoredCheckpoints(db, keys, report, expect);
  const witnessed = await checkWitnessNotes(opts.witnessNotes ?? [], keys, report, expect);

  // Stream the entries, re-deriving leaves and tiles; compare tiles page by page.
  const rederived: Tile[] = [];
  const tree = new TreeBuilder(nodeHasher, (t) => rederived.push({ ...t, hashes: [...t.hashes] }));
  const checkRoot = () => {
    for (const e of expectations.get(tree.size) ?? []) {
      const root = tree.root();
      if (!same(root, e.root)) {
        report({
          code: e.witness ? 'WITNESS_MISMATCH' : 'CHECKPOINT_MISMATCH',
          message: `${e.source} 的根哈希与由条目重算的树（大小 ${e.size}）不一致：历史被改写`,
          messageEn: `${e.source}: its root differs from the tree re-derived from the entries at size ${e.size}: history was rewritten`,
        });
      }
    }
  };
  checkRoot();
  let next = 1;
  const page = (from: number) =>
    db
      .selectFrom('events')
      .select(['seq', 'id', 'type', 'item_id', 'actor_id', 'occurred_at', 'payload', 'canonical'])
      .where('seq', '>=', from)
      .orderBy('seq')
      .limit(PAGE)
      .execute();
  // Fetch the next page while this one is hashed: the database and the CPU work side by side.
  let pending = page(next);
  for (;;) {
    const rows = await pending;
    const last = rows.at(-1);
    if (last) pending = page(Number(last.seq) + 1);
    if (rows.length === 0) break;
    for (const row of rows) {
      const seq = Number(row.seq);
      if (seq !== next) {
        report({
          code: 'ENTRY_MISSING',
          index: next - 1,
          message: `条目 ${next - 1} 缺失（下一条是 ${seq - 1}）`,
          messageEn: `entry ${next - 1} is missing (the next one is ${seq - 1})`,
        });
        next = seq;
      }
      const rebuilt = canonicalJson({
        seq,
        id: row.id,
        type: row.type,
        itemId: row.item_id,
        actorId: row.actor_id,
        occurredAt: new Date(row.occurred_at).toISOString(),
        payload: row.payload,
      });
      if (rebuilt !== row.canonical) {
        report({
          code: 'ENTRY_MISMATCH',
          index: seq - 1,
          message: `条目 ${seq - 1} 的各列与其规范文本不一致`,
          messageEn: `entry ${seq - 1}: its columns disagree with its canonical text`,
        });
      }
      if (seq <= integrated) {
        tree.push(leafHash(Buffer.from(row.canonical, 'utf8')));
        checkRoot();
      }
      next = seq + 1;
    }
    await compareTiles(db, rederived.splice(0), report);
    opts.onProgress?.(next - 1, total);
  }
  if (tree.size < integrated) {
    report({
      code: 'ENTRY_MISSING',
      index: tree.size,
      message: `已纳入账本的条目只剩 ${tree.size} 条，应有 ${integrated} 条`,
      messageEn: `only ${tree.size} of ${integrated} integrated entries remain`,
    });
  } else {
    await compareTiles(db, tree.edgeTiles(), report);
    await checkTileCount(db, integrated, report);
    if (!same(tree.root(), state.root)) {
      report({
        code: 'STATE_MISMATCH',
        message: '账本状态的根哈希与重算结果不一致',
        messageEn: 'ledger_state.root differs from the re-derived root',
      });
    }
  }
  for (const [size, list] of expectations) {
    if (size > tree.size) {
      for (const e of list) {
        report({
          code: e.witness ? 'WITNESS_MISMATCH' : 'CHECKPOINT_MISMATCH',
          index: tree.size,
          message: `${e.source} 覆盖 ${size} 条，而账本现存 ${tree.size} 条：历史被截断`,
          messageEn: `${e.source} covers ${size} entries but the log holds ${tree.size}: history was truncated`,
        });
      }
    }
  }
  const indices = problems.map((p) => p.index).filter((i): i is number => i !== undefined);
  return {
    ok: problems.length === 0,
    entries: next - 1,
    integrated,
    checkpoints,
    witnessed,
    firstBadIndex: indices.length > 0 ? Math.min(...indices) : null,
    problems,
    seconds: (Date.now() - started) / 1000,
  };
}

async function compareTiles(db: Queryable, tiles: Tile[], report: (p: LedgerProblem) => void) {
  if (tiles.length === 0) return;
  const stored = await readTiles(db, tiles);
  for (const t of tiles) {
    const have = stored.get(tileKey(t.level, t.idx));
    if (have === undefined) {
      report({
        code: 'TILE_MISSING',
        index: t.idx * 256 ** (t.level + 1),
        message: `哈希瓦片 ${t.level}/${t.idx} 缺失`,
        messageEn: `tile ${t.level}/${t.idx} is missing`,
      });
      continue;
    }
    const first = t.hashes.findIndex((h, i) => have[i] === undefined || !same(h, have[i] as Uint8Array));
    if (first >= 0 || have.length !== t.hashes.length) {
      const at = first >= 0 ? first : Math.min(have.length, t.hashes.length);
      const index = (t.idx * 256 + at) * 256 ** t.level;
      report({
        code: 'TILE_MISMATCH',
        index,
        message: `哈希瓦片 ${t.level}/${t.idx} 第 ${at} 项与重算结果不一致（自条目 ${index} 起被改动）`,
        messageEn: `tile ${t.level}/${t.idx} hash ${at} differs from the re-derived one (entries from ${index} changed)`,
      });
    }
  }
}

async function checkTileCount(db: Queryable, size: number, report: (p: LedgerProblem) => void) {
  // Tiles a tree of this size has: every complete tile below each right edge, plus partial edges.
  const expected = rightEdgeTiles(size).reduce((n, t) => n + t.idx + (t.width > 0 ? 1 : 0), 0);
  const row = await db
    .selectFrom('ledger_tiles')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .executeTakeFirstOrThrow();
  if (Number(row.n) !== expected) {
    report({
      code: 'TILE_EXTRA',
      message: `存有 ${row.n} 块哈希瓦片，大小 ${size} 的树应有 ${expected} 块`,
      messageEn: `${row.n} tiles stored where a tree of size ${size} has ${expected}`,
    });
  }
}

async function checkStoredCheckpoints(
  db: Queryable,
  keys: readonly string[],
  report: (p: LedgerProblem) => void,
  expect: (e: Expectation) => void,
): Promise<number> {
  const rows = await db
    .selectFrom('ledger_checkpoints')
    .select(['id', 'size', 'root', 'note'])
    .orderBy('id')
    .execute();
  let lastSize = 0;
  let origin: string | undefined;
  for (const row of rows) {
    const source = `检查点 #${row.id}`;
    const checked = await checkNote(row.note, keys);
    if (!checked.ok) {
      report({
        code: 'CHECKPOINT_SIGNATURE',
        message: `${source} 签名无效：${checked.message}`,
        messageEn: `checkpoint #${row.id}: ${checked.message}`,
      });
      continue;
    }
    const cp = checked.checkpoint;
    origin ??= cp.origin;
    if (cp.size !== Number(row.size) || !same(cp.rootHash, row.root) || cp.origin !== origin) {
      report({
        code: 'CHECKPOINT_MISMATCH',
        message: `${source} 的签名文本与其记录的大小、根哈希或来源不一致`,
        messageEn: `checkpoint #${row.id}: the signed text disagrees with its size, root or origin columns`,
      });
    }
    if (cp.size < lastSize) {
      report({
        code: 'CHECKPOINT_ORDER',
        message: `${source} 的大小 ${cp.size} 小于之前的检查点 ${lastSize}`,
        messageEn: `checkpoint #${row.id} has size ${cp.size}, smaller than an earlier ${lastSize}`,
      });
    }
    lastSize = Math.max(lastSize, cp.size);
    expect({ size: cp.size, root: cp.rootHash, source, witness: false });
  }
  return rows.length;
}

async function checkWitnessNotes(
  files: readonly string[],
  keys: readonly string[],
  report: (p: LedgerProblem) => void,
  expect: (e: Expectation) => void,
): Promise<number> {
  let count = 0;
  for (const text of files) {
    for (const note of splitNotes(text)) {
      count += 1;
      const source = `见证检查点 ${count}`;
      const checked = await checkNote(note, keys);
      if (!checked.ok) {
        report({
          code: 'WITNESS_SIGNATURE',
          message: `${source} 无法验证：${checked.message}`,
          messageEn: `witnessed checkpoint ${count}: ${checked.message}`,
        });
        continue;
      }
      expect({ size: checked.checkpoint.size, root: checked.checkpoint.rootHash, source, witness: true });
    }
  }
  return count;
}

async function checkNote(note: string, keys: readonly (string | VerifierKey)[]) {
  const verified = await verifyNote(note, keys);
  if (!verified.ok) return { ok: false as const, message: verified.message };
  const checkpoint = parseCheckpoint(verified.text);
  if (checkpoint === null) return { ok: false as const, message: 'not a tlog checkpoint' };
  return { ok: true as const, checkpoint };
}
