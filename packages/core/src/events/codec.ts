import { v7 as uuidv7 } from 'uuid';
import { CustodianError, ValidationError } from '../errors';
import { sealRecord } from '../crypto';
import type { EventToAppend } from '../store';
import { catalog, type Catalog, type CustodianEvent, type NewEvent } from './catalog';
import type { Actor } from './common';
import { type Backfilled, type ChainLinks, EnvelopeMeta } from './envelope';
import { custodianUpcasters } from './custodian-upcasters';
import { upcast, type Upcasters } from './upcasters';

/** A stored record could not be read as an event of the catalog. */
export class EventUnreadableError extends CustodianError {
  readonly code = 'EVENT_UNREADABLE';
  constructor(
    readonly eventId: string | undefined,
    readonly reason: string,
  ) {
    super(`event ${eventId ?? '(unknown id)'} cannot be read: ${reason}`);
  }
}

type Shape = { type: string; schemaVersion: number; data: unknown };

/** What a decision yields: an event's type and data, before it has an envelope. */
export type Draft<New extends Shape> = New extends unknown ? Pick<New, 'type' | 'data'> : never;

/** Where, when and by whom a drafted event happens: everything its envelope holds beyond the draft. */
export interface EnvelopePlace {
  readonly stream: string;
  /** Set on every event of a subject's stream; left out on recipient events. */
  readonly subjectId?: string | undefined;
  readonly actor: Actor;
  /** When it was recorded: the ledger's clock at the decision; also when it occurred, unless `occurredAt` says otherwise. */
  readonly now: Date;
  /** For a backfilled event, the original time the company had it on file (with `backfill` set). */
  readonly occurredAt?: Date | undefined;
  readonly backfill?: Backfilled | undefined;
  /** Its event id; a new uuid v7 if left out. */
  readonly id?: string | undefined;
  readonly correlationId?: string | undefined;
  readonly causationId?: string | undefined;
}

export interface EventCodec<New extends Shape, Stored extends New & ChainLinks> {
  /**
   * The one way an event gets its envelope: the draft, at its type's current schema
   * version, in `place`. Not validated here; `seal` checks it.
   */
  envelope(draft: Draft<New>, place: EnvelopePlace): New;
  /** Checks an event against the envelope and its type's current schema; throws `ValidationError`. */
  validate(event: unknown): New;
  /**
   * Validates, links to `prevHash` and serialises: what the store is given, and the event as stored.
   * `envelopeChecked`: the caller built the envelope from values it already validated (the
   * ledger: parsed command, uuid v7, Date#toISOString), so only the type, version and `data` are checked.
   */
  seal(event: New, prevHash: string, options?: { envelopeChecked?: boolean }): { toAppend: EventToAppend; event: Stored };
  /** Reads a stored record, upcasting older schema versions on the way; the record is not touched. */
  decode(bytes: Uint8Array): Stored;
}

function parsedEnvelope(input: unknown): EnvelopeMeta {
  const meta = EnvelopeMeta.safeParse(input);
  if (!meta.success) throw ValidationError.fromZod('event', meta.error);
  return meta.data;
}

/** The envelope as given, with its stream checked: for one built from values already validated. */
function placed(input: Partial<EnvelopeMeta>): EnvelopeMeta {
  if (typeof input.stream !== 'string' || input.stream.length === 0) throw new ValidationError('event', [{ path: 'stream', message: 'must name the stream the event belongs to' }]);
  return input as unknown as EnvelopeMeta;
}

/*
 * Events are fresh literals of the envelope's members and `data`, of one shape each: V8
 * keeps them on its fast path, where a spread or a member added to zod's output would
 * not, and zod's output is left as zod made it. envelope.test.ts checks that every member
 * of EnvelopeMeta is carried.
 */

function withData<New>(meta: EnvelopeMeta, data: unknown): New {
  const { id, type, schemaVersion, stream, subjectId, occurredAt, recordedAt, actor, backfill, correlationId, causationId } = meta;
  return { id, type, schemaVersion, stream, subjectId, occurredAt, recordedAt, actor, backfill, correlationId, causationId, data } as unknown as New;
}

