import { describe, expect, it } from '@jest/globals';
import { z } from 'zod';
import { ApplicationCatalogError, ApplicationEventUnreadableError } from '../application';
import { plantEvent } from '@custodian/testing';
import { InMemoryKeyStore, SealedValueError } from '../crypto';
import { ValidationError } from '../errors';
import { applicationStream, type Actor } from '../events';
import { definePolicy } from '../policy';
import { InMemoryEventStore } from '../store';
import { rawRecords } from '../testing';
import { createLedger } from './create-ledger';
import { NotPermittedError } from './errors';

// A service records events of its own through the ledger and evolves their schema: what a
// ledger at version 1 stored, a ledger at version 2 reads as version 2 through the upcaster
// the service registered, and the stored bytes, and so the chain, stay as they were.

const policy = definePolicy({
  purposes: { 'order.fulfilment': { legalBasis: 'contract', categories: ['contact.address'], roles: ['orders'], retention: 'P6Y' } },
  permissions: { recordEvent: ['orders'] },
});
const shop: Actor = { id: 'order-service', kind: 'service', roles: ['orders'] };

const OrderPlacedV1 = z.object({ orderId: z.string(), total: z.string() });
const OrderPlacedV2 = z.object({ orderId: z.string(), total: z.object({ amount: z.number(), currency: z.string().length(3) }) });
const v1 = { OrderPlaced: { schemaVersion: 1, schema: OrderPlacedV1 } };
const v2 = { OrderPlaced: { schemaVersion: 2, schema: OrderPlacedV2 } };
const toV2 = (data: unknown) => {
  const { orderId, total } = data as z.infer<typeof OrderPlacedV1>;
  const [amount = '0', currency = ''] = total.split(' ');
  return { orderId, total: { amount: Number(amount), currency } };
};

function world() {
  const store = new InMemoryEventStore();
  const keys = new InMemoryKeyStore();
  return {
    store,
    atV1: () => createLedger({ store, keys, policy, events: v1 }),
    atV2: (upcaster: (data: unknown) => unknown = toV2) => createLedger({ store, keys, policy, events: v2, upcasters: { OrderPlaced: { 1: upcaster } } }),
  };
}

const bytesOf = (store: InMemoryEventStore) =>
  rawRecords(store).map((record) => ({ stream: record.stream, revision: record.revision, bytes: Buffer.from(record.bytes).toString('hex') }));

