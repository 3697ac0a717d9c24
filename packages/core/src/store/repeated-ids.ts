import { DuplicateEventIdError } from './errors';
import type { AppendResult, EventToAppend, ExpectedRevision } from './port';

/** Where a store holds an event id already: enough to tell a retry from a repeat. */
export interface StoredId {
  stream: string;
  revision: bigint;
  position: bigint;
  type: string;
  data: Uint8Array;
}

/**
 * Event ids are unique in the whole log; shared by every store so all answer alike. Returns
 * undefined if every id of the append is new. An exact retry of an append that landed (the
 * same events, type and bytes, in this stream, where `expected` put them, or anywhere for
 * 'any' and 'exists') returns the original result, as EventStoreDB does, and nothing is
 * written. Any other repeat, in another stream, with other bytes, at another place or
 * within the append, is refused with `DuplicateEventIdError`.
 */
export function checkRepeatedIds(
  stream: string,
  events: readonly EventToAppend[],
  expected: ExpectedRevision,
  stored: (id: string) => StoredId | undefined,
): AppendResult | undefined {
  if (events.length > 1) {
    const ids = new Set<string>();
    for (const event of events) {
      if (ids.has(event.id)) throw new DuplicateEventIdError(stream, event.id);
      ids.add(event.id);
    }
  }
  const found = events.map((event) => stored(event.id));
  const repeated = found.findIndex((held) => held !== undefined);
  if (repeated < 0) return undefined;
  const first = found[0];
  const placed =
    first !== undefined && first.stream === stream && (typeof expected === 'bigint' ? first.revision === expected + 1n : expected === 'no_stream' ? first.revision === 0n : true);
  const retried =
    placed &&
    events.every((event, i) => {
      const held = found[i];
      return (
        held !== undefined &&
        held.stream === stream &&
        held.revision === first.revision + BigInt(i) &&
        held.type === event.type &&
        Buffer.from(held.data.buffer, held.data.byteOffset, held.data.byteLength).equals(event.data)
      );
    });
  if (!retried) throw new DuplicateEventIdError(stream, (events[repeated] as EventToAppend).id);
  const last = found[found.length - 1] as StoredId;
  return { nextRevision: last.revision, position: last.position };
}
