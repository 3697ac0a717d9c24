import { decideSubject, evolveSubject, type SubjectCommand, type SubjectState } from '../decider';
import { ValidationError, type ValidationIssue } from '../errors';
import { events, subjectStream, type Actor, type CustodianEvent } from '../events';
import { checkConsentPurpose, checkPurposes, collectionTerms, type Policy } from '../policy';
import type { EventToAppend } from '../store';
import { backfillEventId } from './ids';
import type { BackfillRecord } from './record';

const issuesOf = (check: () => void, prefix: string): ValidationIssue[] => {
  try {
    check();
    return [];
  } catch (error) {
    if (!(error instanceof ValidationError)) throw error;
    return error.issues.map((issue) => ({ path: `${prefix}.${issue.path}`, message: issue.message }));
  }
};

const after = (path: string, time: Date, now: Date): ValidationIssue[] =>
  time.getTime() > now.getTime() ? [{ path, message: "is later than the import's time: a backfill records what is already on file" }] : [];

/**
 * What the policy and the import's time make of a well-formed line, as issues naming each
 * field: purposes and categories the policy declares, consent only for purposes resting on
 * it, no original time in the future, expiries and withdrawals after their grants, and no two
 * consents to one purpose held at once. Pure.
 */
export function lineIssues(record: BackfillRecord, policy: Policy, now: Date): ValidationIssue[] {
  const issues: ValidationIssue[] = [];
  record.collections.forEach((collection, i) => {
    const at = `collections.${i}`;
    issues.push(...issuesOf(() => checkPurposes(policy, 'collection', collection.purposes, Object.keys(collection.data)), at));
    issues.push(...after(`${at}.collectedAt`, collection.collectedAt, now));
  });
  record.consents.forEach((consent, i) => {
    const at = `consents.${i}`;
    issues.push(...issuesOf(() => checkConsentPurpose(policy, consent.purpose), at));
    issues.push(...after(`${at}.grantedAt`, consent.grantedAt, now));
    if (consent.expiresAt && consent.expiresAt.getTime() <= consent.grantedAt.getTime()) issues.push({ path: `${at}.expiresAt`, message: 'must be after grantedAt' });
    if (consent.withdrawnAt) {
      if (consent.withdrawnAt.getTime() < consent.grantedAt.getTime()) issues.push({ path: `${at}.withdrawnAt`, message: 'must not be before grantedAt' });
      issues.push(...after(`${at}.withdrawnAt`, consent.withdrawnAt, now));
    }
  });
  const byPurpose = new Map<string, number[]>();
  record.consents.forEach((consent, i) => byPurpose.set(consent.purpose, [...(byPurpose.get(consent.purpose) ?? []), i]));
  for (const indexes of byPurpose.values()) {
    const ordered = [...indexes].sort((a, b) => (record.consents[a]?.grantedAt.getTime() ?? 0) - (record.consents[b]?.grantedAt.getTime() ?? 0));
    ordered.slice(1).forEach((index, k) => {
      const earlier = ordered[k] as number;
      const end = record.consents[earlier]?.withdrawnAt?.getTime();
      if (end === undefined || end > (record.consents[index]?.grantedAt.getTime() ?? 0))
        issues.push({ path: `consents.${index}.grantedAt`, message: `falls while consent ${earlier} to the same purpose still holds: withdraw that one first` });
    });
  }
  return issues;
}

type Withdrawal = Extract<SubjectCommand, { type: 'withdrawConsent' }>;

/** What a line asks for: a collection, a grant, or a withdrawal whose event id is given when it is chained. */
export type PlannedCommand = Extract<SubjectCommand, { type: 'collect' | 'grantConsent' }> | Omit<Withdrawal, 'eventId'>;

/** A subject command and the original time it happened at. */
export interface TimedCommand {
  readonly at: Date;
  readonly command: PlannedCommand;
}