describe("the application's own events", () => {
  it('reads a stored v1 event as v2 through the upcaster, without rewriting a byte, and the chain still verifies', async () => {
    const { store, atV1, atV2 } = world();
    const written = await atV1().recordEvent({ stream: 'orders', actor: shop, type: 'OrderPlaced', data: { orderId: 'o-1', total: '12.50 EUR' } });
    expect(written).toMatchObject({ type: 'OrderPlaced', schemaVersion: 1, storedVersion: 1, stream: 'orders', data: { orderId: 'o-1', total: '12.50 EUR' } });
    const stored = bytesOf(store);
    expect(stored.filter((record) => record.stream === applicationStream('orders'))).toHaveLength(1);

    const ledger = atV2();
    const [read] = await ledger.readEvents('orders');
    expect(read).toEqual({
      id: written.id,
      type: 'OrderPlaced',
      schemaVersion: 2,
      storedVersion: 1,
      stream: 'orders',
      occurredAt: written.occurredAt,
      recordedAt: written.recordedAt,
      actor: shop,
      correlationId: undefined,
      causationId: undefined,
      data: { orderId: 'o-1', total: { amount: 12.5, currency: 'EUR' } },
    });
    expect(bytesOf(store)).toEqual(stored);
    expect(await ledger.audit.verify()).toMatchObject({ ok: true, broken: [] });
  });

  it('writes new events at v2 after the v1 ones, chained to them, and reads both as v2', async () => {
    const { store, atV1, atV2 } = world();
    await atV1().recordEvent({ stream: 'orders', actor: shop, type: 'OrderPlaced', data: { orderId: 'o-1', total: '5 EUR' } });
    const ledger = atV2();
    await ledger.recordEvent({ stream: 'orders', actor: shop, type: 'OrderPlaced', data: { orderId: 'o-2', total: { amount: 7, currency: 'USD' } }, correlationId: 'checkout-9' });
    const read = await ledger.readEvents('orders');
    expect(read.map(({ storedVersion, schemaVersion, data, correlationId }) => ({ storedVersion, schemaVersion, data, correlationId }))).toEqual([
      { storedVersion: 1, schemaVersion: 2, data: { orderId: 'o-1', total: { amount: 5, currency: 'EUR' } }, correlationId: undefined },
      { storedVersion: 2, schemaVersion: 2, data: { orderId: 'o-2', total: { amount: 7, currency: 'USD' } }, correlationId: 'checkout-9' },
    ]);
    expect(await ledger.audit.verify()).toMatchObject({ ok: true });
    // Custodian's own readers see the records and leave them alone.
    expect(await ledger.audit.violations()).toEqual([]);
    expect(await ledger.recipients()).toEqual([]);
    expect(
      rawRecords(store)
        .filter((record) => record.stream === 'app-orders')
        .map((record) => record.revision),
    ).toEqual([0n, 1n]);
  });

  it('types the data by the schema given: a v2 ledger takes no v1 data', async () => {
    const ledger = world().atV2();
    const attempt = ledger.recordEvent({
      stream: 'orders',
      actor: shop,
      type: 'OrderPlaced',
      // @ts-expect-error version 1's total is text; version 2's is an amount and a currency
      data: { orderId: 'o-1', total: '5 EUR' },
    });
    await expect(attempt).rejects.toMatchObject({ code: 'VALIDATION_FAILED', issues: [expect.objectContaining({ path: 'data.total' })] });
    // @ts-expect-error a type the ledger was not given
    await expect(ledger.recordEvent({ stream: 'orders', actor: shop, type: 'OrderShipped', data: {} })).rejects.toBeInstanceOf(ValidationError);
  });

  it('names the event and both versions when the upcaster makes data the schema refuses; the stored record stays', async () => {
    const { store, atV1, atV2 } = world();
    const written = await atV1().recordEvent({ stream: 'orders', actor: shop, type: 'OrderPlaced', data: { orderId: 'o-1', total: '5' } });
    const before = bytesOf(store);
    const error = await atV2()
      .readEvents('orders')
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ApplicationEventUnreadableError);
    expect(error).toMatchObject({
      eventId: written.id,
      type: 'OrderPlaced',
      storedVersion: 1,
      currentVersion: 2,
      problem: 'output_invalid',
      issues: [expect.stringMatching(/^data\.total\.currency/)],
    });
    expect(bytesOf(store)).toEqual(before);
  });

  it('refuses at createLedger a version with no step to the next', () => {
    const store = new InMemoryEventStore();
    const at3 = { OrderPlaced: { schemaVersion: 3, schema: OrderPlacedV2 } };
    expect(() => createLedger({ store, keys: new InMemoryKeyStore(), policy, events: at3, upcasters: { OrderPlaced: { 1: toV2 } } })).toThrow(ApplicationCatalogError);
    expect(() => createLedger({ store, keys: new InMemoryKeyStore(), policy, events: at3, upcasters: { OrderPlaced: { 1: toV2 } } })).toThrow(
      /no upcaster takes version 2 to the next/,
    );
    expect(() => createLedger({ store, keys: new InMemoryKeyStore(), policy, events: v2 })).toThrow(
      expect.objectContaining({ problem: 'upcaster_missing', versions: [1] }) as unknown as Error,
    );
  });

  it('reads nothing from a stream never written, and refuses a stream name that is no identifier', async () => {
    const ledger = world().atV2();
    expect(await ledger.readEvents('returns')).toEqual([]);
    await expect(ledger.readEvents('ann@example.com')).rejects.toMatchObject({
      code: 'VALIDATION_FAILED',
      issues: expect.arrayContaining([expect.objectContaining({ path: '' })]),
    });
  });
});

