import type { BackfillTarget } from '../backfill';
import { subjectStream } from '../events';
import { StreamNotFoundError } from '../store';
import type { LedgerContext } from './context';

/** What an import writes through: the ledger's own store, policy, clock, sealing and stream folding. */
export function backfillTarget(context: LedgerContext): BackfillTarget {
  const { store, policy, clock, values } = context;
  return {
    store,
    policy,
    clock,
    recordPolicy: () => context.recordPolicy(),
    seal: (subjectId, data, state) => values.seal(subjectId, data, state),
    sealText: (subjectId, field, text) => values.sealText(subjectId, field, text),
    async load(subjectId) {
      const stream = subjectStream(subjectId);
      // Folded and checked as every decision is: a customer whose chain was altered is not written to.
      const loaded = await context.subjects.load(stream);
      const ids = new Set<string>();
      try {
        for await (const record of store.readStream(stream)) ids.add(record.id);
      } catch (error) {
        if (!(error instanceof StreamNotFoundError)) throw error;
      }
      return { state: loaded.state, revision: loaded.revision, lastHash: loaded.lastHash, holds: (id) => ids.has(id) };
    },
  };
}
