import type { z } from 'zod';
import { describeField, describeKey } from './redact';

export interface ValidationIssue {
  /** The offending field by its place in the schema, e.g. `notice.version` or `data[key 1 of 2: 22 chars, #a1b2c3]`; empty for the whole input. */
  path: string;
  message: string;
}

/** The parts of a zod schema's definition the path walker reads. */
interface Def {
  type: string;
  shape?: Record<string, unknown>;
  element?: unknown;
  items?: readonly unknown[];
  rest?: unknown;
  keyType?: unknown;
  valueType?: unknown;
  innerType?: unknown;
  in?: unknown;
  getter?: () => unknown;
  entries?: Record<string, unknown>;
}

const defOf = (schema: unknown): Def | undefined => (schema as { _zod?: { def?: Def } } | undefined)?._zod?.def;
const WRAPPERS = new Set(['optional', 'nullable', 'default', 'prefault', 'readonly', 'nonoptional', 'catch', 'success']);

/** The definition under optional, default, pipe and lazy wrappers: what gives a path segment its meaning. */
function unwrap(schema: unknown): Def | undefined {
  let current = schema;
  for (let depth = 0; depth < 32; depth++) {
    const def = defOf(current);
    if (!def) return undefined;
    if (WRAPPERS.has(def.type)) current = def.innerType;
    else if (def.type === 'pipe') current = def.in;
    else if (def.type === 'lazy') current = def.getter?.();
    else return def;
  }
  return undefined;
}

const isRecord = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);

/** Each container's keys by position, found once: a record with thousands of bad keys costs one pass, not one per issue. */
type KeyIndex = (container: unknown, key: string) => { index: number; count: number };

function keyIndex(): KeyIndex {
  const seen = new WeakMap<object, Map<string, number>>();
  return (container, key) => {
    if (!isRecord(container)) return { index: -1, count: 0 };
    let positions = seen.get(container);
    if (!positions) seen.set(container, (positions = new Map(Object.keys(container).map((k, i) => [k, i]))));
    return { index: positions.get(key) ?? -1, count: positions.size };
  };
}

interface Located {
  readonly path: string;
  readonly def: Def | undefined;
  readonly value: unknown;
}

/**
 * Renders a zod path by the schema's own names: a field the schema declares is named, an
 * array index is a number, and any key the caller chose (a record's key, or a key where the
 * schema is not known) is shown by `describeKey`, never by its text.
 */
function locate(schema: unknown, input: unknown, path: readonly PropertyKey[], prefix: string, keys: KeyIndex, nameKey?: (key: string) => boolean): Located {
  let text = prefix;
  let def = schema === undefined ? undefined : unwrap(schema);
  let value = input;
  const known = schema !== undefined;
  for (const segment of path) {
    if (typeof segment === 'number') {
      text += `.${segment}`;
      const next = def?.type === 'array' ? def.element : def?.type === 'tuple' ? (def.items?.[segment] ?? def.rest) : undefined;
      def = next === undefined ? undefined : unwrap(next);
      value = Array.isArray(value) ? value[segment] : undefined;
      continue;
    }
    const key = String(segment);
    const { index, count } = keys(value, key);
    if (def?.type === 'object' && def.shape && Object.hasOwn(def.shape, key)) {
      text += `.${key}`;
      def = unwrap(def.shape[key]);
    } else if (def?.type === 'record') {
      text += nameKey?.(key) ? `.${key}` : describeKey(key, index, count);
      def = unwrap(def.valueType);
    } else {
      // Without a schema to tell a field from a key, only a field-name-shaped segment is named.
      text += known ? describeKey(key, index, count) : describeField(key, index, count);
      def = undefined;
    }
    value = isRecord(value) ? value[key] : undefined;
  }
  return { path: text.replace(/^\./, ''), def, value };
}

/** The names an object or an enum-keyed record accepts, for a hint after an unknown key. */
function acceptedKeys(def: Def | undefined): string[] {
  if (def?.type === 'object' && def.shape) return Object.keys(def.shape);
  const keyDef = def?.type === 'record' ? unwrap(def.keyType) : undefined;
  return keyDef?.type === 'enum' && keyDef.entries ? Object.values(keyDef.entries).map(String) : [];
}

