import { createPrivateKey, createPublicKey, generateKeyPairSync, sign, type KeyObject } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { MalformedTransparencyTextError } from './errors';
import { ED25519_TYPE, assertKeyName, cutPlus, formatVerifierKey, keyIdOf } from './keys';
import { decodeBase64, encodeBase64 } from './text';

/**
 * Signs checkpoints for the log. The port lets a KMS or an HSM hold the private key:
 * the ledger only needs the key's name, its id and verifier key, and a way to sign.
 */
export interface Signer {
  /** The key name on signature lines; it should be the log's origin. */
  readonly name: string;
  /** 8 lowercase hex digits: SHA-256(name || 0x0A || 0x01 || public key)[:4]. */
  readonly keyId: string;
  /** `<name>+<key id>+<base64(0x01 || public key)>`, what outsiders verify with. */
  readonly verifierKey: string;
  /** An Ed25519 signature (RFC 8032) over the message. */
  sign(message: Uint8Array): Promise<Uint8Array>;
}

/** DER of a PKCS#8 Ed25519 private key, up to the 32-byte seed (RFC 8410). */
const PKCS8_ED25519_PREFIX = Buffer.from('302e020100300506032b657004220420', 'hex');

function signerOf(privateKey: KeyObject, name: string): Signer {
  const publicKey = Buffer.from(createPublicKey(privateKey).export({ format: 'jwk' }).x as string, 'base64url');
  return {
    name,
    keyId: keyIdOf(name, publicKey),
    verifierKey: formatVerifierKey(name, publicKey),
    async sign(message) {
      return sign(null, message, privateKey);
    },
  };
}

/** A signer from a PKCS#8 PEM Ed25519 private key (`-----BEGIN PRIVATE KEY-----`). */
export function createPemSigner(pem: string, name: string): Signer {
  assertKeyName('signer key', name);
  const bad = (problem: string) => new MalformedTransparencyTextError('key file', 'pem', problem);
  if (typeof pem !== 'string' || !pem.includes('-----BEGIN PRIVATE KEY-----')) throw bad('must be a PKCS#8 PEM private key');
  let key: KeyObject;
  try {
    key = createPrivateKey({ key: pem, format: 'pem' });
  } catch {
    throw bad('does not hold a readable private key');
  }
  if (key.asymmetricKeyType !== 'ed25519') throw bad('is not an Ed25519 key');
  return signerOf(key, name);
}

/** A signer whose key is a PKCS#8 PEM file. Keep the file readable by the service alone. */
export async function createPemFileSigner(path: string, name: string): Promise<Signer> {
  return createPemSigner(await readFile(path, 'utf8'), name);
}

/**
 * A signer from a Go `golang.org/x/mod/sumdb/note` signer key,
 * `PRIVATE+KEY+<name>+<key id>+<base64(0x01 || 32-byte seed)>`, for logs moving keys between the two.
 */
export function parseSignerKey(text: string): Signer {
  const bad = (field: string, problem: string) => new MalformedTransparencyTextError('signer key', field, problem);
  const [tag1, tag2, name = '', keyId = '', material] = typeof text === 'string' ? cutPlus(text, 5) : [];
  if (tag1 !== 'PRIVATE' || tag2 !== 'KEY' || material === undefined) throw bad('text', 'must be PRIVATE+KEY+<name>+<key id>+<key>');
  assertKeyName('signer key', name);
  if (!/^[0-9a-f]{8}$/.test(keyId)) throw bad('key id', 'must be 8 lowercase hex digits');
  const raw = decodeBase64(material);
  if (raw === undefined || raw[0] !== ED25519_TYPE || raw.length !== 33) throw bad('key', 'must be base64 of 0x01 and a 32-byte Ed25519 seed');
  const signer = signerOf(createPrivateKey({ key: Buffer.concat([PKCS8_ED25519_PREFIX, raw.subarray(1)]), format: 'der', type: 'pkcs8' }), name);
  if (signer.keyId !== keyId) throw bad('key id', 'does not match the name and key');
  return signer;
}

export interface GeneratedSignerKey {
  /** The private key, PKCS#8 PEM: for `createPemFileSigner`. */
  readonly pem: string;
  /** The same key as a Go signed-note signer key, for tools of that ecosystem. */
  readonly signerKey: string;
  /** What to publish: outsiders verify checkpoints with it. */
  readonly verifierKey: string;
}

export function generateSignerKey(name: string): GeneratedSignerKey {
  assertKeyName('signer key', name);
  const { privateKey } = generateKeyPairSync('ed25519');
  const pem = privateKey.export({ format: 'pem', type: 'pkcs8' }).toString();
  const der = privateKey.export({ format: 'der', type: 'pkcs8' });
  const seed = der.subarray(PKCS8_ED25519_PREFIX.length);
  const signer = signerOf(privateKey, name);
  const signerKey = `PRIVATE+KEY+${name}+${signer.keyId}+${encodeBase64(Buffer.concat([Buffer.from([ED25519_TYPE]), seed]))}`;
  return { pem, signerKey, verifierKey: signer.verifierKey };
}
