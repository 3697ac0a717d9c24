import { describe, expect, it } from '@jest/globals';
import { ValidationError } from '../errors';
import { WrongExpectedRevisionError } from '../store';
import { backoffDelay, ContentionTimeoutError, retryOnConflict, type RetryEnvironment, type RetryPolicy } from './retry';

const conflict = () => new WrongExpectedRevisionError('subject-ann', 3n, 4n);
const policy: RetryPolicy = { maxRetries: 5, deadlineMs: Number.POSITIVE_INFINITY, baseDelayMs: 2, maxDelayMs: 40 };

/** A clock that moves only when the retry sleeps, so deadlines are exact. */
function fakeEnvironment(random: () => number = () => 0.5): RetryEnvironment & { slept: number[] } {
  let now = 1_000;
  const slept: number[] = [];
  return {
    slept,
    now: () => now,
    random,
    async sleep(ms) {
      slept.push(ms);
      now += ms;
    },
  };
}

/** An attempt that loses `losses` times to another writer, then succeeds with its attempt number. */
function losing(losses: number): { attempt: (n: number) => Promise<number>; calls: number[] } {
  const calls: number[] = [];
  return {
    calls,
    attempt: async (n) => {
      calls.push(n);
      if (calls.length <= losses) throw conflict();
      return n;
    },
  };
}

describe('backoffDelay', () => {
  it('retries at once the first time, then stays within a ceiling that doubles up to the maximum', () => {
    expect(backoffDelay(1, policy, () => 0.999)).toBe(0);
    const ceilings = [2, 4, 8, 16, 32, 40, 40, 40];
    ceilings.forEach((ceiling, i) => {
      const retry = i + 2;
      expect({ retry, low: backoffDelay(retry, policy, () => 0) }).toEqual({ retry, low: 0 });
      const high = backoffDelay(retry, policy, () => 0.999_999);
      expect({ retry, below: high < ceiling, near: high > ceiling * 0.99 }).toEqual({ retry, below: true, near: true });
    });
    expect(backoffDelay(10_000, policy, () => 0.5)).toBe(20);
  });

  it('spreads the delays of writers that collided, instead of retrying them in step', () => {
    const delays = Array.from({ length: 200 }, () => backoffDelay(5, policy, Math.random));
    for (const delay of delays) {
      expect(delay).toBeGreaterThanOrEqual(0);
      expect(delay).toBeLessThan(16);
    }
    expect(new Set(delays.map((d) => Math.floor(d))).size).toBeGreaterThan(8);
  });
});

describe('retryOnConflict', () => {
  it('returns the first attempt that is not beaten by another writer, backing off between', async () => {
    const environment = fakeEnvironment(() => 0.5);
    const { attempt, calls } = losing(3);
    expect(await retryOnConflict('subject-ann', attempt, policy, environment)).toBe(3);
    expect(calls).toEqual([0, 1, 2, 3]);
    // The first retry is immediate; the next two wait half their ceilings of 2 and 4 ms.
    expect(environment.slept).toEqual([1, 2]);
  });

  it('gives up after maxRetries with the conflict itself', async () => {
    const { attempt, calls } = losing(Number.POSITIVE_INFINITY);
    const error = await retryOnConflict('subject-ann', attempt, policy, fakeEnvironment()).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(WrongExpectedRevisionError);
    expect(calls).toHaveLength(policy.maxRetries + 1);
  });

  it('stops at once on an error that is not a conflict, without sleeping', async () => {
    const environment = fakeEnvironment();
    const calls: number[] = [];
    const refused = new ValidationError('use', [{ path: 'purpose', message: 'is not a purpose of the policy' }]);
    const attempt = async (n: number) => {
      calls.push(n);
      if (n === 0) throw conflict();
      throw refused;
    };
    await expect(retryOnConflict('subject-ann', attempt, policy, environment)).rejects.toBe(refused);
    expect(calls).toEqual([0, 1]);
    expect(environment.slept).toEqual([]);
  });

  it('keeps a right retrying past any count, until it is recorded', async () => {
    const right: RetryPolicy = { maxRetries: Number.POSITIVE_INFINITY, deadlineMs: 60_000, baseDelayMs: 1, maxDelayMs: 100 };
    const { attempt, calls } = losing(500);
    expect(await retryOnConflict('subject-ann', attempt, right, fakeEnvironment())).toBe(500);
    expect(calls).toHaveLength(501);
  });

  it('ends a right that loses every attempt at its deadline, with a typed error naming the stream and the attempts', async () => {
    const right: RetryPolicy = { maxRetries: Number.POSITIVE_INFINITY, deadlineMs: 1_000, baseDelayMs: 1, maxDelayMs: 100 };
    const environment = fakeEnvironment();
    const { attempt, calls } = losing(Number.POSITIVE_INFINITY);
    const error = await retryOnConflict('subject-ann', attempt, right, environment).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ContentionTimeoutError);
    expect(error).toMatchObject({ code: 'CONTENTION_TIMEOUT', stream: 'subject-ann', attempts: calls.length, lastConflict: expect.any(WrongExpectedRevisionError) });
    const waited = environment.slept.reduce((a, b) => a + b, 0);
    expect(waited).toBeLessThanOrEqual(1_000);
    expect((error as ContentionTimeoutError).waitedMs).toBe(Math.round(waited));
    // It did not give up early: the next sleep would have crossed the deadline.
    expect(waited).toBeGreaterThan(1_000 - 100);
  });
});
