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

/** A version is one small object (no closures of its own): a fold makes one per event. */
class Version<T> implements AppendLog<T> {
  constructor(
    private readonly items: T[],
    readonly length: number,
  ) {}

  append(item: T): AppendLog<T> {
    const shared = this.items.length === this.length ? this.items : this.items.slice(0, this.length);
    shared.push(item);
    return new Version(shared, this.length + 1);
  }

  toArray(): T[] {
    return this.items.slice(0, this.length);
  }
}

export const appendLog = <T>(items: readonly T[] = []): AppendLog<T> => new Version(items.slice(), items.length);
