/** A time as the tables keep it: UTC ISO 8601 with milliseconds, so times compare and sort as text. */
export function utc(time: string): string;
export function utc(time: string | undefined): string | null;
export function utc(time: string | undefined): string | null {
  return time === undefined ? null : new Date(time).toISOString();
}

/** The time back from a column, as the folds hold it. */
export const optional = (value: string | null): string | undefined => value ?? undefined;

/** Lists are kept as JSON arrays, so analysts can open them with json_each(). */
export const list = (items: readonly string[]): string => JSON.stringify(items);

export function parseList(text: string): string[] {
  const parsed: unknown = JSON.parse(text);
  if (!Array.isArray(parsed) || !parsed.every((item): item is string => typeof item === 'string')) throw new TypeError(`not a JSON list of strings: ${text}`);
  return parsed;
}
