import { describe, expect, it } from '@jest/globals';
import { plantEvent } from '@custodian/testing';
import { z } from 'zod';
import { GENESIS_HASH, InMemoryKeyStore } from '../crypto';
import { CommandRefusedError } from '../decider';
import { ValidationError } from '../errors';
import { catalog, ConsentMethod, createEventCodec, subjectStream, type Actor, type CustodianEvent, type NewEvent } from '../events';
import { definePolicy } from '../policy';
import { InMemoryEventStore } from '../store';
import { readSubject } from '../subject';
import type { ApplyPrivacySignalInput } from './commands';
import { createLedger } from './create-ledger';

// Global Privacy Control and the objection to direct marketing, through the public ledger.

const policy = definePolicy({
  purposes: {
    'ads.retargeting': { legalBasis: 'consent', categories: ['behavioural.browsing'], roles: ['ads'], sharing: true, retention: 'P1Y', optOutSignals: ['gpc'] },
    'partners.sale': { legalBasis: 'legitimate_interests', categories: ['contact.email'], roles: ['ads'], sharing: true, retention: 'P1Y', optOutSignals: ['gpc'] },
    'marketing.email': { legalBasis: 'consent', categories: ['contact.email'], roles: ['marketing'], retention: 'P2Y', directMarketing: true },
    'order.fulfilment': { legalBasis: 'contract', categories: ['contact.email'], roles: ['fulfilment'], retention: 'P6Y' },
  },
  permissions: { applyPrivacySignal: ['web'], grantConsent: ['support'] },
});

const subjectId = 'cust-4f9a2c';
const customer: Actor = { id: subjectId, kind: 'subject', roles: [] };
const web: Actor = { id: 'shop-web', kind: 'service', roles: ['web'] };
const support: Actor = { id: 'agent-7', kind: 'employee', roles: ['support'] };
const checkout: Actor = { id: 'checkout', kind: 'service', roles: ['fulfilment'] };
const ads: Actor = { id: 'ad-server', kind: 'service', roles: ['ads'] };
const campaigns: Actor = { id: 'campaigns', kind: 'service', roles: ['marketing'] };
const notice = { id: 'privacy-notice', version: 'v3' };
const source = { kind: 'http-header', origin: 'https://shop.example' } as const;
const START = Date.UTC(2026, 5, 1, 9, 0);

function setUp() {
  const store = new InMemoryEventStore();
  let minute = 0;
  const clock = () => new Date(START + 60_000 * minute++);
  const ledger = createLedger({ store, keys: new InMemoryKeyStore(), policy, clock });
  return { store, ledger };
}

async function collected() {
  const world = setUp();
  await world.ledger.collect({
    subjectId,
    actor: checkout,
    source: 'checkout-form',
    purposes: ['order.fulfilment', 'partners.sale', 'marketing.email', 'ads.retargeting'],
    notice,
    data: { 'contact.email': 'ann@example.com', 'behavioural.browsing': 'viewed: running shoes' },
  });
  return world;
}

async function recordIds(store: InMemoryEventStore): Promise<string[]> {
  const ids: string[] = [];
  for await (const record of store.readAll()) ids.push(record.id);
  return ids;
}

const retarget = { subjectId, actor: ads, purpose: 'ads.retargeting', categories: ['behavioural.browsing'], activity: 'retarget:shoes' };
const sell = { subjectId, actor: ads, purpose: 'partners.sale', categories: ['contact.email'], activity: 'list:partners' };
const mail = { subjectId, actor: campaigns, purpose: 'marketing.email', categories: ['contact.email'], activity: 'campaign:summer' };

