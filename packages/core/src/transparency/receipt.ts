import { z } from 'zod';
import { canonicalJson, checkRecord, streamMember } from '../crypto';
import { parseOrThrow } from '../errors';
import { EventId, events, type CustodianEvent } from '../events';
import type { EventStore } from '../store';
import { parseCheckpoint, type Checkpoint } from './checkpoint';
import { BadSignatureError, CheckpointMismatchError, EventNotInLogError, MalformedTransparencyTextError, NoReceiptForEventError, UnknownKeyError } from './errors';
import { leafDataOfRecord, leafHash } from './hash';
import type { VerifierKey } from './keys';
import { createLogTree, type LogTree } from './log-tree';
import { splitNote } from './note';
import { decodeBase64, encodeBase64 } from './text';
import { formatTlogProof, parseTlogProof, verifyTlogProof } from './tlog-proof';
import type { ProofFailure } from './verify';

export const RECEIPT_FORMAT = 'custodian.receipt/1';

/** The subject's own acts and the ledger's answers to them: what a customer is given a receipt for. */
export const RECEIPT_EVENT_TYPES = [
  'ConsentGranted',
  'ConsentWithdrawn',
  'ObjectionRaised',
  'PrivacySignalApplied',
  'ProcessingRestricted',
  'ErasureRequested',
  'DataErased',
  'AccessRequestReceived',
  'AccessRequestFulfilled',
] as const;

const Hex64 = z.string().regex(/^[0-9a-f]{64}$/, 'must be 64 lowercase hex digits');
const Base64 = z.string().refine((text) => decodeBase64(text) !== undefined, 'must be standard padded base64');

/**
 * What the record says, in the words of a consent receipt (Kantara Consent Receipt 1.1 and
 * ISO/IEC TS 27560 names where one fits; docs/transparency.md maps them). Every member is
 * derived from the record's bytes, so a verifier derives them again and compares.
 */
const ReceiptFields = z.strictObject({
  /** The event's id (Kantara `consentReceiptID`, 27560's record identifier). */
  recordId: z.string(),
  eventType: z.enum(RECEIPT_EVENT_TYPES),
  /** The subject's id in the ledger, pseudonymous (Kantara and 27560 `piiPrincipalId`). */
  piiPrincipalId: z.string(),
  /** The purposes the event names; absent when it names none (it then covers every purpose it may). */
  purposes: z.array(z.string()).optional(),
  /** When it happened (Kantara `consentTimestamp`, 27560's event time), ISO 8601. */
  consentTimestamp: z.string(),
  recordedAt: z.string(),
  /** The privacy notice the consent was given under. */
  notice: z.strictObject({ noticeId: z.string(), noticeVersion: z.string() }).optional(),
  /** How consent was given or withdrawn (Kantara `collectionMethod`, 27560's method), or the signal (`gpc`) that opted out. */
  collectionMethod: z.string().optional(),
  /** When the consent lapses (27560's expiry). */
  expiresAt: z.string().optional(),
  /** Who recorded it: the subject themself, or the company's employee or service. */
  recordedBy: z.strictObject({ id: z.string(), kind: z.string() }),
  /** Art. 15 `access` or Art. 20 `portability`, on access requests. */
  right: z.string().optional(),
  /** On a fulfilled access request: the request it answers and the SHA-256 (hex) of the export handed over. */
  requestRecordId: z.string().optional(),
  exportDigest: z.string().optional(),
  /** On an erasure: how, and the recipients sent an erasure notice. */
  erasureMethod: z.string().optional(),
  recipientsNotified: z.array(z.string()).optional(),
});
type ReceiptFields = z.infer<typeof ReceiptFields>;

export const Receipt = ReceiptFields.extend({
  format: z.literal(RECEIPT_FORMAT),
  leaf: z.strictObject({
    /** The leaf data: the record's `hash` member, hex. */
    data: Hex64,
    /** SHA-256(0x00 || leaf data), base64: what the inclusion proof starts from. */
    hash: Base64,
  }),
  /** The stored record, byte for byte, base64: the fields above are read from it and its hash is the leaf data. Its personal values are sealed. */
  record: Base64,
  /** A `c2sp.org/tlog-proof@v1` of the event against a signed checkpoint (verbatim inside), once one covers it. */
  proof: z.string().optional(),
});
export type Receipt = z.infer<typeof Receipt>;

