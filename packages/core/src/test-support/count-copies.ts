type Method = (this: unknown, ...args: unknown[]) => unknown;

const sizeOf = (collection: unknown): number => {
  if (Array.isArray(collection)) return collection.length;
  if (collection instanceof Map || collection instanceof Set) return collection.size;
  return 0;
};

/**
 * How many items `work` walked through whole-collection operations: every spread, `slice`,
 * `map`, `filter`, `concat`, `Array.from` or `new Map(map)` of an array, Map or Set counts
 * its size. A fold that copies a growing list per event walks n²/2 items for n events; one
 * that appends walks none. Counting what was walked, not timing it, makes the test exact.
 */
export function countCopiedItems(work: () => void): number {
  let walked = 0;
  const patched: [object, PropertyKey, Method][] = [];
  const count = (owner: object, key: PropertyKey) => {
    const original = Reflect.get(owner, key) as Method;
    patched.push([owner, key, original]);
    Reflect.set(owner, key, function (this: unknown, ...args: unknown[]) {
      walked += sizeOf(this);
      return original.apply(this, args);
    });
  };
  for (const key of [Symbol.iterator, 'slice', 'map', 'filter', 'concat', 'entries', 'values', 'keys', 'forEach'] as const) count(Array.prototype, key);
  for (const key of [Symbol.iterator, 'entries', 'values', 'keys', 'forEach'] as const) {
    count(Map.prototype, key);
    count(Set.prototype, key);
  }
  try {
    work();
  } finally {
    for (const [owner, key, original] of patched.reverse()) Reflect.set(owner, key, original);
  }
  return walked;
}
