import { describe, expect, it } from '@jest/globals';
import { createLedger, definePolicy, InMemoryEventStore, InMemoryKeyStore, ValidationError, type Actor, type Ledger, type TrailEntry } from '..';

const policy = definePolicy({
  purposes: {
    'marketing.email': { legalBasis: 'consent', categories: ['contact.email'], roles: ['marketing'], sharing: true, retention: 'P2Y', description: 'offers by email' },
    'order.fulfilment': { legalBasis: 'contract', categories: ['contact.email'], roles: ['fulfilment'], sharing: true, retention: 'P6Y' },
  },
});
const checkout: Actor = { id: 'checkout-service', kind: 'service', roles: ['fulfilment'] };
const campaigns: Actor = { id: 'campaign-service', kind: 'service', roles: ['marketing'] };
const dpo: Actor = { id: 'dpo-1', kind: 'employee', roles: ['privacy'] };
const self = (subjectId: string): Actor => ({ id: subjectId, kind: 'subject', roles: [] });
const notice = { id: 'privacy-notice', version: 'v3' };
const START = Date.parse('2026-03-01T10:00:00.000Z');
const minute = (n: number) => new Date(START + n * 60_000);

/** Two customers served by the same services; an agency receives both, a carrier one. */
async function story(): Promise<{ ledger: Ledger; store: InMemoryEventStore }> {
  const store = new InMemoryEventStore();
  let now = minute(0);
  const ledger = createLedger({ store, keys: new InMemoryKeyStore(), policy, clock: () => now });
  const at = (n: number) => {
    now = minute(n);
  };
  for (const recipientId of ['agency', 'carrier']) {
    await ledger.registerRecipient({ recipientId, actor: dpo, name: `${recipientId} GmbH`, agreement: `dpa-${recipientId}`, country: 'DE' });
    await ledger.verifyRecipient({ recipientId, actor: dpo });
  }
  for (const [i, subjectId] of ['s-ann', 's-bob'].entries()) {
    at(1 + i * 10);
    await ledger.collect({
      subjectId,
      actor: checkout,
      source: 'checkout',
      purposes: ['marketing.email', 'order.fulfilment'],
      notice,
      data: { 'contact.email': `${subjectId}@example.com` },
    });
    await ledger.grantConsent({ subjectId, actor: self(subjectId), purpose: 'marketing.email', notice, method: 'checkbox' });
    at(2 + i * 10);
    await ledger.use({ subjectId, actor: campaigns, purpose: 'marketing.email', categories: ['contact.email'], activity: 'campaign:spring' });
    at(3 + i * 10);
    await ledger.share({ subjectId, actor: campaigns, recipientId: 'agency', purpose: 'marketing.email', categories: ['contact.email'] });
  }
  at(21);
  await ledger.share({ subjectId: 's-ann', actor: checkout, recipientId: 'carrier', purpose: 'order.fulfilment', categories: ['contact.email'] });
  await ledger.suspendRecipient({ recipientId: 'agency', actor: dpo, reason: 'failed its audit' });
  at(22);
  await ledger.share({ subjectId: 's-bob', actor: campaigns, recipientId: 'agency', purpose: 'marketing.email', categories: ['contact.email'] });
  at(23);
  await ledger.revokeShare({ subjectId: 's-bob', actor: dpo, recipientId: 'agency' });
  at(24);
  await ledger.erase({ subjectId: 's-ann', actor: dpo });
  at(25);
  await ledger.confirmRecipientErasure({ subjectId: 's-ann', actor: dpo, recipientId: 'agency' });
  return { ledger, store };
}

const brief = (entries: readonly TrailEntry[]) => entries.map((e) => [e.at.slice(11, 16), e.eventType, e.subjectId ?? '-']);

