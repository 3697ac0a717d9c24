import { describe, expect, it } from '@jest/globals';
import { GENESIS_HASH, InMemoryKeyStore, openValue, sealRecord, sealValue } from '../crypto';
import { CommandRefusedError } from '../decider';
import { ValidationError } from '../errors';
import { events, subjectStream, type Actor, type CustodianEvent } from '../events';
import { definePolicy } from '../policy';
import { InMemoryEventStore, rawRecords, type EventStore } from '../store';
import { categoryKeyId, subjectKeyId, textKeyId } from '../subject-keys';
import { createLedger, type Ledger } from './create-ledger';

// Retention per purpose and erasure that shreds, through the ledger: what is stored, what
// the key store still holds, and what can still be read.

const policy = definePolicy({
  purposes: {
    'fraud.prevention': { legalBasis: 'legitimate_interests', categories: ['contact.email', 'contact.address'], roles: ['fraud'], retention: 'P30D' },
    'marketing.email': { legalBasis: 'legitimate_interests', categories: ['contact.email'], roles: ['marketing'], retention: 'P2Y' },
    'order.fulfilment': { legalBasis: 'contract', categories: ['contact.email', 'contact.address', 'contact.phone'], roles: ['fulfilment'], retention: 'P6Y' },
    'newsletter.consent': { legalBasis: 'consent', categories: ['contact.email'], roles: ['marketing'], retention: 'P1Y' },
  },
});

const DAY = 86_400_000;
const T0 = Date.parse('2026-01-01T00:00:00.000Z');
const privacy: Actor = { id: 'dpo', kind: 'employee', roles: ['privacy'] };
const checkout: Actor = { id: 'checkout', kind: 'service', roles: ['fraud', 'marketing', 'fulfilment'] };
const fraud: Actor = { id: 'fraud-check', kind: 'service', roles: ['fraud'] };
const marketing: Actor = { id: 'campaigns', kind: 'service', roles: ['marketing'] };
const fulfilment: Actor = { id: 'shop', kind: 'service', roles: ['fulfilment'] };
const notice = { id: 'privacy-notice', version: 'v3' };
const EMAIL = 'ann@example.com';
const ADDRESS = '12 Rue des Lilas, Lyon';
const NEW_ADDRESS = '3 Quai Claude Bernard, Lyon';

/** A key store that remembers every key id it was asked to make: every key the ledger ever had. */
class RecordingKeyStore extends InMemoryKeyStore {
  readonly made = new Set<string>();
  override getOrCreate(keyId: string): Promise<Uint8Array> {
    this.made.add(keyId);
    return super.getOrCreate(keyId);
  }
}

function world(store = new InMemoryEventStore(), keys = new RecordingKeyStore()) {
  let now = T0;
  const ledger = createLedger({ store, keys, policy, clock: () => new Date(now) });
  return { store, keys, ledger, at: (days: number) => (now = T0 + days * DAY) };
}

async function collectBoth(ledger: Ledger, subjectId: string) {
  await ledger.collect({ subjectId, actor: checkout, source: 'checkout', purposes: ['fraud.prevention', 'marketing.email'], notice, data: { 'contact.email': EMAIL } });
  await ledger.collect({ subjectId, actor: checkout, source: 'checkout', purposes: ['fraud.prevention'], notice, data: { 'contact.address': ADDRESS } });
}

async function decoded(store: InMemoryEventStore): Promise<CustodianEvent[]> {
  const read: CustodianEvent[] = [];
  for await (const record of store.readAll()) read.push(events.decode(record.data));
  return read;
}

/** Every sealed value of `category` anywhere in the store: collected, rectified, in any event. */
async function sealedValuesOf(store: InMemoryEventStore, category: string): Promise<string[]> {
  return (await decoded(store)).flatMap((event) => (event.type === 'DataCollected' || event.type === 'DataRectified' ? [event.data.values[category] ?? []].flat() : []));
}

/** What any key the key store still holds makes of the sealed values: every plaintext that comes back. */
async function openableWithAnyKey(keys: RecordingKeyStore, subjectId: string, category: string, sealed: readonly string[]): Promise<string[]> {
  const opened: string[] = [];
  for (const keyId of keys.made) {
    const key = await keys.get(keyId);
    if (!key) continue;
    for (const value of sealed) {
      try {
        opened.push(openValue(key, value, `${subjectId}/${category}`));
      } catch {
        // Not this key.
      }
    }
  }
  return opened;
}

