/**
 * @duban/verifier — standalone verification of Duban's evidence ledger: RFC 6962 / RFC 9162 Merkle
 * proofs, C2SP signed notes and tlog checkpoints, and evidence packages. No database and no
 * Node-only APIs: runs in Node 20 and browsers (WebCrypto SHA-256 and Ed25519). Everything that
 * hashes or verifies is async; verifiers never throw on malformed input.
 */
export { base64Decode, base64Encode, hexDecode, hexEncode } from './bytes.ts';
export { type Checkpoint, formatCheckpoint, parseCheckpoint } from './checkpoint.ts';
export {
  EVIDENCE_FORMAT,
  type EvidenceEntryReport,
  type EvidencePackage,
  type EvidenceProblem,
  type EvidenceProblemCode,
  type EvidenceReport,
  type EvidenceWarning,
  type EvidenceWarningCode,
  type VerifyEvidenceOptions,
  verifyEvidencePackage,
} from './evidence.ts';
// Tree building and tiles (log.ts, maintained with the server's integrator).
export * from './log.ts';
export { HASH_SIZE, leafHash, nodeHash, verifyConsistency, verifyInclusion } from './merkle.ts';
export {
  ALG_ED25519,
  formatVerifierKey,
  isValidKeyName,
  keyIdOf,
  MAX_SIGNATURES,
  type NoteErrorCode,
  type NoteSignature,
  type NoteVerification,
  type ParsedNote,
  parseNote,
  parseVerifierKey,
  SIGNATURE_PREFIX,
  splitNotes,
  type VerifierKey,
  verifyNote,
} from './note.ts';
