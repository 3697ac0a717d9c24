import { createCipheriv, createDecipheriv } from 'node:crypto';
import { CustodianError } from '../errors';
import { randomBytesFromPool } from './random-pool';

const IV_BYTES = 12;
const TAG_BYTES = 16;

/** A sealed value did not open: wrong key, or the bytes were changed. Never carries the value. */
export class SealedValueError extends CustodianError {
  readonly code = 'SEALED_VALUE_UNREADABLE';
  constructor(readonly field: string) {
    super(`the sealed value of ${field} cannot be opened with this key`);
  }
}

/**
 * Seals a personal value with AES-256-GCM as `gcm1.<iv>.<ciphertext+tag>` (base64url).
 * `context` (subject and field) is bound as additional data, so a sealed value copied
 * to another subject or field no longer opens.
 */
export function sealValue(key: Uint8Array, plaintext: string, context: string): string {
  const iv = randomBytesFromPool(IV_BYTES);
  const cipher = createCipheriv('aes-256-gcm', key, iv);
  cipher.setAAD(Buffer.from(context));
  const body = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final(), cipher.getAuthTag()]);
  return `gcm1.${iv.toString('base64url')}.${body.toString('base64url')}`;
}

export function openValue(key: Uint8Array, sealed: string, context: string): string {
  const [version, ivText, bodyText] = sealed.split('.');
  if (version !== 'gcm1' || !ivText || !bodyText) throw new SealedValueError(context);
  const iv = Buffer.from(ivText, 'base64url');
  const body = Buffer.from(bodyText, 'base64url');
  if (iv.length !== IV_BYTES || body.length < TAG_BYTES) throw new SealedValueError(context);
  try {
    const decipher = createDecipheriv('aes-256-gcm', key, iv);
    decipher.setAAD(Buffer.from(context));
    decipher.setAuthTag(body.subarray(body.length - TAG_BYTES));
    return Buffer.concat([decipher.update(body.subarray(0, body.length - TAG_BYTES)), decipher.final()]).toString('utf8');
  } catch {
    throw new SealedValueError(context);
  }
}
