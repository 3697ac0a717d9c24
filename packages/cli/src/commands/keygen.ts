import { closeSync, openSync, writeSync } from 'node:fs';
import { resolve } from 'node:path';
import { generateSignerKey, isValidKeyName, parseVerifierKey } from '@custodian/core';
import { toJson } from '../output/json';
import { stringOption, UsageError } from '../usage';
import { EXIT, type LedgerlessCommand } from './command';

export const keygen: LedgerlessCommand = {
  name: 'keygen',
  summary: "make an Ed25519 key to sign the log's checkpoints; print its verifier key",
  description:
    'Generates an Ed25519 signing key for checkpoints of the log named by --origin and writes it as a PKCS#8 PEM file readable by its owner alone (mode 0600). An existing file is never overwritten. Prints the verifier key (name+keyid+base64) to publish, so that auditors, witnesses and customers can check the checkpoints. Reads no ledger.',
  ledger: 'none',
  positionals: [],
  options: {
    origin: { type: 'string', value: '<name>', description: "the log's origin, the key's name on signatures (e.g. custodian.example/ledger)" },
    out: { type: 'string', value: '<key.pem>', description: 'where to write the private key; must not exist' },
  },
  examples: ['custodian keygen --origin custodian.example/ledger --out checkpoint-key.pem'],
  async run({ io, json, values }) {
    const origin = stringOption(values, 'origin');
    const out = stringOption(values, 'out');
    if (origin === undefined) throw new UsageError('keygen needs --origin <name>', 'keygen');
    if (out === undefined) throw new UsageError('keygen needs --out <key.pem>', 'keygen');
    if (!isValidKeyName(origin)) throw new UsageError('--origin must be a key name: not empty, no spaces, no plus sign', 'keygen');
    const path = resolve(io.cwd, out);
    const key = generateSignerKey(origin);
    let fd: number;
    try {
      // 'wx': created here or not at all, so a key in use is never replaced.
      fd = openSync(path, 'wx', 0o600);
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (code === 'EEXIST') throw new UsageError(`${path} exists; keygen never overwrites a key`, 'keygen');
      if (code === 'ENOENT') throw new UsageError(`no folder for ${path}`, 'keygen');
      throw error;
    }
    try {
      writeSync(fd, key.pem);
    } finally {
      closeSync(fd);
    }
    if (json) io.stdout.write(toJson({ origin, keyFile: path, keyId: parseVerifierKey(key.verifierKey).keyId, verifierKey: key.verifierKey }));
    else io.stdout.write(`Wrote the signing key to ${path} (mode 0600). Publish its verifier key:\n${key.verifierKey}\n`);
    return EXIT.ok;
  },
};
