import type { ActualRevision, ExpectedRevision } from '@custodian/core';
import type { ClientExpectedRevision } from './client';

/** The port's expected revision in the clients' words: only 'exists' is spelt differently. */
export function toClientExpectedRevision(expected: ExpectedRevision): ClientExpectedRevision {
  return expected === 'exists' ? 'stream_exists' : expected;
}

/** A stream's actual revision as a client reports it: a bigint, or 'no_stream' (-1 in some replies). */
export function toActualRevision(actual: unknown): ActualRevision {
  if (typeof actual === 'bigint') return actual < 0n ? 'no_stream' : actual;
  if (typeof actual === 'number' && Number.isSafeInteger(actual)) return actual < 0 ? 'no_stream' : BigInt(actual);
  return 'no_stream';
}
