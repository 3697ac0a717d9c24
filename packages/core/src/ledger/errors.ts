import type { LedgerOperation, PermissionRefusal } from '../policy';
import { CustodianError } from '../errors';

/** The actor may not perform the operation: none of the roles the policy requires, or a subject acting on someone else's data. */
export class NotPermittedError extends CustodianError {
  readonly code = 'NOT_PERMITTED';
  constructor(
    readonly operation: LedgerOperation,
    /** Already a validated actor id: bounded, and refused when it looks like an address or a phone number. */
    readonly actorId: string,
    /** The roles that would have allowed it; empty for a subject acting on someone else's data. */
    readonly requiredRoles: readonly string[],
    readonly reason: PermissionRefusal,
    /** The policy rule's own words: names only the operation, roles and the actor id. */
    detail: string,
  ) {
    super(detail);
  }
}

/** The `clock` given to the ledger returned something that is not a valid Date; nothing is recorded on it. */
export class InvalidClockError extends CustodianError {
  readonly code = 'CLOCK_INVALID';
  constructor(
    /** What came back, by kind only: `an invalid Date`, `a string`, `undefined`. */
    readonly received: string,
  ) {
    super(`the ledger's clock returned ${received}, not a valid Date; nothing was recorded`);
  }
}

/** The clock's reading, or `InvalidClockError`. Works for a Date from another realm (a vm context, a worker's structured clone). */
export function checkedTime(now: unknown): Date {
  const isDate = Object.prototype.toString.call(now) === '[object Date]';
  if (isDate && Number.isFinite(Date.prototype.getTime.call(now))) return now as Date;
  throw new InvalidClockError(isDate ? 'an invalid Date' : now === null ? 'null' : now === undefined ? 'undefined' : `a value of type ${typeof now}`);
}
