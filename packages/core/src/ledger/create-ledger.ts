import { hash } from 'node:crypto';
import { explainDecision, exportSubject, findViolations, verifyChain, type Explanation, type SubjectExport, type VerifyOptions, type VerifyResult, type Violation } from '../audit';
import { canonicalJson, KeyDestroyedError, openValue, sealValue, type KeyStore } from '../crypto';
import { describeKey, parseOrThrow, ValidationError } from '../errors';
import { events, POLICY_STREAM, recipientStream, subjectStream, SubjectId, type Actor, type Basis, type CustodianEvent, type DenialReason } from '../events';
import { addDuration, mayPerform, policyRecord, type LedgerOperation, type Policy } from '../policy';
import type { EventStore } from '../store';
import * as input from './commands';
import {
  CommandRefusedError,
  decideRecipient,
  decideSubject,
  evolveRecipient,
  evolveSubject,
  initialRecipientState,
  initialSubjectState,
  type EventDraft,
  type RecipientState,
  type SubjectState,
} from '../decider';
import { createReadSide, type AsOf, type ReadSide } from '../projections';
import { checkedTime, NotPermittedError } from './errors';
import { retryOnConflict, type RetryPolicy } from './retry';
import { createStreamFolder, type Loaded, type StreamFolder } from './stream-folder';
import { createStreamQueue } from './stream-queue';

export interface LedgerOptions {
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
}

/** A refusal is an answer, not an exception; either way the decision is recorded as `event`. */
export type Decision =
  | { readonly allowed: true; readonly basis: Basis; readonly event: CustodianEvent }
  | { readonly allowed: false; readonly reason: DenialReason; readonly detail: string; readonly event: CustodianEvent };

/** An access also returns the values, opened, when it is allowed; `erased` says why there are none. */
export type AccessDecision = Decision & { readonly data?: Readonly<Record<string, string>>; readonly erased?: boolean };

