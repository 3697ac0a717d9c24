import { beforeAll, describe, expect, it } from '@jest/globals';
import { plantEvent } from '@custodian/testing';
import type { EventDraft } from '../decider';
import { POLICY_STREAM, recipientStream, subjectStream, type Actor, type CustodianEvent } from '../events';
import { definePolicy, policyRecord, type PurposeRuleInput } from '../policy';
import { InMemoryEventStore, type EventStore } from '../store';
import { EventNotFoundError, explainDecision, NotADecisionError, type Explanation } from './explain';

const sealed = 'gcm1.aaaa.bbbb';
const notice = { id: 'notice', version: 'v1' };
const officer: Actor = { id: 'dpo', kind: 'employee', roles: ['privacy'] };
const campaign: Actor = { id: 'campaign', kind: 'service', roles: ['sales', 'marketing'] };
const screening: Actor = { id: 'screening', kind: 'service', roles: ['fraud'] };

/** The rules, with the roles allowed to act for marketing: the only thing that changes from one policy to the next. */
const rules = (marketingRoles: string[]) => {
  const purposes: Record<string, PurposeRuleInput> = {
    'marketing.email': { legalBasis: 'consent', categories: ['contact.email'], roles: marketingRoles, sharing: true, retention: 'P1Y' },
    'fraud.screening': { legalBasis: 'legitimate_interests', categories: ['contact.email'], roles: ['fraud'], retention: 'P1Y' },
  };
  return definePolicy({ purposes });
};
/** What the ledger holds now; the log records older policies that each decision must be judged by instead. */
const current = rules(['growth']);

function history() {
  const store = new InMemoryEventStore();
  let minute = 0;
  const meta = (actor: Actor, subjectId?: string) => ({ actor, occurredAt: new Date(Date.UTC(2026, 2, 1, 10, minute++)), ...(subjectId === undefined ? {} : { subjectId }) });
  return {
    store,
    policy: (roles: string[]) => plantEvent(store, POLICY_STREAM, { type: 'PolicyDefined', data: policyRecord(rules(roles)) }, meta(officer)),
    ann: (draft: EventDraft, actor: Actor = officer) => plantEvent(store, subjectStream('ann'), draft, meta(actor, 'ann')),
    acme: (draft: EventDraft) => plantEvent(store, recipientStream('acme'), draft, meta(officer)),
    plant: (stream: string, draft: EventDraft) => plantEvent(store, stream, draft, meta(officer)),
  };
}

const collectEmail: EventDraft = {
  type: 'DataCollected',
  data: {
    categories: ['contact.email'],
    source: 'form',
    purposes: ['marketing.email', 'fraud.screening'],
    legalBases: { 'marketing.email': 'consent', 'fraud.screening': 'legitimate_interests' },
    notice,
    retainUntil: '2027-03-01T00:00:00.000Z',
    values: { 'contact.email': sealed },
  },
};
const grant: EventDraft = { type: 'ConsentGranted', data: { purpose: 'marketing.email', notice, method: 'checkbox' } };
const consentBasis = (consentEventId: string) => ({ legalBasis: 'consent' as const, consentEventId });
const use = (basis: { legalBasis: 'consent' | 'contract' | 'legitimate_interests'; consentEventId?: string }): EventDraft => ({
  type: 'DataUsed',
  data: { purpose: 'marketing.email', categories: ['contact.email'], activity: 'spring', basis },
});
const share = (consentEventId: string): EventDraft => ({
  type: 'DataShared',
  data: { recipientId: 'acme', categories: ['contact.email'], purpose: 'marketing.email', agreement: 'dpa-1', basis: consentBasis(consentEventId) },
});
const denied = (data: { operation: 'use' | 'access' | 'share'; purpose: string; reason: string; recipientId?: string }): EventDraft =>
  ({ type: 'UseDenied', data: { categories: ['contact.email'], detail: 'refused', ...data } }) as EventDraft;

const ids = (evidence: readonly CustodianEvent[]) => evidence.map((e) => e.id);

