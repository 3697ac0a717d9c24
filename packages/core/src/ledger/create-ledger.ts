import { backfill } from '../backfill';
import { explainDecision, findViolations, verifyStore } from '../audit';
import type { ApplicationCatalog, NoApplicationEvents, ReadApplicationEvent } from '../application';
import { parseOrThrow } from '../errors';
import { applicationStream, Identifier, readDecoded, type CustodianEvent, type EventData } from '../events';
import { createReadSide, type ReadSide } from '../projections';
import { actorTrail, recipientTrail } from '../trail';
import { issueReceipt } from '../transparency';
import { backfillTarget } from './backfill-target';
import { createContext, type LedgerContext } from './context';
import type { Audit, Ledger, LedgerOptions, Writes } from './ledger';
import { applicationField, operations } from './operations';

type Json = Exclude<EventData<'ApplicationEventRecorded'>['data'], undefined>;

export type { AccessDecision, AccessRequestResult, Audit, Decision, Ledger, LedgerOptions, RecordEventCommand } from './ledger';

/** Each operation of the catalog, bound to the ledger's context: the `Ledger`'s write methods. */
function bindOperations(context: LedgerContext): Writes {
  const writes: Partial<Record<keyof Writes, unknown>> = {};
  for (const [name, operation] of Object.entries(operations) as [keyof Writes, (context: LedgerContext, raw: never) => Promise<unknown>][])
    writes[name] = (raw: never) => operation(context, raw);
  // Each entry is its operation with the context filled in, so it has the type `Writes` gives that name.
  return writes as Writes;
}

function auditOf(context: LedgerContext, readSide: ReadSide): Audit {
  const { store, policy } = context;
  return {
    verify: (verifyOptions) => verifyStore(store, verifyOptions),
    violations: () => findViolations(store, policy),
    explain: (eventId) => explainDecision(store, policy, eventId),
    at: (asOf) => ({
      consentState: (subjectId) => readSide.consentState(subjectId, { at: asOf }),
      history: (subjectId) => readSide.history(subjectId, { at: asOf }),
      inventory: (subjectId) => readSide.inventory(subjectId, { at: asOf }),
      recipients: () => readSide.recipients({ at: asOf }),
      openRequests: (options) => readSide.openRequests({ ...options, at: asOf }),
      overdueRequests: (options) => readSide.overdueRequests({ ...options, at: asOf }),
    }),
  };
}

/** The application's events of one stream, each at its type's current version. */
/** One application event read back: its sealed data opened with its subject's key, or, that key destroyed, without its data. */
async function readApplicationEvent(context: LedgerContext, event: CustodianEvent<'ApplicationEventRecorded'>, stream: string): Promise<ReadApplicationEvent> {
  const { subjectId, sealed } = event.data;
  if (subjectId === undefined || sealed === undefined) return context.applicationEvents.read(event, stream);
  const opened = await context.values.openText(subjectId, applicationField(stream, event.data.type), sealed);
  if (opened !== undefined) return context.applicationEvents.read(event, stream, { data: JSON.parse(opened) as Json });
  const { id, occurredAt, recordedAt, actor, correlationId, causationId } = event;
  const { type, schemaVersion: storedVersion } = event.data;
  return { id, type, schemaVersion: storedVersion, storedVersion, stream, subjectId, erased: true, occurredAt, recordedAt, actor, correlationId, causationId };
}

async function readEvents(context: LedgerContext, stream: string): Promise<ReadApplicationEvent[]> {
  const name = parseOrThrow(Identifier, stream, 'stream');
  const read: ReadApplicationEvent[] = [];
  for (const { event } of await readDecoded(context.store, applicationStream(name)))
    if (event.type === 'ApplicationEventRecorded') read.push(await readApplicationEvent(context, event, name));
  return read;
}

/** The ledger: its context built once, every operation of the catalog dispatched on it, and the read side and audit beside them. */
export function createLedger<E extends ApplicationCatalog = NoApplicationEvents>(options: LedgerOptions<E>): Ledger<E> {
  // The application's types are checked against its upcasters here; inside, the ledger handles any catalog.
  const context = createContext(options as LedgerOptions<ApplicationCatalog>);
  const readSide = createReadSide(context.store, context.clock);
  const { recordEvent, ...writes } = bindOperations(context);
  return {
    ...readSide,
    ...writes,
    // What recordEvent returns was read by the catalog of `options.events`, which E types.
    recordEvent: recordEvent as unknown as Ledger<E>['recordEvent'],
    readEvents: (stream) => readEvents(context, stream) as Promise<ReadApplicationEvent<E>[]>,
    store: context.store,
    policy: context.policy,
    audit: auditOf(context, readSide),
    exportSubject: context.exportSubject,
    backfill: (records, backfillOptions) => backfill(backfillTarget(context), records, backfillOptions),
    actorHistory: (actorId, trailOptions) => actorTrail(context.store, actorId, trailOptions, context.policy),
    recipientHistory: (recipientId, trailOptions) => recipientTrail(context.store, recipientId, trailOptions, context.policy),
    cacheStats: context.cacheStats,
    receipt: (eventId, receiptOptions) => issueReceipt({ ...receiptOptions, store: context.store, eventId }),
  };
}
