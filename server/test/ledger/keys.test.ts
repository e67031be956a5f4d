import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseVerifierKey, verifyNote } from '@duban/verifier';
import { afterAll, describe, expect, it } from 'vitest';
import {
  defaultOrigin,
  isValidKeyName,
  KEY_FILE,
  LedgerKeyError,
  loadOrCreateSigner,
  parseSignerKey,
  rotateSigner,
  VERIFIER_KEYS_FILE,
  verifierKeys,
} from '../../src/ledger/keys.ts';

// golang.org/x/mod sumdb/note/note_test.go (github.com/golang/mod, commit
// 02c991387e35f9e4c0a9b7ce137717055f8d716d), TestNewSigner / TestSign / TestNewVerifier, verbatim.
const skey = 'PRIVATE+KEY+PeterNeumann+c74f20a3+AYEKFALVFGyNhPJEMzD1QIDr+Y7hfZx09iUvxdXHKDFz';
const vkey = 'PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW';
const text =
  "If you think cryptography is the answer to your problem,\nthen you don't know what your problem is.\n";
const want = `If you think cryptography is the answer to your problem,
then you don't know what your problem is.

— PeterNeumann x08go/ZJkuBS9UG/SffcvIAQxVBtiFupLLr8pAcElZInNIuGUgYN1FFYC2pZSNXgKvqfqdngotpRZb6KE6RyyBwJnAM=
`;

const dirs: string[] = [];
function tempDataDir(): string {
  const d = fs.mkdtempSync(path.join(os.tmpdir(), 'duban-keys-'));
  dirs.push(d);
  return d;
}
afterAll(() => {
  for (const d of dirs) fs.rmSync(d, { recursive: true, force: true });
});

const mode = (p: string) => fs.statSync(p).mode & 0o777;
const keyFile = (dataDir: string) => path.join(dataDir, 'ledger', KEY_FILE);
const vkeysFile = (dataDir: string) => path.join(dataDir, 'ledger', VERIFIER_KEYS_FILE);

describe('Go signer keys', () => {
  it('reproduces the Go TestSign signature exactly (Ed25519 is deterministic)', async () => {
    const signer = parseSignerKey(skey);
    expect(signer.name).toBe('PeterNeumann');
    expect(signer.keyId).toBe('c74f20a3');
    expect(signer.verifierKey).toBe(vkey);
    expect(signer.sign(text)).toBe(want);
    const r = await verifyNote(signer.sign(text), [vkey]);
    expect(r.ok).toBe(true);
  });

  it('rejects every proper substring and every single-byte increment of the signer key (Go TestNewSigner)', () => {
    const accepted: string[] = [];
    const tryKey = (k: string) => {
      try {
        parseSignerKey(k);
        accepted.push(k);
      } catch (err) {
        expect(err).toBeInstanceOf(LedgerKeyError);
      }
    };
    for (let i = 0; i <= skey.length; i++) {
      for (let j = i + 1; j <= skey.length; j++) {
        if (i !== 0 || j !== skey.length) tryKey(skey.slice(i, j));
      }
    }
    for (let i = 0; i < skey.length; i++) {
      tryKey(skey.slice(0, i) + String.fromCharCode(skey.charCodeAt(i) + 1) + skey.slice(i + 1));
    }
    expect(accepted).toEqual([]);
  });

  it('refuses to sign a text that is not a note text', () => {
    const signer = parseSignerKey(skey);
    expect(() => signer.sign('no final newline')).toThrow(LedgerKeyError);
    expect(() => signer.sign('tab\there\n')).toThrow(LedgerKeyError);
    expect(() => signer.sign('lone \ud800 surrogate\n')).toThrow(LedgerKeyError);
  });
});

