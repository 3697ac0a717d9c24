import { ValidationError, type ValidationIssue } from '../errors';
import type { ExpectedRevision, ReadAllOptions, ReadStreamOptions, SubscribeOptions } from './port';

/**
 * The largest revision or position the port takes: SQLite keeps both as signed 64-bit
 * integers, and EventStoreDB's positions are signed 64-bit too.
 */
export const MAX_REVISION = 2n ** 63n - 1n;

/*
 * Shared by every store, so all refuse alike and before doing anything else. Each check
 * costs nothing when the input is well formed (the hot path of every ledger operation);
 * messages name the field and what it must be, never the value given.
 */

const REVISION = 'must be a bigint from 0n to 2^63 - 1';
const COUNT = 'must be a whole number of at least 1';

const isRevision = (value: unknown): boolean => typeof value === 'bigint' && value >= 0n && value <= MAX_REVISION;
const isCount = (value: unknown): boolean => Number.isSafeInteger(value) && (value as number) >= 1;
const isOptions = (value: unknown): boolean => value === undefined || (typeof value === 'object' && value !== null);

/** An append's expected revision: `'no_stream'`, `'exists'`, `'any'`, or a revision (never a number or a string of digits). */
export function validateExpectedRevision(expected: ExpectedRevision): void {
  if (expected === 'any' || expected === 'no_stream' || expected === 'exists' || isRevision(expected)) return;
  throw new ValidationError('append', [{ path: 'expected', message: `must be 'no_stream', 'exists', 'any' or a revision (${REVISION})` }]);
}

export function validateReadStreamOptions(stream: string, options: ReadStreamOptions | undefined): void {
  const issues: ValidationIssue[] = [];
  if (typeof stream !== 'string' || stream.length === 0) issues.push({ path: 'stream', message: 'must be a non-empty string' });
  if (!isOptions(options)) issues.push({ path: 'options', message: 'must be an object' });
  else if (options !== undefined) {
    const { fromRevision, direction, maxCount } = options;
    if (fromRevision !== undefined && !isRevision(fromRevision)) issues.push({ path: 'fromRevision', message: REVISION });
    if (direction !== undefined && direction !== 'forwards' && direction !== 'backwards') issues.push({ path: 'direction', message: "must be 'forwards' or 'backwards'" });
    if (maxCount !== undefined && !isCount(maxCount)) issues.push({ path: 'maxCount', message: COUNT });
  }
  if (issues.length > 0) throw new ValidationError('readStream', issues);
}

export function validateReadAllOptions(options: ReadAllOptions | undefined): void {
  const issues: ValidationIssue[] = [];
  if (!isOptions(options)) issues.push({ path: 'options', message: 'must be an object' });
  else if (options !== undefined) {
    if (options.fromPosition !== undefined && !isRevision(options.fromPosition)) issues.push({ path: 'fromPosition', message: REVISION });
    if (options.maxCount !== undefined && !isCount(options.maxCount)) issues.push({ path: 'maxCount', message: COUNT });
  }
  if (issues.length > 0) throw new ValidationError('readAll', issues);
}

export function validateSubscribeOptions(options: SubscribeOptions, handler: unknown): void {
  const issues: ValidationIssue[] = [];
  if (typeof options !== 'object' || options === null) issues.push({ path: 'options', message: 'must be an object' });
  else if (options.fromPosition !== undefined && !isRevision(options.fromPosition)) issues.push({ path: 'fromPosition', message: REVISION });
  if (typeof handler !== 'function') issues.push({ path: 'handler', message: 'must be a function' });
  if (issues.length > 0) throw new ValidationError('subscribeToAll', issues);
}
