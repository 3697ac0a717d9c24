import { events, GENESIS_HASH, type Actor, type CustodianEvent, type EventDraft, type EventStore } from '@custodian/core';

/**
 * Appends an event straight to the store, around the ledger and its rules, correctly
 * chained: what a buggy or careless service could write. Audit tests plant these and
 * expect `audit.violations()` to find them while `audit.verify()` still passes.
 */
export async function plantEvent(
  store: EventStore,
  stream: string,
  draft: EventDraft,
  meta: { actor: Actor; subjectId?: string; occurredAt?: Date; id?: string; correlationId?: string; causationId?: string },
): Promise<CustodianEvent> {
  let prevHash = GENESIS_HASH;
  let expected: bigint | 'no_stream' = 'no_stream';
  try {
    for await (const record of store.readStream(stream, { direction: 'backwards', maxCount: 1 })) {
      prevHash = events.decode(record.data).hash;
      expected = record.revision;
    }
  } catch {
    expected = 'no_stream';
  }
  const { toAppend, event } = events.seal(events.envelope(draft, { ...meta, stream, now: meta.occurredAt ?? new Date() }), prevHash);
  await store.append(stream, [toAppend], expected);
  return event;
}
