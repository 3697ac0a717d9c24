import { z } from 'zod';
import { defineApplicationEvents, type ApplicationCatalog, type ApplicationEvents } from '../application';
import { exportSubject, type SubjectExport } from '../subject';
import type { KeyStore } from '../crypto';
import { evolveRecipient, evolveSubject, initialRecipientState, initialSubjectState, type RecipientState, type SubjectState } from '../decider';
import { parseOrThrow } from '../errors';
import { POLICY_STREAM, SubjectId, type Actor } from '../events';
import { policyRecord, type Policy } from '../policy';
import { DEFAULT_SNAPSHOT_EVERY, recipientStateCodec, SnapshotOptions, subjectStateCodec } from '../snapshots';
import type { EventStore } from '../store';
import { checkedTime } from './errors';
import { execute, type Appender, type Executed, type Step } from './execute';
import type { LedgerOptions } from './ledger';
import { createPersonalValues, type PersonalValues } from './personal-values';
import type { RetryPolicy } from './retry';
import { CacheOptions, createStreamCache, type CacheStats } from './stream-cache';
import { createStreamFolder, type Loaded, type StreamFolder } from './stream-folder';
import { createStreamQueue } from './stream-queue';

/** What every operation runs on, built once per ledger. */
export interface LedgerContext {
  readonly store: EventStore;
  readonly keys: KeyStore;
  readonly policy: Policy;
  /** The ledger's clock, checked: a broken clock stops a write before anything is appended. */
  readonly clock: () => Date;
  readonly subjects: StreamFolder<SubjectState>;
  readonly recipients: StreamFolder<RecipientState>;
  /** The application's own streams: nothing is decided on them, so the state is only where the stream stands. */
  readonly applications: StreamFolder<null>;
  /** The application's event types and upcasters, checked when the ledger was made. */
  readonly applicationEvents: ApplicationEvents;
  /** The cache the folders share: its size, limits and counts. */
  cacheStats(): CacheStats;
  /** How long a conflict is retried: for a decision, `maxAttempts`; for a right of the subject, until the deadline. */
  readonly retry: { readonly decisions: RetryPolicy; readonly rights: RetryPolicy };
  readonly values: PersonalValues;
  /** Load, decide, seal, append (`execute`), once the ledger has recorded its policy. */
  write<S>(step: Step<S>): Promise<Executed<S>>;
  /** Records the ledger's policy unless the log's latest is the same: what `write` does first, for a writer of its own (the backfill). */
  recordPolicy(): Promise<unknown>;
  /** The subject's report (Art. 15/20), read from the store. */
  exportSubject(subjectId: string): Promise<SubjectExport>;
}

/** Who records the policy: the ledger itself, not the caller whose write happened to come first. */
const LEDGER_ACTOR: Actor = { id: 'custodian-ledger', kind: 'service', roles: [] };

/** Before its first write, the ledger records its policy unless the log's latest is the same one. */
function policyRecorder(appender: Appender, policy: Policy, retry: RetryPolicy): () => Promise<unknown> {
  const folder = createStreamFolder<string | undefined>(appender.store, undefined, (digest, event) => (event.type === 'PolicyDefined' ? event.data.digest : digest));
  const recorded = policyRecord(policy);
  let written: Promise<unknown> | undefined;
  return () => {
    written ??= execute(appender, {
      folder,
      stream: POLICY_STREAM,
      meta: { actor: LEDGER_ACTOR },
      decide: (digest) => (digest === recorded.digest ? [] : [{ type: 'PolicyDefined', data: recorded }]),
      retry,
    }).catch((error: unknown) => {
      written = undefined;
      throw error;
    });
    return written;
  };
}

function retryPolicies(options: LedgerOptions<ApplicationCatalog>): LedgerContext['retry'] {
  // Other writers on the stream are in other processes (this one's queue orders its own), so
  // a conflict costs them a millisecond or so: backing off from 1 ms lets them finish.
  return {
    decisions: { maxRetries: options.maxAttempts ?? 10, deadlineMs: Number.POSITIVE_INFINITY, baseDelayMs: 1, maxDelayMs: 50 },
    rights: { maxRetries: Number.POSITIVE_INFINITY, deadlineMs: options.rightsDeadlineMs ?? 30_000, baseDelayMs: 1, maxDelayMs: 100 },
  };
}

const FoldingOptions = z.strictObject({ cache: CacheOptions.optional(), snapshots: SnapshotOptions.optional() });

/** The subject, recipient and application folders, sharing one cache; the first two (when given) one snapshot store. */
function createFolders(store: EventStore, options: LedgerOptions<ApplicationCatalog>) {
  const { cache: limits, snapshots } = parseOrThrow(FoldingOptions, { cache: options.cache, snapshots: options.snapshots }, 'ledger options');
  const cache = createStreamCache<Loaded<unknown>>(limits);
  const sealed = snapshots && { store: snapshots.store, secret: Uint8Array.from(snapshots.secret), every: snapshots.every ?? DEFAULT_SNAPSHOT_EVERY };
  return {
    cache,
    subjects: createStreamFolder(store, initialSubjectState, evolveSubject, { cache, snapshots: sealed && { ...sealed, codec: subjectStateCodec } }),
    recipients: createStreamFolder(store, initialRecipientState, evolveRecipient, { cache, snapshots: sealed && { ...sealed, codec: recipientStateCodec } }),
    applications: createStreamFolder<null>(store, null, () => null, { cache }),
  };
}

export function createContext(options: LedgerOptions<ApplicationCatalog>): LedgerContext {
  const { store, keys, policy } = options;
  const applicationEvents = defineApplicationEvents(options.events ?? {}, options.upcasters ?? {});
  const { cache, subjects, recipients, applications } = createFolders(store, options);
  const readClock = options.clock ?? (() => new Date());
  // Every time the ledger records passes here, so a broken clock stops a write before anything is appended.
  const clock = (): Date => checkedTime(readClock());
  const retry = retryPolicies(options);
  const appender: Appender = { store, clock, queue: createStreamQueue() };
  const recordPolicyOnce = policyRecorder(appender, policy, retry.rights);
  return {
    store,
    keys,
    policy,
    clock,
    retry,
    subjects,
    recipients,
    applications,
    applicationEvents,
    cacheStats: () => cache.stats(),
    values: createPersonalValues(keys, subjects),
    async write(step) {
      await recordPolicyOnce();
      return execute(appender, step);
    },
    recordPolicy: recordPolicyOnce,
    exportSubject: (subjectId) => exportSubject({ store, keys, policy, clock }, parseOrThrow(SubjectId, subjectId, 'subjectId')),
  };
}
