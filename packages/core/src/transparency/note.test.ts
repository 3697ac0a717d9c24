import { describe, expect, it } from '@jest/globals';
import { BadSignatureError, MalformedTransparencyTextError, UnknownKeyError } from './errors';
import { formatVerifierKey, keyIdOf, parseVerifierKey } from './keys';
import { openNote, signNote, splitNote } from './note';
import { generateSignerKey, parseSignerKey, createPemSigner, type Signer } from './signer';

// golang.org/x/mod/sumdb/note test vectors (note_test.go, example_test.go).
const PETER_VKEY = 'PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW';
const PETER_SKEY = 'PRIVATE+KEY+PeterNeumann+c74f20a3+AYEKFALVFGyNhPJEMzD1QIDr+Y7hfZx09iUvxdXHKDFz';
const ENOCH_VKEY = 'EnochRoot+af0cfe78+ATtqJ7zOtqQtYqOo0CpvDXNlMhV3HeJDpjrASKGLWdop';
/** Go's ExampleSign_add_signatures makes EnochRoot's key from a reader of zeroes: the all-zero seed. */
const ENOCH_SKEY = `PRIVATE+KEY+EnochRoot+af0cfe78+${Buffer.concat([Buffer.from([1]), Buffer.alloc(32)]).toString('base64')}`;
const TEXT = "If you think cryptography is the answer to your problem,\nthen you don't know what your problem is.\n";
const PETER_SIG = '— PeterNeumann x08go/ZJkuBS9UG/SffcvIAQxVBtiFupLLr8pAcElZInNIuGUgYN1FFYC2pZSNXgKvqfqdngotpRZb6KE6RyyBwJnAM=\n';
const ENOCH_SIG = '— EnochRoot rwz+eBzmZa0SO3NbfRGzPCpDckykFXSdeX+MNtCOXm2/5n2tiOHp+vAF1aGrQ5ovTG01oOTGwnWLox33WWd1RvMc+QQ=\n';

// The C2SP signed-note spec's example.
const C2SP_VKEY = 'example.com/foo+530d903a+AekyeRrm56hApGFkyQR4ZCbV54Id2LKaANYcrnKv3U2k';
const C2SP_NOTE = 'This is an example message.\n\n— example.com/foo Uw2QOkn8srV1yJGh2VYRlL1Tnagv1YEq6TfXppzi2ONncAlTgK7Ztg1ERYNZXsYjOBH3mFXmRKuwHjG1Yu72IneyaQM=\n';

const malformed = (fn: () => unknown) => expect(fn).toThrow(MalformedTransparencyTextError);

