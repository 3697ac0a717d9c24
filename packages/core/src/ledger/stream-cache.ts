import { z } from 'zod';

/** How many folded streams the ledger keeps in memory, by count and by approximate size. */
export const CacheOptions = z.strictObject({
  /** Streams held at most. Default 20,000; 0 keeps none (every decision reads its stream). */
  maxEntries: z.int().min(0).max(Number.MAX_SAFE_INTEGER).optional(),
  /** Approximate bytes held at most (see `approximateBytes`). Default: no limit but `maxEntries`. */
  maxBytes: z.int().min(0).max(Number.MAX_SAFE_INTEGER).optional(),
});
export type CacheOptions = z.input<typeof CacheOptions>;

export const DEFAULT_MAX_ENTRIES = 20_000;

/** What `ledger.cacheStats()` reports: the cache's size and limits, and counts since the ledger was made. */
export interface CacheStats {
  readonly entries: number;
  /** The entries' approximate size in memory: their states, event ids and stream names. */
  readonly approximateBytes: number;
  readonly maxEntries: number;
  /** Undefined when only `maxEntries` limits the cache. */
  readonly maxBytes: number | undefined;
  /** Loads and optimistic decisions that found the stream's state in the cache. */
  readonly hits: number;
  /** Loads that did not: each one read its stream from a snapshot or from its first event. */
  readonly misses: number;
  readonly evictions: number;
  /** Misses that started from a snapshot and read only the events after it. */
  readonly snapshotLoads: number;
  readonly snapshotSaves: number;
  /** Snapshots found but not used (bad MAC, another stream's, not linked to the stored chain): the stream was folded from its start. */
  readonly snapshotRejections: number;
  /** Saves the snapshot store failed, or that were dropped while too many were pending. */
  readonly snapshotSaveFailures: number;
}

export interface CacheEntry<V> {
  value: V;
  bytes: number;
  /** Second chance: set by a hit, cleared when eviction passes over the entry once. */
  used: boolean;
  /** The revision of the stream's last snapshot saved or loaded here; -1n when none. */
  snapshotAt: bigint;
  /** Called as the entry is evicted (not when it is replaced): the folder snapshots what it would lose. */
  readonly evicted: ((stream: string, entry: CacheEntry<V>) => void) | undefined;
}

export type Counter = 'hits' | 'misses' | 'snapshotLoads' | 'snapshotSaves' | 'snapshotRejections' | 'snapshotSaveFailures';

export interface StreamCache<V> {
  /** The stream's entry; counts a hit or a miss. */
  lookup(stream: string): CacheEntry<V> | undefined;
  /** The stream's entry; counts a hit when there is one (a miss is counted by the load that follows). */
  peek(stream: string): CacheEntry<V> | undefined;
  /** Holds `value` for the stream, weighing `bytes`, then evicts until within the limits. */
  put(stream: string, value: V, bytes: number, snapshotAt: bigint, evicted?: CacheEntry<V>['evicted']): CacheEntry<V>;
  count(counter: Counter): void;
  stats(): CacheStats;
}

/**
 * Least-recently-used by "second chance": a hit updates its entry in place and marks it used;
 * eviction passes over the oldest entries, giving each used one another round at the end.
 * (Not delete + set on every hit: V8 keeps a deleted Map entry in its bucket's chain until the
 * table is rehashed, so re-adding one hot key thousands of times makes every lookup of it walk
 * all its dead copies: ~100 µs per decision on one busy subject among 10,000.)
 */
export function createStreamCache<V>(options: z.output<typeof CacheOptions> = {}): StreamCache<V> {
  const maxEntries = options.maxEntries ?? DEFAULT_MAX_ENTRIES;
  const maxBytes = options.maxBytes;
  const entries = new Map<string, CacheEntry<V>>();
  const counts: Record<Counter | 'evictions', number> = { hits: 0, misses: 0, evictions: 0, snapshotLoads: 0, snapshotSaves: 0, snapshotRejections: 0, snapshotSaveFailures: 0 };
  let bytes = 0;
  const over = () => entries.size > maxEntries || (maxBytes !== undefined && bytes > maxBytes && entries.size > 0);
  const evict = () => {
    while (over()) {
      const [oldest, entry] = entries.entries().next().value as [string, CacheEntry<V>];
      entries.delete(oldest);
      if (entry.used) {
        entry.used = false;
        entries.set(oldest, entry);
        continue;
      }
      bytes -= entry.bytes;
      counts.evictions++;
      entry.evicted?.(oldest, entry);
    }
  };
  return {
    lookup(stream) {
      const entry = entries.get(stream);
      counts[entry ? 'hits' : 'misses']++;
      return entry;
    },
    peek(stream) {
      const entry = entries.get(stream);
      if (entry) counts.hits++;
      return entry;
    },
    put(stream, value, weight, snapshotAt, evicted) {
      let entry = entries.get(stream);
      if (entry) {
        bytes += weight - entry.bytes;
        entry.value = value;
        entry.bytes = weight;
        entry.used = true;
        entry.snapshotAt = snapshotAt > entry.snapshotAt ? snapshotAt : entry.snapshotAt;
      } else {
        // Used from the start: a stream just folded is the last one a decision needed, not the first to go.
        entry = { value, bytes: weight, used: true, snapshotAt, evicted };
        entries.set(stream, entry);
        bytes += weight;
      }
      evict();
      return entry;
    },
    count(counter) {
      counts[counter]++;
    },
    stats: () => ({ entries: entries.size, approximateBytes: bytes, maxEntries, maxBytes, ...counts }),
  };
}

/**
 * A rough size in memory of plain data (strings, numbers, arrays, objects, maps, sets):
 * enough to hold a cache to a budget, not an exact count. Shared structure is counted once
 * per place it appears.
 */
export function approximateBytes(value: unknown): number {
  switch (typeof value) {
    case 'string':
      return 16 + value.length;
    case 'object':
      break;
    default:
      return 8;
  }
  if (value === null) return 8;
  let total = 0;
  if (Array.isArray(value)) {
    total = 16 + 8 * value.length;
    for (const item of value) total += approximateBytes(item);
  } else if (value instanceof Map) {
    total = 32 + 40 * value.size;
    for (const [key, item] of value) total += approximateBytes(key) + approximateBytes(item);
  } else if (value instanceof Set) {
    total = 32 + 24 * value.size;
    for (const item of value) total += approximateBytes(item);
  } else {
    const members = Object.values(value);
    total = 24 + 8 * members.length;
    for (const item of members) total += approximateBytes(item);
  }
  return total;
}
