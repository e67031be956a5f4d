import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {
  type EvidencePackage,
  type EvidenceReport,
  formatCheckpoint,
  verifyEvidencePackage,
} from '@duban/verifier';
import { afterAll, describe, expect, it } from 'vitest';
import { canonicalJson } from '../../src/events/append.ts';
import { loadOrCreateSigner, rotateSigner, type Signer, verifierKeys } from '../../src/ledger/keys.ts';
import { inclusionProof, leafHash, rootHash } from '../../src/ledger/merkle.ts';

const ITEM = '0b8f6a52-8a36-4c5e-9a3e-2c1f9f0d1a01';
const OTHER = '7d2c0e4b-1f5a-4b7e-8c9d-3e6f1a2b4c5d';
const UNIT = '5a1e2b3c-4d5e-4f60-8172-93a4b5c6d7e8';
const ACTOR = '11111111-2222-4333-8444-555555555555';

/** The event log (canonical texts; leaf index = seq - 1). ITEM's events are at 0, 2, 3, 6, 8, 11, 13. */
function eventLog(): string[] {
  const specs: [string | null, Record<string, unknown>][] = [
    [ITEM, { type: 'item.registered' }],
    [OTHER, { type: 'item.registered' }],
    [
      ITEM,
      { type: 'item.dispatched', assignments: [{ unitId: UNIT, role: 'lead', deadline: '2026-12-31' }] },
    ],
    [ITEM, { type: 'item.accepted', unitId: UNIT }],
    [null, { type: 'user.created', userId: ACTOR, username: '张三', unitId: UNIT, roles: ['handler'] }],
    [OTHER, { type: 'item.accepted', unitId: UNIT }],
    [ITEM, { type: 'item.progress_reported', unitId: UNIT, percent: 40, note: '已完成“初步调研”\n' }],
    [OTHER, { type: 'item.returned', unitId: UNIT, reason: '不属于本单位职责' }],
    [ITEM, { type: 'item.completion_requested', summary: '全部完成' }],
    [null, { type: 'regions.imported', rootCode: '330000', count: 102 }],
    [OTHER, { type: 'item.accepted', unitId: UNIT }],
    [ITEM, { type: 'item.completion_approved', comment: '同意' }],
    [OTHER, { type: 'item.accepted', unitId: UNIT }],
    [ITEM, { type: 'item.evaluated', quality: 4.5, timeliness: 5 }],
  ];
  return specs.map(([itemId, payload], i) =>
    canonicalJson({
      seq: i + 1,
      id: `00000000-0000-4000-8000-${String(i + 1).padStart(12, '0')}`,
      type: payload.type,
      itemId,
      actorId: i % 3 === 0 ? null : ACTOR,
      occurredAt: new Date(Date.UTC(2026, 10, 1, 8, i)).toISOString(),
      payload: itemId === null ? payload : { ...payload, itemId },
    }),
  );
}

function itemOf(entry: string): unknown {
  try {
    return JSON.parse(entry).itemId;
  } catch {
    return undefined;
  }
}

const SIZE = 12; // the checkpoint covers the first 12 events; ITEM's event at index 13 is pending

function buildPackage(
  signer: Signer,
  options: {
    log?: string[];
    size?: number;
    itemId?: string;
    keys?: string[];
    origin?: string;
    /** An index to include whatever its content. */
    include?: number;
  } = {},
): EvidencePackage {
  const log = options.log ?? eventLog();
  const size = options.size ?? SIZE;
  const itemId = options.itemId ?? ITEM;
  const leaves = log.map((e) => leafHash(Buffer.from(e, 'utf8')));
  const root = rootHash(leaves.slice(0, size));
  const checkpoint = signer.sign(
    formatCheckpoint({ origin: options.origin ?? signer.name, size, rootHash: root }),
  );
  const mine = log
    .map((e, index) => ({ e, index }))
    .filter(({ e, index }) => itemOf(e) === itemId || options.include === index);
  return {
    format: 'duban.evidence/v1',
    itemId,
    generatedAt: '2026-11-28T02:00:00.000Z',
    checkpoint,
    verifierKeys: options.keys ?? [signer.verifierKey],
    entries: mine
      .filter(({ index }) => index < size)
      .map(({ e, index }) => ({
        index,
        entry: e,
        inclusionProof: inclusionProof(leaves, index, size).map((h) => h.toString('base64')),
      })),
    pending: mine.filter(({ index }) => index >= size).length,
  };
}

