/**
 * Verification of Duban evidence packages (证据包): an item's ledger entries with RFC 6962 inclusion
 * proofs against one signed checkpoint. Runs offline in Node and browsers; never throws or rejects.
 *
 * What a successful report means: the checkpoint is a C2SP signed note signed by the log's key (a key
 * whose name is the checkpoint origin) from the package's verifier keys — and, when `trustedKeys` is
 * given, by one of those; each entry's exact UTF-8 bytes are the leaf at its index in the tree the
 * checkpoint commits to; each entry is canonical JSON (RFC 8785) of a ledger event whose `seq` is
 * index + 1 and whose `itemId` is the package's. It does NOT show that the package lists every event
 * of the item: only the log (or a monitor holding it) can show that.
 */
import { base64Decode, base64Encode, utf8Encode } from './bytes.ts';
import { parseCheckpoint } from './checkpoint.ts';
import { leafHash, verifyInclusion } from './merkle.ts';
import { parseVerifierKey, type VerifierKey, verifyNote } from './note.ts';

export const EVIDENCE_FORMAT = 'duban.evidence/v1';

export type EvidencePackage = {
  format: 'duban.evidence/v1';
  itemId: string;
  /** ISO 8601 timestamp. */
  generatedAt: string;
  /** The full signed note text of the checkpoint the proofs were computed against. */
  checkpoint: string;
  /** Verifier keys (current and retired) as `name+hexid+base64`. */
  verifierKeys: string[];
  /** `entry` is the exact canonical JSON text of the leaf; proof elements are base64. */
  entries: { index: number; entry: string; inclusionProof: string[] }[];
  /** The item's events not yet covered by the checkpoint. */
  pending: number;
};

export type EvidenceProblemCode =
  | 'package_malformed'
  | 'format_unsupported'
  | 'verifier_key_malformed'
  | 'trusted_key_malformed'
  | 'checkpoint_note_malformed'
  | 'verifier_key_ambiguous'
  | 'signature_invalid'
  | 'no_verified_signature'
  | 'checkpoint_malformed'
  | 'log_signature_missing'
  | 'key_untrusted'
  | 'entries_out_of_order'
  | 'duplicate_index'
  | 'index_out_of_range'
  | 'proof_malformed'
  | 'entry_malformed'
  | 'entry_not_canonical'
  | 'seq_mismatch'
  | 'item_mismatch'
  | 'inclusion_failed';

export type EvidenceWarningCode = 'key_not_pinned';

export type EvidenceProblem = {
  code: EvidenceProblemCode;
  /** Chinese. */
  message: string;
  messageEn: string;
  /** The entry's leaf index, for entry problems. */
  index?: number;
};

export type EvidenceWarning = { code: EvidenceWarningCode; message: string; messageEn: string };

export type EvidenceEntryReport = {
  index: number;
  type?: string;
  ok: boolean;
  /** The first problem found with this entry (all of them are in the report's `problems`). */
  problem?: EvidenceProblem;
};

export type EvidenceReport = {
  /** True iff there are no problems. */
  ok: boolean;
  itemId?: string;
  /** The verified checkpoint (absent when its signature or syntax did not check out). */
  checkpoint?: { origin: string; size: number; rootHash: string };
  /** Keys from the package whose signatures on the checkpoint verified. */
  signedBy: { name: string; keyId: string }[];
  /**
   * True iff the log's signing key (a verified signer named as the checkpoint origin) is one of
   * `trustedKeys`; always false when none were given (see the `key_not_pinned` warning).
   */
  keyTrusted: boolean;
  /** One per package entry, in package order; empty when the checkpoint itself did not verify. */
  entries: EvidenceEntryReport[];
  /** Everything wrong, package-level and per entry (entry problems carry `index`). */
  problems: EvidenceProblem[];
  /** Not failures, but limits of what was shown (e.g. no pinned key was given). */
  warnings: EvidenceWarning[];
};

export type VerifyEvidenceOptions = {
  /** Verifier keys the reader trusts, obtained independently of the package (e.g. published). */
  trustedKeys?: readonly string[];
};

// ------------------------------------------------------------------------------------------------
// Shape validation (plain code: the package stays dependency-free)
// ------------------------------------------------------------------------------------------------

