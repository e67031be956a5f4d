import fs from 'node:fs';
import path from 'node:path';
import {
  parseCheckpoint,
  verifyConsistency,
  verifyEvidencePackage,
  verifyInclusion,
  verifyNote,
} from '@duban/verifier';
import type { LightMyRequestResponse } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { verifierKeys } from '../../src/ledger/keys.ts';
import { leafHash } from '../../src/ledger/merkle.ts';
import { checkpointNow, WITNESS_FILE } from '../../src/ledger/service.ts';
import { verifyLedger } from '../../src/ledger/verify-log.ts';
import { createCli } from '../support/cli.ts';
import { createTestContext, type TestContext } from '../support/context.ts';
import { buildWorld, itemBody, type World } from '../support/factories.ts';

let ctx: TestContext;
let w: World;
let itemId: string;
let otherItemId: string;
beforeAll(async () => {
  ctx = await createTestContext();
  ctx.setNow('2026-11-27T02:00:00Z');
  w = await buildWorld(ctx);
  const sup = await w.as('city_sup');
  itemId = (await sup.post('/api/v1/items', itemBody())).json().item.id;
  await sup.post(`/api/v1/items/${itemId}/actions/dispatch`, {
    assignments: [{ unitId: w.units.housing, role: 'lead', deadline: '2027-06-30' }],
  });
  const ningbo = await w.as('ningbo_sup');
  otherItemId = (await ningbo.post('/api/v1/items', itemBody({ title: '宁波事项' }))).json().item.id;
  await checkpointNow(ctx);
});
afterAll(async () => {
  await w?.app.close();
  await ctx?.cleanup();
});

const b = (s: string) => Buffer.from(s, 'base64');
const anon = (url: string) => w.app.inject({ method: 'GET', url });

function problem(res: LightMyRequestResponse, status: number, code: string, field?: string) {
  expect(res.statusCode, res.body).toBe(status);
  expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
  const body = res.json();
  expect(body.code).toBe(code);
  if (field !== undefined) expect(body.field).toBe(field);
}

async function itemEntryIndex(id: string): Promise<number> {
  const row = await ctx.db
    .selectFrom('events')
    .select('seq')
    .where('item_id', '=', id)
    .orderBy('seq')
    .executeTakeFirstOrThrow();
  return Number(row.seq) - 1;
}

describe('checkpoints (public)', () => {
  it('serves the latest checkpoint as a signed note anyone can verify with the published key', async () => {
    const res = await anon('/api/v1/ledger/checkpoint');
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toMatch(/^text\/plain/);
    const keys = (await anon('/api/v1/ledger/keys')).json();
    expect(keys.keys).toEqual(verifierKeys(ctx.dataDir));
    expect(keys.current).toBe(keys.keys.at(-1));
    const verified = await verifyNote(res.body, keys.keys);
    expect(verified.ok).toBe(true);
    if (!verified.ok) return;
    const cp = parseCheckpoint(verified.text);
    const events = await ctx.db.selectFrom('events').select('seq').execute();
    expect(cp?.origin).toBe('duban.test/ledger');
    expect(cp?.size).toBe(events.length);
  });

  it('lists checkpoint history newest first and pages backwards', async () => {
    const all = (await anon('/api/v1/ledger/checkpoints')).json().checkpoints;
    expect(all.length).toBeGreaterThan(0);
    const ids = all.map((c: { id: number }) => c.id);
    expect([...ids].sort((x: number, y: number) => y - x)).toEqual(ids);
    const older = (await anon(`/api/v1/ledger/checkpoints?before=${ids[0]}&limit=1`)).json().checkpoints;
    expect(older.every((c: { id: number }) => c.id < ids[0])).toBe(true);
    problem(await anon('/api/v1/ledger/checkpoints?limit=0'), 400, 'VALIDATION_FAILED', 'querystring.limit');
  });

  it('writes every checkpoint to the witness folder', async () => {
    const file = path.join(ctx.dataDir, 'witness', WITNESS_FILE);
    const latest = (await anon('/api/v1/ledger/checkpoint')).body;
    expect(fs.readFileSync(file, 'utf8')).toContain(latest);
  });
});

