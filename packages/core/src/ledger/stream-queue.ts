/** Runs operations on one stream one after another, and operations on different streams side by side. */
export interface StreamQueue {
  /**
   * Starts `operation` once every operation queued before it on `stream` has settled; settles
   * as it does. An operation must not wait for one it queues on its own stream: that one
   * starts only after it, so both would wait forever.
   */
  run<T>(stream: string, operation: () => Promise<T>): Promise<T>;
  /** How many streams have an operation queued or running: zero whenever the queue is idle. */
  readonly busyStreams: number;
}

/**
 * In one process the queue makes the cached state a decision is made on the latest one, so
 * concurrent calls on one subject no longer race each other's appends (and a withdrawal is
 * not starved by uses that keep landing first). Only the tail of each busy stream is kept:
 * the entry goes when its last operation settles, so memory follows the work in flight, not
 * the number of customers. The map stays small, so V8's deleted-entry chains do not grow
 * (it compacts a map as it empties; see the cache in stream-folder.ts for the big-map case).
 */
const IDLE: Promise<void> = Promise.resolve();

export function createStreamQueue(): StreamQueue {
  const busy = new Map<string, Busy>();
  return {
    run<T>(stream: string, operation: () => Promise<T>): Promise<T> {
      let entry = busy.get(stream);
      if (entry === undefined) {
        entry = { tail: IDLE, pending: 0 };
        busy.set(stream, entry);
      }
      const result = entry.pending++ === 0 ? invoke(operation) : entry.tail.then(operation);
      const held = entry;
      // The tail never rejects: one operation's failure is its caller's, not the next one's.
      const settled = (): void => {
        if (--held.pending === 0) busy.delete(stream);
      };
      entry.tail = result.then(settled, settled);
      return result;
    },
    get busyStreams() {
      return busy.size;
    },
  };
}

/** A busy stream: the promise its next operation waits for, and how many are queued or running. */
interface Busy {
  tail: Promise<void>;
  pending: number;
}

/** An operation that throws before returning its promise still rejects, not escapes `run`. */
function invoke<T>(operation: () => Promise<T>): Promise<T> {
  try {
    return operation();
  } catch (error) {
    return Promise.reject(error);
  }
}
