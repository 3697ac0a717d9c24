type Node<K, V> = { readonly map: Map<K, V> } | { readonly key: K; readonly present: boolean; readonly value: V | undefined; readonly next: Version<K, V> };

interface Version<K, V> {
  node: Node<K, V>;
}

/**
 * A map whose every version stays as it was, in O(1) per `set` (Baker's rerooting): the
 * version read last holds the one real `Map`, every other holds the change that turns its
 * neighbour's map back into its own. Reading an older version walks those changes to it
 * once (O(distance)); a fold that only ever reads its newest version never walks at all.
 */
export class PersistentMap<K, V> implements ReadonlyMap<K, V> {
  readonly #version: Version<K, V>;

  private constructor(version: Version<K, V>) {
    this.#version = version;
  }

  static of<K, V>(entries: Iterable<readonly [K, V]> = []): PersistentMap<K, V> {
    return new PersistentMap({ node: { map: new Map(entries) } });
  }

  /** A new version with `key` set; this one still answers as before. */
  set(key: K, value: V): PersistentMap<K, V> {
    const map = this.#map();
    const present = map.has(key);
    const before = map.get(key);
    map.set(key, value);
    const next: Version<K, V> = { node: { map } };
    this.#version.node = { key, present, value: before, next };
    return new PersistentMap(next);
  }

  /** Moves the real map to this version: each change on the way is undone, and recorded the other way round. */
  #map(): Map<K, V> {
    const path: Version<K, V>[] = [];
    let at = this.#version;
    while (!('map' in at.node)) {
      path.push(at);
      at = at.node.next;
    }
    const { map } = at.node;
    for (let i = path.length - 1; i >= 0; i--) {
      const version = path[i] as Version<K, V>;
      const change = version.node as Exclude<Node<K, V>, { map: Map<K, V> }>;
      const present = map.has(change.key);
      const value = map.get(change.key);
      if (change.present) map.set(change.key, change.value as V);
      else map.delete(change.key);
      change.next.node = { key: change.key, present, value, next: version };
      version.node = { map };
    }
    return map;
  }

  get size(): number {
    return this.#map().size;
  }
  get(key: K): V | undefined {
    return this.#map().get(key);
  }
  has(key: K): boolean {
    return this.#map().has(key);
  }
  // Iterators read a copy: reading another version meanwhile moves the real map under them.
  entries(): MapIterator<[K, V]> {
    return [...this.#map().entries()][Symbol.iterator]();
  }
  keys(): MapIterator<K> {
    return [...this.#map().keys()][Symbol.iterator]();
  }
  values(): MapIterator<V> {
    return [...this.#map().values()][Symbol.iterator]();
  }
  forEach(callback: (value: V, key: K, map: ReadonlyMap<K, V>) => void): void {
    for (const [key, value] of this.entries()) callback(value, key, this);
  }
  [Symbol.iterator](): MapIterator<[K, V]> {
    return this.entries();
  }
}
