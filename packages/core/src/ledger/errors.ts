import { CustodianError } from '../errors';

/** The actor holds none of the roles the policy requires for the operation. */
export class NotPermittedError extends CustodianError {
  readonly code = 'NOT_PERMITTED';
  constructor(
    readonly operation: string,
    readonly actorId: string,
    readonly requiredRoles: readonly string[],
  ) {
    super(`${operation} needs one of the roles ${requiredRoles.join(', ')}; actor ${actorId} has none`);
  }
}
