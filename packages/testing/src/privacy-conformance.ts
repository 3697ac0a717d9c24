import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import { createHash, randomUUID } from 'node:crypto';
import { categoryKeyId, createLedger, events, InMemoryKeyStore, subjectKeyId, subjectStream, type Actor, type EventStore, type Ledger } from '@custodian/core';
import type { EventStoreFactory } from './event-store-conformance';
import { conformancePolicy } from './policy-fixture';
import { plantEvent } from './plant';

const checkout: Actor = { id: 'checkout', kind: 'service', roles: ['fulfilment'] };
const marketer: Actor = { id: 'campaigns', kind: 'service', roles: ['marketing'] };
const dpo: Actor = { id: 'dpo', kind: 'employee', roles: ['privacy'] };
const notice = { id: 'privacy-notice', version: 'v3' };
const self = (subjectId: string): Actor => ({ id: subjectId, kind: 'subject', roles: [] });

async function storedText(store: EventStore): Promise<string> {
  const parts: string[] = [];
  for await (const record of store.readAll()) parts.push(Buffer.from(record.data).toString('utf8'));
  return parts.join('\n');
}

/** Crypto-shredding, third-party erasure, the chain, violations, explain, as-of reads and the subject export, on any store. */
export function runPrivacyConformance(name: string, factory: EventStoreFactory): void {
  describe(`Privacy and audit conformance: ${name}`, () => {
    let store: EventStore;
    let keys: InMemoryKeyStore;
    let ledger: Ledger;
    const run = randomUUID().slice(0, 8);

    beforeEach(async () => {
      store = await factory();
      keys = new InMemoryKeyStore();
      ledger = createLedger({ store, keys, policy: conformancePolicy });
    });
    afterEach(async () => {
      await store.close();
    });

    async function customer(label: string) {
      const subjectId = `${label}-${randomUUID()}`;
      const email = `GREPME-${label}-${randomUUID()}@example.com`;
      const address = `GREPME-${randomUUID()} Hauptstrasse 1, Berlin`;
      await ledger.collect({
        subjectId,
        actor: checkout,
        source: 'checkout-form',
        purposes: ['order.fulfilment', 'marketing.email'],
        notice,
        data: { 'contact.email': email, 'contact.address': address },
      });
      const consent = await ledger.grantConsent({ subjectId, actor: self(subjectId), purpose: 'marketing.email', notice, method: 'checkbox', evidence: `confirmed from ${email}` });
      return { subjectId, email, address, consent };
    }

    it('erases by destroying the key: values are gone, the history stays, other subjects are intact', async () => {
      const people = [];
      for (let i = 0; i < 12; i++) people.push(await customer(`p${i}`));
      for (const person of people)
        await ledger.use({ subjectId: person.subjectId, actor: marketer, purpose: 'marketing.email', categories: ['contact.email'], activity: 'campaign' });
      const erased = people.filter((_, i) => i % 2 === 0);
      const kept = people.filter((_, i) => i % 2 === 1);
      for (const person of erased) {
        await ledger.requestErasure({ subjectId: person.subjectId, actor: self(person.subjectId) });
        await ledger.erase({ subjectId: person.subjectId, actor: dpo });
      }

      const text = await storedText(store);
      expect(text).not.toContain('GREPME');
      for (const person of erased) {
        // Every key of the subject: its one key of old, and the key of each category collected.
        for (const keyId of [subjectKeyId(person.subjectId), categoryKeyId(person.subjectId, 'contact.email', 0), categoryKeyId(person.subjectId, 'contact.address', 0)])
          expect({ keyId, key: await keys.get(keyId) }).toEqual({ keyId, key: undefined });
        const access = await ledger.access({ subjectId: person.subjectId, actor: checkout, purpose: 'order.fulfilment', categories: ['contact.email'] });
        expect(access).toMatchObject({ allowed: false, reason: 'erased', erased: true });
        expect(access.data).toBeUndefined();
        expect((await ledger.history(person.subjectId)).map((h) => h.kind)).toEqual(['used', 'denied']);
        expect((await ledger.consentState(person.subjectId))['marketing.email']).toMatchObject({ status: 'granted', eventId: person.consent.id });
        expect(await ledger.inventory(person.subjectId)).toMatchObject({
          erased: true,
          categories: [expect.objectContaining({ category: 'contact.email' }), expect.objectContaining({ category: 'contact.address' })],
        });
        const exported = await ledger.exportSubject(person.subjectId);
        expect(exported.data.map((d) => d.value)).toEqual([null, null]);
        expect(JSON.stringify(exported)).not.toContain('GREPME');
      }
      for (const person of kept) {
        const access = await ledger.access({ subjectId: person.subjectId, actor: checkout, purpose: 'order.fulfilment', categories: ['contact.email', 'contact.address'] });
        expect(access).toMatchObject({ allowed: true, data: { 'contact.email': person.email, 'contact.address': person.address } });
      }
      expect(await ledger.audit.verify()).toMatchObject({ ok: true, broken: [] });
    });

    it('sends an erasure notice to every recipient that received the data, and tracks confirmations', async () => {
      const { subjectId } = await customer('shared');
      const agencies = [`agency-a-${run}`, `agency-b-${run}`];
      for (const recipientId of agencies) {
        await ledger.registerRecipient({ recipientId, actor: dpo, name: recipientId, agreement: 'dpa-1', country: 'FR' });
        await ledger.verifyRecipient({ recipientId, actor: dpo });
        expect(await ledger.share({ subjectId, actor: marketer, recipientId, purpose: 'marketing.email', categories: ['contact.email'] })).toMatchObject({ allowed: true });
      }
      const erasure = await ledger.erase({ subjectId, actor: dpo });
      expect(erasure).toMatchObject({ type: 'DataErased', data: { method: 'crypto-shred', recipientsNotified: agencies } });
      expect((await ledger.inventory(subjectId)).pendingErasureConfirmations).toEqual(agencies);
      await ledger.confirmRecipientErasure({ subjectId, actor: dpo, recipientId: agencies[0]! });
      const inventory = await ledger.inventory(subjectId);
      expect(inventory.pendingErasureConfirmations).toEqual([agencies[1]]);
      expect(inventory.recipients.map((r) => [r.recipientId, r.erasure])).toEqual([
        [agencies[0], 'confirmed'],
        [agencies[1], 'pending'],
      ]);
      const registry = await ledger.recipients();
      expect(registry.find((r) => r.recipientId === agencies[0])?.erasureNotices).toEqual([{ subjectId, erasureEventId: erasure.id, confirmed: true }]);
      await expect(ledger.confirmRecipientErasure({ subjectId, actor: dpo, recipientId: agencies[0]! })).rejects.toMatchObject({ code: 'COMMAND_REFUSED' });
    });

    it('finds every use, access or share written around the ledger without a valid basis', async () => {
      const { subjectId, consent } = await customer('planted');
      const recipientId = `agency-p-${run}`;
      await ledger.registerRecipient({ recipientId, actor: dpo, name: 'P', agreement: 'dpa-p', country: 'DE' });
      await ledger.verifyRecipient({ recipientId, actor: dpo });
      await ledger.withdrawConsent({ subjectId, actor: self(subjectId), purpose: 'marketing.email' });
      await ledger.suspendRecipient({ recipientId, actor: dpo, reason: 'breach' });
      const stream = subjectStream(subjectId);
      const basis = { legalBasis: 'consent' as const, consentEventId: consent.id };
      const afterWithdrawal = await plantEvent(
        store,
        stream,
        { type: 'DataUsed', data: { purpose: 'marketing.email', categories: ['contact.email'], activity: 'rogue-campaign', basis } },
        { actor: marketer, subjectId },
      );
      const wrongRole = await plantEvent(
        store,
        stream,
        { type: 'DataAccessed', data: { purpose: 'order.fulfilment', categories: ['contact.address'], basis: { legalBasis: 'contract' } } },
        { actor: { id: 'intern', kind: 'employee', roles: ['support'] }, subjectId },
      );
      const toSuspended = await plantEvent(
        store,
        stream,
        { type: 'DataShared', data: { recipientId, purpose: 'order.fulfilment', categories: ['contact.email'], agreement: 'dpa-p', basis: { legalBasis: 'contract' } } },
        { actor: checkout, subjectId },
      );
      const wrongBasis = await plantEvent(
        store,
        stream,
        { type: 'DataUsed', data: { purpose: 'order.fulfilment', categories: ['contact.email'], activity: 'ship', basis: { legalBasis: 'legitimate_interests' } } },
        { actor: checkout, subjectId },
      );
      await ledger.use({ subjectId, actor: checkout, purpose: 'order.fulfilment', categories: ['contact.email'], activity: 'ship-ok' });

      expect((await ledger.audit.verify()).ok).toBe(true);
      const found = (await ledger.audit.violations()).filter((v) => v.subjectId === subjectId);
      expect(found.map((v) => [v.eventId, v.reason])).toEqual([
        [afterWithdrawal.id, 'consent_withdrawn'],
        [wrongRole.id, 'role_not_allowed'],
        [toSuspended.id, 'sharing_not_allowed'],
        [wrongBasis.id, 'basis_mismatch'],
      ]);
      expect(found[0]).toMatchObject({ type: 'DataUsed', stream, actorId: 'campaigns' });
    });

    it('explains what justified an allowed use and what refused a denied one', async () => {
      const { subjectId, consent } = await customer('explain');
      const allowed = await ledger.use({ subjectId, actor: marketer, purpose: 'marketing.email', categories: ['contact.email'], activity: 'campaign' });
      const withdrawal = await ledger.withdrawConsent({ subjectId, actor: self(subjectId), purpose: 'marketing.email' });
      const refused = await ledger.use({ subjectId, actor: marketer, purpose: 'marketing.email', categories: ['contact.email'], activity: 'campaign' });

      const why = await ledger.audit.explain(allowed.event.id);
      expect(why).toMatchObject({
        decision: 'allowed',
        consistent: true,
        purpose: { name: 'marketing.email', rule: { legalBasis: 'consent' } },
        actor: { rolesAllowed: ['marketing'] },
      });
      expect(why.evidence.map((e) => e.type)).toEqual(['PolicyDefined', 'DataCollected', 'ConsentGranted']);
      expect(why.evidence.map((e) => e.id)).toContain(consent.id);

      const whyNot = await ledger.audit.explain(refused.event.id);
      expect(whyNot).toMatchObject({ decision: 'denied', consistent: true, replayed: { allowed: false, reason: 'consent_withdrawn' } });
      expect(whyNot.evidence.map((e) => e.type)).toEqual(['PolicyDefined', 'ConsentWithdrawn']);
      expect(whyNot.evidence[1]?.id).toBe(withdrawal.id);
      await expect(ledger.audit.explain(withdrawal.id)).rejects.toMatchObject({ code: 'NOT_A_DECISION' });
      await expect(ledger.audit.explain(randomUUID())).rejects.toMatchObject({ code: 'EVENT_NOT_FOUND' });
    });

    it('answers every read-side query as of a past moment', async () => {
      const { subjectId } = await customer('past');
      const used = await ledger.use({ subjectId, actor: marketer, purpose: 'marketing.email', categories: ['contact.email'], activity: 'c1' });
      let position = 0n;
      for await (const record of store.readStream(subjectStream(subjectId))) if (record.id === used.event.id) position = record.position;
      await ledger.withdrawConsent({ subjectId, actor: self(subjectId), purpose: 'marketing.email' });
      await ledger.erase({ subjectId, actor: dpo });
      const then = ledger.audit.at(position);
      expect((await then.consentState(subjectId))['marketing.email']?.status).toBe('granted');
      expect(await then.history(subjectId)).toHaveLength(1);
      expect((await then.inventory(subjectId)).erased).toBe(false);
      expect((await ledger.inventory(subjectId)).erased).toBe(true);
    });

    it('answers by time as the ledger stood then, consent expiry included', async () => {
      let now = Date.parse('2026-03-01T09:00:00.000Z');
      ledger = createLedger({ store, keys, policy: conformancePolicy, clock: () => new Date((now += 60_000)) });
      const { subjectId } = await customer('by-time');
      await ledger.grantConsent({ subjectId, actor: self(subjectId), purpose: 'marketing.email', notice, method: 'web-form', expiresAt: new Date(now + 10 * 60_000) });
      const granted = new Date(now);
      await ledger.use({ subjectId, actor: marketer, purpose: 'marketing.email', categories: ['contact.email'], activity: 'c1' });
      now += 60 * 60_000;
      expect((await ledger.use({ subjectId, actor: marketer, purpose: 'marketing.email', categories: ['contact.email'], activity: 'c2' })).allowed).toBe(false);
      const then = ledger.audit.at(granted);
      expect((await then.consentState(subjectId))['marketing.email']).toMatchObject({ status: 'granted' });
      expect(await then.history(subjectId)).toEqual([]);
      expect((await ledger.consentState(subjectId))['marketing.email']?.status).toBe('expired');
      expect((await ledger.history(subjectId)).map((h) => h.reason ?? h.kind)).toEqual(['used', 'consent_expired']);
    });

    it('records an access request and hands over an export whose digest it records', async () => {
      const { subjectId, email } = await customer('export');
      await ledger.use({ subjectId, actor: marketer, purpose: 'marketing.email', categories: ['contact.email'], activity: 'campaign' });
      const result = await ledger.requestAccess({ subjectId, actor: self(subjectId), right: 'portability' });
      expect(result.digest).toBe(createHash('sha256').update(result.json).digest('hex'));
      expect(JSON.parse(result.json)).toEqual(JSON.parse(JSON.stringify(result.export)));
      expect(result.fulfilled).toMatchObject({ type: 'AccessRequestFulfilled', data: { requestEventId: result.received.id, digest: result.digest } });
      expect(result.export).toMatchObject({
        format: 'custodian.subject-export/1',
        subjectId,
        erased: false,
        data: expect.arrayContaining([expect.objectContaining({ category: 'contact.email', value: email, source: 'checkout-form' })]),
        purposes: expect.arrayContaining([expect.objectContaining({ purpose: 'marketing.email', legalBasis: 'consent', retention: 'P2Y' })]),
        consents: { 'marketing.email': expect.objectContaining({ status: 'granted' }) },
        history: [expect.objectContaining({ kind: 'used', purpose: 'marketing.email' })],
      });
      const stored = [];
      for await (const record of store.readStream(subjectStream(subjectId))) stored.push(events.decode(record.data).type);
      expect(stored.slice(-2)).toEqual(['AccessRequestReceived', 'AccessRequestFulfilled']);
      expect(await storedText(store)).not.toContain(email);
    });
  });
}