/** Edits between two short strings, case aside; Infinity for long ones, which are no misspelling. */
function distance(a: string, b: string): number {
  if (a.length > 40 || b.length > 40) return Infinity;
  const [x, y] = [a.toLowerCase(), b.toLowerCase()];
  let row = Array.from({ length: y.length + 1 }, (_, j) => j);
  for (let i = 1; i <= x.length; i++) {
    const next = [i];
    for (let j = 1; j <= y.length; j++) next[j] = Math.min((row[j] ?? 0) + 1, (next[j - 1] ?? 0) + 1, (row[j - 1] ?? 0) + (x[i - 1] === y[j - 1] ? 0 : 1));
    row = next;
  }
  return row[y.length] ?? Infinity;
}

/** The hint names only the schema's own fields, so it is safe whatever the key. */
function unknownKeyHint(key: string, accepted: readonly string[]): string {
  const near = accepted.find((name) => distance(name, key) <= Math.min(2, Math.floor(name.length / 3)));
  if (near) return `; did you mean ${near}?`;
  return accepted.length > 0 ? `; expected one of ${accepted.join(', ')}` : '';
}

export interface IssueContext {
  /** The schema that was parsed: lets the path name its fields and show record keys by place only. */
  readonly schema?: z.ZodType | undefined;
  readonly input?: unknown;
  /** Put before every path, for a part parsed apart from its whole (`purposes`). */
  readonly prefix?: string | undefined;
  /** A record key this returns true for is named (the policy's own vocabulary); any other is described. */
  readonly nameKey?: ((key: string) => boolean) | undefined;
}

/**
 * Zod's issues as Custodian reports them. Zod's own texts for an unknown key and a bad
 * record key quote the key, so those two are rewritten here; the others say what was
 * expected, from the schema, not what was given.
 */
export function issuesFromZod(error: z.ZodError, context: IssueContext = {}): ValidationIssue[] {
  const { schema, input, prefix = '', nameKey } = context;
  const keys = keyIndex();
  return error.issues.flatMap((issue): ValidationIssue[] => {
    const at = locate(schema, input, issue.path, prefix, keys, nameKey);
    if (issue.code === 'unrecognized_keys') {
      const accepted = acceptedKeys(at.def);
      return issue.keys.map((key) => {
        const { index, count } = keys(at.value, key);
        return { path: `${at.path}${describeField(key, index, count)}`.replace(/^\./, ''), message: `is not a known field${unknownKeyHint(key, accepted)}` };
      });
    }
    if (issue.code === 'invalid_key') return [{ path: at.path, message: `is not an accepted key: ${issue.issues.map((inner) => inner.message).join('; ')}` }];
    return [{ path: at.path, message: issue.message }];
  });
}

const article = (noun: string) => (/^[aeiou]/.test(noun) ? `an ${noun}` : `a ${noun}`);

function kindOf(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  if (value instanceof Date) return Number.isNaN(value.getTime()) ? 'an invalid Date' : 'a Date';
  return article(typeof value);
}

const FORMATS: Record<string, string> = {
  datetime: 'an ISO 8601 date-time with its offset, like 2026-01-31T09:00:00Z',
  date: 'an ISO 8601 date, like 2026-01-31',
  uuid: 'a UUID',
  guid: 'a UUID',
  email: 'an email address',
};

/**
 * Zod's default texts, said without the input: a zod error map given to each parse, so the
 * messages a schema sets itself still win.
 */
export const safeMessages: z.core.$ZodErrorMap = (issue) => {
  switch (issue.code) {
    case 'invalid_type':
      return issue.input === undefined ? `is required: expected ${article(issue.expected)}` : `must be ${article(issue.expected)}, not ${kindOf(issue.input)}`;
    case 'too_big':
    case 'too_small': {
      const limit = issue.code === 'too_big' ? `at most ${issue.maximum}` : `at least ${issue.minimum}`;
      if (issue.origin === 'string') return `must have ${limit} characters`;
      if (issue.origin === 'array' || issue.origin === 'set') return `must hold ${limit} items`;
      return `must be ${limit}`;
    }
    case 'invalid_format':
      return issue.format === 'regex' ? 'does not have the expected form' : `must be ${FORMATS[issue.format] ?? `a valid ${issue.format}`}`;
    case 'invalid_value':
      return issue.values.length === 1 ? `must be ${JSON.stringify(issue.values[0])}` : `must be one of ${issue.values.map((v) => JSON.stringify(v)).join(', ')}`;
    case 'not_multiple_of':
      return `must be a multiple of ${issue.divisor}`;
    case 'unrecognized_keys':
      return 'holds unknown fields';
    case 'invalid_key':
      return 'is not an accepted key';
    case 'invalid_element':
      return 'holds an invalid element';
    case 'invalid_union':
      return 'matches none of the accepted forms';
    default:
      return 'is invalid';
  }
};
