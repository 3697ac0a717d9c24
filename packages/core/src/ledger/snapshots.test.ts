import { describe, expect, it } from '@jest/globals';
import { randomBytes } from 'node:crypto';
import { conformancePolicy } from '@custodian/testing';
import { InMemoryKeyStore, sealRecord } from '../crypto';
import { subjectStream, type Actor } from '../events';
import { createInMemorySnapshotStore, type SnapshotStore } from '../snapshots';
import { InMemoryEventStore, type EventStore, type ReadStreamOptions, type RecordedEvent } from '../store';
import { insertRaw } from '../testing';
import { createLedger } from './create-ledger';

// An attacker who can write the snapshot store (not the event store, not the secret) edits,
// moves and copies snapshots. None of it may change a decision: each forged snapshot is
// refused (counted in cacheStats) and the stream folded from its first event.

const checkout: Actor = { id: 'checkout', kind: 'service', roles: ['fulfilment', 'marketing'] };
const marketer: Actor = { id: 'campaigns', kind: 'service', roles: ['marketing'] };
const subject = (id: string): Actor => ({ id, kind: 'subject', roles: [] });
const notice = { id: 'privacy-notice', version: 'v3' };
const secret = randomBytes(32);
const ALICE = subjectStream('alice');
const BOB = subjectStream('bob');

/** The event store, counting the records of subjects' streams its reads hand out. */
function counting(store: EventStore) {
  const counts = { records: 0 };
  const wrapped: EventStore = {
    append: (stream, events, expected) => store.append(stream, events, expected),
    async *readStream(stream: string, options?: ReadStreamOptions) {
      for await (const record of store.readStream(stream, options)) {
        if (stream.startsWith('subject-')) counts.records++;
        yield record;
      }
    },
    readAll: (options) => store.readAll(options),
    close: () => store.close(),
  };
  return { store: wrapped, counts };
}

const settle = () => new Promise((resolve) => setImmediate(resolve));

/** A ledger with no stream in its cache: each decision's stream is read from its snapshot or its start. */
const ledgerOn = (store: EventStore, snapshots: SnapshotStore, every = 2) =>
  createLedger({ store, keys, policy: conformancePolicy, cache: { maxEntries: 0 }, snapshots: { store: snapshots, secret, every } });
const keys = new InMemoryKeyStore();

/** Alice and bob both collected and consented; alice then withdrew. Snapshots were taken along the way. */
async function world() {
  const events = new InMemoryEventStore();
  const inner = createInMemorySnapshotStore();
  /** Every snapshot saved, by stream, oldest first. */
  const saved = new Map<string, Uint8Array[]>();
  const snapshots: SnapshotStore = {
    load: (stream) => inner.load(stream),
    save(stream, bytes) {
      saved.set(stream, [...(saved.get(stream) ?? []), Uint8Array.from(bytes)]);
      return inner.save(stream, bytes);
    },
    clear: () => inner.clear(),
  };
  const ledger = ledgerOn(events, snapshots);
  for (const id of ['alice', 'bob']) {
    await ledger.collect({
      subjectId: id,
      actor: checkout,
      source: 'web',
      purposes: ['marketing.email', 'order.fulfilment'],
      notice,
      data: { 'contact.email': `${id}@example.com`, 'contact.address': `1 ${id} street` },
    });
    await ledger.grantConsent({ subjectId: id, actor: subject(id), purpose: 'marketing.email', notice, method: 'checkbox' });
  }
  await ledger.withdrawConsent({ subjectId: 'alice', actor: subject('alice'), purpose: 'marketing.email' });
  await ledger.use({ subjectId: 'alice', actor: marketer, purpose: 'marketing.email', categories: ['contact.email'], activity: 'campaign-0' });
  await settle();
  return { events, snapshots, saved };
}

const useFor = (ledger: ReturnType<typeof createLedger>, subjectId: string) =>
  ledger.use({ subjectId, actor: marketer, purpose: 'marketing.email', categories: ['contact.email'], activity: 'campaign-1' });

