import { ValidationError } from '@custodian/core';
import { BadFieldError, InternalError, MethodNotAllowedError, PrivacyCenterError } from '../errors';
import { htmlResponse, jsonResponse, wantsJson } from '../http';
import { renderError, type RenderContext } from '../page';

/** What she is told of a failure: a refusal of ours as it is, the ledger's refusal of a field by name, anything else as a bare 500. */
export function publicError(error: unknown, onError: ((error: unknown) => void) | undefined): PrivacyCenterError {
  if (error instanceof PrivacyCenterError) return error;
  if (error instanceof ValidationError) {
    const field = error.issues[0]?.path ?? 'body';
    return new BadFieldError(field || 'body', 'is not valid here');
  }
  onError?.(error);
  return new InternalError();
}

/** The error as a page or as JSON, by what the request accepts. */
export function errorResponse(request: Request, error: PrivacyCenterError, context: RenderContext): Response {
  const headers: Record<string, string> = error instanceof MethodNotAllowedError ? { allow: error.allow } : {};
  const body = { error: { status: error.status, code: error.code, message: error.message, ...(error.field !== undefined && { field: error.field }) } };
  if (wantsJson(request)) return jsonResponse(body, error.status, headers);
  return htmlResponse(renderError(error, context), error.status, headers);
}
