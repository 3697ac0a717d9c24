import { createHash } from 'node:crypto';
import type { ClientEventData } from './client';

/*
 * EventStoreDB takes only UUIDs as event ids, and gives them back lower-cased. The port
 * takes any id of 1 to 255 bytes, so an id that is not a lower-case UUID is stored as a
 * UUID derived from it (name-based, RFC 9562 version 5) with the original in the event's
 * metadata. The derivation is deterministic: a retried append carries the same UUIDs as
 * the first try, which is what lets EventStoreDB recognise it and write nothing twice.
 */

const CANONICAL_UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
// Custodian's namespace for derived ids (a fixed random UUID; never change it).
const NAMESPACE = Buffer.from('5b0f3c1e9a7d4c2b8e6f1a2b3c4d5e6f', 'hex');

export function toClientEvent(id: string, type: string, data: Uint8Array): ClientEventData {
  const canonical = CANONICAL_UUID.test(id);
  return {
    id: canonical ? id : derivedUuid(id),
    contentType: 'application/octet-stream',
    type,
    data,
    metadata: canonical ? undefined : { custodianId: id },
  };
}

/** The port's id of a stored event: the original from the metadata if there is one. */
export function portIdOf(uuid: string, metadata: unknown): string {
  if (typeof metadata === 'object' && metadata !== null && 'custodianId' in metadata) {
    const original = (metadata as { custodianId: unknown }).custodianId;
    if (typeof original === 'string') return original;
  }
  return uuid;
}

export function derivedUuid(id: string): string {
  const hash = createHash('sha1').update(NAMESPACE).update(id, 'utf8').digest();
  hash[6] = ((hash[6] as number) & 0x0f) | 0x50;
  hash[8] = ((hash[8] as number) & 0x3f) | 0x80;
  const hex = hash.subarray(0, 16).toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}