export interface Ledger extends ReadSide {
  collect(command: input.CollectInput): Promise<CustodianEvent>;
  rectify(command: input.RectifyInput): Promise<CustodianEvent>;
  grantConsent(command: input.GrantConsentInput): Promise<CustodianEvent>;
  withdrawConsent(command: input.WithdrawConsentInput): Promise<CustodianEvent>;
  object(command: input.ObjectInput): Promise<CustodianEvent>;
  restrict(command: input.RestrictInput): Promise<CustodianEvent>;
  liftRestriction(command: input.LiftRestrictionInput): Promise<CustodianEvent>;
  use(command: input.UseInput): Promise<Decision>;
  access(command: input.AccessInput): Promise<AccessDecision>;
  share(command: input.ShareInput): Promise<Decision>;
  revokeShare(command: input.RevokeShareInput): Promise<CustodianEvent>;
  registerRecipient(command: input.RegisterRecipientInput): Promise<CustodianEvent>;
  verifyRecipient(command: input.VerifyRecipientInput): Promise<CustodianEvent>;
  suspendRecipient(command: input.SuspendRecipientInput): Promise<CustodianEvent>;
  requestErasure(command: input.RequestErasureInput): Promise<CustodianEvent>;
  /** Crypto-shredding: destroys the subject's key, then records `DataErased` with the recipients notified. */
  erase(command: input.EraseInput): Promise<CustodianEvent>;
  /** A recipient confirmed it erased its copy (GDPR Art. 19). */
  confirmRecipientErasure(command: input.ConfirmRecipientErasureInput): Promise<CustodianEvent>;
  /** Records an Art. 15/20 request, hands over the export, and records its SHA-256 as fulfilled. */
  requestAccess(command: input.RequestAccessInput): Promise<AccessRequestResult>;
  /** The subject's own report (Art. 15/20), without recording a request. */
  exportSubject(subjectId: string): Promise<SubjectExport>;
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

export interface AccessRequestResult {
  readonly export: SubjectExport;
  /** The canonical JSON handed to the subject; `digest` is its SHA-256. */
  readonly json: string;
  readonly digest: string;
  readonly received: CustodianEvent;
  readonly fulfilled: CustodianEvent;
}

/** Who records the policy: the ledger itself, not the caller whose write happened to come first. */
const LEDGER_ACTOR: Actor = { id: 'custodian-ledger', kind: 'service', roles: [] };

interface Meta {
  actor: Actor;
  subjectId?: string | undefined;
  correlationId?: string | undefined;
  causationId?: string | undefined;
}

/** A decision on a state that may be behind: a refusal there is no answer yet, only a reason to read the store. */
function decideOrNothing(decide: () => EventDraft[]): EventDraft[] {
  try {
    return decide();
  } catch {
    return [];
  }
}

export function createLedger(options: LedgerOptions): Ledger {
  const { store, keys, policy } = options;
  const readClock = options.clock ?? (() => new Date());
  // Every time the ledger records passes here, so a broken clock stops a write before anything is appended.
  const clock = (): Date => checkedTime(readClock());
  const maxAttempts = options.maxAttempts ?? 10;
  // Other writers on the stream are in other processes (this one's queue orders its own), so
  // a conflict costs them a millisecond or so: backing off from 1 ms lets them finish.
  const forDecisions: RetryPolicy = { maxRetries: maxAttempts, deadlineMs: Number.POSITIVE_INFINITY, baseDelayMs: 1, maxDelayMs: 50 };
  const forRights: RetryPolicy = { maxRetries: Number.POSITIVE_INFINITY, deadlineMs: options.rightsDeadlineMs ?? 30_000, baseDelayMs: 1, maxDelayMs: 100 };
  const queue = createStreamQueue();
  const subjects = createStreamFolder<SubjectState>(store, initialSubjectState, evolveSubject);
  const recipients = createStreamFolder<RecipientState>(store, initialRecipientState, evolveRecipient);
  const policies = createStreamFolder<string | undefined>(store, undefined, (digest, event) => (event.type === 'PolicyDefined' ? event.data.digest : digest));
  const recordedPolicy = policyRecord(policy);
  let policyWritten: Promise<unknown> | undefined;

  /** Before its first write, the ledger records its policy unless the log's latest is the same one. */
  function recordPolicyOnce(): Promise<unknown> {
    policyWritten ??= execute(
      policies,
      POLICY_STREAM,
      { actor: LEDGER_ACTOR },
      (digest) => (digest === recordedPolicy.digest ? [] : [{ type: 'PolicyDefined', data: recordedPolicy }]),
      forRights,
    ).catch((error: unknown) => {
      policyWritten = undefined;
      throw error;
    });
    return policyWritten;
  }

  function permit(operation: LedgerOperation, actor: Actor, subjectId?: string, purposes?: readonly string[]): void {
    const permission = mayPerform(policy, { operation, actor, subjectId, purposes });
    if (!permission.ok) throw new NotPermittedError(operation, actor.id, permission.requiredRoles, permission.reason, permission.detail);
  }

  /** Load, decide, append with the revision read; on a concurrent append, read and decide again. */
  async function execute<S>(
    folder: StreamFolder<S>,
    stream: string,
    meta: Meta,
    decide: (state: S, now: Date) => EventDraft[],
    retry: RetryPolicy = forDecisions,
  ): Promise<{ appended: CustodianEvent[]; before: Loaded<S> }> {
    if (stream !== POLICY_STREAM) await recordPolicyOnce();
    // Attempt 0 decides on the cached state without reading the store. Its append expects the
    // cached revision, so if anything was appended since, the append fails and attempt 1 reads,
    // folds and decides again. A refusal (thrown) or a no-op is not checked by an append, so on
    // attempt 0 those are decided again on the state read from the store. The queue keeps this
    // process's own appends from landing in between, so the cached state is almost always right.
    const decideOn = async (attempt: number): Promise<{ loaded: Loaded<S>; now: Date; drafts: EventDraft[] }> => {
      const optimistic = attempt === 0 ? folder.cached(stream) : undefined;
      if (optimistic) {
        const now = clock();
        const drafts = decideOrNothing(() => decide(optimistic.state, now));
        if (drafts.length > 0) return { loaded: optimistic, now, drafts };
      }
      const loaded = await folder.load(stream);
      const now = clock();
      return { loaded, now, drafts: decide(loaded.state, now) };
    };
    const decideAndAppend = async (attempt: number) => {
      const { loaded, now, drafts } = await decideOn(attempt);
      if (drafts.length === 0) return { appended: [], before: loaded };
      let prevHash = loaded.lastHash;
      const sealed = drafts.map((draft) => {
        const result = events.seal(
          events.envelope(draft, { stream, subjectId: meta.subjectId, actor: meta.actor, now, correlationId: meta.correlationId, causationId: meta.causationId }),
          prevHash,
          // Every envelope field comes from the parsed command, uuid v7 or the clock.
          { envelopeChecked: true },
        );
        prevHash = result.event.hash;
        return result;
      });
      const { nextRevision } = await store.append(stream, sealed.map((s) => s.toAppend), loaded.revision);
      const appended = sealed.map((s) => s.event);
      folder.advance(stream, loaded, appended, nextRevision);
      return { appended, before: loaded };
    };
    return queue.run(stream, () => retryOnConflict(stream, decideAndAppend, retry));
  }

  async function onSubject(meta: Meta & { subjectId: string }, decide: (state: SubjectState, now: Date) => EventDraft[], retry?: RetryPolicy) {
    return execute(subjects, subjectStream(meta.subjectId), meta, decide, retry);
  }

  async function single(result: Promise<{ appended: CustodianEvent[] }>): Promise<CustodianEvent> {
    return (await result).appended[0] as CustodianEvent;
  }

  function toDecision(event: CustodianEvent): Decision {
    if (event.type === 'UseDenied') return { allowed: false, reason: event.data.reason, detail: event.data.detail, event };
    if (event.type === 'DataUsed' || event.type === 'DataAccessed' || event.type === 'DataShared') return { allowed: true, basis: event.data.basis, event };
    throw new TypeError(`${event.type} is not a decision`);
  }

  /** The subject's key; an erased subject has none, and is refused as the decider would refuse them. */
  async function keyOf(subjectId: string): Promise<Uint8Array> {
    try {
      return await keys.getOrCreate(subjectId);
    } catch (error) {
      if (error instanceof KeyDestroyedError) throw new CommandRefusedError('subject_erased', 'the subject was erased; nothing more is recorded about their data');
      throw error;
    }
  }

  async function sealAll(subjectId: string, values: Record<string, string>): Promise<Record<string, string>> {
    const key = await keyOf(subjectId);
    return Object.fromEntries(Object.entries(values).map(([category, value]) => [category, sealValue(key, value, `${subjectId}/${category}`)]));
  }

  async function sealText(subjectId: string, field: string, text: string | undefined): Promise<string | undefined> {
    return text === undefined ? undefined : sealValue(await keyOf(subjectId), text, `${subjectId}/${field}`);
  }

  const declaredPurposes = [...policy.purposes.keys()].join(', ');
  const declaredCategories = new Set([...policy.purposes.values()].flatMap((rule) => rule.categories));

  /**
   * The purposes a write names must be the policy's, and the categories it carries must belong to one of them.
   * A message names only the policy's own words: a caller's purpose or key that the policy does not declare is shown by place.
   */
  function checkPurposes(what: string, purposes: readonly string[], categories: readonly string[] = [], path = (i: number) => `purposes.${i}`): void {
    const issues: { path: string; message: string }[] = [];
    purposes.forEach((purpose, i) => {
      if (!policy.purposes.has(purpose)) issues.push({ path: path(i), message: `is not a purpose of the policy, which declares ${declaredPurposes}` });
    });
    const covered = new Set(purposes.flatMap((purpose) => policy.purposes.get(purpose)?.categories ?? []));
    categories.forEach((category, i) => {
      if (covered.has(category)) return;
      const at = declaredCategories.has(category) ? `data.${category}` : `data${describeKey(category, i, categories.length)}`;
      issues.push({ path: at, message: 'is not a category of any of the purposes named' });
    });
    if (issues.length > 0) throw new ValidationError(what, issues);
  }

  const readSide = createReadSide(store, clock);
  const exportOf = (subjectId: string) => exportSubject({ store, keys, policy, clock }, parseOrThrow(SubjectId, subjectId, 'subjectId'));

  return {
    ...readSide,
    store,
    policy,
    audit: {
      verify: (verifyOptions) => verifyChain(store, verifyOptions),
      violations: () => findViolations(store, policy),
      explain: (eventId) => explainDecision(store, policy, eventId),
      at: (asOf) => ({
        consentState: (subjectId) => readSide.consentState(subjectId, { at: asOf }),
        history: (subjectId) => readSide.history(subjectId, { at: asOf }),
        inventory: (subjectId) => readSide.inventory(subjectId, { at: asOf }),
        recipients: () => readSide.recipients({ at: asOf }),
      }),
    },
    exportSubject: exportOf,

    async requestAccess(raw) {
      const command = parseOrThrow(input.RequestAccessInput, raw, 'requestAccess');
      permit('requestAccess', command.actor, command.subjectId);
      const { right } = command;
      const received = await single(onSubject(command, (state) => decideSubject({ type: 'requestAccess', right }, state, policy), forRights));
      const report = await exportOf(command.subjectId);
      const json = canonicalJson(report);
      const digest = hash('sha256', json, 'hex');
      const fulfilled = await single(
        onSubject(
          { ...command, causationId: received.id },
          (state) => decideSubject({ type: 'fulfilAccessRequest', requestEventId: received.id, digest }, state, policy),
          forRights,
        ),
      );
      return { export: report, json, digest, received, fulfilled };
    },

    async collect(raw) {
      const command = parseOrThrow(input.CollectInput, raw, 'collect');
      checkPurposes('collect', command.purposes, Object.keys(command.data));
      permit('collect', command.actor, command.subjectId, command.purposes);
      const values = await sealAll(command.subjectId, command.data);
      const retention = Math.max(...command.purposes.map((p) => addDuration(clock(), policy.purposes.get(p)?.retention ?? 'P0D').getTime()));
      const legalBases = Object.fromEntries(command.purposes.map((p) => [p, policy.purposes.get(p)?.legalBasis ?? 'consent']));
      const { source, purposes, notice } = command;
      const retainUntil = new Date(retention).toISOString();
      return single(
        onSubject(command, (state) => decideSubject({ type: 'collect', source, purposes, legalBases, notice, retainUntil, values }, state, policy)),
      );
    },

    async rectify(raw) {
      const command = parseOrThrow(input.RectifyInput, raw, 'rectify');
      permit('rectify', command.actor, command.subjectId);
      const values = await sealAll(command.subjectId, command.data);
      return single(onSubject(command, (state) => decideSubject({ type: 'rectify', values }, state, policy)));
    },

    async grantConsent(raw) {
      const command = parseOrThrow(input.GrantConsentInput, raw, 'grantConsent');
      checkPurposes('grantConsent', [command.purpose], [], () => 'purpose');
      const basis = policy.purposes.get(command.purpose)?.legalBasis;
      if (basis !== 'consent') throw new ValidationError('grantConsent', [{ path: 'purpose', message: `rests on ${basis}, not on consent` }]);
      // Checked before anything is written, and again against the time the grant is recorded at.
      const checkExpiry = (now: Date) => {
        if (command.expiresAt && command.expiresAt.getTime() <= now.getTime())
          throw new ValidationError('grantConsent', [{ path: 'expiresAt', message: 'must be after the time of the grant' }]);
      };
      checkExpiry(clock());
      permit('grantConsent', command.actor, command.subjectId);
      const evidence = await sealText(command.subjectId, 'evidence', command.evidence);
      const { purpose, notice, method } = command;
      const expiresAt = command.expiresAt?.toISOString();
      return single(
        onSubject(command, (state, now) => {
          checkExpiry(now);
          return decideSubject({ type: 'grantConsent', purpose, notice, method, ...(evidence && { evidence }), ...(expiresAt && { expiresAt }) }, state, policy);
        }, forRights),
      );
    },

    async withdrawConsent(raw) {
      const command = parseOrThrow(input.WithdrawConsentInput, raw, 'withdrawConsent');
      permit('withdrawConsent', command.actor, command.subjectId);
      const { purpose, method } = command;
      return single(onSubject(command, (state) => decideSubject({ type: 'withdrawConsent', purpose, ...(method && { method }) }, state, policy), forRights));
    },

    async object(raw) {
      const command = parseOrThrow(input.ObjectInput, raw, 'object');
      if (command.purposes) checkPurposes('object', command.purposes);
      permit('object', command.actor, command.subjectId);
      const reason = await sealText(command.subjectId, 'objection', command.reason);
      const purposes = command.purposes;
      return single(onSubject(command, (state) => decideSubject({ type: 'object', ...(purposes && { purposes }), ...(reason && { reason }) }, state, policy), forRights));
    },

    async restrict(raw) {
      const command = parseOrThrow(input.RestrictInput, raw, 'restrict');
      permit('restrict', command.actor, command.subjectId);
      const reason = await sealText(command.subjectId, 'restriction', command.reason);
      return single(onSubject(command, (state) => decideSubject({ type: 'restrict', ...(reason && { reason }) }, state, policy), forRights));
    },

    async liftRestriction(raw) {
      const command = parseOrThrow(input.LiftRestrictionInput, raw, 'liftRestriction');
      permit('liftRestriction', command.actor, command.subjectId);
      return single(onSubject(command, (state) => decideSubject({ type: 'liftRestriction' }, state, policy)));
    },

    async use(raw) {
      const command = parseOrThrow(input.UseInput, raw, 'use');
      permit('use', command.actor, command.subjectId);
      const { actor, purpose, categories, activity } = command;
      const { appended } = await onSubject(command, (state, now) => decideSubject({ type: 'use', actor, purpose, categories, activity, now }, state, policy));
      return toDecision(appended[0] as CustodianEvent);
    },

    async access(raw) {
      const command = parseOrThrow(input.AccessInput, raw, 'access');
      permit('access', command.actor, command.subjectId);
      const { actor, purpose, categories, subjectId } = command;
      const { appended, before } = await onSubject(command, (state, now) => decideSubject({ type: 'access', actor, purpose, categories, now }, state, policy));
      const decision = toDecision(appended[0] as CustodianEvent);
      if (!decision.allowed) return decision.reason === 'erased' ? { ...decision, erased: true } : decision;
      const key = await keys.get(subjectId);
      if (!key) return { ...decision, erased: true };
      const data = Object.fromEntries(
        categories.map((category) => [category, openValue(key, before.state.collected.get(category)?.sealed ?? '', `${subjectId}/${category}`)]),
      );
      return { ...decision, data };
    },

    async share(raw) {
      const command = parseOrThrow(input.ShareInput, raw, 'share');
      permit('share', command.actor, command.subjectId);
      const { actor, purpose, categories, recipientId } = command;
      const recipient = (await recipients.load(recipientStream(recipientId))).state;
      const { appended } = await onSubject(command, (state, now) =>
        decideSubject({ type: 'share', actor, purpose, categories, recipientId, recipient, now }, state, policy),
      );
      return toDecision(appended[0] as CustodianEvent);
    },

    async revokeShare(raw) {
      const command = parseOrThrow(input.RevokeShareInput, raw, 'revokeShare');
      permit('revokeShare', command.actor, command.subjectId);
      const reason = await sealText(command.subjectId, 'share-revocation', command.reason);
      const { recipientId } = command;
      return single(onSubject(command, (state) => decideSubject({ type: 'revokeShare', recipientId, ...(reason && { reason }) }, state, policy)));
    },

    async registerRecipient(raw) {
      const command = parseOrThrow(input.RegisterRecipientInput, raw, 'registerRecipient');
      permit('registerRecipient', command.actor);
      const { recipientId, name, agreement, country } = command;
      return single(
        execute(recipients, recipientStream(recipientId), command, (state) => decideRecipient({ type: 'registerRecipient', recipientId, name, agreement, country }, state)),
      );
    },

    async verifyRecipient(raw) {
      const command = parseOrThrow(input.VerifyRecipientInput, raw, 'verifyRecipient');
      permit('verifyRecipient', command.actor);
      const { recipientId, evidence } = command;
      return single(
        execute(recipients, recipientStream(recipientId), command, (state) => decideRecipient({ type: 'verifyRecipient', recipientId, ...(evidence && { evidence }) }, state)),
      );
    },

    async suspendRecipient(raw) {
      const command = parseOrThrow(input.SuspendRecipientInput, raw, 'suspendRecipient');
      permit('suspendRecipient', command.actor);
      const { recipientId, reason } = command;
      return single(execute(recipients, recipientStream(recipientId), command, (state) => decideRecipient({ type: 'suspendRecipient', recipientId, reason }, state)));
    },

    async requestErasure(raw) {
      const command = parseOrThrow(input.RequestErasureInput, raw, 'requestErasure');
      permit('requestErasure', command.actor, command.subjectId);
      const reason = await sealText(command.subjectId, 'erasure-request', command.reason);
      return single(onSubject(command, (state) => decideSubject({ type: 'requestErasure', ...(reason && { reason }) }, state, policy), forRights));
    },

    async erase(raw) {
      const command = parseOrThrow(input.EraseInput, raw, 'erase');
      permit('erase', command.actor, command.subjectId);
      // Refuse before destroying anything if the history does not allow it.
      decideSubject({ type: 'erase' }, (await subjects.load(subjectStream(command.subjectId))).state, policy);
      // The key goes first: should the append then fail, the values are already
      // unreadable and a retried erase() completes the record.
      await keys.destroy(command.subjectId);
      return single(onSubject(command, (state) => decideSubject({ type: 'erase' }, state, policy), forRights));
    },

    async confirmRecipientErasure(raw) {
      const command = parseOrThrow(input.ConfirmRecipientErasureInput, raw, 'confirmRecipientErasure');
      permit('confirmRecipientErasure', command.actor, command.subjectId);
      const { recipientId } = command;
      return single(onSubject(command, (state) => decideSubject({ type: 'confirmRecipientErasure', recipientId }, state, policy)));
    },
  };
}
