import crypto from 'node:crypto';
import {
  formatVerifierKey,
  isValidKeyName,
  keyIdOf,
  MAX_SIGNATURES,
  parseNote,
  parseVerifierKey,
  splitNotes,
  verifyNote,
} from '@duban/verifier';
import { describe, expect, it } from 'vitest';

// ---- Vectors, verbatim ----
// golang.org/x/mod sumdb/note/note_test.go (github.com/golang/mod, commit 02c991387e35f9e4c0a9b7ce137717055f8d716d):
// TestNewVerifier, TestVerifierList, TestOpen.
const peterKey = 'PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW';
const enochKey = 'EnochRoot+af0cfe78+ATtqJ7zOtqQtYqOo0CpvDXNlMhV3HeJDpjrASKGLWdop';
const text = `If you think cryptography is the answer to your problem,
then you don't know what your problem is.
`;
const peterSig =
  '— PeterNeumann x08go/ZJkuBS9UG/SffcvIAQxVBtiFupLLr8pAcElZInNIuGUgYN1FFYC2pZSNXgKvqfqdngotpRZb6KE6RyyBwJnAM=\n';
const enochSig =
  '— EnochRoot rwz+eBzmZa0SO3NbfRGzPCpDckykFXSdeX+MNtCOXm2/5n2tiOHp+vAF1aGrQ5ovTG01oOTGwnWLox33WWd1RvMc+QQ=\n';
const peter = {
  name: 'PeterNeumann',
  keyId: 'c74f20a3',
  base64: 'x08go/ZJkuBS9UG/SffcvIAQxVBtiFupLLr8pAcElZInNIuGUgYN1FFYC2pZSNXgKvqfqdngotpRZb6KE6RyyBwJnAM=',
};
const enoch = {
  name: 'EnochRoot',
  keyId: 'af0cfe78',
  base64: 'rwz+eBzmZa0SO3NbfRGzPCpDckykFXSdeX+MNtCOXm2/5n2tiOHp+vAF1aGrQ5ovTG01oOTGwnWLox33WWd1RvMc+QQ=',
};

// sigsum-go pkg/checkpoint/checkpoint_test.go (github.com/sigsum/sigsum-go, commit
// 2224a397c849d2dd7bf412f9675f9e323381693c), TestGoSumDBCheckpoint: a real sum.golang.org checkpoint
// ("Retrieved from https://sum.golang.org/latest, 2024-09-23") and the Go checksum database key.
const sumdbCheckpoint = `go.sum database tree
30055305
mXfgRcJ0bG0j3CPdKwgGWtUzBUbX67saZGRmFuJGGsM=

— sum.golang.org Az3grpgEild5qw7+5dtV13Kf1C2Xurm8q4fhdxvcsDHnqNTaxL2AFjBY+2TyGKevucFcAAlWFJJYle3EJlDCrQ+y3A8=
`;
const sumdbKey = 'sum.golang.org+033de0ae+Ac4zctda0e5eza+HJyk9SxEdh+s3Ux18htTTAD8OuAn8';

// Same file, validCheckpointASCII: signed with the Ed25519 seed {17, 0, 0, …} (crypto.PrivateKey{17}).
const sigsumCheckpoint = `sigsum.org/v1/tree/e796172b92befd62d9dc67e41c2f5bc9d3100a3023b20b1ca40288dd1c679e69
10
HA5HAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=

— sigsum.org/v1/tree/e796172b92befd62d9dc67e41c2f5bc9d3100a3023b20b1ca40288dd1c679e69 gJ2ho0n8F8olcerUF1FFdv235A/5as/coWrpLrtE7ovMeP5whgwouYExowG/lTznxu6OUGjjt5yJQ6bXtTcf718MqAQ=
`;

// C2SP tlog-checkpoint.md (github.com/C2SP/C2SP) example; its public key is not published.
const c2spCheckpoint = `example.com/behind-the-sofa
20852163
CsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=

— example.com/behind-the-sofa Az3grlgtzPICa5OS8npVmf1Myq/5IZniMp+ZJurmRDeOoRDe4URYN7u5/Zhcyv2q1gGzGku9nTo+zyWE+xeMcTOAYQ8=
`;

