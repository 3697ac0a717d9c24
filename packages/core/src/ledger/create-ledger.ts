import { backfill } from '../backfill';
import { explainDecision, findViolations, verifyStore } from '../audit';
import { createReadSide, type ReadSide } from '../projections';
import { actorTrail, recipientTrail } from '../trail';
import { issueReceipt } from '../transparency';
import { backfillTarget } from './backfill-target';
import { createContext, type LedgerContext } from './context';
import type { Audit, Ledger, LedgerOptions, Writes } from './ledger';
import { operations } from './operations';

export type { AccessDecision, AccessRequestResult, Audit, Decision, Ledger, LedgerOptions } from './ledger';

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

/** The ledger: its context built once, every operation of the catalog dispatched on it, and the read side and audit beside them. */
export function createLedger(options: LedgerOptions): Ledger {
  const context = createContext(options);
  const readSide = createReadSide(context.store, context.clock);
  return {
    ...readSide,
    ...bindOperations(context),
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