const dirs: string[] = [];
function dataDir(): string {
  const d = fs.mkdtempSync(path.join(os.tmpdir(), 'duban-evidence-'));
  dirs.push(d);
  return d;
}
afterAll(() => {
  for (const d of dirs) fs.rmSync(d, { recursive: true, force: true });
});

const ORIGIN = 'duban.test/ledger-evidence';
const serverDir = dataDir();
const signer = loadOrCreateSigner(serverDir, ORIGIN);
const foreign = loadOrCreateSigner(dataDir(), 'other.example/ledger');

const clone = (p: EvidencePackage): EvidencePackage => JSON.parse(JSON.stringify(p));
const codes = (r: EvidenceReport) => r.problems.map((p) => p.code);
const entryCodes = (r: EvidenceReport, index: number) =>
  r.problems.filter((p) => p.index === index).map((p) => p.code);

function entryAt(pkg: EvidencePackage, i: number) {
  const e = pkg.entries[i];
  if (!e) throw new Error(`no entry ${i}`);
  return e;
}

describe('verifyEvidencePackage: a genuine package', () => {
  const pkg = buildPackage(signer);

  it('has the expected content (sanity of the fixture)', () => {
    expect(pkg.entries.map((e) => e.index)).toEqual([0, 2, 3, 6, 8, 11]);
    expect(pkg.pending).toBe(1);
  });

  it('verifies; without pinned keys the key is only the package’s own claim', async () => {
    const r = await verifyEvidencePackage(JSON.parse(JSON.stringify(pkg)));
    expect(r.problems).toEqual([]);
    expect(r.ok).toBe(true);
    expect(r.itemId).toBe(ITEM);
    expect(r.checkpoint).toEqual({
      origin: ORIGIN,
      size: SIZE,
      rootHash: rootHash(
        eventLog()
          .slice(0, SIZE)
          .map((e) => leafHash(Buffer.from(e))),
      ).toString('base64'),
    });
    expect(r.signedBy).toEqual([{ name: ORIGIN, keyId: signer.keyId }]);
    expect(r.keyTrusted).toBe(false);
    expect(r.warnings.map((w) => w.code)).toEqual(['key_not_pinned']);
    expect(r.entries).toEqual([
      { index: 0, type: 'item.registered', ok: true },
      { index: 2, type: 'item.dispatched', ok: true },
      { index: 3, type: 'item.accepted', ok: true },
      { index: 6, type: 'item.progress_reported', ok: true },
      { index: 8, type: 'item.completion_requested', ok: true },
      { index: 11, type: 'item.completion_approved', ok: true },
    ]);
  });

  it('verifies with the published keys pinned', async () => {
    const r = await verifyEvidencePackage(pkg, { trustedKeys: verifierKeys(serverDir) });
    expect(r.ok).toBe(true);
    expect(r.keyTrusted).toBe(true);
    expect(r.warnings).toEqual([]);
  });

  it('an item with no covered events yet is a valid (empty) package', async () => {
    const empty = buildPackage(signer, { size: 1, itemId: OTHER });
    expect(empty.entries).toEqual([]);
    expect(empty.pending).toBe(5);
    expect((await verifyEvidencePackage(empty)).ok).toBe(true);
  });
});

