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
