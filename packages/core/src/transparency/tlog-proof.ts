import { parseCheckpoint, type Checkpoint } from './checkpoint';
import { MalformedTransparencyTextError } from './errors';
import { HASH_BYTES } from './hash';
import type { VerifierKey } from './keys';
import { openNote, splitNote } from './note';
import { decodeBase64, encodeBase64, parseDecimal } from './text';
import { verifyInclusion, type ProofCheck } from './verify';

export const TLOG_PROOF_HEADER = 'c2sp.org/tlog-proof@v1';
/** A tree of 2^53 leaves needs 53 hashes; more is not a proof. */
const MAX_PROOF_HASHES = 64;

/** A `c2sp.org/tlog-proof@v1`: an entry's index, its inclusion proof, and the signed checkpoint it leads to. */
export interface TlogProof {
  readonly index: number;
  /** From the leaf's sibling up to the root's child. */
  readonly proof: readonly Uint8Array[];
  /** The signed checkpoint note, verbatim. */
  readonly checkpoint: string;
  /** Opaque, unauthenticated extra data. */
  readonly extra?: Uint8Array;
}

const bad = (field: string, problem: string) => new MalformedTransparencyTextError('tlog-proof', field, problem);

export function formatTlogProof(proof: TlogProof): string {
  const lines = [TLOG_PROOF_HEADER];
  if (proof.extra !== undefined) lines.push(`extra ${encodeBase64(proof.extra)}`);
  lines.push(`index ${proof.index}`, ...proof.proof.map(encodeBase64));
  const text = `${lines.join('\n')}\n\n${proof.checkpoint}`;
  parseTlogProof(text);
  return text;
}

/** Parses a tlog-proof, including the shape of its checkpoint note (signatures are not checked here). */
export function parseTlogProof(text: string): TlogProof {
  if (typeof text !== 'string') throw bad('text', 'must be a string');
  const end = text.indexOf('\n\n');
  if (end < 0) throw bad('text', 'has no blank line before the checkpoint');
  const lines = text.slice(0, end).split('\n');
  const checkpoint = text.slice(end + 2);
  if (lines[0] !== TLOG_PROOF_HEADER) throw bad('header', `must be the line ${TLOG_PROOF_HEADER}`);
  let at = 1;
  let extra: Buffer | undefined;
  if (lines[at]?.startsWith('extra ')) {
    extra = decodeBase64((lines[at] as string).slice('extra '.length));
    if (extra === undefined) throw bad('extra', 'must be standard padded base64');
    at++;
  }
  const indexLine = lines[at] ?? '';
  if (!indexLine.startsWith('index ')) throw bad('index', 'must be the line after the header (or extra), as "index <n>"');
  const index = parseDecimal(indexLine.slice('index '.length));
  if (index === undefined) throw bad('index', 'must be a decimal with no leading zeroes, at most 2^53 - 1');
  const hashes = lines.slice(at + 1);
  if (hashes.length > MAX_PROOF_HASHES) throw bad('proof', `has more than ${MAX_PROOF_HASHES} hashes`);
  const proof = hashes.map((line, i) => {
    const hash = decodeBase64(line);
    if (hash === undefined || hash.length !== HASH_BYTES) throw bad(`proof hash ${i + 1}`, `must be the base64 of ${HASH_BYTES} bytes`);
    return hash;
  });
  try {
    parseCheckpoint(splitNote(checkpoint).text);
  } catch (error) {
    if (error instanceof MalformedTransparencyTextError) throw bad('checkpoint', `is not a signed checkpoint (${error.field} ${error.problem})`);
    throw error;
  }
  return extra === undefined ? { index, proof, checkpoint } : { index, proof, checkpoint, extra };
}

export type TlogProofCheck = ProofCheck & { readonly checkpoint: Checkpoint };

/**
 * Verifies a tlog-proof offline: the checkpoint must be signed by one of `keys`
 * (UnknownKeyError, BadSignatureError otherwise) and the proof must lead from
 * `leafHash` at its index to the checkpoint's root at the checkpoint's size. The caller
 * still decides whether the checkpoint's origin is one it accepts.
 */
export function verifyTlogProof(text: string, leafHash: Uint8Array, keys: string | VerifierKey | readonly (string | VerifierKey)[]): TlogProofCheck {
  const proof = parseTlogProof(text);
  const checkpoint = parseCheckpoint(openNote(proof.checkpoint, keys).text);
  return { ...verifyInclusion(leafHash, proof.index, checkpoint.size, proof.proof, checkpoint.root), checkpoint };
}
