import { HASH_BYTES } from './hash';
import { MalformedTransparencyTextError } from './errors';
import { decodeBase64, encodeBase64 } from './text';

/** Far more hashes than a proof between any two sizes below 2^53 needs (2 log2 n). */
const MAX_PROOF_HASHES = 128;

const bad = (field: string, problem: string) => new MalformedTransparencyTextError('consistency proof', field, problem);

/** A consistency proof as text: one standard base64 hash a line, each line ending with a newline; empty for no hash. */
export function formatConsistencyProof(proof: readonly Uint8Array[]): string {
  return proof.map((hash) => `${encodeBase64(hash)}\n`).join('');
}

/** Reads what `formatConsistencyProof` writes, refusing anything else (a missing final newline, a blank line, a hash not of 32 bytes). */
export function parseConsistencyProof(text: string): Uint8Array[] {
  if (typeof text !== 'string') throw bad('text', 'must be a string');
  if (text === '') return [];
  if (!text.endsWith('\n')) throw bad('text', 'must end with a newline');
  const lines = text.slice(0, -1).split('\n');
  if (lines.length > MAX_PROOF_HASHES) throw bad('text', `holds more than ${MAX_PROOF_HASHES} hashes`);
  return lines.map((line, i) => {
    const hash = decodeBase64(line);
    if (hash === undefined) throw bad(`hash ${i + 1}`, 'is not standard padded base64');
    if (hash.length !== HASH_BYTES) throw bad(`hash ${i + 1}`, `must decode to ${HASH_BYTES} bytes`);
    return hash;
  });
}
