import type { z } from 'zod';

/** Base of every error Custodian throws on purpose: each has a stable machine-readable `code`. */
export abstract class CustodianError extends Error {
  abstract readonly code: string;
  constructor(message: string) {
    super(message);
    this.name = new.target.name;
  }
}

export interface ValidationIssue {
  /** Dotted path of the offending field, e.g. `data.notice.version`; empty for the whole input. */
  path: string;
  message: string;
}

/**
 * Input that failed its schema. Messages name the field and the problem but never echo
 * the value, so personal data cannot leak through an error message or a log line.
 */
export class ValidationError extends CustodianError {
  readonly code = 'VALIDATION_FAILED';
  constructor(
    readonly what: string,
    readonly issues: readonly ValidationIssue[],
  ) {
    super(`${what} is invalid: ${issues.map((i) => `${i.path || '(root)'}: ${i.message}`).join('; ')}`);
  }

  static fromZod(what: string, error: z.ZodError, prefix?: string): ValidationError {
    return new ValidationError(
      what,
      error.issues.map((issue) => ({
        path: [prefix, ...issue.path.map(String)].filter(Boolean).join('.'),
        message: issue.message,
      })),
    );
  }
}

/** Parse with a zod schema, turning failure into a `ValidationError` that names the field. */
export function parseOrThrow<S extends z.ZodType>(schema: S, input: unknown, what: string): z.output<S> {
  const result = schema.safeParse(input);
  if (!result.success) throw ValidationError.fromZod(what, result.error);
  return result.data;
}
