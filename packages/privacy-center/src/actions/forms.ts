import { z } from '@custodian/core';
import { BadFieldError } from '../errors';

// Each action's form, strict: a field it does not have is refused, not ignored. The form
// token travels as `csrf` (or in the `x-csrf-token` header) and is checked before these.

const PurposeName = z.string().min(1).max(200);
const Csrf = { csrf: z.string().max(4_096).optional() };

export const FORMS = {
  grant: z.strictObject({ ...Csrf, purpose: PurposeName }),
  withdraw: z.strictObject({ ...Csrf, purpose: PurposeName }),
  object: z.strictObject({ ...Csrf, purpose: PurposeName.optional() }),
  restrict: z.strictObject({ ...Csrf }),
  export: z.strictObject({ ...Csrf, right: z.enum(['access', 'portability']).optional() }),
  erasure: z.strictObject({ ...Csrf }),
} as const;

export type ActionName = keyof typeof FORMS;
export type ActionForm<A extends ActionName> = z.output<(typeof FORMS)[A]>;

/** The route of each action, under the center's base path. */
export const ACTION_ROUTES: Readonly<Record<string, ActionName>> = {
  '/consent/grant': 'grant',
  '/consent/withdraw': 'withdraw',
  '/object': 'object',
  '/restrict': 'restrict',
  '/export': 'export',
  '/erasure': 'erasure',
};

/** The action's fields, or a 400 naming the first field at fault (never echoing a name she chose). */
export function parseForm<A extends ActionName>(action: A, fields: Record<string, string>): ActionForm<A> {
  const parsed = FORMS[action].safeParse(fields);
  if (parsed.success) return parsed.data as ActionForm<A>;
  const issue = parsed.error.issues[0];
  if (!issue || issue.code === 'unrecognized_keys') throw new BadFieldError('body', 'holds a field this form does not have');
  const field = String(issue.path[0] ?? 'body');
  throw new BadFieldError(field, issue.code === 'invalid_type' && issue.input === undefined ? 'is missing' : 'is not valid here');
}
