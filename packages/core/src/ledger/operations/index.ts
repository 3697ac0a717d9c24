import type { LedgerOperation } from '../../policy';
import type { LedgerContext } from '../context';
import { access } from './access';
import { applyPrivacySignal } from './apply-privacy-signal';
import { collect } from './collect';
import { confirmRecipientErasure } from './confirm-recipient-erasure';
import { confirmRecipientNotice } from './confirm-recipient-notice';
import { enforceRetention } from './enforce-retention';
import { erase } from './erase';
import { extendRequestDeadline } from './extend-request-deadline';
import { grantConsent } from './grant-consent';
import { liftRestriction } from './lift-restriction';
import { object } from './object';
import { recordEvent } from './record-event';

export { applicationField } from './record-event';
import { rectify } from './rectify';
import { registerRecipient } from './register-recipient';
import { requestAccess } from './request-access';
import { requestErasure } from './request-erasure';
import { restrict } from './restrict';
import { revokeShare } from './revoke-share';
import { share } from './share';
import { suspendRecipient } from './suspend-recipient';
import { use } from './use';
import { verifyRecipient } from './verify-recipient';
import { withdrawConsent } from './withdraw-consent';

/**
 * The catalog of operations: every write of the ledger, by the name of its `Ledger` method.
 * Each is a function of (context, the command as the caller wrote it); `createLedger` binds
 * them to its context, and `Writes` (ledger.ts) gives the `Ledger` its methods from here.
 * It holds exactly the policy's operations (`LedgerOperation`): one added to either and not
 * to the other does not compile.
 */
export const operations = {
  collect,
  rectify,
  grantConsent,
  withdrawConsent,
  object,
  applyPrivacySignal,
  restrict,
  liftRestriction,
  use,
  access,
  share,
  revokeShare,
  registerRecipient,
  verifyRecipient,
  suspendRecipient,
  requestErasure,
  erase,
  enforceRetention,
  confirmRecipientErasure,
  confirmRecipientNotice,
  requestAccess,
  extendRequestDeadline,
  recordEvent,
} satisfies Record<LedgerOperation, (context: LedgerContext, raw: never) => Promise<unknown>>;

export type OperationCatalog = typeof operations;
