import { checkUse, type Policy, type RuleOutcome } from '../policy';
import type { CustodianEvent } from '../events';
import type { EventStore } from '../store';
import { replay, type ReplayStep } from './replay';

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

/** What a decision met: its subject's state, the recipients' and the policy in force. */
export type StateMet = Pick<ReplayStep, 'subjectBefore' | 'recipients' | 'policy'>;

/** Re-runs the rules for a recorded use, access or share against the state and the policy it met. */
export function recheck(fallback: Policy, step: StateMet & { event: Decided }): RuleOutcome {
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
 */
export async function findViolations(store: EventStore, policy: Policy): Promise<Violation[]> {
  const found: Violation[] = [];
  for await (const step of replay(store)) {
    if (!isDecided(step.event)) continue;
    const event = step.event;
    const outcome = recheck(policy, { ...step, event });
    const violation = (reason: string, detail: string): Violation => ({
      eventId: event.id,
      type: event.type,
      subjectId: event.subjectId ?? '',
      stream: step.record.stream,
      revision: step.record.revision,
      position: step.record.position,
      occurredAt: event.occurredAt,
      actorId: event.actor.id,
      reason,
      detail,
    });
    if (!outcome.allowed) found.push(violation(outcome.reason, outcome.detail));
    else if (outcome.basis.legalBasis !== event.data.basis.legalBasis || outcome.basis.consentEventId !== event.data.basis.consentEventId)
      found.push(violation('basis_mismatch', `recorded basis ${describe(event.data.basis)}, but the basis in force was ${describe(outcome.basis)}`));
  }
  return found;
}

const describe = (basis: { legalBasis: string; consentEventId?: string | undefined }) =>
  basis.consentEventId ? `${basis.legalBasis} (${basis.consentEventId})` : basis.legalBasis;
