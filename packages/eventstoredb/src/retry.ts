import { setTimeout as sleep } from 'node:timers/promises';
import { isTransient } from './errors';

export interface RetryPolicy {
  /** Further tries after the first, for transient failures only. Default 3. */
  retries?: number;
  /** Wait before the first retry, doubled before each next one. Default 50 ms. */
  backoffMs?: number;
}

/**
 * Runs `attempt` again after a transient failure. Only safe for requests that the server
 * recognises when repeated, as an append with its event ids fixed beforehand is.
 */
export async function withRetry<T>(attempt: () => Promise<T>, policy: RetryPolicy, stopped: () => boolean): Promise<T> {
  const retries = policy.retries ?? 3;
  let delay = policy.backoffMs ?? 50;
  for (let tried = 0; ; tried++) {
    try {
      return await attempt();
    } catch (error) {
      if (tried >= retries || stopped() || !isTransient(error)) throw error;
      await sleep(delay);
      delay *= 2;
    }
  }
}