describe('verifyEvidencePackage: each single corruption is reported with its own code', () => {
  const pkg = buildPackage(signer);

  it('a changed byte in an entry → inclusion_failed', async () => {
    const bad = clone(pkg);
    const e = entryAt(bad, 2);
    e.entry = e.entry.replace(UNIT, UNIT.replace(/8$/, '9'));
    expect(e.entry).not.toBe(entryAt(pkg, 2).entry);
    const r = await verifyEvidencePackage(bad);
    expect(r.ok).toBe(false);
    expect(codes(r)).toEqual(['inclusion_failed']);
    expect(r.entries[2]).toMatchObject({
      index: 3,
      ok: false,
      problem: { code: 'inclusion_failed', index: 3 },
    });
    expect(r.entries.filter((x) => x.ok)).toHaveLength(5);
  });

  it('a wrong index → seq_mismatch and inclusion_failed', async () => {
    const bad = clone(pkg);
    entryAt(bad, 0).index = 1;
    const r = await verifyEvidencePackage(bad);
    expect(codes(r)).toEqual(['seq_mismatch', 'inclusion_failed']);
    expect(r.entries[0]?.problem?.code).toBe('seq_mismatch');
  });

  it('swapped entry texts → both entries fail', async () => {
    const bad = clone(pkg);
    const a = entryAt(bad, 1);
    const b = entryAt(bad, 4);
    [a.entry, b.entry] = [b.entry, a.entry];
    const r = await verifyEvidencePackage(bad);
    expect(entryCodes(r, 2)).toEqual(['seq_mismatch', 'inclusion_failed']);
    expect(entryCodes(r, 8)).toEqual(['seq_mismatch', 'inclusion_failed']);
    expect(r.entries.filter((x) => !x.ok).map((x) => x.index)).toEqual([2, 8]);
  });

  it('swapped entries (order) → entries_out_of_order', async () => {
    const bad = clone(pkg);
    [bad.entries[1], bad.entries[2]] = [entryAt(bad, 2), entryAt(bad, 1)];
    const r = await verifyEvidencePackage(bad);
    expect(codes(r)).toEqual(['entries_out_of_order']);
    expect(r.entries.map((x) => x.ok)).toEqual([true, true, false, true, true, true]);
  });

  it('a duplicated entry → duplicate_index', async () => {
    const bad = clone(pkg);
    bad.entries.splice(1, 0, entryAt(bad, 1));
    expect(codes(await verifyEvidencePackage(bad))).toEqual(['duplicate_index']);
  });

  it('a truncated, extended or reordered proof → inclusion_failed', async () => {
    const variants: ((p: string[]) => string[])[] = [
      (p) => p.slice(0, -1),
      (p) => p.slice(1),
      (p) => [...p, p[0] ?? ''],
      (p) => [...p].reverse(),
      () => [],
    ];
    for (const change of variants) {
      const bad = clone(pkg);
      const e = entryAt(bad, 3);
      e.inclusionProof = change(e.inclusionProof);
      expect(codes(await verifyEvidencePackage(bad))).toEqual(['inclusion_failed']);
    }
  });

  it('a proof element that is not a 32-byte base64 hash → proof_malformed', async () => {
    for (const el of ['not base64!', Buffer.alloc(31).toString('base64'), '']) {
      const bad = clone(pkg);
      entryAt(bad, 3).inclusionProof[0] = el;
      expect(codes(await verifyEvidencePackage(bad))).toEqual(['proof_malformed']);
    }
  });

  it('an index beyond the checkpoint → index_out_of_range', async () => {
    const bad = clone(pkg);
    bad.entries.push({ index: 13, entry: eventLog()[13] ?? '', inclusionProof: [] });
    expect(codes(await verifyEvidencePackage(bad))).toEqual(['index_out_of_range']);
  });

  it('a wrong itemId → item_mismatch for every entry', async () => {
    const bad = clone(pkg);
    bad.itemId = OTHER;
    const r = await verifyEvidencePackage(bad);
    expect(codes(r)).toEqual(Array(6).fill('item_mismatch'));
    expect(r.entries.every((x) => !x.ok)).toBe(true);
  });

  it("another item's genuine entry slipped in → item_mismatch (its proof is fine)", async () => {
    const bad = clone(pkg);
    const other = buildPackage(signer, { itemId: OTHER });
    bad.entries.splice(1, 0, entryAt(other, 0)); // index 1
    expect(codes(await verifyEvidencePackage(bad))).toEqual(['item_mismatch']);
  });

  it("a foreign log's checkpoint → no_verified_signature", async () => {
    const bad = clone(pkg);
    bad.checkpoint = buildPackage(foreign).checkpoint;
    const r = await verifyEvidencePackage(bad);
    expect(codes(r)).toEqual(['no_verified_signature']);
    expect(r.checkpoint).toBeUndefined();
  });

  it('a foreign checkpoint with its key smuggled in → key_untrusted when keys are pinned', async () => {
    const bad = clone(pkg);
    bad.checkpoint = buildPackage(foreign, { size: 14 }).checkpoint;
    bad.verifierKeys = [foreign.verifierKey];
    const unpinned = await verifyEvidencePackage(bad);
    expect(new Set(codes(unpinned))).toEqual(new Set(['inclusion_failed']));
    const pinned = await verifyEvidencePackage(bad, { trustedKeys: [signer.verifierKey] });
    expect(new Set(codes(pinned))).toEqual(new Set(['key_untrusted', 'inclusion_failed']));
    expect(pinned.keyTrusted).toBe(false);
  });

  it("a later checkpoint of the same log (proofs don't match it) → inclusion_failed everywhere", async () => {
    const bad = clone(pkg);
    bad.checkpoint = buildPackage(signer, { size: 14 }).checkpoint;
    const r = await verifyEvidencePackage(bad);
    expect(codes(r)).toEqual(Array(6).fill('inclusion_failed'));
  });

  it('a bad signature → signature_invalid', async () => {
    const bad = clone(pkg);
    const split = bad.checkpoint.lastIndexOf('\n\n') + 2;
    const [, name, b64] = /^— (\S+) (\S+)\n$/.exec(bad.checkpoint.slice(split)) ?? [];
    const raw = Buffer.from(b64 ?? '', 'base64');
    expect(raw.length).toBe(68);
    raw[10] = (raw[10] ?? 0) ^ 0x01; // inside the Ed25519 signature, after the 4-byte key id
    bad.checkpoint = `${bad.checkpoint.slice(0, split)}— ${name} ${raw.toString('base64')}\n`;
    const r = await verifyEvidencePackage(bad);
    expect(codes(r)).toEqual(['signature_invalid']);
  });

  it('a changed checkpoint size or root (signature kept) → signature_invalid', async () => {
    for (const change of [
      (t: string) => t.replace(`\n${SIZE}\n`, `\n${SIZE + 1}\n`),
      (t: string) =>
        t.replace(/\n([A-Za-z0-9+/]{4})/, (_m, g: string) => `\n${g === 'AAAA' ? 'BBBB' : 'AAAA'}`),
    ]) {
      const bad = clone(pkg);
      bad.checkpoint = change(bad.checkpoint);
      expect(bad.checkpoint).not.toBe(pkg.checkpoint);
      expect(codes(await verifyEvidencePackage(bad))).toEqual(['signature_invalid']);
    }
  });

  it('an untrusted key → key_untrusted', async () => {
    const r = await verifyEvidencePackage(pkg, { trustedKeys: [foreign.verifierKey] });
    expect(codes(r)).toEqual(['key_untrusted']);
    expect(r.keyTrusted).toBe(false);
    expect(r.ok).toBe(false);
    expect((await verifyEvidencePackage(pkg, { trustedKeys: [] })).keyTrusted).toBe(false);
  });

  it('a checkpoint whose origin is not the signing key name → log_signature_missing', async () => {
    const bad = buildPackage(signer, { origin: 'someone.else/ledger' });
    expect(codes(await verifyEvidencePackage(bad))).toEqual(['log_signature_missing']);
  });

  it('a signed note that is not a checkpoint → checkpoint_malformed', async () => {
    const bad = clone(pkg);
    bad.checkpoint = signer.sign(`${ORIGIN}\n012\nAAAA\n`);
    expect(codes(await verifyEvidencePackage(bad))).toEqual(['checkpoint_malformed']);
  });

  it('a checkpoint that is not a signed note → checkpoint_note_malformed', async () => {
    const bad = clone(pkg);
    bad.checkpoint = bad.checkpoint.replace('\n\n', '\n');
    expect(codes(await verifyEvidencePackage(bad))).toEqual(['checkpoint_note_malformed']);
  });

  it('malformed verifier keys → verifier_key_malformed / trusted_key_malformed', async () => {
    const bad = clone(pkg);
    bad.verifierKeys.push(signer.verifierKey.replace(signer.keyId, '00000000'));
    expect(codes(await verifyEvidencePackage(bad))).toEqual(['verifier_key_malformed']);
    const r = await verifyEvidencePackage(pkg, { trustedKeys: ['nonsense', signer.verifierKey] });
    expect(codes(r)).toEqual(['trusted_key_malformed']);
    expect(r.keyTrusted).toBe(true);
  });
});