describe('ledger.applyPrivacySignal', () => {
  it('opts the subject out of the marked purposes, as its own event, and every read side shows it', async () => {
    const { store, ledger } = await collected();
    await ledger.grantConsent({ subjectId, actor: customer, purpose: 'ads.retargeting', notice, method: 'checkbox' });
    expect(await ledger.use(retarget)).toMatchObject({ allowed: true });

    const signal = await ledger.applyPrivacySignal({ subjectId, actor: web, signal: 'gpc', source, receivedAt: new Date(START) });
    expect(signal).toMatchObject({
      type: 'PrivacySignalApplied',
      actor: web,
      data: { signal: 'gpc', source, purposes: ['ads.retargeting', 'partners.sale'], receivedAt: new Date(START).toISOString() },
    });

    for (const attempt of [retarget, sell]) {
      const refused = await ledger.use(attempt);
      expect(refused).toMatchObject({ allowed: false, reason: 'opted_out', detail: `the subject opted out of ${attempt.purpose} by a gpc signal` });
      expect((await ledger.audit.explain(refused.event.id)).evidence.map((e) => e.id)).toContain(signal.id);
    }
    expect(await ledger.use({ ...sell, purpose: 'order.fulfilment', actor: checkout })).toMatchObject({ allowed: true });

    const consents = await ledger.consentState(subjectId);
    expect(consents['ads.retargeting']).toEqual({ status: 'opted-out', since: signal.occurredAt, notice, eventId: signal.id, method: 'gpc' });
    expect(consents['partners.sale']).toEqual({ status: 'opted-out', since: signal.occurredAt, eventId: signal.id, method: 'gpc' });
    expect(consents['marketing.email']).toBeUndefined();

    const exported = await ledger.exportSubject(subjectId);
    expect(exported.requests).toContainEqual({ type: 'PrivacySignalApplied', at: signal.occurredAt, eventId: signal.id });
    expect(exported.consents['partners.sale']).toMatchObject({ status: 'opted-out' });
    expect(exported.history.filter((entry) => entry.reason === 'opted_out')).toHaveLength(2);

    const view = await readSubject(store, subjectId, { now: new Date(START + 3_600_000) });
    const item = view?.items.find((i) => i.eventId === signal.id);
    expect(item).toMatchObject({ kind: 'opted-out', purposes: ['ads.retargeting', 'partners.sale'], who: 'shop-web (a service, role web)' });
    expect(item?.what).toBe('A Global Privacy Control signal opted the customer out of ads.retargeting and partners.sale.');
    expect(item?.why).toContain('an HTTP header sent to https://shop.example');
    expect(view?.overview.consents).toContainEqual({ purpose: 'ads.retargeting', status: 'opted-out', since: signal.occurredAt });
    expect(view?.items.filter((i) => i.reason === 'opted_out')).toHaveLength(2);
  });

  it('a second signal opts out only of what is not opted out yet; with nothing left it is refused and nothing is appended', async () => {
    const { store, ledger } = await collected();
    await ledger.applyPrivacySignal({ subjectId, actor: customer, signal: 'gpc', source: { kind: 'dom' } });
    const before = await recordIds(store);
    const again = await ledger.applyPrivacySignal({ subjectId, actor: web, signal: 'gpc', source }).catch((e: unknown) => e);
    expect(again).toBeInstanceOf(CommandRefusedError);
    expect(again).toMatchObject({ code: 'COMMAND_REFUSED', reason: 'nothing_to_opt_out' });
    expect(await recordIds(store)).toEqual(before);
  });

  it('holds before anything is collected, and for data collected later', async () => {
    const { ledger } = setUp();
    await ledger.applyPrivacySignal({ subjectId, actor: web, signal: 'gpc', source });
    await ledger.collect({
      subjectId,
      actor: checkout,
      source: 'checkout-form',
      purposes: ['order.fulfilment', 'partners.sale'],
      notice,
      data: { 'contact.email': 'ann@example.com' },
    });
    expect(await ledger.use(sell)).toMatchObject({ allowed: false, reason: 'opted_out' });
  });

  it('is lifted for a purpose by the subject’s own grant, recorded as overriding it; no one else’s grant is recorded', async () => {
    const { store, ledger } = await collected();
    const signal = await ledger.applyPrivacySignal({ subjectId, actor: web, signal: 'gpc', source });
    const before = await recordIds(store);
    const byAgent = await ledger.grantConsent({ subjectId, actor: support, purpose: 'ads.retargeting', notice, method: 'phone' }).catch((e: unknown) => e);
    expect(byAgent).toMatchObject({ code: 'COMMAND_REFUSED', reason: 'opted_out_by_signal' });
    expect(await recordIds(store)).toEqual(before);

    const own = await ledger.grantConsent({ subjectId, actor: customer, purpose: 'ads.retargeting', notice, method: 'web-form' });
    expect(own).toMatchObject({ type: 'ConsentGranted', data: { purpose: 'ads.retargeting', method: 'web-form', overridesSignal: signal.id } });
    expect(await ledger.use(retarget)).toMatchObject({ allowed: true, basis: { legalBasis: 'consent', consentEventId: own.id } });
    expect(await ledger.use(sell)).toMatchObject({ allowed: false, reason: 'opted_out' });
    expect((await ledger.consentState(subjectId))['ads.retargeting']).toMatchObject({ status: 'granted', eventId: own.id });
    const view = await readSubject(store, subjectId, { now: new Date(START + 3_600_000) });
    expect(view?.items.find((i) => i.eventId === own.id)?.why).toContain(
      'The customer gave it themself, after their Global Privacy Control opt-out, which it lifts for this purpose.',
    );
  });

  it('a use recorded around the ledger after the signal is a violation', async () => {
    const { store, ledger } = await collected();
    await ledger.grantConsent({ subjectId, actor: customer, purpose: 'ads.retargeting', notice, method: 'checkbox' });
    const grant = (await ledger.consentState(subjectId))['ads.retargeting']?.eventId;
    await ledger.applyPrivacySignal({ subjectId, actor: web, signal: 'gpc', source });
    const planted = await plantEvent(
      store,
      subjectStream(subjectId),
      {
        type: 'DataUsed',
        data: { purpose: 'ads.retargeting', categories: ['behavioural.browsing'], activity: 'around the ledger', basis: { legalBasis: 'consent', consentEventId: grant } },
      },
      { actor: ads, subjectId },
    );
    expect((await ledger.audit.violations()).map((v) => [v.eventId, v.reason])).toEqual([[planted.id, 'opted_out']]);
    expect((await ledger.audit.verify()).ok).toBe(true);
  });

  it('owes each recipient sent data for a purpose it opts out of a notice, in the same append, shown until the recipient confirms it', async () => {
    const { store, ledger } = await collected();
    const privacy: Actor = { id: 'privacy-desk', kind: 'employee', roles: ['privacy'] };
    for (const recipientId of ['ad-network', 'carrier']) {
      await ledger.registerRecipient({ recipientId, actor: privacy, name: recipientId, agreement: `dpa-${recipientId}`, country: 'DE' });
      await ledger.verifyRecipient({ recipientId, actor: privacy });
    }
    await ledger.grantConsent({ subjectId, actor: customer, purpose: 'ads.retargeting', notice, method: 'web-form' });
    await ledger.share({ subjectId, actor: ads, recipientId: 'ad-network', purpose: 'partners.sale', categories: ['contact.email'] });
    await ledger.share({ subjectId, actor: checkout, recipientId: 'carrier', purpose: 'order.fulfilment', categories: ['contact.email'] });
    const before = await recordIds(store);
    const applied = await ledger.applyPrivacySignal({ subjectId, actor: web, signal: 'gpc', source });
    const appended = (await recordIds(store)).slice(before.length);
    expect(appended[0]).toBe(applied.id);
    expect(appended).toHaveLength(2);
    const owed = { recipientId: 'ad-network', reason: 'opted_out', changeEventId: applied.id, categories: ['contact.email'], status: 'pending' };
    expect((await ledger.inventory(subjectId)).recipientNotices).toEqual([expect.objectContaining(owed)]);
    expect((await ledger.exportSubject(subjectId)).recipientNotices).toEqual([expect.objectContaining(owed)]);
    await ledger.confirmRecipientNotice({ subjectId, actor: privacy, recipientId: 'ad-network', changeEventId: applied.id });
    expect((await ledger.inventory(subjectId)).recipientNotices).toEqual([expect.objectContaining({ ...owed, status: 'confirmed' })]);
  });

  it('is open to the subject and to the roles the policy names, and to no one else', async () => {
    const { store, ledger } = await collected();
    const before = await recordIds(store);
    const refused = await ledger.applyPrivacySignal({ subjectId, actor: checkout, signal: 'gpc', source }).catch((e: unknown) => e);
    expect(refused).toMatchObject({ code: 'NOT_PERMITTED', operation: 'applyPrivacySignal', requiredRoles: ['web'] });
    expect(await recordIds(store)).toEqual(before);
  });
});

