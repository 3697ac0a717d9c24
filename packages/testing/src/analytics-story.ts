import { createLedger, definePolicy, InMemoryKeyStore, type Actor, type EventStore, type Ledger } from '@custodian/core';

// A retailer's first five months of 2026, told through the real ledger: nine customers,
// two recipients, consents given, withdrawn, renewed and lapsed, campaigns that are
// allowed or refused, shares, two erasures (one recipient confirms, one does not) and
// three access requests answered after 7, 30 and 37 days; a correction and a restriction
// after shares, whose notices one recipient confirms and the other still owes; an address
// erased on its own, and a request to erase whose deadline is extended. The tests' expected rows, and
// the results quoted in docs/analytics.md, are worked out from this story by hand.

export const policy = definePolicy({
  purposes: {
    'order.fulfilment': { legalBasis: 'contract', categories: ['contact.email', 'contact.address'], roles: ['fulfilment'], sharing: true, retention: 'P6Y' },
    'marketing.email': { legalBasis: 'consent', categories: ['contact.email'], roles: ['marketing'], sharing: true, retention: 'P2Y' },
    'analytics.behaviour': { legalBasis: 'consent', categories: ['behavioural.browsing'], roles: ['analytics'], retention: 'P1Y' },
  },
  permissions: {
    // The checkout and signup forms collect for marketing and analytics too.
    collect: ['fulfilment'],
    registerRecipient: ['privacy'],
    verifyRecipient: ['privacy'],
    suspendRecipient: ['privacy'],
    erase: ['privacy'],
    confirmRecipientErasure: ['privacy'],
  },
});

export const checkout: Actor = { id: 'checkout-service', kind: 'service', roles: ['fulfilment'] };
export const campaigns: Actor = { id: 'campaign-service', kind: 'service', roles: ['marketing'] };
export const insights: Actor = { id: 'insights-service', kind: 'service', roles: ['analytics'] };
export const support: Actor = { id: 'support-agent-17', kind: 'employee', roles: ['fulfilment'] };
export const dpo: Actor = { id: 'dpo-office', kind: 'employee', roles: ['privacy'] };
/** The carrier itself, confirming a notice owed to it. */
const parcelGo: Actor = { id: 'parcelgo', kind: 'recipient', roles: [] };
export const customer = (subjectId: string): Actor => ({ id: subjectId, kind: 'subject', roles: [] });

/** The questions docs/analytics.md answers, each a `-- query: <name>` block, in the page's order: both databases' doc tests run them on this story. */
export const QUESTIONS: readonly string[] = [
  'consent-rate-per-purpose-per-month',
  'uses-per-purpose',
  'shares-per-recipient',
  'erasures-awaiting-recipient-confirmation',
  'days-to-answer-requests',
  'overdue-requests',
  'categories-erased-per-month',
];

export const SUBJECTS = ['s-anna', 's-ben', 's-gus', 's-carla', 's-hana', 's-dev', 's-emil', 's-fay', 's-ivo'] as const;
export const BRIGHTMAIL = 'brightmail-agency';
export const PARCELGO = 'parcelgo';

const notice = { id: 'privacy-notice', version: 'v3' };
const DAY = 24 * 60 * 60 * 1000;
const SHOP = ['order.fulfilment', 'marketing.email'];
const SHOP_DATA = { 'contact.email': 'someone@example.com', 'contact.address': '1 Main Street' };

/** A clock the story sets by hand; the store below moves it on while an access request is being answered. */
export interface StoryClock {
  now(): Date;
  set(iso: string): void;
}

export function storyClock(): StoryClock {
  let current = new Date('2026-01-01T09:00:00.000Z');
  return {
    now: () => current,
    set(iso) {
      current = new Date(iso);
    },
  };
}

/**
 * `requestAccess` records the request and its answer in one call; passing the store
 * through this wrapper makes the answer land `days` later, as an export that took that
 * long to prepare would.
 */
function answeringAfter(store: EventStore, clock: StoryClock, delay: { days: number }): EventStore {
  return {
    readStream: (stream, options) => store.readStream(stream, options),
    readAll: (options) => store.readAll(options),
    close: () => store.close(),
    async append(stream, toAppend, expected) {
      const result = await store.append(stream, toAppend, expected);
      if (toAppend.some((event) => event.type === 'AccessRequestReceived')) clock.set(new Date(clock.now().getTime() + delay.days * DAY).toISOString());
      return result;
    },
  };
}

export interface Story {
  ledger: Ledger;
  clock: StoryClock;
}

