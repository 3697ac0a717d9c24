import { describe, expect, it } from '@jest/globals';
import { plantEvent } from '@custodian/testing';
import { InMemoryKeyStore } from '../crypto';
import { subjectStream, type Actor } from '../events';
import { createLedger } from '../ledger';
import { definePolicy } from '../policy';
import { InMemoryEventStore } from '../store';
import { replay } from './replay';
import { findViolations, recheck } from './violations';

const policy = definePolicy({
  purposes: {
    'marketing.email': { legalBasis: 'consent', categories: ['contact.email'], roles: ['marketing'], sharing: true, retention: 'P1Y' },
    'fraud.screening': { legalBasis: 'legitimate_interests', categories: ['contact.email', 'contact.phone'], roles: ['fraud'], retention: 'P1Y' },
  },
});
const marketing: Actor = { id: 'campaign', kind: 'service', roles: ['marketing'] };
const fraud: Actor = { id: 'screening', kind: 'service', roles: ['fraud'] };
const notice = { id: 'notice', version: 'v1' };

describe('findViolations', () => {
  it("reports its progress as it reads, and judges each decision from the rules' own facts exactly as from the decider's full state", async () => {
    const store = new InMemoryEventStore();
    let minute = 0;
    const clock = () => new Date(Date.UTC(2026, 2, 1, 10, minute++));
    const ledger = createLedger({ store, keys: new InMemoryKeyStore(), policy, clock });
    const used = (subjectId: string, actor: Actor, purpose: string, categories: string[]) =>
      plantEvent(
        store,
        subjectStream(subjectId),
        {
          type: 'DataUsed',
          data: { purpose, categories, activity: 'around the ledger', basis: { legalBasis: purpose === 'marketing.email' ? 'consent' : 'legitimate_interests' } },
        },
        { actor, subjectId, occurredAt: clock() },
      );
    for (const subjectId of ['ann', 'bob', 'cem']) {
      await ledger.collect({
        subjectId,
        actor: marketing,
        source: 'form',
        purposes: ['marketing.email', 'fraud.screening'],
        notice,
        data: { 'contact.email': `${subjectId}@example.com` },
      });
      await ledger.grantConsent({ subjectId, actor: { id: subjectId, kind: 'subject', roles: [] }, purpose: 'marketing.email', notice, method: 'checkbox' });
    }
    const customer = (id: string): Actor => ({ id, kind: 'subject', roles: [] });
    await ledger.use({ subjectId: 'ann', actor: marketing, purpose: 'marketing.email', categories: ['contact.email'], activity: 'spring' });
    await ledger.rectify({ subjectId: 'ann', actor: { id: 'dpo', kind: 'employee', roles: ['privacy'] }, data: { 'contact.email': 'ann.new@example.com' } });
    await ledger.withdrawConsent({ subjectId: 'ann', actor: customer('ann'), purpose: 'marketing.email' });
    await used('ann', marketing, 'marketing.email', ['contact.email']);
    await ledger.object({ subjectId: 'bob', actor: customer('bob'), purposes: ['fraud.screening'] });
    await used('bob', fraud, 'fraud.screening', ['contact.email']);
    await used('bob', fraud, 'fraud.screening', ['contact.phone']);
    await ledger.restrict({ subjectId: 'cem', actor: customer('cem') });
    await used('cem', marketing, 'marketing.email', ['contact.email']);
    await ledger.liftRestriction({ subjectId: 'cem', actor: { id: 'dpo', kind: 'employee', roles: ['privacy'] } });
    await used('cem', marketing, 'marketing.email', ['contact.email']);
    await ledger.requestErasure({ subjectId: 'cem', actor: customer('cem') });
    await used('cem', marketing, 'marketing.email', ['contact.email']);
    await used('dan', marketing, 'marketing.email', ['contact.email']);

    const read: number[] = [];
    const found = await findViolations(store, policy, { onProgress: (n) => read.push(n) });
    let events = 0;
    const expected: { eventId: string; allowed: boolean }[] = [];
    for await (const step of replay(store)) {
      events++;
      const event = step.event;
      if (event.type !== 'DataUsed' && event.type !== 'DataAccessed' && event.type !== 'DataShared') continue;
      const outcome = recheck(policy, { ...step, event });
      const judged = outcome.allowed && outcome.basis.legalBasis === event.data.basis.legalBasis && outcome.basis.consentEventId === event.data.basis.consentEventId;
      expected.push({ eventId: event.id, allowed: judged });
    }
    expect(read).toEqual(Array.from({ length: events }, (_, i) => i + 1));
    expect(found.map((v) => v.eventId)).toEqual(expected.filter((e) => !e.allowed).map((e) => e.eventId));
    expect(found.map((v) => `${v.subjectId} ${v.reason}`)).toEqual([
      'ann consent_withdrawn',
      'bob objection',
      'bob category_not_collected',
      'cem restricted',
      'cem basis_mismatch',
      'cem erasure_requested',
      'dan category_not_collected',
    ]);
  });
});
