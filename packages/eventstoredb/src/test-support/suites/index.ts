import { describe } from '@jest/globals';
import { runEventStoreConformance, runLedgerConformance, runTreeConformance } from '@custodian/testing';
import { createEventStoreDBStore } from '../../store';
import { clientLabel, type ClientKind } from '../clients';
import { namespaced } from '../namespaced-store';
import { describeAdapterBehaviour } from './adapter-suite';
import { useEventStore } from './environment';
import { describeProjectionRunner } from './projection-suite';
import { describeIdempotentRetries } from './retry-suite';

/** Everything the adapter promises, through one client package, against one server. */
export function describeEventStoreDBAdapter(kind: ClientKind): void {
  describe(`EventStoreDB adapter via ${clientLabel(kind)}`, () => {
    const env = useEventStore(kind);
    // Stores share the file's client, as an application's would: closing one leaves it open.
    // EventStoreDB recognises a retried append by its ids, and keeps no index of ids across
    // streams to refuse one stored elsewhere: the refusals are not asked of it (see README).
    runEventStoreConformance(`EventStoreDB store via ${clientLabel(kind)}`, () => createEventStoreDBStore(env.client(), { closeClient: false }), {
      refusesRepeatedIds: false,
      locates: false,
    });
    describeAdapterBehaviour(env);
    describeIdempotentRetries(env);
    describeProjectionRunner(env);

    // On a server of its own: the ledger reads all of $all, which the suites above fill
    // with events that are not the ledger's. Each test sees its own namespace of it.
    describe('ledger', () => {
      const ledgerEnv = useEventStore(kind);
      runLedgerConformance(`EventStoreDB store via ${clientLabel(kind)}`, () => namespaced(createEventStoreDBStore(ledgerEnv.client(), { closeClient: false })), {
        raceRounds: 15,
        fairnessRounds: 2,
      });
      runTreeConformance(`EventStoreDB store via ${clientLabel(kind)}`, () => namespaced(createEventStoreDBStore(ledgerEnv.client(), { closeClient: false })));
    });
  });
}
