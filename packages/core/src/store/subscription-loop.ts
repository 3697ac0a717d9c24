import { StoreClosedError } from './errors';
import type { Subscription } from './port';

/**
 * Runs a subscription: `step` delivers the next event and returns true, or returns false
 * when caught up; the loop then sleeps until a waker in `wakers` is called by an append
 * (or by the store closing, after which `stopped()` is true). One event at a time,
 * awaited, so there is no gap and no duplicate. A store closed under the subscription
 * ends it with `StoreClosedError`: it was cut off, not closed.
 */
export function subscriptionLoop(wakers: Set<() => void>, stopped: () => boolean, step: () => Promise<boolean>): Subscription {
  let closed = false;
  let pending = false;
  let sleeping: (() => void) | undefined;
  const wake = () => {
    pending = true;
    const resume = sleeping;
    sleeping = undefined;
    resume?.();
  };
  wakers.add(wake);
  const done = (async () => {
    try {
      while (!closed) {
        if (stopped()) throw new StoreClosedError();
        pending = false;
        if (await step()) continue;
        if (pending) continue;
        await new Promise<void>((resolve) => {
          sleeping = resolve;
        });
      }
    } finally {
      wakers.delete(wake);
    }
  })();
  // Whoever awaits `done` sees its rejection; one who never looks is not crashed by it.
  done.catch(() => undefined);
  return {
    done,
    async close() {
      closed = true;
      wake();
      await done.catch(() => undefined);
    },
  };
}