const FIELD_NAMES = Object.keys(ReceiptFields.shape) as (keyof ReceiptFields)[];

function isReceiptEvent(event: CustodianEvent): event is Extract<CustodianEvent, { type: (typeof RECEIPT_EVENT_TYPES)[number] }> {
  return (RECEIPT_EVENT_TYPES as readonly string[]).includes(event.type);
}

/** The receipt's fields as the record gives them; undefined for an event receipts are not issued for. */
function fieldsOf(event: CustodianEvent): ReceiptFields | undefined {
  if (!isReceiptEvent(event)) return undefined;
  const common = {
    recordId: event.id,
    eventType: event.type,
    piiPrincipalId: event.subjectId ?? '',
    consentTimestamp: event.occurredAt,
    recordedAt: event.recordedAt,
    recordedBy: { id: event.actor.id, kind: event.actor.kind },
  };
  switch (event.type) {
    case 'ConsentGranted': {
      const { purpose, notice, method, expiresAt } = event.data;
      return { ...common, purposes: [purpose], notice: { noticeId: notice.id, noticeVersion: notice.version }, collectionMethod: method, ...(expiresAt && { expiresAt }) };
    }
    case 'ConsentWithdrawn':
      return { ...common, purposes: [event.data.purpose], ...(event.data.method && { collectionMethod: event.data.method }) };
    case 'ObjectionRaised':
      return { ...common, ...(event.data.purposes && { purposes: [...event.data.purposes] }) };
    case 'PrivacySignalApplied':
      return { ...common, purposes: [...event.data.purposes], collectionMethod: event.data.signal };
    case 'DataErased':
      return { ...common, erasureMethod: event.data.method, recipientsNotified: [...event.data.recipientsNotified] };
    case 'AccessRequestReceived':
      return { ...common, right: event.data.right };
    case 'AccessRequestFulfilled':
      return { ...common, requestRecordId: event.data.requestEventId, exportDigest: event.data.digest };
    default:
      return common;
  }
}

export interface ReceiptOptions {
  /** A signed checkpoint of the log, the note verbatim: the receipt carries the event's inclusion proof against it when it covers the event. */
  checkpoint?: string;
  /** The log's tree where one is kept (a checkpointer's `log`): spares reading the whole log. */
  log?: LogTree;
}

export interface IssueReceiptOptions extends ReceiptOptions {
  store: EventStore;
  eventId: string;
}

const sameBytes = (a: Uint8Array, b: Uint8Array) => Buffer.from(a).equals(Buffer.from(b));

/**
 * A receipt for one of the subject's acts (consent, withdrawal, objection, restriction,
 * erasure request, erasure, access request): the record itself, the fields a customer
 * recognises, and, when `checkpoint` covers the event, its inclusion proof against it.
 * The checkpoint must be one of this log: if the log no longer holds what it says,
 * `CheckpointMismatchError`. Nothing is written.
 */
export async function issueReceipt(options: IssueReceiptOptions): Promise<Receipt> {
  const { store } = options;
  // Checked first: an id is echoed in errors, and only an event id is safe to echo.
  const eventId = parseOrThrow(EventId, options.eventId, 'eventId');
  const checkpoint = options.checkpoint === undefined ? undefined : parseCheckpoint(splitNote(options.checkpoint).text);
  const log = options.log ?? createLogTree(store);
  await log.catchUp();
  const index = log.indexOf(eventId);
  const leaf = index === undefined ? undefined : log.leaf(index);
  if (index === undefined || !leaf) throw new EventNotInLogError(eventId);
  let bytes: Uint8Array | undefined;
  for await (const record of store.readAll({ fromPosition: leaf.position, maxCount: 1 })) if (record.id === eventId) bytes = record.data;
  if (!bytes) throw new EventNotInLogError(eventId);
  const event = events.decode(bytes);
  const fields = fieldsOf(event);
  if (!fields) throw new NoReceiptForEventError(eventId, event.type);
  const data = leafDataOfRecord(bytes);
  const hash = leafHash(data);
  const receipt: Receipt = { format: RECEIPT_FORMAT, ...fields, leaf: { data: data.toString('hex'), hash: encodeBase64(hash) }, record: encodeBase64(bytes) };
  if (!checkpoint || index >= checkpoint.size) return receipt;
  if (log.size < checkpoint.size) throw new CheckpointMismatchError(checkpoint.origin, checkpoint.size, 'log_shorter', log.size);
  if (!sameBytes(log.tree.rootAt(checkpoint.size), checkpoint.root)) throw new CheckpointMismatchError(checkpoint.origin, checkpoint.size, 'root_mismatch', log.size);
  if (!sameBytes(log.tree.leafHashAt(index), hash)) throw new CheckpointMismatchError(checkpoint.origin, checkpoint.size, 'leaf_changed', index);
  const proof = formatTlogProof({ index, proof: log.tree.inclusionProof(index, checkpoint.size), checkpoint: options.checkpoint as string });
  return { ...receipt, proof };
}