describe('explainDecision', () => {
  // One customer's story, with the recipient's and the policy's streams interleaved, and the
  // decisions (some recorded around the ledger) an auditor asks about.
  const at: Record<string, CustodianEvent> = {};
  let store: EventStore;
  beforeAll(async () => {
    const h = history();
    store = h.store;
    at.oldPolicy = await h.policy(['marketing']);
    at.registered = await h.acme({ type: 'RecipientRegistered', data: { recipientId: 'acme', name: 'Acme', agreement: 'dpa-1', country: 'DE' } });
    at.verified = await h.acme({ type: 'RecipientVerified', data: { recipientId: 'acme' } });
    at.collected = await h.ann(collectEmail);
    at.grant = await h.ann(grant);
    at.used = await h.ann(use(consentBasis(at.grant.id)), campaign);
    at.usedOnContract = await h.ann(use({ legalBasis: 'contract' }), campaign);
    at.usedOnAnotherConsent = await h.ann(use(consentBasis(at.registered.id)), campaign);
    at.accessed = await h.ann(
      { type: 'DataAccessed', data: { purpose: 'fraud.screening', categories: ['contact.email'], basis: { legalBasis: 'legitimate_interests' } } },
      screening,
    );
    at.accessedOnConsent = await h.ann({ type: 'DataAccessed', data: { purpose: 'fraud.screening', categories: ['contact.email'], basis: consentBasis(at.grant.id) } }, screening);
    at.accessedOnContract = await h.ann(
      { type: 'DataAccessed', data: { purpose: 'fraud.screening', categories: ['contact.email'], basis: { legalBasis: 'contract' } } },
      screening,
    );
    at.shared = await h.ann(share(at.grant.id), campaign);
    at.suspended = await h.acme({ type: 'RecipientSuspended', data: { recipientId: 'acme', reason: 'audit failed' } });
    at.newPolicy = await h.policy(['crm', 'marketing']);
    at.shareRefused = await h.ann(denied({ operation: 'share', purpose: 'marketing.email', reason: 'recipient_suspended', recipientId: 'acme' }), campaign);
    at.unknownRecipient = await h.ann(denied({ operation: 'share', purpose: 'marketing.email', reason: 'recipient_unknown', recipientId: 'nobody' }), campaign);
    at.objection = await h.ann({ type: 'ObjectionRaised', data: { purposes: ['fraud.screening'] } });
    at.accessRefused = await h.ann(denied({ operation: 'access', purpose: 'fraud.screening', reason: 'objection' }), screening);
    at.withdrawal = await h.ann({ type: 'ConsentWithdrawn', data: { purpose: 'marketing.email' } });
    at.useRefused = await h.ann(denied({ operation: 'use', purpose: 'marketing.email', reason: 'consent_withdrawn' }), campaign);
    at.useRefusedWrongly = await h.ann(denied({ operation: 'use', purpose: 'marketing.email', reason: 'no_consent' }), campaign);
    at.usedAfterWithdrawal = await h.ann(use(consentBasis(at.grant.id)), campaign);
    at.unknownPurpose = await h.ann(denied({ operation: 'use', purpose: 'billing', reason: 'unknown_purpose' }), campaign);
    await h.ann(grant);
  });
  const explain = (name: string) => explainDecision(store, current, (at[name] as CustodianEvent).id);

  it('explains an allowed use by the policy then in force, the consent and the collection, in the order they happened', async () => {
    const why = await explain('used');
    expect(why.event.id).toBe(at.used?.id);
    expect(why.decision).toBe('allowed');
    expect(why.consistent).toBe(true);
    expect(why.replayed).toEqual({ allowed: true, basis: consentBasis(at.grant?.id as string), evidence: [at.grant?.id, at.collected?.id] });
    expect(ids(why.evidence)).toEqual([at.oldPolicy?.id, at.collected?.id, at.grant?.id]);
    // The rule is the recorded one (marketing), not the ledger's current one (growth), nor the later one.
    expect(why.purpose).toEqual({ name: 'marketing.email', rule: expect.objectContaining({ roles: ['marketing'], legalBasis: 'consent' }) });
    expect(why.actor).toEqual({ id: 'campaign', roles: ['sales', 'marketing'], rolesAllowed: ['marketing'] });
  });

  it('explains an allowed access on legitimate interests by the policy and the collection alone', async () => {
    const why = await explain('accessed');
    expect(why).toMatchObject({ decision: 'allowed', consistent: true, replayed: { allowed: true, basis: { legalBasis: 'legitimate_interests' } } });
    expect(ids(why.evidence)).toEqual([at.oldPolicy?.id, at.collected?.id]);
    expect(why.actor).toEqual({ id: 'screening', roles: ['fraud'], rolesAllowed: ['fraud'] });
  });

  it("explains a share by the recipient's registration and verification too, and not by its suspension that came after", async () => {
    const why = await explain('shared');
    expect(why).toMatchObject({ decision: 'allowed', consistent: true, replayed: { allowed: true } });
    expect(ids(why.evidence)).toEqual([at.oldPolicy?.id, at.registered?.id, at.verified?.id, at.collected?.id, at.grant?.id]);
  });

  it('finds a recorded basis that is not the one in force inconsistent: another legal basis, or another consent', async () => {
    const onContract = await explain('usedOnContract');
    expect(onContract).toMatchObject({ decision: 'allowed', consistent: false, replayed: { allowed: true, basis: consentBasis(at.grant?.id as string) } });
    const onAnotherConsent = await explain('usedOnAnotherConsent');
    expect(onAnotherConsent).toMatchObject({ decision: 'allowed', consistent: false, replayed: { allowed: true, basis: consentBasis(at.grant?.id as string) } });
    const accessOnConsent = await explain('accessedOnConsent');
    expect(accessOnConsent).toMatchObject({ consistent: false, replayed: { allowed: true, basis: { legalBasis: 'legitimate_interests' } } });
    // Another legal basis where neither side names a consent: only the legal bases differ.
    const accessOnContract = await explain('accessedOnContract');
    expect(accessOnContract).toMatchObject({ consistent: false, replayed: { allowed: true, basis: { legalBasis: 'legitimate_interests' } } });
  });

  it('finds a use the rules refuse on replay inconsistent, with the withdrawal as evidence', async () => {
    const why = await explain('usedAfterWithdrawal');
    expect(why.decision).toBe('allowed');
    expect(why.consistent).toBe(false);
    expect(why.replayed).toEqual({ allowed: false, reason: 'consent_withdrawn', detail: 'consent for marketing.email was withdrawn', evidence: [at.withdrawal?.id] });
    expect(ids(why.evidence)).toEqual([at.newPolicy?.id, at.withdrawal?.id]);
  });

  it('explains a refused use by the later policy, now in force, and the withdrawal that refused it', async () => {
    const why = await explain('useRefused');
    expect(why.decision).toBe('denied');
    expect(why.consistent).toBe(true);
    expect(why.replayed).toMatchObject({ allowed: false, reason: 'consent_withdrawn' });
    expect(ids(why.evidence)).toEqual([at.newPolicy?.id, at.withdrawal?.id]);
    expect(why.purpose.rule?.roles).toEqual(['crm', 'marketing']);
    expect(why.actor).toEqual({ id: 'campaign', roles: ['sales', 'marketing'], rolesAllowed: ['marketing'] });
  });

  it('finds a refusal recorded for another reason than the rules give inconsistent', async () => {
    const why = await explain('useRefusedWrongly');
    expect(why).toMatchObject({ decision: 'denied', consistent: false, replayed: { allowed: false, reason: 'consent_withdrawn' } });
  });

  it('replays a refused access as an access, judged by the objection, not by the sharing rules', async () => {
    const why = await explain('accessRefused');
    expect(why).toMatchObject({ decision: 'denied', consistent: true, replayed: { allowed: false, reason: 'objection', evidence: [at.objection?.id] } });
    expect(ids(why.evidence)).toEqual([at.newPolicy?.id, at.objection?.id]);
  });

  it('replays a refused share against the recipient as it stood, suspension included', async () => {
    const why = await explain('shareRefused');
    expect(why).toMatchObject({ decision: 'denied', consistent: true, replayed: { allowed: false, reason: 'recipient_suspended', evidence: [at.suspended?.id] } });
    expect(ids(why.evidence)).toEqual([at.suspended?.id, at.newPolicy?.id]);
  });

  it('replays a refused share to a recipient the log never registered as recipient_unknown', async () => {
    const why = await explain('unknownRecipient');
    expect(why).toMatchObject({
      decision: 'denied',
      consistent: true,
      replayed: { allowed: false, reason: 'recipient_unknown', detail: 'the recipient is not registered', evidence: [] },
    });
    expect(ids(why.evidence)).toEqual([at.newPolicy?.id]);
  });

  it('explains a refusal for a purpose no policy declares with no rule and no role allowed', async () => {
    const why = await explain('unknownPurpose');
    expect(why).toMatchObject({ decision: 'denied', consistent: true, replayed: { allowed: false, reason: 'unknown_purpose' } });
    expect(why.purpose).toEqual({ name: 'billing', rule: undefined });
    expect(why.actor.rolesAllowed).toEqual([]);
  });

  it('refuses to explain an event that is not a decision, naming it and its type', async () => {
    const id = at.grant?.id as string;
    const refusal = await explainDecision(store, current, id).catch((error: unknown) => error);
    expect(refusal).toBeInstanceOf(NotADecisionError);
    expect(refusal).toMatchObject({ code: 'NOT_A_DECISION', eventId: id, type: 'ConsentGranted', message: `event ${id} is a ConsentGranted, not a use, access, share or refusal` });
  });

  it('refuses an id the store does not hold, naming it', async () => {
    const id = '0192f000-0000-7000-8000-000000000000';
    const refusal = await explainDecision(store, current, id).catch((error: unknown) => error);
    expect(refusal).toBeInstanceOf(EventNotFoundError);
    expect(refusal).toMatchObject({ code: 'EVENT_NOT_FOUND', eventId: id, message: `no event ${id} in the store` });
  });

  it('refuses an id not shaped like one before looking for it, as explain input', async () => {
    const looked: string[] = [];
    const watched: EventStore = Object.assign(Object.create(store) as EventStore, { locate: async (id: string) => (looked.push(id), undefined) });
    const refusal = await explainDecision(watched, current, 'not-an-id').catch((error: unknown) => error);
    expect(refusal).toMatchObject({ code: 'VALIDATION_FAILED', what: 'explain' });
    expect(looked).toEqual([]);
  });
});