describe('signed notes, against the Go and C2SP vectors', () => {
  it('opens the Go example note with the Go example key', () => {
    const opened = openNote(`${TEXT}\n${PETER_SIG}`, PETER_VKEY);
    expect(opened.text).toBe(TEXT);
    expect(opened.verified.map((s) => `${s.name}+${s.keyId}`)).toEqual(['PeterNeumann+c74f20a3']);
    expect(opened.unverified).toEqual([]);
  });

  it('opens the C2SP example note with the C2SP example key', () => {
    expect(openNote(C2SP_NOTE, C2SP_VKEY).text).toBe('This is an example message.\n');
  });

  it('signs exactly as Go does with the same keys (Ed25519 is deterministic)', async () => {
    const peter = parseSignerKey(PETER_SKEY);
    expect(peter.verifierKey).toBe(PETER_VKEY);
    expect(await signNote(TEXT, [peter])).toBe(`${TEXT}\n${PETER_SIG}`);
    const enoch = parseSignerKey(ENOCH_SKEY);
    expect(enoch.verifierKey).toBe(ENOCH_VKEY);
    expect(await signNote(TEXT, [peter, enoch])).toBe(`${TEXT}\n${PETER_SIG}${ENOCH_SIG}`);
  });

  it('keeps signatures by other keys (a cosignature) and replaces its own', async () => {
    const enoch = parseSignerKey(ENOCH_SKEY);
    const theirs = splitNote(`${TEXT}\n${PETER_SIG}`).signatures;
    expect(await signNote(TEXT, [enoch], theirs)).toBe(`${TEXT}\n${PETER_SIG}${ENOCH_SIG}`);
    const stale = splitNote(`${TEXT}\n${ENOCH_SIG.replace('SO3Nb', 'SO3Nc')}`).signatures;
    expect(await signNote(TEXT, [enoch], stale)).toBe(`${TEXT}\n${ENOCH_SIG}`);
  });

  it('verifies the known key and sets aside the others', () => {
    const opened = openNote(`${TEXT}\n${PETER_SIG}${ENOCH_SIG}`, [PETER_VKEY]);
    expect(opened.verified.map((s) => s.name)).toEqual(['PeterNeumann']);
    expect(opened.unverified.map((s) => `${s.name}+${s.keyId}`)).toEqual(['EnochRoot+af0cfe78']);
    expect(openNote(`${TEXT}\n${PETER_SIG}${ENOCH_SIG}`, [PETER_VKEY, ENOCH_VKEY]).verified).toHaveLength(2);
  });

  it('refuses a note signed by no known key with UnknownKeyError, naming who did sign', () => {
    const error = (() => {
      try {
        openNote(`${TEXT}\n${PETER_SIG}`, ENOCH_VKEY);
      } catch (caught) {
        return caught;
      }
    })();
    expect(error).toBeInstanceOf(UnknownKeyError);
    expect(error).toMatchObject({ code: 'UNKNOWN_KEY', signatures: [{ name: 'PeterNeumann', keyId: 'c74f20a3' }] });
  });

  it('sets aside a signature that shares only the name or only the key id with a known key', () => {
    const otherName = PETER_SIG.replace('PeterNeumann', 'PeterNeuman');
    expect(() => openNote(`${TEXT}\n${otherName}`, PETER_VKEY)).toThrow(UnknownKeyError);
    const { signerKey } = generateSignerKey('PeterNeumann');
    expect(() => openNote(`${TEXT}\n${PETER_SIG}`, parseSignerKey(signerKey).verifierKey)).toThrow(UnknownKeyError);
  });

  it('refuses a bad signature by a known key with BadSignatureError, even beside a good one', () => {
    const tampered = `${PETER_SIG.slice(0, 60)}ABCD${PETER_SIG.slice(60)}`;
    expect(() => openNote(`${TEXT}\n${tampered}`, PETER_VKEY)).toThrow(BadSignatureError);
    expect(() => openNote(`${TEXT.replace('cryptography', 'cryptographY')}\n${PETER_SIG}`, PETER_VKEY)).toThrow(
      expect.objectContaining({ code: 'BAD_SIGNATURE', keyName: 'PeterNeumann', keyId: 'c74f20a3' }),
    );
    expect(() => openNote(`${TEXT}\n${PETER_SIG}${ENOCH_SIG.replace('SO3Nb', 'SO3Nc')}`, [PETER_VKEY, ENOCH_VKEY])).toThrow(BadSignatureError);
  });

  it('refuses the malformed notes of the Go tests', () => {
    const bad = [
      TEXT,
      `${TEXT}\n`,
      `${TEXT}\n${PETER_SIG.slice(0, -1)}`,
      `\x01${TEXT}\n${PETER_SIG}`,
      `${TEXT}\n— Bad Name x08go/ZJkuBS9UG/SffcvIAQxVBtiFupLLr8pAcElZInNIuGUgYN1FFYC2pZSNXgKvqfqdngotpRZb6KE6RyyBwJnAM=`,
      `${TEXT}\n${PETER_SIG}Unexpected line.\n`,
      `${TEXT}\n${PETER_SIG.repeat(101)}`,
    ];
    for (const note of bad) malformed(() => openNote(note, PETER_VKEY));
    malformed(() => openNote(Buffer.concat([Buffer.from([0xff]), Buffer.from(`${TEXT}\n${PETER_SIG}`)]), PETER_VKEY));
  });

  it('refuses other malformed notes: wrong dash, bad base64, a plus in the name, a carriage return, a lone surrogate, too many bytes', () => {
    const bad = [
      `${TEXT}\n${PETER_SIG.replace('—', '-')}`,
      `${TEXT}\n${PETER_SIG.replace('—', '–')}`,
      `${TEXT}\n${PETER_SIG.replace('x08go', 'x08g!')}`,
      `${TEXT}\n${PETER_SIG.replace('RyyBwJnAM=', 'RyyBwJnAM')}`,
      `${TEXT}\n${PETER_SIG.replace('PeterNeumann', 'Peter+Neumann')}`,
      `${TEXT}\n— PeterNeumann AAAA\n`,
      `${TEXT}\n—  PeterNeumann x08go\n`,
      `${TEXT.replace('\n', '\r\n')}\n${PETER_SIG}`,
      `\ud800${TEXT}\n${PETER_SIG}`,
      `${'x'.repeat(1 << 20)}\n\n${PETER_SIG}`,
    ];
    for (const note of bad) malformed(() => openNote(note, PETER_VKEY));
  });

  it('reports where a malformed note is wrong, without echoing its text', () => {
    try {
      openNote(`secret-customer@example.com\n\n— Bad Name AAAA\n`, PETER_VKEY);
      throw new Error('accepted');
    } catch (error) {
      expect(error).toMatchObject({ format: 'signed note', field: 'signature line 1' });
      expect((error as Error).message).not.toContain('secret-customer');
    }
  });
});

