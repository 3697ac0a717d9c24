import type { z } from 'zod';
import { parseOrThrow, safeMessages, ValidationError } from '../errors';
import { ApplicationEventName, catalog, type Actor, type CustodianEvent, type EventData, type Upcaster } from '../events';
import { ApplicationCatalogError, ApplicationEventUnreadableError } from './errors';

/** One of the application's event types: the schema of its `data` now, and that schema's version. */
export interface ApplicationEventType {
  readonly schemaVersion: number;
  readonly schema: z.ZodType;
}

/** The application's event types, by name: `{ OrderPlaced: { schemaVersion: 2, schema } }`. */
export type ApplicationCatalog = { readonly [type: string]: ApplicationEventType };

/** The catalog of a ledger given no event types of the application's. */
export type NoApplicationEvents = Record<never, ApplicationEventType>;

/**
 * `{ [type]: { [fromVersion]: upcaster to fromVersion + 1 } }`, one step for every version
 * below the current one. An upcaster is pure: it returns the next version's data and changes
 * nothing (its input is frozen). Older versions have no schema here, so it takes `unknown`;
 * what the last step returns is checked against the current schema on every read.
 */
export type ApplicationUpcasters<E extends ApplicationCatalog> = { readonly [T in keyof E]?: { readonly [fromVersion: number]: Upcaster } };

/** An application event as the ledger reads it: at its type's current schema version, whatever version it was written at. */
export type ApplicationEvent<E extends ApplicationCatalog = ApplicationCatalog, T extends keyof E & string = keyof E & string> = {
  [K in T]: {
    readonly id: string;
    readonly type: K;
    /** The version `data` is read at: the type's current one. */
    readonly schemaVersion: number;
    /** The version it was written at; the stored record keeps it. */
    readonly storedVersion: number;
    /** The name it was recorded under (`recordEvent`'s `stream`). */
    readonly stream: string;
    /** The subject its data is about, when it was recorded with one: that data is sealed under her key. */
    readonly subjectId?: string | undefined;
    readonly erased?: false;
    readonly occurredAt: string;
    readonly recordedAt: string;
    readonly actor: Actor;
    readonly correlationId?: string | undefined;
    readonly causationId?: string | undefined;
    readonly data: z.output<E[K]['schema']>;
  };
}[T];

/**
 * An application event about a subject since erased: her key is destroyed, so its data is gone
 * for good; what is left says what kind of event it was, when, and by whom.
 */
export type ErasedApplicationEvent<E extends ApplicationCatalog = ApplicationCatalog> = Omit<ApplicationEvent<E>, 'data' | 'subjectId' | 'erased'> & {
  readonly subjectId: string;
  readonly erased: true;
  readonly data?: undefined;
};

/** What `readEvents` returns: each event read at its type's current version, or, for a subject erased, without its data. */
export type ReadApplicationEvent<E extends ApplicationCatalog = ApplicationCatalog> = ApplicationEvent<E> | ErasedApplicationEvent<E>;

/** The application's event types, checked once: what `recordEvent` writes with and `readEvents` reads with. */
export interface ApplicationEvents {
  /**
   * The data to record for `type` at its current version: parsed by its schema, as plain JSON; `ValidationError` otherwise.
   * Data to be stored in plaintext (`sealed` false) must hold no email address.
   */
  check(type: string, data: unknown, sealed: boolean): { readonly schemaVersion: number; readonly data: Json };
  /**
   * A recorded event at its type's current version; `ApplicationEventUnreadableError` when it cannot be. An event whose data
   * is sealed is read with `opened`, its data as the ledger opened it.
   */
  read(event: CustodianEvent<'ApplicationEventRecorded'>, stream: string, opened?: { readonly data: Json }): ApplicationEvent;
}

/** What JSON holds: the `data` of an `ApplicationEventRecorded`. */
type Json = Exclude<EventData<'ApplicationEventRecorded'>['data'], undefined>;

