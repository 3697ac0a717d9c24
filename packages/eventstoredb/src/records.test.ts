import { describe, expect, it } from '@jest/globals';
import { randomUUID } from 'node:crypto';
import type { ClientRecordedEvent } from './client';
import { isSystemEvent, toRecordedEvent } from './records';

const recorded = (fields: Partial<ClientRecordedEvent> = {}): ClientRecordedEvent => ({
  streamId: 'subject-1',
  id: randomUUID(),
  revision: 3n,
  type: 'DataUsed',
  data: Buffer.from('{"a":1}'),
  isJson: false,
  position: { commit: 900n, prepare: 900n },
  ...fields,
});

describe('recorded events', () => {
  it('gives the commit position as the position, and the bytes as they are', () => {
    const event = recorded();
    expect(toRecordedEvent(event, { event })).toEqual({ stream: 'subject-1', revision: 3n, position: 900n, id: event.id, type: 'DataUsed', data: event.data });
  });

  it("falls back to the read's commit position, and refuses a server that gives none", () => {
    const { position: _, ...bare } = recorded();
    expect(toRecordedEvent(bare, { event: bare, commitPosition: 77n }).position).toBe(77n);
    expect(() => toRecordedEvent(bare, { event: bare })).toThrow('22.6 or later');
    const unset = recorded({ position: { commit: (1n << 64n) - 1n, prepare: (1n << 64n) - 1n } });
    expect(() => toRecordedEvent(unset, { event: unset })).toThrow('22.6 or later');
  });

  it('gives back JSON that another writer stored (and the client parsed) as JSON bytes', () => {
    const event = recorded({ isJson: true, data: { b: [1, 2] } });
    expect(Buffer.from(toRecordedEvent(event, { event }).data).toString()).toBe('{"b":[1,2]}');
  });

  it("tells EventStoreDB's own records by a $ at the start of the type or the stream", () => {
    expect(isSystemEvent(recorded())).toBe(false);
    expect(isSystemEvent(recorded({ type: '$metadata' }))).toBe(true);
    expect(isSystemEvent(recorded({ streamId: '$stats-127.0.0.1:2113' }))).toBe(true);
    expect(isSystemEvent(recorded({ type: 'Has$Inside', streamId: 'a$b' }))).toBe(false);
  });
});