const TOP_KEYS = ['format', 'itemId', 'generatedAt', 'checkpoint', 'verifierKeys', 'entries', 'pending'];
const ENTRY_KEYS = ['index', 'entry', 'inclusionProof'];
const EVENT_KEYS = ['actorId', 'id', 'itemId', 'occurredAt', 'payload', 'seq', 'type'];
const UUID = /^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$/;
const ISO_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,9})?(Z|[+-]\d{2}:\d{2})$/;
/** Entries beyond this are refused (a package for one item is far smaller; bounds the work). */
const MAX_ENTRIES = 100_000;
/** Longest inclusion proof for a tree of at most 2^53 - 1 leaves. */
const MAX_PROOF = 53;

function isRecord(x: unknown): x is Record<string, unknown> {
  return typeof x === 'object' && x !== null && !Array.isArray(x);
}

function isIndex(x: unknown): x is number {
  return typeof x === 'number' && Number.isSafeInteger(x) && x >= 0;
}

function isIsoTime(x: unknown): x is string {
  return typeof x === 'string' && ISO_TIME.test(x) && Number.isFinite(Date.parse(x));
}

function unknownKeys(obj: Record<string, unknown>, allowed: readonly string[]): string[] {
  return Object.keys(obj).filter((k) => !allowed.includes(k));
}

/** Returns the shape errors (English) of a would-be package; empty when well-formed. */
function shapeErrors(pkg: Record<string, unknown>): string[] {
  const errors: string[] = [];
  const extra = unknownKeys(pkg, TOP_KEYS);
  if (extra.length > 0) errors.push(`unknown fields: ${extra.join(', ')}`);
  if (typeof pkg.itemId !== 'string' || !UUID.test(pkg.itemId)) errors.push('itemId must be a UUID');
  if (!isIsoTime(pkg.generatedAt)) errors.push('generatedAt must be an ISO 8601 timestamp');
  if (typeof pkg.checkpoint !== 'string' || pkg.checkpoint === '') {
    errors.push('checkpoint must be a non-empty string');
  }
  if (!Array.isArray(pkg.verifierKeys) || !pkg.verifierKeys.every((k) => typeof k === 'string')) {
    errors.push('verifierKeys must be an array of strings');
  }
  if (!isIndex(pkg.pending)) errors.push('pending must be a non-negative integer');
  if (!Array.isArray(pkg.entries)) {
    errors.push('entries must be an array');
  } else if (pkg.entries.length > MAX_ENTRIES) {
    errors.push(`more than ${MAX_ENTRIES} entries`);
  } else {
    pkg.entries.forEach((e: unknown, i) => {
      if (!isRecord(e)) {
        errors.push(`entries[${i}] must be an object`);
        return;
      }
      const extraE = unknownKeys(e, ENTRY_KEYS);
      if (extraE.length > 0) errors.push(`entries[${i}]: unknown fields: ${extraE.join(', ')}`);
      if (!isIndex(e.index)) errors.push(`entries[${i}].index must be a non-negative integer`);
      if (typeof e.entry !== 'string') errors.push(`entries[${i}].entry must be a string`);
      if (
        !Array.isArray(e.inclusionProof) ||
        e.inclusionProof.length > MAX_PROOF ||
        !e.inclusionProof.every((p) => typeof p === 'string')
      ) {
        errors.push(`entries[${i}].inclusionProof must be an array of at most ${MAX_PROOF} strings`);
      }
    });
  }
  return errors;
}

// ------------------------------------------------------------------------------------------------
// RFC 8785 canonical JSON (for parsed JSON values: null, booleans, finite numbers, strings, arrays,
// objects). Numbers and strings serialise as ECMAScript JSON.stringify does, which is what JCS
// specifies; object keys sort by UTF-16 code units, which is Array.prototype.sort's default order.
// ------------------------------------------------------------------------------------------------

function canonicalJson(value: unknown): string {
  if (value === null || typeof value === 'boolean' || typeof value === 'string') return JSON.stringify(value);
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) throw new TypeError('non-finite number');
    return JSON.stringify(value);
  }
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (isRecord(value)) {
    const keys = Object.keys(value).sort();
    return `{${keys.map((k) => `${JSON.stringify(k)}:${canonicalJson(value[k])}`).join(',')}}`;
  }
  throw new TypeError(`not a JSON value: ${typeof value}`);
}

