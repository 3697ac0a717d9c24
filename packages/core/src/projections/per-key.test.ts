import { describe, expect, it } from '@jest/globals';
import { InMemoryKeyStore } from '../crypto';
import { GENESIS_HASH } from '../crypto';
import { events, subjectStream, type Actor } from '../events';
import { createLedger } from '../ledger';
import { definePolicy } from '../policy';
import { InMemoryEventStore, type RecordedEvent } from '../store';
import { countCopiedItems } from '../test-support';
import { consentProjection, type ConsentRecord } from './consent-state';
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

  it('folds in linear work however many keys it holds, and every earlier state (a checkpoint, a failed batch’s start) still reads as it did', () => {
    const now = new Date('2026-01-01T00:00:00.000Z');
    const grant = (n: number): RecordedEvent => {
      const subjectId = `c-${n}`;
      const draft = { type: 'ConsentGranted' as const, data: { purpose: 'marketing.email', notice: { id: 'n', version: 'v1' }, method: 'checkbox' as const } };
      const { toAppend } = events.seal(events.envelope(draft, { stream: subjectStream(subjectId), subjectId, actor: checkout, now }), GENESIS_HASH);
      return { stream: subjectStream(subjectId), revision: 0n, position: BigInt(n), id: toAppend.id, type: toAppend.type, data: toAppend.data };
    };
    const projection = perKey(consentProjection);
    const fold = (records: readonly RecordedEvent[], from = projection.initial()) => records.reduce(projection.evolve, from);
    const walked = (count: number) => {
      const records = Array.from({ length: count }, (_, i) => grant(i));
      return countCopiedItems(() => expect(fold(records).size).toBe(count));
    };
    // A copy of the map per event walks n²/2 entries: four times the keys, sixteen times the work.
    const n = 1_000;
    expect(walked(4 * n)).toBeLessThan(5 * walked(n));

    const first = fold([grant(1)]);
    const second = fold([grant(2)], first);
    const branch = fold([grant(3)], first);
    expect([...first.keys()]).toEqual(['c-1']);
    expect([...second.keys()]).toEqual(['c-1', 'c-2']);
    expect([...branch.keys()]).toEqual(['c-1', 'c-3']);
    expect(second.get('c-2')?.['marketing.email']?.status).toBe('granted');
    expect(first.has('c-2')).toBe(false);
    expect(second.size).toBe(2);
    const decoded = projection.decode?.(projection.encode?.(second) ?? '') as ReadonlyMap<string, Readonly<Record<string, ConsentRecord>>>;
    expect([...fold([grant(4)], decoded).keys()]).toEqual(['c-1', 'c-2', 'c-4']);
    expect([...decoded.keys()]).toEqual(['c-1', 'c-2']);
  });
});