/** Go string slicing is by bytes (the em dash is 3 bytes): peterSig[:60] + "ABCD" + peterSig[60:]. */
function insertAtByte(s: string, at: number, ins: string): string {
  const b = Buffer.from(s, 'utf8');
  return Buffer.concat([b.subarray(0, at), Buffer.from(ins), b.subarray(at)]).toString('utf8');
}

function publicKeyFromSeed(seed: Uint8Array): Uint8Array {
  const der = Buffer.concat([Buffer.from('302e020100300506032b657004220420', 'hex'), seed]);
  const spki = crypto
    .createPublicKey(crypto.createPrivateKey({ key: der, format: 'der', type: 'pkcs8' }))
    .export({ format: 'der', type: 'spki' });
  return new Uint8Array(spki.subarray(spki.length - 32));
}

describe('verifier keys (Go TestNewVerifier)', () => {
  it('parses the vector key and checks its id', async () => {
    const k = await parseVerifierKey(peterKey);
    expect(k?.name).toBe('PeterNeumann');
    expect(k?.keyId).toBe('c74f20a3');
    expect(k?.publicKey.length).toBe(32);
    expect(k?.text).toBe(peterKey);
    if (!k) return;
    expect(await keyIdOf('PeterNeumann', k.publicKey)).toBe('c74f20a3');
    expect(await formatVerifierKey('PeterNeumann', k.publicKey)).toBe(peterKey);
    expect((await parseVerifierKey(enochKey))?.keyId).toBe('af0cfe78');
    // Go's ParseUint accepts upper-case hex; the canonical text is lower case.
    expect((await parseVerifierKey(peterKey.replace('c74f20a3', 'C74F20A3')))?.text).toBe(peterKey);
  });

  it('parses the Go checksum database key (its base64 contains +)', async () => {
    const k = await parseVerifierKey(sumdbKey);
    expect(k?.name).toBe('sum.golang.org');
    expect(k?.keyId).toBe('033de0ae');
    expect(k?.text).toBe(sumdbKey);
  });

  it('rejects every proper substring and every single-byte increment of the key', async () => {
    const accepted: string[] = [];
    for (let i = 0; i <= peterKey.length; i++) {
      for (let j = i + 1; j <= peterKey.length; j++) {
        if (i === 0 && j === peterKey.length) continue;
        const k = peterKey.slice(i, j);
        if ((await parseVerifierKey(k)) !== null) accepted.push(k);
      }
    }
    for (let i = 0; i < peterKey.length; i++) {
      const k =
        peterKey.slice(0, i) + String.fromCharCode(peterKey.charCodeAt(i) + 1) + peterKey.slice(i + 1);
      if ((await parseVerifierKey(k)) !== null) accepted.push(k);
    }
    expect(accepted).toEqual([]);
  });

  it('rejects a wrong-length key and an unknown algorithm (ids adjusted to match)', async () => {
    expect(
      await parseVerifierKey('PeterNeumann+cc469956+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TWBADKEY=='),
    ).toBeNull();
    expect(
      await parseVerifierKey('PeterNeumann+173116ae+ZRpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW'),
    ).toBeNull();
  });

  it('rejects non-strings and invalid names without throwing', async () => {
    for (const junk of [undefined, null, 42, {}, '', '+', '++', 'a+b+c+d']) {
      expect(await parseVerifierKey(junk)).toBeNull();
    }
    await expect(formatVerifierKey('bad name', new Uint8Array(32))).rejects.toThrow(RangeError);
    await expect(formatVerifierKey('a+b', new Uint8Array(32))).rejects.toThrow(RangeError);
    await expect(formatVerifierKey('ok', new Uint8Array(31))).rejects.toThrow(RangeError);
  });

  it('applies the key-name rule (non-empty, no Unicode spaces, no +, well-formed)', () => {
    for (const good of ['PeterNeumann', 'sum.golang.org', 'duban.local/ledger-3f9a1c', '督办/台账', 'a—b']) {
      expect(isValidKeyName(good)).toBe(true);
    }
    for (const bad of [
      '',
      'a b',
      'a+b',
      'a\tb',
      'a\nb',
      'a\u00a0b',
      'a\u2003b',
      'a\u3000b',
      'a\u2028b',
      '\ud800',
    ]) {
      expect(isValidKeyName(bad)).toBe(false);
    }
  });
});

