/**
 * Ledger figures for `npm run bench`: the ledger's overhead on real item actions, proof latency,
 * integration and full-verify time per million entries, and the tamper suite's detection rate.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ACTION_BODIES, CreateItemBody } from '@duban/schema';
import { sql } from 'kysely';
import type { AppContext } from '../src/context.ts';
import type { DbHandle } from '../src/db/client.ts';
import { migrate } from '../src/db/migrate.ts';
import { createItem } from '../src/items/create-item.ts';
import { performAction } from '../src/items/perform-action.ts';
import { verifierKeys } from '../src/ledger/keys.ts';
import { consistencyProofFrom, inclusionProofFrom } from '../src/ledger/merkle.ts';
import { checkpointNow, startLedgerLoop, WITNESS_FILE } from '../src/ledger/service.ts';
import { withTiles } from '../src/ledger/tiles.ts';
import { verifyLedger } from '../src/ledger/verify-log.ts';
import { addDays, shanghaiDate } from '../src/shared/time.ts';
import { fmt, ms, now, phase, pool, summarize, table } from './lib.ts';
import { populateLedger, runTamperSuite } from './tamper.ts';
import { buildWorld, type World } from './world.ts';

export type LedgerParams = {
  commands: number;
  writers: number;
  entries: number;
  tamper: number;
  proofs: number;
};

export function ledgerContext(handle: DbHandle, dataDir: string): AppContext {
  return {
    handle,
    db: handle.db,
    dataDir,
    secureCookies: false,
    maxUploadBytes: 1 << 20,
    metricsToken: undefined,
    now: () => new Date(),
    ledger: {
      origin: 'duban.bench/ledger',
      witnessDir: path.join(dataDir, 'witness'),
      witnessUrl: undefined,
    },
  };
}

/** Create + dispatch commands per second with `writers` concurrent writers. */
async function actionsPerSecond(ctx: AppContext, world: World, n: number, writers: number, offset: number) {
  const actor = world.actors.provSup;
  const deadline = addDays(shanghaiDate(new Date()), 90);
  const depts = world.provDepts;
  const seq0 = await lastSeq(ctx);
  const r = await phase(() =>
    pool(n, writers, async (i) => {
      const k = offset + i;
      const { id } = await ctx.db.transaction().execute((tx) =>
        createItem(
          tx,
          CreateItemBody.parse({
            title: `账本开销基准事项 ${k}`,
            content: '按期推进，按月报送进展。',
            source: 'leader_instruction',
            categoryCode: 'livelihood',
            deadline,
          }),
          { assigningUnitId: world.provOffice.id, actorId: actor.userId, now: new Date() },
        ),
      );
      await ctx.db.transaction().execute((tx) =>
        performAction(tx, actor, {
          itemId: id,
          action: 'dispatch',
          body: ACTION_BODIES.dispatch.parse({
            assignments: [{ unitId: depts[k % depts.length]?.id, role: 'lead', deadline }],
          }),
          now: new Date(),
        }),
      );
    }),
  );
  const events = (await lastSeq(ctx)) - seq0;
  return { commands: 2 * n, events, seconds: r.ms / 1000 };
}

async function lastSeq(ctx: AppContext): Promise<number> {
  const r = await ctx.db.selectFrom('event_counter').select('last_seq').executeTakeFirstOrThrow();
  return Number(r.last_seq);
}

/**
 * Appends `count` comment events in set-based SQL whose canonical text is exactly what
 * appendEvents would store (RFC 8785: sorted keys, no spaces) — fast filler for the 1M run.
 */
export async function fillEvents(ctx: AppContext, world: World, count: number) {
  const item = await ctx.db.selectFrom('items').select('id').limit(1).executeTakeFirstOrThrow();
  const actorId = world.actors.provSup.userId;
  const chunk = 100_000;
  for (let done = 0; done < count; done += chunk) {
    const n = Math.min(chunk, count - done);
    await ctx.db.transaction().execute(async (tx) => {
      const c = await sql<{ last_seq: number }>`
        update event_counter set last_seq = last_seq + ${n} where id returning last_seq`.execute(tx);
      const first = Number(c.rows[0]?.last_seq) - n + 1;
      await sql`
        insert into events (seq, id, type, item_id, actor_id, occurred_at, payload, canonical)
        select s, e.id, 'item.comment_added', ${item.id}::uuid, ${actorId}::uuid, e.at, e.payload::jsonb,
          '{"actorId":"' || ${actorId} || '","id":"' || e.id || '","itemId":"' || ${item.id} ||
          '","occurredAt":"' || to_char(e.at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') ||
          '","payload":' || e.payload || ',"seq":' || s || ',"type":"item.comment_added"}'
        from generate_series(${first}::bigint, ${first + n - 1}::bigint) s,
        lateral (select gen_random_uuid() as id, date_trunc('milliseconds', now()) as at,
          '{"body":"第' || s || '条督办意见","itemId":"' || ${item.id} || '","remarkId":"' || gen_random_uuid() ||
          '","type":"item.comment_added"}' as payload) e`.execute(tx);
    });
  }
}

