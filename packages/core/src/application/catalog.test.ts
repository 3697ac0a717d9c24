import { describe, expect, it } from '@jest/globals';
import { z } from 'zod';
import { GENESIS_HASH } from '../crypto';
import { ValidationError } from '../errors';
import { events, type CustodianEvent } from '../events';
import { defineApplicationEvents, type ApplicationCatalog, type ApplicationUpcasters } from './catalog';
import { ApplicationCatalogError, ApplicationEventUnreadableError } from './errors';

// Version 1 of OrderPlaced kept the total as text, version 2 as a number of cents, version 3
// added the currency. Each step is pure; the last one's output must pass version 3's schema.
const V3 = z.object({ orderId: z.string(), cents: z.number().int(), currency: z.string().length(3) });
const ordersAt = (schemaVersion: number) => ({ OrderPlaced: { schemaVersion, schema: V3 } });
const steps = {
  1: (data: unknown) => {
    const { total, ...rest } = data as { total: string; orderId: string };
    return { ...rest, cents: Math.round(Number(total) * 100) };
  },
  2: (data: unknown) => ({ ...(data as object), currency: 'EUR' }),
};
const EVENT_ID = '00000000-0000-7000-8000-0000000000e1';

/** An ApplicationEventRecorded as read from a store, written at `schemaVersion`. */
function stored(schemaVersion: number, data: unknown, type = 'OrderPlaced'): CustodianEvent<'ApplicationEventRecorded'> {
  const event = events.envelope(
    { type: 'ApplicationEventRecorded', data: { type, schemaVersion, data: data as z.core.util.JSONType } },
    { stream: 'app-orders', actor: { id: 'shop', kind: 'service', roles: [] }, now: new Date('2026-05-01T10:00:00.000Z'), id: EVENT_ID },
  );
  return { ...event, prevHash: GENESIS_HASH, hash: GENESIS_HASH } as CustodianEvent<'ApplicationEventRecorded'>;
}

function caught(run: () => unknown): unknown {
  try {
    run();
  } catch (error) {
    return error;
  }
  throw new Error('nothing was thrown');
}

describe('defineApplicationEvents refuses, before anything is read or written', () => {
  const refused = <E extends ApplicationCatalog>(events: E, upcasters?: ApplicationUpcasters<E>) => caught(() => defineApplicationEvents(events, upcasters));

  it('a gap in the chain of versions, naming the steps missing', () => {
    const error = refused(ordersAt(4), { OrderPlaced: { 1: steps[1], 3: steps[2] } });
    expect(error).toBeInstanceOf(ApplicationCatalogError);
    expect(error).toMatchObject({ code: 'APPLICATION_CATALOG_INVALID', type: 'OrderPlaced', problem: 'upcaster_missing', versions: [2] });
    expect((error as Error).message).toMatch(/OrderPlaced: is at schema version 4, but no upcaster takes version 2 to the next/);
    expect(refused(ordersAt(3))).toMatchObject({ problem: 'upcaster_missing', versions: [1, 2] });
  });

  it('an upcaster from the current version or past it, or keyed by no version', () => {
    expect(refused(ordersAt(2), { OrderPlaced: { 1: steps[1], 2: steps[2] } })).toMatchObject({ problem: 'upcaster_beyond_current' });
    expect(refused(ordersAt(2), { OrderPlaced: { 0: steps[1], 1: steps[1] } })).toMatchObject({ problem: 'upcaster_beyond_current' });
    expect(refused(ordersAt(2), { OrderPlaced: { 1: steps[1], ['1.5' as unknown as number]: steps[1] } })).toMatchObject({ problem: 'upcaster_beyond_current' });
  });

  it('an upcaster that is not a function, or for a type not given', () => {
    expect(refused(ordersAt(2), { OrderPlaced: { 1: 'v2' as unknown as () => unknown } })).toMatchObject({ problem: 'not_a_function', versions: [1] });
    expect(refused(ordersAt(1), { OrderShipped: { 1: steps[1] } } as ApplicationUpcasters<ApplicationCatalog>)).toMatchObject({ type: 'OrderShipped', problem: 'unknown_type' });
  });

  it("a name that is not PascalCase or is Custodian's, a version that is no positive integer, a schema that is no zod schema", () => {
    expect(refused({ orderPlaced: { schemaVersion: 1, schema: V3 } })).toMatchObject({ problem: 'bad_name' });
    expect(refused({ 'Order-Placed': { schemaVersion: 1, schema: V3 } })).toMatchObject({ problem: 'bad_name' });
    expect(refused({ DataShared: { schemaVersion: 1, schema: V3 } })).toMatchObject({ type: 'DataShared', problem: 'custodian_type' });
    for (const schemaVersion of [0, 1.5, -1, 10_001]) expect(refused({ OrderPlaced: { schemaVersion, schema: V3 } })).toMatchObject({ problem: 'bad_schema_version' });
    expect(refused({ OrderPlaced: { schemaVersion: 1, schema: {} as z.ZodType } })).toMatchObject({ problem: 'not_a_schema' });
  });

  it('takes a type at version 1 with no upcasters, and none at all', () => {
    expect(() => defineApplicationEvents(ordersAt(1))).not.toThrow();
    expect(() => defineApplicationEvents()).not.toThrow();
  });
});

