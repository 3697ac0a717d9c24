import type Database from 'better-sqlite3';

/**
 * The layout of the analytics tables. They hold nothing that is not in the events, so a
 * file made by another layout is not migrated: its tables are dropped and rebuilt.
 */
export const PROJECTIONS_SCHEMA_VERSION = 5;

/** The checkpoint row of the runner that keeps every table below. */
export const CHECKPOINT_NAME = 'analytics';

/** Every table the runner keeps, in the order they are cleared. */
export const PROJECTION_TABLES = [
  'consent_state',
  'access_history',
  'inventory',
  'erased_categories',
  'recipient_copies',
  'recipient_notices',
  'subjects',
  'recipients',
  'access_requests',
] as const;

// Times are UTC ISO 8601 text with milliseconds, so they sort and compare as text. Lists
// (categories, purposes) are JSON arrays and maps (retention per purpose) JSON objects, readable with json_each().
const TABLES = `
CREATE TABLE consent_state (
  subject_id     TEXT NOT NULL,
  purpose        TEXT NOT NULL,
  status         TEXT NOT NULL CHECK (status IN ('granted', 'withdrawn', 'opted-out')),
  since          TEXT NOT NULL,
  notice_id      TEXT,
  notice_version TEXT,
  event_id       TEXT NOT NULL,
  method         TEXT NOT NULL,
  expires_at     TEXT,
  granted_at     TEXT,
  PRIMARY KEY (subject_id, purpose)
);

CREATE TABLE access_history (
  event_id         TEXT    PRIMARY KEY,
  position         INTEGER NOT NULL,
  subject_id       TEXT    NOT NULL,
  at               TEXT    NOT NULL,
  kind             TEXT    NOT NULL CHECK (kind IN ('accessed', 'used', 'shared', 'denied')),
  operation        TEXT,
  actor_id         TEXT    NOT NULL,
  actor_kind       TEXT    NOT NULL,
  purpose          TEXT    NOT NULL,
  categories       TEXT    NOT NULL,
  activity         TEXT,
  recipient_id     TEXT,
  legal_basis      TEXT,
  consent_event_id TEXT,
  reason           TEXT,
  detail           TEXT
);

CREATE TABLE inventory (
  subject_id   TEXT NOT NULL,
  category     TEXT NOT NULL,
  source       TEXT NOT NULL,
  collected_at TEXT NOT NULL,
  collected_by TEXT NOT NULL,
  rectified_at TEXT,
  retain_until TEXT NOT NULL,
  purposes     TEXT NOT NULL,
  retention    TEXT NOT NULL,
  erased_at    TEXT,
  PRIMARY KEY (subject_id, category)
);

CREATE TABLE erased_categories (
  subject_id          TEXT NOT NULL,
  category            TEXT NOT NULL,
  erased_at           TEXT NOT NULL,
  reason              TEXT NOT NULL CHECK (reason IN ('erasure_request', 'retention_expired')),
  event_id            TEXT NOT NULL,
  recipients_notified TEXT NOT NULL,
  PRIMARY KEY (subject_id, category)
);

CREATE TABLE recipient_copies (
  subject_id           TEXT NOT NULL,
  recipient_id         TEXT NOT NULL,
  categories           TEXT NOT NULL,
  purposes             TEXT NOT NULL,
  first_shared_at      TEXT NOT NULL,
  revoked_at           TEXT,
  erasure              TEXT NOT NULL CHECK (erasure IN ('not_requested', 'pending', 'confirmed')),
  erasure_notified_at  TEXT,
  erasure_confirmed_at TEXT,
  PRIMARY KEY (subject_id, recipient_id)
);

CREATE TABLE recipient_notices (
  subject_id      TEXT NOT NULL,
  notice_event_id TEXT NOT NULL,
  recipient_id    TEXT NOT NULL,
  reason          TEXT NOT NULL CHECK (reason IN ('rectification', 'restriction', 'consent_withdrawn', 'erasure', 'opted_out')),
  change_event_id TEXT NOT NULL,
  categories      TEXT NOT NULL,
  purpose         TEXT,
  owed_at         TEXT NOT NULL,
  status          TEXT NOT NULL CHECK (status IN ('pending', 'confirmed')),
  confirmed_at    TEXT,
  PRIMARY KEY (subject_id, notice_event_id)
);

CREATE TABLE subjects (
  subject_id           TEXT PRIMARY KEY,
  first_seen_at        TEXT NOT NULL,
  first_collected_at   TEXT,
  erasure_requested_at TEXT,
  erased_at            TEXT
);

CREATE TABLE recipients (
  recipient_id  TEXT PRIMARY KEY,
  name          TEXT,
  agreement     TEXT,
  country       TEXT,
  status        TEXT NOT NULL CHECK (status IN ('unregistered', 'registered', 'verified', 'suspended')),
  registered_at TEXT,
  verified_at   TEXT,
  suspended_at  TEXT
);

CREATE TABLE access_requests (
  request_event_id   TEXT PRIMARY KEY,
  subject_id         TEXT NOT NULL,
  right              TEXT NOT NULL CHECK (right IN ('access', 'portability', 'erasure')),
  received_at        TEXT NOT NULL,
  due_by             TEXT NOT NULL,
  statutory_due_by   TEXT NOT NULL,
  extension_reason   TEXT CHECK (extension_reason IN ('complexity', 'number_of_requests')),
  extension_event_id TEXT,
  fulfilled_at       TEXT,
  fulfilled_event_id TEXT,
  digest             TEXT
);
`;

