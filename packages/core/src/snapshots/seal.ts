import { createHmac, timingSafeEqual } from 'node:crypto';
import { z } from 'zod';
import { canonicalJson } from '../crypto';
import type { StateCodec } from './state-codec';

/**
 * A stream folded to a revision: the decider's state, the revision and the chain hash of the
 * record it was folded to, and the ids of the stream's events up to it (at index = revision),
 * so a record copied from before the snapshot into the tail is still found to repeat an id.
 */
export interface Snapshot<S> {
  readonly stream: string;
  readonly revision: bigint;
  readonly hash: string;
  readonly ids: readonly string[];
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
  ids: z.array(z.string().min(1)),
  state: z.unknown(),
});

/** Secrets shorter than this are refused: HMAC-SHA256 is only as strong as its key. */
export const MIN_SECRET_BYTES = 32;

const macOf = (secret: Uint8Array, body: Buffer): Buffer => createHmac('sha256', secret).update(body).digest();

/**
 * The snapshot's bytes: the hex HMAC-SHA256, under the ledger's secret, of the canonical
 * JSON that follows it (format, codec, stream, revision, hash, ids, state). Whoever can
 * write the snapshot store but lacks the secret cannot make bytes that `openSnapshot`
 * accepts for any stream, revision, hash or state but the ones the ledger folded.
 */
export function sealSnapshot<S>(snapshot: Snapshot<S>, codec: StateCodec<S>, secret: Uint8Array): Uint8Array {
  const body = Buffer.from(
    canonicalJson({
      format: FORMAT,
      codec: codec.name,
      stream: snapshot.stream,
      revision: snapshot.revision.toString(),
      hash: snapshot.hash,
      ids: snapshot.ids,
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
  if (BigInt(parsed.ids.length) !== revision + 1n) return { ok: false, fault: 'malformed' };
  let state: S;
  try {
    state = expected.codec.decode(parsed.state);
  } catch {
    return { ok: false, fault: 'unreadable_state' };
  }
  return { ok: true, snapshot: { stream: parsed.stream, revision, hash: parsed.hash, ids: parsed.ids, state } };
}
