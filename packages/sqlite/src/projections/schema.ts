import type Database from 'better-sqlite3';

/**
 * The layout of the analytics tables. They hold nothing that is not in the events, so a
 * file made by another layout is not migrated: its tables are dropped and rebuilt.
 */
export const PROJECTIONS_SCHEMA_VERSION = 1;

/** The checkpoint row of the runner that keeps every table below. */
export const CHECKPOINT_NAME = 'analytics';

/** Every table the runner keeps, in the order they are cleared. */
export const PROJECTION_TABLES = ['consent_state', 'access_history', 'inventory', 'recipient_copies', 'subjects', 'recipients', 'access_requests'] as const;

// Times are UTC ISO 8601 text with milliseconds, so they sort and compare as text. Lists
// (categories, purposes) are JSON arrays, readable with json_each().
const DDL = `
CREATE TABLE consent_state (
  subject_id     TEXT NOT NULL,
  purpose        TEXT NOT NULL,
  status         TEXT NOT NULL CHECK (status IN ('granted', 'withdrawn')),
  since          TEXT NOT NULL,
  notice_id      TEXT NOT NULL,
  notice_version TEXT NOT NULL,
  event_id       TEXT NOT NULL,
  method         TEXT NOT NULL,
  expires_at     TEXT,
  granted_at     TEXT,
  PRIMARY KEY (subject_id, purpose)
);
CREATE INDEX consent_state_purpose ON consent_state (purpose, status);

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
CREATE INDEX access_history_subject ON access_history (subject_id, position);
CREATE INDEX access_history_purpose ON access_history (purpose, kind);
CREATE INDEX access_history_recipient ON access_history (recipient_id) WHERE recipient_id IS NOT NULL;

CREATE TABLE inventory (
  subject_id   TEXT NOT NULL,
  category     TEXT NOT NULL,
  source       TEXT NOT NULL,
  collected_at TEXT NOT NULL,
  collected_by TEXT NOT NULL,
  rectified_at TEXT,
  retain_until TEXT NOT NULL,
  purposes     TEXT NOT NULL,
  erased_at    TEXT,
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
CREATE INDEX recipient_copies_recipient ON recipient_copies (recipient_id, erasure);

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
  right              TEXT NOT NULL,
  received_at        TEXT NOT NULL,
  fulfilled_at       TEXT,
  fulfilled_event_id TEXT,
  digest             TEXT
);
CREATE INDEX access_requests_subject ON access_requests (subject_id);
`;

/**
 * Creates the tables (or replaces those of another layout) and the checkpoint row. The
 * checkpoint table is shared with any other runner in the file, so only our row is
 * touched; its schema_version says which layout our tables are in.
 */
export function ensureProjectionSchema(db: Database.Database): void {
  db.transaction(() => {
    db.exec('CREATE TABLE IF NOT EXISTS projection_checkpoints (name TEXT PRIMARY KEY, position INTEGER NOT NULL, schema_version INTEGER NOT NULL)');
    const row = db.prepare<[string], { schema_version: number }>('SELECT schema_version FROM projection_checkpoints WHERE name = ?').get(CHECKPOINT_NAME);
    if (row?.schema_version === PROJECTIONS_SCHEMA_VERSION) return;
    for (const table of PROJECTION_TABLES) db.exec(`DROP TABLE IF EXISTS ${table}`);
    db.exec(DDL);
    db.prepare('INSERT OR REPLACE INTO projection_checkpoints (name, position, schema_version) VALUES (?, 0, ?)').run(CHECKPOINT_NAME, PROJECTIONS_SCHEMA_VERSION);
  }).immediate();
}

/** Empties every table and sets the checkpoint back to the start, in one transaction. */
export function clearProjections(db: Database.Database): void {
  db.transaction(() => {
    for (const table of PROJECTION_TABLES) db.exec(`DELETE FROM ${table}`);
    db.prepare('UPDATE projection_checkpoints SET position = 0 WHERE name = ?').run(CHECKPOINT_NAME);
  }).immediate();
}
