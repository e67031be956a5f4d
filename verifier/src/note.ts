/**
 * C2SP signed notes (https://c2sp.org/signed-note), Ed25519 only, over WebCrypto.
 *
 * Behaviour follows golang.org/x/mod/sumdb/note (the reference implementation), with two deliberate
 * tightenings: base64 must be canonical (padded, no stray bits), and *every* signature line by a
 * known key is verified (Go skips repeated lines of an already-seen key; the spec says a failing
 * signature by a known key SHOULD reject the note, so we do).
 *
 *   note      = text "\n" 1*sigline          text ends in "\n"; split at the last "\n\n"
 *   sigline   = "— " name " " base64(keyId[4] ‖ signature) "\n"
 *   keyId     = SHA-256(name ‖ 0x0A ‖ 0x01 ‖ publicKey[32])[:4]   (Ed25519, signature type 0x01)
 *   verifier  = name "+" hex8(keyId) "+" base64(0x01 ‖ publicKey)
 *
 * Nothing here throws on malformed input: parsers return null, verifyNote returns a result.
 */
import {
  base64Decode,
  base64Encode,
  bytesEqual,
  concatBytes,
  hexEncode,
  isWellFormedString,
  sha256,
  utf8Decode,
  utf8Encode,
} from './bytes.ts';

/** Signature type identifier of Ed25519 in signed notes and verifier keys. */
export const ALG_ED25519 = 0x01;
/** Most signature lines accepted in one note (the Go reference limit). */
export const MAX_SIGNATURES = 100;
/** The em dash (U+2014) and space that start every signature line. */
export const SIGNATURE_PREFIX = '\u2014 ';

/** A parsed Ed25519 verifier key. */
export type VerifierKey = {
  name: string;
  /** 8 lowercase hex digits. */
  keyId: string;
  /** The 32-byte Ed25519 public key. */
  publicKey: Uint8Array;
  /** Canonical text form `name+keyid+base64(0x01 ‖ publicKey)`. */
  text: string;
};

/** One signature line of a note. */
export type NoteSignature = {
  name: string;
  /** 8 lowercase hex digits, from the first 4 bytes of the decoded signature. */
  keyId: string;
  /** The base64 text as it appears in the note. */
  base64: string;
};

export type ParsedNote = {
  /** The signed text, including its final newline, without the blank separator line. */
  text: string;
  signatures: NoteSignature[];
};

export type NoteErrorCode =
  | 'malformed_note'
  | 'malformed_verifier_key'
  | 'ambiguous_key'
  | 'invalid_signature'
  | 'no_verified_signature';

export type NoteVerification =
  | {
      ok: true;
      text: string;
      /** Known keys whose signatures verified, in the order of their first signature line. */
      signers: VerifierKey[];
      /** Signature lines by keys not in the list (ignored, as the spec requires). */
      unverified: NoteSignature[];
    }
  | {
      ok: false;
      code: NoteErrorCode;
      message: string;
      /** Present when the note parsed: its text (NOT authenticated) and signature lines. */
      note?: ParsedNote;
      /** The key concerned, for ambiguous_key and invalid_signature. */
      key?: { name: string; keyId: string };
    };

// Go's unicode.IsSpace: ASCII \t \n \v \f \r and space, U+0085, U+00A0 and the Unicode Z category.
const UNICODE_SPACE = /[\t\n\v\f\r \u0085\u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]/;

/** Key-name rule of the spec: non-empty, well-formed Unicode, no Unicode spaces, no '+'. */
export function isValidKeyName(name: unknown): name is string {
  return (
    typeof name === 'string' &&
    name !== '' &&
    isWellFormedString(name) &&
    !UNICODE_SPACE.test(name) &&
    !name.includes('+')
  );
}

/** The 4-byte Ed25519 key id: SHA-256(name ‖ 0x0A ‖ 0x01 ‖ publicKey)[:4], as 8 lowercase hex digits. */
export async function keyIdOf(name: string, publicKey: Uint8Array): Promise<string> {
  const digest = await sha256(utf8Encode(`${name}\n`), Uint8Array.of(ALG_ED25519), publicKey);
  return hexEncode(digest.subarray(0, 4));
}