describe('ledger.applyPrivacySignal with malformed input', () => {
  const valid: ApplyPrivacySignalInput = { subjectId, actor: web, signal: 'gpc', source };
  const cases: [string, Record<string, unknown>, string][] = [
    ['an unknown signal', { signal: 'dnt' }, 'signal'],
    ['no signal', { signal: undefined }, 'signal'],
    ['an unknown source kind', { source: { kind: 'cookie' } }, 'source.kind'],
    ['no source', { source: undefined }, 'source'],
    ['an origin with a path', { source: { kind: 'http-header', origin: 'https://shop.example/checkout' } }, 'source.origin'],
    ['an origin with a query holding an address', { source: { kind: 'http-header', origin: 'https://shop.example?u=ann@example.com' } }, 'source.origin'],
    ['an origin with a user', { source: { kind: 'dom', origin: 'https://ann@shop.example' } }, 'source.origin'],
    ['an IP address as the origin', { source: { kind: 'http-header', origin: 'http://203.0.113.7' } }, 'source.origin'],
    ['an IP address and port as the origin', { source: { kind: 'http-header', origin: 'http://203.0.113.7:8080' } }, 'source.origin'],
    ['an IPv6 address as the origin', { source: { kind: 'http-header', origin: 'http://[2001:db8::7]' } }, 'source.origin'],
    ['a bare host, without a scheme', { source: { kind: 'http-header', origin: 'shop.example' } }, 'source.origin'],
    ['an email address as the origin', { source: { kind: 'api', origin: 'ann@example.com' } }, 'source.origin'],
    ['an origin in capitals', { source: { kind: 'http-header', origin: 'https://Shop.Example' } }, 'source.origin'],
    ['an IP address beside the source', { source: { ...source, ip: '203.0.113.7' } }, 'source.ip'],
    ['a user agent beside the source', { source: { ...source, userAgent: 'Mozilla/5.0' } }, 'source.userAgent'],
    ['a field of its own', { ip: '203.0.113.7' }, 'ip'],
    ['a time it was received after now', { receivedAt: new Date(START + 365 * 86_400_000) }, 'receivedAt'],
    ['a received time that is no time', { receivedAt: 'yesterday' }, 'receivedAt'],
    ['a subject id that is an email address', { subjectId: 'ann@example.com' }, 'subjectId'],
  ];

  it.each(cases)('refuses %s with a ValidationError naming the field, echoing nothing, appending nothing', async (_, change, path) => {
    const { store, ledger } = await collected();
    const before = await recordIds(store);
    const error = await ledger.applyPrivacySignal({ ...valid, ...change } as ApplyPrivacySignalInput).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ValidationError);
    expect((error as ValidationError).issues.map((issue) => issue.path)).toEqual([path]);
    expect((error as ValidationError).message).not.toMatch(/ann@|203\.0\.113|2001:db8|Mozilla|checkout\b/);
    expect(await recordIds(store)).toEqual(before);
  });

  it('says why an IP address is refused', async () => {
    const { ledger } = await collected();
    const error = (await ledger.applyPrivacySignal({ ...valid, source: { kind: 'http-header', origin: 'http://203.0.113.7' } }).catch((e: unknown) => e)) as ValidationError;
    expect(error.issues).toEqual([{ path: 'source.origin', message: 'must name its host, not an IP address: an IP address is personal data' }]);
  });

  it('accepts an origin with a port, localhost, and no origin at all', async () => {
    for (const origin of ['http://localhost:8080', 'https://shop.example:8443', 'https://xn--bcher-kva.example', undefined]) {
      const { ledger } = await collected();
      const event = await ledger.applyPrivacySignal({ ...valid, source: { kind: 'dom', ...(origin && { origin }) } });
      expect(event.data).toMatchObject({ source: origin ? { kind: 'dom', origin } : { kind: 'dom' } });
    }
  });
});

