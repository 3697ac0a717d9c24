import { UsageError } from '../usage';

const ISO_TIME = /^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?)?$/;

/** An ISO 8601 time, or undefined; a time without a zone is UTC, and a day that does not exist (30 February) is none. */
function isoTime(text: string): Date | undefined {
  if (!ISO_TIME.test(text)) return undefined;
  const [year = 0, month = 0, day = 0] = text.slice(0, 10).split('-').map(Number);
  // Date would roll 30 February over into March.
  if (month < 1 || month > 12 || day < 1 || day > new Date(Date.UTC(year, month, 0)).getUTCDate()) return undefined;
  const zoned = /T/.test(text) && !/(Z|[+-]\d{2}:?\d{2})$/.test(text) ? `${text}Z` : text;
  const time = new Date(zoned);
  return Number.isNaN(time.getTime()) ? undefined : time;
}

/** `--at`: a global position (digits) or an ISO 8601 time; a time without a zone is UTC. */
export function parseAt(text: string, command: string): bigint | Date {
  if (/^\d+$/.test(text)) return BigInt(text);
  const time = isoTime(text);
  if (time) return time;
  throw new UsageError(`--at takes a global position (like 42) or an ISO 8601 time (like 2026-03-01T10:00:00Z), not '${text}'`, command);
}

/** A time option (`--now`, `--from`, `--to`): an ISO 8601 time; a time without a zone is UTC, a day alone is its first moment. */
export function parseTime(text: string, option: string, command: string): Date {
  const time = isoTime(text);
  if (time) return time;
  throw new UsageError(`--${option} takes an ISO 8601 time (like 2026-03-01T10:00:00Z or 2026-03-01), not '${text}'`, command);
}

export const describeAt = (at: bigint | Date): string => (typeof at === 'bigint' ? `position ${at}` : at.toISOString());