describe('entries with inclusion proofs', () => {
  it('401 without a session', async () => {
    problem(await anon('/api/v1/ledger/entries/0'), 401, 'UNAUTHENTICATED');
  });

  it('400 naming the field for a bad index or tree size', async () => {
    const sup = await w.as('city_sup');
    problem(await sup.get('/api/v1/ledger/entries/-1'), 400, 'VALIDATION_FAILED', 'params.index');
    problem(await sup.get('/api/v1/ledger/entries/abc'), 400, 'VALIDATION_FAILED', 'params.index');
    problem(
      await sup.get('/api/v1/ledger/entries/0?treeSize=0'),
      400,
      'VALIDATION_FAILED',
      'querystring.treeSize',
    );
    problem(await sup.get('/api/v1/ledger/entries/0?size=3'), 400, 'VALIDATION_FAILED', 'querystring.size');
  });

  it('404 for an entry outside the caller’s data scope, and for one that does not exist', async () => {
    const index = await itemEntryIndex(otherItemId);
    for (const user of ['city_sup', 'housing_h', 'admin']) {
      problem(await (await w.as(user)).get(`/api/v1/ledger/entries/${index}`), 404, 'LEDGER_ENTRY_NOT_FOUND');
    }
    problem(
      await (await w.as('ningbo_sup')).get('/api/v1/ledger/entries/999999'),
      404,
      'LEDGER_ENTRY_NOT_FOUND',
    );
  });

  it('returns the entry and a proof that verifies against the checkpoint it names', async () => {
    const index = await itemEntryIndex(itemId);
    const res = await (await w.as('housing_h')).get(`/api/v1/ledger/entries/${index}`);
    expect(res.statusCode, res.body).toBe(200);
    const body = res.json();
    expect(JSON.parse(body.entry).itemId).toBe(itemId);
    const verified = await verifyNote(body.checkpoint.note, verifierKeys(ctx.dataDir));
    if (!verified.ok) throw new Error(verified.message);
    const cp = parseCheckpoint(verified.text);
    if (!cp) throw new Error('bad checkpoint');
    expect(body.treeSize).toBe(cp.size);
    const leaf = leafHash(Buffer.from(body.entry, 'utf8'));
    expect(await verifyInclusion(leaf, index, cp.size, body.inclusionProof.map(b), cp.rootHash)).toBe(true);
    expect(await verifyInclusion(leaf, index + 1, cp.size, body.inclusionProof.map(b), cp.rootHash)).toBe(
      false,
    );
  });

  it('proves against an older checkpoint when asked by its size, and refuses sizes without one', async () => {
    const sup = await w.as('city_sup');
    const first = await sup.get(`/api/v1/ledger/entries/${await itemEntryIndex(itemId)}`);
    const oldSize = first.json().treeSize;
    await sup.post(`/api/v1/items/${itemId}/actions/comment`, { body: '请加快进度。' });
    await checkpointNow(ctx);
    const index = await itemEntryIndex(itemId);
    const again = (await sup.get(`/api/v1/ledger/entries/${index}?treeSize=${oldSize}`)).json();
    expect(again.treeSize).toBe(oldSize);
    expect(again.checkpoint.size).toBe(oldSize);
    problem(await sup.get(`/api/v1/ledger/entries/${index}?treeSize=999999`), 404, 'CHECKPOINT_NOT_FOUND');
    const latest = (await sup.get(`/api/v1/ledger/entries/${index}`)).json();
    expect(latest.treeSize).toBeGreaterThan(oldSize);
    problem(
      await sup.get(`/api/v1/ledger/entries/${latest.treeSize - 1}?treeSize=${oldSize}`),
      400,
      'VALIDATION_FAILED',
      'params.index',
    );
  });

  it('409 for an entry recorded but not yet covered by a checkpoint', async () => {
    const sup = await w.as('city_sup');
    await sup.post(`/api/v1/items/${itemId}/actions/comment`, { body: '本周内报送进展。' });
    const row = await ctx.db
      .selectFrom('events')
      .select('seq')
      .orderBy('seq', 'desc')
      .executeTakeFirstOrThrow();
    problem(await sup.get(`/api/v1/ledger/entries/${Number(row.seq) - 1}`), 409, 'LEDGER_PENDING');
    await checkpointNow(ctx);
    expect((await sup.get(`/api/v1/ledger/entries/${Number(row.seq) - 1}`)).statusCode).toBe(200);
  });
});

