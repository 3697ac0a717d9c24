import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import { randomUUID } from 'node:crypto';
import {
  createLedger,
  events,
  InMemoryKeyStore,
  StreamNotFoundError,
  ValidationError,
  WrongExpectedRevisionError,
  subjectStream,
  type Actor,
  type CustodianEvent,
  type EventStore,
  type Ledger,
} from '@custodian/core';
import type { EventStoreFactory } from './event-store-conformance';
import { conformancePolicy } from './policy-fixture';
import { runPrivacyConformance } from './privacy-conformance';

export interface LedgerConformanceOptions {
  /** Rounds of the withdraw-versus-use race; more rounds, more interleavings tried. */
  raceRounds?: number;
  /** Rounds of a withdrawal racing 200 uses; each round appends about 200 events. */
  fairnessRounds?: number;
}

/** How many uses hammer one subject while its consent is withdrawn. */
const HAMMERING_USES = 200;

const checkout: Actor = { id: 'checkout', kind: 'service', roles: ['fulfilment'] };
const marketer: Actor = { id: 'campaigns', kind: 'service', roles: ['marketing'] };
const dpo: Actor = { id: 'dpo', kind: 'employee', roles: ['privacy'] };
const notice = { id: 'privacy-notice', version: 'v3' };

async function decodedStream(store: EventStore, stream: string): Promise<CustodianEvent[]> {
  const out: CustodianEvent[] = [];
  for await (const record of store.readStream(stream)) out.push(events.decode(record.data));
  return out;
}

/** Only StreamNotFoundError says a stream does not exist: any other failure is the store's, and is thrown. */
async function streamExists(store: EventStore, stream: string): Promise<boolean> {
  try {
    for await (const _ of store.readStream(stream, { maxCount: 1 })) return true;
  } catch (error) {
    if (error instanceof StreamNotFoundError) return false;
    throw error;
  }
  return false;
}

async function allRecordBytes(store: EventStore): Promise<string> {
  const parts: string[] = [];
  for await (const record of store.readAll()) parts.push(Buffer.from(record.data).toString('utf8'));
  return parts.join('\n');
}

/**
 * The ledger's behaviour on a store: the story of a customer's data, the rules, the
 * read side, and decisions racing withdrawals. Every store runs it unchanged.
 */