function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const member of Object.values(value)) deepFreeze(member);
  }
  return value;
}

/** `value` as JSON holds it (members set to undefined left out, as the record's bytes would), or the path of what JSON cannot hold. */
function plainJson(value: unknown, path: string): { json: Json } | { path: string } {
  if (value === null || typeof value === 'string' || typeof value === 'boolean') return { json: value };
  if (typeof value === 'number') return Number.isFinite(value) ? { json: value } : { path };
  if (Array.isArray(value)) {
    const items: Json[] = [];
    for (const [i, item] of value.entries()) {
      const plain = plainJson(item, `${path}[${i}]`);
      if (!('json' in plain)) return plain;
      items.push(plain.json);
    }
    return { json: items };
  }
  if (typeof value !== 'object' || Object.getPrototypeOf(value) !== Object.prototype) return { path };
  const members: Record<string, Json> = {};
  let index = 0;
  for (const [key, member] of Object.entries(value)) {
    index++;
    if (member === undefined) continue;
    // The key is the caller's: named by its place, as validation errors name keys.
    const plain = plainJson(member, `${path}[member ${index}]`);
    if (!('json' in plain)) return plain;
    members[key] = plain.json;
  }
  return { json: members };
}

const EMAIL_INSIDE = /[^@\s]+@[^@\s]+\.[^@\s]+/;
const holdsEmail = (value: Json): boolean =>
  typeof value === 'string'
    ? EMAIL_INSIDE.test(value)
    : typeof value === 'object' && value !== null && Object.entries(value).some(([k, v]) => EMAIL_INSIDE.test(k) || holdsEmail(v));

function checkTypes(events: ApplicationCatalog): void {
  for (const [type, entry] of Object.entries(events)) {
    if (!ApplicationEventName.safeParse(type).success)
      throw new ApplicationCatalogError(type.slice(0, 100), 'bad_name', 'must be a PascalCase name of letters and digits, like OrderPlaced');
    if (Object.hasOwn(catalog, type)) throw new ApplicationCatalogError(type, 'custodian_type', "is one of Custodian's own event types; name the application's apart");
    const { schemaVersion, schema } = entry;
    if (!Number.isInteger(schemaVersion) || schemaVersion < 1 || schemaVersion > 10_000)
      throw new ApplicationCatalogError(type, 'bad_schema_version', 'schemaVersion must be an integer from 1 to 10000');
    if (typeof (schema as { safeParse?: unknown } | undefined)?.safeParse !== 'function') throw new ApplicationCatalogError(type, 'not_a_schema', 'schema must be a zod schema');
  }
}

/** Each type's steps from version 1 to its current one, each given a frozen input. */
function checkSteps(events: ApplicationCatalog, upcasters: { readonly [type: string]: { readonly [fromVersion: number]: Upcaster } | undefined }): Map<string, Upcaster[]> {
  for (const type of Object.keys(upcasters))
    if (!Object.hasOwn(events, type)) throw new ApplicationCatalogError(type.slice(0, 100), 'unknown_type', 'has upcasters but is not one of the event types given');
  const chains = new Map<string, Upcaster[]>();
  for (const [type, { schemaVersion }] of Object.entries(events)) {
    const steps = upcasters[type] ?? {};
    const beyond = Object.keys(steps).filter((key) => !/^[1-9]\d*$/.test(key) || Number(key) >= schemaVersion);
    if (beyond.length > 0)
      throw new ApplicationCatalogError(
        type,
        'upcaster_beyond_current',
        `upcasters run from a version below the current one (${schemaVersion}) to the next; one is keyed otherwise`,
      );
    const chain: Upcaster[] = [];
    const missing: number[] = [];
    for (let version = 1; version < schemaVersion; version++) {
      const step = steps[version];
      if (step === undefined) missing.push(version);
      else if (typeof step !== 'function') throw new ApplicationCatalogError(type, 'not_a_function', `the upcaster from version ${version} is not a function`, [version]);
      else chain.push((data) => step(deepFreeze(data)));
    }
    if (missing.length > 0)
      throw new ApplicationCatalogError(
        type,
        'upcaster_missing',
        `is at schema version ${schemaVersion}, but no upcaster takes version ${missing.join(', ')} to the next: a record stored at ${missing.length > 1 ? 'those' : 'that'} version could never be read`,
        missing,
      );
    chains.set(type, chain);
  }
  return chains;
}

