import { CustodianError } from '../errors';

/**
 * The formats an outsider hands us. Errors name the field and the problem but never
 * echo the text, which a caller may have pasted from anywhere.
 */
export type TransparencyFormat = 'checkpoint' | 'signed note' | 'tlog-proof' | 'verifier key' | 'signer key' | 'key file' | 'record' | 'receipt' | 'consistency proof';

/** Text that is not a well-formed checkpoint, note, proof, key or record. */
export class MalformedTransparencyTextError extends CustodianError {
  readonly code = 'MALFORMED_TRANSPARENCY_TEXT';
  constructor(
    readonly format: TransparencyFormat,
    readonly field: string,
    readonly problem: string,
  ) {
    super(`malformed ${format}: ${field} ${problem}`);
  }
}

export interface SignatureRef {
  readonly name: string;
  /** The 32-bit key id, as 8 lowercase hex digits. */
  readonly keyId: string;
}

/** No signature on the note is by a key the verifier holds: the text must be ignored. */
export class UnknownKeyError extends CustodianError {
  readonly code = 'UNKNOWN_KEY';
  constructor(readonly signatures: readonly SignatureRef[]) {
    super(
      signatures.length === 0
        ? 'the note carries no signature'
        : `no signature on the note is by a known key (signed by ${signatures.map((s) => `${s.name}+${s.keyId}`).join(', ')})`,
    );
  }
}

/** A signature by a known key does not verify: the note was altered or forged. */
export class BadSignatureError extends CustodianError {
  readonly code = 'BAD_SIGNATURE';
  constructor(
    readonly keyName: string,
    readonly keyId: string,
  ) {
    super(`the signature by ${keyName}+${keyId} does not verify`);
  }
}

/** A tree query outside the tree: an index or size the tree does not have. */
export class TreeRangeError extends CustodianError {
  readonly code = 'TREE_RANGE';
  constructor(
    readonly what: string,
    readonly value: number,
    readonly limit: number,
    problem: string,
  ) {
    super(`${what} ${value} ${problem} ${limit}`);
  }
}

/** How the log fails to match a checkpoint that was signed for it. */
export type CheckpointMismatch = 'log_shorter' | 'root_mismatch' | 'leaf_changed' | 'not_consistent';

/**
 * The log no longer holds what a signed checkpoint says it held: it was cut, rewritten or
 * reordered. Signing anything more for it would sign a fork, so nothing is signed.
 */
export class CheckpointMismatchError extends CustodianError {
  readonly code = 'CHECKPOINT_MISMATCH';
  constructor(
    readonly origin: string,
    readonly size: number,
    readonly reason: CheckpointMismatch,
    /** How many events the log was found to hold (up to the checkpoint's size). */
    readonly logSize: number,
  ) {
    super(`the log no longer matches checkpoint ${origin} at size ${size}: ${reason} (the log holds ${logSize} of its events)`);
  }
}

/** A publisher already holds another checkpoint of that size: two notes of one size are a fork. */
export class CheckpointConflictError extends CustodianError {
  readonly code = 'CHECKPOINT_CONFLICT';
  constructor(
    readonly origin: string,
    readonly size: number,
  ) {
    super(`a different checkpoint of ${origin} at size ${size} is already published`);
  }
}

/** Receipts are for the subject's own acts and the answers to them, not every event. */
export class NoReceiptForEventError extends CustodianError {
  readonly code = 'NO_RECEIPT_FOR_EVENT';
  constructor(
    readonly eventId: string,
    readonly type: string,
  ) {
    super(`event ${eventId} is a ${type}: receipts are issued for consents, withdrawals, objections, restrictions, erasures and access requests`);
  }
}

/** The log holds no event of that id. */
export class EventNotInLogError extends CustodianError {
  readonly code = 'EVENT_NOT_IN_LOG';
  constructor(readonly eventId: string) {
    super(`the log holds no event ${eventId}`);
  }
}
