import { z } from 'zod';
import { decideSubject, type SubjectState } from '../../decider';
import { parseOrThrow } from '../../errors';
import { GrantMethod, Notice, Purpose, type CustodianEvent } from '../../events';
import { checkConsentExpiry, checkConsentPurpose } from '../../policy';
import type { LedgerContext } from '../context';
import { permit } from '../permit';
import { FreeText, OnSubject, When } from './command-parts';
import { onSubject, single } from './on-stream';

export const GrantConsentInput = z.strictObject({
  ...OnSubject,
  purpose: Purpose,
  notice: Notice,
  /** How she gave it; never `gpc`, a signal that only opts out (`applyPrivacySignal`). */
  method: GrantMethod,
  /** What was shown or signed; sealed, since it may hold personal data. */
  evidence: FreeText.optional(),
  /** Must be after the grant, as the ledger's clock tells it. */
  expiresAt: When.optional(),
});
export type GrantConsentInput = z.input<typeof GrantConsentInput>;

/**
 * Records the subject's consent to a purpose that rests on consent; a subject right. Where a
 * privacy signal opted her out of the purpose, or she objected to it as direct marketing, only
 * her own grant is recorded (`actor.kind: 'subject'`), naming what it lifts.
 */
export async function grantConsent(context: LedgerContext, raw: GrantConsentInput): Promise<CustodianEvent> {
  const { policy } = context;
  const command = parseOrThrow(GrantConsentInput, raw, 'grantConsent');
  checkConsentPurpose(policy, command.purpose);
  // Checked before anything is written, and again against the time the grant is recorded at.
  checkConsentExpiry(command.expiresAt, context.clock());
  permit(policy, 'grantConsent', command);
  const evidence = await context.values.sealText(command.subjectId, 'evidence', command.evidence);
  const { actor, purpose, notice, method } = command;
  const expiresAt = command.expiresAt?.toISOString();
  const decide = (state: SubjectState, now: Date) => {
    checkConsentExpiry(command.expiresAt, now);
    return decideSubject({ type: 'grantConsent', actor, purpose, notice, method, ...(evidence && { evidence }), ...(expiresAt && { expiresAt }) }, state, policy);
  };
  return single(onSubject(context, command, decide, context.retry.rights));
}