describe('consistency proofs (public)', () => {
  it('proves every stored checkpoint is a prefix of the latest', async () => {
    const list = (await anon('/api/v1/ledger/checkpoints?limit=500')).json().checkpoints;
    const latest = list[0];
    for (const old of list.filter((c: { size: number }) => c.size > 0)) {
      const res = await anon(`/api/v1/ledger/consistency?from=${old.size}`);
      expect(res.statusCode, res.body).toBe(200);
      const body = res.json();
      expect(body.to).toBe(latest.size);
      expect(body.checkpoint.note).toBe(latest.note);
      expect(
        await verifyConsistency(
          old.size,
          latest.size,
          body.proof.map(b),
          b(old.rootHash),
          b(latest.rootHash),
        ),
      ).toBe(true);
    }
  });

  it('refuses a proof from the empty tree, from > to, and unknown target sizes', async () => {
    problem(await anon('/api/v1/ledger/consistency?from=0'), 400, 'VALIDATION_FAILED', 'querystring.from');
    problem(
      await anon('/api/v1/ledger/consistency?from=5&to=3'),
      400,
      'VALIDATION_FAILED',
      'querystring.from',
    );
    problem(await anon('/api/v1/ledger/consistency?from=1&to=999999'), 404, 'CHECKPOINT_NOT_FOUND');
    problem(await anon('/api/v1/ledger/consistency'), 400, 'VALIDATION_FAILED', 'querystring.from');
  });
});

describe('evidence packages', () => {
  it('401, then 404 outside the scope', async () => {
    problem(await anon(`/api/v1/items/${itemId}/evidence`), 401, 'UNAUTHENTICATED');
    problem(await (await w.as('ningbo_sup')).get(`/api/v1/items/${itemId}/evidence`), 404, 'ITEM_NOT_FOUND');
    problem(await (await w.as('admin')).get(`/api/v1/items/${itemId}/evidence`), 404, 'ITEM_NOT_FOUND');
    problem(
      await (await w.as('city_sup')).get('/api/v1/items/not-a-uuid/evidence'),
      400,
      'VALIDATION_FAILED',
      'params.id',
    );
  });

  it('holds every entry of the item, and verifies offline against the published key', async () => {
    await checkpointNow(ctx);
    const res = await (await w.as('housing_h')).get(`/api/v1/items/${itemId}/evidence`);
    expect(res.statusCode, res.body).toBe(200);
    const pkg = res.json();
    const events = await ctx.db.selectFrom('events').select('seq').where('item_id', '=', itemId).execute();
    expect(pkg.entries.length).toBe(events.length);
    expect(pkg.pending).toBe(0);
    const report = await verifyEvidencePackage(pkg, { trustedKeys: verifierKeys(ctx.dataDir) });
    expect(report.problems).toEqual([]);
    expect(report.ok).toBe(true);
    expect(report.keyTrusted).toBe(true);
    const forged = structuredClone(pkg);
    forged.entries[0].entry = forged.entries[0].entry.replace('推进老旧小区改造', '推进老旧小区改建');
    expect((await verifyEvidencePackage(forged, { trustedKeys: verifierKeys(ctx.dataDir) })).ok).toBe(false);

    // The same check offline, by the command line, with the key obtained separately.
    const cli = await createCli('duban-package-');
    try {
      const good = path.join(cli.dataDir, 'evidence.json');
      const bad = path.join(cli.dataDir, 'forged.json');
      fs.writeFileSync(good, JSON.stringify(pkg));
      fs.writeFileSync(bad, JSON.stringify(forged));
      const key = verifierKeys(ctx.dataDir).at(-1) as string;
      const passed = await cli.run(['ledger', 'verify-package', good, '--key', key]);
      expect(passed.code, passed.stdout + passed.stderr).toBe(0);
      expect(passed.stdout).toMatch(/存证包核验通过/);
      const failed = await cli.run(['ledger', 'verify-package', bad, '--key', key]);
      expect(failed.code).toBe(1);
      expect(failed.stdout).toMatch(/存证包核验失败/);
      const untrusted = await cli.run(['ledger', 'verify-package', good]);
      expect(untrusted.stdout).toMatch(/签名公钥来自存证包本身/);
    } finally {
      await cli.cleanup();
    }
  });
});

describe('full verification', () => {
  it('finds a clean ledger intact', async () => {
    await checkpointNow(ctx);
    const report = await verifyLedger(ctx.db, verifierKeys(ctx.dataDir), {
      witnessNotes: [fs.readFileSync(path.join(ctx.dataDir, 'witness', WITNESS_FILE), 'utf8')],
    });
    expect(report.problems).toEqual([]);
    expect(report.ok).toBe(true);
    expect(report.witnessed).toBeGreaterThan(0);
    expect(report.integrated).toBe(report.entries);
  });
});
