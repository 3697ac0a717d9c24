import { CustodianError, ValidationError } from '../errors';
import { sealRecord } from '../crypto/chain';
import type { EventToAppend } from '../store';
import { catalog, type Catalog, type CustodianEvent, type NewEvent } from './catalog';
import { ChainLinks, EnvelopeMeta } from './envelope';
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

export interface EventCodec<New extends Shape, Stored extends New & ChainLinks> {
  /** Checks an event against the envelope and its type's current schema; throws `ValidationError`. */
  validate(event: unknown): New;
  /** Validates, links to `prevHash` and serialises: what the store is given, and the event as stored. */
  seal(event: New, prevHash: string): { toAppend: EventToAppend; event: Stored };
  /** Reads a stored record, upcasting older schema versions on the way; the record is not touched. */
  decode(bytes: Uint8Array): Stored;
}

/** A codec for any catalog; `events` below is the one for Custodian's own. */
export function createEventCodec<New extends Shape, Stored extends New & ChainLinks = New & ChainLinks>(
  entries: Catalog,
  upcasters: Upcasters = {},
): EventCodec<New, Stored> {
  function validate(input: unknown): New {
    const meta = EnvelopeMeta.safeParse(input);
    if (!meta.success) throw ValidationError.fromZod('event', meta.error);
    const entry = entries[meta.data.type];
    if (!entry) throw new ValidationError('event', [{ path: 'type', message: `unknown event type ${meta.data.type}` }]);
    if (meta.data.schemaVersion !== entry.schemaVersion) {
      throw new ValidationError('event', [
        { path: 'schemaVersion', message: `new ${meta.data.type} events are written at schema version ${entry.schemaVersion}` },
      ]);
    }
    const data = entry.schema.safeParse((input as { data?: unknown }).data);
    if (!data.success) throw ValidationError.fromZod(`${meta.data.type} event`, data.error, 'data');
    return { ...meta.data, data: data.data } as unknown as New;
  }

  return {
    validate,
    seal(event, prevHash) {
      const valid = validate(event);
      const { bytes, hash } = sealRecord(valid as Record<string, unknown>, prevHash);
      const id = (valid as { id?: string }).id ?? '';
      return { toAppend: { id, type: valid.type, data: bytes }, event: { ...valid, prevHash, hash } as Stored };
    },
    decode(bytes) {
      let parsed: Stored;
      try {
        parsed = JSON.parse(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('utf8')) as Stored;
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

/** Upcasters of Custodian's own catalog. Every event type is still at version 1. */
export const upcasters: Upcasters = {};

/** The codec of Custodian's catalog. */
export const events: EventCodec<NewEvent, CustodianEvent> = createEventCodec<NewEvent, CustodianEvent>(catalog, upcasters);
