import { afterAll, describe, expect, it } from '@jest/globals';
import { createLedger, definePolicy, InMemoryKeyStore, type Actor } from '@custodian/core';
import { createSqliteEventStore } from '../index';
import { createSqlProjections } from './index';
import { tempFiles } from './test-support/files';
import { rows } from './test-support/tables';

const files = tempFiles('custodian-sql-signals-');
afterAll(() => files.remove());

const policy = definePolicy({
  purposes: {
    'ads.retargeting': { legalBasis: 'consent', categories: ['behavioural.browsing'], roles: ['ads'], retention: 'P1Y', optOutSignals: ['gpc'] },
    'partners.sale': { legalBasis: 'legitimate_interests', categories: ['contact.email'], roles: ['ads'], retention: 'P1Y', optOutSignals: ['gpc'] },
  },
});
const notice = { id: 'privacy-notice', version: 'v3' };

describe('consent_state and Global Privacy Control', () => {
  it('holds a row per purpose a signal opted out of, with no notice where no consent was given, as ledger.consentState() does', async () => {
    const store = createSqliteEventStore({ path: files.path() });
    const ledger = createLedger({ store, keys: new InMemoryKeyStore(), policy });
    const anna: Actor = { id: 's-anna', kind: 'subject', roles: [] };
    const ben: Actor = { id: 's-ben', kind: 'subject', roles: [] };
    await ledger.grantConsent({ subjectId: 's-anna', actor: anna, purpose: 'ads.retargeting', notice, method: 'checkbox' });
    const signal = await ledger.applyPrivacySignal({ subjectId: 's-anna', actor: anna, signal: 'gpc', source: { kind: 'dom' } });
    await ledger.withdrawConsent({ subjectId: 's-anna', actor: anna, purpose: 'ads.retargeting' });
    await ledger.applyPrivacySignal({ subjectId: 's-ben', actor: ben, signal: 'gpc', source: { kind: 'http-header', origin: 'https://shop.example' } });
    const lifted = await ledger.grantConsent({ subjectId: 's-ben', actor: ben, purpose: 'ads.retargeting', notice, method: 'web-form' });
    const projections = createSqlProjections(store);
    await projections.catchUp();
    await projections.close();

    const table = rows(store.database, 'SELECT subject_id, purpose, status, method, notice_id, event_id FROM consent_state ORDER BY subject_id, purpose');
    expect(table).toEqual([
      { subject_id: 's-anna', purpose: 'ads.retargeting', status: 'opted-out', method: 'gpc', notice_id: 'privacy-notice', event_id: signal.id },
      { subject_id: 's-anna', purpose: 'partners.sale', status: 'opted-out', method: 'gpc', notice_id: null, event_id: signal.id },
      { subject_id: 's-ben', purpose: 'ads.retargeting', status: 'granted', method: 'web-form', notice_id: 'privacy-notice', event_id: lifted.id },
      { subject_id: 's-ben', purpose: 'partners.sale', status: 'opted-out', method: 'gpc', notice_id: null, event_id: expect.any(String) },
    ]);
    for (const subjectId of ['s-anna', 's-ben']) {
      const state = await ledger.consentState(subjectId);
      const own = table.filter((row) => (row as { subject_id: string }).subject_id === subjectId) as { purpose: string; status: string; event_id: string }[];
      expect(own.map((row) => [row.purpose, row.status, row.event_id])).toEqual(Object.entries(state).map(([purpose, record]) => [purpose, record.status, record.eventId]));
    }
    await store.close();
  });
});
