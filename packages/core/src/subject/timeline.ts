import type { Actor, CustodianEvent } from '../events';
import type { Policy } from '../policy';
import type { RecipientEntry } from '../projections';
import { DESCRIBERS, type Described, type Describer } from './describers';
import type { TimelineKind } from './kinds';
import { actorWords } from './words';

export interface TimelineRecipient {
  readonly id: string;
  readonly name?: string | undefined;
  readonly country?: string | undefined;
  readonly agreement?: string | undefined;
}

/** One step of the lifecycle: what happened, who did it and why, in plain words. No personal values. */
export interface TimelineItem {
  readonly kind: TimelineKind;
  readonly at: string;
  readonly eventId: string;
  readonly eventType: string;
  readonly what: string;
  readonly who: string;
  readonly why: string;
  readonly actor: Actor;
  readonly purposes: readonly string[];
  readonly categories: readonly string[];
  readonly recipients: readonly TimelineRecipient[];
  /** What the processing was, in the words of the service that did it: `campaign:spring-sale`. */
  readonly activity?: string | undefined;
  /** The legal basis code that allowed it, for an allowed use, access or share. */
  readonly basis?: string | undefined;
  /** The refusal reason code, for a refused attempt. */
  readonly reason?: string | undefined;
  /** The ledger's own sentence about a refusal. */
  readonly detail?: string | undefined;
}

export interface TimelineContext {
  readonly subjectId: string;
  readonly policy?: Policy | undefined;
  readonly recipients: ReadonlyMap<string, RecipientEntry>;
}

/** The subject's stream as a timeline, oldest first. */
export function buildTimeline(events: readonly CustodianEvent[], context: TimelineContext): TimelineItem[] {
  const items: TimelineItem[] = [];
  const consents = new Map<string, Extract<CustodianEvent, { type: 'ConsentGranted' }>>();
  const words = { ...context, consents };
  for (const event of events) {
    if (event.type === 'ConsentGranted') consents.set(event.id, event);
    // Each describer takes the event of its own type: the map is keyed by that type.
    const describe = DESCRIBERS[event.type] as Describer<CustodianEvent> | undefined;
    const described = describe?.(event, words);
    if (described) items.push(itemOf(event, described, context.subjectId));
  }
  return items;
}

/**
 * One event as a step, outside its subject's story (an auditor's list across subjects): the
 * consent a use rests on is not at hand, so its basis is told by its legal basis alone.
 * Undefined for an event that is no step of a subject's lifecycle.
 */
export function describeEvent(event: CustodianEvent, context: Omit<TimelineContext, 'subjectId'>): TimelineItem | undefined {
  const describe = DESCRIBERS[event.type] as Describer<CustodianEvent> | undefined;
  const described = describe?.(event, { ...context, consents: new Map() });
  return described && itemOf(event, described, event.subjectId ?? '');
}

function itemOf(event: CustodianEvent, described: Described, subjectId: string): TimelineItem {
  const { kind, what, why, purposes = [], categories = [], recipients = [], ...rest } = described;
  return {
    kind,
    at: event.occurredAt,
    eventId: event.id,
    eventType: event.type,
    what,
    who: actorWords(event.actor, subjectId),
    why,
    actor: event.actor,
    purposes,
    categories,
    recipients,
    ...rest,
  };
}
