/**
 * The simulations behind docs/scaling.md: partition load from hashing many subject ids,
 * with and without uneven activity; a hot recipient's projection rows placed by recipient
 * or split by subject; tile requests and cache hits for proofs against a big tree.
 */
import { bucketOf, murmur3, type BucketMap } from './routing';
import { consistencyRanges, inclusionRanges, tileKey, tilePath, tilesFor } from './tiles';

/** A seeded generator of floats in [0, 1) (mulberry32), so every run prints the same figures. */
export function seeded(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = Math.imul(state ^ (state >>> 15), 1 | state);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 2 ** 32;
  };
}

export interface Skew {
  mean: number;
  max: number;
  min: number;
  /** max / mean: the busiest partition's load as a multiple of a fair share. */
  maxOverMean: number;
}

export function skewOf(loads: readonly number[]): Skew {
  const mean = loads.reduce((sum, load) => sum + load, 0) / loads.length;
  const max = Math.max(...loads);
  return { mean, max, min: Math.min(...loads), maxOverMean: max / mean };
}

/** The routing hash of each of `count` subject ids `<prefix><i>`, computed once and reused for every P. */
export function subjectHashes(count: number, prefix = 'cust-'): Uint32Array {
  const out = new Uint32Array(count);
  const scratch = Buffer.alloc(256);
  for (let i = 0; i < count; i++) out[i] = murmur3(scratch, 0, scratch.write(`${prefix}${i}`, 'utf8'));
  return out;
}

/** The bucket of each hash, as `bucketOf` takes it. */
export function bucketsOf(hashes: Uint32Array, buckets: number): Uint16Array {
  const out = new Uint16Array(hashes.length);
  for (let i = 0; i < hashes.length; i++) out[i] = (hashes[i] as number) % buckets;
  return out;
}

/**
 * Events per subject drawn from a log-normal law (σ = `sigma`), scaled to a mean of 1: a few
 * customers are far busier than most, as real ones are.
 */
export function activities(count: number, sigma: number, random: () => number): Float64Array {
  const out = new Float64Array(count);
  const scale = Math.exp((-sigma * sigma) / 2);
  for (let i = 0; i < count; i++) {
    const normal = Math.sqrt(-2 * Math.log(1 - random())) * Math.cos(2 * Math.PI * random());
    out[i] = scale * Math.exp(sigma * normal);
  }
  return out;
}

const add = (sums: number[], at: number, amount: number) => {
  sums[at] = (sums[at] ?? 0) + amount;
};

/** Each partition's load: the subjects' weights (1 each when none are given) summed by partition. */
export function partitionLoads(subjectBuckets: Uint16Array, map: BucketMap, weights?: Float64Array): number[] {
  const loads = new Array<number>(Math.max(...map) + 1).fill(0);
  subjectBuckets.forEach((bucket, i) => add(loads, map[bucket] as number, weights ? (weights[i] as number) : 1));
  return loads;
}

/** The fraction of subjects that change partition when `hash mod P` becomes `hash mod (P+1)` (no buckets). */
export function movedByModulo(hashes: Uint32Array, partitions: number): number {
  let moved = 0;
  for (const hash of hashes) if (hash % partitions !== hash % (partitions + 1)) moved++;
  return moved / hashes.length;
}

export interface HotRecipient {
  /** Share-projection rows per partition, all of one recipient's rows on the partition its id hashes to. */
  byRecipient: Skew;
  /** The same rows kept in the partition of the subject who was shared. */
  bySubject: Skew;
  agencyShare: number;
}

/**
 * `shares` shares, one per subject, a fraction `agency` of them to one agency and the rest
 * spread over `others` recipients by a Zipf law (exponent 1).
 */
