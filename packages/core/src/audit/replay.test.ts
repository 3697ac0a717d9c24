import { describe, expect, it } from '@jest/globals';
import { plantEvent } from '@custodian/testing';
import type { EventDraft, RecipientState, SubjectState } from '../decider';
import { POLICY_STREAM, recipientStream, subjectStream, type Actor } from '../events';
import { definePolicy, policyRecord } from '../policy';
import { InMemoryEventStore } from '../store';
import { replay, type ReplayStep } from './replay';

const officer: Actor = { id: 'dpo', kind: 'employee', roles: ['privacy'] };
const sealed = 'gcm1.aaaa.bbbb';
const notice = { id: 'notice', version: 'v1' };
const rules = (roles: string[]) =>
  definePolicy({ purposes: { 'marketing.email': { legalBasis: 'consent', categories: ['contact.email'], roles, sharing: true, retention: 'P1Y' } } });

function history() {
  const store = new InMemoryEventStore();
  let minute = 0;
  const meta = (subjectId?: string) => ({ actor: officer, occurredAt: new Date(Date.UTC(2026, 2, 1, 10, minute++)), ...(subjectId === undefined ? {} : { subjectId }) });
  return {
    store,
    policy: (roles: string[]) => plantEvent(store, POLICY_STREAM, { type: 'PolicyDefined', data: policyRecord(rules(roles)) }, meta()),
    subject: (subjectId: string, draft: EventDraft) => plantEvent(store, subjectStream(subjectId), draft, meta(subjectId)),
    recipient: (draft: EventDraft) => plantEvent(store, recipientStream('acme'), draft, meta()),
    elsewhere: (draft: EventDraft) => plantEvent(store, 'custodian-notes', draft, meta()),
  };
}

const collectEmail: EventDraft = {
  type: 'DataCollected',
  data: {
    categories: ['contact.email'],
    source: 'form',
    purposes: ['marketing.email'],
    legalBases: { 'marketing.email': 'consent' },
    notice,
    retainUntil: '2027-03-01T00:00:00.000Z',
    values: { 'contact.email': sealed },
  },
};
const grant: EventDraft = { type: 'ConsentGranted', data: { purpose: 'marketing.email', notice, method: 'checkbox' } };

/** What a step met, read at the moment it is handed over. */
const seen = (step: ReplayStep) => ({
  event: step.event.id,
  position: step.record.position,
  collected: [...step.subjectBefore.collected.values()].map((c) => c.eventId),
  consents: [...step.subjectBefore.consents.values()].map((c) => c.eventId),
  recipients: [...step.recipients].map(([id, r]) => `${id}: ${[r.registered?.eventId, r.verified?.eventId, r.suspended?.eventId].join(' ')}`),
  policy: step.policy?.eventId,
});

