import { CustodianError } from '../errors';
import type { ExpectedRevision } from './port';

export type ActualRevision = bigint | 'no_stream';

export class WrongExpectedRevisionError extends CustodianError {
  readonly code = 'WRONG_EXPECTED_REVISION';
  constructor(
    readonly stream: string,
    readonly expected: ExpectedRevision,
    readonly actual: ActualRevision,
  ) {
    super(`stream ${stream} was expected at ${String(expected)} but is at ${String(actual)}`);
  }
}

export class StreamNotFoundError extends CustodianError {
  readonly code = 'STREAM_NOT_FOUND';
  constructor(readonly stream: string) {
    super(`stream ${stream} not found`);
  }
}

/**
 * An append carries an event id already stored somewhere in the log (in another stream,
 * or with other bytes): event ids are unique in the whole log. An exact retry of an append
 * that landed is not this error but a no-op returning the original result.
 */
export class DuplicateEventIdError extends CustodianError {
  readonly code = 'DUPLICATE_EVENT_ID';
  constructor(
    /** The stream the refused append was for. */
    readonly stream: string,
    readonly eventId: string,
  ) {
    super(`an event id of the append to ${stream} is already stored in the log; nothing was appended`);
  }
}

/** The store was used after `close()`. */
export class StoreClosedError extends CustodianError {
  readonly code = 'STORE_CLOSED';
  constructor() {
    super('the event store is closed');
  }
}

/** Checks an expected revision against a stream's actual one; shared by every store. */
export function checkExpectedRevision(stream: string, expected: ExpectedRevision, actual: ActualRevision): void {
  const ok =
    expected === 'any' ||
    (expected === 'no_stream' && actual === 'no_stream') ||
    (expected === 'exists' && actual !== 'no_stream') ||
    (typeof expected === 'bigint' && actual === expected);
  if (!ok) throw new WrongExpectedRevisionError(stream, expected, actual);
}
