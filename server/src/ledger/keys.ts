/**
 * The ledger's checkpoint signing key (Ed25519), kept in the data folder — never in the database, so
 * a database dump or a replica cannot sign checkpoints.
 *
 *   <dataDir>/ledger/                 mode 0700
 *   <dataDir>/ledger/signing.key      mode 0600, `PRIVATE+KEY+<name>+<hexid>+<base64(0x01 ‖ seed)>`
 *   <dataDir>/ledger/verifier-keys    one verifier key `<name>+<hexid>+<base64(0x01 ‖ public key)>`
 *                                     per line: retired keys first, the current key last
 *
 * The formats are those of golang.org/x/mod/sumdb/note (signer and verifier keys) and signatures are
 * C2SP signed-note lines, so Go tooling can use the same key files. The name is the log origin.
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';

export type Signer = {
  /** Key name (the log origin). */
  name: string;
  /** 8 lowercase hex digits. */
  keyId: string;
  /** `name+hexid+base64(0x01 ‖ publicKey)` */
  verifierKey: string;
  publicKey: Uint8Array;
  /** Signs a note text (must end in newline): returns the text, a blank line and the signature line. */
  sign(text: string): string;
};

const ALG_ED25519 = 0x01;
// PKCS#8 DER for an Ed25519 private key, followed by the 32-byte seed (RFC 8410).
const PKCS8_ED25519_PREFIX = Buffer.from('302e020100300506032b657004220420', 'hex');
const SIGNATURE_PREFIX = '\u2014 ';
// Go's unicode.IsSpace set (ASCII whitespace, U+0085, U+00A0 and the Unicode Z category).
const UNICODE_SPACE = /[\t\n\v\f\r \u0085\u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]/;

export const KEY_FILE = 'signing.key';
export const VERIFIER_KEYS_FILE = 'verifier-keys';

export class LedgerKeyError extends Error {
  override name = 'LedgerKeyError';
}

/** The signed-note key-name rule: non-empty, well-formed Unicode, no spaces, no '+'. */
export function isValidKeyName(name: string): boolean {
  return (
    typeof name === 'string' &&
    name !== '' &&
    Buffer.from(name, 'utf8').toString('utf8') === name && // no lone surrogates
    !UNICODE_SPACE.test(name) &&
    !name.includes('+')
  );
}

/** A fresh log origin: `duban.local/ledger-<8 random hex>`. */
export function defaultOrigin(): string {
  return `duban.local/ledger-${crypto.randomBytes(4).toString('hex')}`;
}

/** SHA-256(name ‖ 0x0A ‖ 0x01 ‖ publicKey)[:4] as 8 lowercase hex digits. */
export function keyId(name: string, publicKey: Uint8Array): string {
  return crypto
    .createHash('sha256')
    .update(`${name}\n`, 'utf8')
    .update(Uint8Array.of(ALG_ED25519))
    .update(publicKey)
    .digest()
    .subarray(0, 4)
    .toString('hex');
}

function strictBase64(text: string): Buffer | null {
  if (!/^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/.test(text)) return null;
  const bytes = Buffer.from(text, 'base64');
  return bytes.toString('base64') === text ? bytes : null;
}

function privateKeyFromSeed(seed: Uint8Array): crypto.KeyObject {
  return crypto.createPrivateKey({
    key: Buffer.concat([PKCS8_ED25519_PREFIX, seed]),
    format: 'der',
    type: 'pkcs8',
  });
}

function publicKeyOf(privateKey: crypto.KeyObject): Buffer {
  const spki = crypto.createPublicKey(privateKey).export({ format: 'der', type: 'spki' });
  return spki.subarray(spki.length - 32);
}

/** The verifier key text for a name and 32-byte Ed25519 public key. */
export function formatVerifierKey(name: string, publicKey: Uint8Array): string {
  if (!isValidKeyName(name)) throw new LedgerKeyError(`invalid key name ${JSON.stringify(name)}`);
  if (publicKey.length !== 32) throw new LedgerKeyError('an Ed25519 public key is 32 bytes');
  const encoded = Buffer.concat([Uint8Array.of(ALG_ED25519), publicKey]).toString('base64');
  return `${name}+${keyId(name, publicKey)}+${encoded}`;
}