describe('verifyEvidencePackage: entry content (with valid proofs)', () => {
  /** A log whose entry at index 2 is replaced by `text`, so its proof is genuine. */
  function withEntry(text: string) {
    const log = eventLog();
    log[2] = text;
    return buildPackage(signer, { log, include: 2 });
  }
  const original = JSON.parse(eventLog()[2] ?? '{}') as Record<string, unknown>;

  it('non-canonical JSON (duplicate keys, spacing, key order) → entry_not_canonical', async () => {
    const dup = (eventLog()[2] ?? '').replace('{"actorId"', `{"type":"item.cancelled","actorId"`);
    const cases = [
      dup,
      JSON.stringify(original, null, 1),
      JSON.stringify({ type: original.type, ...original }),
    ];
    for (const text of cases) {
      const r = await verifyEvidencePackage(withEntry(text));
      expect(codes(r), text).toEqual(['entry_not_canonical']);
    }
  });

  it('not a ledger event → entry_malformed', async () => {
    const { payload: _payload, ...noPayload } = original;
    const cases = [
      'not json',
      '[]',
      canonicalJson(noPayload),
      canonicalJson({ ...original, extra: 1 }),
      canonicalJson({ ...original, occurredAt: 'yesterday' }),
      canonicalJson({ ...original, type: '' }),
    ];
    for (const text of cases) {
      const r = await verifyEvidencePackage(withEntry(text));
      expect(codes(r), text).toEqual(['entry_malformed']);
      expect(r.entries[1]?.ok).toBe(false);
    }
  });

  it('seq that does not bind the index → seq_mismatch even with a valid proof', async () => {
    const r = await verifyEvidencePackage(withEntry(canonicalJson({ ...original, seq: 4 })));
    expect(codes(r)).toEqual(['seq_mismatch']);
  });

  it('payload.itemId disagreeing with itemId → item_mismatch', async () => {
    const payload = { ...(original.payload as Record<string, unknown>), itemId: OTHER };
    const r = await verifyEvidencePackage(withEntry(canonicalJson({ ...original, payload })));
    expect(codes(r)).toEqual(['item_mismatch']);
  });
});