/** The event as it will be stored; its `hash` slot is filled once the record is sealed, so the object keeps its shape. */
function linked(meta: EnvelopeMeta, data: unknown, prevHash: string): EnvelopeMeta & ChainLinks & { data: unknown } {
  const { id, type, schemaVersion, stream, subjectId, occurredAt, recordedAt, actor, backfill, correlationId, causationId } = meta;
  return { id, type, schemaVersion, stream, subjectId, occurredAt, recordedAt, actor, backfill, correlationId, causationId, data, prevHash, hash: '' };
}

/** A codec for any catalog; `events` below is the one for Custodian's own. */
export function createEventCodec<New extends Shape, Stored extends New & ChainLinks = New & ChainLinks>(entries: Catalog, upcasters: Upcasters = {}): EventCodec<New, Stored> {
  function validate(input: unknown): New {
    const meta = parsedEnvelope(input);
    return withData(meta, checkData(meta, (input as { data?: unknown }).data));
  }

  /** The event's data as its type's current schema reads it; throws `ValidationError`. */
  function checkData({ type, schemaVersion }: EnvelopeMeta, input: unknown): unknown {
    const entry = entries[type];
    if (!entry) throw new ValidationError('event', [{ path: 'type', message: `unknown event type ${type}` }]);
    if (schemaVersion !== entry.schemaVersion) {
      throw new ValidationError('event', [{ path: 'schemaVersion', message: `new ${type} events are written at schema version ${entry.schemaVersion}` }]);
    }
    const data = entry.schema.safeParse(input);
    if (!data.success) throw ValidationError.fromZod(`${type} event`, data.error, 'data');
    return data.data;
  }

  function envelope(draft: Draft<New>, place: EnvelopePlace): New {
    const at = place.now.toISOString();
    return withData(
      {
        id: place.id ?? uuidv7(),
        type: draft.type,
        schemaVersion: entries[draft.type]?.schemaVersion ?? 0,
        stream: place.stream,
        subjectId: place.subjectId,
        occurredAt: place.occurredAt?.toISOString() ?? at,
        recordedAt: at,
        actor: place.actor,
        backfill: place.backfill,
        correlationId: place.correlationId,
        causationId: place.causationId,
      },
      draft.data,
    );
  }

  return {
    envelope,
    validate,
    seal(event, prevHash, options) {
      const meta = options?.envelopeChecked ? placed(event) : parsedEnvelope(event);
      const stored = linked(meta, checkData(meta, event.data), prevHash);
      const { bytes, hash } = sealRecord(stored, meta.stream, prevHash);
      stored.hash = hash;
      return { toAppend: { id: meta.id, type: meta.type, data: bytes }, event: stored as unknown as Stored };
    },
    decode(bytes) {
      let parsed: Stored;
      try {
        // Stores hand out Buffers: decode those as they are, without wrapping them in another view.
        const text = Buffer.isBuffer(bytes) ? bytes.toString('utf8') : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('utf8');
        parsed = JSON.parse(text) as Stored;
      } catch {
        throw new EventUnreadableError(undefined, 'the record is not JSON');
      }
      const entry = entries[parsed.type];
      if (!entry) throw new EventUnreadableError((parsed as { id?: string }).id, `unknown event type ${String(parsed.type)}`);
      if (parsed.schemaVersion < entry.schemaVersion) {
        try {
          parsed.data = upcast(upcasters, parsed.type, parsed.schemaVersion, entry.schemaVersion, parsed.data);
        } catch (error) {
          throw new EventUnreadableError((parsed as { id?: string }).id, (error as Error).message);
        }
        parsed.schemaVersion = entry.schemaVersion;
      }
      return parsed;
    },
  };
}

/** Upcasters of Custodian's own catalog (custodian-upcasters.ts). */
export const upcasters: Upcasters = custodianUpcasters;

/** The codec of Custodian's catalog. */
export const events: EventCodec<NewEvent, CustodianEvent> = createEventCodec<NewEvent, CustodianEvent>(catalog, upcasters);
