// The ledger writes its times in this form already (the events' schema checked them as
// date-times on decode): those are kept as they are, without a parse per column.
const ISO_UTC = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;

/** A time as the tables keep it: UTC ISO 8601 with milliseconds, so times compare and sort as text. */
export function utc(time: string): string;
export function utc(time: string | undefined): string | null;
export function utc(time: string | undefined): string | null {
  if (time === undefined) return null;
  return ISO_UTC.test(time) ? time : new Date(time).toISOString();
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

/** A map of names to times (retention per purpose) as a JSON object, its times as the tables keep them. */
export const timeMap = (times: Readonly<Record<string, string>> | undefined): string =>
  JSON.stringify(Object.fromEntries(Object.entries(times ?? {}).map(([name, time]) => [name, utc(time)])));

export function parseTimeMap(text: string): Record<string, string> {
  const parsed: unknown = JSON.parse(text);
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed) || !Object.values(parsed).every((time) => typeof time === 'string')) {
    throw new TypeError(`not a JSON object of times: ${text}`);
  }
  return parsed as Record<string, string>;
}
