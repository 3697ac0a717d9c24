import { describe, expect, it } from '@jest/globals';
import { z } from 'zod';
import { CANONICAL_MEMBERS, checkRecord, GENESIS_HASH, holdsId, PLACE_MEMBERS, streamMember } from '../crypto';
import { events } from './codec';
import { EnvelopeMeta } from './envelope';

const LAYOUT = 'packages/core/src/crypto/chain.ts';

/** What a value of `schema` is written as, and whether every event has it. */
function kindOf(schema: z.ZodType): { kind: string; required: boolean } {
  const def = schema.def as { type: string; innerType?: z.ZodType; out?: z.ZodType };
  if (def.type === 'optional' && def.innerType) return { kind: kindOf(def.innerType).kind, required: false };
  if (def.type === 'pipe' && def.out) return kindOf(def.out);
  return { kind: def.type, required: true };
}

/**
 * Where an envelope schema and the record layout disagree, each as a sentence saying what
 * to update. The in-place lookups (holdsId, checkLink) hold only while these are none.
 */
function layoutFaults(envelope: z.ZodObject, members: readonly string[] = CANONICAL_MEMBERS): string[] {
  const shape = envelope.shape as Record<string, z.ZodType>;
  const place = new Set<string>(PLACE_MEMBERS);
  const own = [...Object.keys(shape).filter((name) => !place.has(name)), 'data'].sort();
  const faults: string[] = [];
  if (own.join() !== members.join()) {
    faults.push(
      `the envelope's members sort to [${own.join(', ')}] but CANONICAL_MEMBERS in ${LAYOUT} says [${members.join(', ')}]: ` +
        'update CANONICAL_MEMBERS, and the event literals of events/codec.ts (withData, linked, envelope)',
    );
  }
  if (!('stream' in shape)) faults.push(`the envelope has no stream member, which the layout writes in the record's place (PLACE_MEMBERS in ${LAYOUT})`);
  for (const link of ['prevHash', 'hash']) if (link in shape) faults.push(`the envelope holds ${link}, a chain link the layout writes itself (PLACE_MEMBERS in ${LAYOUT})`);
  const afterId = own.slice(own.indexOf('id') + 1);
  const next = afterId[0];
  const nextKind = next === undefined ? undefined : kindOf(shape[next] as z.ZodType);
  if (next !== 'occurredAt' || nextKind?.kind !== 'string' || !nextKind.required) {
    faults.push(
      `the member after id in canonical order is ${next ?? 'nothing'}, not the required string occurredAt: holdsId in ${LAYOUT} finds the id ` +
        'by the member that follows it; rename the new member to sort elsewhere or change holdsId',
    );
  }
  for (const name of afterId) {
    const { kind } = kindOf(shape[name] as z.ZodType);
    if (kind !== 'string' && kind !== 'number') {
      faults.push(
        `${name} sorts after id and is written as ${kind}, not a string or a number: holdsId in ${LAYOUT} finds the id from the end, ` +
          'and a nested object there could hold a decoy; rename it to sort before id or change holdsId',
      );
    }
  }
  return faults;
}

describe('the record layout', () => {
  it('knows every member of the envelope, in the order the record holds them', () => {
    expect(layoutFaults(EnvelopeMeta)).toEqual([]);
    expect(CANONICAL_MEMBERS).toEqual([...CANONICAL_MEMBERS].sort());
    expect(PLACE_MEMBERS).toEqual(['stream', 'prevHash', 'hash']);
  });

  it('catches an envelope field added without the layout, or that would break the in-place lookups', () => {
    // Added to the schema only: the layout is stale.
    expect(layoutFaults(EnvelopeMeta.extend({ tenant: z.string() }))).toEqual([expect.stringMatching(/members sort to .*tenant.*update CANONICAL_MEMBERS/)]);
    expect(layoutFaults(EnvelopeMeta.extend({ batch: z.string() }))).toEqual([expect.stringMatching(/batch.*update CANONICAL_MEMBERS/)]);
    // Added to both, but sorting between id and occurredAt: holdsId would look for the wrong neighbour.
    const label = EnvelopeMeta.extend({ label: z.string().optional() });
    expect(layoutFaults(label, [...CANONICAL_MEMBERS, 'label'].sort())).toEqual([expect.stringMatching(/after id in canonical order is label/)]);
    // Added to both, after id, but an object: a decoy `","occurredAt":"` could sit inside it.
    const tags = EnvelopeMeta.extend({ tags: z.object({ id: z.string(), occurredAt: z.string() }) });
    expect(layoutFaults(tags, [...CANONICAL_MEMBERS, 'tags'].sort())).toEqual([expect.stringMatching(/tags sorts after id and is written as object/)]);
    // A scalar after id, known to the layout, is fine.
    expect(layoutFaults(EnvelopeMeta.extend({ tenant: z.string() }), [...CANONICAL_MEMBERS, 'tenant'].sort())).toEqual([]);
  });

  it('carries every member of the envelope through assembly, both seals and decoding, and finds its id in place', () => {
    const data = { purpose: 'order.fulfilment', categories: ['contact.email'], activity: 'ship', basis: { legalBasis: 'contract' as const } };
    const event = events.envelope(
      { type: 'DataUsed', data },
      {
        stream: 'subject-c-7f3a',
        subjectId: 'c-7f3a',
        actor: { id: 'svc-shop', kind: 'service', roles: ['fulfilment'] },
        now: new Date('2026-03-01T10:00:00.000Z'),
        correlationId: 'order-1',
        causationId: 'cmd-1',
        occurredAt: new Date('2019-05-01T09:00:00.000Z'),
        backfill: { importId: 'crm-2026', line: 7 },
      },
    );
    const members = Object.keys(EnvelopeMeta.shape);
    const missing = (value: object) => members.filter((name) => (value as Record<string, unknown>)[name] === undefined);
    expect(missing(event)).toEqual([]);
    for (const envelopeChecked of [false, true]) {
      const sealed = events.seal(event, GENESIS_HASH, { envelopeChecked });
      expect(missing(sealed.event)).toEqual([]);
      expect(missing(events.decode(sealed.toAppend.data))).toEqual([]);
      expect(Object.keys(JSON.parse(sealed.toAppend.data.toString()) as object)).toEqual([...CANONICAL_MEMBERS, ...PLACE_MEMBERS]);
      expect(checkRecord(sealed.toAppend.data, streamMember('subject-c-7f3a')).ok).toBe(true);
      expect(holdsId(sealed.toAppend.data, event.id)).toBe(true);
    }
  });
});
