import { createHmac } from 'node:crypto';
import { ValidationError } from '../errors';

/**
 * Makes a subject id from an identifier such as an email address: HMAC-SHA-256 under a
 * secret only the service holds, hex, prefixed `s-`. The same identifier always gives
 * the same id, and without the secret the id cannot be tied back to the person.
 */
export function pseudonymize(secret: string | Uint8Array, identifier: string): string {
  const issues: { path: string; message: string }[] = [];
  if ((typeof secret === 'string' ? Buffer.byteLength(secret) : secret.byteLength) < 16) issues.push({ path: 'secret', message: 'must be at least 16 bytes' });
  if (typeof identifier !== 'string' || identifier.length === 0) issues.push({ path: 'identifier', message: 'must be a non-empty string' });
  if (issues.length > 0) throw new ValidationError('pseudonymize', issues);
  return `s-${createHmac('sha256', secret).update(identifier.trim().toLowerCase()).digest('hex')}`;
}