/**
 * The indexes for the analysts' queries; the tables' writers need only the primary keys. A
 * rebuild drops these and builds them again over the full tables, which costs less than
 * keeping them up to date row by row.
 */
const INDEXES = {
  consent_state_purpose: 'consent_state (purpose, status)',
  access_history_subject: 'access_history (subject_id, position)',
  access_history_purpose: 'access_history (purpose, kind)',
  access_history_recipient: 'access_history (recipient_id) WHERE recipient_id IS NOT NULL',
  recipient_copies_recipient: 'recipient_copies (recipient_id, erasure)',
  recipient_notices_recipient: 'recipient_notices (recipient_id, status)',
  access_requests_subject: 'access_requests (subject_id)',
  access_requests_open: 'access_requests (due_by) WHERE fulfilled_at IS NULL',
  erased_categories_reason: 'erased_categories (reason, erased_at)',
} as const;

/** Builds the analysts' indexes that are missing: all of them after a rebuild, or after one that died before its end. */
export function createQueryIndexes(db: Database.Database): void {
  db.transaction(() => {
    for (const [name, on] of Object.entries(INDEXES)) db.exec(`CREATE INDEX IF NOT EXISTS ${name} ON ${on}`);
  }).immediate();
}

/** Drops the analysts' indexes, for a rebuild to fill the tables without them; `createQueryIndexes` builds them again. */
export function dropQueryIndexes(db: Database.Database): void {
  db.transaction(() => {
    for (const name of Object.keys(INDEXES)) db.exec(`DROP INDEX IF EXISTS ${name}`);
  }).immediate();
}

/**
 * Creates the tables (or replaces those of another layout) and the checkpoint row. The
 * checkpoint table is shared with any other runner in the file, so only our row is
 * touched; its schema_version says which layout our tables are in. The analysts' indexes
 * are built if any is missing, as a rebuild that died midway leaves them.
 */
export function ensureProjectionSchema(db: Database.Database): void {
  db.transaction(() => {
    db.exec('CREATE TABLE IF NOT EXISTS projection_checkpoints (name TEXT PRIMARY KEY, position INTEGER NOT NULL, schema_version INTEGER NOT NULL)');
    const row = db.prepare<[string], { schema_version: number }>('SELECT schema_version FROM projection_checkpoints WHERE name = ?').get(CHECKPOINT_NAME);
    if (row?.schema_version !== PROJECTIONS_SCHEMA_VERSION) {
      for (const table of PROJECTION_TABLES) db.exec(`DROP TABLE IF EXISTS ${table}`);
      db.exec(TABLES);
      db.prepare('INSERT OR REPLACE INTO projection_checkpoints (name, position, schema_version) VALUES (?, 0, ?)').run(CHECKPOINT_NAME, PROJECTIONS_SCHEMA_VERSION);
    }
    createQueryIndexes(db);
  }).immediate();
}

/** Empties every table and sets the checkpoint back to the start, in one transaction. */
export function clearProjections(db: Database.Database): void {
  db.transaction(() => {
    for (const table of PROJECTION_TABLES) db.exec(`DELETE FROM ${table}`);
    db.prepare('UPDATE projection_checkpoints SET position = 0 WHERE name = ?').run(CHECKPOINT_NAME);
  }).immediate();
}