const textOf = async (snapshots: SnapshotStore, stream: string) => Buffer.from((await snapshots.load(stream)) ?? []).toString('utf8');

describe('snapshots on a cache miss', () => {
  it('start from the snapshot and read only the events after it, with the same decision as a full fold', async () => {
    const { events, snapshots } = await world();
    const { store, counts } = counting(events);
    const ledger = ledgerOn(store, snapshots, 1_000);
    expect(await useFor(ledger, 'alice')).toMatchObject({ allowed: false, reason: 'consent_withdrawn' });
    // alice's stream is at revision 3 (collect, grant, withdraw, use); her snapshot at 3: the record at 3 is read to anchor it, nothing before.
    expect(counts.records).toBe(1);
    expect(ledger.cacheStats()).toMatchObject({ hits: 0, misses: 1, snapshotLoads: 1, snapshotRejections: 0 });
    const full = createLedger({ store: events, keys, policy: conformancePolicy });
    expect(await useFor(full, 'alice')).toMatchObject({ allowed: false, reason: 'consent_withdrawn' });
  });

  it('are saved every K events of a stream, sealed, and hold none of the values collected', async () => {
    const { snapshots } = await world();
    const alice = await textOf(snapshots, ALICE);
    expect(alice).toMatch(/^[0-9a-f]{64}\{/);
    expect(alice).toContain('"revision":"3"');
    for (const value of ['alice@example.com', 'bob@example.com', '1 alice street', '1 bob street', 'alice street']) {
      expect(alice).not.toContain(value);
      expect(await textOf(snapshots, BOB)).not.toContain(value);
    }
  });

  it('refuse a state edited to turn the withdrawn consent back to granted: the use is still refused', async () => {
    const { events, snapshots } = await world();
    const forged = (await textOf(snapshots, ALICE)).replace('"status":"withdrawn"', '"status":"granted"');
    expect(forged).toContain('"status":"granted"');
    await snapshots.save(ALICE, Buffer.from(forged));
    const ledger = ledgerOn(events, snapshots);
    expect(await useFor(ledger, 'alice')).toMatchObject({ allowed: false, reason: 'consent_withdrawn' });
    expect(ledger.cacheStats()).toMatchObject({ snapshotLoads: 0, snapshotRejections: 1 });
  });

  it("refuse alice's snapshot from before her withdrawal moved forward past it (revision and hash both moved, so it links to the stored chain)", async () => {
    const { events, snapshots, saved } = await world();
    const text = (saved.get(ALICE) ?? []).map((bytes) => Buffer.from(bytes).toString('utf8')).find((snapshot) => snapshot.includes('"revision":"1"')) ?? '';
    expect(text).toContain('"revision":"1"');
    expect(text).toContain('"status":"granted"');
    const records: RecordedEvent[] = [];
    for await (const record of events.readStream(ALICE)) records.push(record);
    const hashAt = (revision: number) => (JSON.parse(Buffer.from(records[revision]?.data ?? []).toString()) as { hash: string }).hash;
    // Claimed at revision 3, with record 3's hash and the ids of records 2 and 3, the withdrawal at revision 2 would never be folded.
    const uuids = (count: number) =>
      Buffer.from(
        records
          .slice(0, count)
          .map((record) => record.id.replaceAll('-', ''))
          .join(''),
        'hex',
      ).toString('base64');
    const moved = text
      .replace('"revision":"1"', '"revision":"3"')
      .replace(hashAt(1), hashAt(3))
      .replace(`"uuids":"${uuids(2)}"`, `"uuids":"${uuids(4)}"`);
    expect(moved).toContain(`"uuids":"${uuids(4)}"`);
    await snapshots.save(ALICE, Buffer.from(moved));
    const ledger = ledgerOn(events, snapshots);
    expect(await useFor(ledger, 'alice')).toMatchObject({ allowed: false, reason: 'consent_withdrawn' });
    expect(ledger.cacheStats()).toMatchObject({ snapshotLoads: 0, snapshotRejections: 1 });
  });

  it('refuse a hash swapped for another record', async () => {
    const { events, snapshots } = await world();
    const text = await textOf(snapshots, ALICE);
    const hash = /"hash":"([0-9a-f]{64})"/.exec(text)?.[1] ?? '';
    await snapshots.save(ALICE, Buffer.from(text.replace(hash, 'f'.repeat(64))));
    const ledger = ledgerOn(events, snapshots);
    expect(await useFor(ledger, 'alice')).toMatchObject({ allowed: false, reason: 'consent_withdrawn' });
    expect(ledger.cacheStats()).toMatchObject({ snapshotLoads: 0, snapshotRejections: 1 });
  });

  it("refuse bob's snapshot (consent granted, its MAC valid) copied under alice's stream", async () => {
    const { events, snapshots } = await world();
    await snapshots.save(ALICE, (await snapshots.load(BOB)) ?? new Uint8Array());
    const ledger = ledgerOn(events, snapshots);
    expect(await useFor(ledger, 'alice')).toMatchObject({ allowed: false, reason: 'consent_withdrawn' });
    expect(ledger.cacheStats()).toMatchObject({ snapshotLoads: 0, snapshotRejections: 1 });
  });

  it('refuse a sound snapshot whose record is not in the event store (a store restored from a backup taken before the withdrawal)', async () => {
    const { snapshots } = await world();
    const before = new InMemoryEventStore();
    const early = ledgerOn(before, createInMemorySnapshotStore());
    await early.collect({ subjectId: 'alice', actor: checkout, source: 'web', purposes: ['marketing.email'], notice, data: { 'contact.email': 'alice@example.com' } });
    await early.grantConsent({ subjectId: 'alice', actor: subject('alice'), purpose: 'marketing.email', notice, method: 'checkbox' });
    // The snapshot says "withdrawn at revision 3"; this store never recorded a withdrawal.
    const ledger = ledgerOn(before, snapshots);
    expect(await useFor(ledger, 'alice')).toMatchObject({ allowed: true });
    expect(ledger.cacheStats()).toMatchObject({ snapshotLoads: 0, snapshotRejections: 1 });
  });

  it('refuse a snapshot sealed with another secret, as an attacker without the ledger secret would seal one', async () => {
    const { events } = await world();
    const attacker = createInMemorySnapshotStore();
    const forger = createLedger({ store: events, keys, policy: conformancePolicy, cache: { maxEntries: 0 }, snapshots: { store: attacker, secret: randomBytes(32), every: 1 } });
    await forger.grantConsent({ subjectId: 'alice', actor: subject('alice'), purpose: 'marketing.email', notice, method: 'checkbox' });
    await forger.withdrawConsent({ subjectId: 'alice', actor: subject('alice'), purpose: 'marketing.email' });
    await settle();
    const ledger = ledgerOn(events, attacker);
    expect(await useFor(ledger, 'alice')).toMatchObject({ allowed: false, reason: 'consent_withdrawn' });
    expect(ledger.cacheStats()).toMatchObject({ snapshotLoads: 0, snapshotRejections: 1 });
  });

  it('use an older sound snapshot of the stream put back in place of the latest, folding the events since: same decision', async () => {
    const events = new InMemoryEventStore();
    const snapshots = createInMemorySnapshotStore();
    const ledger = ledgerOn(events, snapshots, 1);
    await ledger.collect({ subjectId: 'alice', actor: checkout, source: 'web', purposes: ['marketing.email'], notice, data: { 'contact.email': 'alice@example.com' } });
    await ledger.grantConsent({ subjectId: 'alice', actor: subject('alice'), purpose: 'marketing.email', notice, method: 'checkbox' });
    await settle();
    const granted = await snapshots.load(ALICE);
    await ledger.withdrawConsent({ subjectId: 'alice', actor: subject('alice'), purpose: 'marketing.email' });
    await settle();
    await snapshots.save(ALICE, granted ?? new Uint8Array());
    const fresh = ledgerOn(events, snapshots, 1_000);
    expect(await useFor(fresh, 'alice')).toMatchObject({ allowed: false, reason: 'consent_withdrawn' });
    expect(fresh.cacheStats()).toMatchObject({ snapshotLoads: 1, snapshotRejections: 0 });
  });

  it('still check each event after the snapshot: a record from before it copied to the end of the stream is refused as a repeated id', async () => {
    const { events, snapshots } = await world();
    const records: RecordedEvent[] = [];
    for await (const record of events.readStream(ALICE)) records.push(record);
    const grant = records[1];
    const last = records.at(-1);
    if (!grant || !last) throw new Error('alice has no stream');
    const lastHash = (JSON.parse(Buffer.from(last.data).toString()) as { hash: string }).hash;
    // Re-linked to the stream's end with a correct hash: only the repeated id gives it away.
    const copy = sealRecord(JSON.parse(Buffer.from(grant.data).toString()) as object, ALICE, lastHash);
    insertRaw(events, ALICE, { id: grant.id, type: grant.type, data: copy.bytes });
    const ledger = ledgerOn(events, snapshots, 1_000);
    await expect(useFor(ledger, 'alice')).rejects.toMatchObject({ code: 'STREAM_TAMPERED', stream: ALICE, reason: 'duplicate_id' });
    expect(ledger.cacheStats()).toMatchObject({ snapshotRejections: 0 });
  });

  it('count a snapshot store that fails as a rejection and decide on the full fold', async () => {
    const { events } = await world();
    const failing: SnapshotStore = { load: () => Promise.reject(new Error('down')), save: () => Promise.reject(new Error('down')), clear: () => Promise.resolve() };
    const ledger = ledgerOn(events, failing, 1);
    expect(await useFor(ledger, 'bob')).toMatchObject({ allowed: true });
    await settle();
    expect(ledger.cacheStats()).toMatchObject({ snapshotRejections: 1, snapshotSaves: 0, snapshotSaveFailures: 2 });
  });
});

describe('snapshot options', () => {
  it.each([
    [{ store: createInMemorySnapshotStore(), secret: randomBytes(16) }, 'snapshots.secret'],
    [{ store: createInMemorySnapshotStore(), secret: 'a long enough secret but a string' }, 'snapshots.secret'],
    [{ store: createInMemorySnapshotStore(), secret, every: 0 }, 'snapshots.every'],
    [{ store: createInMemorySnapshotStore(), secret, every: 1.5 }, 'snapshots.every'],
    [{ store: { load: () => undefined }, secret }, 'snapshots.store'],
  ])('refuses %p with a ValidationError naming %s', (snapshots, path) => {
    const make = () => createLedger({ store: new InMemoryEventStore(), keys, policy: conformancePolicy, snapshots: snapshots as never });
    expect(make).toThrow(expect.objectContaining({ code: 'VALIDATION_FAILED', issues: [expect.objectContaining({ path })] }));
  });

  it("keeps its own copy of the secret: changing the caller's buffer afterwards does not unseal the ledger's snapshots", async () => {
    const mine = randomBytes(32);
    const events = new InMemoryEventStore();
    const snapshots = createInMemorySnapshotStore();
    const ledger = createLedger({ store: events, keys, policy: conformancePolicy, cache: { maxEntries: 0 }, snapshots: { store: snapshots, secret: mine, every: 1 } });
    await ledger.collect({ subjectId: 'carol', actor: checkout, source: 'web', purposes: ['marketing.email'], notice, data: { 'contact.email': 'carol@example.com' } });
    mine.fill(0);
    await ledger.grantConsent({ subjectId: 'carol', actor: subject('carol'), purpose: 'marketing.email', notice, method: 'checkbox' });
    await settle();
    await useFor(ledger, 'carol');
    expect(ledger.cacheStats()).toMatchObject({ snapshotRejections: 0, snapshotLoads: 2 });
  });
});
