import { CustodianError } from '../errors';

/** The runner was closed; it applies nothing more. */
export class ProjectionsClosedError extends CustodianError {
  readonly code = 'PROJECTIONS_CLOSED';
  constructor(readonly projection: string) {
    super(`the projection runner ${projection} was closed`);
  }
}

/** `start()` follows the log with `subscribeToAll`, which this store does not offer. */
export class SubscriptionUnsupportedError extends CustodianError {
  readonly code = 'SUBSCRIPTION_UNSUPPORTED';
  constructor(readonly projection: string) {
    super(`the store cannot be followed (no subscribeToAll): projection ${projection} can only catch up`);
  }
}
