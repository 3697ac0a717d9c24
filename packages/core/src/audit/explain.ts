import { CustodianError, parseOrThrow } from '../errors';
import { EventId, type CustodianEvent } from '../events';
import type { Policy, PurposeRule, RuleOutcome } from '../policy';
import type { EventStore } from '../store';
import { replay } from './replay';
import { recheck } from './violations';

export class EventNotFoundError extends CustodianError {
  readonly code = 'EVENT_NOT_FOUND';
  constructor(readonly eventId: string) {
    super(`no event ${eventId} in the store`);
  }
}

export class NotADecisionError extends CustodianError {
  readonly code = 'NOT_A_DECISION';
  constructor(
    readonly eventId: string,
    readonly type: string,
  ) {
    super(`event ${eventId} is a ${type}, not a use, access, share or refusal`);
  }
}

export interface Explanation {
  readonly event: CustodianEvent;
  readonly decision: 'allowed' | 'denied';
  /** What the rules say when replayed against the history as it stood just before the event. */
  readonly replayed: RuleOutcome;
  /** Whether the replayed outcome is the one recorded (same allowance, same basis or reason). */
  readonly consistent: boolean;
  readonly purpose: { readonly name: string; readonly rule?: PurposeRule | undefined };
  readonly actor: { readonly id: string; readonly roles: readonly string[]; readonly rolesAllowed: readonly string[] };
  /** The events that justified or refused it: the policy in force, the consent, the collection, the recipient's verification, the withdrawal… */
  readonly evidence: readonly CustodianEvent[];
}

type Explainable = Extract<CustodianEvent, { type: 'DataUsed' | 'DataAccessed' | 'DataShared' | 'UseDenied' }>;

/** The events and the policy rule that justified (or refused) one recorded decision. */
export async function explainDecision(store: EventStore, policy: Policy, eventId: string): Promise<Explanation> {
  // Only an id shaped like one reaches EventNotFoundError, which names it.
  parseOrThrow(EventId, eventId, 'explain');
  let replayed: RuleOutcome | undefined;
  let target: Explainable | undefined;
  let inForce: { policy: Policy; eventId: string } | undefined;
  for await (const step of replay(store)) {
    if (step.event.id !== eventId) continue;
    const event = step.event;
    if (event.type === 'UseDenied') {
      const asDecided = {
        ...event,
        type: event.data.operation === 'use' ? 'DataUsed' : event.data.operation === 'access' ? 'DataAccessed' : 'DataShared',
        data: { ...event.data, recipientId: event.data.recipientId ?? '' },
      } as unknown as Parameters<typeof recheck>[1]['event'];
      replayed = recheck(policy, { ...step, event: asDecided });
    } else if (event.type === 'DataUsed' || event.type === 'DataAccessed' || event.type === 'DataShared') {
      replayed = recheck(policy, { ...step, event });
    } else throw new NotADecisionError(eventId, event.type);
    target = event;
    inForce = step.policy;
    break;
  }
  if (!target || !replayed) throw new EventNotFoundError(eventId);

  const wanted = new Set([...(inForce ? [inForce.eventId] : []), ...replayed.evidence]);
  const evidence: CustodianEvent[] = [];
  if (wanted.size > 0) for await (const step of replay(store)) if (wanted.has(step.event.id)) evidence.push(step.event);

  const rule = (inForce?.policy ?? policy).purposes.get(target.data.purpose);
  const consistent =
    target.type === 'UseDenied'
      ? !replayed.allowed && replayed.reason === target.data.reason
      : replayed.allowed && replayed.basis.legalBasis === target.data.basis.legalBasis && replayed.basis.consentEventId === target.data.basis.consentEventId;
  return {
    event: target,
    decision: target.type === 'UseDenied' ? 'denied' : 'allowed',
    replayed,
    consistent,
    purpose: { name: target.data.purpose, rule },
    actor: { id: target.actor.id, roles: target.actor.roles, rolesAllowed: target.actor.roles.filter((role) => rule?.roles.includes(role)) },
    evidence,
  };
}