describe('verifyEvidencePackage: key rotation', () => {
  it('a checkpoint signed by a retired key still verifies with the published key list', async () => {
    const dir = dataDir();
    const old = loadOrCreateSigner(dir, 'duban.test/ledger-rotating');
    const pkgOld = buildPackage(old);
    const next = rotateSigner(dir);
    const published = verifierKeys(dir);
    pkgOld.verifierKeys = published;
    const r = await verifyEvidencePackage(pkgOld, { trustedKeys: published });
    expect(r.ok).toBe(true);
    expect(r.signedBy).toEqual([{ name: old.name, keyId: old.keyId }]);
    const onlyNew = await verifyEvidencePackage(pkgOld, { trustedKeys: [next.verifierKey] });
    expect(codes(onlyNew)).toEqual(['key_untrusted']);
    const pkgNew = buildPackage(next, { keys: published });
    expect((await verifyEvidencePackage(pkgNew, { trustedKeys: published })).signedBy).toEqual([
      { name: next.name, keyId: next.keyId },
    ]);
  });
});

describe('verifyEvidencePackage: shape', () => {
  const pkg = buildPackage(signer);

  it.each([
    ['null', null],
    ['a string', 'duban.evidence/v1'],
    ['an array', [pkg]],
  ])('%s → package_malformed', async (_n, value) => {
    const r = await verifyEvidencePackage(value);
    expect(codes(r)).toEqual(['package_malformed']);
    expect(r.ok).toBe(false);
  });

  it('another format → format_unsupported', async () => {
    for (const format of ['duban.evidence/v2', undefined, 1]) {
      expect(codes(await verifyEvidencePackage({ ...pkg, format }))).toEqual(['format_unsupported']);
    }
  });

  const mutations: [string, (p: Record<string, unknown>) => void][] = [
    ['missing itemId', (p) => delete p.itemId],
    ['itemId not a UUID', (p) => (p.itemId = 'item-1')],
    ['generatedAt not a timestamp', (p) => (p.generatedAt = 'now')],
    ['checkpoint not a string', (p) => (p.checkpoint = 42)],
    ['verifierKeys not strings', (p) => (p.verifierKeys = [1])],
    ['entries not an array', (p) => (p.entries = {})],
    ['pending negative', (p) => (p.pending = -1)],
    ['pending missing', (p) => delete p.pending],
    ['unknown top-level field', (p) => (p.extra = true)],
    ['entry not an object', (p) => (p.entries = [null])],
    ['entry index negative', (p) => (p.entries = [{ index: -1, entry: '{}', inclusionProof: [] }])],
    ['entry index fractional', (p) => (p.entries = [{ index: 0.5, entry: '{}', inclusionProof: [] }])],
    ['entry index a string', (p) => (p.entries = [{ index: '0', entry: '{}', inclusionProof: [] }])],
    ['entry text not a string', (p) => (p.entries = [{ index: 0, entry: {}, inclusionProof: [] }])],
    ['proof not strings', (p) => (p.entries = [{ index: 0, entry: '{}', inclusionProof: [1] }])],
    ['proof too long', (p) => (p.entries = [{ index: 0, entry: '{}', inclusionProof: Array(54).fill('') }])],
    ['unknown entry field', (p) => (p.entries = [{ index: 0, entry: '{}', inclusionProof: [], x: 1 }])],
  ];
  it.each(mutations)('%s → package_malformed', async (_n, mutate) => {
    const bad = JSON.parse(JSON.stringify(pkg)) as Record<string, unknown>;
    mutate(bad);
    const r = await verifyEvidencePackage(bad);
    expect(new Set(codes(r))).toEqual(new Set(['package_malformed']));
    expect(r.entries).toEqual([]);
  });

  it('every problem has a Chinese and an English message', async () => {
    const bad = clone(pkg);
    entryAt(bad, 0).index = 1;
    bad.itemId = OTHER;
    const reports = [
      await verifyEvidencePackage(bad),
      await verifyEvidencePackage(null),
      await verifyEvidencePackage(pkg, { trustedKeys: ['x'] }),
    ];
    for (const r of reports) {
      expect(r.problems.length).toBeGreaterThan(0);
      for (const p of r.problems) {
        expect(p.message).toMatch(/[\u4e00-\u9fff]/);
        expect(p.messageEn).toMatch(/^[\x20-\x7e]+$/);
      }
    }
  });

  it('never throws or rejects on junk', async () => {
    const junk: unknown[] = [
      undefined,
      0,
      {},
      { format: 'duban.evidence/v1' },
      { ...pkg, checkpoint: '' },
      { ...pkg, entries: [{ index: 0, entry: '\ud800', inclusionProof: [] }] },
      { ...pkg, verifierKeys: [] },
    ];
    for (const j of junk) {
      const r = await verifyEvidencePackage(j, { trustedKeys: 'nope' as unknown as string[] });
      expect(r.ok).toBe(false);
    }
  });
});