describe('verifyNote (Go TestOpen)', () => {
  it('one verified signature, one by an unknown key', async () => {
    const r = await verifyNote(`${text}\n${peterSig}${enochSig}`, [peterKey]);
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.text).toBe(text);
    expect(r.signers.map((k) => k.text)).toEqual([peterKey]);
    expect(r.unverified).toEqual([enoch]);
  });

  it('both verified', async () => {
    const r = await verifyNote(`${text}\n${peterSig}${enochSig}`, [peterKey, enochKey]);
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.signers.map((k) => k.text)).toEqual([peterKey, enochKey]);
    expect(r.unverified).toEqual([]);
  });

  it('no known key: no_verified_signature, with the parsed (unauthenticated) note', async () => {
    const r = await verifyNote(`${text}\n${peterSig}${enochSig}`, []);
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.code).toBe('no_verified_signature');
    expect(r.message).toBe('note has no verifiable signatures');
    expect(r.note?.signatures).toEqual([peter, enoch]);
  });

  it('a key listed twice is not ambiguous when it is the same key; unused keys do not matter', async () => {
    expect((await verifyNote(`${text}\n${enochSig}`, [enochKey, peterKey, enochKey])).ok).toBe(true);
    expect((await verifyNote(`${text}\n${peterSig}`, [enochKey, peterKey, enochKey])).ok).toBe(true);
  });

  it('at most 100 signatures', async () => {
    expect(MAX_SIGNATURES).toBe(100);
    expect((await verifyNote(`${text}\n${peterSig.repeat(100)}`, [peterKey])).ok).toBe(true);
    for (const keys of [[peterKey], []]) {
      const r = await verifyNote(`${text}\n${peterSig.repeat(101)}`, keys);
      expect(r.ok ? 'ok' : r.code).toBe('malformed_note');
    }
  });

  it('an invalid signature by a known key rejects the note', async () => {
    const r = await verifyNote(`${text}\n${insertAtByte(peterSig, 60, 'ABCD')}`, [peterKey]);
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.code).toBe('invalid_signature');
    expect(r.message).toBe('invalid signature for key PeterNeumann+c74f20a3');
    expect(r.key).toEqual({ name: 'PeterNeumann', keyId: 'c74f20a3' });
  });

  it('duplicated verified and unverified signatures', async () => {
    const enochABCD = {
      name: 'EnochRoot',
      keyId: 'af0cfe78',
      base64:
        'rwz+eBzmZa0SO3NbfRGzPCpDckykFXSdeX+MNtCOXm2/5n' +
        'ABCD' +
        '2tiOHp+vAF1aGrQ5ovTG01oOTGwnWLox33WWd1RvMc+QQ=',
    };
    const msg = `${text}\n${peterSig}${peterSig}${enochSig}${enochSig}${insertAtByte(enochSig, 60, 'ABCD')}`;
    const r = await verifyNote(msg, [peterKey]);
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.signers.map((k) => k.text)).toEqual([peterKey]);
    expect(r.unverified).toEqual([enoch, enochABCD]);
  });

  it('rejects malformed notes (Go badMsgs)', async () => {
    const bad: (string | Uint8Array)[] = [
      text,
      `${text}\n`,
      `${text}\n${peterSig.slice(0, -1)}`,
      `\x01${text}\n${peterSig}`,
      Buffer.concat([Buffer.of(0xff), Buffer.from(`${text}\n${peterSig}`)]),
      `${text}\n— Bad Name x08go/ZJkuBS9UG/SffcvIAQxVBtiFupLLr8pAcElZInNIuGUgYN1FFYC2pZSNXgKvqfqdngotpRZb6KE6RyyBwJnAM=`,
      `${text}\n${peterSig}Unexpected line.\n`,
    ];
    for (const msg of bad) {
      const r = await verifyNote(msg, [peterKey]);
      expect(r.ok ? 'ok' : r.code, String(msg)).toBe('malformed_note');
      expect(parseNote(msg)).toBeNull();
    }
  });

  it('ignores signatures whose name or key id does not match a known key', async () => {
    const misnamed = peterSig.replaceAll('PeterNeumann', 'CarmenSandiego');
    const wrongHash = peterSig.replaceAll('x08g', 'xxxx');
    for (const sig of [misnamed, wrongHash]) {
      const r = await verifyNote(`${text}\n${sig}`, [peterKey]);
      expect(r.ok ? 'ok' : r.code).toBe('no_verified_signature');
      // … and they do not spoil a note that a known key did sign.
      expect((await verifyNote(`${text}\n${sig}${peterSig}`, [peterKey])).ok).toBe(true);
    }
  });
});

