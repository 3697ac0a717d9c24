import { createHmac, timingSafeEqual } from 'node:crypto';
import { z } from 'zod';
import { canonicalJson } from '../crypto';
import { EventIdSet } from '../events';
import type { StateCodec } from './state-codec';

/**
 * A stream folded to a revision: the decider's state, the revision and the chain hash of the
 * record it was folded to, and the ids of the stream's events up to it (each tagged with its
 * revision), so a record copied from before the snapshot into the tail still repeats an id.
 */
export interface Snapshot<S> {
  readonly stream: string;
  readonly revision: bigint;
  readonly hash: string;
  readonly ids: EventIdSet;
  readonly state: S;
}

/** Why a stored snapshot was not used. Every one of these makes the ledger fold the stream from its start. */
export type SnapshotFault = 'malformed' | 'mac_mismatch' | 'other_stream' | 'other_codec' | 'unreadable_state';

export type OpenedSnapshot<S> = { readonly ok: true; readonly snapshot: Snapshot<S> } | { readonly ok: false; readonly fault: SnapshotFault };

const FORMAT = 'custodian-snapshot/1';
const MAC_HEX = 64;

/** What a snapshot's bytes hold after its MAC; the MAC covers exactly these bytes. */
const SnapshotBody = z.strictObject({
  format: z.literal(FORMAT),
  codec: z.string(),
  stream: z.string().min(1),
  revision: z.string().regex(/^(0|[1-9][0-9]{0,18})$/),
  hash: z.string().regex(/^[0-9a-f]{64}$/),
  /** 16 bytes per event id, at its revision (EventIdSet.pack), in base64. */
  // Its length is checked once decoded; a regex over thousands of characters would cost more than the fold it saves.
  uuids: z.string(),
  /** The ids that are no UUID, with their revisions. */
  otherIds: z.array(z.tuple([z.int().min(0), z.string().min(1)])),
  state: z.unknown(),
});

/** Secrets shorter than this are refused: HMAC-SHA256 is only as strong as its key. */
export const MIN_SECRET_BYTES = 32;

const macOf = (secret: Uint8Array, body: Buffer): Buffer => createHmac('sha256', secret).update(body).digest();

/**
 * The snapshot's bytes: the hex HMAC-SHA256, under the ledger's secret, of the canonical
 * JSON that follows it (format, codec, stream, revision, hash, ids, state). Throws a
 * RangeError when `ids` lacks the id of a revision up to the snapshot's. Whoever can
 * write the snapshot store but lacks the secret cannot make bytes that `openSnapshot`
 * accepts for any stream, revision, hash or state but the ones the ledger folded.
 */
export function sealSnapshot<S>(snapshot: Snapshot<S>, codec: StateCodec<S>, secret: Uint8Array): Uint8Array {
  const ids = snapshot.ids.pack(Number(snapshot.revision) + 1);
  if (!ids) throw new RangeError("a snapshot needs the id of each of its stream's events up to its revision");
  const body = Buffer.from(
    canonicalJson({
      format: FORMAT,
      codec: codec.name,
      stream: snapshot.stream,
      revision: snapshot.revision.toString(),
      hash: snapshot.hash,
      uuids: ids.uuids.toString('base64'),
      otherIds: ids.others,
      state: codec.encode(snapshot.state),
    }),
  );
  return Buffer.concat([Buffer.from(macOf(secret, body).toString('hex'), 'latin1'), body]);
}

/** Reads a snapshot back for `stream`, or says why it must not be used: the MAC is checked before anything in it is read. */
export function openSnapshot<S>(bytes: Uint8Array, expected: { readonly stream: string; readonly codec: StateCodec<S>; readonly secret: Uint8Array }): OpenedSnapshot<S> {
  const all = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (all.length <= MAC_HEX) return { ok: false, fault: 'malformed' };
  const stored = Buffer.from(all.toString('latin1', 0, MAC_HEX), 'hex');
  const body = all.subarray(MAC_HEX);
  const mac = macOf(expected.secret, body);
  if (stored.length !== mac.length || !timingSafeEqual(stored, mac)) return { ok: false, fault: 'mac_mismatch' };
  let parsed: z.output<typeof SnapshotBody>;
  try {
    parsed = SnapshotBody.parse(JSON.parse(body.toString('utf8')));
  } catch {
    return { ok: false, fault: 'malformed' };
  }
  if (parsed.stream !== expected.stream) return { ok: false, fault: 'other_stream' };
  if (parsed.codec !== expected.codec.name) return { ok: false, fault: 'other_codec' };
  const revision = BigInt(parsed.revision);
  const count = Number(revision) + 1;
  const uuids = Buffer.from(parsed.uuids, 'base64');
  const named = new Set(parsed.otherIds.map(([tag]) => tag));
  if (uuids.length !== count * 16 || named.size !== parsed.otherIds.length || parsed.otherIds.some(([tag]) => tag >= count)) return { ok: false, fault: 'malformed' };
  let state: S;
  try {
    state = expected.codec.decode(parsed.state);
  } catch {
    return { ok: false, fault: 'unreadable_state' };
  }
  return { ok: true, snapshot: { stream: parsed.stream, revision, hash: parsed.hash, ids: EventIdSet.unpack(count, uuids, parsed.otherIds), state } };
}
