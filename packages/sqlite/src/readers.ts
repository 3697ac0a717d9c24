import type { ReadAllOptions, ReadStreamOptions, RecordedEvent, SubscribeOptions, Subscription } from '@custodian/core';
import { StreamNotFoundError } from '@custodian/core';
import { subscriptionLoop, validateReadAllOptions, validateReadStreamOptions, validateSubscribeOptions } from '@custodian/core/store-kit';
import type { Statements } from './statements';

// Reads go page by page, never through a live cursor: better-sqlite3 refuses every other
// statement on the connection while an iterator is open, and a reader may pause at any
// `await` while appends run. Small enough to bound memory with large events.
const PAGE_SIZE = 256;
/** The largest revision SQLite's INTEGER holds: a backwards read from the end starts below it. */
const LAST_REVISION = 2n ** 63n - 1n;

/** What the readers share with the store: its statements, whether it is closed, and the wakers its appends call. */
export interface ReaderContext {
  readonly sql: Statements;
  readonly assertOpen: () => void;
  readonly isClosed: () => boolean;
  readonly wakers: Set<() => void>;
  readonly pollIntervalMs: number;
  /**
   * Writes the appends waiting for their group. A read first lets them land: a reader that
   * loops on reads never gives the event loop the turn the group waits for, and its
   * writers would wait for ever.
   */
  readonly settleAppends: () => void;
}

/** The store's reads; `stopPolling` ends the timer of live subscriptions when the store closes. */
export function createReaders(context: ReaderContext) {
  return {
    readStream: (stream: string, options: ReadStreamOptions = {}) => readStream(context, stream, options),
    readAll: (options: ReadAllOptions = {}) => readAll(context, options),
    ...subscriber(context),
  };
}

async function* readStream({ sql, assertOpen, settleAppends }: ReaderContext, stream: string, options: ReadStreamOptions): AsyncIterable<RecordedEvent> {
  assertOpen();
  validateReadStreamOptions(stream, options);
  settleAppends();
  let remaining = options.maxCount ?? Number.POSITIVE_INFINITY;
  if (options.direction === 'backwards') {
    // Read from the end, the first page is the stream's end when reading starts, and an
    // empty one means no stream: one query where a look at the last record is all of it.
    let from = options.fromRevision ?? LAST_REVISION;
    if (options.fromRevision !== undefined) {
      const last = sql.lastRevision(stream);
      if (last === 'no_stream') throw new StreamNotFoundError(stream);
      if (from > last) from = last;
    }
    let first = true;
    while (remaining > 0 && from >= 0n) {
      assertOpen();
      const page = sql.backwards(stream, from, Math.min(PAGE_SIZE, remaining));
      if (page.length === 0) {
        if (first) throw new StreamNotFoundError(stream);
        return;
      }
      first = false;
      remaining -= page.length;
      from = (page[page.length - 1] as RecordedEvent).revision - 1n;
      yield* page;
    }
  } else {
    // The stream's end when reading starts bounds the read, so it is one consistent view
    // even if appends land between pages.
    const last = sql.lastRevision(stream);
    if (last === 'no_stream') throw new StreamNotFoundError(stream);
    let from = options.fromRevision ?? 0n;
    while (remaining > 0 && from <= last) {
      assertOpen();
      const page = sql.forwards(stream, from, last, Math.min(PAGE_SIZE, remaining));
      if (page.length === 0) return;
      remaining -= page.length;
      from = (page[page.length - 1] as RecordedEvent).revision + 1n;
      yield* page;
    }
  }
}

async function* readAll({ sql, assertOpen, settleAppends }: ReaderContext, options: ReadAllOptions): AsyncIterable<RecordedEvent> {
  assertOpen();
  validateReadAllOptions(options);
  settleAppends();
  const last = sql.lastPosition();
  let remaining = options.maxCount ?? Number.POSITIVE_INFINITY;
  let from = options.fromPosition ?? 0n;
  while (remaining > 0 && from <= last) {
    assertOpen();
    const page = sql.all(from, last, Math.min(PAGE_SIZE, remaining));
    if (page.length === 0) return;
    remaining -= page.length;
    from = (page[page.length - 1] as RecordedEvent).position + 1n;
    yield* page;
  }
}

/** subscribeToAll, and the timer it shares between live subscriptions. */
function subscriber(context: ReaderContext) {
  const { sql, assertOpen, isClosed, wakers, pollIntervalMs, settleAppends } = context;
  let poller: NodeJS.Timeout | undefined;
  const wakeAll = () => {
    for (const wake of wakers) wake();
  };
  const stopPollingIfIdle = () => {
    if ((wakers.size > 0 && !isClosed()) || poller === undefined) return;
    clearInterval(poller);
    poller = undefined;
  };
  const subscribeToAll = (options: SubscribeOptions, handler: (event: RecordedEvent) => Promise<void>): Subscription => {
    assertOpen();
    validateSubscribeOptions(options, handler);
    let checkpoint = options.fromPosition ?? -1n;
    let page: RecordedEvent[] = [];
    let next = 0;
    const subscription = subscriptionLoop(wakers, isClosed, async () => {
      if (next === page.length) {
        settleAppends();
        page = sql.after(checkpoint, PAGE_SIZE);
        next = 0;
        if (page.length === 0) return false;
      }
      const event = page[next++] as RecordedEvent;
      checkpoint = event.position;
      await handler(event);
      return true;
    });
    // Another process's appends cannot wake this one, so live subscriptions also look on a
    // timer. The timer keeps the process alive while one is open, as a socket would.
    poller ??= setInterval(wakeAll, pollIntervalMs);
    subscription.done.then(stopPollingIfIdle, stopPollingIfIdle);
    return subscription;
  };
  return { subscribeToAll, stopPolling: stopPollingIfIdle };
}
