import { setTimeout as sleep } from 'node:timers/promises';
import { CustodianError } from '../errors';
import { WrongExpectedRevisionError } from '../store';

/** How long and how often a decision is re-read and re-made when another writer appended first. */
export interface RetryPolicy {
  /** Retries after the first attempt; `Infinity` for a right of the subject, which only the deadline stops. */
  readonly maxRetries: number;
  /** No retry starts later than this many milliseconds after the first conflict; `Infinity` for none. */
  readonly deadlineMs: number;
  /** The ceiling of the first backed-off delay; each later one doubles it, up to `maxDelayMs`. */
  readonly baseDelayMs: number;
  readonly maxDelayMs: number;
}

/** The clock, the dice and the sleep a retry runs on; tests bring their own. */
export interface RetryEnvironment {
  now(): number;
  random(): number;
  sleep(ms: number): Promise<unknown>;
}

const systemEnvironment: RetryEnvironment = { now: Date.now, random: Math.random, sleep };

/** A right of the subject could not be recorded before the deadline: other writers won every attempt. */
export class ContentionTimeoutError extends CustodianError {
  readonly code = 'CONTENTION_TIMEOUT';
  constructor(
    readonly stream: string,
    readonly attempts: number,
    readonly waitedMs: number,
    readonly lastConflict: WrongExpectedRevisionError,
  ) {
    super(`stream ${stream}: ${attempts} attempts over ${waitedMs} ms all lost to concurrent appends`);
  }
}

/**
 * The delay before retry number `retry` (1 for the first). The first retry is immediate: a
 * first conflict most often means only that the state decided on was behind, and reading it
 * again is the remedy. From the second on, "full jitter": uniform in [0, ceiling), the
 * ceiling doubling from `baseDelayMs` to `maxDelayMs`, so writers in different processes
 * that collided stop colliding instead of retrying in step.
 */
export function backoffDelay(retry: number, policy: RetryPolicy, random: () => number): number {
  if (retry <= 1) return 0;
  const ceiling = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** Math.min(retry - 2, 30));
  return random() * ceiling;
}

/**
 * Runs `attempt(0)`, and on a `WrongExpectedRevisionError` runs it again after a backoff,
 * passing the attempt's number. Any other error ends it at once. After `maxRetries` the
 * conflict is thrown as it came; once the deadline would pass, a `ContentionTimeoutError`.
 */
export async function retryOnConflict<T>(stream: string, attempt: (n: number) => Promise<T>, policy: RetryPolicy, environment: RetryEnvironment = systemEnvironment): Promise<T> {
  let started: number | undefined;
  for (let n = 0; ; n++) {
    try {
      return await attempt(n);
    } catch (error) {
      if (!(error instanceof WrongExpectedRevisionError) || n >= policy.maxRetries) throw error;
      started ??= environment.now();
      const delay = backoffDelay(n + 1, policy, environment.random);
      const waited = environment.now() - started;
      if (waited + delay > policy.deadlineMs) throw new ContentionTimeoutError(stream, n + 1, Math.round(waited), error);
      if (delay > 0) await environment.sleep(delay);
    }
  }
}
