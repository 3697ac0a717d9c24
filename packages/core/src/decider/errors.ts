import { CustodianError } from '../errors';

/**
 * A well-formed command that the subject's or recipient's history does not allow, such
 * as withdrawing a consent never given. Nothing is appended. (A refused use is not an
 * error: it is recorded as `UseDenied` and returned as a decision.)
 */
export class CommandRefusedError extends CustodianError {
  readonly code = 'COMMAND_REFUSED';
  constructor(
    readonly reason: string,
    detail: string,
  ) {
    super(detail);
  }
}

/** The refusal of a write that needs an erased subject's key: it is gone, so nothing more is recorded about their data. */
export function subjectErasedRefusal(): CommandRefusedError {
  return new CommandRefusedError('subject_erased', 'the subject was erased; nothing more is recorded about their data');
}
