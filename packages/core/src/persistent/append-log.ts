/**
 * An append-only list whose every version stays as it was. Versions share one array:
 * appending to the newest writes into it (amortised O(1)), and a version never reads past
 * its own length, so what an older version holds never changes. Appending to an older
 * version, which would overwrite a newer one's item, copies its prefix first.
 */
export interface AppendLog<T> {
  readonly length: number;
  append(item: T): AppendLog<T>;
  /** The items as a new array: O(length), so a fold calls it when it hands its state out, not per event. */
  toArray(): T[];
}

function version<T>(items: T[], length: number): AppendLog<T> {
  return {
    length,
    append(item) {
      const shared = items.length === length ? items : items.slice(0, length);
      shared.push(item);
      return version(shared, length + 1);
    },
    toArray: () => items.slice(0, length),
  };
}

export const appendLog = <T>(items: readonly T[] = []): AppendLog<T> => version(items.slice(), items.length);