// ------------------------------------------------------------------------------------------------
// Messages
// ------------------------------------------------------------------------------------------------

function problem(code: EvidenceProblemCode, message: string, messageEn: string, index?: number) {
  const p: EvidenceProblem = { code, message, messageEn };
  if (index !== undefined) p.index = index;
  return p;
}

function entryProblem(code: EvidenceProblemCode, index: number, detailZh: string, detailEn: string) {
  return problem(
    code,
    `位置 ${index}（序号 ${index + 1}）的记录：${detailZh}`,
    `entry ${index}: ${detailEn}`,
    index,
  );
}

function emptyReport(): EvidenceReport {
  return { ok: false, signedBy: [], keyTrusted: false, entries: [], problems: [], warnings: [] };
}

function sameKey(a: VerifierKey, b: VerifierKey): boolean {
  return a.text === b.text;
}

// ------------------------------------------------------------------------------------------------
// Entry checks
// ------------------------------------------------------------------------------------------------

type Entry = { index: number; entry: string; inclusionProof: string[] };

/** Checks one entry's JSON content; returns its type (when readable) and problems. */
function checkEntryContent(e: Entry, itemId: string): { type?: string; problems: EvidenceProblem[] } {
  const problems: EvidenceProblem[] = [];
  let parsed: unknown;
  try {
    parsed = JSON.parse(e.entry);
  } catch {
    problems.push(
      entryProblem('entry_malformed', e.index, '记录内容不是合法的 JSON', 'the entry is not valid JSON'),
    );
    return { problems };
  }
  if (!isRecord(parsed)) {
    problems.push(
      entryProblem('entry_malformed', e.index, '记录内容不是 JSON 对象', 'the entry is not a JSON object'),
    );
    return { problems };
  }
  const type = typeof parsed.type === 'string' && parsed.type !== '' ? parsed.type : undefined;
  const wrong: string[] = [];
  const missing = EVENT_KEYS.filter((k) => !Object.hasOwn(parsed, k));
  const extra = unknownKeys(parsed, EVENT_KEYS);
  if (missing.length > 0) wrong.push(`missing ${missing.join(', ')}`);
  if (extra.length > 0) wrong.push(`unknown ${extra.join(', ')}`);
  if (!(parsed.actorId === null || typeof parsed.actorId === 'string')) wrong.push('actorId');
  if (typeof parsed.id !== 'string' || parsed.id === '') wrong.push('id');
  if (!(parsed.itemId === null || typeof parsed.itemId === 'string')) wrong.push('itemId');
  if (typeof parsed.occurredAt !== 'string' || !isIsoTime(parsed.occurredAt)) wrong.push('occurredAt');
  if (!isRecord(parsed.payload)) wrong.push('payload');
  if (typeof parsed.seq !== 'number' || !Number.isSafeInteger(parsed.seq) || parsed.seq < 1)
    wrong.push('seq');
  if (type === undefined) wrong.push('type');
  if (wrong.length > 0) {
    problems.push(
      entryProblem(
        'entry_malformed',
        e.index,
        `记录不是有效的台账事件（${wrong.join('; ')}）`,
        `the entry is not a well-formed ledger event (${wrong.join('; ')})`,
      ),
    );
  }
  let canonical: string | null = null;
  try {
    canonical = canonicalJson(parsed);
  } catch {
    canonical = null;
  }
  if (canonical !== e.entry) {
    problems.push(
      entryProblem(
        'entry_not_canonical',
        e.index,
        '记录文本不是规范 JSON（RFC 8785），其解读可能有歧义',
        'the entry text is not canonical JSON (RFC 8785), so its reading may be ambiguous',
      ),
    );
  }
  if (typeof parsed.seq === 'number' && parsed.seq !== e.index + 1) {
    problems.push(
      entryProblem(
        'seq_mismatch',
        e.index,
        `记录中的序号为 ${parsed.seq}，与其在台账中的位置（序号 ${e.index + 1}）不符`,
        `the entry says seq ${parsed.seq} but sits at seq ${e.index + 1} of the ledger`,
      ),
    );
  }
  const payloadItem = isRecord(parsed.payload) ? parsed.payload.itemId : undefined;
  if (parsed.itemId !== itemId || (payloadItem !== undefined && payloadItem !== itemId)) {
    problems.push(
      entryProblem(
        'item_mismatch',
        e.index,
        `记录属于其他督办事项（${String(parsed.itemId)}），不是本证据包的事项 ${itemId}`,
        `the entry belongs to another item (${String(parsed.itemId)}), not this package's item ${itemId}`,
      ),
    );
  }
  return type === undefined ? { problems } : { type, problems };
}

