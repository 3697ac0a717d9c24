import { StreamNotFoundError, subjectStream, type EventStore } from '@custodian/core';

/** Whether the ledger holds any event about the subject. */
export async function subjectExists(store: EventStore, subjectId: string): Promise<boolean> {
  try {
    for await (const _ of store.readStream(subjectStream(subjectId), { maxCount: 1 })) return true;
    return false;
  } catch (error) {
    if (error instanceof StreamNotFoundError) return false;
    throw error;
  }
}
