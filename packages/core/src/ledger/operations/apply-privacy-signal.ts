import { v7 as uuidv7 } from 'uuid';
import { z } from 'zod';
import { decideSubject, type SubjectState } from '../../decider';
import { parseOrThrow } from '../../errors';
import { PrivacySignal, SignalSource, type CustodianEvent } from '../../events';
import { checkSignalReceived } from '../../policy';
import type { LedgerContext } from '../context';
import { permit } from '../permit';
import { OnSubject, When } from './command-parts';
import { onSubject, single } from './on-stream';

export const ApplyPrivacySignalInput = z.strictObject({
  ...OnSubject,
  signal: PrivacySignal,
  /** Where the signal was read, and the origin of the site it was sent to: never an IP address, a user agent or a page's path. */
  source: SignalSource,
  /** When the service received it; not after the ledger records it. */
  receivedAt: When.optional(),
});
export type ApplyPrivacySignalInput = z.input<typeof ApplyPrivacySignalInput>;

/**
 * Honours an opt-out preference signal (Global Privacy Control): opts the subject out of every
 * purpose the policy marks with it (`optOutSignals`), recorded as `PrivacySignalApplied`. It
 * never grants anything; each recipient that received data for one of those purposes is owed a
 * notice (`RecipientNoticeOwed`, reason `opted_out`). A subject right: a service passes on its customer's signal with a role
 * the policy names for `applyPrivacySignal` (`privacy` by default).
 */
export async function applyPrivacySignal(context: LedgerContext, raw: ApplyPrivacySignalInput): Promise<CustodianEvent> {
  const command = parseOrThrow(ApplyPrivacySignalInput, raw, 'applyPrivacySignal');
  checkSignalReceived(command.receivedAt, context.clock());
  permit(context.policy, 'applyPrivacySignal', command);
  const { signal, source } = command;
  const receivedAt = command.receivedAt?.toISOString();
  const eventId = uuidv7();
  const decide = (state: SubjectState, now: Date) => {
    checkSignalReceived(command.receivedAt, now);
    return decideSubject({ type: 'applyPrivacySignal', signal, source, eventId, ...(receivedAt && { receivedAt }) }, state, context.policy);
  };
  return single(onSubject(context, command, decide, context.retry.rights));
}