describe("an actor's history, across subjects", () => {
  it('lists everything the actor did, in log order, and nothing of anyone else', async () => {
    const { ledger } = await story();
    const trail = await ledger.actorHistory('campaign-service');
    expect(brief(trail)).toEqual([
      ['10:02', 'DataUsed', 's-ann'],
      ['10:03', 'DataShared', 's-ann'],
      ['10:12', 'DataUsed', 's-bob'],
      ['10:13', 'DataShared', 's-bob'],
      ['10:22', 'UseDenied', 's-bob'],
    ]);
    expect(trail.every((entry) => entry.actor.id === 'campaign-service')).toBe(true);
    expect(trail[0]).toMatchObject({
      what: 'Used contact.email for offers by email (marketing.email).',
      purposes: ['marketing.email'],
      categories: ['contact.email'],
      activity: 'campaign:spring',
      basis: { legalBasis: 'consent', consentEventId: expect.any(String) },
    });
    expect(trail[1]).toMatchObject({ what: 'Shared contact.email with agency GmbH (DE) for offers by email (marketing.email).', recipientIds: ['agency'] });
    expect(trail[4]).toMatchObject({ reason: 'recipient_suspended', why: 'Refused because the recipient was suspended.' });
    const positions = trail.map((entry) => entry.position);
    expect([...positions].sort((a, b) => (a < b ? -1 : 1))).toEqual(positions);
  });

  it('lists what an administrator did on recipient streams too, in words', async () => {
    const { ledger } = await story();
    const trail = await ledger.actorHistory('dpo-1');
    expect(brief(trail)).toEqual([
      ['10:00', 'RecipientRegistered', '-'],
      ['10:00', 'RecipientVerified', '-'],
      ['10:00', 'RecipientRegistered', '-'],
      ['10:00', 'RecipientVerified', '-'],
      ['10:21', 'RecipientSuspended', '-'],
      ['10:23', 'ShareRevoked', 's-bob'],
      ['10:24', 'DataErased', 's-ann'],
      ['10:25', 'RecipientErasureConfirmed', 's-ann'],
    ]);
    expect(trail[0]).toMatchObject({ what: 'Registered recipient agency: agency GmbH (DE).', recipientIds: ['agency'] });
    expect(trail[4]).toMatchObject({ what: 'Suspended recipient agency.', why: 'Because: failed its audit. No share with it is allowed until it is verified again.' });
  });

  it('keeps to the range: from included, to left out', async () => {
    const { ledger } = await story();
    expect(brief(await ledger.actorHistory('campaign-service', { from: minute(3), to: minute(13) }))).toEqual([
      ['10:03', 'DataShared', 's-ann'],
      ['10:12', 'DataUsed', 's-bob'],
    ]);
    expect(brief(await ledger.actorHistory('campaign-service', { from: '2026-03-01T10:13:00Z' }))).toEqual([
      ['10:13', 'DataShared', 's-bob'],
      ['10:22', 'UseDenied', 's-bob'],
    ]);
    expect(await ledger.actorHistory('campaign-service', { to: minute(2) })).toEqual([]);
    expect(await ledger.actorHistory('someone-else')).toEqual([]);
  });
});

describe("a recipient's history, across subjects", () => {
  it('lists what it received and was told, and not a share refused', async () => {
    const { ledger } = await story();
    const trail = await ledger.recipientHistory('agency');
    expect(brief(trail)).toEqual([
      ['10:00', 'RecipientRegistered', '-'],
      ['10:00', 'RecipientVerified', '-'],
      ['10:03', 'DataShared', 's-ann'],
      ['10:13', 'DataShared', 's-bob'],
      ['10:21', 'RecipientSuspended', '-'],
      ['10:23', 'ShareRevoked', 's-bob'],
      ['10:24', 'DataErased', 's-ann'],
      ['10:25', 'RecipientErasureConfirmed', 's-ann'],
    ]);
    expect(trail.find((entry) => entry.eventType === 'DataErased')).toMatchObject({ recipientIds: ['agency', 'carrier'] });
    expect(brief(await ledger.recipientHistory('carrier', { from: minute(1) }))).toEqual([
      ['10:21', 'DataShared', 's-ann'],
      ['10:24', 'DataErased', 's-ann'],
    ]);
  });
});

describe('malformed questions', () => {
  it.each([
    ['a from after to', { from: minute(5), to: minute(4) }, 'to'],
    ['a from equal to to', { from: minute(5), to: minute(5) }, 'to'],
    ['a from that is no date', { from: 'yesterday' }, 'from'],
    ['a to that does not exist', { to: '2026-02-30T00:00:00Z' }, 'to'],
    ['a Date that is invalid', { from: new Date('nope') }, 'from'],
    ['an option it does not have', { actor: 'x' }, 'actor'],
  ])('refuses %s with a ValidationError naming the field', async (_case, options, field) => {
    const { ledger } = await story();
    for (const ask of [() => ledger.actorHistory('dpo-1', options as never), () => ledger.recipientHistory('agency', options as never)]) {
      const error = await ask().then(
        () => undefined,
        (caught: unknown) => caught,
      );
      expect(error).toBeInstanceOf(ValidationError);
      expect((error as ValidationError).issues.map((issue) => issue.path)).toContain(field);
    }
  });

  it('refuses an empty actor id and a recipient id that is not one', async () => {
    const { ledger } = await story();
    await expect(ledger.actorHistory('')).rejects.toMatchObject({ code: 'VALIDATION_FAILED', issues: [expect.objectContaining({ path: 'actorId' })] });
    await expect(ledger.recipientHistory('not an id!')).rejects.toMatchObject({ code: 'VALIDATION_FAILED', issues: [expect.objectContaining({ path: 'recipientId' })] });
  });
});
