import { describe, expect, it } from '@jest/globals';
import type { SubjectReport } from '../report/subject-report';
import { renderHtmlReport } from './html-report';

const report = (overrides: Partial<SubjectReport> = {}): SubjectReport => ({
  subjectId: 'cust-1',
  generatedAt: '2026-03-02T09:00:00.000Z',
  ledger: '/data/<ledger>.db',
  chain: { ok: true, checked: 1 },
  overview: { categories: [], erasedCategories: [], consents: [], recipients: [], noticesOwed: [], erased: false, openRequests: [] },
  items: [
    {
      kind: 'used',
      at: '2026-03-01T10:00:00.000Z',
      eventId: '01a228c5-0000-7000-8000-000000000001',
      eventType: 'DataUsed',
      what: 'Used contact.email for marketing.email.',
      who: 'svc "<b>" & co (a service)',
      why: "Allowed on the legal basis of the customer's consent.",
      actor: { id: 'svc', kind: 'service', roles: [] },
      purposes: ['marketing.email'],
      categories: ['contact.email'],
      recipients: [],
      activity: '<script>alert(1)</script>',
    },
  ],
  ...overrides,
});

describe('the HTML report', () => {
  it('escapes everything it is given', () => {
    const html = renderHtmlReport(report());
    expect(html).not.toContain('<script>');
    expect(html).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
    expect(html).toContain('svc &quot;&lt;b&gt;&quot; &amp; co (a service)');
    expect(html).toContain('/data/&lt;ledger&gt;.db');
  });

  it('marks each timeline item with its kind and event, and explains the seven main kinds in the legend', () => {
    const html = renderHtmlReport(report());
    expect(html).toMatch(/<li class="entry entry-used" data-kind="used" data-event-id="01a228c5-0000-7000-8000-000000000001">/);
    for (const kind of ['collected', 'consented', 'used', 'shared', 'refused', 'withdrawn', 'erased']) expect(html).toContain(`data-legend="${kind}"`);
    expect(html.match(/<[a-z]+ [^>]*data-kind="/g)).toHaveLength(1);
  });

  it('shows each purpose’s own retention, and the categories erased on their own with why and who was told', () => {
    const html = renderHtmlReport(
      report({
        overview: {
          categories: [
            {
              category: 'contact.email',
              source: 'checkout',
              purposes: ['fraud.prevention', 'marketing.email'],
              collectedAt: '2026-01-01T00:00:00.000Z',
              retainUntil: '2028-01-01T00:00:00.000Z',
              retention: { 'fraud.prevention': '2026-01-31T00:00:00.000Z', 'marketing.email': '2028-01-01T00:00:00.000Z' },
            },
          ],
          erasedCategories: [
            { category: 'contact.address', erasedAt: '2026-02-01T00:00:00.000Z', reason: 'retention_expired', eventId: 'e-9', recipientsNotified: ['bureau-<1>'] },
          ],
          consents: [],
          recipients: [],
          noticesOwed: [],
          erased: false,
          openRequests: [],
        },
      }),
    );
    expect(html).toContain('kept for fraud.prevention until 31 Jan 2026 and for marketing.email until 1 Jan 2028');
    expect(html).toMatch(
      /<h3>Erased, the rest kept<\/h3><ul><li data-erased-category="contact.address">[\s\S]*erased once no purpose could keep it any longer on 1 Feb 2026, 00:00:00 UTC; erasure notices sent to bureau-&lt;1&gt;/,
    );
    expect(renderHtmlReport(report())).not.toContain('Erased, the rest kept');
  });

  it('names each notice a recipient is still owed, and says nothing of notices when none is', () => {
    const owed = {
      recipientId: 'agency',
      name: 'Agency <GmbH>',
      reason: 'rectification' as const,
      categories: ['contact.email'],
      owedAt: '2026-03-01T10:00:00.000Z',
      changeEventId: '01a228c5-0000-7000-8000-000000000002',
    };
    const html = renderHtmlReport(
      report({ overview: { categories: [], erasedCategories: [], consents: [], recipients: [], noticesOwed: [owed], erased: false, openRequests: [] } }),
    );
    expect(html).toMatch(/data-notices-owed="1">Still to be told \(GDPR Art\. 19\): Agency &lt;GmbH&gt;, of the correction of contact\.email, since /);
    expect(renderHtmlReport(report())).not.toContain('data-notices-owed');
  });

  it('says plainly when nothing was recorded yet, and when the chain is broken', () => {
    const broken = renderHtmlReport(
      report({
        items: [],
        chain: { ok: false, checked: 3, broken: { revision: 0n, position: 5n, eventId: 'e-1', reason: 'hash_mismatch', explanation: 'it was changed' } },
      }),
    );
    expect(broken).toContain('Nothing has been recorded about this customer yet.');
    expect(broken).toMatch(/data-chain="broken"[\s\S]*Warning: this history failed verification\.[\s\S]*At event 0 \(e-1\) it was changed\./);
  });
});