/** Writes the whole story into `store`; returns the ledger (and its clock) for more. */
export async function writeStory(store: EventStore): Promise<Story> {
  const clock = storyClock();
  const delay = { days: 0 };
  const ledger = createLedger({ store: answeringAfter(store, clock, delay), keys: new InMemoryKeyStore(), policy, clock: clock.now });
  const at = (iso: string) => clock.set(`2026-${iso}:00.000Z`);
  const collect = (subjectId: string, purposes: string[], data: Record<string, string>, source = 'checkout-form') =>
    ledger.collect({ subjectId, actor: checkout, source, purposes, notice, data });
  const grant = (subjectId: string, purpose: string, method: 'checkbox' | 'web-form' | 'email', expiresAt?: string) =>
    ledger.grantConsent({ subjectId, actor: customer(subjectId), purpose, notice, method, ...(expiresAt && { expiresAt }) });
  const withdraw = (subjectId: string, purpose: string) => ledger.withdrawConsent({ subjectId, actor: customer(subjectId), purpose, method: 'email' });
  const campaign = async (activity: string, subjects: string[]) => {
    for (const subjectId of subjects) await ledger.use({ subjectId, actor: campaigns, purpose: 'marketing.email', categories: ['contact.email'], activity });
  };
  const requestAccess = async (subjectId: string, right: 'access' | 'portability', answeredAfterDays: number) => {
    delay.days = answeredAfterDays;
    await ledger.requestAccess({ subjectId, actor: customer(subjectId), right });
    delay.days = 0;
  };

  at('01-02T09:00');
  await ledger.registerRecipient({ recipientId: BRIGHTMAIL, actor: dpo, name: 'Brightmail Agency GmbH', agreement: 'dpa-2026-014', country: 'DE' });
  await ledger.registerRecipient({ recipientId: PARCELGO, actor: dpo, name: 'ParcelGo Logistics BV', agreement: 'dpa-2026-021', country: 'NL' });
  at('01-03T09:00');
  await ledger.verifyRecipient({ recipientId: BRIGHTMAIL, actor: dpo, evidence: 'signed DPA reviewed by legal' });
  at('01-04T09:00');
  await ledger.verifyRecipient({ recipientId: PARCELGO, actor: dpo });

  // January
  at('01-05T10:00');
  await collect('s-anna', SHOP, SHOP_DATA);
  at('01-05T10:01');
  await grant('s-anna', 'marketing.email', 'checkbox');
  at('01-06T08:00');
  await ledger.share({ subjectId: 's-anna', actor: checkout, recipientId: PARCELGO, purpose: 'order.fulfilment', categories: ['contact.email', 'contact.address'] });
  await ledger.use({ subjectId: 's-anna', actor: checkout, purpose: 'order.fulfilment', categories: ['contact.address'], activity: 'order:1001-dispatch' });
  at('01-12T10:00');
  await collect('s-ben', SHOP, SHOP_DATA);
  at('01-13T08:00');
  await ledger.use({ subjectId: 's-ben', actor: checkout, purpose: 'order.fulfilment', categories: ['contact.email', 'contact.address'], activity: 'order:1002-dispatch' });
  at('01-14T15:30');
  await ledger.access({ subjectId: 's-ben', actor: support, purpose: 'order.fulfilment', categories: ['contact.address'] });
  at('01-18T10:00');
  await collect('s-gus', SHOP, SHOP_DATA);
  at('01-20T07:00');
  await campaign('campaign:january-sale', ['s-anna', 's-ben', 's-gus']);
  at('01-21T09:00');
  await ledger.share({ subjectId: 's-anna', actor: campaigns, recipientId: BRIGHTMAIL, purpose: 'marketing.email', categories: ['contact.email'] });
  at('01-25T19:00');
  await grant('s-gus', 'marketing.email', 'web-form');

  // February
  at('02-02T11:00');
  await requestAccess('s-ben', 'access', 7);
  at('02-03T10:00');
  await collect('s-carla', [...SHOP, 'analytics.behaviour'], { ...SHOP_DATA, 'behavioural.browsing': 'viewed: boots, scarves' }, 'signup-form');
  at('02-03T10:01');
  await grant('s-carla', 'marketing.email', 'web-form');
  await grant('s-carla', 'analytics.behaviour', 'web-form');
  at('02-04T08:00');
  await ledger.share({ subjectId: 's-carla', actor: checkout, recipientId: PARCELGO, purpose: 'order.fulfilment', categories: ['contact.address'] });
  at('02-10T07:00');
  await campaign('campaign:valentines', ['s-anna', 's-ben', 's-carla', 's-gus']);
  at('02-14T10:00');
  await collect('s-hana', SHOP, SHOP_DATA);
  at('02-14T10:01');
  await grant('s-hana', 'marketing.email', 'checkbox');
  at('02-15T06:00');
  await ledger.use({ subjectId: 's-carla', actor: insights, purpose: 'analytics.behaviour', categories: ['behavioural.browsing'], activity: 'report:weekly-funnel' });
  await ledger.share({ subjectId: 's-carla', actor: insights, recipientId: BRIGHTMAIL, purpose: 'analytics.behaviour', categories: ['behavioural.browsing'] });
  at('02-20T10:00');
  await collect('s-dev', SHOP, SHOP_DATA);
  at('02-21T12:00');
  await grant('s-dev', 'marketing.email', 'email', '2026-03-31T00:00:00.000Z');

  // March
  at('03-01T09:00');
  await ledger.requestErasure({ subjectId: 's-anna', actor: customer('s-anna') });
  at('03-03T09:00');
  await ledger.erase({ subjectId: 's-anna', actor: dpo });
  at('03-05T18:00');
  await withdraw('s-carla', 'marketing.email');
  at('03-08T10:00');
  await collect('s-emil', ['marketing.email', 'analytics.behaviour'], { 'contact.email': 'emil@example.com', 'behavioural.browsing': 'viewed: tents' }, 'signup-form');
  at('03-08T10:01');
  await grant('s-emil', 'marketing.email', 'web-form');
  await grant('s-emil', 'analytics.behaviour', 'web-form');
  at('03-09T09:00');
  await ledger.share({ subjectId: 's-emil', actor: campaigns, recipientId: BRIGHTMAIL, purpose: 'marketing.email', categories: ['contact.email'] });
  at('03-10T14:00');
  await ledger.confirmRecipientErasure({ subjectId: 's-anna', actor: dpo, recipientId: BRIGHTMAIL });
  at('03-12T07:00');
  await campaign('campaign:spring-preview', ['s-anna', 's-carla', 's-dev', 's-emil', 's-gus', 's-hana']);
  at('03-15T10:00');
  await collect('s-fay', SHOP, SHOP_DATA);
  at('03-15T10:01');
  await grant('s-fay', 'marketing.email', 'checkbox');
  at('03-16T10:00');
  await collect('s-ivo', ['marketing.email', 'analytics.behaviour'], { 'contact.email': 'ivo@example.com', 'behavioural.browsing': 'viewed: bikes' }, 'signup-form');
  at('03-16T10:01');
  await grant('s-ivo', 'analytics.behaviour', 'web-form');
  at('03-20T08:00');
  await withdraw('s-fay', 'marketing.email');
  at('03-20T16:00');
  await requestAccess('s-emil', 'portability', 30);

  // April
  at('04-02T20:00');
  await grant('s-fay', 'marketing.email', 'web-form');
  at('04-03T09:00');
  await ledger.share({ subjectId: 's-fay', actor: campaigns, recipientId: BRIGHTMAIL, purpose: 'marketing.email', categories: ['contact.email'] });
  at('04-06T07:00');
  await campaign('campaign:spring-sale', ['s-dev', 's-fay', 's-gus', 's-hana', 's-ivo']);
  at('04-07T06:00');
  await ledger.use({ subjectId: 's-ivo', actor: insights, purpose: 'analytics.behaviour', categories: ['behavioural.browsing'], activity: 'report:weekly-funnel' });
  at('04-22T09:00');
  await ledger.requestErasure({ subjectId: 's-emil', actor: customer('s-emil') });
  at('04-25T09:00');
  await ledger.erase({ subjectId: 's-emil', actor: dpo });
  at('04-26T10:00');
  await ledger.rectify({ subjectId: 's-carla', actor: dpo, data: { 'contact.address': '2 High Street' } });
  at('04-27T10:00');
  await ledger.restrict({ subjectId: 's-fay', actor: customer('s-fay') });
  at('04-27T15:00');
  const [carlasNotice] = (await ledger.inventory('s-carla')).recipientNotices;
  await ledger.confirmRecipientNotice({ subjectId: 's-carla', actor: parcelGo, recipientId: PARCELGO, changeEventId: carlasNotice?.changeEventId ?? '' });
  at('04-28T13:00');
  await requestAccess('s-dev', 'access', 37);

  // May: hana has her address erased and keeps her account; gus asks to be erased, and the
  // deadline of his request is extended, and it is still open.
  at('05-04T10:00');
  await ledger.erase({ subjectId: 's-hana', actor: dpo, categories: ['contact.address'] });
  at('05-06T10:00');
  const gusAsks = await ledger.requestErasure({ subjectId: 's-gus', actor: customer('s-gus') });
  at('05-20T10:00');
  await ledger.extendRequestDeadline({ subjectId: 's-gus', actor: dpo, requestEventId: gusAsks.id, reason: 'complexity' });

  return { ledger, clock };
}
