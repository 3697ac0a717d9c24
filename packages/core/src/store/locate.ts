import type { EventLocation, EventStore } from './port';

/**
 * Where the event with this id is stored, or undefined. The store's own index answers
 * when it has one (`locate`); a store without it (EventStoreDB) is scanned from the start
 * of `readAll` up to the event, a cost that grows with the log: the documented fallback.
 */
export async function locateEvent(store: EventStore, eventId: string): Promise<EventLocation | undefined> {
  if (store.locate !== undefined) return store.locate(eventId);
  for await (const record of store.readAll()) if (record.id === eventId) return { stream: record.stream, revision: record.revision, position: record.position };
  return undefined;
}
