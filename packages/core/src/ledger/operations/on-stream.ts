import { decideRecipient, type EventDraft, type RecipientCommand, type RecipientState, type SubjectState } from '../../decider';
import { recipientStream, subjectStream, type CustodianEvent } from '../../events';
import type { LedgerContext } from '../context';
import type { Executed, Meta } from '../execute';
import type { RetryPolicy } from '../retry';

/** Writes to the subject's stream what `decide` makes of its state; a use is retried `maxAttempts` times unless told otherwise. */
export function onSubject(
  context: LedgerContext,
  meta: Meta & { readonly subjectId: string },
  decide: (state: SubjectState, now: Date) => EventDraft[],
  retry: RetryPolicy = context.retry.decisions,
): Promise<Executed<SubjectState>> {
  return context.write({ folder: context.subjects, stream: subjectStream(meta.subjectId), meta, decide, retry });
}

/** Writes to the recipient's stream what the recipient decider makes of the command. */
export function onRecipient(context: LedgerContext, meta: Meta & { readonly recipientId: string }, command: RecipientCommand): Promise<Executed<RecipientState>> {
  const decide = (state: RecipientState) => decideRecipient(command, state);
  return context.write({ folder: context.recipients, stream: recipientStream(meta.recipientId), meta, decide, retry: context.retry.decisions });
}

/** The one event an operation records. */
export async function single(written: Promise<Executed<unknown>>): Promise<CustodianEvent> {
  return (await written).appended[0] as CustodianEvent;
}
