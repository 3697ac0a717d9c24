import { describe, expect, it } from '@jest/globals';
import { checkExpectedRevision, WrongExpectedRevisionError, type ActualRevision, type ExpectedRevision } from './index';

/** Whether `checkExpectedRevision` accepts `expected` against `actual`, or the facts of its refusal. */
function outcomeOf(
  expected: ExpectedRevision,
  actual: ActualRevision,
): 'accepted' | { code: string; stream: string; expected: ExpectedRevision; actual: ActualRevision; message: string } {
  try {
    checkExpectedRevision('subject-7', expected, actual);
    return 'accepted';
  } catch (error) {
    if (!(error instanceof WrongExpectedRevisionError)) throw error;
    return { code: error.code, stream: error.stream, expected: error.expected, actual: error.actual, message: error.message };
  }
}

const refused = (expected: ExpectedRevision, actual: ActualRevision) => ({
  code: 'WRONG_EXPECTED_REVISION',
  stream: 'subject-7',
  expected,
  actual,
  message: `stream subject-7 was expected at ${String(expected)} but is at ${String(actual)}`,
});

describe('checkExpectedRevision', () => {
  // Every kind of expectation against a missing stream, a stream at revision 0 and one at 1:
  // an exact revision one below or one above the actual is refused, as is each keyword where it does not hold.
  const table: [ExpectedRevision, ActualRevision, boolean][] = [
    ['any', 'no_stream', true],
    ['any', 0n, true],
    ['any', 1n, true],
    ['no_stream', 'no_stream', true],
    ['no_stream', 0n, false],
    ['no_stream', 1n, false],
    ['exists', 'no_stream', false],
    ['exists', 0n, true],
    ['exists', 1n, true],
    [0n, 'no_stream', false],
    [0n, 0n, true],
    [0n, 1n, false],
    [1n, 'no_stream', false],
    [1n, 0n, false],
    [1n, 1n, true],
    [2n, 1n, false],
  ];

  it.each(table)('given expected %p and actual %p, accepts only when they agree (%p)', (expected, actual, accepted) => {
    expect(outcomeOf(expected, actual)).toEqual(accepted ? 'accepted' : refused(expected, actual));
  });
});
