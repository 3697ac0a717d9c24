import { afterAll, describe, expect, it } from '@jest/globals';
import { createLedger, definePolicy, InMemoryKeyStore, type Actor } from '@custodian/core';
import { createSqliteEventStore } from '../index';
import { createSqlProjections } from './index';
import { tempFiles } from './test-support/files';
import { rows } from './test-support/tables';

// Every reason a recipient is owed a notice reaches `recipient_notices`: the erasure of some
// categories and an opt-out signal too, beside a correction, a restriction and a withdrawal.

const files = tempFiles('custodian-sql-notices-');
afterAll(() => files.remove());

const policy = definePolicy({
  purposes: {
    'partners.sale': { legalBasis: 'legitimate_interests', categories: ['contact.email'], roles: ['ads'], sharing: true, retention: 'P1Y', optOutSignals: ['gpc'] },
    'order.fulfilment': { legalBasis: 'contract', categories: ['contact.email', 'contact.address'], roles: ['orders'], sharing: true, retention: 'P6Y' },
  },
});
const privacy: Actor = { id: 'privacy-desk', kind: 'employee', roles: ['privacy', 'ads', 'orders'] };
const notice = { id: 'privacy-notice', version: 'v3' };

describe('recipient_notices', () => {
  it('holds the notices of an erasure of some categories and of an opt-out signal, as ledger.inventory() has them', async () => {
    const store = createSqliteEventStore({ path: files.path() });
    const ledger = createLedger({ store, keys: new InMemoryKeyStore(), policy });
    const subjectId = 'cust-4f9a2c';
    await ledger.collect({
      subjectId,
      actor: privacy,
      source: 'checkout-form',
      purposes: ['partners.sale', 'order.fulfilment'],
      notice,
      data: { 'contact.email': 'ann@example.com', 'contact.address': '1 Main St' },
    });
    for (const recipientId of ['data-broker', 'carrier']) {
      await ledger.registerRecipient({ recipientId, actor: privacy, name: recipientId, agreement: `dpa-${recipientId}`, country: 'DE' });
      await ledger.verifyRecipient({ recipientId, actor: privacy });
    }
    await ledger.share({ subjectId, actor: privacy, recipientId: 'data-broker', purpose: 'partners.sale', categories: ['contact.email'] });
    await ledger.share({ subjectId, actor: privacy, recipientId: 'carrier', purpose: 'order.fulfilment', categories: ['contact.address'] });
    const erasure = await ledger.erase({ subjectId, actor: privacy, categories: ['contact.address'] });
    const signal = await ledger.applyPrivacySignal({ subjectId, actor: privacy, signal: 'gpc', source: { kind: 'http-header', origin: 'https://shop.example' } });
    await ledger.confirmRecipientErasure({ subjectId, actor: privacy, recipientId: 'carrier' });

    const projections = createSqlProjections(store);
    await projections.catchUp();
    await projections.close();
    const held = rows<{ status: string }>(
      store.database,
      'SELECT recipient_id, reason, change_event_id, categories, status FROM recipient_notices ORDER BY owed_at, notice_event_id',
    );
    expect(held).toEqual([
      { recipient_id: 'carrier', reason: 'erasure', change_event_id: erasure.id, categories: '["contact.address"]', status: 'confirmed' },
      { recipient_id: 'data-broker', reason: 'opted_out', change_event_id: signal.id, categories: '["contact.email"]', status: 'pending' },
    ]);
    const inventory = await ledger.inventory(subjectId);
    expect(held.map((row) => row.status)).toEqual(inventory.recipientNotices.map((owed) => owed.status));
    await store.close();
  });
});
