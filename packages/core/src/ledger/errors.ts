import { CustodianError } from '../errors';

/** The actor may not perform the operation: none of the roles the policy requires, or a subject acting on someone else's data. */
export class NotPermittedError extends CustodianError {
  readonly code = 'NOT_PERMITTED';
  constructor(
    readonly operation: string,
    readonly actorId: string,
    readonly requiredRoles: readonly string[],
    detail = `${operation} needs one of the roles ${requiredRoles.join(', ')}; actor ${actorId} has none`,
  ) {
    super(detail);
  }
}