describe('verifyNote: tampering', () => {
  const note = `${text}\n${peterSig}`;

  it('accepts the untouched vector, as text or bytes', async () => {
    expect((await verifyNote(note, [peterKey])).ok).toBe(true);
    expect((await verifyNote(Buffer.from(note), [peterKey])).ok).toBe(true);
  });

  it('a changed text fails the signature', async () => {
    for (const t of [
      text.replace('think', 'thinks'),
      text.replace('problem,', 'problem;'),
      `${text}\n`,
      `x${text}`,
      text.toUpperCase(),
    ]) {
      const r = await verifyNote(`${t}\n${peterSig}`, [peterKey]);
      expect(r.ok ? 'ok' : r.code, t).toBe('invalid_signature');
    }
  });

  it('a changed signature byte fails (every byte after the key id)', async () => {
    const raw = Buffer.from(peter.base64, 'base64');
    const failures: string[] = [];
    for (let i = 4; i < raw.length; i++) {
      const bad = Buffer.from(raw);
      bad[i] = (bad[i] ?? 0) ^ 0x01;
      const r = await verifyNote(`${text}\n— PeterNeumann ${bad.toString('base64')}\n`, [peterKey]);
      failures.push(r.ok ? 'ok' : r.code);
    }
    expect(new Set(failures)).toEqual(new Set(['invalid_signature']));
  });

  it('a truncated or extended signature fails', async () => {
    const raw = Buffer.from(peter.base64, 'base64');
    for (const bad of [raw.subarray(0, raw.length - 1), Buffer.concat([raw, Buffer.of(0)])]) {
      const r = await verifyNote(`${text}\n— PeterNeumann ${bad.toString('base64')}\n`, [peterKey]);
      expect(r.ok ? 'ok' : r.code).toBe('invalid_signature');
    }
  });

  it('a changed key id or name makes the signature unknown, so the note has no verified signature', async () => {
    const raw = Buffer.from(peter.base64, 'base64');
    raw[0] = (raw[0] ?? 0) ^ 0x80;
    for (const sig of [
      `— PeterNeumann ${raw.toString('base64')}\n`,
      peterSig.replace('PeterNeumann', 'PeterNeuman'),
    ]) {
      const r = await verifyNote(`${text}\n${sig}`, [peterKey]);
      expect(r.ok ? 'ok' : r.code).toBe('no_verified_signature');
    }
  });

  it('a signature line with a non-canonical or short base64 is malformed', async () => {
    for (const sig of ['— PeterNeumann AAAA\n', '— PeterNeumann \n', '— PeterNeumann\n', '—  x08go\n']) {
      const r = await verifyNote(`${text}\n${sig}`, [peterKey]);
      expect(r.ok ? 'ok' : r.code, sig).toBe('malformed_note');
    }
    // Same bytes, stray bits in the last character: Go would accept it, we do not.
    const stray = peter.base64.replace('AM=', 'AN=');
    expect(Buffer.from(stray, 'base64').equals(Buffer.from(peter.base64, 'base64'))).toBe(true);
    const r = await verifyNote(`${text}\n— PeterNeumann ${stray}\n`, [peterKey]);
    expect(r.ok ? 'ok' : r.code).toBe('malformed_note');
  });

  it('a malformed verifier key is reported, not ignored', async () => {
    const r = await verifyNote(note, [peterKey.replace('c74f20a3', 'c74f20a4')]);
    expect(r.ok ? 'ok' : r.code).toBe('malformed_verifier_key');
  });

  it('never throws on junk', async () => {
    for (const junk of [undefined, null, 42, {}, [], '', '\n\n', '— \n'] as unknown as string[]) {
      const r = await verifyNote(junk, [peterKey]);
      expect(r.ok).toBe(false);
      const r2 = await verifyNote(note, junk as unknown as string[]);
      expect(r2.ok).toBe(false);
    }
  });
});