describe('reading a stored application event', () => {
  const orders = defineApplicationEvents(ordersAt(3), { OrderPlaced: steps });

  it('upcasts each older version step by step to the current one, and leaves what was read as it was', () => {
    const v1 = stored(1, { orderId: 'o-1', total: '12.50' });
    const before = JSON.stringify(v1);
    expect(orders.read(v1, 'orders')).toMatchObject({
      id: EVENT_ID,
      type: 'OrderPlaced',
      schemaVersion: 3,
      storedVersion: 1,
      stream: 'orders',
      data: { orderId: 'o-1', cents: 1250, currency: 'EUR' },
    });
    expect(orders.read(stored(2, { orderId: 'o-2', cents: 99 }), 'orders')).toMatchObject({ storedVersion: 2, data: { orderId: 'o-2', cents: 99, currency: 'EUR' } });
    expect(orders.read(stored(3, { orderId: 'o-3', cents: 1, currency: 'USD' }), 'orders')).toMatchObject({ storedVersion: 3, data: { currency: 'USD' } });
    expect(JSON.stringify(v1)).toBe(before);
  });

  it('names the event and the versions when the upcasters make data the schema refuses, quoting no value', () => {
    const broken = defineApplicationEvents(ordersAt(3), { OrderPlaced: { ...steps, 2: (data: unknown) => ({ ...(data as object), currency: 'euros-of-ann@example.com' }) } });
    const error = caught(() => broken.read(stored(1, { orderId: 'o-1', total: '12.50' }), 'orders'));
    expect(error).toBeInstanceOf(ApplicationEventUnreadableError);
    expect(error).toMatchObject({
      code: 'APPLICATION_EVENT_UNREADABLE',
      eventId: EVENT_ID,
      type: 'OrderPlaced',
      storedVersion: 1,
      currentVersion: 3,
      problem: 'output_invalid',
      issues: [expect.stringMatching(/^data\.currency: /)],
    });
    expect((error as Error).message).toMatch(
      new RegExp(`^application event ${EVENT_ID} \\(OrderPlaced, written at schema version 1\\) cannot be read at version 3: the upcasters' output fails`),
    );
    expect(JSON.stringify(error) + (error as Error).message).not.toContain('ann@example.com');
  });

  it('refuses an upcaster that changes its input: it is handed frozen', () => {
    const mutating = defineApplicationEvents(ordersAt(2), {
      OrderPlaced: {
        1: (data: unknown) => {
          (data as { cents?: number }).cents = 0;
          return data;
        },
      },
    });
    expect(caught(() => mutating.read(stored(1, { orderId: 'o-1', total: '1' }), 'orders'))).toMatchObject({ problem: 'upcaster_threw', storedVersion: 1, currentVersion: 2 });
  });

  it('says so for a step that throws, without its message', () => {
    const throwing = defineApplicationEvents(ordersAt(2), {
      OrderPlaced: {
        1: () => {
          throw new Error('cannot parse ann@example.com');
        },
      },
    });
    const error = caught(() => throwing.read(stored(1, {}), 'orders')) as Error;
    expect(error).toMatchObject({ problem: 'upcaster_threw' });
    expect(error.message).toMatch(/the upcaster from version 1 to 2 threw$/);
  });

  it('refuses a record of a newer version, or of a type this ledger was not given', () => {
    expect(caught(() => orders.read(stored(4, {}), 'orders'))).toMatchObject({ problem: 'newer_version', storedVersion: 4, currentVersion: 3 });
    expect(caught(() => orders.read(stored(1, {}, 'OrderShipped'), 'orders'))).toMatchObject({ problem: 'unknown_type', type: 'OrderShipped', currentVersion: undefined });
  });

  it('checks a record at the current version against its schema too', () => {
    expect(caught(() => orders.read(stored(3, { orderId: 'o-1' }), 'orders'))).toMatchObject({ problem: 'output_invalid', storedVersion: 3 });
  });
});

describe('data to record', () => {
  const orders = defineApplicationEvents(
    { OrderPlaced: { schemaVersion: 2, schema: z.object({ orderId: z.string(), note: z.string().optional(), at: z.unknown().optional() }) } },
    { OrderPlaced: { 1: (d: unknown) => d } },
  );

  it('is parsed by the current schema, stamped with its version, as plain JSON', () => {
    expect(orders.check('OrderPlaced', { orderId: 'o-1', note: undefined }, false)).toEqual({ schemaVersion: 2, data: { orderId: 'o-1' } });
  });
  it('may hold an email address when it is to be sealed under its subject’s key', () => {
    expect(orders.check('OrderPlaced', { orderId: 'o-1', note: 'call ann@example.com' }, true)).toEqual({
      schemaVersion: 2,
      data: { orderId: 'o-1', note: 'call ann@example.com' },
    });
  });

  it.each([
    ['a type not given', 'OrderShipped', { orderId: 'o-1' }, 'type'],
    ['data its schema refuses', 'OrderPlaced', { orderId: 7 }, 'data.orderId'],
    ['what JSON cannot hold', 'OrderPlaced', { orderId: 'o-1', at: new Date(0) }, 'data[member 2]'],
    ['a number JSON cannot hold', 'OrderPlaced', { orderId: 'o-1', at: [Number.NaN] }, 'data[member 2][0]'],
    ['an email address', 'OrderPlaced', { orderId: 'o-1', note: 'call ann@example.com' }, 'data'],
  ])('refuses %s, naming the field', (_, type, data, path) => {
    const error = caught(() => orders.check(type, data, false));
    expect(error).toBeInstanceOf(ValidationError);
    expect((error as ValidationError).issues.map((issue) => issue.path)).toEqual([path]);
    expect((error as Error).message).not.toContain('ann@example.com');
  });
});
