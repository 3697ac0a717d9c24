import type { ApplicationCatalog, ApplicationEvent, ApplicationUpcasters, NoApplicationEvents, ReadApplicationEvent } from '../application';
import type { BackfillOptions, BackfillResult } from '../backfill';
import type { Explanation, VerifyOptions, VerifyResult, Violation } from '../audit';
import type { SubjectExport } from '../subject';
import type { KeyStore } from '../crypto';
import type { z } from 'zod';
import type { Actor, Basis, CustodianEvent, DenialReason } from '../events';
import type { Policy } from '../policy';
import type { AsOf, ReadSide } from '../projections';
import type { EventStore } from '../store';
import type { SnapshotOptions } from '../snapshots';
import type { TrailEntry, TrailOptions } from '../trail';
import type { Receipt, ReceiptOptions } from '../transparency';
import type { OperationCatalog } from './operations';
import type { CacheOptions, CacheStats } from './stream-cache';

export interface LedgerOptions<E extends ApplicationCatalog = NoApplicationEvents> {
  store: EventStore;
  keys: KeyStore;
  policy: Policy;
  clock?: () => Date;
  /** How many times a decision is re-read and re-made after a concurrent append. */
  maxAttempts?: number;
  /**
   * A right of the subject (consent, withdrawal, objection, restriction, erasure, access) is
   * retried past `maxAttempts`, until it is recorded or this many milliseconds of conflicts
   * have passed. Default 30 s.
   */
  rightsDeadlineMs?: number;
  /** How many folded streams are kept in memory (default 20,000 entries, no byte limit); see `cacheStats`. */
  cache?: CacheOptions;
  /**
   * Per-stream snapshots: a stream missing from the cache is read from its snapshot on, not
   * from its first event. Each is sealed with `secret`, so a snapshot store open to an attacker
   * cannot change a decision (docs/scaling-decisions.md).
   */
  snapshots?: SnapshotOptions;
  /**
   * The application's own event types, which `recordEvent` records and `readEvents` reads:
   * `{ OrderPlaced: { schemaVersion: 2, schema } }`. Named apart from Custodian's; see docs/events.md.
   */
  events?: E;
  /** For each of `events` past version 1, the step from every older version to the next: `{ OrderPlaced: { 1: (v1) => v2 } }`. */
  upcasters?: ApplicationUpcasters<E>;
}

/** `ledger.recordEvent`'s command: one of the application's event types, with its data at the current version. */
export interface RecordEventCommand<E extends ApplicationCatalog, T extends keyof E & string> {
  /** The name of the stream it goes to (`app-<stream>` in the store): an identifier, never personal data. */
  readonly stream: string;
  readonly actor: Actor;
  readonly type: T;
  readonly data: z.input<E[T]['schema']>;
  /** The subject the data is about: it is then sealed under her key, and erased with her. */
  readonly subjectId?: string | undefined;
  readonly correlationId?: string | undefined;
  readonly causationId?: string | undefined;
}

/** A refusal is an answer, not an exception; either way the decision is recorded as `event`. */
export type Decision =
  | { readonly allowed: true; readonly basis: Basis; readonly event: CustodianEvent }
  | { readonly allowed: false; readonly reason: DenialReason; readonly detail: string; readonly event: CustodianEvent };

/** An access also returns the values, opened, when it is allowed; `erased` says why there are none. */
export type AccessDecision = Decision & { readonly data?: Readonly<Record<string, string>>; readonly erased?: boolean };

export interface AccessRequestResult {
  readonly export: SubjectExport;
  /** The canonical JSON handed to the subject; `digest` is its SHA-256. */
  readonly json: string;
  readonly digest: string;
  readonly received: CustodianEvent;
  readonly fulfilled: CustodianEvent;
}

/**
 * Every write of the ledger, one method per operation of the catalog (`operations/index.ts`):
 * `collect(command)`, `use(command)`, `erase(command)`, … Each takes its command as the caller
 * wrote it (its `*Input` schema) and returns what its operation returns.
 */
export type Writes = {
  [Name in keyof OperationCatalog]: (command: Parameters<OperationCatalog[Name]>[1]) => ReturnType<OperationCatalog[Name]>;
};

export interface Ledger<E extends ApplicationCatalog = NoApplicationEvents> extends ReadSide, Omit<Writes, 'recordEvent'> {
  /**
   * Records an event of the application's own (`events`), at its type's current schema
   * version, in the stream `app-<stream>`. `permissions.recordEvent` applies. Data about a
   * subject, given with her `subjectId`, is sealed under her key and erased with her; data
   * about no one is stored in plaintext and never shredded, so it must hold no personal value.
   */
  recordEvent<T extends keyof E & string>(command: RecordEventCommand<E, T>): Promise<ApplicationEvent<E, T>>;
  /**
   * The application's events of one stream, oldest first, each read at its type's current
   * version: one written at an older version is upcast, and its stored record left as it is.
   * One about a subject since erased comes back without its data (`erased: true`).
   */
  readEvents(stream: string): Promise<ReadApplicationEvent<E>[]>;
  /** The subject's own report (Art. 15/20), without recording a request. */
  exportSubject(subjectId: string): Promise<SubjectExport>;
  /**
   * A receipt for the subject of one of their acts (a consent, withdrawal, objection,
   * restriction, erasure request, erasure or access request), with its inclusion proof once
   * `checkpoint` covers it. The subject checks it with `verifyReceipt` and the company's
   * verifier key alone. Nothing is written.
   */
  receipt(eventId: string, options?: ReceiptOptions): Promise<Receipt>;
  /**
   * Imports customers already on file elsewhere, with their original times and evidence
   * (see docs/backfill.md); resumable: rerun the same import after a crash.
   */
  backfill(records: Iterable<unknown> | AsyncIterable<unknown>, options: BackfillOptions): Promise<BackfillResult>;
  /** Everything one actor did, across subjects, recipients and the policy, with `occurredAt` in `[from, to)`, in log order. */
  actorHistory(actorId: string, options?: TrailOptions): Promise<readonly TrailEntry[]>;
  /** Everything one recipient received and was told (shares, revocations, erasure notices and confirmations, its registry), in `[from, to)`. */
  recipientHistory(recipientId: string, options?: TrailOptions): Promise<readonly TrailEntry[]>;
  /** The stream cache's size, limits and counts (hits, misses, evictions, snapshot loads) since the ledger was made. */
  cacheStats(): CacheStats;
  readonly audit: Audit;
  readonly store: EventStore;
  readonly policy: Policy;
}

export interface Audit {
  /** Walks every chain; names the first broken link of each stream. */
  verify(options?: VerifyOptions): Promise<VerifyResult>;
  /** Every recorded use, access or share that had no valid basis at its place in its stream. */
  violations(): Promise<Violation[]>;
  /** The events and policy rule that justified (or refused) a recorded decision. */
  explain(eventId: string): Promise<Explanation>;
  /** The read side as it stood at a time or global position. */
  at(asOf: AsOf): ReadSide;
}
