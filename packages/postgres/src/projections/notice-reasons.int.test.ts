import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { createLedger, definePolicy, InMemoryEventStore, InMemoryKeyStore, type Actor } from '@custodian/core';
import { createPostgresProjections } from './index';
import { rows, testSchemas, type TestSchemas } from './test-support/schemas';

// Every reason a recipient is owed a notice reaches `recipient_notices` on Postgres too: the
// erasure of some categories and an opt-out signal, beside a correction, a restriction and a withdrawal.

let schemas: TestSchemas;
beforeAll(async () => {
  schemas = await testSchemas();
});
afterAll(() => schemas.stop());

const policy = definePolicy({
  purposes: {
    'partners.sale': { legalBasis: 'legitimate_interests', categories: ['contact.email'], roles: ['ads'], sharing: true, retention: 'P1Y', optOutSignals: ['gpc'] },
    'order.fulfilment': { legalBasis: 'contract', categories: ['contact.email', 'contact.address'], roles: ['orders'], sharing: true, retention: 'P6Y' },
  },
});
const privacy: Actor = { id: 'privacy-desk', kind: 'employee', roles: ['privacy', 'ads', 'orders'] };

describe('recipient_notices on Postgres', () => {
  it('holds the notices of an erasure of some categories and of an opt-out signal', async () => {
    const store = new InMemoryEventStore();
    const ledger = createLedger({ store, keys: new InMemoryKeyStore(), policy });
    const subjectId = 'cust-4f9a2c';
    const notice = { id: 'privacy-notice', version: 'v3' };
    const data = { 'contact.email': 'ann@example.com', 'contact.address': '1 Main St' };
    await ledger.collect({ subjectId, actor: privacy, source: 'checkout-form', purposes: ['partners.sale', 'order.fulfilment'], notice, data });
    for (const recipientId of ['data-broker', 'carrier']) {
      await ledger.registerRecipient({ recipientId, actor: privacy, name: recipientId, agreement: `dpa-${recipientId}`, country: 'DE' });
      await ledger.verifyRecipient({ recipientId, actor: privacy });
    }
    await ledger.share({ subjectId, actor: privacy, recipientId: 'data-broker', purpose: 'partners.sale', categories: ['contact.email'] });
    await ledger.share({ subjectId, actor: privacy, recipientId: 'carrier', purpose: 'order.fulfilment', categories: ['contact.address'] });
    const erasure = await ledger.erase({ subjectId, actor: privacy, categories: ['contact.address'] });
    const signal = await ledger.applyPrivacySignal({ subjectId, actor: privacy, signal: 'gpc', source: { kind: 'http-header', origin: 'https://shop.example' } });
    await ledger.confirmRecipientErasure({ subjectId, actor: privacy, recipientId: 'carrier' });

    const pool = await schemas.pool();
    const projections = await createPostgresProjections({ pool, store });
    await projections.catchUp();
    await projections.close();
    expect(await rows(pool, 'SELECT recipient_id, reason, change_event_id, categories, status FROM recipient_notices ORDER BY owed_at, notice_event_id')).toEqual([
      { recipient_id: 'carrier', reason: 'erasure', change_event_id: erasure.id, categories: ['contact.address'], status: 'confirmed' },
      { recipient_id: 'data-broker', reason: 'opted_out', change_event_id: signal.id, categories: ['contact.email'], status: 'pending' },
    ]);
  });
});
