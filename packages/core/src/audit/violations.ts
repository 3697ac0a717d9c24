import { evolveRecipient, initialRecipientState, type RecipientState } from '../decider';
import { events, type CustodianEvent } from '../events';
import { checkUse, policyFromRecord, type Policy, type RecipientFacts, type RuleOutcome, type SubjectFacts } from '../policy';
import type { EventStore } from '../store';
import { createFactsFold, factsOf, type HeldFacts } from './subject-facts';

export interface Violation {
  readonly eventId: string;
  readonly type: 'DataUsed' | 'DataAccessed' | 'DataShared';
  readonly subjectId: string;
  readonly stream: string;
  readonly revision: bigint;
  readonly position: bigint;
  readonly occurredAt: string;
  readonly actorId: string;
  /** A denial reason code, or `basis_mismatch` when a basis existed but not the one recorded. */
  readonly reason: string;
  readonly detail: string;
}

type Decided = Extract<CustodianEvent, { type: 'DataUsed' | 'DataAccessed' | 'DataShared' }>;

const isDecided = (event: CustodianEvent): event is Decided => event.type === 'DataUsed' || event.type === 'DataAccessed' || event.type === 'DataShared';

/** What a recorded decision met: the subject and the recipients as they stood, and the policy in force. */
export interface DecisionContext {
  readonly event: Decided;
  readonly subjectBefore: SubjectFacts;
  readonly recipients: ReadonlyMap<string, RecipientFacts>;
  readonly policy?: { readonly policy: Policy; readonly eventId: string } | undefined;
}

/** The state a decision met, without the decision itself. */
export type StateMet = Omit<DecisionContext, 'event'>;

export interface ViolationsOptions {
  /** Called as the log is read, with the count of events read so far (progress bars). */
  onProgress?: (read: number) => void;
}

/** Re-runs the rules for a recorded use, access or share against the state and the policy it met. */
export function recheck(fallback: Policy, step: DecisionContext): RuleOutcome {
  const { event } = step;
  const policy = step.policy?.policy ?? fallback;
  const recipientId = event.type === 'DataShared' ? event.data.recipientId : undefined;
  return checkUse(policy, step.subjectBefore, {
    operation: event.type === 'DataUsed' ? 'use' : event.type === 'DataAccessed' ? 'access' : 'share',
    actor: event.actor,
    purpose: event.data.purpose,
    categories: event.data.categories,
    now: new Date(event.occurredAt),
    recipient: recipientId === undefined ? undefined : step.recipients.get(recipientId),
  });
}

/**
 * Every recorded use, access or share that had no valid basis at its place in history,
 * judged by the policy then in force (as recorded by `PolicyDefined`), or by `policy`
 * where the log records none. Events written around the ledger are judged like any other.
 * One pass in global order that holds, per customer, only what the rules read.
 */
export async function findViolations(store: EventStore, policy: Policy, options: ViolationsOptions = {}): Promise<Violation[]> {
  const found: Violation[] = [];
  const fold = createFactsFold();
  const subjects = new Map<string, HeldFacts>();
  const recipients = new Map<string, RecipientState>();
  let inForce: DecisionContext['policy'];
  let read = 0;
  for await (const record of store.readAll()) {
    options.onProgress?.(++read);
    const event = events.decode(record.data);
    if (event.type === 'PolicyDefined') {
      inForce = { policy: policyFromRecord(event.data), eventId: event.id };
      continue;
    }
    const { subjectId } = event;
    if (subjectId === undefined) {
      const id = (event.data as { recipientId?: string }).recipientId;
      if (id !== undefined) recipients.set(id, evolveRecipient(recipients.get(id) ?? initialRecipientState, event));
      continue;
    }
    let held = subjects.get(subjectId);
    if (isDecided(event)) {
      const outcome = recheck(policy, { event, subjectBefore: factsOf(held ?? fold.empty()), recipients, policy: inForce });
      const violation = (reason: string, detail: string): Violation => ({
        eventId: event.id,
        type: event.type,
        subjectId,
        stream: record.stream,
        revision: record.revision,
        position: record.position,
        occurredAt: event.occurredAt,
        actorId: event.actor.id,
        reason,
        detail,
      });
      if (!outcome.allowed) found.push(violation(outcome.reason, outcome.detail));
      else if (outcome.basis.legalBasis !== event.data.basis.legalBasis || outcome.basis.consentEventId !== event.data.basis.consentEventId)
        found.push(violation('basis_mismatch', `recorded basis ${describe(event.data.basis)}, but the basis in force was ${describe(outcome.basis)}`));
      continue;
    }
    if (held === undefined) subjects.set(subjectId, (held = fold.empty()));
    fold.absorb(held, event);
  }
  return found;
}

const describe = (basis: { legalBasis: string; consentEventId?: string | undefined }) =>
  basis.consentEventId ? `${basis.legalBasis} (${basis.consentEventId})` : basis.legalBasis;
