import { z } from 'zod';
import { CustodianError } from '../errors';

/** Why a well-formed command was refused; each is listed, with the commands that refuse it, in docs/events.md. */
export const RefusalReason = z.enum([
  'subject_erased',
  'opted_out_by_signal',
  'objection_stands',
  'nothing_to_opt_out',
  'category_not_collected',
  'consent_not_granted',
  'already_restricted',
  'not_restricted',
  'no_share',
  'already_erased',
  'not_erased',
  'not_a_recipient',
  'already_confirmed',
  'no_notice_owed',
  'no_open_request',
  'already_extended',
  'deadline_passed',
  'extension_not_later',
  'extension_too_long',
  'already_registered',
  'recipient_unknown',
  'already_verified',
  'already_suspended',
  'key_changed',
]);
export type RefusalReason = z.infer<typeof RefusalReason>;

/**
 * A well-formed command that the subject's or recipient's history does not allow, such
 * as withdrawing a consent never given. Nothing is appended. (A refused use is not an
 * error: it is recorded as `UseDenied` and returned as a decision.)
 */
export class CommandRefusedError extends CustodianError {
  readonly code = 'COMMAND_REFUSED';
  constructor(
    readonly reason: RefusalReason,
    detail: string,
  ) {
    super(detail);
  }
}

/** The refusal of a write that needs an erased subject's key: it is gone, so nothing more is recorded about their data. */
export function subjectErasedRefusal(): CommandRefusedError {
  return new CommandRefusedError('subject_erased', 'the subject was erased; nothing more is recorded about their data');
}
