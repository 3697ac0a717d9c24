import { CustodianError } from '../errors';

/**
 * The formats an outsider hands us. Errors name the field and the problem but never
 * echo the text, which a caller may have pasted from anywhere.
 */
export type TransparencyFormat = 'checkpoint' | 'signed note' | 'tlog-proof' | 'verifier key' | 'signer key' | 'key file' | 'record' | 'consistency proof';

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
