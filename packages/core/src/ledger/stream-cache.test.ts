import { describe, expect, it } from '@jest/globals';
import { conformancePolicy } from '@custodian/testing';
import { InMemoryKeyStore } from '../crypto';
import type { Actor } from '../events';
import { InMemoryEventStore } from '../store';
import { createLedger } from './create-ledger';
import { approximateBytes, createStreamCache } from './stream-cache';

const checkout: Actor = { id: 'checkout', kind: 'service', roles: ['fulfilment'] };
const keys = new InMemoryKeyStore();
const notice = { id: 'privacy-notice', version: 'v3' };

async function collected(ledger: ReturnType<typeof createLedger>, subjects: number) {
  for (let i = 0; i < subjects; i++)
    await ledger.collect({ subjectId: `s-${i}`, actor: checkout, source: 'web', purposes: ['order.fulfilment'], notice, data: { 'contact.address': `${i} high street` } });
}
const useOf = (ledger: ReturnType<typeof createLedger>, i: number) =>
  ledger.use({ subjectId: `s-${i}`, actor: checkout, purpose: 'order.fulfilment', categories: ['contact.address'], activity: 'ship' });

describe("the ledger's stream cache", () => {
  it('keeps the old default: 20,000 entries, no byte limit', () => {
    const ledger = createLedger({ store: new InMemoryEventStore(), keys, policy: conformancePolicy });
    expect(ledger.cacheStats()).toEqual({
      entries: 0,
      approximateBytes: 0,
      maxEntries: 20_000,
      maxBytes: undefined,
      hits: 0,
      misses: 0,
      evictions: 0,
      snapshotLoads: 0,
      snapshotSaves: 0,
      snapshotRejections: 0,
      snapshotSaveFailures: 0,
    });
  });

  it('holds at most maxEntries streams, counting each eviction and each miss that followed one', async () => {
    const ledger = createLedger({ store: new InMemoryEventStore(), keys, policy: conformancePolicy, cache: { maxEntries: 3 } });
    await collected(ledger, 10);
    const afterCollect = ledger.cacheStats();
    expect(afterCollect).toMatchObject({ entries: 3, maxEntries: 3, evictions: 7, misses: 10 });
    for (let i = 0; i < 10; i++) await useOf(ledger, i);
    expect(ledger.cacheStats()).toMatchObject({ entries: 3, evictions: 17, misses: 20 });
  });

  it('answers a decision on a stream it holds without reading the stream: a hit', async () => {
    const ledger = createLedger({ store: new InMemoryEventStore(), keys, policy: conformancePolicy });
    await collected(ledger, 1);
    const before = ledger.cacheStats();
    await useOf(ledger, 0);
    await useOf(ledger, 0);
    expect(ledger.cacheStats()).toMatchObject({ hits: before.hits + 2, misses: before.misses, entries: 1 });
  });

  it('holds no more than maxBytes of approximate size, evicting the oldest first', async () => {
    const ledger = createLedger({ store: new InMemoryEventStore(), keys, policy: conformancePolicy, cache: { maxBytes: 3_000 } });
    await collected(ledger, 20);
    const stats = ledger.cacheStats();
    expect(stats.approximateBytes).toBeLessThanOrEqual(3_000);
    expect(stats.approximateBytes).toBeGreaterThan(0);
    expect(stats.entries).toBeGreaterThan(0);
    expect(stats.entries).toBeLessThan(20);
    expect(stats.evictions).toBe(20 - stats.entries);
  });

  it('keeps none with maxEntries 0, and still decides right: every decision reads its stream', async () => {
    const ledger = createLedger({ store: new InMemoryEventStore(), keys, policy: conformancePolicy, cache: { maxEntries: 0 } });
    await collected(ledger, 2);
    expect(await useOf(ledger, 1)).toMatchObject({ allowed: true });
    // A collection reads its stream before sealing (each category's key is the one its stream gives), and again to decide.
    expect(ledger.cacheStats()).toMatchObject({ entries: 0, approximateBytes: 0, hits: 0, misses: 5 });
  });

  it.each([
    [{ maxEntries: -1 }, 'cache.maxEntries'],
    [{ maxEntries: 1.5 }, 'cache.maxEntries'],
    [{ maxEntries: '100' }, 'cache.maxEntries'],
    [{ maxBytes: -1 }, 'cache.maxBytes'],
    [{ maxBytes: Number.POSITIVE_INFINITY }, 'cache.maxBytes'],
    [{ size: 10 }, 'cache.size'],
  ])('refuses cache %p with a ValidationError naming %s', (cache, path) => {
    const make = () => createLedger({ store: new InMemoryEventStore(), keys, policy: conformancePolicy, cache: cache as never });
    expect(make).toThrow(expect.objectContaining({ code: 'VALIDATION_FAILED', issues: [expect.objectContaining({ path })] }));
  });
});

describe('createStreamCache', () => {
  it('gives an entry hit since eviction last passed it a second chance: the oldest unused one goes first', () => {
    const cache = createStreamCache<string>({ maxEntries: 2 });
    cache.put('a', 'a', 1, -1n);
    cache.put('b', 'b', 1, -1n);
    cache.put('c', 'c', 1, -1n);
    // a went, b and c were passed over once; b is hit again, so c, not the older b, makes way for d.
    cache.put('b', 'b2', 1, -1n);
    cache.put('d', 'd', 1, -1n);
    expect(cache.peek('b')?.value).toBe('b2');
    expect(cache.peek('c')).toBeUndefined();
    expect(cache.peek('d')?.value).toBe('d');
    expect(cache.stats()).toMatchObject({ entries: 2, evictions: 2, approximateBytes: 2 });
  });

  it('keeps the later snapshot revision of an entry put again without one', () => {
    const cache = createStreamCache<string>();
    cache.put('a', 'a', 1, 7n);
    expect(cache.put('a', 'a', 1, -1n).snapshotAt).toBe(7n);
  });
});

describe('approximateBytes', () => {
  it('grows with every string, map entry and array item of a state', () => {
    const small = approximateBytes({ collected: new Map([['a', { sealed: 'x' }]]), objections: [] });
    const large = approximateBytes({
      collected: new Map([
        ['a', { sealed: 'x'.repeat(1000) }],
        ['b', { sealed: 'y' }],
      ]),
      objections: [{ eventId: 'e' }],
      tags: new Set(['t']),
    });
    expect(large).toBeGreaterThan(small + 1000);
  });
});
