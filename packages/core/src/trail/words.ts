import type { CustodianEvent } from '../events';

type Said = { readonly what: string; readonly why: string };

/**
 * What the events outside a subject's lifecycle say, for an actor's trail: the registry of
 * recipients and the policy the ledger recorded. The subject's own steps are told by
 * `describeEvent`.
 */
export function registryWords(event: CustodianEvent): Said | undefined {
  switch (event.type) {
    case 'RecipientRegistered':
      return {
        what: `Registered recipient ${event.data.recipientId}: ${event.data.name} (${event.data.country}).`,
        why: `Data may be shared with it under agreement ${event.data.agreement} once it is verified.`,
      };
    case 'RecipientVerified':
      return {
        what: `Verified recipient ${event.data.recipientId}.`,
        why: event.data.evidence ? `On the evidence of: ${event.data.evidence}.` : 'Data may be shared with it from then on.',
      };
    case 'RecipientSuspended':
      return { what: `Suspended recipient ${event.data.recipientId}.`, why: `Because: ${event.data.reason}. No share with it is allowed until it is verified again.` };
    case 'PolicyDefined':
      return {
        what: `Recorded the policy in force: ${event.data.purposes.length} ${event.data.purposes.length === 1 ? 'purpose' : 'purposes'}.`,
        why: `Decisions from then on are judged by it (digest ${event.data.digest.slice(0, 12)}…).`,
      };
    default:
      return undefined;
  }
}
