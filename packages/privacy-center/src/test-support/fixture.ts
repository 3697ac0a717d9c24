import {
  createCheckpointer,
  createInMemoryPublisher,
  createLedger,
  createPemSigner,
  definePolicy,
  generateSignerKey,
  InMemoryEventStore,
  InMemoryKeyStore,
  type Actor,
  type Checkpointer,
  type Ledger,
} from '@custodian/core';
import { createPrivacyCenter, type PrivacyCenter, type PrivacyCenterOptions } from '../center';

export const SUBJECT = 'cust-4f9a2c';
export const OTHER = 'cust-77b1e0';
export const SECRET = 'a test secret of at least thirty-two bytes';
export const ORIGIN = 'shop.example/ledger';
export const BASE = 'http://shop.example';

/** Every free text that reaches her page, as the story writes it; `<script>` payloads in the XSS test. */
export interface Texts {
  description: string;
  recipientName: string;
  agreement: string;
  noticeId: string;
  noticeVersion: string;
  actorId: string;
  activity: string;
  source: string;
}

export const PLAIN: Texts = {
  description: 'Offers by email',
  recipientName: 'Brightmail Agency GmbH',
  agreement: 'dpa-2026-014',
  noticeId: 'privacy-notice',
  noticeVersion: 'v3',
  actorId: 'campaign-service',
  activity: 'campaign:spring-sale',
  source: 'checkout-form',
};

export interface Fixture {
  store: InMemoryEventStore;
  ledger: Ledger;
  center: PrivacyCenter;
  checkpointer: Checkpointer;
  publicKey: string;
  /** The ledger's clock and the center's: moved on by `advance`. */
  clock: { now: Date; advance(ms: number): void };
  /** How many events the store holds. */
  count(): Promise<number>;
}

/** The quickstart's customer: collected, consented, used, shared; and another customer beside her. */
export async function fixture(options: { texts?: Partial<Texts>; center?: Partial<PrivacyCenterOptions> } = {}): Promise<Fixture> {
  const texts = { ...PLAIN, ...options.texts };
  const store = new InMemoryEventStore();
  const clock = {
    now: new Date(Date.UTC(2026, 2, 1, 10)),
    advance(ms: number) {
      clock.now = new Date(clock.now.getTime() + ms);
    },
  };
  const tick = () => {
    clock.advance(1_000);
    return clock.now;
  };
  const policy = definePolicy({
    purposes: {
      'marketing.email': { legalBasis: 'consent', categories: ['contact.email'], roles: ['marketing'], sharing: true, retention: 'P2Y', description: texts.description },
      'order.fulfilment': { legalBasis: 'contract', categories: ['contact.email', 'contact.address'], roles: ['fulfilment'], retention: 'P6Y' },
      'fraud.prevention': { legalBasis: 'legitimate_interests', categories: ['contact.email'], roles: ['fraud'], retention: 'P1Y' },
    },
  });
  const ledger = createLedger({ store, keys: new InMemoryKeyStore(), policy, clock: tick });
  await tellStory(ledger, texts, SUBJECT);
  await ledger.collect({
    subjectId: OTHER,
    actor: { id: 'checkout-service', kind: 'service', roles: ['fulfilment'] },
    source: 'checkout-form',
    purposes: ['order.fulfilment'],
    notice: { id: 'privacy-notice', version: 'v3' },
    data: { 'contact.email': 'bea@example.com' },
  });
  const key = generateSignerKey(ORIGIN);
  const checkpointer = createCheckpointer({ store, signer: createPemSigner(key.pem, ORIGIN), origin: ORIGIN, publisher: createInMemoryPublisher() });
  const center = createPrivacyCenter({
    ledger,
    secret: SECRET,
    notice: { id: texts.noticeId, version: texts.noticeVersion },
    title: 'Shop',
    now: () => clock.now,
    checkpointer,
    ...options.center,
  });
  const count = async () => {
    let n = 0;
    for await (const _ of store.readAll()) n += 1;
    return n;
  };
  return { store, ledger, center, checkpointer, publicKey: key.verifierKey, clock, count };
}

async function tellStory(ledger: Ledger, texts: Texts, subjectId: string): Promise<void> {
  const customer: Actor = { id: subjectId, kind: 'subject', roles: [] };
  const campaigns: Actor = { id: texts.actorId, kind: 'service', roles: ['marketing'] };
  const dpo: Actor = { id: 'dpo@retailer', kind: 'employee', roles: ['privacy'] };
  const notice = { id: texts.noticeId, version: texts.noticeVersion };
  await ledger.collect({
    subjectId,
    actor: { id: 'checkout-service', kind: 'service', roles: ['fulfilment'] },
    source: texts.source,
    purposes: ['order.fulfilment', 'marketing.email', 'fraud.prevention'],
    notice,
    data: { 'contact.email': 'ann@example.com' },
  });
  await ledger.grantConsent({ subjectId, actor: customer, purpose: 'marketing.email', notice, method: 'checkbox' });
  await ledger.use({ subjectId, actor: campaigns, purpose: 'marketing.email', categories: ['contact.email'], activity: texts.activity });
  await ledger.registerRecipient({ recipientId: 'brightmail-agency', actor: dpo, name: texts.recipientName, agreement: texts.agreement, country: 'DE' });
  await ledger.verifyRecipient({ recipientId: 'brightmail-agency', actor: dpo, evidence: 'signed DPA reviewed by legal' });
  await ledger.share({ subjectId, actor: campaigns, recipientId: 'brightmail-agency', purpose: 'marketing.email', categories: ['contact.email'] });
}

/** A request to the center, with her session cookie when given. */
export function request(path: string, init: { method?: string; cookie?: string; accept?: string; body?: string; type?: string; headers?: Record<string, string> } = {}): Request {
  const headers: Record<string, string> = { ...init.headers };
  if (init.cookie) headers.cookie = init.cookie;
  if (init.accept) headers.accept = init.accept;
  if (init.type) headers['content-type'] = init.type;
  return new Request(`${BASE}${path}`, { method: init.method ?? 'GET', headers, ...(init.body !== undefined && { body: init.body }) });
}

/** Opens a link for her and returns the session cookie it set. */
export async function signIn(f: Fixture, subjectId = SUBJECT): Promise<string> {
  const link = f.center.issueLink({ subjectId, expiresAt: new Date(f.clock.now.getTime() + 60_000) });
  const opened = await f.center.handle(request(link));
  const cookie = opened.headers.getSetCookie()[0] ?? '';
  return cookie.split(';')[0] ?? '';
}

/** Her page as JSON, with the form token it carries. */
export async function pageJson(f: Fixture, cookie: string): Promise<{ csrfToken: string } & Record<string, unknown>> {
  const response = await f.center.handle(request('/', { cookie, accept: 'application/json' }));
  return (await response.json()) as { csrfToken: string } & Record<string, unknown>;
}

/** Posts a form as a browser does. */
export function post(f: Fixture, path: string, cookie: string, fields: Record<string, string>, accept = 'text/html'): Promise<Response> {
  return f.center.handle(request(path, { method: 'POST', cookie, accept, type: 'application/x-www-form-urlencoded', body: new URLSearchParams(fields).toString() }));
}
