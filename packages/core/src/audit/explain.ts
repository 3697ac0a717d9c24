import { evolveRecipient, evolveSubject, initialRecipientState, initialSubjectState, type RecipientState, type SubjectState } from '../decider';
import { CustodianError, parseOrThrow } from '../errors';
import { EventId, POLICY_STREAM, readDecoded, recipientStream, type CustodianEvent } from '../events';
import { policyFromRecord, type Policy, type PurposeRule, type RuleOutcome } from '../policy';
import { locateEvent, type EventLocation, type EventStore, type RecordedEvent } from '../store';
import { recheck, type StateMet } from './violations';

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
type Read = { event: CustodianEvent; record: RecordedEvent };

/**
 * The events and the policy rule that justified (or refused) one recorded decision. It
 * reads the decision's own stream up to it, the recipient's stream and the policy stream,
 * each only before the decision's position: one customer's events, not the log (the
 * store's `locate` finds the event; see `locateEvent` for stores without it).
 */
export async function explainDecision(store: EventStore, policy: Policy, eventId: string): Promise<Explanation> {
  // Only an id shaped like one reaches EventNotFoundError, which names it.
  parseOrThrow(EventId, eventId, 'explain');
  const at = await locateEvent(store, eventId);
  if (at === undefined) throw new EventNotFoundError(eventId);
  const { target, before } = await readUpTo(store, at, eventId);
  if (target.type !== 'DataUsed' && target.type !== 'DataAccessed' && target.type !== 'DataShared' && target.type !== 'UseDenied')
    throw new NotADecisionError(eventId, target.type);
  const step = await stepBefore(store, at, target, before);
  const replayed = recheckDecision(policy, step, target);

  const read = [...before, ...step.read];
  const wanted = new Set([...(step.policy ? [step.policy.eventId] : []), ...replayed.evidence]);
  const evidence = gather(read, wanted);
  const rule = (step.policy?.policy ?? policy).purposes.get(target.data.purpose);
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

/** The event's stream up to and including it: the event, and what came before it in its stream. */
async function readUpTo(store: EventStore, at: EventLocation, eventId: string): Promise<{ target: CustodianEvent; before: Read[] }> {
  const read = (await readDecoded(store, at.stream)).slice(0, Number(at.revision) + 1);
  const last = read.pop();
  if (last === undefined || last.event.id !== eventId) throw new EventNotFoundError(eventId);
  return { target: last.event, before: read };
}

/** The state the decision met: its subject's, its recipient's and the policy in force, each read before its position. */
async function stepBefore(store: EventStore, at: EventLocation, target: Explainable, before: readonly Read[]) {
  const earlier = async (stream: string) => (await readDecoded(store, stream)).filter(({ record }) => record.position < at.position);
  const policies = await earlier(POLICY_STREAM);
  const recipientId = 'recipientId' in target.data ? target.data.recipientId : undefined;
  const recipientEvents = recipientId === undefined ? [] : await earlier(recipientStream(recipientId));
  let subjectBefore: SubjectState = initialSubjectState;
  for (const { event } of before) subjectBefore = evolveSubject(subjectBefore, event);
  let recipient: RecipientState = initialRecipientState;
  for (const { event } of recipientEvents) recipient = evolveRecipient(recipient, event);
  // A recipient with no events stands as never registered, which is how the rules read an absent one.
  const recipients = new Map<string, RecipientState>(recipientId === undefined ? [] : [[recipientId, recipient]]);
  const defined = policies.filter(({ event }) => event.type === 'PolicyDefined').pop();
  const inForce = defined?.event.type === 'PolicyDefined' ? { policy: policyFromRecord(defined.event.data), eventId: defined.event.id } : undefined;
  return { subjectBefore, recipients, policy: inForce, read: [...policies, ...recipientEvents] };
}

function recheckDecision(policy: Policy, step: StateMet, event: Explainable): RuleOutcome {
  if (event.type !== 'UseDenied') return recheck(policy, { ...step, event });
  // A refused share without a recipient id meets no recipient, as one never registered.
  const asDecided = {
    ...event,
    type: event.data.operation === 'use' ? 'DataUsed' : event.data.operation === 'access' ? 'DataAccessed' : 'DataShared',
  } as unknown as Parameters<typeof recheck>[1]['event'];
  return recheck(policy, { ...step, event: asDecided });
}

/**
 * The wanted events in global order, from the streams read: every id the rules name is of
 * an event the fold read (the subject's or the recipient's), and the policy's is the policy stream's.
 */
function gather(read: readonly Read[], wanted: ReadonlySet<string>): CustodianEvent[] {
  const found = new Map<string, Read>();
  for (const item of read) if (wanted.has(item.event.id)) found.set(item.event.id, item);
  return [...found.values()].sort((a, b) => (a.record.position < b.record.position ? -1 : 1)).map(({ event }) => event);
}
