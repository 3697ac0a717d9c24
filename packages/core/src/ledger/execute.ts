import { events, type Actor, type CustodianEvent } from '../events';
import type { EventDraft } from '../decider';
import type { EventStore } from '../store';
import { retryOnConflict, type RetryPolicy } from './retry';
import type { Loaded, StreamFolder } from './stream-folder';
import type { StreamQueue } from './stream-queue';

/** Who recorded the events, about whom, and what led to them: the envelope's fields from the command. */
export interface Meta {
  readonly actor: Actor;
  readonly subjectId?: string | undefined;
  readonly correlationId?: string | undefined;
  readonly causationId?: string | undefined;
}

/** One write: the stream, how its state is folded, what to decide on it, and how long to retry a conflict. */
export interface Step<S> {
  readonly folder: StreamFolder<S>;
  readonly stream: string;
  readonly meta: Meta;
  /** Pure: event drafts, or a thrown refusal; nothing is appended on either an empty list or a refusal. */
  readonly decide: (state: S, now: Date) => EventDraft[];
  readonly retry: RetryPolicy;
}

/** What `execute` writes with: the store, the ledger's (checked) clock, and the queue that orders one stream's writes. */
export interface Appender {
  readonly store: EventStore;
  readonly clock: () => Date;
  readonly queue: StreamQueue;
}

/** What was appended, and the state it was decided on. */
export interface Executed<S> {
  readonly appended: CustodianEvent[];
  readonly before: Loaded<S>;
}

/** A decision on a state that may be behind: a refusal there is no answer yet, only a reason to read the store. */
function decideOrNothing(decide: () => EventDraft[]): EventDraft[] {
  try {
    return decide();
  } catch {
    return [];
  }
}

/**
 * Decides on the stream's state. Attempt 0 decides on the cached state without reading the
 * store. Its append expects the cached revision, so if anything was appended since, the append
 * fails and attempt 1 reads, folds and decides again. A refusal (thrown) or a no-op is not
 * checked by an append, so on attempt 0 those are decided again on the state read from the
 * store. The queue keeps this process's own appends from landing in between, so the cached
 * state is almost always right.
 */
async function decideOn<S>(appender: Appender, step: Step<S>, attempt: number): Promise<{ loaded: Loaded<S>; now: Date; drafts: EventDraft[] }> {
  const optimistic = attempt === 0 ? step.folder.cached(step.stream) : undefined;
  if (optimistic) {
    const now = appender.clock();
    const drafts = decideOrNothing(() => step.decide(optimistic.state, now));
    if (drafts.length > 0) return { loaded: optimistic, now, drafts };
  }
  const loaded = await step.folder.load(step.stream);
  const now = appender.clock();
  return { loaded, now, drafts: step.decide(loaded.state, now) };
}

/** Seals the drafts into the stream's chain, each linking to the one before, the first to the stream's last hash. */
function sealDrafts(stream: string, meta: Meta, now: Date, drafts: readonly EventDraft[], lastHash: string) {
  let prevHash = lastHash;
  return drafts.map((draft) => {
    const result = events.seal(
      events.envelope(draft, { stream, subjectId: meta.subjectId, actor: meta.actor, now, id: draft.id, correlationId: meta.correlationId, causationId: meta.causationId }),
      prevHash,
      // Every envelope field comes from the parsed command, uuid v7 or the clock.
      { envelopeChecked: true },
    );
    prevHash = result.event.hash;
    return result;
  });
}

/** Load, decide, append with the revision read; on a concurrent append, read and decide again. */
export function execute<S>(appender: Appender, step: Step<S>): Promise<Executed<S>> {
  const { folder, stream } = step;
  const decideAndAppend = async (attempt: number): Promise<Executed<S>> => {
    const { loaded, now, drafts } = await decideOn(appender, step, attempt);
    if (drafts.length === 0) return { appended: [], before: loaded };
    const sealed = sealDrafts(stream, step.meta, now, drafts, loaded.lastHash);
    const { nextRevision } = await appender.store.append(
      stream,
      sealed.map((s) => s.toAppend),
      loaded.revision,
    );
    const appended = sealed.map((s) => s.event);
    folder.advance(stream, loaded, appended, nextRevision);
    return { appended, before: loaded };
  };
  return appender.queue.run(stream, () => retryOnConflict(stream, decideAndAppend, step.retry));
}
