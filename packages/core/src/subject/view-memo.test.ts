import { describe, expect, it } from '@jest/globals';
import { conformancePolicy } from '@custodian/testing';
import { InMemoryKeyStore } from '../crypto';
import type { Actor } from '../events';
import { createLedger } from '../ledger';
import { definePolicy } from '../policy';
import { InMemoryEventStore } from '../store';
import { readSubjectStreams, viewOf } from '.';

const checkout: Actor = { id: 'checkout', kind: 'service', roles: ['fulfilment'] };
const ann: Actor = { id: 'ann', kind: 'subject', roles: [] };
const notice = { id: 'privacy-notice', version: 'v3' };

/** Ann: collected, and a consent that expires on 1 July 2026. */
async function annStreams() {
  const store = new InMemoryEventStore();
  const ledger = createLedger({ store, keys: new InMemoryKeyStore(), policy: conformancePolicy, clock: () => new Date('2026-06-01T00:00:00Z') });
  await ledger.collect({
    subjectId: 'ann',
    actor: checkout,
    source: 'checkout-form',
    purposes: ['order.fulfilment', 'marketing.email'],
    notice,
    data: { 'contact.email': 'ann@example.com' },
  });
  await ledger.grantConsent({ subjectId: 'ann', actor: ann, purpose: 'marketing.email', notice, method: 'checkbox', expiresAt: new Date('2026-07-01T00:00:00Z') });
  const streams = await readSubjectStreams(store, 'ann');
  if (streams === undefined) throw new Error('no streams for ann');
  return streams;
}

const statusOf = (view: ReturnType<typeof viewOf>) => view.overview.consents.find((c) => c.purpose === 'marketing.email')?.status;

describe('the view of streams a caller keeps', () => {
  it('folds and words the timeline once for the same streams and policy, and still judges each moment on its own', async () => {
    const streams = await annStreams();
    const june = viewOf(streams, { now: new Date('2026-06-15T00:00:00Z'), policy: conformancePolicy });
    const july = viewOf(streams, { now: new Date('2026-07-15T00:00:00Z'), policy: conformancePolicy });
    expect(july.items).toBe(june.items);
    expect(july.inventory).toBe(june.inventory);
    expect(statusOf(june)).toBe('granted');
    expect(statusOf(july)).toBe('expired');
    expect(july.generatedAt).toBe('2026-07-15T00:00:00.000Z');
  });

  it('makes them again for another policy, and for streams read again', async () => {
    const streams = await annStreams();
    const now = new Date('2026-06-15T00:00:00Z');
    const first = viewOf(streams, { now, policy: conformancePolicy });
    const renamed = definePolicy({
      purposes: {
        'marketing.email': { legalBasis: 'consent', categories: ['contact.email'], roles: ['marketing'], sharing: true, retention: 'P2Y', description: 'Letters by email' },
        'order.fulfilment': { legalBasis: 'contract', categories: ['contact.email', 'contact.address'], roles: ['fulfilment'], retention: 'P6Y' },
      },
    });
    expect(viewOf(streams, { now, policy: renamed }).items).not.toBe(first.items);
    const again = viewOf(await annStreams(), { now, policy: conformancePolicy });
    expect(again.items).not.toBe(first.items);
    expect(again.items).toEqual(first.items.map((item) => ({ ...item, eventId: expect.any(String) })));
  });
});
