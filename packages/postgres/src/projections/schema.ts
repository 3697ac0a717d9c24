import type { Pool, PoolClient } from 'pg';
import { ProjectionsSchemaTooNewError, ProjectionTableConflictError } from './errors';
import { transaction } from './sql';

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

/**
 * The layout of the analytics tables. They hold nothing that is not in the events, so
 * tables of an older layout are not converted: they are dropped, made again in this
 * layout and refilled from the events, as @custodian/sqlite does.
 */
export const PROJECTIONS_SCHEMA_VERSION = 5;

// The columns, names and meanings of @custodian/sqlite's tables (docs/analytics.md), so the
// same questions read the same answers. Times are UTC ISO 8601 text with milliseconds, as
// there, so they compare and sort as text and `::timestamptz` reads them; lists and maps are jsonb.
// `right` is a reserved word here, so SQL on either database names it "right".
const LAYOUT = `
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
CREATE INDEX consent_state_purpose ON consent_state (purpose, status);

CREATE TABLE access_history (
  event_id         TEXT   PRIMARY KEY,
  position         BIGINT NOT NULL,
  subject_id       TEXT   NOT NULL,
  at               TEXT   NOT NULL,
  kind             TEXT   NOT NULL CHECK (kind IN ('accessed', 'used', 'shared', 'denied')),
  operation        TEXT,
  actor_id         TEXT   NOT NULL,
  actor_kind       TEXT   NOT NULL,
  purpose          TEXT   NOT NULL,
  categories       JSONB  NOT NULL,
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
  subject_id   TEXT  NOT NULL,
  category     TEXT  NOT NULL,
  source       TEXT  NOT NULL,
  collected_at TEXT  NOT NULL,
  collected_by TEXT  NOT NULL,
  rectified_at TEXT,
  retain_until TEXT  NOT NULL,
  purposes     JSONB NOT NULL,
  retention    JSONB NOT NULL,
  erased_at    TEXT,
  PRIMARY KEY (subject_id, category)
);

CREATE TABLE erased_categories (
  subject_id          TEXT  NOT NULL,
  category            TEXT  NOT NULL,
  erased_at           TEXT  NOT NULL,
  reason              TEXT  NOT NULL CHECK (reason IN ('erasure_request', 'retention_expired')),
  event_id            TEXT  NOT NULL,
  recipients_notified JSONB NOT NULL,
  PRIMARY KEY (subject_id, category)
);
CREATE INDEX erased_categories_reason ON erased_categories (reason, erased_at);

CREATE TABLE recipient_copies (
  subject_id           TEXT  NOT NULL,
  recipient_id         TEXT  NOT NULL,
  categories           JSONB NOT NULL,
  purposes             JSONB NOT NULL,
  first_shared_at      TEXT  NOT NULL,
  revoked_at           TEXT,
  erasure              TEXT  NOT NULL CHECK (erasure IN ('not_requested', 'pending', 'confirmed')),
  erasure_notified_at  TEXT,
  erasure_confirmed_at TEXT,
  PRIMARY KEY (subject_id, recipient_id)
);
CREATE INDEX recipient_copies_recipient ON recipient_copies (recipient_id, erasure);

CREATE TABLE recipient_notices (
  subject_id      TEXT  NOT NULL,
  notice_event_id TEXT  NOT NULL,
  recipient_id    TEXT  NOT NULL,
  reason          TEXT  NOT NULL CHECK (reason IN ('rectification', 'restriction', 'consent_withdrawn', 'erasure', 'opted_out')),
  change_event_id TEXT  NOT NULL,
  categories      JSONB NOT NULL,
  purpose         TEXT,
  owed_at         TEXT  NOT NULL,
  status          TEXT  NOT NULL CHECK (status IN ('pending', 'confirmed')),
  confirmed_at    TEXT,
  PRIMARY KEY (subject_id, notice_event_id)
);
CREATE INDEX recipient_notices_recipient ON recipient_notices (recipient_id, status);

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
  "right"            TEXT NOT NULL CHECK ("right" IN ('access', 'portability', 'erasure')),
  received_at        TEXT NOT NULL,
  due_by             TEXT NOT NULL,
  statutory_due_by   TEXT NOT NULL,
  extension_reason   TEXT CHECK (extension_reason IN ('complexity', 'number_of_requests')),
  extension_event_id TEXT,
  fulfilled_at       TEXT,
  fulfilled_event_id TEXT,
  digest             TEXT
);
CREATE INDEX access_requests_subject ON access_requests (subject_id);
CREATE INDEX access_requests_open ON access_requests (due_by) WHERE fulfilled_at IS NULL;
`;