const count = async (store: InMemoryEventStore) => rawRecords(store).length;

describe('retention per purpose', () => {
  it('refuses a fraud use 59 days after collection, its own 30 days past, while marketing still uses the email', async () => {
    const { ledger, at } = world();
    await collectBoth(ledger, 's-1');
    at(29);
    expect(await ledger.use({ subjectId: 's-1', actor: fraud, purpose: 'fraud.prevention', categories: ['contact.email'], activity: 'score' })).toMatchObject({ allowed: true });
    at(59);
    expect(await ledger.use({ subjectId: 's-1', actor: fraud, purpose: 'fraud.prevention', categories: ['contact.email'], activity: 'score' })).toMatchObject({
      allowed: false,
      reason: 'retention_expired',
      detail: 'the retention period of contact.email for fraud.prevention has run out',
    });
    expect(await ledger.use({ subjectId: 's-1', actor: marketing, purpose: 'marketing.email', categories: ['contact.email'], activity: 'spring' })).toMatchObject({
      allowed: true,
    });
  });

  it('records each purpose’s own retention in the collection, and shows it in the inventory and the export', async () => {
    const { ledger } = world();
    const event = await ledger.collect({
      subjectId: 's-1',
      actor: checkout,
      source: 'checkout',
      purposes: ['fraud.prevention', 'marketing.email'],
      notice,
      data: { 'contact.email': EMAIL },
    });
    const retention = { 'fraud.prevention': '2026-01-31T00:00:00.000Z', 'marketing.email': '2028-01-01T00:00:00.000Z' };
    expect(event).toMatchObject({
      schemaVersion: 2,
      data: { retainUntil: '2028-01-01T00:00:00.000Z', retention: { 'contact.email': retention }, sealedWith: { 'contact.email': 0 } },
    });
    expect((await ledger.inventory('s-1')).categories).toEqual([expect.objectContaining({ category: 'contact.email', retention, retainUntil: '2028-01-01T00:00:00.000Z' })]);
    expect((await ledger.exportSubject('s-1')).data).toEqual([expect.objectContaining({ category: 'contact.email', value: EMAIL, retention })]);
  });
});

