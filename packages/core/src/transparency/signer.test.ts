import { describe, expect, it } from '@jest/globals';
import { generateKeyPairSync } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MalformedTransparencyTextError } from './errors';
import { parseVerifierKey } from './keys';
import { openNote, signNote } from './note';
import { createPemFileSigner, createPemSigner, generateSignerKey, parseSignerKey } from './signer';

const NAME = 'custodian.example/ledger';
const BODY = `${NAME}\n0\n47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=\n`;

describe('signer keys', () => {
  it('generate a PKCS#8 PEM key, its Go signer key and its verifier key, all one key', async () => {
    const key = generateSignerKey(NAME);
    expect(key.pem).toMatch(/^-----BEGIN PRIVATE KEY-----\n/);
    expect(parseVerifierKey(key.verifierKey).name).toBe(NAME);
    const fromPem = createPemSigner(key.pem, NAME);
    expect(fromPem.verifierKey).toBe(key.verifierKey);
    expect(parseSignerKey(key.signerKey).verifierKey).toBe(key.verifierKey);
    expect(openNote(await signNote(BODY, [fromPem]), key.verifierKey).text).toBe(BODY);
    expect(generateSignerKey(NAME).verifierKey).not.toBe(key.verifierKey);
  });

  it('sign from a PEM key file', async () => {
    const folder = await mkdtemp(join(tmpdir(), 'custodian-signer-'));
    try {
      const key = generateSignerKey(NAME);
      const path = join(folder, 'log.pem');
      await writeFile(path, key.pem, { mode: 0o600 });
      const signer = await createPemFileSigner(path, NAME);
      expect(signer).toMatchObject({ name: NAME, keyId: parseVerifierKey(key.verifierKey).keyId, verifierKey: key.verifierKey });
      expect(openNote(await signNote(BODY, [signer]), key.verifierKey).verified).toHaveLength(1);
      await writeFile(path, 'not a key');
      await expect(createPemFileSigner(path, NAME)).rejects.toThrow(expect.objectContaining({ format: 'key file', field: 'pem' }));
      await expect(createPemFileSigner(join(folder, 'missing.pem'), NAME)).rejects.toThrow(expect.objectContaining({ code: 'ENOENT' }));
    } finally {
      await rm(folder, { recursive: true, force: true });
    }
  });

  it('refuse key files that are not PKCS#8 Ed25519 private keys', () => {
    const rsa = generateKeyPairSync('rsa', { modulusLength: 1024 }).privateKey.export({ format: 'pem', type: 'pkcs8' }).toString();
    const ed = generateKeyPairSync('ed25519');
    const publicPem = ed.publicKey.export({ format: 'pem', type: 'spki' }).toString();
    const broken = generateSignerKey(NAME).pem.replace(/\n[A-Za-z0-9+/]{8}/, '\n!!!!!!!!');
    for (const pem of [rsa, publicPem, broken, '']) expect(() => createPemSigner(pem, NAME)).toThrow(expect.objectContaining({ format: 'key file', field: 'pem' }));
  });

  it('refuse key names with spaces, plus signs or nothing', () => {
    const { pem } = generateSignerKey(NAME);
    for (const name of ['', 'two words', 'a+b', 'tab\there', 'nbsp\u00a0here', 'line\u2028sep'])
      expect(() => createPemSigner(pem, name)).toThrow(expect.objectContaining({ field: 'name' }));
    expect(() => generateSignerKey('a b')).toThrow(MalformedTransparencyTextError);
  });

  it('refuse mangled Go signer keys', () => {
    const { signerKey } = generateSignerKey(NAME);
    for (const text of [
      signerKey.replace('PRIVATE+KEY+', 'PRIVATE+KEYS+'),
      signerKey.slice(0, -1),
      signerKey.replace(/\+([0-9a-f]{8})\+/, (_, id: string) => `+${id.slice(0, 7)}${id[7] === '0' ? '1' : '0'}+`),
      signerKey.replace(/\+A/, '+B'),
      'PRIVATE+KEY+name',
    ])
      expect(() => parseSignerKey(text)).toThrow(expect.objectContaining({ format: 'signer key' }));
  });
});