describe('third-party checkpoints', () => {
  it('verifies a real sum.golang.org checkpoint with the Go checksum database key', async () => {
    const r = await verifyNote(sumdbCheckpoint, [sumdbKey]);
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.text).toBe('go.sum database tree\n30055305\nmXfgRcJ0bG0j3CPdKwgGWtUzBUbX67saZGRmFuJGGsM=\n');
    const tampered = sumdbCheckpoint.replace('30055305', '30055306');
    expect(await verifyNote(tampered, [sumdbKey])).toMatchObject({ ok: false, code: 'invalid_signature' });
  });

  it('verifies the sigsum-go checkpoint; our key id matches the one sigsum computed', async () => {
    const name = 'sigsum.org/v1/tree/e796172b92befd62d9dc67e41c2f5bc9d3100a3023b20b1ca40288dd1c679e69';
    const seed = new Uint8Array(32);
    seed[0] = 17;
    const pub = publicKeyFromSeed(seed);
    const vkey = await formatVerifierKey(name, pub);
    const sigId = Buffer.from(
      'gJ2ho0n8F8olcerUF1FFdv235A/5as/coWrpLrtE7ovMeP5whgwouYExowG/lTznxu6OUGjjt5yJQ6bXtTcf718MqAQ=',
      'base64',
    )
      .subarray(0, 4)
      .toString('hex');
    expect(await keyIdOf(name, pub)).toBe(sigId);
    const r = await verifyNote(sigsumCheckpoint, [vkey]);
    expect(r.ok).toBe(true);
    expect(await verifyNote(sigsumCheckpoint.replace('\n10\n', '\n11\n'), [vkey])).toMatchObject({
      code: 'invalid_signature',
    });
  });

  it('parses the C2SP example; without its key it has no verified signature', async () => {
    const parsed = parseNote(c2spCheckpoint);
    expect(parsed?.text).toBe(
      'example.com/behind-the-sofa\n20852163\nCsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=\n',
    );
    expect(parsed?.signatures).toEqual([
      {
        name: 'example.com/behind-the-sofa',
        keyId: '033de0ae',
        base64:
          'Az3grlgtzPICa5OS8npVmf1Myq/5IZniMp+ZJurmRDeOoRDe4URYN7u5/Zhcyv2q1gGzGku9nTo+zyWE+xeMcTOAYQ8=',
      },
    ]);
    expect(await verifyNote(c2spCheckpoint, [peterKey, sumdbKey])).toMatchObject({
      ok: false,
      code: 'no_verified_signature',
    });
  });
});

describe('splitNotes', () => {
  const a = `${text}\n${peterSig}`;
  const b = `${text}\n${peterSig}${enochSig}`;

  it('splits notes separated by a blank line', () => {
    expect(splitNotes(`${a}\n${b}`)).toEqual([a, b]);
    expect(splitNotes(`${a}\n${b}\n${a}`)).toEqual([a, b, a]);
    expect(splitNotes(a)).toEqual([a]);
    expect(splitNotes(`${a}\n\n\n${b}`)).toEqual([a, b]);
    expect(splitNotes('')).toEqual([]);
    expect(splitNotes('\n\n')).toEqual([]);
  });

  it('keeps blank lines inside a note text', () => {
    const withBlank = `first\n\nsecond\n\n${peterSig}`;
    expect(splitNotes(`${withBlank}\n${a}`)).toEqual([withBlank, a]);
  });

  it('returns trailing garbage as its own part, which then fails to verify', async () => {
    const parts = splitNotes(`${a}\ntrailing garbage\n`);
    expect(parts).toEqual([a, 'trailing garbage\n']);
    expect(await verifyNote(parts[1] ?? '', [peterKey])).toMatchObject({ code: 'malformed_note' });
    // A note cut off without its final newline stays malformed.
    const cut = splitNotes(`${a}\n${b.slice(0, -1)}`);
    expect(cut).toEqual([a, b.slice(0, -1)]);
  });

  it('every part of a split file verifies', async () => {
    const parts = splitNotes(`${a}\n${b}`);
    for (const p of parts) expect((await verifyNote(p, [peterKey])).ok).toBe(true);
  });
});