export function hotRecipient(subjectBuckets: Uint16Array, map: BucketMap, agency: number, others: number, random: () => number): HotRecipient {
  const partitions = Math.max(...map) + 1;
  const harmonic = Array.from({ length: others }, (_, r) => 1 / (r + 1));
  const cumulative = harmonic.map(
    (
      (sum) => (w: number) =>
        (sum += w)
    )(0),
  );
  const total = cumulative[others - 1] as number;
  const recipientPartition = Array.from({ length: others + 1 }, (_, r) => map[bucketOf(`recipient-${r}`, map.length)] as number);
  const byRecipient = new Array<number>(partitions).fill(0);
  const bySubject = new Array<number>(partitions).fill(0);
  let toAgency = 0;
  subjectBuckets.forEach((bucket) => {
    let recipient = 0;
    if (random() >= agency) {
      const u = random() * total;
      let lo = 0;
      for (let hi = others - 1; lo < hi;) {
        const mid = (lo + hi) >> 1;
        if ((cumulative[mid] as number) < u) lo = mid + 1;
        else hi = mid;
      }
      recipient = lo + 1;
    } else toAgency++;
    add(byRecipient, recipientPartition[recipient] as number, 1);
    add(bySubject, map[bucket] as number, 1);
  });
  return { byRecipient: skewOf(byRecipient), bySubject: skewOf(bySubject), agencyShare: toAgency / subjectBuckets.length };
}

export interface ProofRequests {
  proofs: number;
  /** Tile GETs per proof (the checkpoint not counted). */
  meanTiles: number;
  maxTiles: number;
  meanBytes: number;
  /** The fraction of tile GETs a shared cache (a CDN, unbounded) answers, over all the proofs. */
  cacheHitRate: number;
  distinctTiles: number;
  examplePaths: string[];
}

const bytesOf = (width: number) => width * 32;

/** Tile requests for inclusion proofs of leaves `indexOf()` picks, all against one checkpoint of `size`. */
export function inclusionRequests(size: number, proofs: number, indexOf: () => number): ProofRequests {
  const seen = new Set<number>();
  let [tiles, maxTiles, bytes, hits] = [0, 0, 0, 0];
  let examplePaths: string[] = [];
  for (let p = 0; p < proofs; p++) {
    const needed = tilesFor(inclusionRanges(indexOf(), size), size);
    if (p === 0) examplePaths = needed.map(tilePath);
    tiles += needed.length;
    maxTiles = Math.max(maxTiles, needed.length);
    for (const tile of needed) {
      const key = tileKey(tile);
      bytes += bytesOf(tile.width);
      if (seen.has(key)) hits++;
      else seen.add(key);
    }
  }
  return { proofs, meanTiles: tiles / proofs, maxTiles, meanBytes: bytes / proofs, cacheHitRate: hits / tiles, distinctTiles: seen.size, examplePaths };
}

/** Tile requests for consistency proofs between the sizes `pairOf()` picks. */
export function consistencyRequests(proofs: number, pairOf: () => [number, number]): Pick<ProofRequests, 'proofs' | 'meanTiles' | 'maxTiles' | 'meanBytes'> {
  let [tiles, maxTiles, bytes] = [0, 0, 0];
  for (let p = 0; p < proofs; p++) {
    const [size1, size2] = pairOf();
    const needed = tilesFor(consistencyRanges(size1, size2), size2);
    tiles += needed.length;
    maxTiles = Math.max(maxTiles, needed.length);
    for (const tile of needed) bytes += bytesOf(tile.width);
  }
  return { proofs, meanTiles: tiles / proofs, maxTiles, meanBytes: bytes / proofs };
}

/** Tile PUTs a log makes over `checkpoints` checkpoints `step` leaves apart: new full tiles and changed partial ones. */
export function tileWrites(start: number, step: number, checkpoints: number): { full: number; partial: number } {
  let [full, partial] = [0, 0];
  for (let c = 1; c <= checkpoints; c++) {
    const [before, after] = [start + (c - 1) * step, start + c * step];
    for (let level = 0; Math.floor(after / 256 ** level) > 0; level++) {
      const [was, is] = [Math.floor(before / 256 ** level), Math.floor(after / 256 ** level)];
      full += Math.floor(is / 256) - Math.floor(was / 256);
      if (is !== was && is % 256 !== 0) partial++;
    }
  }
  return { full, partial };
}
