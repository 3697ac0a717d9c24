import { describe, expect, it } from '@jest/globals';
import { createStreamQueue } from './stream-queue';

/** A promise settled from outside, to hold an operation open while the test looks. */
function gate(): { promise: Promise<void>; open: () => void } {
  let open!: () => void;
  const promise = new Promise<void>((resolve) => (open = resolve));
  return { promise, open };
}

const ticks = async (n = 10) => {
  for (let i = 0; i < n; i++) await Promise.resolve();
};

describe('createStreamQueue', () => {
  it('runs operations on one stream one at a time, in the order they were queued', async () => {
    const queue = createStreamQueue();
    const log: string[] = [];
    let running = 0;
    let most = 0;
    const op = (name: string, delayMs: number) => async () => {
      most = Math.max(most, ++running);
      log.push(`start ${name}`);
      await new Promise((resolve) => setTimeout(resolve, delayMs));
      log.push(`end ${name}`);
      running--;
      return name;
    };
    // The later ones are quicker: unqueued, they would finish first.
    const results = await Promise.all([queue.run('s', op('a', 15)), queue.run('s', op('b', 5)), queue.run('s', op('c', 0))]);
    expect(results).toEqual(['a', 'b', 'c']);
    expect(most).toBe(1);
    expect(log).toEqual(['start a', 'end a', 'start b', 'end b', 'start c', 'end c']);
  });

  it('does not hold one stream behind another', async () => {
    const queue = createStreamQueue();
    const held = gate();
    const first = queue.run('subject-a', () => held.promise.then(() => 'a'));
    const other = await queue.run('subject-b', async () => 'b');
    expect(other).toBe('b');
    held.open();
    expect(await first).toBe('a');
  });

  it('keeps no entry for a stream once its work is done, whether it succeeded or failed', async () => {
    const queue = createStreamQueue();
    const held = gate();
    const running = Promise.allSettled(
      Array.from({ length: 100 }, (_, i) => queue.run(`subject-${i % 10}`, () => held.promise.then(() => (i % 3 === 0 ? Promise.reject(new Error('refused')) : i)))),
    );
    expect(queue.busyStreams).toBe(10);
    held.open();
    const outcomes = await running;
    expect(outcomes.filter((o) => o.status === 'rejected')).toHaveLength(34);
    await ticks();
    expect(queue.busyStreams).toBe(0);
  });

  it('runs the next operation after one that rejects or throws, and hands each caller its own outcome', async () => {
    const queue = createStreamQueue();
    const rejected = queue.run('s', () => Promise.reject(new Error('first failed')));
    const thrown = queue.run('s', () => {
      throw new Error('second threw');
    });
    const next = queue.run('s', async () => 'ran');
    await expect(rejected).rejects.toThrow('first failed');
    await expect(thrown).rejects.toThrow('second threw');
    expect(await next).toBe('ran');
  });

  it('turns an operation that throws before its first await into a rejection, even with nothing queued', async () => {
    const queue = createStreamQueue();
    const outcome = queue.run('s', () => {
      throw new Error('at once');
    });
    await expect(outcome).rejects.toThrow('at once');
    await ticks();
    expect(queue.busyStreams).toBe(0);
  });

  it('does not start a queued operation until the running one has settled', async () => {
    const queue = createStreamQueue();
    const held = gate();
    let secondStarted = false;
    const first = queue.run('s', () => held.promise);
    const second = queue.run('s', async () => {
      secondStarted = true;
    });
    await ticks(50);
    expect(secondStarted).toBe(false);
    held.open();
    await Promise.all([first, second]);
    expect(secondStarted).toBe(true);
  });
});
