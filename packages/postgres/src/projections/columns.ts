// The same forms as @custodian/sqlite's tables, so that the same SQL reads the same values.
const ISO_UTC = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;

/** A time as the tables keep it: UTC ISO 8601 text with milliseconds, so times compare and sort as text. */
export function utc(time: string): string;
export function utc(time: string | undefined): string | null;
export function utc(time: string | undefined): string | null {
  if (time === undefined) return null;
  return ISO_UTC.test(time) ? time : new Date(time).toISOString();
}

/** The value back from a nullable column, as the folds hold it. */
export const optional = (value: string | null): string | undefined => value ?? undefined;

/** Lists are jsonb arrays; they are sent as their JSON text, which the statements cast. */
export const list = (items: readonly string[]): string => JSON.stringify(items);

/** A map of names to times (retention per purpose) as the JSON text of a jsonb object, its times as the tables keep them. */
export const timeMap = (times: Readonly<Record<string, string>> | undefined): string =>
  JSON.stringify(Object.fromEntries(Object.entries(times ?? {}).map(([name, time]) => [name, utc(time)])));

/** A jsonb map of times as pg parses it. */
export function times(value: unknown): Record<string, string> {
  if (typeof value !== 'object' || value === null || Array.isArray(value) || !Object.values(value).every((time) => typeof time === 'string')) {
    throw new TypeError('a map column does not hold a JSON object of times');
  }
  return value as Record<string, string>;
}

/** A jsonb list as pg parses it. */
export function strings(value: unknown): string[] {
  if (!Array.isArray(value) || !value.every((item): item is string => typeof item === 'string')) throw new TypeError('a list column does not hold a JSON list of strings');
  return value;
}

/** The distinct keys a batch's events touch, in first-seen order. */
export function keysOf<T>(items: readonly T[], keys: (item: T) => readonly string[]): string[] {
  const seen = new Set<string>();
  for (const item of items) for (const key of keys(item)) seen.add(key);
  return [...seen];
}

/** Rows gathered column by column, to be sent as one array per column and read back with unnest(). */
export interface Columns {
  readonly arrays: readonly unknown[][];
  readonly length: number;
  push(row: readonly unknown[]): void;
}

export function columns(width: number): Columns {
  const arrays = Array.from({ length: width }, (): unknown[] => []);
  let length = 0;
  return {
    arrays,
    get length() {
      return length;
    },
    push(row) {
      if (row.length !== width) throw new RangeError(`a row of ${row.length} values for ${width} columns`);
      row.forEach((value, i) => arrays[i]?.push(value));
      length++;
    },
  };
}