async function checkInclusion(e: Entry, size: number, root: Uint8Array): Promise<EvidenceProblem[]> {
  if (e.index >= size) {
    return [
      entryProblem(
        'index_out_of_range',
        e.index,
        `位置超出检查点的树大小 ${size}`,
        `the index is beyond the checkpoint's tree size ${size}`,
      ),
    ];
  }
  const proof: Uint8Array[] = [];
  for (const p of e.inclusionProof) {
    const h = base64Decode(p);
    if (h === null || h.length !== 32) {
      return [
        entryProblem(
          'proof_malformed',
          e.index,
          '包含证明中有元素不是 32 字节的 base64 哈希',
          'an inclusion proof element is not a base64 32-byte hash',
        ),
      ];
    }
    proof.push(h);
  }
  const leaf = await leafHash(utf8Encode(e.entry));
  if (!(await verifyInclusion(leaf, e.index, size, proof, root))) {
    return [
      entryProblem(
        'inclusion_failed',
        e.index,
        '包含证明不成立：该记录（或其位置）与检查点承诺的台账不符',
        'the inclusion proof fails: the entry (or its position) is not what the checkpoint commits to',
      ),
    ];
  }
  return [];
}

// ------------------------------------------------------------------------------------------------
// The verifier
// ------------------------------------------------------------------------------------------------

/**
 * Verifies an evidence package (parsed JSON of unknown shape). Never throws or rejects: every
 * failure is a problem in the report.
 */
export async function verifyEvidencePackage(
  pkg: unknown,
  options: VerifyEvidenceOptions = {},
): Promise<EvidenceReport> {
  const report = emptyReport();
  try {
    await verifyInto(report, pkg, isRecord(options) ? options : {});
  } catch (err) {
    report.problems.push(
      problem('package_malformed', `验证时出现意外错误：${String(err)}`, `unexpected error: ${String(err)}`),
    );
  }
  report.ok = report.problems.length === 0;
  return report;
}

