/** Runs operations on one stream one after another, and operations on different streams side by side. */
export interface StreamQueue {
  /** Starts `operation` once every operation queued before it on `stream` has settled; settles as it does. */
  run<T>(stream: string, operation: () => Promise<T>): Promise<T>;
  /** How many streams have an operation queued or running: zero whenever the queue is idle. */
  readonly busyStreams: number;
}

const settleQuietly = (): void => undefined;

/**
 * In one process the queue makes the cached state a decision is made on the latest one, so
 * concurrent calls on one subject no longer race each other's appends (and a withdrawal is
 * not starved by uses that keep landing first). Only the tail of each busy stream is kept:
 * the entry goes when its last operation settles, so memory follows the work in flight, not
 * the number of customers. The map stays small, so V8's deleted-entry chains do not grow
 * (it compacts a map as it empties; see the cache in stream-folder.ts for the big-map case).
 */
export function createStreamQueue(): StreamQueue {
  const tails = new Map<string, Promise<void>>();
  return {
    run<T>(stream: string, operation: () => Promise<T>): Promise<T> {
      const previous = tails.get(stream);
      const result = previous === undefined ? invoke(operation) : previous.then(operation);
      // The tail never rejects: one operation's failure is its caller's, not the next one's.
      const tail = result.then(settleQuietly, settleQuietly);
      tails.set(stream, tail);
      void tail.then(() => {
        if (tails.get(stream) === tail) tails.delete(stream);
      });
      return result;
    },
    get busyStreams() {
      return tails.size;
    },
  };
}

/** An operation that throws before returning its promise still rejects, not escapes `run`. */
function invoke<T>(operation: () => Promise<T>): Promise<T> {
  try {
    return operation();
  } catch (error) {
    return Promise.reject(error);
  }
}
