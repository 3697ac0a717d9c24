import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { events, type Ledger } from '@custodian/core';
import { createSqliteEventStore, type SqliteEventStore } from '../index';
import { createSqlProjections, PROJECTION_TABLES, type CatchUpResult } from './index';
import { BRIGHTMAIL, PARCELGO, SUBJECTS, writeStory } from './test-support/dataset';
import { tempFiles } from './test-support/files';
import { rows } from './test-support/tables';
import { rawRecords } from '../testing';

const files = tempFiles('custodian-sql-tables-');
let store: SqliteEventStore;
let ledger: Ledger;
let storyEnd: Date;
let result: CatchUpResult;

beforeAll(async () => {
  store = createSqliteEventStore({ path: files.path() });
  const story = await writeStory(store);
  ledger = story.ledger;
  storyEnd = story.clock.now();
  const projections = createSqlProjections(store);
  result = await projections.catchUp();
  await projections.close();
});

afterAll(async () => {
  await store.close();
  files.remove();
});

const db = () => store.database;

describe('the analytics tables after a catch-up on the story', () => {
  it('applied every event, and the checkpoint is the last position', async () => {
    const recorded = rawRecords(store).length;
    expect(result).toEqual({ applied: recorded, position: BigInt(recorded) });
    expect(rows(db(), 'SELECT name, position FROM projection_checkpoints')).toEqual([{ name: 'analytics', position: recorded }]);
  });

  it('consent_state: one row per subject and purpose, with the first grant kept', () => {
    expect(rows(db(), 'SELECT subject_id, purpose, status, since, method, notice_version, expires_at, granted_at FROM consent_state ORDER BY subject_id, purpose')).toEqual([
      {
        subject_id: 's-anna',
        purpose: 'marketing.email',
        status: 'granted',
        since: '2026-01-05T10:01:00.000Z',
        method: 'checkbox',
        notice_version: 'v3',
        expires_at: null,
        granted_at: '2026-01-05T10:01:00.000Z',
      },
      {
        subject_id: 's-carla',
        purpose: 'analytics.behaviour',
        status: 'granted',
        since: '2026-02-03T10:01:00.000Z',
        method: 'web-form',
        notice_version: 'v3',
        expires_at: null,
        granted_at: '2026-02-03T10:01:00.000Z',
      },
      {
        subject_id: 's-carla',
        purpose: 'marketing.email',
        status: 'withdrawn',
        since: '2026-03-05T18:00:00.000Z',
        method: 'email',
        notice_version: 'v3',
        expires_at: null,
        granted_at: '2026-02-03T10:01:00.000Z',
      },
      {
        subject_id: 's-dev',
        purpose: 'marketing.email',
        status: 'granted',
        since: '2026-02-21T12:00:00.000Z',
        method: 'email',
        notice_version: 'v3',
        expires_at: '2026-03-31T00:00:00.000Z',
        granted_at: '2026-02-21T12:00:00.000Z',
      },
      {
        subject_id: 's-emil',
        purpose: 'analytics.behaviour',
        status: 'granted',
        since: '2026-03-08T10:01:00.000Z',
        method: 'web-form',
        notice_version: 'v3',
        expires_at: null,
        granted_at: '2026-03-08T10:01:00.000Z',
      },
      {
        subject_id: 's-emil',
        purpose: 'marketing.email',
        status: 'granted',
        since: '2026-03-08T10:01:00.000Z',
        method: 'web-form',
        notice_version: 'v3',
        expires_at: null,
        granted_at: '2026-03-08T10:01:00.000Z',
      },
      {
        subject_id: 's-fay',
        purpose: 'marketing.email',
        status: 'granted',
        since: '2026-04-02T20:00:00.000Z',
        method: 'web-form',
        notice_version: 'v3',
        expires_at: null,
        granted_at: '2026-03-15T10:01:00.000Z',
      },
      {
        subject_id: 's-gus',
        purpose: 'marketing.email',
        status: 'granted',
        since: '2026-01-25T19:00:00.000Z',
        method: 'web-form',
        notice_version: 'v3',
        expires_at: null,
        granted_at: '2026-01-25T19:00:00.000Z',
      },
      {
        subject_id: 's-hana',
        purpose: 'marketing.email',
        status: 'granted',
        since: '2026-02-14T10:01:00.000Z',
        method: 'checkbox',
        notice_version: 'v3',
        expires_at: null,
        granted_at: '2026-02-14T10:01:00.000Z',
      },
      {
        subject_id: 's-ivo',
        purpose: 'analytics.behaviour',
        status: 'granted',
        since: '2026-03-16T10:01:00.000Z',
        method: 'web-form',
        notice_version: 'v3',
        expires_at: null,
        granted_at: '2026-03-16T10:01:00.000Z',
      },
    ]);
  });

  it('consent_state says what ledger.consentState() says, a lapsed grant being granted past its expiry', async () => {
    for (const subjectId of SUBJECTS) {
      const table = rows<{ purpose: string; status: string; since: string; event_id: string; expires_at: string | null }>(
        db(),
        'SELECT purpose, status, since, event_id, expires_at FROM consent_state WHERE subject_id = ?',
        subjectId,
      );
      const state = await ledger.consentState(subjectId);
      expect(Object.keys(state).sort()).toEqual(table.map((row) => row.purpose).sort());
      for (const row of table) {
        const read = state[row.purpose];
        const lapsed = row.status === 'granted' && row.expires_at !== null && Date.parse(row.expires_at) <= storyEnd.getTime();
        expect({ subjectId, status: read?.status, eventId: read?.eventId }).toEqual({ subjectId, status: lapsed ? 'expired' : row.status, eventId: row.event_id });
        expect(read?.since).toBe(lapsed ? row.expires_at : row.since);
      }
    }
  });

  it('access_history: one row per access, use, share and refusal, as ledger.history() lists them', async () => {
    expect(rows(db(), 'SELECT kind, COUNT(*) AS n FROM access_history GROUP BY kind ORDER BY kind')).toEqual([
      { kind: 'accessed', n: 1 },
      { kind: 'denied', n: 8 },
      { kind: 'shared', n: 5 },
      { kind: 'used', n: 15 },
    ]);
    for (const subjectId of SUBJECTS) {
      const history = (await ledger.history(subjectId)).map((entry) => ({
        event_id: entry.eventId,
        at: entry.at,
        kind: entry.kind,
        actor_id: entry.actor.id,
        actor_kind: entry.actor.kind,
        purpose: entry.purpose,
        categories: JSON.stringify(entry.categories),
        activity: entry.activity ?? null,
        recipient_id: entry.recipientId ?? null,
        legal_basis: entry.basis?.legalBasis ?? null,
        consent_event_id: entry.basis?.consentEventId ?? null,
        reason: entry.reason ?? null,
        detail: entry.detail ?? null,
      }));
      const table = rows(
        db(),
        `SELECT event_id, at, kind, actor_id, actor_kind, purpose, categories, activity, recipient_id, legal_basis, consent_event_id, reason, detail
         FROM access_history WHERE subject_id = ? ORDER BY position`,
        subjectId,
      );
      expect(table).toEqual(history);
    }
  });

  it('access_history names the operation of every row, refused ones included', () => {
    expect(rows(db(), 'SELECT operation, kind, reason, COUNT(*) AS n FROM access_history GROUP BY 1, 2, 3 ORDER BY 1, 2, 3')).toEqual([
      { operation: 'access', kind: 'accessed', reason: null, n: 1 },
      { operation: 'share', kind: 'denied', reason: 'sharing_not_allowed', n: 1 },
      { operation: 'share', kind: 'shared', reason: null, n: 5 },
      { operation: 'use', kind: 'denied', reason: 'consent_expired', n: 1 },
      { operation: 'use', kind: 'denied', reason: 'consent_withdrawn', n: 1 },
      { operation: 'use', kind: 'denied', reason: 'erased', n: 1 },
      { operation: 'use', kind: 'denied', reason: 'no_consent', n: 4 },
      { operation: 'use', kind: 'used', reason: null, n: 15 },
    ]);
  });

  it('inventory, erased_categories and recipient_copies hold what ledger.inventory() holds', async () => {
    for (const subjectId of SUBJECTS) {
      const inventory = await ledger.inventory(subjectId);
      const categories = rows(
        db(),
        'SELECT category, source, collected_at, collected_by, rectified_at, retain_until, purposes, retention, erased_at FROM inventory WHERE subject_id = ? ORDER BY category',
        subjectId,
      );
      expect(categories).toEqual(
        [...inventory.categories]
          .sort((a, b) => a.category.localeCompare(b.category))
          .map((held) => ({
            category: held.category,
            source: held.source,
            collected_at: held.collectedAt,
            collected_by: held.collectedBy,
            rectified_at: held.rectifiedAt ?? null,
            retain_until: held.retainUntil,
            purposes: JSON.stringify(held.purposes),
            retention: JSON.stringify(held.retention),
            erased_at: inventory.erasedAt ?? null,
          })),
      );
      const erased = rows(db(), 'SELECT category, erased_at, reason, event_id, recipients_notified FROM erased_categories WHERE subject_id = ? ORDER BY category', subjectId);
      expect(erased).toEqual(
        [...(inventory.erasedCategories ?? [])]
          .sort((a, b) => a.category.localeCompare(b.category))
          .map((entry) => ({
            category: entry.category,
            erased_at: entry.erasedAt,
            reason: entry.reason,
            event_id: entry.eventId,
            recipients_notified: JSON.stringify(entry.recipientsNotified),
          })),
      );
    }
    expect(rows(db(), 'SELECT subject_id, category, reason FROM erased_categories')).toEqual([{ subject_id: 's-hana', category: 'contact.address', reason: 'erasure_request' }]);
    for (const subjectId of SUBJECTS) {
      const inventory = await ledger.inventory(subjectId);
      const copies = rows(
        db(),
        'SELECT recipient_id, categories, purposes, first_shared_at, revoked_at, erasure FROM recipient_copies WHERE subject_id = ? ORDER BY recipient_id',
        subjectId,
      );
      expect(copies).toEqual(
        [...inventory.recipients]
          .sort((a, b) => a.recipientId.localeCompare(b.recipientId))
          .map((copy) => ({
            recipient_id: copy.recipientId,
            categories: JSON.stringify(copy.categories),
            purposes: JSON.stringify(copy.purposes),
            first_shared_at: copy.firstSharedAt,
            revoked_at: copy.revokedAt ?? null,
            erasure: copy.erasure,
          })),
      );
    }
  });

  it('recipient_notices hold what ledger.inventory() holds: one correction confirmed by its recipient, one restriction still owed', async () => {
    const all = rows(db(), 'SELECT subject_id, recipient_id, reason, categories, purpose, owed_at, status, confirmed_at FROM recipient_notices ORDER BY subject_id, owed_at');
    expect(all).toEqual([
      {
        subject_id: 's-carla',
        recipient_id: PARCELGO,
        reason: 'rectification',
        categories: '["contact.address"]',
        purpose: null,
        owed_at: '2026-04-26T10:00:00.000Z',
        status: 'confirmed',
        confirmed_at: '2026-04-27T15:00:00.000Z',
      },
      {
        subject_id: 's-fay',
        recipient_id: BRIGHTMAIL,
        reason: 'restriction',
        categories: '["contact.email"]',
        purpose: null,
        owed_at: '2026-04-27T10:00:00.000Z',
        status: 'pending',
        confirmed_at: null,
      },
    ]);
    for (const subjectId of SUBJECTS) {
      const notices = rows(
        db(),
        'SELECT recipient_id, reason, change_event_id, notice_event_id, categories, purpose, owed_at, status, confirmed_at FROM recipient_notices WHERE subject_id = ? ORDER BY owed_at, notice_event_id',
        subjectId,
      );
      expect(notices).toEqual(
        (await ledger.inventory(subjectId)).recipientNotices.map((notice) => ({
          recipient_id: notice.recipientId,
          reason: notice.reason,
          change_event_id: notice.changeEventId,
          notice_event_id: notice.noticeEventId,
          categories: JSON.stringify(notice.categories),
          purpose: notice.purpose ?? null,
          owed_at: notice.owedAt,
          status: notice.status,
          confirmed_at: notice.confirmedAt ?? null,
        })),
      );
    }
  });

  it('recipient_copies time the erasure notices and confirmations', () => {
    expect(rows(db(), 'SELECT subject_id, recipient_id, erasure, erasure_notified_at, erasure_confirmed_at FROM recipient_copies ORDER BY subject_id, recipient_id')).toEqual([
      { subject_id: 's-anna', recipient_id: BRIGHTMAIL, erasure: 'confirmed', erasure_notified_at: '2026-03-03T09:00:00.000Z', erasure_confirmed_at: '2026-03-10T14:00:00.000Z' },
      { subject_id: 's-anna', recipient_id: PARCELGO, erasure: 'pending', erasure_notified_at: '2026-03-03T09:00:00.000Z', erasure_confirmed_at: null },
      { subject_id: 's-carla', recipient_id: PARCELGO, erasure: 'not_requested', erasure_notified_at: null, erasure_confirmed_at: null },
      { subject_id: 's-emil', recipient_id: BRIGHTMAIL, erasure: 'pending', erasure_notified_at: '2026-04-25T09:00:00.000Z', erasure_confirmed_at: null },
      { subject_id: 's-fay', recipient_id: BRIGHTMAIL, erasure: 'not_requested', erasure_notified_at: null, erasure_confirmed_at: null },
    ]);
  });

  it('subjects: first seen, first collected, erasure requested and done', () => {
    expect(rows(db(), 'SELECT * FROM subjects ORDER BY first_seen_at')).toEqual(
      [
        ['s-anna', '2026-01-05T10:00', '2026-03-01T09:00', '2026-03-03T09:00'],
        ['s-ben', '2026-01-12T10:00'],
        ['s-gus', '2026-01-18T10:00', '2026-05-06T10:00'],
        ['s-carla', '2026-02-03T10:00'],
        ['s-hana', '2026-02-14T10:00'],
        ['s-dev', '2026-02-20T10:00'],
        ['s-emil', '2026-03-08T10:00', '2026-04-22T09:00', '2026-04-25T09:00'],
        ['s-fay', '2026-03-15T10:00'],
        ['s-ivo', '2026-03-16T10:00'],
      ].map(([subject_id, first, requested, erased]) => ({
        subject_id,
        first_seen_at: `${first}:00.000Z`,
        first_collected_at: `${first}:00.000Z`,
        erasure_requested_at: requested ? `${requested}:00.000Z` : null,
        erased_at: erased ? `${erased}:00.000Z` : null,
      })),
    );
  });

  it('recipients: the registry, as ledger.recipients() has it', async () => {
    const table = rows(db(), 'SELECT * FROM recipients ORDER BY recipient_id');
    expect(table).toEqual([
      {
        recipient_id: BRIGHTMAIL,
        name: 'Brightmail Agency GmbH',
        agreement: 'dpa-2026-014',
        country: 'DE',
        status: 'verified',
        registered_at: '2026-01-02T09:00:00.000Z',
        verified_at: '2026-01-03T09:00:00.000Z',
        suspended_at: null,
      },
      {
        recipient_id: PARCELGO,
        name: 'ParcelGo Logistics BV',
        agreement: 'dpa-2026-021',
        country: 'NL',
        status: 'verified',
        registered_at: '2026-01-02T09:00:00.000Z',
        verified_at: '2026-01-04T09:00:00.000Z',
        suspended_at: null,
      },
    ]);
    const read = (await ledger.recipients()).map((r) => ({
      recipient_id: r.recipientId,
      name: r.name,
      agreement: r.agreement,
      country: r.country,
      status: r.status,
      registered_at: r.registeredAt,
      verified_at: r.verifiedAt,
      suspended_at: r.suspendedAt ?? null,
    }));
    expect(table).toEqual(read);
  });

  it('access_requests: each request with its deadline and its answer, matched by event id', () => {
    const recorded = rawRecords(store).map((record) => events.decode(record.bytes));
    const answers = new Map(recorded.flatMap((event) => (event.type === 'AccessRequestFulfilled' ? [[event.data.requestEventId, event] as const] : [])));
    const erasures = recorded.flatMap((event) => (event.type === 'DataErased' && event.data.scope === 'all' ? [event] : []));
    const extensions = new Map(recorded.flatMap((event) => (event.type === 'RequestDeadlineExtended' ? [[event.data.requestEventId, event] as const] : [])));
    const requests = recorded.flatMap((event): { event: typeof event; right: string; dueBy: string | undefined }[] =>
      event.type === 'AccessRequestReceived'
        ? [{ event, right: event.data.right, dueBy: event.data.dueBy }]
        : event.type === 'ErasureRequested'
          ? [{ event, right: 'erasure', dueBy: event.data.dueBy }]
          : [],
    );
    expect(requests.map(({ right }) => right)).toEqual(['access', 'erasure', 'portability', 'erasure', 'access', 'erasure']);
    expect(
      rows(
        db(),
        'SELECT request_event_id, subject_id, right, due_by, statutory_due_by, extension_reason, extension_event_id, fulfilled_event_id, digest FROM access_requests ORDER BY received_at',
      ),
    ).toEqual(
      requests.map(({ event, right, dueBy }) => {
        const answer = answers.get(event.id);
        const erased = right === 'erasure' ? erasures.find((erasure) => erasure.subjectId === event.subjectId) : undefined;
        const extension = extensions.get(event.id);
        return {
          request_event_id: event.id,
          subject_id: event.subjectId,
          right,
          due_by: extension?.data.until ?? dueBy,
          statutory_due_by: dueBy,
          extension_reason: extension?.data.reason ?? null,
          extension_event_id: extension?.id ?? null,
          fulfilled_event_id: answer?.id ?? erased?.id ?? null,
          digest: answer?.data.digest ?? null,
        };
      }),
    );
    expect(extensions.size).toBe(1);
  });

  it('access_requests left open are those ledger.openRequests() lists, with its deadlines', async () => {
    const open = await ledger.openRequests({ now: new Date('2026-05-21T00:00:00.000Z') });
    expect(open.map((request) => request.right)).toEqual(['erasure']);
    expect(rows(db(), 'SELECT request_event_id, subject_id, right, due_by, extension_event_id FROM access_requests WHERE fulfilled_at IS NULL')).toEqual(
      open.map((request) => ({
        request_event_id: request.requestEventId,
        subject_id: request.subjectId,
        right: request.right,
        due_by: request.dueBy,
        extension_event_id: request.extension?.eventId ?? null,
      })),
    );
  });

  it('hold no personal value, in plain text or sealed', () => {
    const plain = ['someone@example.com', '1 Main Street', 'emil@example.com', 'ivo@example.com', 'viewed:'];
    for (const table of PROJECTION_TABLES) {
      const text = JSON.stringify(rows(db(), `SELECT * FROM ${table}`));
      for (const value of plain) expect({ table, leaked: text.includes(value) }).toEqual({ table, leaked: false });
      expect({ table, sealed: text.includes('gcm1.') }).toEqual({ table, sealed: false });
    }
  });
});
