import { CustodianError } from '@custodian/core';

/** Every refusal of the privacy center: a status, a stable `code`, and a message safe to show her. */
export abstract class PrivacyCenterError extends CustodianError {
  abstract readonly status: number;
  /** The field of the form or body at fault, for a 400. */
  readonly field?: string | undefined;
}

export class RouteNotFoundError extends PrivacyCenterError {
  readonly code = 'NOT_FOUND';
  readonly status = 404;
  constructor() {
    super('There is no such page here.');
  }
}

export class MethodNotAllowedError extends PrivacyCenterError {
  readonly code = 'METHOD_NOT_ALLOWED';
  readonly status = 405;
  constructor(readonly allow: string) {
    super(`This address answers ${allow} only.`);
  }
}

export class NotSignedInError extends PrivacyCenterError {
  readonly code = 'NOT_SIGNED_IN';
  readonly status = 401;
  constructor() {
    super('We do not know who you are: open the link you were sent, or sign in to the service.');
  }
}

export class LinkExpiredError extends PrivacyCenterError {
  readonly code = 'LINK_EXPIRED';
  readonly status = 401;
  constructor() {
    super('This link has expired: ask for a new one.');
  }
}

export class InvalidTokenError extends PrivacyCenterError {
  readonly code = 'TOKEN_INVALID';
  readonly status = 403;
  constructor() {
    super('This link or session is not one we issued.');
  }
}

export type CsrfProblem = 'CSRF_MISSING' | 'CSRF_INVALID' | 'CSRF_REUSED';

const CSRF_WORDS: Readonly<Record<CsrfProblem, string>> = {
  CSRF_MISSING: 'This request carries no form token: use the forms of your page.',
  CSRF_INVALID: 'This form token is not valid for your session: reload your page and try again.',
  CSRF_REUSED: 'This form was already sent once: reload your page to act again.',
};

export class CsrfError extends PrivacyCenterError {
  readonly status = 403;
  constructor(readonly code: CsrfProblem) {
    super(CSRF_WORDS[code]);
  }
}

export class BadFieldError extends PrivacyCenterError {
  readonly code = 'BAD_FIELD';
  readonly status = 400;
  constructor(
    override readonly field: string,
    problem: string,
  ) {
    super(`The field "${field}" ${problem}.`);
  }
}

export class UnknownPurposeError extends PrivacyCenterError {
  readonly code = 'UNKNOWN_PURPOSE';
  readonly status = 400;
  override readonly field = 'purpose';
  constructor(reason: 'unknown' | 'not_consent') {
    super(reason === 'unknown' ? 'The field "purpose" names no purpose of ours.' : 'The field "purpose" names a purpose that does not rest on your consent.');
  }
}

export class ActionRefusedError extends PrivacyCenterError {
  readonly code = 'ACTION_REFUSED';
  readonly status = 409;
  constructor(
    readonly reason: string,
    detail: string,
  ) {
    super(`This could not be done: ${detail}.`);
  }
}

export class NoReceiptError extends PrivacyCenterError {
  readonly code = 'NO_RECEIPT';
  readonly status = 404;
  constructor() {
    super('There is no receipt of yours by that reference.');
  }
}

export class ReceiptsUnavailableError extends PrivacyCenterError {
  readonly code = 'RECEIPTS_UNAVAILABLE';
  readonly status = 404;
  constructor() {
    super('This service does not sign its ledger, so it cannot give receipts.');
  }
}

export class NoCheckpointError extends PrivacyCenterError {
  readonly code = 'NO_CHECKPOINT';
  readonly status = 404;
  constructor() {
    super('This service has not signed a checkpoint of its ledger yet.');
  }
}

export class InternalError extends PrivacyCenterError {
  readonly code = 'INTERNAL';
  readonly status = 500;
  constructor() {
    super('Something went wrong on our side. Please try again later.');
  }
}

export class CodeWrongError extends PrivacyCenterError {
  readonly code = 'CODE_WRONG';
  readonly status = 401;
  override readonly field = 'code';
  constructor(readonly attemptsLeft: number) {
    super(`That is not the code we sent you: ${attemptsLeft} ${attemptsLeft === 1 ? 'attempt' : 'attempts'} left.`);
  }
}

export class CodeLockedError extends PrivacyCenterError {
  readonly code = 'CODE_LOCKED';
  readonly status = 403;
  constructor() {
    super('A wrong code was given too many times: this link no longer opens. Ask for a new one.');
  }
}

export class CodeUsedError extends PrivacyCenterError {
  readonly code = 'CODE_USED';
  readonly status = 403;
  constructor() {
    super('This link was already opened with its code: ask for a new one.');
  }
}

export class CodeExpiredError extends PrivacyCenterError {
  readonly code = 'CODE_EXPIRED';
  readonly status = 401;
  constructor() {
    super('The code we sent you has expired: ask for a new link.');
  }
}
