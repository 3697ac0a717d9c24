import { createHash } from 'node:crypto';

/**
 * The id of the `index`th event of `line` of an import: a UUID (version 8, RFC 9562's
 * name-based layout over SHA-256) that is the same on every run of the import. A rerun after
 * a crash makes the same ids, so what already landed is recognised and not appended twice.
 */
export function backfillEventId(importId: string, line: number, index: number): string {
  const digest = createHash('sha256').update(`custodian-backfill\u0000${importId}\u0000${line}\u0000${index}`).digest();
  digest[6] = ((digest[6] as number) & 0x0f) | 0x80;
  digest[8] = ((digest[8] as number) & 0x3f) | 0x80;
  const hex = digest.toString('hex', 0, 16);
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20, 32)}`;
}