describe('explainDecision, where the store or the log is not what it should be', () => {
  it('refuses an event whose location points at another event, or at a stream that is not there', async () => {
    const h = history();
    await h.ann(collectEmail);
    const used = await h.ann(use({ legalBasis: 'contract' }), campaign);
    const pointing = (location: { stream: string; revision: bigint; position: bigint }): EventStore =>
      Object.assign(Object.create(h.store) as EventStore, { locate: async () => location });
    const atCollection = await explainDecision(pointing({ stream: subjectStream('ann'), revision: 0n, position: 0n }), current, used.id).catch((e: unknown) => e);
    expect(atCollection).toMatchObject({ code: 'EVENT_NOT_FOUND', eventId: used.id });
    const nowhere = await explainDecision(pointing({ stream: subjectStream('bob'), revision: 1n, position: 1n }), current, used.id).catch((e: unknown) => e);
    expect(nowhere).toMatchObject({ code: 'EVENT_NOT_FOUND', eventId: used.id });
  });

  it("judges by the ledger's policy where the log records none, with no policy event as evidence", async () => {
    const h = history();
    const collected = await h.ann(collectEmail);
    const granted = await h.ann(grant);
    const used = await h.ann(use(consentBasis(granted.id)), { id: 'growth-team', kind: 'service', roles: ['growth'] });
    const why: Explanation = await explainDecision(h.store, current, used.id);
    expect(why).toMatchObject({ decision: 'allowed', consistent: true, purpose: { rule: { roles: ['growth'] } } });
    expect(ids(why.evidence)).toEqual([collected.id, granted.id]);
  });

  it('takes only a PolicyDefined of the policy stream as the policy in force, not another event planted there', async () => {
    const h = history();
    const policy = await h.policy(['marketing']);
    await h.plant(POLICY_STREAM, { type: 'RecipientVerified', data: { recipientId: 'acme' } });
    const collected = await h.ann(collectEmail);
    const granted = await h.ann(grant);
    const used = await h.ann(use(consentBasis(granted.id)), campaign);
    const why = await explainDecision(h.store, current, used.id);
    expect(why).toMatchObject({ consistent: true, purpose: { rule: { roles: ['marketing'] } } });
    expect(ids(why.evidence)).toEqual([policy.id, collected.id, granted.id]);
  });
});