/** The Go signer key text `PRIVATE+KEY+name+hexid+base64(0x01 ‖ seed)`. */
function formatSignerKey(name: string, seed: Uint8Array): string {
  const publicKey = publicKeyOf(privateKeyFromSeed(seed));
  const encoded = Buffer.concat([Uint8Array.of(ALG_ED25519), seed]).toString('base64');
  return `PRIVATE+KEY+${name}+${keyId(name, publicKey)}+${encoded}`;
}

function makeSigner(name: string, privateKey: crypto.KeyObject): Signer {
  const publicKey = publicKeyOf(privateKey);
  const id = keyId(name, publicKey);
  const idBytes = Buffer.from(id, 'hex');
  return {
    name,
    keyId: id,
    verifierKey: formatVerifierKey(name, publicKey),
    publicKey: new Uint8Array(publicKey),
    sign(text: string): string {
      if (typeof text !== 'string' || !text.endsWith('\n')) {
        throw new LedgerKeyError('a note text must end in a newline');
      }
      for (let i = 0; i < text.length; i++) {
        const c = text.charCodeAt(i);
        if (c < 0x20 && c !== 0x0a)
          throw new LedgerKeyError('a note text must not contain control characters');
      }
      if (Buffer.from(text, 'utf8').toString('utf8') !== text) {
        throw new LedgerKeyError('a note text must be well-formed Unicode');
      }
      const signature = crypto.sign(null, Buffer.from(text, 'utf8'), privateKey);
      const encoded = Buffer.concat([idBytes, signature]).toString('base64');
      return `${text}\n${SIGNATURE_PREFIX}${name} ${encoded}\n`;
    },
  };
}

/**
 * Parses a Go-format signer key (`PRIVATE+KEY+<name>+<hexid>+<base64(0x01 ‖ 32-byte seed)>`),
 * checking that the key id matches the name and the derived public key. Throws LedgerKeyError.
 */
export function parseSignerKey(text: string): Signer {
  const parts = text.split('+');
  // The base64 may itself contain '+': everything after the fourth '+' is the key.
  const [priv, key, name, id] = parts;
  const encoded = parts.slice(4).join('+');
  if (priv !== 'PRIVATE' || key !== 'KEY' || name === undefined || id === undefined || parts.length < 5) {
    throw new LedgerKeyError('malformed signer key (expected PRIVATE+KEY+<name>+<hexid>+<key>)');
  }
  if (!isValidKeyName(name))
    throw new LedgerKeyError(`invalid key name ${JSON.stringify(name)} in signer key`);
  if (!/^[0-9a-fA-F]{8}$/.test(id)) throw new LedgerKeyError('malformed key id in signer key');
  const raw = strictBase64(encoded);
  if (raw === null || raw.length !== 33) throw new LedgerKeyError('malformed key data in signer key');
  if (raw[0] !== ALG_ED25519) throw new LedgerKeyError('signer key is not an Ed25519 key');
  const signer = makeSigner(name, privateKeyFromSeed(raw.subarray(1)));
  if (signer.keyId !== id.toLowerCase()) {
    throw new LedgerKeyError(`signer key id ${id} does not match its key (expected ${signer.keyId})`);
  }
  return signer;
}

function ledgerDir(dataDir: string): string {
  return path.join(dataDir, 'ledger');
}

function readKeyFile(file: string): Signer {
  const stat = fs.statSync(file);
  if (process.platform !== 'win32' && (stat.mode & 0o077) !== 0) {
    throw new LedgerKeyError(
      `${file} is readable or writable by other users (mode ${(stat.mode & 0o777).toString(8)}); ` +
        `restrict it with: chmod 600 ${file}`,
    );
  }
  const text = fs.readFileSync(file, 'utf8');
  const line = text.endsWith('\n') ? text.slice(0, -1) : text;
  try {
    return parseSignerKey(line);
  } catch (err) {
    throw new LedgerKeyError(`${file}: ${(err as Error).message}`);
  }
}

/** Writes a file atomically via a temporary file; with `exclusive`, fails (EEXIST) if it exists. */
function writeAtomic(file: string, content: string, mode: number, exclusive: boolean): void {
  const tmp = `${file}.${process.pid}.${crypto.randomBytes(4).toString('hex')}.tmp`;
  fs.writeFileSync(tmp, content, { mode, flag: 'wx' });
  try {
    fs.chmodSync(tmp, mode); // the umask may have removed bits we want (never adds any)
    if (exclusive) fs.linkSync(tmp, file);
    else fs.renameSync(tmp, file);
  } finally {
    fs.rmSync(tmp, { force: true });
  }
}

