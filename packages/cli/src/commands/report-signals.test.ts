import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createLedger, definePolicy, InMemoryKeyStore, type Actor } from '@custodian/core';
import { cli } from '../test-support/capture';
import { START, SUBJECT, workspace, type Workspace } from '../test-support/fixture';
import { timelineEntries } from '../test-support/html';

// A customer whose browser sends Global Privacy Control: the report shows each application of
// the signal, the uses it refused, her opting back in, and where her consent stands.

const policy = definePolicy({
  purposes: {
    'ads.retargeting': { legalBasis: 'consent', categories: ['behavioural.browsing'], roles: ['ads'], retention: 'P1Y', optOutSignals: ['gpc'], description: 'ads on other sites' },
    'partners.sale': { legalBasis: 'legitimate_interests', categories: ['contact.email'], roles: ['ads'], retention: 'P1Y', optOutSignals: ['gpc'] },
    'order.fulfilment': { legalBasis: 'contract', categories: ['contact.email'], roles: ['fulfilment'], retention: 'P6Y' },
  },
  permissions: { applyPrivacySignal: ['web'] },
});
const customer: Actor = { id: SUBJECT, kind: 'subject', roles: [] };
const notice = { id: 'privacy-notice', version: 'v3' };
let ws: Workspace;

beforeAll(async () => {
  ws = workspace();
  const store = ws.open();
  let minute = 0;
  const ledger = createLedger({ store, keys: new InMemoryKeyStore(), policy, clock: () => new Date(START.getTime() + 60_000 * minute++) });
  await ledger.collect({
    subjectId: SUBJECT,
    actor: { id: 'checkout-service', kind: 'service', roles: ['fulfilment', 'ads'] },
    source: 'checkout-form',
    purposes: ['order.fulfilment', 'partners.sale', 'ads.retargeting'],
    notice,
    data: { 'contact.email': 'ann@example.com', 'behavioural.browsing': 'viewed: running shoes' },
  });
  await ledger.grantConsent({ subjectId: SUBJECT, actor: customer, purpose: 'ads.retargeting', notice, method: 'checkbox' });
  await ledger.applyPrivacySignal({
    subjectId: SUBJECT,
    actor: { id: 'shop-web', kind: 'service', roles: ['web'] },
    signal: 'gpc',
    source: { kind: 'http-header', origin: 'https://shop.example' },
  });
  await ledger.use({
    subjectId: SUBJECT,
    actor: { id: 'ad-server', kind: 'service', roles: ['ads'] },
    purpose: 'partners.sale',
    categories: ['contact.email'],
    activity: 'list:partners',
  });
  await ledger.grantConsent({ subjectId: SUBJECT, actor: customer, purpose: 'ads.retargeting', notice, method: 'web-form' });
  await store.close();
});
afterAll(() => ws.remove());

describe('custodian report, for a customer who sent Global Privacy Control', () => {
  it('shows the signal, the refusal it caused and her opting back in, and where her consent stands', async () => {
    const { code, stdout } = await cli(['report', SUBJECT], { cwd: ws.dir });
    expect(code).toBe(0);
    expect(stdout).toMatch(/consent: +ads\.retargeting granted, partners\.sale opted-out/);
    expect(stdout).toMatch(
      /opted out +shop-web \(a service, role web\) +A Global Privacy Control signal opted the customer out of ads on other sites \(ads\.retargeting\) and partners\.sale\./,
    );
    expect(stdout).toMatch(/Refused because the customer had opted out with a Global Privacy Control signal\./);
    expect(stdout).toContain('The customer gave it themself, after their Global Privacy Control opt-out, which it lifts for this purpose.');
  });

  it('writes the same into the HTML page, the legend explaining the new kind', async () => {
    const { code } = await cli(['report', SUBJECT, '--html', 'out.html'], { cwd: ws.dir });
    expect(code).toBe(0);
    const html = readFileSync(join(ws.dir, 'out.html'), 'utf8');
    const entries = timelineEntries(html);
    expect(entries.map((entry) => entry.kind)).toEqual(['collected', 'consented', 'opted-out', 'refused', 'consented']);
    expect(entries[2]?.why).toBe(
      "Received as an HTTP header sent to https://shop.example. An opt-out of selling, sharing and targeted advertising: it never grants anything, and only the customer's own consent lifts it.",
    );
    expect(html).toContain('<span class="status status-opted-out">opted-out</span>');
    expect(html).toMatch(/data-legend="opted-out"[\s\S]*Global Privacy Control signal: no selling, sharing or targeted advertising/);
    expect(html).not.toContain('ann@example.com');
  });
});
