import { createPublicKey, hash, verify, type KeyObject } from 'node:crypto';
import { MalformedTransparencyTextError, type TransparencyFormat } from './errors';
import { decodeBase64, encodeBase64 } from './text';

/** The C2SP signed-note signature type of Ed25519. */
export const ED25519_TYPE = 0x01;
export const ED25519_PUBLIC_KEY_BYTES = 32;
export const ED25519_SIGNATURE_BYTES = 64;

/** Key names are non-empty, with no Unicode space (Go's unicode.IsSpace) and no plus. */
export function isValidKeyName(name: string): boolean {
  return typeof name === 'string' && name !== '' && !/[\s\u0085+\x00-\x1f\x7f]/u.test(name) && !/[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/.test(name);
}

/** SHA-256(name || 0x0A || 0x01 || public key)[:4], as 8 lowercase hex digits. */
export function keyIdOf(name: string, publicKey: Uint8Array): string {
  const material = Buffer.concat([Buffer.from(name, 'utf8'), Buffer.from([0x0a, ED25519_TYPE]), publicKey]);
  return hash('sha256', material, 'hex').slice(0, 8);
}

/** An Ed25519 verifier key of a signed-note signer: `<name>+<8 hex key id>+<base64(0x01 || key)>`. */
export interface VerifierKey {
  readonly name: string;
  readonly keyId: string;
  readonly publicKey: Uint8Array;
  readonly text: string;
}

export function formatVerifierKey(name: string, publicKey: Uint8Array): string {
  assertKeyName('verifier key', name);
  if (publicKey.byteLength !== ED25519_PUBLIC_KEY_BYTES) throw new MalformedTransparencyTextError('verifier key', 'public key', `must be ${ED25519_PUBLIC_KEY_BYTES} bytes`);
  return `${name}+${keyIdOf(name, publicKey)}+${encodeBase64(Buffer.concat([Buffer.from([ED25519_TYPE]), publicKey]))}`;
}

/** Parses and checks a verifier key: its id must be the one its name and key give. */
export function parseVerifierKey(text: string): VerifierKey {
  const bad = (field: string, problem: string) => new MalformedTransparencyTextError('verifier key', field, problem);
  if (typeof text !== 'string') throw bad('text', 'must be a string');
  // Base64 may hold '+': the name and the id end at the first two, the key is the rest.
  const [name = '', keyId = '', key] = cutPlus(text, 3);
  if (key === undefined) throw bad('text', 'must be three parts joined by +: name, key id, key');
  if (!isValidKeyName(name)) throw bad('name', 'must be non-empty, with no spaces or control characters');
  if (!/^[0-9a-f]{8}$/.test(keyId)) throw bad('key id', 'must be 8 lowercase hex digits');
  const material = decodeBase64(key);
  if (material === undefined || material.length === 0) throw bad('key', 'must be standard padded base64');
  if (material[0] !== ED25519_TYPE) throw bad('key', 'is not of signature type 0x01 (Ed25519)');
  const publicKey = material.subarray(1);
  if (publicKey.length !== ED25519_PUBLIC_KEY_BYTES) throw bad('key', `must hold a ${ED25519_PUBLIC_KEY_BYTES}-byte Ed25519 key`);
  if (keyIdOf(name, publicKey) !== keyId) throw bad('key id', 'does not match the name and key');
  return { name, keyId, publicKey, text };
}

/** Cuts `text` at its first `parts - 1` plus signs; a missing part is undefined. */
export function cutPlus(text: string, parts: number): (string | undefined)[] {
  const out: (string | undefined)[] = [];
  let rest = text;
  for (let i = 1; i < parts; i++) {
    const at = rest.indexOf('+');
    if (at < 0) return [...out, rest];
    out.push(rest.slice(0, at));
    rest = rest.slice(at + 1);
  }
  return [...out, rest];
}

export function ed25519PublicKey(publicKey: Uint8Array): KeyObject {
  return createPublicKey({ key: { kty: 'OKP', crv: 'Ed25519', x: Buffer.from(publicKey).toString('base64url') }, format: 'jwk' });
}

export function verifyEd25519(publicKey: KeyObject, message: Uint8Array, signature: Uint8Array): boolean {
  return signature.byteLength === ED25519_SIGNATURE_BYTES && verify(null, message, publicKey, signature);
}

export function assertKeyName(format: TransparencyFormat, name: string): void {
  if (!isValidKeyName(name)) throw new MalformedTransparencyTextError(format, 'name', 'must be non-empty, with no spaces, plus signs or control characters');
}
