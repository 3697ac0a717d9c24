import { CustodianError, type ValidationIssue } from '../errors';

/** Why a line was turned away: its shape or the policy (`invalid`), the actor's roles (`not_permitted`), or the customer's stream (`refused`: erased). */
export type BackfillRejection = 'invalid' | 'not_permitted' | 'refused';

/**
 * One line of an import was turned away; nothing of that customer was appended. Names the
 * line and the field (`consents.0.purpose`), never a value from it.
 */
export class BackfillLineError extends CustodianError {
  readonly code = 'BACKFILL_LINE_REJECTED';
  constructor(
    readonly importId: string,
    /** 1-based: the line of the file, or the record's place in the iterable. */
    readonly line: number,
    readonly reason: BackfillRejection,
    readonly issues: readonly ValidationIssue[],
    /** The error the line met (a `ValidationError`, `NotPermittedError` or `CommandRefusedError`). */
    override readonly cause?: unknown,
  ) {
    super(`line ${line} of import ${importId} was not imported: ${issues.map((issue) => `${issue.path || '(line)'}: ${issue.message}`).join('; ')}`);
  }

  /** The first field at fault ('' for the line as a whole). */
  get field(): string {
    return this.issues[0]?.path ?? '';
  }
}

/** The import's own options are at fault: nothing was read or appended. */
export class BackfillOptionsError extends CustodianError {
  readonly code = 'BACKFILL_OPTIONS_INVALID';
  constructor(readonly issues: readonly ValidationIssue[]) {
    super(`the import's options are invalid: ${issues.map((issue) => `${issue.path}: ${issue.message}`).join('; ')}`);
  }
}
