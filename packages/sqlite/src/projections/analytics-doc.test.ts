import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createSqliteEventStore, type SqliteEventStore } from '../index';
import { createSqlProjections } from './index';
import { QUESTIONS, writeStory } from './test-support/dataset';
import { tempFiles } from './test-support/files';

/**
 * docs/analytics.md promises SQL that works as written. Every ```sql block on it names
 * itself on its first line (`-- query: <name>`); this runs each one on the story of
 * test-support/dataset.ts and checks the rows, worked out from the story by hand.
 */
const DOC_PATH = join(__dirname, '../../../../docs/analytics.md');
const DAY = 24 * 60 * 60 * 1000;

function sqlBlocks(markdown: string): { name: string | undefined; sql: string }[] {
  return [...markdown.matchAll(/^```sql\r?\n([\s\S]*?)^```/gm)].map(([, sql = '']) => ({ name: /^-- query: ([a-z0-9-]+)\s*$/m.exec(sql.split('\n')[0] ?? '')?.[1], sql }));
}

const blocks = sqlBlocks(readFileSync(DOC_PATH, 'utf8'));
const files = tempFiles('custodian-analytics-doc-');
let store: SqliteEventStore;

beforeAll(async () => {
  store = createSqliteEventStore({ path: files.path() });
  await writeStory(store);
  const projections = createSqlProjections(store);
  await projections.catchUp();
  await projections.close();
});

afterAll(async () => {
  await store.close();
  files.remove();
});

function run(name: string): unknown[] {
  const block = blocks.find((b) => b.name === name);
  if (!block) throw new Error(`docs/analytics.md has no \`-- query: ${name}\` block`);
  return store.database.prepare(block.sql).all();
}