describe('application events about a subject', () => {
  const subjectId = 'cust-4f9a2c';
  const privacy: Actor = { id: 'privacy-desk', kind: 'employee', roles: ['privacy'] };
  const Note = z.object({ orderId: z.string(), deliverTo: z.string() });
  const keys = new InMemoryKeyStore();
  const open = (store = new InMemoryEventStore(), keyStore = new InMemoryKeyStore()) => ({
    store,
    ledger: createLedger({ store, keys: keyStore, policy, events: { DeliveryNoted: { schemaVersion: 1, schema: Note } } }),
  });
  const note = { orderId: 'o-1', deliverTo: 'Ann Smith, 1 Main St, ann@example.com' };

  it('are sealed under her key: the data, which may hold personal values, is in no stored byte, and reads back opened', async () => {
    const { store, ledger } = open();
    const written = await ledger.recordEvent({ stream: 'deliveries', actor: shop, type: 'DeliveryNoted', subjectId, data: note });
    expect(written).toMatchObject({ type: 'DeliveryNoted', subjectId, data: note });
    const stored = rawRecords(store).map((record) => Buffer.from(record.bytes).toString('utf8'));
    expect(stored.join('\n')).not.toMatch(/Ann Smith|Main St|ann@example\.com/);
    expect(stored.join('\n')).toMatch(/"sealed":"gcm1\./);
    expect(await ledger.readEvents('deliveries')).toEqual([expect.objectContaining({ id: written.id, subjectId, data: note })]);
  });

  it('are erased with her: read back without their data, while events about no one and about others still read', async () => {
    const { ledger } = open();
    await ledger.recordEvent({ stream: 'deliveries', actor: shop, type: 'DeliveryNoted', subjectId, data: note });
    await ledger.recordEvent({ stream: 'deliveries', actor: shop, type: 'DeliveryNoted', subjectId: 'cust-7b1d0e', data: { orderId: 'o-2', deliverTo: 'Bo, 2 High St' } });
    await ledger.recordEvent({ stream: 'deliveries', actor: shop, type: 'DeliveryNoted', data: { orderId: 'o-3', deliverTo: 'depot 4' } });
    await ledger.erase({ subjectId, actor: privacy });
    const read = await ledger.readEvents('deliveries');
    expect(read[0]).toMatchObject({ type: 'DeliveryNoted', subjectId, erased: true });
    expect(read[0]).not.toHaveProperty('data');
    expect(read.slice(1)).toEqual([
      expect.objectContaining({ subjectId: 'cust-7b1d0e', data: { orderId: 'o-2', deliverTo: 'Bo, 2 High St' } }),
      expect.objectContaining({ data: { orderId: 'o-3', deliverTo: 'depot 4' } }),
    ]);
    expect(read[2]).not.toHaveProperty('subjectId');
  });

  it('are refused for a subject already erased, and nothing is appended', async () => {
    const { store, ledger } = open();
    await ledger.erase({ subjectId, actor: privacy });
    const before = bytesOf(store);
    const refused = ledger.recordEvent({ stream: 'deliveries', actor: shop, type: 'DeliveryNoted', subjectId, data: note });
    await expect(refused).rejects.toMatchObject({ code: 'COMMAND_REFUSED', reason: 'subject_erased' });
    expect(bytesOf(store)).toEqual(before);
  });

  it('do not open when their sealed data is planted as another subject’s, in another stream: the seal is bound to both', async () => {
    const { store, ledger } = open(new InMemoryEventStore(), keys);
    await ledger.recordEvent({ stream: 'deliveries', actor: shop, type: 'DeliveryNoted', subjectId, data: note });
    await ledger.recordEvent({ stream: 'returns', actor: shop, type: 'DeliveryNoted', subjectId: 'cust-7b1d0e', data: { orderId: 'o-2', deliverTo: 'Bo' } });
    const [record] = rawRecords(store).filter((r) => r.stream === applicationStream('deliveries'));
    const { sealed } = (JSON.parse(Buffer.from(record!.bytes).toString('utf8')) as { data: { sealed: string } }).data;
    const moved = { type: 'ApplicationEventRecorded', data: { type: 'DeliveryNoted', schemaVersion: 1, subjectId: 'cust-7b1d0e', sealed } } as const;
    await plantEvent(store, applicationStream('returns'), moved, { actor: shop });
    await expect(ledger.readEvents('returns')).rejects.toBeInstanceOf(SealedValueError);
  });
});

describe('recordEvent, malformed or not permitted: a typed error and nothing appended', () => {
  const attempts: [string, Record<string, unknown>, (error: unknown) => void][] = [
    [
      'a stream name that is no identifier',
      { stream: 'orders/2026' },
      (e) => expect(e).toMatchObject({ code: 'VALIDATION_FAILED', issues: [expect.objectContaining({ path: 'stream' })] }),
    ],
    [
      'a type name that is not PascalCase',
      { type: 'order placed' },
      (e) => expect(e).toMatchObject({ code: 'VALIDATION_FAILED', issues: [expect.objectContaining({ path: 'type' })] }),
    ],
    [
      'a type the ledger was not given',
      { type: 'OrderShipped' },
      (e) => expect(e).toMatchObject({ code: 'VALIDATION_FAILED', issues: [expect.objectContaining({ path: 'type' })] }),
    ],
    [
      'data its schema refuses',
      { data: { orderId: 1 } },
      (e) => expect(e).toMatchObject({ code: 'VALIDATION_FAILED', issues: expect.arrayContaining([expect.objectContaining({ path: 'data.orderId' })]) }),
    ],
    [
      'an email address in the data',
      { data: { orderId: 'ann@example.com', total: { amount: 1, currency: 'EUR' } } },
      (e) => expect(e).toMatchObject({ code: 'VALIDATION_FAILED', issues: [expect.objectContaining({ path: 'data' })] }),
    ],
    [
      'a field of no command',
      { purpose: 'order.fulfilment' },
      (e) => expect(e).toMatchObject({ code: 'VALIDATION_FAILED', issues: [expect.objectContaining({ path: 'purpose' })] }),
    ],
    [
      'a subject id that is an email address',
      { subjectId: 'ann@example.com' },
      (e) => expect(e).toMatchObject({ code: 'VALIDATION_FAILED', issues: [expect.objectContaining({ path: 'subjectId' })] }),
    ],
    ['an empty subject id', { subjectId: '' }, (e) => expect(e).toMatchObject({ code: 'VALIDATION_FAILED', issues: [expect.objectContaining({ path: 'subjectId' })] })],
    [
      'an actor without the role',
      { actor: { ...shop, roles: ['marketing'] } },
      (e) => expect(e).toMatchObject({ code: 'NOT_PERMITTED', operation: 'recordEvent', reason: 'role_missing', requiredRoles: ['orders'] }),
    ],
    [
      'a subject: no subject writes here',
      { actor: { id: 'cust-1', kind: 'subject', roles: ['orders'] } },
      (e) => expect(e).toMatchObject({ code: 'NOT_PERMITTED', reason: 'not_own_data' }),
    ],
  ];

  it.each(attempts)('%s', async (_, fields, check) => {
    const { store, atV2 } = world();
    const ledger = atV2();
    await ledger.recordEvent({ stream: 'orders', actor: shop, type: 'OrderPlaced', data: { orderId: 'o-1', total: { amount: 1, currency: 'EUR' } } });
    const before = bytesOf(store);
    const command = { stream: 'orders', actor: shop, type: 'OrderPlaced', data: { orderId: 'o-2', total: { amount: 2, currency: 'EUR' } }, ...fields };
    const error = await (ledger.recordEvent as (input: unknown) => Promise<unknown>)(command).catch((e: unknown) => e);
    expect(error instanceof ValidationError || error instanceof NotPermittedError).toBe(true);
    check(error);
    expect(JSON.stringify(error) + String((error as Error).message)).not.toContain('ann@example.com');
    expect(bytesOf(store)).toEqual(before);
  });
});