describe('enforceRetention', () => {
  it('erases by shredding what no purpose may keep, records why, and keeps what a purpose still may', async () => {
    const { store, keys, ledger, at } = world();
    await collectBoth(ledger, 's-1');
    at(31);
    const sweep = await ledger.enforceRetention({ actor: privacy });
    expect(sweep).toEqual({
      now: new Date(T0 + 31 * DAY).toISOString(),
      subjectsChecked: 1,
      erasures: [{ subjectId: 's-1', eventId: expect.any(String), categories: ['contact.address'] }],
    });
    const erasure = (await decoded(store)).find((event) => event.type === 'DataErased');
    expect(erasure).toMatchObject({
      id: sweep.erasures[0]?.eventId,
      actor: privacy,
      data: { scope: 'categories', method: 'crypto-shred', reason: 'retention_expired', categories: ['contact.address'], recipientsNotified: [] },
    });
    // The address's key is gone, and no key the store still holds opens any of its ciphertext.
    expect(await keys.get(categoryKeyId('s-1', 'contact.address', 0))).toBeUndefined();
    expect(await openableWithAnyKey(keys, 's-1', 'contact.address', await sealedValuesOf(store, 'contact.address'))).toEqual([]);
    // The email still reads, for the purposes that keep it.
    expect(await ledger.access({ subjectId: 's-1', actor: marketing, purpose: 'marketing.email', categories: ['contact.email'] })).toMatchObject({
      allowed: true,
      data: { 'contact.email': EMAIL },
    });
    expect(await ledger.access({ subjectId: 's-1', actor: fulfilment, purpose: 'order.fulfilment', categories: ['contact.address'] })).toMatchObject({
      allowed: false,
      reason: 'erased',
    });
    const exported = await ledger.exportSubject('s-1');
    expect(exported.erased).toBe(false);
    expect(exported.data.map((held) => [held.category, held.value])).toEqual([['contact.email', EMAIL]]);
    expect(exported.erasedCategories).toEqual([
      { category: 'contact.address', erasedAt: new Date(T0 + 31 * DAY).toISOString(), reason: 'retention_expired', eventId: erasure?.id, recipientsNotified: [] },
    ]);
  });

  it('is idempotent: a second run, and a run before anything lapsed, append nothing', async () => {
    const { store, ledger, at } = world();
    await collectBoth(ledger, 's-1');
    at(10);
    expect(await ledger.enforceRetention({ actor: privacy })).toMatchObject({ subjectsChecked: 0, erasures: [] });
    at(31);
    await ledger.enforceRetention({ actor: privacy });
    const after = await count(store);
    expect(await ledger.enforceRetention({ actor: privacy })).toMatchObject({ erasures: [] });
    expect(await ledger.enforceRetention({ actor: privacy, subjectId: 's-1' })).toMatchObject({ subjectsChecked: 1, erasures: [] });
    expect(await count(store)).toBe(after);
  });

  it('erases a subject’s last categories but keeps the subject: consents still recorded, new data collected', async () => {
    const { ledger, at } = world();
    await collectBoth(ledger, 's-1');
    at(2 * 366);
    expect((await ledger.enforceRetention({ actor: privacy })).erasures).toEqual([expect.objectContaining({ categories: ['contact.email', 'contact.address'] })]);
    expect((await ledger.inventory('s-1')).erased).toBe(false);
    await ledger.collect({ subjectId: 's-1', actor: checkout, source: 'profile', purposes: ['marketing.email'], notice, data: { 'contact.email': 'ann.new@example.com' } });
    expect(await ledger.access({ subjectId: 's-1', actor: marketing, purpose: 'marketing.email', categories: ['contact.email'] })).toMatchObject({
      data: { 'contact.email': 'ann.new@example.com' },
    });
  });

  it('is resumable: a sweep cut short by a failing store, run again, finishes without recording any erasure twice', async () => {
    const store = new InMemoryEventStore();
    const keys = new RecordingKeyStore();
    const setup = world(store, keys);
    for (const subjectId of ['s-1', 's-2', 's-3']) await collectBoth(setup.ledger, subjectId);
    const now = new Date(T0 + 31 * DAY);
    // A store that takes one more append, then fails every other.
    let appends = 0;
    const failing: EventStore = {
      append: (stream, toAppend, expected) => (++appends > 1 ? Promise.reject(new Error('disk full')) : store.append(stream, toAppend, expected)),
      readStream: (stream, options) => store.readStream(stream, options),
      readAll: (options) => store.readAll(options),
      close: () => store.close(),
    };
    const cut = createLedger({ store: failing, keys, policy, clock: () => now });
    await expect(cut.enforceRetention({ actor: privacy })).rejects.toThrow('disk full');
    expect((await decoded(store)).filter((event) => event.type === 'DataErased')).toHaveLength(1);
    // The second subject's key went before its record failed: its address is already unreadable.
    expect(await keys.get(categoryKeyId('s-2', 'contact.address', 0))).toBeUndefined();

    const resumed = createLedger({ store, keys, policy, clock: () => now });
    const finished = await resumed.enforceRetention({ actor: privacy });
    expect(finished.erasures.map((erasure) => erasure.subjectId)).toEqual(['s-2', 's-3']);
    const erasures = (await decoded(store)).filter((event) => event.type === 'DataErased');
    expect(erasures.map((event) => event.subjectId).sort()).toEqual(['s-1', 's-2', 's-3']);
    for (const subjectId of ['s-1', 's-2', 's-3']) expect(await openableWithAnyKey(keys, subjectId, 'contact.address', await sealedValuesOf(store, 'contact.address'))).toEqual([]);
    expect((await resumed.enforceRetention({ actor: privacy })).erasures).toEqual([]);
  });

  it('refuses to write on a category whose key an erasure cut short already shredded, until that erasure is run again', async () => {
    const store = new InMemoryEventStore();
    const keys = new RecordingKeyStore();
    const setup = world(store, keys);
    await collectBoth(setup.ledger, 's-1');
    setup.at(31);
    const failing: EventStore = {
      append: () => Promise.reject(new Error('disk full')),
      readStream: (stream, options) => store.readStream(stream, options),
      readAll: (options) => store.readAll(options),
      close: () => store.close(),
    };
    await expect(createLedger({ store: failing, keys, policy, clock: () => new Date(T0 + 31 * DAY) }).enforceRetention({ actor: privacy })).rejects.toThrow('disk full');
    const rectify = () => setup.ledger.rectify({ subjectId: 's-1', actor: privacy, data: { 'contact.address': NEW_ADDRESS } });
    await expect(rectify()).rejects.toMatchObject({ code: 'COMMAND_REFUSED', reason: 'key_changed' });
    await setup.ledger.enforceRetention({ actor: privacy });
    await expect(rectify()).rejects.toMatchObject({ reason: 'category_not_collected' });
  });
});

