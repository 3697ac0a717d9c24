/**
 * The states a batch works on, read from their tables for every key of the batch at once
 * (one query per table rather than one per key), evolved in memory by the batch's events
 * and written back once, at the batch's end, inside the same transaction: a subject with
 * many events in a batch costs one write, and a batch of thousands of subjects a few reads.
 */
export interface BatchCache<K, V> {
  /** Reads the states of the keys not held yet, in one go: the keys of a batch, before its events are applied. */
  preload(keys: Iterable<K>): void;
  /** The state as the batch has it so far (read on its own if `preload` did not). */
  get(key: K): V;
  /** Keeps the evolved state (possibly the one `get` gave, changed in place), to be written at `flush`. */
  set(key: K, value: V): void;
  /** Writes every state set in this batch, and forgets them all. */
  flush(): void;
  /** Forgets every state without writing: the batch's transaction was rolled back. */
  discard(): void;
}

/** `load` gives the states of `keys` in their order, a key without rows its initial state. */
export function batchCache<K, V>(load: (keys: readonly K[]) => V[], save: (key: K, value: V) => void): BatchCache<K, V> {
  const held = new Map<K, V>();
  const changed = new Set<K>();
  const keep = (keys: readonly K[]): void => {
    const values = load(keys);
    keys.forEach((key, i) => held.set(key, values[i] as V));
  };
  return {
    preload(keys) {
      const missing = new Set<K>();
      for (const key of keys) if (!held.has(key)) missing.add(key);
      if (missing.size > 0) keep([...missing]);
    },
    get(key) {
      if (!held.has(key)) keep([key]);
      return held.get(key) as V;
    },
    set(key, value) {
      held.set(key, value);
      changed.add(key);
    },
    flush() {
      try {
        for (const key of changed) save(key, held.get(key) as V);
      } finally {
        held.clear();
        changed.clear();
      }
    },
    discard() {
      held.clear();
      changed.clear();
    },
  };
}

/** Rows grouped by key, in the order they came: one query's rows for many keys, split back per key. */
export function groupBy<R, K>(rows: readonly R[], keyOf: (row: R) => K): Map<K, R[]> {
  const groups = new Map<K, R[]>();
  for (const row of rows) {
    const key = keyOf(row);
    const group = groups.get(key);
    if (group) group.push(row);
    else groups.set(key, [row]);
  }
  return groups;
}