/**
 * The verifier key text `name+keyid+base64(0x01 ‖ publicKey)`. Throws RangeError for an invalid
 * name or a public key that is not 32 bytes (this is a producer, not a verifier).
 */
export async function formatVerifierKey(name: string, publicKey: Uint8Array): Promise<string> {
  if (!isValidKeyName(name)) throw new RangeError(`invalid key name ${JSON.stringify(name)}`);
  if (!(publicKey instanceof Uint8Array) || publicKey.length !== 32) {
    throw new RangeError('an Ed25519 public key is 32 bytes');
  }
  const id = await keyIdOf(name, publicKey);
  return `${name}+${id}+${base64Encode(concatBytes(Uint8Array.of(ALG_ED25519), publicKey))}`;
}

/**
 * Parses `name+keyid+base64(0x01 ‖ publicKey)` (split at the first two '+'; the base64 may contain
 * '+'). Null unless the name is valid, the id is 8 hex digits, the key is an Ed25519 key of 32 bytes
 * and the id matches the name and key.
 */
export async function parseVerifierKey(text: unknown): Promise<VerifierKey | null> {
  try {
    if (typeof text !== 'string') return null;
    const p1 = text.indexOf('+');
    const p2 = p1 < 0 ? -1 : text.indexOf('+', p1 + 1);
    if (p2 < 0) return null;
    const name = text.slice(0, p1);
    const idText = text.slice(p1 + 1, p2);
    const key = base64Decode(text.slice(p2 + 1));
    if (!isValidKeyName(name) || !/^[0-9a-fA-F]{8}$/.test(idText) || key === null) return null;
    if (key.length !== 33 || key[0] !== ALG_ED25519) return null;
    const publicKey = key.slice(1);
    const keyId = await keyIdOf(name, publicKey);
    if (keyId !== idText.toLowerCase()) return null;
    return { name, keyId, publicKey, text: `${name}+${keyId}+${base64Encode(key)}` };
  } catch {
    return null;
  }
}

function hasForbiddenControl(text: string): boolean {
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c < 0x20 && c !== 0x0a) return true;
  }
  return false;
}

/**
 * Splits a signed note into its text and signature lines, checking the syntax only (no signature is
 * verified). Null when malformed: invalid UTF-8, control characters other than newline, no blank
 * line before the signatures, a signature block not ending in newline, a bad signature line (prefix,
 * key name, base64, fewer than 5 bytes) or more than MAX_SIGNATURES lines.
 */
export function parseNote(note: string | Uint8Array): ParsedNote | null {
  try {
    const msg = typeof note === 'string' ? note : utf8Decode(note);
    if (msg === null || typeof msg !== 'string' || !isWellFormedString(msg) || hasForbiddenControl(msg)) {
      return null;
    }
    const split = msg.lastIndexOf('\n\n');
    if (split < 0) return null;
    const text = msg.slice(0, split + 1);
    const block = msg.slice(split + 2);
    if (block === '' || !block.endsWith('\n')) return null;
    const lines = block.slice(0, -1).split('\n');
    if (lines.length > MAX_SIGNATURES) return null;
    const signatures: NoteSignature[] = [];
    for (const line of lines) {
      if (!line.startsWith(SIGNATURE_PREFIX)) return null;
      const rest = line.slice(SIGNATURE_PREFIX.length);
      const sp = rest.indexOf(' ');
      const name = sp < 0 ? rest : rest.slice(0, sp);
      const b64 = sp < 0 ? '' : rest.slice(sp + 1);
      const sig = base64Decode(b64);
      if (!isValidKeyName(name) || b64 === '' || sig === null || sig.length < 5) return null;
      signatures.push({ name, keyId: hexEncode(sig.subarray(0, 4)), base64: b64 });
    }
    return { text, signatures };
  } catch {
    return null;
  }
}

async function ed25519Verify(publicKey: Uint8Array, signature: Uint8Array, message: Uint8Array) {
  try {
    if (signature.length !== 64) return false;
    const subtle = globalThis.crypto.subtle;
    const key = await subtle.importKey('raw', new Uint8Array(publicKey), { name: 'Ed25519' }, false, [
      'verify',
    ]);
    return await subtle.verify({ name: 'Ed25519' }, key, new Uint8Array(signature), new Uint8Array(message));
  } catch {
    return false;
  }
}

