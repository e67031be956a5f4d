/**
 * The ledger tamper suite: single changes an attacker with database access could make, each applied
 * inside a transaction that is rolled back afterwards, each checked with the full verifier. Shared
 * by the test (a sample) and `npm run bench` (1,000 changes on ≥ 10k entries).
 */
import crypto from 'node:crypto';
import { CreateItemBody } from '@duban/schema';
import { formatCheckpoint, type Tile, TreeBuilder } from '@duban/verifier';
import { sql } from 'kysely';
import type { AppContext } from '../src/context.ts';
import type { Tx } from '../src/db/client.ts';
import { appendEvents, canonicalJson } from '../src/events/append.ts';
import type { DomainEvent } from '../src/events/types.ts';
import { createItem } from '../src/items/create-item.ts';
import { verifierKeys } from '../src/ledger/keys.ts';
import { leafHash, nodeHasher } from '../src/ledger/merkle.ts';
import { checkpointNow, signerFor } from '../src/ledger/service.ts';
import { writeTiles } from '../src/ledger/tiles.ts';
import { verifyLedger } from '../src/ledger/verify-log.ts';

export const TAMPER_KINDS = [
  'edit_payload_byte',
  'delete_row',
  'swap_rows',
  'insert_row',
  'rehash_all',
] as const;
export type TamperKind = (typeof TAMPER_KINDS)[number];

export type TamperResult = {
  kind: TamperKind;
  applied: number;
  detected: number;
  /** rehash_all only: how many a verify WITHOUT the witness would have caught (expected: none). */
  detectedWithoutWitness: number;
};