describe('a Global Privacy Control signal never grants', () => {
  it('grantConsent by gpc is a ValidationError naming the method, and nothing is appended', async () => {
    const { store, ledger } = await collected();
    const before = await recordIds(store);
    const error = await ledger.grantConsent({ subjectId, actor: customer, purpose: 'ads.retargeting', notice, method: 'gpc' as 'web-form' }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ValidationError);
    expect((error as ValidationError).issues).toEqual([
      { path: 'method', message: 'a Global Privacy Control signal opts out and never grants consent: record it with applyPrivacySignal' },
    ]);
    expect(await recordIds(store)).toEqual(before);
  });

  it('an import of a consent given by gpc is refused at its method', async () => {
    const { store, ledger } = await collected();
    const before = await recordIds(store);
    const line = { subjectId: 'cust-imported', consents: [{ purpose: 'ads.retargeting', grantedAt: '2025-01-01T00:00:00Z', notice, method: 'gpc' }] };
    const outcome = await ledger.backfill([line], { importId: 'crm-2025', actor: { id: 'importer', kind: 'service', roles: ['privacy'] } }).catch((e: unknown) => e);
    expect(outcome).toMatchObject({
      code: 'BACKFILL_LINE_REJECTED',
      reason: 'invalid',
      issues: [{ path: 'consents.0.method', message: 'a Global Privacy Control signal opts out and never grants consent: record it with applyPrivacySignal' }],
    });
    expect(await recordIds(store)).toEqual(before);
  });

  it('an import of a consent to a purpose a signal already opted the customer out of is refused: only she can lift it', async () => {
    const { store, ledger } = await collected();
    await ledger.applyPrivacySignal({ subjectId, actor: web, signal: 'gpc', source });
    const before = await recordIds(store);
    const line = { subjectId, consents: [{ purpose: 'ads.retargeting', grantedAt: '2025-01-01T00:00:00Z', notice, method: 'web-form' }] };
    const outcome = await ledger.backfill([line], { importId: 'crm-2025', actor: { id: 'importer', kind: 'service', roles: ['support'] } }).catch((e: unknown) => e);
    expect(outcome).toMatchObject({ code: 'BACKFILL_LINE_REJECTED', reason: 'refused', cause: { reason: 'opted_out_by_signal' } });
    expect(await recordIds(store)).toEqual(before);
  });

  it('no writer can seal a new grant by gpc, and a grant by gpc stored before still reads', async () => {
    const { store, ledger } = await collected();
    const grantByGpc = { type: 'ConsentGranted' as const, data: { purpose: 'ads.retargeting', notice, method: 'gpc' as const } };
    await expect(plantEvent(store, subjectStream('cust-legacy'), grantByGpc, { actor: web, subjectId: 'cust-legacy' })).rejects.toThrow(ValidationError);

    // Written by an older Custodian, whose schema took gpc as a method: the bytes are as they were stored.
    const olderCatalog = {
      ...catalog,
      ConsentGranted: { schemaVersion: 1, schema: z.object({ purpose: z.string(), notice: z.object({ id: z.string(), version: z.string() }), method: ConsentMethod }) },
    };
    const older = createEventCodec<NewEvent, CustodianEvent>(olderCatalog, {});
    const sealed = older.seal(older.envelope(grantByGpc, { stream: subjectStream('cust-legacy'), subjectId: 'cust-legacy', actor: web, now: new Date(START) }), GENESIS_HASH);
    await store.append(subjectStream('cust-legacy'), [sealed.toAppend], 'no_stream');
    expect((await ledger.consentState('cust-legacy'))['ads.retargeting']).toMatchObject({ status: 'granted', method: 'gpc' });
    expect((await ledger.exportSubject('cust-legacy')).consents['ads.retargeting']).toMatchObject({ method: 'gpc' });
    expect((await ledger.audit.verify()).ok).toBe(true);
  });
});