describe('erase of some categories: "delete my address, keep my account"', () => {
  it('shreds the address, its corrections included, and keeps the email readable', async () => {
    const { store, keys, ledger } = world();
    await collectBoth(ledger, 's-1');
    await ledger.rectify({ subjectId: 's-1', actor: privacy, data: { 'contact.address': NEW_ADDRESS } });
    expect(await openableWithAnyKey(keys, 's-1', 'contact.address', await sealedValuesOf(store, 'contact.address'))).toEqual([ADDRESS, NEW_ADDRESS]);

    const erasure = await ledger.erase({ subjectId: 's-1', actor: privacy, categories: ['contact.address'] });
    expect(erasure).toMatchObject({ type: 'DataErased', data: { scope: 'categories', reason: 'erasure_request', categories: ['contact.address'] } });
    expect(await openableWithAnyKey(keys, 's-1', 'contact.address', await sealedValuesOf(store, 'contact.address'))).toEqual([]);
    expect(await openableWithAnyKey(keys, 's-1', 'contact.email', await sealedValuesOf(store, 'contact.email'))).toEqual([EMAIL]);
    expect(await ledger.access({ subjectId: 's-1', actor: fraud, purpose: 'fraud.prevention', categories: ['contact.email'] })).toMatchObject({ data: { 'contact.email': EMAIL } });
    expect(await ledger.access({ subjectId: 's-1', actor: fraud, purpose: 'fraud.prevention', categories: ['contact.email', 'contact.address'] })).toMatchObject({
      allowed: false,
      reason: 'erased',
      detail: 'contact.address of the subject was erased',
    });
    // No plaintext of the address in any stored byte.
    for (const { bytes } of rawRecords(store)) expect(Buffer.from(bytes).toString('utf8')).not.toContain('Lilas');
  });

  it('takes a new address later under a key of its own, which the erased one never shared', async () => {
    const { store, keys, ledger } = world();
    await collectBoth(ledger, 's-1');
    await ledger.erase({ subjectId: 's-1', actor: privacy, categories: ['contact.address'] });
    const again = await ledger.collect({ subjectId: 's-1', actor: checkout, source: 'profile', purposes: ['order.fulfilment'], notice, data: { 'contact.address': NEW_ADDRESS } });
    expect(again.type === 'DataCollected' && again.data.sealedWith).toEqual({ 'contact.address': 1 });
    expect(await ledger.access({ subjectId: 's-1', actor: fulfilment, purpose: 'order.fulfilment', categories: ['contact.address'] })).toMatchObject({
      data: { 'contact.address': NEW_ADDRESS },
    });
    expect(await openableWithAnyKey(keys, 's-1', 'contact.address', await sealedValuesOf(store, 'contact.address'))).toEqual([NEW_ADDRESS]);
    expect((await ledger.inventory('s-1')).erasedCategories).toEqual([]);
  });

  it('erases the whole subject afterwards with every key it ever had', async () => {
    const { keys, ledger } = world();
    await collectBoth(ledger, 's-1');
    await ledger.erase({ subjectId: 's-1', actor: privacy, categories: ['contact.address'] });
    await ledger.collect({ subjectId: 's-1', actor: checkout, source: 'profile', purposes: ['order.fulfilment'], notice, data: { 'contact.address': NEW_ADDRESS } });
    await ledger.grantConsent({
      subjectId: 's-1',
      actor: { id: 's-1', kind: 'subject', roles: [] },
      purpose: 'newsletter.consent',
      notice,
      method: 'checkbox',
      evidence: 'ticked the box',
    });
    expect(keys.made).toEqual(
      new Set([categoryKeyId('s-1', 'contact.email', 0), categoryKeyId('s-1', 'contact.address', 0), categoryKeyId('s-1', 'contact.address', 1), textKeyId('s-1')]),
    );
    await ledger.erase({ subjectId: 's-1', actor: privacy });
    for (const keyId of keys.made) expect({ keyId, key: await keys.get(keyId) }).toEqual({ keyId, key: undefined });
    await expect(
      ledger.collect({ subjectId: 's-1', actor: checkout, source: 'x', purposes: ['order.fulfilment'], notice, data: { 'contact.phone': '+33 6 12 34 56 78' } }),
    ).rejects.toMatchObject({
      reason: 'subject_erased',
    });
    expect(keys.made.has(categoryKeyId('s-1', 'contact.phone', 0))).toBe(false);
  });
});

