import { setTimeout as sleep } from 'node:timers/promises';
import type { RecordedEvent, SubscribeOptions, Subscription } from '@custodian/core';
import type { ClientEventTypeFilter, ClientResolvedEvent, SupportedClient } from './client';
import { isTransient } from './errors';
import { isSystemEvent, toRecordedEvent } from './records';

export interface ResubscribePolicy {
  /** Consecutive transient failures (no event delivered in between) before `done` rejects. Default 5. */
  resubscribes?: number;
  /** Wait before subscribing again, doubled each consecutive time. Default 100 ms. */
  backoffMs?: number;
}

// The same as the clients' excludeSystemEvents(): the server drops most system events,
// the adapter the rest (those in $-streams with ordinary types).
const EXCLUDE_SYSTEM_TYPES: ClientEventTypeFilter = { filterOn: 'eventType', regex: '^[^$].*', checkpointInterval: 1 };

const CLOSED = Symbol('closed');

/** A subscription the store can end from outside: `done` then rejects with the error given. */
export interface FollowedSubscription extends Subscription {
  cutOff(error: unknown): Promise<void>;
}

class HandlerFailure {
  constructor(readonly error: unknown) {}
}

/**
 * Follows $all after `fromPosition` (exclusive, as EventStoreDB's subscriptions are): one
 * event at a time, the handler awaited before the next. If the connection drops it
 * subscribes again after the last event delivered, so nothing is missed or repeated.
 */
export function followAll(
  client: SupportedClient,
  options: SubscribeOptions,
  handler: (event: RecordedEvent) => Promise<void>,
  policy: ResubscribePolicy = {},
): FollowedSubscription {
  let position = options.fromPosition;
  let closed = false;
  let cutOffBy: { error: unknown } | undefined;
  let signalClose!: () => void;
  const closing = new Promise<typeof CLOSED>((resolve) => (signalClose = () => resolve(CLOSED)));

  async function deliverUntilClosedOrFailed(): Promise<void> {
    const subscription = client.subscribeToAll({
      fromPosition: position === undefined ? 'start' : { commit: position, prepare: position },
      filter: EXCLUDE_SYSTEM_TYPES,
    });
    const events = subscription[Symbol.asyncIterator]();
    try {
      for (;;) {
        const pending = events.next();
        // Settles after close too; nobody awaits it then, so it must not count as unhandled.
        pending.catch(() => undefined);
        const next = await Promise.race([pending, closing]);
        // An event already buffered can win the race against a close: it is not delivered.
        if (next === CLOSED || closed) return;
        if (next.done) throw Object.assign(new Error('the server ended the subscription'), { type: 'unavailable' });
        const recorded = recordedOf(next.value);
        if (!recorded) continue;
        try {
          await handler(recorded);
        } catch (error) {
          throw new HandlerFailure(error);
        }
        position = recorded.position;
        failures = 0;
      }
    } finally {
      await subscription.unsubscribe().catch(() => undefined);
      await events.return?.().catch(() => undefined);
    }
  }

  let failures = 0;
  const done = (async () => {
    const limit = policy.resubscribes ?? 5;
    const backoff = policy.backoffMs ?? 100;
    while (!closed) {
      try {
        await deliverUntilClosedOrFailed();
      } catch (error) {
        if (error instanceof HandlerFailure) throw error.error;
        if (closed) break;
        if (!isTransient(error) || ++failures > limit) throw error;
        // Unreferenced: a close during the wait must not be held up by the timer.
        await Promise.race([sleep(backoff * 2 ** (failures - 1), undefined, { ref: false }), closing]);
      }
    }
    if (cutOffBy) throw cutOffBy.error;
  })();

  const close = async () => {
    closed = true;
    signalClose();
    await done.catch(() => undefined);
  };
  return {
    done,
    close,
    cutOff(error) {
      if (!closed) cutOffBy = { error };
      return close();
    },
  };
}

function recordedOf(resolved: ClientResolvedEvent): RecordedEvent | undefined {
  const event = resolved.event;
  return event && !isSystemEvent(event) ? toRecordedEvent(event, resolved) : undefined;
}
