import { describe, expect, it } from '@jest/globals';
import { plantEvent } from '@custodian/testing';
import { InMemoryKeyStore } from '../crypto';
import type { EventDraft } from '../decider';
import { POLICY_STREAM, recipientStream, subjectStream, type Actor } from '../events';
import { createLedger } from '../ledger';
import { definePolicy, policyRecord } from '../policy';
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

/** A log planted event by event, around the ledger, each a minute after the last unless told when. */
function plantedLog() {
  const store = new InMemoryEventStore();
  let minute = 0;
  const officer: Actor = { id: 'dpo', kind: 'employee', roles: ['privacy'] };
  const when = (occurredAt?: Date) => occurredAt ?? new Date(Date.UTC(2026, 2, 1, 10, minute++));
  return {
    store,
    policy: (roles: string[]) =>
      plantEvent(
        store,
        POLICY_STREAM,
        {
          type: 'PolicyDefined',
          data: policyRecord(definePolicy({ purposes: { 'marketing.email': { legalBasis: 'consent', categories: ['contact.email'], roles, sharing: true, retention: 'P1Y' } } })),
        },
        { actor: officer, occurredAt: when() },
      ),
    subject: (subjectId: string, draft: EventDraft, actor: Actor = officer, occurredAt?: Date) =>
      plantEvent(store, subjectStream(subjectId), draft, { actor, subjectId, occurredAt: when(occurredAt) }),
    recipient: (recipientId: string, draft: EventDraft) => plantEvent(store, recipientStream(recipientId), draft, { actor: officer, occurredAt: when() }),
  };
}

const collectEmail = (retainUntil = '2027-03-01T00:00:00.000Z'): EventDraft => ({
  type: 'DataCollected',
  data: {
    categories: ['contact.email'],
    source: 'form',
    purposes: ['marketing.email', 'fraud.screening'],
    legalBases: { 'marketing.email': 'consent', 'fraud.screening': 'legitimate_interests' },
    notice,
    retainUntil,
    values: { 'contact.email': 'gcm1.aaaa.bbbb' },
  },
});
const grant: EventDraft = { type: 'ConsentGranted', data: { purpose: 'marketing.email', notice, method: 'checkbox' } };
type Basis = { legalBasis: 'consent' | 'contract' | 'legitimate_interests'; consentEventId?: string };
const useFor = (purpose: string, basis: Basis): EventDraft => ({ type: 'DataUsed', data: { purpose, categories: ['contact.email'], activity: 'spring', basis } });
const shareTo = (recipientId: string, consentEventId: string): EventDraft => ({
  type: 'DataShared',
  data: { recipientId, categories: ['contact.email'], purpose: 'marketing.email', agreement: 'dpa-1', basis: { legalBasis: 'consent', consentEventId } },
});