/** What was sealed for a line: each collection's values (with their keys' generations) and each consent's evidence, by index. */
export interface SealedLine {
  readonly values: readonly { readonly values: Record<string, string>; readonly sealedWith: Record<string, number> }[];
  readonly evidence: readonly (string | undefined)[];
}

/**
 * The line's commands in the order they happened, each at its original time; on equal times
 * a collection comes before a consent and a grant before its withdrawal. Retention runs from
 * the original collection time, as it would have had the ledger recorded it then.
 */
export function timedCommands(record: BackfillRecord, sealed: SealedLine, policy: Policy, actor: Actor): TimedCommand[] {
  const commands: TimedCommand[] = [];
  record.collections.forEach((collection, i) => {
    const { values, sealedWith } = sealed.values[i] ?? { values: {}, sealedWith: {} };
    const { legalBases, retention, retainUntil } = collectionTerms(policy, collection.purposes, collection.collectedAt, Object.keys(values));
    commands.push({
      at: collection.collectedAt,
      command: { type: 'collect', source: collection.source, purposes: collection.purposes, legalBases, notice: collection.notice, retainUntil, retention, values, sealedWith },
    });
  });
  const consents = record.consents.map((consent, i) => ({ consent, evidence: sealed.evidence[i] }));
  for (const { consent, evidence } of consents) {
    const { purpose, notice, method } = consent;
    const expiresAt = consent.expiresAt?.toISOString();
    commands.push({ at: consent.grantedAt, command: { type: 'grantConsent', actor, purpose, notice, method, ...(evidence && { evidence }), ...(expiresAt && { expiresAt }) } });
  }
  for (const { consent } of consents)
    if (consent.withdrawnAt) commands.push({ at: consent.withdrawnAt, command: { type: 'withdrawConsent', purpose: consent.purpose, method: consent.method } });
  // Array#sort is stable: equal times keep the order above.
  return commands.sort((a, b) => a.at.getTime() - b.at.getTime());
}

/** Who writes a line, and where it came from. */
export interface LinePlace {
  readonly importId: string;
  readonly line: number;
  readonly subjectId: string;
  readonly actor: Actor;
  /** When the import records it: every event's `recordedAt`. */
  readonly now: Date;
}

/**
 * The line's events decided on the customer's state and sealed into its chain after
 * `lastHash`, each with its id from the import and the line, its original time as
 * `occurredAt` and the import's time as `recordedAt`. Pure; throws `CommandRefusedError`
 * where the decider refuses (an erased customer).
 */
export function chainLine(
  commands: readonly TimedCommand[],
  from: { state: SubjectState; lastHash: string },
  place: LinePlace,
  policy: Policy,
): { toAppend: EventToAppend[]; appended: CustodianEvent[] } {
  const stream = subjectStream(place.subjectId);
  const backfill = { importId: place.importId, line: place.line };
  let { state, lastHash } = from;
  const toAppend: EventToAppend[] = [];
  const appended: CustodianEvent[] = [];
  const nextId = () => backfillEventId(place.importId, place.line, appended.length);
  for (const { at, command } of commands) {
    // A withdrawal's notices to recipients name it, so it is decided with the id it will be recorded under: the next of the line's.
    const decided = command.type === 'withdrawConsent' ? decideSubject({ ...command, eventId: nextId() }, state, policy) : decideSubject(command, state, policy);
    for (const draft of decided) {
      const id = nextId();
      const envelope = events.envelope(draft, { stream, subjectId: place.subjectId, actor: place.actor, now: place.now, occurredAt: at, backfill, id });
      // Every envelope field comes from the parsed line, the import's options or the ledger's clock.
      const sealed = events.seal(envelope, lastHash, { envelopeChecked: true });
      state = evolveSubject(state, sealed.event);
      lastHash = sealed.event.hash;
      toAppend.push(sealed.toAppend);
      appended.push(sealed.event);
    }
  }
  return { toAppend, appended };
}