describe('an objection to direct marketing', () => {
  it('stops the purpose though consent was given, stands against an agent’s grant, and yields only to the subject’s own', async () => {
    const { store, ledger } = await collected();
    await ledger.grantConsent({ subjectId, actor: customer, purpose: 'marketing.email', notice, method: 'checkbox' });
    const objection = await ledger.object({ subjectId, actor: customer, purposes: ['marketing.email'] });
    const stopped = await ledger.use(mail);
    expect(stopped).toMatchObject({ allowed: false, reason: 'objection', detail: 'the subject objected to direct marketing for marketing.email' });
    expect((await ledger.audit.explain(stopped.event.id)).evidence.map((e) => e.id)).toContain(objection.id);

    const before = await recordIds(store);
    const byAgent = await ledger.grantConsent({ subjectId, actor: support, purpose: 'marketing.email', notice, method: 'phone' }).catch((e: unknown) => e);
    expect(byAgent).toMatchObject({ code: 'COMMAND_REFUSED', reason: 'objection_stands' });
    expect(await recordIds(store)).toEqual(before);

    const own = await ledger.grantConsent({ subjectId, actor: customer, purpose: 'marketing.email', notice, method: 'web-form' });
    expect(own.data).toMatchObject({ overridesObjection: objection.id });
    expect(await ledger.use(mail)).toMatchObject({ allowed: true, basis: { consentEventId: own.id } });
  });

  it('a use recorded around the ledger after it is a violation', async () => {
    const { store, ledger } = await collected();
    await ledger.grantConsent({ subjectId, actor: customer, purpose: 'marketing.email', notice, method: 'checkbox' });
    const grant = (await ledger.consentState(subjectId))['marketing.email']?.eventId;
    await ledger.object({ subjectId, actor: customer });
    const planted = await plantEvent(
      store,
      subjectStream(subjectId),
      {
        type: 'DataUsed',
        data: { purpose: 'marketing.email', categories: ['contact.email'], activity: 'around the ledger', basis: { legalBasis: 'consent', consentEventId: grant } },
      },
      { actor: campaigns, subjectId },
    );
    expect((await ledger.audit.violations()).map((v) => [v.eventId, v.reason])).toEqual([[planted.id, 'objection']]);
  });
});
