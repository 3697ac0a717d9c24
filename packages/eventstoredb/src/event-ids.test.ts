import { describe, expect, it } from '@jest/globals';
import { randomUUID } from 'node:crypto';
import { derivedUuid, portIdOf, toClientEvent } from './event-ids';

describe('event ids', () => {
  it('passes a lower-case UUID through, with no metadata', () => {
    const id = randomUUID();
    expect(toClientEvent(id, 'T', Buffer.from('x'))).toEqual({ id, contentType: 'application/octet-stream', type: 'T', data: Buffer.from('x'), metadata: undefined });
  });

  it('stores any other id as a derived UUID, keeping the original in the metadata', () => {
    for (const original of ['big-1', randomUUID().toUpperCase(), 'Zoë 🙂', 'x'.repeat(255)]) {
      const event = toClientEvent(original, 'T', new Uint8Array());
      expect(event.id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
      expect(event.metadata).toEqual({ custodianId: original });
      expect(portIdOf(event.id, event.metadata)).toBe(original);
    }
  });

  it('derives the same UUID every time, so a retry carries the ids of the first try', () => {
    expect(derivedUuid('order-42')).toBe(derivedUuid('order-42'));
    expect(derivedUuid('order-42')).not.toBe(derivedUuid('order-43'));
  });

  it("reads the server's UUID when the metadata holds no original", () => {
    const id = randomUUID();
    for (const metadata of [undefined, null, {}, { custodianId: 42 }, new Uint8Array([1, 2]), 'text']) expect(portIdOf(id, metadata)).toBe(id);
  });
});
