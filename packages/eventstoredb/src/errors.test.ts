import { describe, expect, it } from '@jest/globals';
import { StreamNotFoundError, WrongExpectedRevisionError } from '@custodian/core';
import { isTransient, toPortError } from './errors';

// Shaped as the clients' errors are: a `type`, and the actual revision under each client's name.
const clientError = (fields: Record<string, unknown>) => Object.assign(new Error('from the client'), fields);

describe('client errors', () => {
  it("maps db-client's WrongExpectedVersionError, keeping the caller's expected revision", () => {
    const error = toPortError(clientError({ type: 'wrong-expected-version', expectedVersion: 'stream_exists', actualVersion: 'no_stream' }), 's', 'exists');
    expect(error).toBeInstanceOf(WrongExpectedRevisionError);
    expect(error).toMatchObject({ stream: 's', expected: 'exists', actual: 'no_stream' });
  });

  it("maps KurrentDB's, which names the fields expectedState and actualState", () => {
    const error = toPortError(clientError({ type: 'wrong-expected-version', expectedState: 3n, actualState: 5n }), 's', 3n);
    expect(error).toMatchObject({ code: 'WRONG_EXPECTED_REVISION', stream: 's', expected: 3n, actual: 5n });
  });

  it('maps a missing and a deleted stream to StreamNotFoundError', () => {
    for (const type of ['stream-not-found', 'stream-deleted']) {
      const error = toPortError(clientError({ type, streamName: 'other' }), 'subject-1');
      expect(error).toBeInstanceOf(StreamNotFoundError);
      expect(error).toMatchObject({ stream: 'subject-1' });
    }
  });

  it('leaves any other error as it is', () => {
    const unknown = clientError({ type: 'access-denied' });
    expect(toPortError(unknown, 's')).toBe(unknown);
    expect(toPortError('not even an error', 's')).toBe('not even an error');
  });

  it('calls transient only the failures that say nothing about the request', () => {
    for (const type of ['unavailable', 'deadline-exceeded', 'timeout', 'not-leader', 'cancelled']) expect(isTransient(clientError({ type }))).toBe(true);
    for (const type of ['wrong-expected-version', 'stream-deleted', 'access-denied', 'unknown', undefined]) expect(isTransient(clientError({ type }))).toBe(false);
    expect(isTransient(undefined)).toBe(false);
  });
});