describe('docs/analytics.md', () => {
  it('names every sql block, and answers exactly the seven questions', () => {
    expect(blocks.filter((b) => b.name === undefined).map((b) => b.sql.split('\n')[0])).toEqual([]);
    expect(blocks.map((b) => b.name)).toEqual(QUESTIONS);
  });

  it('consent rate per purpose per month: of the month’s new customers still held, the share consenting now', () => {
    expect(run('consent-rate-per-purpose-per-month')).toEqual([
      // anna is erased; ben never granted; gus granted after a refused campaign.
      { month: '2026-01', purpose: 'marketing.email', subjects: 2, ever_granted: 1, consenting: 1, consent_rate: 50 },
      { month: '2026-02', purpose: 'analytics.behaviour', subjects: 1, ever_granted: 1, consenting: 1, consent_rate: 100 },
      // carla withdrew, dev's grant lapsed on 31 March, hana still consents.
      { month: '2026-02', purpose: 'marketing.email', subjects: 3, ever_granted: 3, consenting: 1, consent_rate: 33.3 },
      // emil is erased, so only ivo counts.
      { month: '2026-03', purpose: 'analytics.behaviour', subjects: 1, ever_granted: 1, consenting: 1, consent_rate: 100 },
      // fay withdrew and granted again; ivo never consented to email.
      { month: '2026-03', purpose: 'marketing.email', subjects: 2, ever_granted: 1, consenting: 1, consent_rate: 50 },
    ]);
  });

  it('uses per purpose: uses, accesses, refusals and subjects', () => {
    expect(run('uses-per-purpose')).toEqual([
      { purpose: 'analytics.behaviour', uses: 2, accesses: 0, refused: 0, subjects: 2 },
      // Four campaigns: 1 + 3 + 4 + 3 allowed; refused: no_consent ×4, erased, consent_withdrawn, consent_expired.
      { purpose: 'marketing.email', uses: 11, accesses: 0, refused: 7, subjects: 7 },
      { purpose: 'order.fulfilment', uses: 2, accesses: 1, refused: 0, subjects: 2 },
    ]);
  });

  it('shares per recipient', () => {
    expect(run('shares-per-recipient')).toEqual([
      {
        recipient_id: 'brightmail-agency',
        name: 'Brightmail Agency GmbH',
        country: 'DE',
        status: 'verified',
        shares: 3,
        subjects: 3,
        refused: 1,
        last_shared_at: '2026-04-03T09:00:00.000Z',
      },
      {
        recipient_id: 'parcelgo',
        name: 'ParcelGo Logistics BV',
        country: 'NL',
        status: 'verified',
        shares: 2,
        subjects: 2,
        refused: 0,
        last_shared_at: '2026-02-04T08:00:00.000Z',
      },
    ]);
  });

  it('erasures still waiting for recipients’ confirmation, with the days waited', () => {
    const daysSince = (iso: string) => Math.floor((Date.now() - Date.parse(iso)) / DAY);
    const before = { anna: daysSince('2026-03-03T09:00:00.000Z'), emil: daysSince('2026-04-25T09:00:00.000Z') };
    const rows = run('erasures-awaiting-recipient-confirmation') as { days_waiting: number }[];
    const after = { anna: daysSince('2026-03-03T09:00:00.000Z'), emil: daysSince('2026-04-25T09:00:00.000Z') };
    // Brightmail confirmed anna's erasure; ParcelGo never did, nor Brightmail emil's.
    expect(rows.map(({ days_waiting, ...row }) => row)).toEqual([
      {
        subject_id: 's-anna',
        recipient_id: 'parcelgo',
        recipient_name: 'ParcelGo Logistics BV',
        categories: '["contact.email","contact.address"]',
        notified_at: '2026-03-03T09:00:00.000Z',
      },
      {
        subject_id: 's-emil',
        recipient_id: 'brightmail-agency',
        recipient_name: 'Brightmail Agency GmbH',
        categories: '["contact.email"]',
        notified_at: '2026-04-25T09:00:00.000Z',
      },
    ]);
    // Days waited run from the notice to now; the two reads bracket a midnight, should one fall between them.
    expect([before.anna, after.anna]).toContain(rows[0]?.days_waiting);
    expect([before.emil, after.emil]).toContain(rows[1]?.days_waiting);
  });

  it('days taken to answer requests, and whether by the deadline in force', () => {
    const answered = (subject_id: string, right: string, received: string, fulfilled: string | null, days_taken: number | null, in_time: number | null) => ({
      subject_id,
      right,
      received_at: `2026-${received}:00.000Z`,
      fulfilled_at: fulfilled === null ? null : `2026-${fulfilled}:00.000Z`,
      days_taken,
      in_time,
      extension_reason: null as string | null,
    });
    expect(run('days-to-answer-requests')).toEqual([
      answered('s-ben', 'access', '02-02T11:00', '02-09T11:00', 7, 1),
      answered('s-anna', 'erasure', '03-01T09:00', '03-03T09:00', 2, 1),
      // Due by the end of 20 April: one calendar month.
      answered('s-emil', 'portability', '03-20T16:00', '04-19T16:00', 30, 1),
      answered('s-emil', 'erasure', '04-22T09:00', '04-25T09:00', 3, 1),
      // Due by the end of 28 May, answered on 4 June.
      answered('s-dev', 'access', '04-28T13:00', '06-04T13:00', 37, 0),
      // Open, its deadline extended.
      { ...answered('s-gus', 'erasure', '05-06T10:00', null, null, null), extension_reason: 'complexity' },
    ]);
  });

  it('requests past their deadline: gus’s erasure, past even its extension to three months', () => {
    const daysSince = (iso: string) => Math.floor((Date.now() - Date.parse(iso)) / DAY);
    const due = '2026-08-06T23:59:59.999Z';
    const before = daysSince(due);
    const rows = run('overdue-requests') as { days_overdue: number }[];
    const after = daysSince(due);
    expect(rows.map(({ days_overdue, ...row }) => row)).toEqual([
      { subject_id: 's-gus', right: 'erasure', received_at: '2026-05-06T10:00:00.000Z', due_by: due, extension_reason: 'complexity' },
    ]);
    expect([before, after]).toContain(rows[0]?.days_overdue);
  });

  it('categories erased on their own, per month and reason', () => {
    expect(run('categories-erased-per-month')).toEqual([{ month: '2026-05', reason: 'erasure_request', category: 'contact.address', subjects: 1 }]);
  });
});
