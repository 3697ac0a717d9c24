import { buildLogTree, createPemSigner, formatCheckpoint, isValidKeyName, signNote } from '@custodian/core';
import { toJson } from '../output/json';
import { createProgress } from '../output/progress';
import { readInputFile } from '../transparency-input';
import { stringOption, UsageError } from '../usage';
import { EXIT, type Command } from './command';

export const checkpoint: Command = {
  name: 'checkpoint',
  summary: 'print a signed checkpoint (C2SP tlog-checkpoint) of the log as it stands',
  description:
    'Builds the Merkle tree over every event of the log in global order (docs/transparency.md) and prints its size and root as a C2SP tlog-checkpoint, signed as a C2SP signed note with the PKCS#8 PEM key of --key (see custodian keygen). For ledgers whose service runs no checkpointer: hand the checkpoint to a witness or an auditor, who can later show the log was not rewritten. Nothing is written to the ledger.',
  positionals: [],
  options: {
    key: { type: 'string', value: '<key.pem>', description: 'the PKCS#8 PEM Ed25519 signing key' },
    origin: { type: 'string', value: '<name>', description: "the log's origin, as the key was made for" },
  },
  examples: ['custodian checkpoint --key checkpoint-key.pem --origin custodian.example/ledger > checkpoints/2026-03-01.checkpoint'],
  async run({ io, json, values, opened }) {
    const keyPath = stringOption(values, 'key');
    const origin = stringOption(values, 'origin');
    if (keyPath === undefined) throw new UsageError('checkpoint needs --key <key.pem>', 'checkpoint');
    if (origin === undefined) throw new UsageError('checkpoint needs --origin <name>', 'checkpoint');
    if (!isValidKeyName(origin)) throw new UsageError('--origin must be a key name: not empty, no spaces, no plus sign', 'checkpoint');
    const signer = createPemSigner(readInputFile(io.cwd, keyPath, 'key', 'checkpoint'), origin);
    const progress = createProgress({ stream: io.stderr, label: 'Hashing', total: opened.countEvents?.(), enabled: !json, delayMs: io.progressDelayMs });
    const log = await buildLogTree(opened.store, { onProgress: (size) => progress.update(size) });
    progress.finish();
    const root = log.tree.root();
    const note = await signNote(formatCheckpoint({ origin, size: log.size, root }), [signer]);
    if (json) io.stdout.write(toJson({ ledger: opened.label, origin, size: log.size, root: Buffer.from(root).toString('base64'), checkpoint: note }));
    else io.stdout.write(note);
    return EXIT.ok;
  },
};