describe('findViolations, what an auditor reads of each', () => {
  it('names the event, its type, subject, place in the log, time, actor, reason and detail', async () => {
    const log = plantedLog();
    await log.subject('ann', collectEmail());
    await log.subject('ann', grant);
    await log.subject('ann', { type: 'ConsentWithdrawn', data: { purpose: 'marketing.email' } });
    const accessed = await log.subject(
      'ann',
      { type: 'DataAccessed', data: { purpose: 'fraud.screening', categories: ['contact.phone'], basis: { legalBasis: 'legitimate_interests' } } },
      fraud,
    );
    expect(await findViolations(log.store, policy)).toEqual([
      {
        eventId: accessed.id,
        type: 'DataAccessed',
        subjectId: 'ann',
        stream: 'subject-ann',
        revision: 3n,
        position: 3n,
        occurredAt: accessed.occurredAt,
        actorId: 'screening',
        reason: 'category_not_collected',
        detail: 'no contact.phone was collected',
      },
    ]);
  });

  it('reports a recorded basis other than the one in force as basis_mismatch, saying both, with the consent each names', async () => {
    // Given a consent in force for marketing, and legitimate interests for fraud screening
    const log = plantedLog();
    await log.subject('ann', collectEmail());
    const granted = await log.subject('ann', grant);
    const other = await log.subject('bob', grant);
    // When uses record another legal basis (with and without a consent on either side), another consent, or a consent where none is needed
    const onContract = await log.subject('ann', useFor('marketing.email', { legalBasis: 'contract' }), marketing);
    const onBobsConsent = await log.subject('ann', useFor('marketing.email', { legalBasis: 'consent', consentEventId: other.id }), marketing);
    const onConsent = await log.subject('ann', useFor('fraud.screening', { legalBasis: 'consent', consentEventId: granted.id }), fraud);
    const onContractForFraud = await log.subject('ann', useFor('fraud.screening', { legalBasis: 'contract' }), fraud);
    await log.subject('ann', useFor('marketing.email', { legalBasis: 'consent', consentEventId: granted.id }), marketing);
    await log.subject('ann', useFor('fraud.screening', { legalBasis: 'legitimate_interests' }), fraud);
    // Then each is reported with both bases, and the two right ones are not
    const found = await findViolations(log.store, policy);
    expect(found.map(({ eventId, type, reason, detail }) => ({ eventId, type, reason, detail }))).toEqual([
      { eventId: onContract.id, type: 'DataUsed', reason: 'basis_mismatch', detail: `recorded basis contract, but the basis in force was consent (${granted.id})` },
      { eventId: onBobsConsent.id, type: 'DataUsed', reason: 'basis_mismatch', detail: `recorded basis consent (${other.id}), but the basis in force was consent (${granted.id})` },
      { eventId: onConsent.id, type: 'DataUsed', reason: 'basis_mismatch', detail: `recorded basis consent (${granted.id}), but the basis in force was legitimate_interests` },
      { eventId: onContractForFraud.id, type: 'DataUsed', reason: 'basis_mismatch', detail: 'recorded basis contract, but the basis in force was legitimate_interests' },
    ]);
  });

  it('judges each decision by the policy recorded before it, and by the given policy only where the log records none', async () => {
    // Given a use before any recorded policy, then one under a policy for marketing, then one under a policy for growth
    const log = plantedLog();
    await log.subject('ann', collectEmail());
    const granted = await log.subject('ann', grant);
    const basis: Basis = { legalBasis: 'consent', consentEventId: granted.id };
    const growth: Actor = { id: 'growth-team', kind: 'service', roles: ['growth'] };
    const beforeAny = await log.subject('ann', useFor('marketing.email', basis), growth);
    await log.policy(['growth']);
    const underGrowth = await log.subject('ann', useFor('marketing.email', basis), marketing);
    await log.policy(['marketing']);
    await log.subject('ann', useFor('marketing.email', basis), marketing);
    const underMarketing = await log.subject('ann', useFor('marketing.email', basis), growth);
    // Then the first is judged by the given policy (marketing only), the others by the one then in force
    const found = await findViolations(log.store, policy);
    expect(found.map((v) => [v.eventId, v.reason, v.detail])).toEqual([
      [beforeAny.id, 'role_not_allowed', 'purpose marketing.email may be acted on by marketing; the actor has growth'],
      [underGrowth.id, 'role_not_allowed', 'purpose marketing.email may be acted on by growth; the actor has marketing'],
      [underMarketing.id, 'role_not_allowed', 'purpose marketing.email may be acted on by marketing; the actor has growth'],
    ]);
  });

  it('judges a share by the recipient as it stood: registered and verified, not verified, suspended, or never registered', async () => {
    const log = plantedLog();
    await log.subject('ann', collectEmail());
    const granted = await log.subject('ann', grant);
    await log.recipient('acme', { type: 'RecipientRegistered', data: { recipientId: 'acme', name: 'Acme', agreement: 'dpa-1', country: 'DE' } });
    await log.recipient('beta', { type: 'RecipientRegistered', data: { recipientId: 'beta', name: 'Beta', agreement: 'dpa-2', country: 'FR' } });
    const toUnverified = await log.subject('ann', shareTo('acme', granted.id), marketing);
    await log.recipient('acme', { type: 'RecipientVerified', data: { recipientId: 'acme' } });
    await log.subject('ann', shareTo('acme', granted.id), marketing);
    await log.recipient('acme', { type: 'RecipientSuspended', data: { recipientId: 'acme', reason: 'audit failed' } });
    const toSuspended = await log.subject('ann', shareTo('acme', granted.id), marketing);
    const toUnknown = await log.subject('ann', shareTo('gamma', granted.id), marketing);
    const found = await findViolations(log.store, policy);
    expect(found.map((v) => [v.eventId, v.type, v.reason, v.detail])).toEqual([
      [toUnverified.id, 'DataShared', 'recipient_not_verified', 'the recipient is not verified'],
      [toSuspended.id, 'DataShared', 'recipient_suspended', 'the recipient is suspended'],
      [toUnknown.id, 'DataShared', 'recipient_unknown', 'the recipient is not registered'],
    ]);
  });

  it('judges a use at the time it occurred: retention running out at that very millisecond is a violation, a millisecond before it is not', async () => {
    const log = plantedLog();
    const retainUntil = '2026-06-01T00:00:00.000Z';
    await log.subject('ann', collectEmail(retainUntil));
    const justBefore = new Date(Date.parse(retainUntil) - 1);
    await log.subject('ann', useFor('fraud.screening', { legalBasis: 'legitimate_interests' }), fraud, justBefore);
    const atTheEnd = await log.subject('ann', useFor('fraud.screening', { legalBasis: 'legitimate_interests' }), fraud, new Date(retainUntil));
    const found = await findViolations(log.store, policy);
    expect(found.map((v) => [v.eventId, v.reason, v.detail])).toEqual([
      [atTheEnd.id, 'retention_expired', 'the retention period of contact.email for fraud.screening has run out'],
    ]);
  });

  it("judges each purpose by its own retention: a fraud use after fraud's retention is a violation, though marketing still keeps the data", async () => {
    const log = plantedLog();
    const fraudEnds = '2026-06-01T00:00:00.000Z';
    const marketingEnds = '2028-01-01T00:00:00.000Z';
    const collected = collectEmail(marketingEnds);
    if (collected.type !== 'DataCollected') throw new Error('a collection');
    await log.subject('ann', { ...collected, data: { ...collected.data, retention: { 'contact.email': { 'marketing.email': marketingEnds, 'fraud.screening': fraudEnds } } } });
    const granted = await log.subject('ann', grant);
    const lateFraud = await log.subject('ann', useFor('fraud.screening', { legalBasis: 'legitimate_interests' }), fraud, new Date(fraudEnds));
    await log.subject('ann', useFor('marketing.email', { legalBasis: 'consent', consentEventId: granted.id }), marketing, new Date(fraudEnds));
    const found = await findViolations(log.store, policy);
    expect(found.map((v) => [v.eventId, v.reason])).toEqual([[lateFraud.id, 'retention_expired']]);
  });

  it('judges a use of a category erased on its own as a use of erased data', async () => {
    const log = plantedLog();
    await log.subject('ann', collectEmail());
    const granted = await log.subject('ann', grant);
    await log.subject('ann', {
      type: 'DataErased',
      data: { scope: 'categories', method: 'crypto-shred', reason: 'erasure_request', categories: ['contact.email'], recipientsNotified: [] },
    });
    const afterErasure = await log.subject('ann', useFor('marketing.email', { legalBasis: 'consent', consentEventId: granted.id }), marketing);
    const found = await findViolations(log.store, policy);
    expect(found.map((v) => [v.eventId, v.reason, v.detail])).toEqual([[afterErasure.id, 'erased', 'contact.email of the subject was erased']]);
  });
});
