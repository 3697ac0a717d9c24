import { describe, expect, it } from '@jest/globals';
import { z } from 'zod';
import { v7 as uuidv7 } from 'uuid';
import { ValidationError } from '../errors';
import { checkRecord, GENESIS_HASH, streamMember } from '../crypto';
import { catalog, eventAreas, eventTypes } from './catalog';
import { createEventCodec, events } from './codec';
import { SubjectId } from './common';
import type { NewEvent } from './catalog';

const actor = { id: 'svc-campaigns', kind: 'service' as const, roles: ['marketing'] };

function consentGranted(): NewEvent<'ConsentGranted'> {
  return {
    id: uuidv7(),
    type: 'ConsentGranted',
    schemaVersion: 1,
    stream: 'subject-c-7f3a',
    subjectId: 'c-7f3a',
    occurredAt: '2026-03-01T10:00:00.000Z',
    recordedAt: '2026-03-01T10:00:00.000Z',
    actor,
    data: { purpose: 'marketing.email', notice: { id: 'privacy-notice', version: 'v3' }, method: 'checkbox' },
  };
}

describe('the event catalog', () => {
  it('groups every event type under one lifecycle area, each with a schema version', () => {
    const grouped = Object.values(eventAreas).flat();
    expect([...grouped].sort()).toEqual([...eventTypes].sort());
    for (const type of eventTypes) expect(catalog[type].schemaVersion).toBeGreaterThanOrEqual(1);
  });

  it('holds every event the design names', () => {
    expect(eventTypes).toEqual(
      expect.arrayContaining([
        'DataCollected',
        'DataRectified',
        'ConsentGranted',
        'ConsentWithdrawn',
        'ObjectionRaised',
        'ProcessingRestricted',
        'RestrictionLifted',
        'DataAccessed',
        'DataUsed',
        'UseDenied',
        'DataShared',
        'ShareRevoked',
        'RecipientErasureConfirmed',
        'ErasureRequested',
        'DataErased',
        'AccessRequestReceived',
        'AccessRequestFulfilled',
        'RecipientRegistered',
        'RecipientVerified',
        'RecipientSuspended',
      ]),
    );
  });
});

describe('events codec', () => {
  it('seals an event into a record and reads it back with its chain links', () => {
    const { toAppend, event } = events.seal(consentGranted(), GENESIS_HASH);
    expect(toAppend.type).toBe('ConsentGranted');
    expect(toAppend.id).toBe(event.id);
    expect(event.prevHash).toBe(GENESIS_HASH);
    expect(event.hash).toMatch(/^[0-9a-f]{64}$/);
    expect(events.decode(toAppend.data)).toEqual(event);
  });

  it('seals the stream the event belongs to into its hashed bytes, on either path', () => {
    for (const envelopeChecked of [false, true]) {
      const { toAppend, event } = events.seal(consentGranted(), GENESIS_HASH, { envelopeChecked });
      expect(event.stream).toBe('subject-c-7f3a');
      expect(events.decode(toAppend.data).stream).toBe('subject-c-7f3a');
      expect(checkRecord(toAppend.data, streamMember('subject-c-7f3a')).ok).toBe(true);
      expect(checkRecord(toAppend.data, streamMember('subject-eve'))).toMatchObject({ ok: false, reason: 'stream_mismatch' });
    }
  });

  it('refuses to seal an event that names no stream', () => {
    const { stream: _stream, ...nameless } = consentGranted();
    expect(() => events.seal(nameless as unknown as NewEvent, GENESIS_HASH)).toThrow(/stream/);
    expect(() => events.seal(nameless as unknown as NewEvent, GENESIS_HASH, { envelopeChecked: true })).toThrow(/stream/);
  });

  it('refuses an event whose data fails its schema, naming the path and the problem', () => {
    const bad = consentGranted() as unknown as { data: Record<string, unknown> };
    bad.data.notice = { id: 'privacy-notice' };
    const error = (() => {
      try {
        events.seal(bad as unknown as NewEvent, GENESIS_HASH);
      } catch (e) {
        return e as ValidationError;
      }
    })();
    expect(error).toBeInstanceOf(ValidationError);
    expect(error?.code).toBe('VALIDATION_FAILED');
    expect(error?.issues).toEqual([expect.objectContaining({ path: 'data.notice.version' })]);
  });

  it('refuses an unknown type, a wrong schema version and a bad envelope', () => {
    expect(() => events.validate({ ...consentGranted(), type: 'DataSold' })).toThrow(/type: unknown event type DataSold/);
    expect(() => events.validate({ ...consentGranted(), schemaVersion: 2 })).toThrow(/schemaVersion/);
    expect(() => events.validate({ ...consentGranted(), occurredAt: 'yesterday' })).toThrow(/occurredAt/);
    expect(() => events.validate({ ...consentGranted(), actor: { id: 'x', kind: 'robot', roles: [] } })).toThrow(/actor\.kind/);
  });

  it('never echoes a rejected value in the error message', () => {
    const leaky = consentGranted() as unknown as { data: Record<string, unknown> };
    leaky.data.evidence = 'ann.secret@example.com';
    let message = '';
    try {
      events.validate(leaky);
    } catch (e) {
      message = (e as Error).message;
    }
    expect(message).toMatch(/data\.evidence/);
    expect(message).not.toContain('ann.secret');
  });
});

describe('upcasting', () => {
  // Version 1 of this event stored a full name; version 2 splits it. The stored record stays v1.
  const v2 = {
    NameGiven: { schemaVersion: 2, schema: z.object({ first: z.string(), last: z.string() }) },
  };
  type NameGiven = { id: string; type: 'NameGiven'; schemaVersion: number; data: { first: string; last: string } };
  const codec = createEventCodec<NameGiven>(v2, {
    NameGiven: {
      1: (data) => {
        const [first = '', last = ''] = (data as { name: string }).name.split(' ');
        return { first, last };
      },
    },
  });

  it('reads a v1 event as v2 without rewriting the record', () => {
    const storedV1 = Buffer.from(JSON.stringify({ id: 'e-1', type: 'NameGiven', schemaVersion: 1, data: { name: 'Ada Lovelace' }, prevHash: GENESIS_HASH, hash: GENESIS_HASH }));
    const before = Buffer.from(storedV1);
    const read = codec.decode(storedV1);
    expect(read.schemaVersion).toBe(2);
    expect(read.data).toEqual({ first: 'Ada', last: 'Lovelace' });
    expect(storedV1.equals(before)).toBe(true);
  });

  it('says which step is missing when an upcaster is absent', () => {
    const stored = Buffer.from(JSON.stringify({ id: 'e-0', type: 'NameGiven', schemaVersion: 0, data: {} }));
    expect(() => codec.decode(stored)).toThrow(/no upcaster for NameGiven from schema version 0/);
  });
});

describe('subject ids', () => {
  it.each([
    ['ann@example.com', /looks like an email address.*pseudonymize/],
    ['+49 151 2345 6789', /looks like a phone number.*pseudonymize/],
    ['004915123456789', /looks like a phone number/],
  ])('refuses %s and says why', (id, why) => {
    const result = SubjectId.safeParse(id);
    expect(result.success).toBe(false);
    expect(result.error?.issues.map((i) => i.message).join(' ')).toMatch(why);
  });
  it.each(['cust-4f9a2c', 's-9f86d081884c7d659a2feaa0c55ad015', 'c-2026-0001'])('accepts %s', (id) => {
    expect(SubjectId.safeParse(id).success).toBe(true);
  });
});
