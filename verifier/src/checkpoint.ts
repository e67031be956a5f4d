/**
 * C2SP tlog-checkpoint note bodies (https://c2sp.org/tlog-checkpoint):
 *
 *   <origin>\n<decimal tree size>\n<base64 root hash>\n[<extension line>\n]*
 *
 * The origin must be non-empty; the size is ASCII decimal without leading zeros (just "0" for the
 * empty tree); the root hash is canonical standard base64 of exactly 32 bytes; extension lines, if
 * any, are non-empty. This is only the note *text*: verify the signature (note.ts) before trusting it.
 */
import { base64Decode, base64Encode } from './bytes.ts';

export type Checkpoint = {
  origin: string;
  size: number;
  rootHash: Uint8Array;
  /** Extension lines (opaque, usually none). */
  extensions: string[];
};

const SIZE = /^(0|[1-9][0-9]*)$/;

/** Strict parse of a checkpoint body; null when malformed (sizes beyond 2^53 - 1 included). */
export function parseCheckpoint(text: unknown): Checkpoint | null {
  if (typeof text !== 'string' || !text.endsWith('\n')) return null;
  const lines = text.slice(0, -1).split('\n');
  const [origin, sizeText, rootText, ...extensions] = lines;
  if (origin === undefined || sizeText === undefined || rootText === undefined) return null;
  if (origin === '' || !SIZE.test(sizeText)) return null;
  const size = Number(sizeText);
  if (!Number.isSafeInteger(size)) return null;
  const rootHash = base64Decode(rootText);
  if (rootHash === null || rootHash.length !== 32) return null;
  if (extensions.some((line) => line === '')) return null;
  return { origin, size, rootHash, extensions };
}

/**
 * Formats a checkpoint body. Throws RangeError on an invalid origin (empty or containing a newline),
 * size (not a non-negative safe integer), root hash (not 32 bytes) or extension line.
 */
export function formatCheckpoint(cp: {
  origin: string;
  size: number;
  rootHash: Uint8Array;
  extensions?: readonly string[];
}): string {
  if (typeof cp.origin !== 'string' || cp.origin === '' || cp.origin.includes('\n')) {
    throw new RangeError('checkpoint origin must be a non-empty single line');
  }
  if (!Number.isSafeInteger(cp.size) || cp.size < 0) {
    throw new RangeError(`invalid checkpoint size ${cp.size}`);
  }
  if (!(cp.rootHash instanceof Uint8Array) || cp.rootHash.length !== 32) {
    throw new RangeError('checkpoint root hash must be 32 bytes');
  }
  const extensions = cp.extensions ?? [];
  for (const line of extensions) {
    if (typeof line !== 'string' || line === '' || line.includes('\n')) {
      throw new RangeError('checkpoint extension lines must be non-empty single lines');
    }
  }
  return [cp.origin, String(cp.size), base64Encode(cp.rootHash), ...extensions].map((l) => `${l}\n`).join('');
}
