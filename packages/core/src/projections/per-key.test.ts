import { describe, expect, it } from '@jest/globals';
import { InMemoryKeyStore } from '../crypto';
import type { Actor } from '../events';
import { createLedger } from '../ledger';
import { definePolicy } from '../policy';
import { InMemoryEventStore } from '../store';
import { createInMemoryCheckpointStore } from './checkpoint-store';
import { historyProjection, type HistoryEntry } from './history';
import { perKey } from './per-key';
import { decodeState, encodeState } from './projection';
import { createProjectionRunner } from './runner';

const policy = definePolicy({ purposes: { 'order.fulfilment': { legalBasis: 'contract', categories: ['contact.email'], roles: ['fulfilment'], retention: 'P1Y' } } });
const checkout: Actor = { id: 'checkout', kind: 'service', roles: ['fulfilment'] };

describe('perKey', () => {
  it('runs a read model over the whole log: each key holds what the ledger answers for it, and survives its checkpoint as text', async () => {
    const store = new InMemoryEventStore();
    const ledger = createLedger({ store, keys: new InMemoryKeyStore(), policy });
    for (const subjectId of ['s-1', 's-2']) {
      await ledger.collect({
        subjectId,
        actor: checkout,
        source: 'form',
        purposes: ['order.fulfilment'],
        notice: { id: 'n', version: 'v1' },
        data: { 'contact.email': 'a@example.com' },
      });
      await ledger.use({ subjectId, actor: checkout, purpose: 'order.fulfilment', categories: ['contact.email'], activity: `order-${subjectId}` });
    }
    await ledger.use({ subjectId: 's-1', actor: checkout, purpose: 'order.fulfilment', categories: ['contact.email'], activity: 'order-again' });

    const projection = perKey(historyProjection);
    const runner = createProjectionRunner({ store, projection, checkpoints: createInMemoryCheckpointStore<ReadonlyMap<string, readonly HistoryEntry[]>>(), batchSize: 2 });
    await runner.catchUp();
    expect([...runner.state().keys()].sort()).toEqual(['s-1', 's-2']);
    for (const subjectId of ['s-1', 's-2']) expect(runner.state().get(subjectId)).toEqual(await ledger.history(subjectId));
    expect(runner.state().get('s-1')).toHaveLength(2);
    expect(decodeState(projection, encodeState(projection, runner.state()))).toEqual(runner.state());
  });
});
