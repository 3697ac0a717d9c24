import type { ReadAllOptions, ReadStreamOptions, RecordedEvent, SubscribeOptions, Subscription } from '@custodian/core';
import { StoreClosedError, StreamNotFoundError } from '@custodian/core';
import { subscriptionLoop, validateReadAllOptions, validateReadStreamOptions, validateSubscribeOptions } from '@custodian/core/store-kit';
import type { Statements } from './statements';

// Reads go page by page by position or revision, never through a cursor held open across
// the reader's awaits: a page is one short statement on any connection of the pool.
const PAGE_SIZE = 1000;

/** What the readers share with the store: its statements, whether it is closed, and the wakers its appends call. */
export interface ReaderContext {
  readonly sql: Statements;
  readonly assertOpen: () => void;
  readonly isClosed: () => boolean;
  readonly wakers: Set<() => void>;
  readonly pollIntervalMs: number;
}

/** The store's reads; `stopPolling` ends the timer of live subscriptions when the store closes. */
export function createReaders(context: ReaderContext) {
  return {
    readStream: (stream: string, options: ReadStreamOptions = {}) => readStream(context, stream, options),
    readAll: (options: ReadAllOptions = {}) => readAll(context, options),
    ...subscriber(context),
  };
}

async function* readStream({ sql, assertOpen }: ReaderContext, stream: string, options: ReadStreamOptions): AsyncIterable<RecordedEvent> {
  assertOpen();
  validateReadStreamOptions(stream, options);
  // The stream's end when reading starts bounds the read: one consistent view even if appends land between pages.
  const last = await sql.lastRevision(stream);
  if (last === 'no_stream') throw new StreamNotFoundError(stream);
  let remaining = options.maxCount ?? Number.POSITIVE_INFINITY;
  const backwards = options.direction === 'backwards';
  let from = backwards ? (options.fromRevision === undefined || options.fromRevision > last ? last : options.fromRevision) : (options.fromRevision ?? 0n);
  while (remaining > 0 && (backwards ? from >= 0n : from <= last)) {
    assertOpen();
    const limit = Math.min(PAGE_SIZE, remaining);
    const page = backwards ? await sql.backwards(stream, from, limit) : await sql.forwards(stream, from, last, limit);
    if (page.length === 0) return;
    remaining -= page.length;
    const end = (page[page.length - 1] as RecordedEvent).revision;
    from = backwards ? end - 1n : end + 1n;
    yield* page;
  }
}

async function* readAll({ sql, assertOpen }: ReaderContext, options: ReadAllOptions): AsyncIterable<RecordedEvent> {
  assertOpen();
  validateReadAllOptions(options);
  // Appends commit in position order (see schema.ts), so the last position now bounds a
  // prefix of the log that no later commit changes.
  const last = await sql.lastPosition();
  let remaining = options.maxCount ?? Number.POSITIVE_INFINITY;
  let from = options.fromPosition ?? 0n;
  while (remaining > 0 && from <= last) {
    assertOpen();
    const page = await sql.all(from, last, Math.min(PAGE_SIZE, remaining));
    if (page.length === 0) return;
    remaining -= page.length;
    from = (page[page.length - 1] as RecordedEvent).position + 1n;
    yield* page;
  }
}

/** subscribeToAll, and the timer it shares between live subscriptions. */
function subscriber(context: ReaderContext) {
  const { sql, assertOpen, isClosed, wakers, pollIntervalMs } = context;
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
    let checkpoint = options.fromPosition ?? 0n;
    let page: RecordedEvent[] = [];
    let next = 0;
    const subscription = subscriptionLoop(wakers, isClosed, async () => {
      if (next === page.length) {
        page = await sql.after(checkpoint, PAGE_SIZE).catch((error: unknown) => {
          // The pool ended under a read in flight: the store was closed, and says so.
          throw isClosed() ? new StoreClosedError() : error;
        });
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
