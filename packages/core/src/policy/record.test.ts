import { describe, expect, it } from '@jest/globals';
import { InMemoryKeyStore } from '../crypto';
import { POLICY_STREAM, readDecoded, type Actor } from '../events';
import { createLedger } from '../ledger';
import { InMemoryEventStore } from '../store';
import { definePolicy, type Policy } from './define-policy';
import { policyFromRecord, policyRecord, readRecordedPolicy } from './record';

const rules = (roles: string[]) => definePolicy({ purposes: { 'order.fulfilment': { legalBasis: 'contract', categories: ['contact.email'], roles, retention: 'P1Y' } } });
const actor: Actor = { id: 'checkout', kind: 'service', roles: ['fulfilment', 'warehouse'] };

describe('readRecordedPolicy', () => {
  it('at a position, reads the policy recorded last up to it, not one recorded after', async () => {
    const store = new InMemoryEventStore();
    const keys = new InMemoryKeyStore();
    const collect = (roles: string[]) =>
      createLedger({ store, keys, policy: rules(roles) }).collect({
        subjectId: 's-1',
        actor,
        source: 'web',
        purposes: ['order.fulfilment'],
        notice: { id: 'n', version: '1' },
        data: { 'contact.email': 'a@example.com' },
      });
    await collect(['fulfilment']);
    await collect(['warehouse']);
    const [first, second] = (await readDecoded(store, POLICY_STREAM)).map(({ record }) => record.position);
    if (first === undefined || second === undefined) throw new Error('two policies were expected in the log');

    const rolesAt = async (at?: bigint) => (await readRecordedPolicy(store, at === undefined ? {} : { at }))?.purposes.get('order.fulfilment')?.roles;
    expect(await rolesAt()).toEqual(['warehouse']);
    expect(await rolesAt(first)).toEqual(['fulfilment']);
    expect(await rolesAt(second - 1n)).toEqual(['fulfilment']);
    expect(await rolesAt(second)).toEqual(['warehouse']);
    expect(await readRecordedPolicy(store, { at: first - 1n })).toBeUndefined();
    expect(await readRecordedPolicy(new InMemoryEventStore())).toBeUndefined();
  });
});

describe('policyRecord', () => {
  it('records the purposes a signal opts out of and the direct-marketing ones, and reads them back; a policy naming neither records neither', () => {
    const ads = { legalBasis: 'consent' as const, categories: ['behavioural.browsing'], roles: ['ads'], retention: 'P1Y', optOutSignals: ['gpc' as const] };
    const marked = definePolicy({ purposes: { 'ads.retargeting': { ...ads, directMarketing: true } } });
    const record = policyRecord(marked);
    expect(record.purposes).toEqual([expect.objectContaining({ name: 'ads.retargeting', optOutSignals: ['gpc'], directMarketing: true })]);
    expect(policyFromRecord(record).purposes.get('ads.retargeting')).toMatchObject({ optOutSignals: ['gpc'], directMarketing: true });
    expect(policyRecord(rules(['fulfilment'])).purposes[0]).not.toHaveProperty('optOutSignals');
    expect(policyRecord(rules(['fulfilment'])).purposes[0]).not.toHaveProperty('directMarketing');
    expect(record.digest).not.toBe(policyRecord(definePolicy({ purposes: { 'ads.retargeting': ads } })).digest);
  });

  it('records an operation a hand-built policy leaves undefined as absent, so the record reads back with the default', () => {
    const hand: Policy = { purposes: rules(['fulfilment']).purposes, permissions: { erase: undefined, verifyRecipient: ['dpo'] } };
    const record = policyRecord(hand);
    expect(record.permissions).toEqual({ verifyRecipient: ['dpo'] });
    expect(policyFromRecord(record).permissions).toMatchObject({ erase: ['privacy'], verifyRecipient: ['dpo'] });
  });

  it('tells two policies apart by digest, and the same policy by the same digest', () => {
    expect(policyRecord(rules(['fulfilment'])).digest).toBe(policyRecord(rules(['fulfilment'])).digest);
    expect(policyRecord(rules(['fulfilment'])).digest).not.toBe(policyRecord(rules(['warehouse'])).digest);
  });
});