describe('loadOrCreateSigner', () => {
  it('creates a Go-format key (0600 in a 0700 folder) and the verifier-keys file on first use', async () => {
    const dataDir = tempDataDir();
    const signer = loadOrCreateSigner(dataDir, 'duban.local/ledger-3f9a1c');
    expect(signer.name).toBe('duban.local/ledger-3f9a1c');
    expect(signer.keyId).toMatch(/^[0-9a-f]{8}$/);
    expect(mode(path.join(dataDir, 'ledger'))).toBe(0o700);
    expect(mode(keyFile(dataDir))).toBe(0o600);
    const content = fs.readFileSync(keyFile(dataDir), 'utf8');
    expect(content).toMatch(
      new RegExp(`^PRIVATE\\+KEY\\+duban\\.local/ledger-3f9a1c\\+${signer.keyId}\\+[A-Za-z0-9+/]{44}\\n$`),
    );
    expect(Buffer.from(content.trim().split('+').slice(4).join('+'), 'base64')[0]).toBe(0x01);
    expect(fs.readFileSync(vkeysFile(dataDir), 'utf8')).toBe(`${signer.verifierKey}\n`);
    expect(verifierKeys(dataDir)).toEqual([signer.verifierKey]);
    expect((await parseVerifierKey(signer.verifierKey))?.keyId).toBe(signer.keyId);
    // No temporary files are left behind.
    expect(fs.readdirSync(path.join(dataDir, 'ledger')).sort()).toEqual([KEY_FILE, VERIFIER_KEYS_FILE]);
  });

  it('loads the same key afterwards; the stored name wins over the one asked for', async () => {
    const dataDir = tempDataDir();
    const first = loadOrCreateSigner(dataDir, 'duban.local/ledger-aaaaaaaa');
    const again = loadOrCreateSigner(dataDir, 'duban.local/ledger-bbbbbbbb');
    expect(again.name).toBe('duban.local/ledger-aaaaaaaa');
    expect(again.verifierKey).toBe(first.verifierKey);
    expect(again.sign('x\n')).toBe(first.sign('x\n'));
    expect(verifierKeys(dataDir)).toEqual([first.verifierKey]);
  });

  it('signs notes the verifier package accepts with the published keys', async () => {
    const dataDir = tempDataDir();
    const signer = loadOrCreateSigner(dataDir, 'duban.local/ledger-12345678');
    const note = signer.sign(
      'duban.local/ledger-12345678\n0\n47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=\n',
    );
    const r = await verifyNote(note, verifierKeys(dataDir));
    expect(r.ok).toBe(true);
    if (r.ok) expect(r.signers.map((k) => k.keyId)).toEqual([signer.keyId]);
    // A different key of the same name does not verify it.
    const other = loadOrCreateSigner(tempDataDir(), 'duban.local/ledger-12345678');
    expect((await verifyNote(note, [other.verifierKey])).ok).toBe(false);
  });

  it('uses a Go-generated key file as is', async () => {
    const dataDir = tempDataDir();
    fs.mkdirSync(path.join(dataDir, 'ledger'), { mode: 0o700 });
    fs.writeFileSync(keyFile(dataDir), `${skey}\n`, { mode: 0o600 });
    const signer = loadOrCreateSigner(dataDir, 'ignored');
    expect(signer.name).toBe('PeterNeumann');
    expect(signer.sign(text)).toBe(want);
    expect(verifierKeys(dataDir)).toEqual([vkey]);
  });

  it('rejects an invalid name before creating anything', () => {
    for (const bad of ['', 'has space', 'a+b', 'tab\tname']) {
      const dataDir = tempDataDir();
      expect(() => loadOrCreateSigner(dataDir, bad)).toThrow(LedgerKeyError);
      expect(fs.existsSync(keyFile(dataDir))).toBe(false);
    }
  });

  it('refuses a key file other users can read or write', () => {
    const dataDir = tempDataDir();
    loadOrCreateSigner(dataDir, 'duban.local/ledger-perm');
    for (const m of [0o644, 0o640, 0o604, 0o620]) {
      fs.chmodSync(keyFile(dataDir), m);
      expect(() => loadOrCreateSigner(dataDir, 'duban.local/ledger-perm')).toThrow(/chmod 600/);
    }
    fs.chmodSync(keyFile(dataDir), 0o400);
    expect(loadOrCreateSigner(dataDir, 'duban.local/ledger-perm').name).toBe('duban.local/ledger-perm');
  });

  it('refuses a malformed key file or one whose key id does not match', () => {
    const cases = [
      'garbage',
      '',
      skey.replace('c74f20a3', 'c74f20a4'),
      skey.replace('PRIVATE+KEY', 'PUBLIC+KEY'),
      skey.replace('AYEK', 'AoEK'), // algorithm byte
      `${skey}AAAA`,
      vkey,
    ];
    for (const content of cases) {
      const dataDir = tempDataDir();
      fs.mkdirSync(path.join(dataDir, 'ledger'), { mode: 0o700 });
      fs.writeFileSync(keyFile(dataDir), content, { mode: 0o600 });
      expect(() => loadOrCreateSigner(dataDir, 'x'), content).toThrow(LedgerKeyError);
    }
  });

  it('refuses a malformed verifier-keys file', () => {
    const dataDir = tempDataDir();
    loadOrCreateSigner(dataDir, 'duban.local/ledger-vk');
    fs.appendFileSync(vkeysFile(dataDir), `${vkey.replace('c74f20a3', 'c74f20a4')}\n`);
    expect(() => verifierKeys(dataDir)).toThrow(/malformed verifier key/);
  });

  it('defaultOrigin gives valid, distinct names', () => {
    const a = defaultOrigin();
    expect(a).toMatch(/^duban\.local\/ledger-[0-9a-f]{8}$/);
    expect(isValidKeyName(a)).toBe(true);
    expect(defaultOrigin()).not.toBe(a);
  });
});

describe('rotateSigner', () => {
  it('replaces the key, keeps the name and keeps old checkpoints verifiable', async () => {
    const dataDir = tempDataDir();
    const old = loadOrCreateSigner(dataDir, 'duban.local/ledger-rot');
    const oldNote = old.sign('duban.local/ledger-rot\n1\n47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=\n');

    const next = rotateSigner(dataDir);
    expect(next.name).toBe(old.name);
    expect(next.keyId).not.toBe(old.keyId);
    expect(mode(keyFile(dataDir))).toBe(0o600);
    expect(verifierKeys(dataDir)).toEqual([old.verifierKey, next.verifierKey]);
    expect(fs.readFileSync(vkeysFile(dataDir), 'utf8')).toBe(`${old.verifierKey}\n${next.verifierKey}\n`);
    expect(loadOrCreateSigner(dataDir, 'whatever').verifierKey).toBe(next.verifierKey);

    const newNote = next.sign('duban.local/ledger-rot\n2\n47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=\n');
    for (const note of [oldNote, newNote])
      expect((await verifyNote(note, verifierKeys(dataDir))).ok).toBe(true);
    // The retired key alone does not verify the new checkpoint.
    expect((await verifyNote(newNote, [old.verifierKey])).ok).toBe(false);

    const third = rotateSigner(dataDir);
    expect(verifierKeys(dataDir)).toEqual([old.verifierKey, next.verifierKey, third.verifierKey]);
    expect(fs.readdirSync(path.join(dataDir, 'ledger')).sort()).toEqual([KEY_FILE, VERIFIER_KEYS_FILE]);
  });

  it('fails when there is no key yet; verifierKeys is then empty', () => {
    const dataDir = tempDataDir();
    expect(() => rotateSigner(dataDir)).toThrow(LedgerKeyError);
    expect(verifierKeys(dataDir)).toEqual([]);
  });
});