/**
 * Checks the application's event types and their upcasters (`createLedger`'s `events` and
 * `upcasters`): every type is named apart from Custodian's, and every version below the
 * current one has its step to the next, so every record ever stored can be read. Throws
 * `ApplicationCatalogError`.
 */
export function defineApplicationEvents<E extends ApplicationCatalog>(events: E = {} as E, upcasters: ApplicationUpcasters<E> = {}): ApplicationEvents {
  checkTypes(events);
  const chains = checkSteps(events, upcasters);
  return {
    check(type, data, sealed) {
      const entry = Object.hasOwn(events, type) ? events[type] : undefined;
      if (!entry) throw new ValidationError('recordEvent', [{ path: 'type', message: 'is not one of the application event types this ledger was given' }]);
      const parsed: unknown = parseOrThrow(entry.schema, data, 'recordEvent', { prefix: 'data' });
      const plain = plainJson(parsed, 'data');
      if (!('json' in plain))
        throw new ValidationError('recordEvent', [{ path: plain.path, message: 'must be JSON: strings, finite numbers, booleans, null, arrays and plain objects' }]);
      if (!sealed && holdsEmail(plain.json))
        throw new ValidationError('recordEvent', [
          {
            path: 'data',
            message:
              'holds what looks like an email address; data about no subject is stored in plaintext and never erased: name the subject it is about (subjectId) to have it sealed',
          },
        ]);
      return { schemaVersion: entry.schemaVersion, data: plain.json };
    },
    read(event, stream, opened) {
      const { type, schemaVersion: storedVersion } = event.data;
      const entry = Object.hasOwn(events, type) ? events[type] : undefined;
      const unreadable = (problem: ConstructorParameters<typeof ApplicationEventUnreadableError>[4], detail: string, issues?: readonly string[]) =>
        new ApplicationEventUnreadableError(event.id, type, storedVersion, entry?.schemaVersion, problem, detail, issues);
      if (!entry) throw unreadable('unknown_type', 'its type is not one of the application event types this ledger was given');
      if (storedVersion > entry.schemaVersion) throw unreadable('newer_version', 'it was written by a newer version of the application');
      let data: unknown = opened === undefined ? event.data.data : opened.data;
      const chain = chains.get(type) ?? [];
      for (let version = storedVersion; version < entry.schemaVersion; version++) {
        try {
          data = (chain[version - 1] as Upcaster)(data);
        } catch {
          throw unreadable('upcaster_threw', `the upcaster from version ${version} to ${version + 1} threw`);
        }
      }
      const read = entry.schema.safeParse(data, { error: safeMessages });
      if (!read.success) {
        const issues = ValidationError.fromZod(type, read.error, 'data').issues.map((issue) => `${issue.path}: ${issue.message}`);
        throw unreadable(
          'output_invalid',
          `${storedVersion < entry.schemaVersion ? "the upcasters' output" : 'its data'} fails the schema of version ${entry.schemaVersion} (${issues.slice(0, 3).join('; ')})`,
          issues,
        );
      }
      const { id, occurredAt, recordedAt, actor, correlationId, causationId } = event;
      const { subjectId } = event.data;
      const about = subjectId === undefined ? {} : { subjectId };
      return { id, type, schemaVersion: entry.schemaVersion, storedVersion, stream, ...about, occurredAt, recordedAt, actor, correlationId, causationId, data: read.data };
    },
  };
}