/** A seeded generator (mulberry32), so a failing case can be replayed. */
export function seeded(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * Fills the ledger with `entries` events (comments on real items, appended through the one writer
 * path) and integrates them in rounds, so there are many checkpoints; returns the witness text.
 */
export async function populateLedger(
  ctx: AppContext,
  opts: { entries: number; unitId: string; actorId: string; rounds?: number },
): Promise<void> {
  const at = ctx.now();
  const items: string[] = [];
  await ctx.db.transaction().execute(async (tx) => {
    for (let i = 0; i < 10; i++) {
      const item = await createItem(
        tx,
        CreateItemBody.parse({
          title: `防篡改测试事项 ${i + 1}`,
          content: '用于账本防篡改测试。',
          source: 'leader_instruction',
          categoryCode: 'livelihood',
          deadline: '2027-12-31',
        }),
        { assigningUnitId: opts.unitId, actorId: opts.actorId, now: at },
      );
      items.push(item.id);
    }
  });
  const have = async () =>
    Number(
      (
        await ctx.db
          .selectFrom('events')
          .select((eb) => eb.fn.countAll<number>().as('n'))
          .executeTakeFirstOrThrow()
      ).n,
    );
  const rounds = opts.rounds ?? 10;
  const perRound = Math.ceil(opts.entries / rounds);
  let n = await have();
  let k = 0;
  while (n < opts.entries) {
    const batch = Math.min(perRound, opts.entries - n);
    await ctx.db.transaction().execute(async (tx) => {
      for (let done = 0; done < batch; done += 1000) {
        const events: DomainEvent[] = [];
        for (let i = done; i < Math.min(batch, done + 1000); i++, k++) {
          events.push({
            type: 'item.comment_added',
            itemId: items[k % items.length] as string,
            remarkId: crypto.randomUUID(),
            body: `第 ${k + 1} 条督办意见：请按期报送进展。`,
          });
        }
        await appendEvents(tx, events, { actorId: opts.actorId, at });
      }
    });
    await checkpointNow(ctx);
    n = await have();
  }
}

class Rollback extends Error {}

/** Runs `change` and then `check` in one transaction that is always rolled back. */
async function inRolledBackTx<T>(
  ctx: AppContext,
  change: (tx: Tx) => Promise<void>,
  check: (tx: Tx) => Promise<T>,
) {
  let result: T | undefined;
  try {
    await ctx.db.transaction().execute(async (tx) => {
      await sql`alter table events disable trigger user`.execute(tx);
      await change(tx);
      result = await check(tx);
      throw new Rollback();
    });
  } catch (err) {
    if (!(err instanceof Rollback)) throw err;
  }
  return result as T;
}

async function size(tx: Tx): Promise<number> {
  const row = await tx
    .selectFrom('events')
    .select((eb) => eb.fn.max('seq').as('m'))
    .executeTakeFirstOrThrow();
  return Number(row.m);
}

/** Flips one character of an entry: in its canonical text, or in its payload column. */
async function editPayloadByte(tx: Tx, rnd: () => number) {
  const seq = 1 + Math.floor(rnd() * (await size(tx)));
  const row = await tx
    .selectFrom('events')
    .select(['canonical', 'payload'])
    .where('seq', '=', seq)
    .executeTakeFirstOrThrow();
  if (rnd() < 0.5) {
    const text = row.canonical;
    const at = text.indexOf('"payload":') + 12 + Math.floor(rnd() * 20);
    const c = text.charCodeAt(at);
    const swapped =
      text.slice(0, at) +
      String.fromCharCode(c === 0x30 ? 0x31 : c === 0x31 ? 0x30 : c ^ 1) +
      text.slice(at + 1);
    await tx.updateTable('events').set({ canonical: swapped }).where('seq', '=', seq).execute();
  } else {
    const payload = {
      ...(row.payload as Record<string, unknown>),
      type: `${(row.payload as { type: string }).type}x`,
    };
    await tx
      .updateTable('events')
      .set({ payload: JSON.stringify(payload) })
      .where('seq', '=', seq)
      .execute();
  }
}

async function deleteRow(tx: Tx, rnd: () => number) {
  const seq = 1 + Math.floor(rnd() * (await size(tx)));
  await tx.deleteFrom('events').where('seq', '=', seq).execute();
}

/** Exchanges the contents of two rows, each keeping its seq. */
async function swapRows(tx: Tx, rnd: () => number) {
  const n = await size(tx);
  const a = 1 + Math.floor(rnd() * n);
  let b = 1 + Math.floor(rnd() * n);
  if (b === a) b = a === n ? 1 : a + 1;
  const cols = ['id', 'type', 'item_id', 'actor_id', 'occurred_at', 'payload', 'canonical'] as const;
  const ra = await tx.selectFrom('events').select(cols).where('seq', '=', a).executeTakeFirstOrThrow();
  const rb = await tx.selectFrom('events').select(cols).where('seq', '=', b).executeTakeFirstOrThrow();
  const values = (r: typeof ra, id: string) => ({ ...r, id, payload: JSON.stringify(r.payload) });
  // ids are unique: park both on fresh ones before exchanging.
  await tx.updateTable('events').set({ id: crypto.randomUUID() }).where('seq', '=', a).execute();
  await tx.updateTable('events').set({ id: crypto.randomUUID() }).where('seq', '=', b).execute();
  await tx.updateTable('events').set(values(rb, rb.id)).where('seq', '=', a).execute();
  await tx.updateTable('events').set(values(ra, ra.id)).where('seq', '=', b).execute();
}

/** Inserts a forged, self-consistent entry in the middle, renumbering everything after it. */
async function insertRow(tx: Tx, rnd: () => number) {
  const n = await size(tx);
  const k = 1 + Math.floor(rnd() * n); // the forged row takes seq k
  await sql`update events set seq = -seq - 1 where seq >= ${k}`.execute(tx);
  await sql`update events set seq = -seq where seq < 0`.execute(tx);
  const model = await tx
    .selectFrom('events')
    .selectAll()
    .where('seq', '=', k + 1)
    .executeTakeFirstOrThrow();
  const payload = { ...(model.payload as Record<string, unknown>) };
  const id = crypto.randomUUID();
  const occurredAt = new Date(model.occurred_at).toISOString();
  await tx
    .insertInto('events')
    .values({
      seq: k,
      id,
      type: model.type,
      item_id: model.item_id,
      actor_id: model.actor_id,
      occurred_at: occurredAt,
      payload: JSON.stringify(payload),
      canonical: canonicalJson({
        seq: k,
        id,
        type: model.type,
        itemId: model.item_id,
        actorId: model.actor_id,
        occurredAt,
        payload,
      }),
    })
    .execute();
}

/**
 * The strongest attacker: holds the signing key too. Rewrites one entry consistently (columns and
 * canonical text agree), rebuilds every tile and the state, replaces all checkpoints with freshly
 * signed ones. Only a checkpoint copied outside the database (a witness) can catch this.
 */
async function rehashAll(ctx: AppContext, tx: Tx, rnd: () => number) {
  const n = await size(tx);
  const seq = 1 + Math.floor(rnd() * n);
  const row = await tx.selectFrom('events').selectAll().where('seq', '=', seq).executeTakeFirstOrThrow();
  const payload = { ...(row.payload as Record<string, unknown>), forged: true };
  const occurredAt = new Date(row.occurred_at).toISOString();
  await tx
    .updateTable('events')
    .set({
      payload: JSON.stringify(payload),
      canonical: canonicalJson({
        seq,
        id: row.id,
        type: row.type,
        itemId: row.item_id,
        actorId: row.actor_id,
        occurredAt,
        payload,
      }),
    })
    .where('seq', '=', seq)
    .execute();
  const rows = await tx.selectFrom('events').select('canonical').orderBy('seq').execute();
  const tiles: Tile[] = [];
  const tree = new TreeBuilder(nodeHasher, (t) => tiles.push({ ...t, hashes: [...t.hashes] }));
  for (const r of rows) tree.push(leafHash(Buffer.from(r.canonical, 'utf8')));
  await tx.deleteFrom('ledger_tiles').execute();
  await writeTiles(tx, [...tiles, ...tree.edgeTiles()]);
  const root = Buffer.from(tree.root());
  await tx.updateTable('ledger_state').set({ size: tree.size, root }).execute();
  await tx.deleteFrom('ledger_checkpoints').execute();
  const signer = signerFor(ctx);
  await tx
    .insertInto('ledger_checkpoints')
    .values({
      size: tree.size,
      root,
      key_name: signer.name,
      key_id: signer.keyId,
      note: signer.sign(formatCheckpoint({ origin: signer.name, size: tree.size, rootHash: root })),
      created_at: ctx.now(),
    })
    .execute();
}

/** Applies `count` random single changes (kinds in turn) and counts how many verification caught. */
export async function runTamperSuite(
  ctx: AppContext,
  opts: { count: number; seed: number; witnessNotes: readonly string[] },
): Promise<TamperResult[]> {
  const rnd = seeded(opts.seed);
  const keys = verifierKeys(ctx.dataDir);
  const results = new Map<TamperKind, TamperResult>(
    TAMPER_KINDS.map((kind) => [kind, { kind, applied: 0, detected: 0, detectedWithoutWitness: 0 }]),
  );
  for (let i = 0; i < opts.count; i++) {
    const kind = TAMPER_KINDS[i % TAMPER_KINDS.length] as TamperKind;
    const result = results.get(kind) as TamperResult;
    const change = (tx: Tx) => {
      switch (kind) {
        case 'edit_payload_byte':
          return editPayloadByte(tx, rnd);
        case 'delete_row':
          return deleteRow(tx, rnd);
        case 'swap_rows':
          return swapRows(tx, rnd);
        case 'insert_row':
          return insertRow(tx, rnd);
        case 'rehash_all':
          return rehashAll(ctx, tx, rnd);
      }
    };
    const outcome = await inRolledBackTx(ctx, change, async (tx) => {
      const withWitness = await verifyLedger(tx, keys, { witnessNotes: opts.witnessNotes });
      const without = kind === 'rehash_all' ? await verifyLedger(tx, keys) : withWitness;
      return { caught: !withWitness.ok, caughtWithout: !without.ok };
    });
    result.applied += 1;
    if (outcome.caught) result.detected += 1;
    if (outcome.caughtWithout) result.detectedWithoutWitness += 1;
  }
  return [...results.values()];
}