describe('data sealed under the subject’s one key, before keys per category', () => {
  /** Writes the subject's events as a ledger before schema version 2 did: version 1, every value and text under the subject's key. */
  async function legacySubject(store: InMemoryEventStore, keys: RecordingKeyStore, subjectId: string) {
    const key = await keys.getOrCreate(subjectKeyId(subjectId));
    const stream = subjectStream(subjectId);
    let prevHash = GENESIS_HASH;
    const write = async (id: string, type: string, data: unknown, expected: 'no_stream' | bigint) => {
      const at = '2025-06-01T00:00:00.000Z';
      const stored = { id, type, schemaVersion: 1, stream, subjectId, occurredAt: at, recordedAt: at, actor: checkout, data, prevHash, hash: '' };
      const { bytes, hash } = sealRecord(stored, stream, prevHash);
      prevHash = hash;
      await store.append(stream, [{ id, type, data: bytes }], expected);
    };
    await write(
      '00000000-0000-7000-8000-00000000a001',
      'DataCollected',
      {
        categories: ['contact.email', 'contact.address'],
        source: 'crm',
        purposes: ['order.fulfilment'],
        legalBases: { 'order.fulfilment': 'contract' },
        notice,
        retainUntil: '2031-06-01T00:00:00.000Z',
        values: { 'contact.email': sealValue(key, EMAIL, `${subjectId}/contact.email`), 'contact.address': sealValue(key, ADDRESS, `${subjectId}/contact.address`) },
      },
      'no_stream',
    );
    await write(
      '00000000-0000-7000-8000-00000000a002',
      'ConsentGranted',
      { purpose: 'newsletter.consent', notice, method: 'checkbox', evidence: sealValue(key, 'ticked', `${subjectId}/evidence`) },
      0n,
    );
  }

  it('still reads it, and a new collection of another category goes under that category’s key', async () => {
    const { store, keys, ledger } = world();
    await legacySubject(store, keys, 's-old');
    expect(await ledger.access({ subjectId: 's-old', actor: fulfilment, purpose: 'order.fulfilment', categories: ['contact.email', 'contact.address'] })).toMatchObject({
      data: { 'contact.email': EMAIL, 'contact.address': ADDRESS },
    });
    await ledger.collect({ subjectId: 's-old', actor: checkout, source: 'profile', purposes: ['order.fulfilment'], notice, data: { 'contact.phone': '+33 6 12 34 56 78' } });
    expect(await keys.get(categoryKeyId('s-old', 'contact.phone', 0))).toBeDefined();
  });

  it('erases one of its categories only by shredding the subject’s one key, and records every category that key held as erased', async () => {
    const { store, keys, ledger } = world();
    await legacySubject(store, keys, 's-old');
    await ledger.collect({ subjectId: 's-old', actor: checkout, source: 'profile', purposes: ['order.fulfilment'], notice, data: { 'contact.phone': '+33 6 12 34 56 78' } });
    const erasure = await ledger.erase({ subjectId: 's-old', actor: privacy, categories: ['contact.address'] });
    expect(erasure).toMatchObject({ data: { scope: 'categories', categories: ['contact.address', 'contact.email'] } });
    expect(await keys.get(subjectKeyId('s-old'))).toBeUndefined();
    expect(await openableWithAnyKey(keys, 's-old', 'contact.address', await sealedValuesOf(store, 'contact.address'))).toEqual([]);
    expect(await openableWithAnyKey(keys, 's-old', 'contact.email', await sealedValuesOf(store, 'contact.email'))).toEqual([]);
    // The phone, under its own key, still reads; the subject still consents, with evidence under the text key.
    expect(await ledger.access({ subjectId: 's-old', actor: fulfilment, purpose: 'order.fulfilment', categories: ['contact.phone'] })).toMatchObject({
      data: { 'contact.phone': '+33 6 12 34 56 78' },
    });
    await ledger.grantConsent({
      subjectId: 's-old',
      actor: { id: 's-old', kind: 'subject', roles: [] },
      purpose: 'newsletter.consent',
      notice,
      method: 'web-form',
      evidence: 'again',
    });
    expect((await ledger.inventory('s-old')).erasedCategories?.map((erased) => erased.category)).toEqual(['contact.address', 'contact.email']);
  });

  it('refuses free text for a subject erased before the text key existed', async () => {
    const { store, keys, ledger } = world();
    await legacySubject(store, keys, 's-old');
    await ledger.erase({ subjectId: 's-old', actor: privacy });
    await expect(ledger.object({ subjectId: 's-old', actor: { id: 's-old', kind: 'subject', roles: [] }, reason: 'stop' })).rejects.toMatchObject({ reason: 'subject_erased' });
    expect(keys.made.has(textKeyId('s-old'))).toBe(false);
  });
});

