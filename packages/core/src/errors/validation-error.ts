import type { z } from 'zod';
import { CustodianError } from './custodian-error';
import { clip } from './redact';
import { issuesFromZod, safeMessages, type IssueContext, type ValidationIssue } from './zod-issues';

/** However many issues there are, a message lists this many and stays this short. */
const LISTED = 10;
const KEPT = 50;
const MESSAGE_MAX = 1_000;

/**
 * Input that failed its schema. Messages name the field by its place in the schema and
 * the problem, never a value or a key the caller chose, so personal data cannot leak
 * through an error message or a log line; and they are bounded, whatever the input.
 */
export class ValidationError extends CustodianError {
  readonly code = 'VALIDATION_FAILED';
  /** The first 50 issues, each clipped; `issueCount` says how many there were. */
  readonly issues: readonly ValidationIssue[];
  readonly issueCount: number;
  constructor(
    readonly what: string,
    issues: readonly ValidationIssue[],
  ) {
    super(ValidationError.describe(what, issues));
    this.issues = issues.slice(0, KEPT).map((issue) => ({ path: clip(issue.path, 200), message: clip(issue.message, 300) }));
    this.issueCount = issues.length;
  }

  private static describe(what: string, issues: readonly ValidationIssue[]): string {
    const listed = issues.slice(0, LISTED).map((i) => `${clip(i.path, 120) || '(root)'}: ${clip(i.message, 200)}`);
    const more = issues.length > LISTED ? `; and ${issues.length - LISTED} more` : '';
    return clip(`${clip(what, 100)} is invalid: ${listed.join('; ')}`, MESSAGE_MAX - more.length) + more;
  }

  /** `context` lets paths name the schema's fields; a string is a prefix alone. */
  static fromZod(what: string, error: z.ZodError, context: IssueContext | string = {}): ValidationError {
    return new ValidationError(what, issuesFromZod(error, typeof context === 'string' ? { prefix: context } : context));
  }
}

/** Parse with a zod schema, turning failure into a `ValidationError` that names the field but not the input. */
export function parseOrThrow<S extends z.ZodType>(schema: S, input: unknown, what: string, context: Omit<IssueContext, 'schema' | 'input'> = {}): z.output<S> {
  const result = schema.safeParse(input, { error: safeMessages });
  if (!result.success) throw ValidationError.fromZod(what, result.error, { ...context, schema, input });
  return result.data;
}
