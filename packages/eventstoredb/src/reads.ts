import type { ReadAllOptions, ReadStreamOptions, RecordedEvent } from '@custodian/core';
import type { ClientRead, ClientResolvedEvent, SupportedClient } from './client';
import { toPortError } from './errors';
import { isSystemEvent, toRecordedEvent } from './records';

// Each read is one generator over the client's iterator, without further layers: every
// layer of async iteration costs about as much per event as the adapter's own work.

/** Reads one stream, in either direction; every event of it, system types included. */
export async function* readStreamEvents(client: SupportedClient, stream: string, options: ReadStreamOptions, beforeRead: () => void): AsyncGenerator<RecordedEvent> {
  beforeRead();
  const backwards = options.direction === 'backwards';
  const limit = options.maxCount;
  const read = client.readStream(stream, {
    fromRevision: options.fromRevision ?? (backwards ? 'end' : 'start'),
    direction: backwards ? 'backwards' : 'forwards',
    ...(limit === undefined ? {} : { maxCount: limit }),
  });
  const events = read[Symbol.asyncIterator]();
  let finished = false;
  try {
    for (;;) {
      const next = await nextOf(events, stream);
      if (next.done) break;
      if (next.value.event) yield toRecordedEvent(next.value.event, next.value);
    }
    finished = true;
  } catch (error) {
    finished = error instanceof ReadFailure;
    throw error instanceof ReadFailure ? error.cause : error;
  } finally {
    if (!finished) await abandon(read, events);
  }
}

/**
 * Reads $all from a position, inclusive, leaving out EventStoreDB's own events. Those do
 * not count towards `maxCount`, so a read that met some asks again after the last one.
 */
export async function* readAllEvents(client: SupportedClient, options: ReadAllOptions, beforeRead: () => void): AsyncGenerator<RecordedEvent> {
  beforeRead();
  let remaining = options.maxCount ?? Number.POSITIVE_INFINITY;
  let from = options.fromPosition === undefined || options.fromPosition === 0n ? undefined : options.fromPosition;
  let lastSeen: bigint | undefined;
  while (remaining > 0) {
    // Reading again from the last position seen repeats that event: ask for one more.
    const requested = Number.isFinite(remaining) ? remaining + (lastSeen === undefined ? 0 : 1) : undefined;
    const read = client.readAll({
      fromPosition: from === undefined ? 'start' : { commit: from, prepare: from },
      ...(requested === undefined ? {} : { maxCount: requested }),
    });
    const events = read[Symbol.asyncIterator]();
    let received = 0;
    let finished = false;
    try {
      for (;;) {
        const next = await nextOf(events, '$all');
        if (next.done) {
          finished = true;
          break;
        }
        received++;
        const event = next.value.event;
        if (!event) continue;
        const recorded = toRecordedEvent(event, next.value);
        if (lastSeen !== undefined && recorded.position <= lastSeen) continue;
        lastSeen = recorded.position;
        if (isSystemEvent(event)) continue;
        yield recorded;
        if (--remaining === 0) break;
      }
    } catch (error) {
      finished = error instanceof ReadFailure;
      throw error instanceof ReadFailure ? error.cause : error;
    } finally {
      if (!finished) await abandon(read, events);
    }
    if (requested === undefined || received < requested || lastSeen === undefined) return;
    from = lastSeen;
  }
}

/** A failure of the read itself (as opposed to the reader's), already in core's terms. */
class ReadFailure {
  constructor(readonly cause: unknown) {}
}

async function nextOf(events: AsyncIterator<ClientResolvedEvent>, stream: string): Promise<IteratorResult<ClientResolvedEvent>> {
  try {
    return await events.next();
  } catch (error) {
    throw new ReadFailure(toPortError(error, stream));
  }
}

async function abandon(read: ClientRead, events: AsyncIterator<ClientResolvedEvent>): Promise<void> {
  if (!read.cancel) {
    await events.return?.();
    return;
  }
  // db-client: ending the iteration destroys its read stream but leaves the gRPC call's
  // answer unread, and client.dispose() then waits for that call forever. Cancel the call
  // instead, and let whatever had arrived drain away.
  await read.cancel();
  void (async () => {
    while (!(await events.next()).done);
  })().catch(() => undefined);
}