export type ReceiptFailure = 'record_hash_mismatch' | 'record_unreadable' | 'field_mismatch' | 'leaf_mismatch' | 'unknown_key' | 'bad_signature' | ProofFailure;

export type ReceiptCheck =
  /** The record and fields agree, and the proof shows the event in the signed checkpoint. */
  | { readonly ok: true; readonly proven: true; readonly index: number; readonly checkpoint: Checkpoint }
  /** The record and fields agree, but no checkpoint covered the event yet: ask for a receipt again later. */
  | { readonly ok: true; readonly proven: false }
  | { readonly ok: false; readonly reason: ReceiptFailure; readonly field?: string };

const bad = (field: string, problem: string) => new MalformedTransparencyTextError('receipt', field, problem);

function parseReceipt(input: unknown): Receipt {
  let value = input;
  if (typeof input === 'string') {
    try {
      value = JSON.parse(input) as unknown;
    } catch {
      throw bad('text', 'is not JSON');
    }
  }
  const parsed = Receipt.safeParse(value);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw bad(
      issue && issue.path.length > 0 ? issue.path.join('.') : 'receipt',
      issue?.code === 'unrecognized_keys' ? 'holds members a receipt does not have' : 'is missing or not of the receipt format',
    );
  }
  return parsed.data;
}

/**
 * Checks a receipt with nothing but itself and the company's verifier key: the record's
 * bytes match their own hash, every field is what the record says, the leaf is the
 * record's, and the proof leads from that leaf to the root of a checkpoint signed by the
 * key. A receipt that is not one at all is a `MalformedTransparencyTextError`; one that
 * does not check out is an answer with the reason.
 */
export function verifyReceipt(input: unknown, publicKey: string | VerifierKey): ReceiptCheck {
  const receipt = parseReceipt(input);
  const bytes = decodeBase64(receipt.record) as Buffer;
  let stream: unknown;
  try {
    stream = (JSON.parse(bytes.toString('utf8')) as { stream?: unknown }).stream;
  } catch {
    return { ok: false, reason: 'record_unreadable' };
  }
  if (typeof stream !== 'string') return { ok: false, reason: 'record_unreadable' };
  const record = checkRecord(bytes, streamMember(stream));
  if (!record.ok) return { ok: false, reason: 'record_hash_mismatch' };
  let event: CustodianEvent;
  try {
    event = events.decode(bytes);
  } catch {
    return { ok: false, reason: 'record_unreadable' };
  }
  const expected = fieldsOf(event);
  if (!expected) return { ok: false, reason: 'field_mismatch', field: 'eventType' };
  const field = FIELD_NAMES.find((name) => canonicalJson(receipt[name]) !== canonicalJson(expected[name]));
  if (field !== undefined) return { ok: false, reason: 'field_mismatch', field };
  const hash = leafHash(Buffer.from(record.hash, 'hex'));
  if (receipt.leaf.data !== record.hash || receipt.leaf.hash !== encodeBase64(hash)) return { ok: false, reason: 'leaf_mismatch', field: 'leaf' };
  if (receipt.proof === undefined) return { ok: true, proven: false };
  try {
    const check = verifyTlogProof(receipt.proof, hash, publicKey);
    if (!check.ok) return { ok: false, reason: check.reason, field: 'proof' };
    return { ok: true, proven: true, index: parseTlogProof(receipt.proof).index, checkpoint: check.checkpoint };
  } catch (error) {
    if (error instanceof UnknownKeyError) return { ok: false, reason: 'unknown_key', field: 'proof' };
    if (error instanceof BadSignatureError) return { ok: false, reason: 'bad_signature', field: 'proof' };
    throw error;
  }
}
