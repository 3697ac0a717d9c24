import { readSubjectStreams, recipientStream, StreamNotFoundError, type EventStore, type SubjectStreams } from '@custodian/core';

/** How her streams are kept between her visits: at most `maxEntries` customers, each read again in full after `maxAgeMs`. */
export interface SubjectCacheSettings {
  readonly maxEntries: number;
  readonly maxAgeMs: number;
}

export interface SubjectCache {
  /** Her stream and its recipients' streams, read, decoded and checked; undefined when the ledger holds nothing about her. */
  read(subjectId: string, now: Date): Promise<SubjectStreams | undefined>;
}

interface Entry {
  readonly streams: SubjectStreams;
  /** The id of the last record of each stream read, her own first: any append to one of them changes it. */
  readonly heads: ReadonlyMap<string, string | undefined>;
  readonly readAt: number;
}

async function lastId(store: EventStore, stream: string): Promise<string | undefined> {
  try {
    for await (const record of store.readStream(stream, { direction: 'backwards', maxCount: 1 })) return record.id;
  } catch (error) {
    if (!(error instanceof StreamNotFoundError)) throw error;
  }
  return undefined;
}

async function headsOf(store: EventStore, streams: readonly string[]): Promise<Map<string, string | undefined>> {
  const ids = await Promise.all(streams.map((stream) => lastId(store, stream)));
  return new Map(streams.map((stream, i) => [stream, ids[i]]));
}

/** `now` is read from the same streams as `kept`, so the two differ only in their ids. */
const sameHeads = (kept: ReadonlyMap<string, string | undefined>, now: ReadonlyMap<string, string | undefined>) => [...kept].every(([stream, id]) => now.get(stream) === id);

/**
 * Her page reads her whole stream, decodes it and checks its chain; most visits find it as
 * it was. Kept here, a visit reads only the last record of her stream and of each
 * recipient's stream it names: while none has moved, the streams read before answer. Any
 * append to one of them, and any entry older than `maxAgeMs`, is read and checked again in
 * full, so a record rewritten in place under the store (which no append reveals) shows as a
 * broken chain on her page within `maxAgeMs`.
 */
export function createSubjectCache(store: EventStore, settings: SubjectCacheSettings | false): SubjectCache {
  if (settings === false) return { read: (subjectId) => readSubjectStreams(store, subjectId) };
  const entries = new Map<string, Entry>();
  const keep = (subjectId: string, entry: Entry) => {
    entries.delete(subjectId);
    entries.set(subjectId, entry);
    // A Map keeps insertion order, so its first key is the customer seen least recently.
    if (entries.size > settings.maxEntries) entries.delete(entries.keys().next().value as string);
  };

  return {
    async read(subjectId, now) {
      const cached = entries.get(subjectId);
      if (cached !== undefined && now.getTime() - cached.readAt < settings.maxAgeMs) {
        if (sameHeads(cached.heads, await headsOf(store, [...cached.heads.keys()]))) {
          keep(subjectId, cached);
          return cached.streams;
        }
      }
      entries.delete(subjectId);
      const streams = await readSubjectStreams(store, subjectId);
      if (streams === undefined) return undefined;
      // Her head is the last record read, so what is kept matches it exactly. A recipient's
      // stream is known only from her events, so its head is read after it: a change to it
      // landing in that moment waits for maxAgeMs at worst.
      const own = streams.records[streams.records.length - 1]?.id;
      const recipients = await headsOf(store, [...streams.recipients.keys()].map(recipientStream));
      keep(subjectId, { streams, heads: new Map([[streams.stream, own], ...recipients]), readAt: now.getTime() });
      return streams;
    },
  };
}
