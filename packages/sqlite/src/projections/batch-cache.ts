/**
 * The states a batch works on, each read from its tables at its first event in the batch,
 * evolved in memory by the later ones and written back once, at the batch's end, inside
 * the same transaction: a subject with many events in a batch costs one read and one write.
 */
export interface BatchCache<K, V> {
  /** The state as the batch has it so far. */
  get(key: K): V;
  /** Keeps the evolved state, to be written at `flush`. */
  set(key: K, value: V): void;
  /** Writes every state set in this batch, and forgets them all. */
  flush(): void;
  /** Forgets every state without writing: the batch's transaction was rolled back. */
  discard(): void;
}

export function batchCache<K, V>(load: (key: K) => V, save: (key: K, value: V) => void): BatchCache<K, V> {
  const held = new Map<K, V>();
  const changed = new Set<K>();
  return {
    get(key) {
      if (held.has(key)) return held.get(key) as V;
      const value = load(key);
      held.set(key, value);
      return value;
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
