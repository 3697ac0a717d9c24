import { HASH_BYTES, nodeHash } from './hash';

export const PROOF_FAILURES = [
  'not_a_size',
  'hash_length',
  'index_beyond_size',
  'size1_beyond_size2',
  'first_tree_empty',
  'proof_too_short',
  'proof_too_long',
  'root_mismatch',
  'root1_mismatch',
  'root2_mismatch',
] as const;
export type ProofFailure = (typeof PROOF_FAILURES)[number];

/** A proof check never throws: a forged proof is an answer, not an accident. */
export type ProofCheck = { readonly ok: true } | { readonly ok: false; readonly reason: ProofFailure };

const OK: ProofCheck = { ok: true };
const fail = (reason: ProofFailure): ProofCheck => ({ ok: false, reason });

const isSize = (n: unknown): n is number => Number.isSafeInteger(n) && (n as number) >= 0;
const isHash = (h: unknown): h is Uint8Array => h instanceof Uint8Array && h.byteLength === HASH_BYTES;

function equal(a: Uint8Array, b: Uint8Array): boolean {
  let diff = 0;
  for (let i = 0; i < HASH_BYTES; i++) diff |= (a[i] as number) ^ (b[i] as number);
  return diff === 0;
}

// Sizes go past 2^32, where JavaScript's bit operators stop working: halve arithmetically.
const odd = (n: number) => n % 2 === 1;
const half = (n: number) => Math.floor(n / 2);

/**
 * RFC 9162 §2.1.3.2: whether `proof` shows that `leafHash` is leaf `index` of the tree of
 * `size` leaves whose root is `root`. Every hash of the proof must be used and the path
 * must end exactly at the root's level, so a proof for another index, another size or a
 * bigger tree than the one claimed (immudb's GO-2022-1117) cannot pass.
 */
export function verifyInclusion(leafHash: Uint8Array, index: number, size: number, proof: readonly Uint8Array[], root: Uint8Array): ProofCheck {
  if (!isSize(index) || !isSize(size)) return fail('not_a_size');
  if (!isHash(leafHash) || !isHash(root) || !proof.every(isHash)) return fail('hash_length');
  if (index >= size) return fail('index_beyond_size');
  let fn = index;
  let sn = size - 1;
  let r: Uint8Array = leafHash;
  for (const p of proof) {
    if (sn === 0) return fail('proof_too_long');
    if (odd(fn) || fn === sn) {
      r = nodeHash(p, r);
      while (!odd(fn) && fn !== 0) {
        fn = half(fn);
        sn = half(sn);
      }
    } else {
      r = nodeHash(r, p);
    }
    fn = half(fn);
    sn = half(sn);
  }
  if (sn !== 0) return fail('proof_too_short');
  return equal(r, root) ? OK : fail('root_mismatch');
}

/**
 * RFC 9162 §2.1.4.2: whether `proof` shows that the tree of `size2` leaves with root
 * `root2` extends the tree of `size1` leaves with root `root1`. Both roots are rebuilt
 * from the same proof and both must match. As in transparency-dev/merkle, a proof from
 * the empty tree is refused: it would prove nothing.
 */
export function verifyConsistency(size1: number, size2: number, proof: readonly Uint8Array[], root1: Uint8Array, root2: Uint8Array): ProofCheck {
  if (!isSize(size1) || !isSize(size2)) return fail('not_a_size');
  if (!isHash(root1) || !isHash(root2) || !proof.every(isHash)) return fail('hash_length');
  if (size1 > size2) return fail('size1_beyond_size2');
  if (size1 === 0) return fail('first_tree_empty');
  if (size1 === size2) {
    if (proof.length > 0) return fail('proof_too_long');
    return equal(root1, root2) ? OK : fail('root_mismatch');
  }
  if (proof.length === 0) return fail('proof_too_short');
  const path = Number.isInteger(Math.log2(size1)) ? [root1, ...proof] : [...proof];
  let fn = size1 - 1;
  let sn = size2 - 1;
  while (odd(fn)) {
    fn = half(fn);
    sn = half(sn);
  }
  let fr = path[0] as Uint8Array;
  let sr = fr;
  for (const c of path.slice(1)) {
    if (sn === 0) return fail('proof_too_long');
    if (odd(fn) || fn === sn) {
      fr = nodeHash(c, fr);
      sr = nodeHash(c, sr);
      while (!odd(fn) && fn !== 0) {
        fn = half(fn);
        sn = half(sn);
      }
    } else {
      sr = nodeHash(sr, c);
    }
    fn = half(fn);
    sn = half(sn);
  }
  if (sn !== 0) return fail('proof_too_short');
  if (!equal(fr, root1)) return fail('root1_mismatch');
  return equal(sr, root2) ? OK : fail('root2_mismatch');
}