/**
 * Opens a signed note against a list of verifier keys (text form or parsed). Signatures by unknown
 * keys (name and key id not both matching a listed key) are ignored; every signature by a known key
 * must verify (else `invalid_signature`); at least one must (else `no_verified_signature`). A key
 * listed twice with different public keys under the same name and id is `ambiguous_key` if used.
 * Never throws or rejects.
 */
export async function verifyNote(
  note: string | Uint8Array,
  verifierKeys: readonly (string | VerifierKey)[],
): Promise<NoteVerification> {
  try {
    const known = new Map<string, VerifierKey[]>();
    for (const k of Array.isArray(verifierKeys) ? verifierKeys : []) {
      const key = typeof k === 'string' ? await parseVerifierKey(k) : await parseVerifierKey(k?.text);
      if (key === null) {
        return {
          ok: false,
          code: 'malformed_verifier_key',
          message: `malformed verifier key ${JSON.stringify(typeof k === 'string' ? k : k?.text)}`,
        };
      }
      const id = `${key.name}+${key.keyId}`;
      const list = known.get(id) ?? [];
      if (!list.some((other) => bytesEqual(other.publicKey, key.publicKey))) list.push(key);
      known.set(id, list);
    }

    const parsed = parseNote(note);
    if (parsed === null) return { ok: false, code: 'malformed_note', message: 'malformed note' };
    const message = utf8Encode(parsed.text);
    const signers: VerifierKey[] = [];
    const unverified: NoteSignature[] = [];
    const seenLines = new Set<string>();
    for (const sig of parsed.signatures) {
      const lineKey = `${sig.name} ${sig.base64}`;
      if (seenLines.has(lineKey)) continue; // identical repeated line
      seenLines.add(lineKey);
      const id = `${sig.name}+${sig.keyId}`;
      const candidates = known.get(id);
      if (candidates === undefined) {
        unverified.push(sig);
        continue;
      }
      const keyRef = { name: sig.name, keyId: sig.keyId };
      const [key, ...others] = candidates;
      if (key === undefined || others.length > 0) {
        return {
          ok: false,
          code: 'ambiguous_key',
          message: `ambiguous key ${id}`,
          note: parsed,
          key: keyRef,
        };
      }
      const raw = base64Decode(sig.base64);
      if (raw === null || !(await ed25519Verify(key.publicKey, raw.subarray(4), message))) {
        return {
          ok: false,
          code: 'invalid_signature',
          message: `invalid signature for key ${id}`,
          note: parsed,
          key: keyRef,
        };
      }
      if (!signers.includes(key)) signers.push(key);
    }
    if (signers.length === 0) {
      return {
        ok: false,
        code: 'no_verified_signature',
        message: 'note has no verifiable signatures',
        note: parsed,
      };
    }
    return { ok: true, text: parsed.text, signers, unverified };
  } catch (err) {
    return { ok: false, code: 'malformed_note', message: `malformed note (${String(err)})` };
  }
}

/**
 * Splits a file holding several signed notes one after another (each note ends after its signature
 * lines; notes are separated by a blank line — extra blank lines are tolerated) into the notes, each
 * ending in newline. A trailing part without signature lines is returned as is, so that verifying it
 * reports it as malformed. Never throws.
 */
export function splitNotes(text: string): string[] {
  if (typeof text !== 'string' || text === '') return [];
  const lines = text.split('\n');
  const endsWithNewline = lines[lines.length - 1] === '';
  if (endsWithNewline) lines.pop();
  const notes: string[] = [];
  let current: string[] = [];
  let inSignatures = false;
  for (const line of lines) {
    if (inSignatures && !line.startsWith(SIGNATURE_PREFIX)) {
      notes.push(`${current.join('\n')}\n`);
      current = [];
      inSignatures = false;
    }
    if (current.length === 0 && line === '') continue; // separator blank line(s)
    if (!inSignatures && line.startsWith(SIGNATURE_PREFIX) && current[current.length - 1] === '') {
      inSignatures = true;
    }
    current.push(line);
  }
  if (current.length > 0) notes.push(current.join('\n') + (endsWithNewline ? '\n' : ''));
  return notes;
}