describe('malformed input appends nothing and shreds nothing', () => {
  async function collected() {
    const w = world();
    await collectBoth(w.ledger, 's-1');
    w.at(31);
    return { ...w, before: await count(w.store) };
  }
  const keyOfAddress = categoryKeyId('s-1', 'contact.address', 0);

  it.each([
    ['a now that is no time', { now: 'yesterday' }, 'now'],
    ['a now after the ledger’s clock', { now: '2099-01-01T00:00:00.000Z' }, 'now'],
    ['a subject id that is an email address', { subjectId: 'ann@example.com' }, 'subjectId'],
    ['an unknown field', { everything: true }, 'everything'],
  ])('enforceRetention with %s: a ValidationError naming the field', async (_, extra, path) => {
    const { store, keys, ledger, before } = await collected();
    const error = await ledger.enforceRetention({ actor: privacy, ...extra } as never).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ValidationError);
    expect((error as ValidationError).issues.map((issue) => issue.path)).toContain(path);
    expect(await count(store)).toBe(before);
    expect(await keys.get(keyOfAddress)).toBeDefined();
  });

  it.each([
    ['a category the policy does not declare', ['contact.email', 'no.such'], 'categories.1'],
    ['a category that is no category', ['Contact Email'], 'categories.0'],
    ['no category at all', [], 'categories'],
    ['a category named twice', ['contact.email', 'contact.email'], 'categories.1'],
  ])('erase with %s: a ValidationError naming the field', async (_, categories, path) => {
    const { store, keys, ledger, before } = await collected();
    const error = await ledger.erase({ subjectId: 's-1', actor: privacy, categories }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ValidationError);
    expect((error as ValidationError).issues.map((issue) => issue.path)).toContain(path);
    expect(await count(store)).toBe(before);
    expect(await keys.get(categoryKeyId('s-1', 'contact.email', 0))).toBeDefined();
  });

  it('erase of a category never collected, or already erased: refused, nothing appended, no key shredded', async () => {
    const { store, keys, ledger, before } = await collected();
    const never = await ledger.erase({ subjectId: 's-1', actor: privacy, categories: ['contact.address', 'contact.phone'] }).catch((e: unknown) => e);
    expect(never).toBeInstanceOf(CommandRefusedError);
    expect(never).toMatchObject({ reason: 'category_not_collected' });
    expect(await count(store)).toBe(before);
    expect(await keys.get(keyOfAddress)).toBeDefined();
    await ledger.erase({ subjectId: 's-1', actor: privacy, categories: ['contact.address'] });
    const after = await count(store);
    await expect(ledger.erase({ subjectId: 's-1', actor: privacy, categories: ['contact.address'] })).rejects.toMatchObject({ reason: 'already_erased' });
    expect(await count(store)).toBe(after);
  });
});