export async function benchLedger(
  kind: string,
  handle: DbHandle,
  world: World,
  P: LedgerParams,
  out: (line: string) => void,
  freshDatabase: () => Promise<{ handle: DbHandle; close: () => Promise<void> }>,
) {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'duban-bench-ledger-'));
  try {
    const ctx = ledgerContext(handle, dataDir);
    await checkpointNow(ctx);

    // 1. overhead through real item actions: alternate runs without and with the ledger loop.
    if (P.commands > 0) {
      const rows: (string | number)[][] = [];
      const rate = { without: [] as number[], with: [] as number[] };
      for (let round = 0; round < 2; round++) {
        for (const mode of ['without', 'with'] as const) {
          const stop = mode === 'with' ? startLedgerLoop(ctx) : undefined;
          const r = await actionsPerSecond(
            ctx,
            world,
            P.commands / 2,
            P.writers,
            (round * 2 + (mode === 'with' ? 1 : 0)) * P.commands,
          );
          await stop?.();
          if (mode === 'without') await checkpointNow(ctx); // fold the backlog in outside the timing
          rate[mode].push(r.events / r.seconds);
          rows.push([
            round + 1,
            `${mode} ledger`,
            P.writers,
            r.commands,
            r.events,
            fmt(r.seconds, 2),
            fmt(r.commands / r.seconds, 0),
            fmt(r.events / r.seconds, 0),
          ]);
        }
      }
      out(
        `\n[${kind}] Ledger overhead: create + dispatch through the command path, ledger loop (1 s checkpoints) off / on`,
      );
      out(table(['round', 'mode', 'writers', 'commands', 'events', 's', 'commands/s', 'appends/s'], rows));
      const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
      const overhead = (1 - mean(rate.with) / mean(rate.without)) * 100;
      out(
        `  appends/s without ${fmt(mean(rate.without), 0)}, with ${fmt(mean(rate.with), 0)} → overhead ${fmt(overhead, 1)} %`,
      );
    }

    // 2. a million entries: fill, integrate, prove, verify.
    if (P.entries > 0) {
      const before = await lastSeq(ctx);
      const fill = await phase(() => fillEvents(ctx, world, Math.max(0, P.entries - before)));
      const size = await lastSeq(ctx);
      out(`\n[${kind}] Ledger at ${size} entries (filler: ${fmt(fill.ms / 1000, 1)} s)`);
      const integrate = await phase(() => checkpointNow(ctx));
      out(
        `  integrate ${size - before} entries into tiles + checkpoints: ${fmt(integrate.ms / 1000, 1)} s (${fmt((size - before) / (integrate.ms / 1000), 0)} entries/s), RSS peak ${integrate.rssMb} MiB`,
      );

      const inclusion: number[] = [];
      const consistency: number[] = [];
      for (let i = 0; i < P.proofs; i++) {
        const index = Math.floor(Math.random() * size);
        let t = now();
        await withTiles(ctx.db, (node) => inclusionProofFrom(node, index, size));
        inclusion.push(ms(t));
        t = now();
        await withTiles(ctx.db, (node) => consistencyProofFrom(node, 1 + index, size));
        consistency.push(ms(t));
      }
      const si = summarize(inclusion);
      const sc = summarize(consistency);
      out(
        table(
          ['proof', 'n', 'p50 ms', 'p95 ms', 'max ms'],
          [
            ['inclusion', si.n, fmt(si.p50, 2), fmt(si.p95, 2), fmt(si.max, 2)],
            ['consistency', sc.n, fmt(sc.p50, 2), fmt(sc.p95, 2), fmt(sc.max, 2)],
          ],
        ),
      );

      const verify = await phase(() => verifyLedger(ctx.db, verifierKeys(dataDir)));
      const report = verify.result;
      out(
        `  full verify: ${report.ok ? 'ok' : 'FAILED'} — ${report.entries} entries, ${report.checkpoints} checkpoints in ${fmt(verify.ms / 1000, 1)} s ` +
          `→ ${fmt((verify.ms / 1000) * (1_000_000 / report.entries), 1)} s per million entries, RSS peak ${verify.rssMb} MiB`,
      );
    }
  } finally {
    fs.rmSync(dataDir, { recursive: true, force: true });
  }

  // 3. tamper suite on its own database of ≥ 10k entries.
  if (P.tamper > 0) {
    const fresh = await freshDatabase();
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'duban-bench-tamper-'));
    try {
      const ctx = ledgerContext(fresh.handle, dir);
      await migrate(fresh.handle);
      const w = await buildWorld(fresh.handle);
      await populateLedger(ctx, {
        entries: 10_000,
        unitId: w.provOffice.id,
        actorId: w.actors.provSup.userId,
      });
      const witness = fs.readFileSync(path.join(dir, 'witness', WITNESS_FILE), 'utf8');
      const t = now();
      const results = await runTamperSuite(ctx, {
        count: P.tamper,
        seed: Date.now() % 1_000_000,
        witnessNotes: [witness],
      });
      const seconds = ms(t) / 1000;
      const applied = results.reduce((n, r) => n + r.applied, 0);
      const detected = results.reduce((n, r) => n + r.detected, 0);
      out(
        `\n[${kind}] Tamper suite: ${applied} random single changes on 10,000 entries (${fmt(seconds, 0)} s)`,
      );
      out(
        table(
          ['change', 'applied', 'detected', 'rate', 'caught without witness'],
          results.map((r) => [
            r.kind,
            r.applied,
            r.detected,
            `${fmt((100 * r.detected) / Math.max(1, r.applied), 1)} %`,
            r.detectedWithoutWitness,
          ]),
        ),
      );
      out(`  detection rate: ${fmt((100 * detected) / Math.max(1, applied), 1)} % (${detected}/${applied})`);
    } finally {
      await fresh.close();
      fs.rmSync(dir, { recursive: true, force: true });
    }
  }
}