export function runLedgerConformance(name: string, factory: EventStoreFactory, options: LedgerConformanceOptions = {}): void {
  runPrivacyConformance(name, factory);
  describe(`Ledger conformance: ${name}`, () => {
    let store: EventStore;
    let ledger: Ledger;
    let subjectId: string;
    let email: string;

    beforeEach(async () => {
      store = await factory();
      ledger = createLedger({ store, keys: new InMemoryKeyStore(), policy: conformancePolicy });
      subjectId = `c-${randomUUID()}`;
      email = `ann.${randomUUID().slice(0, 8)}@example.com`;
    });
    afterEach(async () => {
      await store.close();
    });

    async function collectAndConsent(): Promise<{ consent: CustodianEvent }> {
      await ledger.collect({ subjectId, actor: checkout, source: 'checkout-form', purposes: ['order.fulfilment', 'marketing.email'], notice, data: { 'contact.email': email } });
      const consent = await ledger.grantConsent({ subjectId, actor: { id: subjectId, kind: 'subject', roles: [] }, purpose: 'marketing.email', notice, method: 'checkbox' });
      return { consent };
    }

    const campaignUse = () => ledger.use({ subjectId, actor: marketer, purpose: 'marketing.email', categories: ['contact.email'], activity: 'campaign:spring' });

    it('allows a use under consent, records its basis, and refuses after withdrawal', async () => {
      const { consent } = await collectAndConsent();
      const allowed = await campaignUse();
      expect(allowed).toMatchObject({ allowed: true, basis: { legalBasis: 'consent', consentEventId: consent.id }, event: { type: 'DataUsed' } });
      await ledger.withdrawConsent({ subjectId, actor: { id: subjectId, kind: 'subject', roles: [] }, purpose: 'marketing.email' });
      const refused = await campaignUse();
      expect(refused).toMatchObject({ allowed: false, reason: 'consent_withdrawn', event: { type: 'UseDenied', data: { reason: 'consent_withdrawn' } } });
      const types = (await decodedStream(store, subjectStream(subjectId))).map((e) => e.type);
      expect(types).toEqual(['DataCollected', 'ConsentGranted', 'DataUsed', 'ConsentWithdrawn', 'UseDenied']);
    });

    it('gives the values to an allowed access, and none to a refused one', async () => {
      await collectAndConsent();
      const granted = await ledger.access({ subjectId, actor: checkout, purpose: 'order.fulfilment', categories: ['contact.email'] });
      expect(granted).toMatchObject({ allowed: true, data: { 'contact.email': email } });
      const refused = await ledger.access({ subjectId, actor: { id: 'intern', kind: 'employee', roles: ['support'] }, purpose: 'order.fulfilment', categories: ['contact.email'] });
      expect(refused).toMatchObject({ allowed: false, reason: 'role_not_allowed' });
      expect(refused.data).toBeUndefined();
    });

    it('never stores a personal value in plaintext', async () => {
      await collectAndConsent();
      await ledger.rectify({ subjectId, actor: dpo, data: { 'contact.email': `new.${email}` } });
      await ledger.grantConsent({
        subjectId,
        actor: { id: subjectId, kind: 'subject', roles: [] },
        purpose: 'marketing.email',
        notice,
        method: 'web-form',
        evidence: `typed ${email} into the form`,
      });
      const stored = await allRecordBytes(store);
      expect(stored).toContain(subjectId);
      expect(stored).not.toContain(email);
      expect(stored).not.toContain(email.split('@')[0]);
    });

    it('shares only with a registered, verified, unsuspended recipient', async () => {
      await collectAndConsent();
      const recipientId = `agency-${randomUUID().slice(0, 8)}`;
      const share = () => ledger.share({ subjectId, actor: marketer, recipientId, purpose: 'marketing.email', categories: ['contact.email'] });
      expect(await share()).toMatchObject({ allowed: false, reason: 'recipient_unknown' });
      await ledger.registerRecipient({ recipientId, actor: dpo, name: 'Agency GmbH', agreement: 'dpa-7', country: 'DE' });
      expect(await share()).toMatchObject({ allowed: false, reason: 'recipient_not_verified' });
      await ledger.verifyRecipient({ recipientId, actor: dpo });
      expect(await share()).toMatchObject({ allowed: true, event: { type: 'DataShared', data: { agreement: 'dpa-7' } } });
      await ledger.suspendRecipient({ recipientId, actor: dpo, reason: 'failed its audit' });
      expect(await share()).toMatchObject({ allowed: false, reason: 'recipient_suspended' });
      const entry = (await ledger.recipients()).find((r) => r.recipientId === recipientId);
      expect(entry).toMatchObject({ name: 'Agency GmbH', status: 'suspended', received: [{ subjectId, categories: ['contact.email'], purpose: 'marketing.email' }] });
      const inventory = await ledger.inventory(subjectId);
      expect(inventory.recipients).toEqual([expect.objectContaining({ recipientId, categories: ['contact.email'] })]);
    });

    it('answers the read side as it stood at a past position or time', async () => {
      const { consent } = await collectAndConsent();
      const [granted] = await collectRecords(store, subjectStream(subjectId), consent.id);
      await campaignUse();
      await ledger.withdrawConsent({ subjectId, actor: { id: subjectId, kind: 'subject', roles: [] }, purpose: 'marketing.email' });
      expect((await ledger.consentState(subjectId))['marketing.email']?.status).toBe('withdrawn');
      expect((await ledger.consentState(subjectId, { at: granted! }))['marketing.email']).toMatchObject({ status: 'granted', eventId: consent.id });
      expect(await ledger.history(subjectId, { at: granted! })).toEqual([]);
      expect(await ledger.history(subjectId)).toHaveLength(1);
      expect((await ledger.consentState(subjectId, { at: new Date(Date.parse(consent.recordedAt) - 1) }))['marketing.email']).toBeUndefined();
    });

    it('refuses malformed commands with a ValidationError naming the field, appending nothing', async () => {
      const actor = checkout;
      const attempts: [string, () => Promise<unknown>, string][] = [
        [
          'collect',
          () => ledger.collect({ subjectId, actor, source: 'x', purposes: ['order.fulfilment'], notice: { id: 'n' } as never, data: { 'contact.email': email } }),
          'notice.version',
        ],
        ['collect', () => ledger.collect({ subjectId, actor, source: 'x', purposes: ['no.such'], notice, data: { 'contact.email': email } }), 'purposes.0'],
        // A category the policy declares is named; one it does not is the caller's key, shown by place only.
        ['collect', () => ledger.collect({ subjectId, actor, source: 'x', purposes: ['marketing.email'], notice, data: { 'contact.address': email } }), 'data.contact.address'],
        [
          'collect',
          () => ledger.collect({ subjectId, actor, source: 'x', purposes: ['marketing.email'], notice, data: { 'financial.card': email } }),
          'data[key 1 of 1: 14 chars, #',
        ],
        [
          'collect',
          () => ledger.collect({ subjectId: 'ann@example.com', actor, source: 'x', purposes: ['order.fulfilment'], notice, data: { 'contact.email': email } }),
          'subjectId',
        ],
        ['rectify', () => ledger.rectify({ subjectId, actor, data: {} }), 'data'],
        ['grantConsent', () => ledger.grantConsent({ subjectId, actor, purpose: 'marketing.email', notice, method: 'telepathy' as never }), 'method'],
        ['grantConsent', () => ledger.grantConsent({ subjectId, actor, purpose: 'order.fulfilment', notice, method: 'checkbox' }), 'purpose'],
        ['withdrawConsent', () => ledger.withdrawConsent({ subjectId, actor: { id: '', kind: 'subject', roles: [] }, purpose: 'marketing.email' }), 'actor.id'],
        ['object', () => ledger.object({ subjectId, actor, purposes: [] }), 'purposes'],
        ['restrict', () => ledger.restrict({ subjectId, actor, reason: 42 as never }), 'reason'],
        ['liftRestriction', () => ledger.liftRestriction({ subjectId } as never), 'actor'],
        ['use', () => ledger.use({ subjectId, actor, purpose: 'order.fulfilment', categories: [], activity: 'x' }), 'categories'],
        ['access', () => ledger.access({ subjectId, actor, purpose: 'Order Fulfilment', categories: ['contact.email'] }), 'purpose'],
        ['share', () => ledger.share({ subjectId, actor, recipientId: 'has space', purpose: 'marketing.email', categories: ['contact.email'] }), 'recipientId'],
        ['revokeShare', () => ledger.revokeShare({ subjectId, actor } as never), 'recipientId'],
        ['registerRecipient', () => ledger.registerRecipient({ recipientId: 'agency-x', actor: dpo, name: 'A', agreement: 'd', country: 'Germany' }), 'country'],
        ['verifyRecipient', () => ledger.verifyRecipient({ actor: dpo } as never), 'recipientId'],
        ['suspendRecipient', () => ledger.suspendRecipient({ recipientId: 'agency-x', actor: dpo, reason: '' }), 'reason'],
        ['requestErasure', () => ledger.requestErasure({ subjectId, actor: { id: subjectId, kind: 'robot', roles: [] } as never }), 'actor.kind'],
        ['erase', () => ledger.erase({ subjectId } as never), 'actor'],
        ['confirmRecipientErasure', () => ledger.confirmRecipientErasure({ subjectId, actor: dpo, recipientId: '' }), 'recipientId'],
        ['confirmRecipientNotice', () => ledger.confirmRecipientNotice({ subjectId, actor: dpo, recipientId: 'agency-x', changeEventId: 'change-1' }), 'changeEventId'],
        ['recordEvent', () => ledger.recordEvent({ stream: 'has space', actor: dpo, type: 'OrderPlaced', data: {} } as never), 'stream'],
      ];
      for (const [operation, attempt, path] of attempts) {
        const error = await attempt().then(
          () => undefined,
          (e: unknown) => e,
        );
        expect({ operation, error }).toEqual({ operation, error: expect.any(ValidationError) });
        // A path ending in '#' stands for a key shown by its tag, which differs from run to run.
        const issues = (error as ValidationError).issues.map((i) => (path.endsWith('#') ? i.path.replace(/#[0-9a-f]{6}\]$/, '#') : i.path));
        expect({ operation, issues }).toEqual({ operation, issues: expect.arrayContaining([path]) });
        expect((error as Error).message).not.toContain(email);
      }
      expect(await streamExists(store, subjectStream(subjectId))).toBe(false);
      expect(await streamExists(store, 'recipient-agency-x')).toBe(false);
    });

    it('refuses an operation to an actor without the role the policy requires', async () => {
      await expect(ledger.registerRecipient({ recipientId: 'agency-y', actor: marketer, name: 'Y', agreement: 'd', country: 'DE' })).rejects.toMatchObject({
        code: 'NOT_PERMITTED',
      });
      expect(await streamExists(store, 'recipient-agency-y')).toBe(false);
    });

    it('never records a use against a consent withdrawal it could not see, however the calls interleave', async () => {
      const other = createLedger({ store, keys: new InMemoryKeyStore(), policy: conformancePolicy });
      const rounds = options.raceRounds ?? 40;
      let usedAfter = 0;
      for (let round = 0; round < rounds; round++) {
        subjectId = `race-${round}-${randomUUID()}`;
        const { consent } = await collectAndConsent();
        const jitter = () => new Promise((resolve) => setTimeout(resolve, Math.random() * 3));
        const racers = [
          (async () => {
            await jitter();
            await other.withdrawConsent({ subjectId, actor: { id: subjectId, kind: 'subject', roles: [] }, purpose: 'marketing.email' });
          })(),
          ...Array.from({ length: 5 }, async (_, i) => {
            await jitter();
            const via = i % 2 === 0 ? ledger : other;
            await via.use({ subjectId, actor: marketer, purpose: 'marketing.email', categories: ['contact.email'], activity: `race-${i}` });
          }),
        ];
        await Promise.all(racers);
        const stream = await decodedStream(store, subjectStream(subjectId));
        const withdrawnAt = stream.findIndex((e) => e.type === 'ConsentWithdrawn');
        expect(withdrawnAt).toBeGreaterThan(0);
        const lateUses = stream.slice(withdrawnAt).filter((e) => e.type === 'DataUsed' && e.data.basis.consentEventId === consent.id);
        expect(lateUses).toEqual([]);
        usedAfter += stream.slice(withdrawnAt).filter((e) => e.type === 'UseDenied').length;
        expect(stream.filter((e) => e.type === 'DataUsed' || e.type === 'UseDenied')).toHaveLength(5);
      }
      expect(usedAfter).toBeGreaterThan(0);
    });

    const hammer = (via: Ledger, i: number) => via.use({ subjectId, actor: marketer, purpose: 'marketing.email', categories: ['contact.email'], activity: `hammer-${i}` });
    const withdraw = (via: Ledger) => via.withdrawConsent({ subjectId, actor: { id: subjectId, kind: 'subject', roles: [] }, purpose: 'marketing.email' });

    /**
     * The withdrawal was recorded, every use got an answer, no use of the consent follows the
     * withdrawal in the stream; returns how many uses were refused after it.
     */
    async function checkWithdrawnUnderLoad(withdrawal: Promise<CustodianEvent>, uses: Promise<unknown>[], consent: CustodianEvent): Promise<number> {
      const [withdrawn, ...decided] = await Promise.allSettled([withdrawal, ...uses]);
      expect(withdrawn).toMatchObject({ status: 'fulfilled', value: { type: 'ConsentWithdrawn', data: { purpose: 'marketing.email' } } });
      expect(decided.filter((o) => o.status === 'rejected')).toEqual([]);
      const stream = await decodedStream(store, subjectStream(subjectId));
      const withdrawnAt = stream.findIndex((e) => e.type === 'ConsentWithdrawn');
      expect(withdrawnAt).toBeGreaterThan(0);
      expect(stream.slice(withdrawnAt).filter((e) => e.type === 'DataUsed' && e.data.purpose === 'marketing.email')).toEqual([]);
      expect(stream.slice(0, withdrawnAt).filter((e) => e.type === 'DataUsed' && e.data.basis.consentEventId === consent.id).length).toBeGreaterThan(0);
      expect(stream.filter((e) => e.type === 'DataUsed' || e.type === 'UseDenied')).toHaveLength(HAMMERING_USES);
      return stream.slice(withdrawnAt).filter((e) => e.type === 'UseDenied').length;
    }

    it(`records a withdrawal racing ${HAMMERING_USES} concurrent uses on the same ledger, every time, and no use follows it`, async () => {
      const rounds = options.fairnessRounds ?? 5;
      let deniedAfter = 0;
      for (let round = 0; round < rounds; round++) {
        subjectId = `fair-${round}-${randomUUID()}`;
        const { consent } = await collectAndConsent();
        // All at once, the withdrawal called somewhere among the first uses.
        const at = 1 + Math.floor(Math.random() * HAMMERING_USES * 0.6);
        const uses = Array.from({ length: at }, (_, i) => hammer(ledger, i));
        const withdrawal = withdraw(ledger);
        for (let i = at; i < HAMMERING_USES; i++) uses.push(hammer(ledger, i));
        deniedAfter += await checkWithdrawnUnderLoad(withdrawal, uses, consent);
      }
      // Called in the thick of the uses, it landed there, not after them.
      expect(deniedAfter).toBeGreaterThan(0);
    });

    it(`records a withdrawal made through another ledger while ${HAMMERING_USES} uses hammer the subject, every time, and no use follows it`, async () => {
      // The other ledger stands for another process: its own queue and cache, the same store.
      let lostRaces = 0;
      const counted: EventStore = {
        append: (stream, toAppend, expected) =>
          store.append(stream, toAppend, expected).catch((error: unknown) => {
            if (error instanceof WrongExpectedRevisionError) lostRaces++;
            throw error;
          }),
        readStream: (stream, readOptions) => store.readStream(stream, readOptions),
        readAll: (readOptions) => store.readAll(readOptions),
        close: async () => undefined,
      };
      const other = createLedger({ store: counted, keys: new InMemoryKeyStore(), policy: conformancePolicy });
      const rounds = options.fairnessRounds ?? 5;
      for (let round = 0; round < rounds; round++) {
        subjectId = `fair-other-${round}-${randomUUID()}`;
        const { consent } = await collectAndConsent();
        // Bursts of 40 concurrent uses a millisecond apart, the withdrawal called amid one of the first three.
        const at = 1 + Math.floor(Math.random() * 119);
        const uses: Promise<unknown>[] = [];
        let withdrawal: Promise<CustodianEvent> | undefined;
        for (let i = 0; i < HAMMERING_USES; i++) {
          if (i === at) withdrawal = withdraw(other);
          uses.push(hammer(ledger, i));
          if (i % 40 === 39) await new Promise((resolve) => setTimeout(resolve, 1));
        }
        await checkWithdrawnUnderLoad(withdrawal as Promise<CustodianEvent>, uses, consent);
      }
      // The withdrawal did race the uses: some of its appends lost, and it still got through.
      // (Across ledgers it is not promised a place among the uses, only that it lands: on a
      // remote store each of its attempts needs a read and an append while the uses need one
      // append each, so it may land only as they thin out.)
      expect(lostRaces).toBeGreaterThan(0);
    });
  });
}

async function collectRecords(store: EventStore, stream: string, eventId: string): Promise<bigint[]> {
  const out: bigint[] = [];
  for await (const record of store.readStream(stream)) if (record.id === eventId) out.push(record.position);
  return out;
}
