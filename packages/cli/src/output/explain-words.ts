import {
  actorWords,
  basisWords,
  describeEvent,
  listWords,
  recipientsProjection,
  applyToProjection,
  refusalWords,
  registryWords,
  timeWords,
  type Basis,
  type CustodianEvent,
  type Explanation,
  type Policy,
  type RecipientEntry,
  type RuleOutcome,
} from '@custodian/core';

/** One evidence event, in words. */
export interface EvidenceWords {
  readonly eventId: string;
  readonly eventType: string;
  readonly at: string;
  readonly what: string;
}

/** What `audit.explain` returns, as sentences for people: each line names its facts and never a personal value. */
export interface ExplanationWords {
  readonly headline: string;
  readonly who: string;
  readonly what: string;
  readonly recorded: string;
  readonly replayed: string;
  readonly verdict: string;
  readonly purpose: string;
  readonly roles: string;
  readonly evidence: readonly EvidenceWords[];
}

const basisSentence = (basis: Basis): string =>
  `allowed, on the legal basis of ${basisWords(basis.legalBasis)}${basis.consentEventId ? ` (consent event ${basis.consentEventId})` : ''}`;
const refusalSentence = (reason: string, detail: string): string => `refused, because ${refusalWords(reason)} (${reason}: ${detail})`;

function recordedSentence(event: Explanation['event']): string {
  if (event.type === 'UseDenied') return refusalSentence(event.data.reason, event.data.detail);
  if (event.type === 'DataUsed' || event.type === 'DataAccessed' || event.type === 'DataShared') return basisSentence(event.data.basis);
  return event.type;
}

const replayedSentence = (outcome: RuleOutcome): string => (outcome.allowed ? basisSentence(outcome.basis) : refusalSentence(outcome.reason, outcome.detail));

function purposeSentence({ name, rule }: Explanation['purpose']): string {
  if (!rule) return `${name}: not a purpose the policy in force declares.`;
  const described = rule.description ? ` (${rule.description})` : '';
  return `${name}${described}: legal basis ${basisWords(rule.legalBasis)}; covers ${listWords(rule.categories)}; roles allowed ${listWords(rule.roles)}; sharing ${rule.sharing ? 'allowed' : 'not allowed'}; kept ${rule.retention}.`;
}

function rolesSentence({ roles, rolesAllowed }: Explanation['actor']): string {
  const held = roles.length > 0 ? `holds ${roles.length === 1 ? 'the role' : 'the roles'} ${listWords(roles)}` : 'holds no role';
  return `${held}; ${rolesAllowed.length > 0 ? `allowed for this purpose: ${listWords(rolesAllowed)}` : 'none allowed for this purpose'}.`;
}

/** The words of one explanation, in the policy's words for its purposes. The recipients' names come from the evidence itself (a share's recipient registration). */
export function explanationWords(explanation: Explanation, policy?: Policy): ExplanationWords {
  const { event } = explanation;
  const recipients = new Map<string, RecipientEntry>();
  for (const evidence of explanation.evidence) applyToProjection(recipientsProjection, recipients, evidence);
  const context = { policy, recipients };
  const said = (e: CustodianEvent) => describeEvent(e, context) ?? registryWords(e) ?? { what: `Recorded ${e.type}.` };
  const described = describeEvent(event, context);
  return {
    headline: `${event.type} ${event.id}${event.subjectId ? ` of subject ${event.subjectId}` : ''}, ${timeWords(event.occurredAt)}`,
    who: actorWords(event.actor, event.subjectId ?? ''),
    what: `${said(event).what}${described?.activity ? ` Activity: ${described.activity}.` : ''}`,
    recorded: recordedSentence(event),
    replayed: replayedSentence(explanation.replayed),
    verdict: explanation.consistent
      ? 'Replayed against the history before it, the rules give the decision that was recorded.'
      : 'Replayed against the history before it, the rules give another decision than the one recorded: the record does not rest on what the rules allowed then.',
    purpose: purposeSentence(explanation.purpose),
    roles: rolesSentence(explanation.actor),
    evidence: explanation.evidence.map((e) => ({ eventId: e.id, eventType: e.type, at: e.occurredAt, what: said(e).what })),
  };
}