async function verifyInto(report: EvidenceReport, pkg: unknown, options: VerifyEvidenceOptions) {
  const { problems } = report;
  if (!isRecord(pkg)) {
    problems.push(
      problem('package_malformed', '证据包不是 JSON 对象', 'the evidence package is not a JSON object'),
    );
    return;
  }
  if (pkg.format !== EVIDENCE_FORMAT) {
    problems.push(
      problem(
        'format_unsupported',
        `不支持的证据包格式 ${JSON.stringify(pkg.format)}（应为 ${EVIDENCE_FORMAT}）`,
        `unsupported evidence package format ${JSON.stringify(pkg.format)} (expected ${EVIDENCE_FORMAT})`,
      ),
    );
    return;
  }
  const shape = shapeErrors(pkg);
  if (shape.length > 0) {
    for (const s of shape) problems.push(problem('package_malformed', `证据包结构不正确：${s}`, s));
    return;
  }
  const p = pkg as EvidencePackage;
  report.itemId = p.itemId;

  // Keys: the package's own (a claim) and, optionally, the reader's pinned ones.
  const packageKeys: VerifierKey[] = [];
  for (const text of p.verifierKeys) {
    const key = await parseVerifierKey(text);
    if (key === null) {
      problems.push(
        problem(
          'verifier_key_malformed',
          `证据包中的验证公钥格式不正确：${text}`,
          `malformed verifier key in the package: ${text}`,
        ),
      );
    } else {
      packageKeys.push(key);
    }
  }
  let trusted: VerifierKey[] | null = null;
  if (options.trustedKeys !== undefined) {
    trusted = [];
    for (const text of Array.isArray(options.trustedKeys) ? options.trustedKeys : []) {
      const key = await parseVerifierKey(text);
      if (key === null) {
        problems.push(
          problem(
            'trusted_key_malformed',
            `指定的可信公钥格式不正确：${String(text)}`,
            `malformed trusted key: ${String(text)}`,
          ),
        );
      } else {
        trusted.push(key);
      }
    }
  }

  // The checkpoint: a signed note by the package's keys.
  const note = await verifyNote(p.checkpoint, packageKeys);
  if (!note.ok) {
    const who = note.key ? `${note.key.name}+${note.key.keyId}` : '';
    const byCode = {
      malformed_note: [
        'checkpoint_note_malformed',
        '检查点不是格式正确的签名文本',
        'the checkpoint is not a well-formed signed note',
      ],
      malformed_verifier_key: ['verifier_key_malformed', '验证公钥格式不正确', 'malformed verifier key'],
      ambiguous_key: [
        'verifier_key_ambiguous',
        `验证公钥 ${who} 有歧义（同名同标识的不同公钥）`,
        `ambiguous verifier key ${who} (different keys with the same name and id)`,
      ],
      invalid_signature: [
        'signature_invalid',
        `检查点签名无效（公钥 ${who}）：检查点内容被改动或签名被伪造`,
        `invalid checkpoint signature by key ${who}: the checkpoint was altered or the signature forged`,
      ],
      no_verified_signature: [
        'no_verified_signature',
        '检查点上没有任何证据包所列公钥的签名',
        "the checkpoint carries no signature by any of the package's verifier keys",
      ],
    } as const satisfies Record<string, readonly [EvidenceProblemCode, string, string]>;
    const [code, zh, en] = byCode[note.code];
    problems.push(problem(code, zh, en));
    return;
  }
  report.signedBy = note.signers.map((k) => ({ name: k.name, keyId: k.keyId }));

  const cp = parseCheckpoint(note.text);
  if (cp === null) {
    problems.push(
      problem(
        'checkpoint_malformed',
        '检查点内容格式不正确（应为来源、树大小、根哈希三行）',
        'the checkpoint body is malformed (expected origin, tree size and root hash lines)',
      ),
    );
    return;
  }
  report.checkpoint = { origin: cp.origin, size: cp.size, rootHash: base64Encode(cp.rootHash) };

  // The log's own signature: a verified key whose name is the checkpoint's origin.
  const logSigners = note.signers.filter((k) => k.name === cp.origin);
  if (logSigners.length === 0) {
    problems.push(
      problem(
        'log_signature_missing',
        `检查点没有台账 ${cp.origin} 自己的签名（签名公钥的名称须与检查点来源一致）`,
        `the checkpoint is not signed by the log ${cp.origin} itself (the key name must equal the origin)`,
      ),
    );
  }
  if (trusted === null) {
    report.warnings.push({
      code: 'key_not_pinned',
      message: '未指定可信公钥：签名公钥仅来自证据包自身的声明，请与督办平台公布的公钥核对',
      messageEn:
        "no trusted key was given: the signing key is only the package's own claim; compare it with the key the platform publishes",
    });
  } else {
    const pinned = trusted;
    report.keyTrusted = logSigners.some((k) => pinned.some((t) => sameKey(k, t)));
    if (!report.keyTrusted) {
      problems.push(
        problem(
          'key_untrusted',
          '检查点的签名公钥不在指定的可信公钥之中',
          'the checkpoint was not signed by any of the trusted keys',
        ),
      );
    }
  }

  // Entries.
  let previous = -1;
  for (const e of p.entries) {
    const entryProblems: EvidenceProblem[] = [];
    if (e.index === previous) {
      entryProblems.push(
        entryProblem('duplicate_index', e.index, '同一位置的记录重复出现', 'the index appears twice'),
      );
    } else if (e.index < previous) {
      entryProblems.push(
        entryProblem(
          'entries_out_of_order',
          e.index,
          '记录未按台账位置升序排列',
          'entries are not in ascending index order',
        ),
      );
    }
    previous = Math.max(previous, e.index);
    const content = checkEntryContent(e, p.itemId);
    entryProblems.push(...content.problems, ...(await checkInclusion(e, cp.size, cp.rootHash)));
    const [first] = entryProblems;
    const entryReport: EvidenceEntryReport = { index: e.index, ok: first === undefined };
    if (content.type !== undefined) entryReport.type = content.type;
    if (first !== undefined) entryReport.problem = first;
    report.entries.push(entryReport);
    problems.push(...entryProblems);
  }
}