describe('replay', () => {
  it('hands over every event in global order with the state its subject, the recipients and the policy had just before it', async () => {
    // Given a log where two customers, a recipient and two policies interleave
    const h = history();
    const firstPolicy = await h.policy(['marketing']);
    const registered = await h.recipient({ type: 'RecipientRegistered', data: { recipientId: 'acme', name: 'Acme', agreement: 'dpa-1', country: 'DE' } });
    const annCollected = await h.subject('ann', collectEmail);
    const bobGrant = await h.subject('bob', grant);
    const verified = await h.recipient({ type: 'RecipientVerified', data: { recipientId: 'acme' } });
    const annGrant = await h.subject('ann', grant);
    const secondPolicy = await h.policy(['growth']);
    const share = await h.subject('ann', {
      type: 'DataShared',
      data: { recipientId: 'acme', categories: ['contact.email'], purpose: 'marketing.email', agreement: 'dpa-1', basis: { legalBasis: 'consent', consentEventId: annGrant.id } },
    });
    const suspended = await h.recipient({ type: 'RecipientSuspended', data: { recipientId: 'acme', reason: 'audit failed' } });
    const note = await h.elsewhere({ type: 'AccessRequestReceived', data: { right: 'access' } });
    const bobCollected = await h.subject('bob', collectEmail);

    // When the log is replayed
    const steps: ReturnType<typeof seen>[] = [];
    for await (const step of replay(h.store)) steps.push(seen(step));

    // Then each event met only what came before it, its own subject's and no one else's
    const acme = (...ids: (string | undefined)[]) => `acme: ${ids.map((id) => id ?? '').join(' ')}`;
    expect(steps).toEqual([
      { event: firstPolicy.id, position: 0n, collected: [], consents: [], recipients: [], policy: undefined },
      { event: registered.id, position: 1n, collected: [], consents: [], recipients: [], policy: firstPolicy.id },
      { event: annCollected.id, position: 2n, collected: [], consents: [], recipients: [acme(registered.id, undefined, undefined)], policy: firstPolicy.id },
      { event: bobGrant.id, position: 3n, collected: [], consents: [], recipients: [acme(registered.id, undefined, undefined)], policy: firstPolicy.id },
      { event: verified.id, position: 4n, collected: [], consents: [], recipients: [acme(registered.id, undefined, undefined)], policy: firstPolicy.id },
      { event: annGrant.id, position: 5n, collected: [annCollected.id], consents: [], recipients: [acme(registered.id, verified.id, undefined)], policy: firstPolicy.id },
      { event: secondPolicy.id, position: 6n, collected: [], consents: [], recipients: [acme(registered.id, verified.id, undefined)], policy: firstPolicy.id },
      { event: share.id, position: 7n, collected: [annCollected.id], consents: [annGrant.id], recipients: [acme(registered.id, verified.id, undefined)], policy: secondPolicy.id },
      { event: suspended.id, position: 8n, collected: [], consents: [], recipients: [acme(registered.id, verified.id, undefined)], policy: secondPolicy.id },
      { event: note.id, position: 9n, collected: [], consents: [], recipients: [acme(registered.id, verified.id, suspended.id)], policy: secondPolicy.id },
      { event: bobCollected.id, position: 10n, collected: [], consents: [bobGrant.id], recipients: [acme(registered.id, verified.id, suspended.id)], policy: secondPolicy.id },
    ]);
  });

  it('hands over the policy in force as the rules it records, with the event that recorded it', async () => {
    const h = history();
    const defined = await h.policy(['growth']);
    const collected = await h.subject('ann', collectEmail);
    const steps: ReplayStep[] = [];
    for await (const step of replay(h.store)) steps.push(step);
    expect(steps.map((s) => s.event.id)).toEqual([defined.id, collected.id]);
    expect(steps[1]?.policy?.eventId).toBe(defined.id);
    expect(steps[1]?.policy?.policy.purposes.get('marketing.email')?.roles).toEqual(['growth']);
  });

  it('keeps each step as it was: a step held after the replay moved on still shows the recipients and the subject it met', async () => {
    // Given a recipient registered, verified, then suspended, and a customer collected twice
    const h = history();
    const registered = await h.recipient({ type: 'RecipientRegistered', data: { recipientId: 'acme', name: 'Acme', agreement: 'dpa-1', country: 'DE' } });
    const first = await h.subject('ann', collectEmail);
    await h.recipient({ type: 'RecipientVerified', data: { recipientId: 'acme' } });
    await h.subject('ann', collectEmail);
    await h.recipient({ type: 'RecipientSuspended', data: { recipientId: 'acme', reason: 'audit failed' } });

    // When every step is kept and only read once the replay is over
    const steps: ReplayStep[] = [];
    for await (const step of replay(h.store)) steps.push(step);

    // Then each one shows what stood before it, not what stood at the end
    const recipients = (step: ReplayStep | undefined): [string, RecipientState][] => [...(step?.recipients ?? new Map<string, RecipientState>())];
    const collectedBy = (state: SubjectState | undefined) => [...(state?.collected.values() ?? [])].map((c) => c.eventId);
    expect(recipients(steps[0])).toEqual([]);
    expect(recipients(steps[1]).map(([id, r]) => [id, r.registered?.eventId, r.verified, r.suspended])).toEqual([['acme', registered.id, undefined, undefined]]);
    expect(recipients(steps[4])[0]?.[1].verified).toBeDefined();
    expect(recipients(steps[4])[0]?.[1].suspended).toBeUndefined();
    expect(collectedBy(steps[3]?.subjectBefore)).toEqual([first.id]);
  });
});