/**
 * Two processes starting at once take turns here (the lock is held to the end of the
 * migration's transaction), so only one creates the tables and the other finds them made.
 * The key is arbitrary but fixed: every version of this package must use the same one.
 */
const MIGRATION_LOCK = 0x637573746f646961n;

/**
 * The checkpoints of every runner in the database: ours is the row `analytics`, whose
 * schema_version says the tables' layout. A NULL position is none: a store may number its
 * first event 0 (core's in-memory store does), so 0 cannot stand for "nothing applied".
 */
const CHECKPOINTS_DDL = 'CREATE TABLE IF NOT EXISTS projection_checkpoints (name TEXT PRIMARY KEY, position BIGINT, schema_version INTEGER NOT NULL)';

/** The state and position of projections of one's own (`createPostgresCheckpointStore`), one row each. */
const STATE_DDL = 'CREATE TABLE IF NOT EXISTS projection_state (name TEXT PRIMARY KEY, position BIGINT NOT NULL, state TEXT NOT NULL)';

async function locked<T>(pool: Pool, work: (client: PoolClient) => Promise<T>): Promise<T> {
  return transaction(pool, async (client) => {
    await client.query('SELECT pg_advisory_xact_lock($1)', [MIGRATION_LOCK.toString()]);
    return work(client);
  });
}

const DUPLICATE_TABLE = '42P07';

function tableOf(error: unknown): string | undefined {
  if (typeof error !== 'object' || error === null || (error as { code?: unknown }).code !== DUPLICATE_TABLE) return undefined;
  return /relation "([^"]+)" already exists/.exec(String((error as { message?: unknown }).message))?.[1] ?? 'unknown';
}

/**
 * Brings the tables to this version's layout, all in one transaction under the migration
 * lock: none are made, an older layout's are replaced (and the checkpoint goes back to
 * the start), a newer layout is refused with nothing changed. Tables the projections did
 * not make are never dropped: a clash with one is refused too.
 */
export async function migrateProjections(pool: Pool): Promise<void> {
  await locked(pool, async (client) => {
    await client.query(CHECKPOINTS_DDL);
    const { rows } = await client.query<{ schema_version: number }>('SELECT schema_version FROM projection_checkpoints WHERE name = $1', [CHECKPOINT_NAME]);
    const found = rows[0]?.schema_version;
    if (found !== undefined && found > PROJECTIONS_SCHEMA_VERSION) throw new ProjectionsSchemaTooNewError(found, PROJECTIONS_SCHEMA_VERSION);
    if (found === PROJECTIONS_SCHEMA_VERSION) return;
    // Our own tables, of an older layout: derived data, made again below and refilled.
    if (found !== undefined) for (const table of PROJECTION_TABLES) await client.query(`DROP TABLE IF EXISTS ${table}`);
    try {
      await client.query(LAYOUT);
    } catch (error) {
      const table = tableOf(error);
      throw table === undefined ? error : new ProjectionTableConflictError(table);
    }
    await client.query(
      `INSERT INTO projection_checkpoints (name, position, schema_version) VALUES ($1, NULL, $2)
       ON CONFLICT (name) DO UPDATE SET position = NULL, schema_version = excluded.schema_version`,
      [CHECKPOINT_NAME, PROJECTIONS_SCHEMA_VERSION],
    );
  });
}

/** Creates `projection_state` if it is not there, under the same lock. */
export async function ensureStateTable(pool: Pool): Promise<void> {
  await locked(pool, (client) => client.query(STATE_DDL));
}

/** Empties every table and sets the checkpoint back to the start, in one transaction: the checkpoint row is locked first, as a batch's commit locks it. */
export async function clearProjections(pool: Pool): Promise<void> {
  await transaction(pool, async (client) => {
    await client.query('SELECT position FROM projection_checkpoints WHERE name = $1 FOR UPDATE', [CHECKPOINT_NAME]);
    await client.query(`TRUNCATE ${PROJECTION_TABLES.join(', ')}`);
    await client.query('UPDATE projection_checkpoints SET position = NULL WHERE name = $1', [CHECKPOINT_NAME]);
  });
}
