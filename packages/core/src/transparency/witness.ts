import type { Checkpoint } from './checkpoint';
import { verifyConsistency, type ProofFailure } from './verify';

/**
 * What a witness makes of a new checkpoint of a log it already holds one of.
 * `first`: it held none; `same`: same size, same root; `extends`: a consistency proof
 * shows the new tree keeps the held one as its prefix. `rollback`: the new tree is smaller;
 * `fork`: the new tree is not shown to extend the held one (same size and another root,
 * or no valid consistency proof), so the log's history was rewritten or cannot be told apart
 * from a rewrite.
 */
export type WitnessJudgement =
  | { readonly accepted: true; readonly reason: 'first' | 'same' | 'extends'; readonly heldSize?: number }
  | { readonly accepted: false; readonly reason: 'rollback' | 'fork'; readonly heldSize: number; readonly proofFailure?: ProofFailure | 'proof_missing' };

const sameBytes = (a: Uint8Array, b: Uint8Array) => Buffer.compare(Buffer.from(a), Buffer.from(b)) === 0;

/** Pure: whether `next` may replace `held` (both of one origin, signatures already verified). */
export function judgeCheckpoint(held: Checkpoint | undefined, next: Checkpoint, proof: readonly Uint8Array[] | undefined): WitnessJudgement {
  if (held === undefined) return { accepted: true, reason: 'first' };
  const heldSize = held.size;
  if (next.size < held.size) return { accepted: false, reason: 'rollback', heldSize };
  if (next.size === held.size) return sameBytes(next.root, held.root) ? { accepted: true, reason: 'same', heldSize } : { accepted: false, reason: 'fork', heldSize };
  // From an empty tree there is nothing to prove: every tree extends it.
  if (held.size === 0) return { accepted: true, reason: 'extends', heldSize };
  if (proof === undefined) return { accepted: false, reason: 'fork', heldSize, proofFailure: 'proof_missing' };
  const check = verifyConsistency(held.size, next.size, proof, held.root, next.root);
  return check.ok ? { accepted: true, reason: 'extends', heldSize } : { accepted: false, reason: 'fork', heldSize, proofFailure: check.reason };
}