describe('verifier keys', () => {
  it('parse and format as the Go library does', () => {
    const key = parseVerifierKey(PETER_VKEY);
    expect(key).toMatchObject({ name: 'PeterNeumann', keyId: 'c74f20a3' });
    expect(formatVerifierKey(key.name, key.publicKey)).toBe(PETER_VKEY);
    expect(keyIdOf('PeterNeumann', key.publicKey)).toBe('c74f20a3');
  });

  it('keep a key whose base64 holds plus signs whole', () => {
    const text = formatVerifierKey('log.example/plus', Buffer.alloc(32, 0xfb));
    expect(text.split('+').length).toBeGreaterThan(3);
    expect(parseVerifierKey(text).publicKey).toEqual(Buffer.alloc(32, 0xfb));
  });

  it('refuse every truncation and every one-character change of the Go key (as the Go tests do)', () => {
    for (let i = 0; i <= PETER_VKEY.length; i++)
      for (let j = i + 1; j <= PETER_VKEY.length; j++) if (i !== 0 || j !== PETER_VKEY.length) malformed(() => parseVerifierKey(PETER_VKEY.slice(i, j)));
    for (let i = 0; i < PETER_VKEY.length; i++) {
      const changed = PETER_VKEY.slice(0, i) + String.fromCharCode(PETER_VKEY.charCodeAt(i) + 1) + PETER_VKEY.slice(i + 1);
      malformed(() => parseVerifierKey(changed));
    }
  });

  it('refuse a key of the wrong length or of another algorithm, even with a matching key id', () => {
    expect(() => parseVerifierKey('PeterNeumann+cc469956+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TWBADKEY==')).toThrow(
      expect.objectContaining({ format: 'verifier key', field: 'key' }),
    );
    expect(() => parseVerifierKey('PeterNeumann+173116ae+ZRpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW')).toThrow(expect.objectContaining({ format: 'verifier key', field: 'key' }));
    expect(() => parseVerifierKey('PeterNeumann+C74F20A3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW')).toThrow(expect.objectContaining({ field: 'key id' }));
  });

  it('refuse two keys with the same name and id in one key list', () => {
    expect(() => openNote(`${TEXT}\n${PETER_SIG}`, [PETER_VKEY, PETER_VKEY])).toThrow(expect.objectContaining({ format: 'verifier key', field: 'keys' }));
  });
});

describe('signing through the Signer port', () => {
  it('works with any implementation, such as a KMS client', async () => {
    const local = createPemSigner(generateSignerKey('kms.example/log').pem, 'kms.example/log');
    const kms: Signer = { name: local.name, keyId: local.keyId, verifierKey: local.verifierKey, sign: (message) => local.sign(message) };
    const note = await signNote('kms.example/log\n0\n47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=\n', [kms]);
    expect(openNote(note, kms.verifierKey).verified).toHaveLength(1);
  });

  it('refuses to hand out a note whose signature does not verify under the signer’s own key', async () => {
    const peter = parseSignerKey(PETER_SKEY);
    const enoch = parseSignerKey(ENOCH_SKEY);
    const wrongKey: Signer = { ...peter, sign: (message) => enoch.sign(message) };
    await expect(signNote(TEXT, [wrongKey])).rejects.toThrow(BadSignatureError);
    const mislabelled: Signer = { ...peter, verifierKey: ENOCH_VKEY };
    await expect(signNote(TEXT, [mislabelled])).rejects.toThrow(MalformedTransparencyTextError);
  });

  it('refuses texts a note cannot carry', async () => {
    const peter = parseSignerKey(PETER_SKEY);
    await expect(signNote('no final newline', [peter])).rejects.toThrow(MalformedTransparencyTextError);
    await expect(signNote('a\tb\n', [peter])).rejects.toThrow(MalformedTransparencyTextError);
    await expect(signNote(TEXT, [])).rejects.toThrow(MalformedTransparencyTextError);
  });
});
