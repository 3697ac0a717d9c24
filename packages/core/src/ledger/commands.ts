// The command schemas, one per operation, each defined in its operation's own file
// (operations/<operation>.ts). This is their public face: `import { CollectInput } from '@custodian/core'`.
export { AccessInput } from './operations/access';
export { ApplyPrivacySignalInput } from './operations/apply-privacy-signal';
export { CollectInput } from './operations/collect';
export { ConfirmRecipientErasureInput } from './operations/confirm-recipient-erasure';
export { ConfirmRecipientNoticeInput } from './operations/confirm-recipient-notice';
export { EnforceRetentionInput, type RetentionErasure, type RetentionSweep } from './operations/enforce-retention';
export { EraseInput } from './operations/erase';
export { ExtendRequestDeadlineInput } from './operations/extend-request-deadline';
export { GrantConsentInput } from './operations/grant-consent';
export { LiftRestrictionInput } from './operations/lift-restriction';
export { ObjectInput } from './operations/object';
export { RecordEventInput } from './operations/record-event';
export { RectifyInput } from './operations/rectify';
export { RegisterRecipientInput } from './operations/register-recipient';
export { RequestAccessInput } from './operations/request-access';
export { RequestErasureInput } from './operations/request-erasure';
export { RestrictInput } from './operations/restrict';
export { RevokeShareInput } from './operations/revoke-share';
export { ShareInput } from './operations/share';
export { SuspendRecipientInput } from './operations/suspend-recipient';
export { UseInput } from './operations/use';
export { VerifyRecipientInput } from './operations/verify-recipient';
export { WithdrawConsentInput } from './operations/withdraw-consent';
