import { describe, expect, it } from '@jest/globals';
import { InMemoryKeyStore } from '../crypto';
import { POLICY_STREAM, readDecoded, type Actor } from '../events';
import { createLedger } from '../ledger';
import { definePolicy, readRecordedPolicy } from '../policy';
import { InMemoryEventStore } from '../store';

const rules = (roles: string[]) => definePolicy({ purposes: { 'marketing.email': { legalBasis: 'contract', categories: ['contact.email'], roles, retention: 'P1Y' } } });
const marketer: Actor = { id: 'campaigns', kind: 'service', roles: ['marketing'] };

describe('the policy in force', () => {
  it('is recorded once per change, and each decision is judged by the policy it was made under', async () => {
    const store = new InMemoryEventStore();
    const keys = new InMemoryKeyStore();
    const before = createLedger({ store, keys, policy: rules(['marketing']) });
    await before.collect({
      subjectId: 's-1',
      actor: marketer,
      source: 'web',
      purposes: ['marketing.email'],
      notice: { id: 'n', version: '1' },
      data: { 'contact.email': 'a@example.com' },
    });
    const allowedThen = await before.use({ subjectId: 's-1', actor: marketer, purpose: 'marketing.email', categories: ['contact.email'], activity: 'c1' });
    expect(allowedThen.allowed).toBe(true);
    await createLedger({ store, keys, policy: rules(['marketing']) }).use({
      subjectId: 's-1',
      actor: marketer,
      purpose: 'marketing.email',
      categories: ['contact.email'],
      activity: 'c2',
    });

    const after = createLedger({ store, keys, policy: rules(['growth']) });
    const deniedNow = await after.use({ subjectId: 's-1', actor: marketer, purpose: 'marketing.email', categories: ['contact.email'], activity: 'c3' });
    expect(deniedNow).toMatchObject({ allowed: false, reason: 'role_not_allowed' });

    expect((await readDecoded(store, POLICY_STREAM)).map(({ event }) => event.type)).toEqual(['PolicyDefined', 'PolicyDefined']);
    expect((await readRecordedPolicy(store))?.purposes.get('marketing.email')?.roles).toEqual(['growth']);
    expect(await after.audit.violations()).toEqual([]);
    const why = await after.audit.explain(allowedThen.event.id);
    expect(why).toMatchObject({ consistent: true, purpose: { rule: { roles: ['marketing'] } } });
  });
});
