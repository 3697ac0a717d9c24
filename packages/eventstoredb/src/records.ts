import type { RecordedEvent } from '@custodian/core';
import type { ClientRecordedEvent, ClientResolvedEvent } from './client';
import { portIdOf } from './event-ids';

// What servers before 22.6 put in the position of an event read from a stream.
const NO_POSITION = (1n << 64n) - 1n;

/** EventStoreDB's own records ($-prefixed types or streams): statistics, metadata, tombstones, links. */
export function isSystemEvent(event: ClientRecordedEvent): boolean {
  return event.type.startsWith('$') || event.streamId.startsWith('$');
}

/** The port's view of a stored event; its position is the commit position. */
export function toRecordedEvent(event: ClientRecordedEvent, resolved: ClientResolvedEvent): RecordedEvent {
  return {
    stream: event.streamId,
    revision: event.revision,
    position: positionOf(event, resolved),
    id: portIdOf(event.id, event.metadata),
    type: event.type,
    data: bytesOf(event),
  };
}

function positionOf(event: ClientRecordedEvent, resolved: ClientResolvedEvent): bigint {
  const commit = event.position?.commit ?? resolved.commitPosition;
  if (commit === undefined || commit === NO_POSITION) {
    // Without positions on stream reads the port cannot be kept; say which server is needed.
    throw new Error('the server gives no position for events read from a stream; EventStoreDB 22.6 or later is required');
  }
  return commit;
}

function bytesOf(event: ClientRecordedEvent): Uint8Array {
  if (event.data instanceof Uint8Array) return event.data;
  // An event another writer stored as JSON, which the client parsed: the same JSON value
  // comes back, though not necessarily the same bytes.
  return Buffer.from(JSON.stringify(event.data), 'utf8');
}
