import { UsageError } from '../usage';

const ISO_TIME = /^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?)?$/;

/** `--at`: a global position (digits) or an ISO 8601 time; a time without a zone is UTC. */
export function parseAt(text: string, command: string): bigint | Date {
  if (/^\d+$/.test(text)) return BigInt(text);
  if (ISO_TIME.test(text)) {
    const zoned = /T/.test(text) && !/(Z|[+-]\d{2}:?\d{2})$/.test(text) ? `${text}Z` : text;
    const time = new Date(zoned);
    if (!Number.isNaN(time.getTime())) return time;
  }
  throw new UsageError(`--at takes a global position (like 42) or an ISO 8601 time (like 2026-03-01T10:00:00Z), not '${text}'`, command);
}

export const describeAt = (at: bigint | Date): string => (typeof at === 'bigint' ? `position ${at}` : at.toISOString());
