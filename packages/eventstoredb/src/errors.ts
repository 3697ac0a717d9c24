import { StreamNotFoundError, WrongExpectedRevisionError, type ExpectedRevision } from '@custodian/core';
import { toActualRevision } from './expected-revision';

/*
 * Both clients mark their errors with the same `type` strings; matching on those, not on
 * classes, keeps the adapter free of either package at run time.
 */

interface ClientError {
  type?: unknown;
  /** db-client 6.2 */
  actualVersion?: unknown;
  /** kurrentdb-client 1.x */
  actualState?: unknown;
}

const TRANSIENT = new Set(['unavailable', 'deadline-exceeded', 'timeout', 'not-leader', 'cancelled']);

function typeOf(error: unknown): unknown {
  return typeof error === 'object' && error !== null ? (error as ClientError).type : undefined;
}

/** Turns a client error about a stream into core's error; anything else is returned as it is. */
export function toPortError(error: unknown, stream: string, expected?: ExpectedRevision): unknown {
  switch (typeOf(error)) {
    case 'wrong-expected-version': {
      const { actualVersion, actualState } = error as ClientError;
      // The caller's expected revision, not the client's rewording of it ('stream_exists').
      return new WrongExpectedRevisionError(stream, expected ?? 'any', toActualRevision(actualVersion ?? actualState));
    }
    case 'stream-not-found':
    case 'stream-deleted':
      return new StreamNotFoundError(stream);
    default:
      return error;
  }
}

/**
 * A failure that says nothing about the request itself: the connection dropped, the
 * leader moved, the deadline passed. The request may or may not have been carried out.
 */
export function isTransient(error: unknown): boolean {
  const type = typeOf(error);
  return typeof type === 'string' && TRANSIENT.has(type);
}