function readVerifierKeyLines(dataDir: string): string[] {
  const file = path.join(ledgerDir(dataDir), VERIFIER_KEYS_FILE);
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw err;
  }
  const lines = text
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l !== '');
  for (const l of lines) checkVerifierKey(l, file);
  return [...new Set(lines)];
}

/** Validates a verifier key line (name rule, Ed25519 key of 32 bytes, matching key id). */
function checkVerifierKey(line: string, file: string): void {
  const p1 = line.indexOf('+');
  const p2 = p1 < 0 ? -1 : line.indexOf('+', p1 + 1);
  const raw = p2 < 0 ? null : strictBase64(line.slice(p2 + 1));
  const name = line.slice(0, Math.max(p1, 0));
  const ok =
    raw !== null &&
    raw.length === 33 &&
    raw[0] === ALG_ED25519 &&
    isValidKeyName(name) &&
    keyId(name, raw.subarray(1)) === line.slice(p1 + 1, p2).toLowerCase();
  if (!ok) throw new LedgerKeyError(`${file}: malformed verifier key ${JSON.stringify(line)}`);
}

/** Makes sure `current` is listed in verifier-keys, as the last line. */
function recordVerifierKey(dataDir: string, current: string): void {
  const lines = readVerifierKeyLines(dataDir);
  if (lines[lines.length - 1] === current) return;
  const next = [...lines.filter((l) => l !== current), current];
  writeAtomic(path.join(ledgerDir(dataDir), VERIFIER_KEYS_FILE), `${next.join('\n')}\n`, 0o644, false);
}

function ensureDir(dataDir: string): string {
  const dir = ledgerDir(dataDir);
  fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
  return dir;
}

/**
 * Loads the signing key from `<dataDir>/ledger/signing.key`, creating it (named `name`) on first use.
 * An existing key keeps its stored name — compare `signer.name` with the expected origin. Throws
 * LedgerKeyError for an invalid name, a malformed key file or one other users can access.
 */
export function loadOrCreateSigner(dataDir: string, name: string): Signer {
  const file = path.join(ensureDir(dataDir), KEY_FILE);
  if (!fs.existsSync(file)) {
    if (!isValidKeyName(name)) {
      throw new LedgerKeyError(
        `invalid signing key name ${JSON.stringify(name)}: it must be non-empty, without spaces or '+'`,
      );
    }
    try {
      writeAtomic(file, `${formatSignerKey(name, crypto.randomBytes(32))}\n`, 0o600, true);
    } catch (err) {
      // Another process created it first: use theirs.
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    }
  }
  const signer = readKeyFile(file);
  recordVerifierKey(dataDir, signer.verifierKey);
  return signer;
}

/**
 * Replaces the signing key with a new one of the same name. The new verifier key is appended to
 * verifier-keys before the key file is replaced, and the old verifier keys stay, so every checkpoint
 * signed before or after remains verifiable. Returns the new signer.
 */
export function rotateSigner(dataDir: string): Signer {
  const file = path.join(ensureDir(dataDir), KEY_FILE);
  if (!fs.existsSync(file)) throw new LedgerKeyError(`no signing key to rotate in ${ledgerDir(dataDir)}`);
  const old = readKeyFile(file);
  recordVerifierKey(dataDir, old.verifierKey);
  const text = formatSignerKey(old.name, crypto.randomBytes(32));
  const next = parseSignerKey(text);
  recordVerifierKey(dataDir, next.verifierKey);
  writeAtomic(file, `${text}\n`, 0o600, false);
  return next;
}

/** All verifier keys (retired ones and the current one, current last); [] before the first key. */
export function verifierKeys(dataDir: string): string[] {
  const lines = readVerifierKeyLines(dataDir);
  const file = path.join(ledgerDir(dataDir), KEY_FILE);
  if (!fs.existsSync(file)) return lines;
  const current = readKeyFile(file).verifierKey;
  return [...lines.filter((l) => l !== current), current];
}
