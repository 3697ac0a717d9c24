import { formatConsistencyProof, openNote } from '@custodian/core';
import { toJson } from '../output/json';
import { showControls } from '../output/terminal';
import { checkpointBody, readInputFile, readVerifierKeys } from '../transparency-input';
import { stringOption, UsageError } from '../usage';
import { EXIT, type Command } from './command';
import { logMismatch, logUpTo } from './log-at';

export const consistency: Command = {
  name: 'consistency',
  summary: 'print the consistency proof between two checkpoints, one base64 hash a line',
  description:
    "Proves from the ledger that the tree of the --to checkpoint extends the tree of the --from checkpoint (RFC 9162 §2.1.4): the same events in the same order, only appended to. Prints the proof, one base64 hash a line, for 'custodian witness --proof' or any RFC 6962 tool. With --public-key both signatures are checked first. If the log no longer matches either checkpoint, no proof can be made: exit 1.",
  positionals: [],
  options: {
    from: { type: 'string', value: '<file>', description: 'the older signed checkpoint' },
    to: { type: 'string', value: '<file>', description: 'the newer signed checkpoint' },
    'public-key': { type: 'string', value: '<vkey|file>', description: 'check both signatures with this verifier key first' },
  },
  examples: ['custodian consistency --from checkpoints/monday --to checkpoints/tuesday > tuesday.proof'],
  findings: 'the log no longer matches a checkpoint',
  async run({ io, json, values, opened }) {
    const fromFile = stringOption(values, 'from');
    const toFile = stringOption(values, 'to');
    if (fromFile === undefined || toFile === undefined) throw new UsageError('consistency needs --from <file> and --to <file>', 'consistency');
    const notes = [readInputFile(io.cwd, fromFile, 'checkpoint', 'consistency'), readInputFile(io.cwd, toFile, 'checkpoint', 'consistency')] as const;
    const keys = stringOption(values, 'public-key');
    if (keys !== undefined) for (const note of notes) openNote(note, readVerifierKeys(io.cwd, keys, 'consistency'));
    const [from, to] = notes.map(checkpointBody) as [ReturnType<typeof checkpointBody>, ReturnType<typeof checkpointBody>];
    if (from.origin !== to.origin) throw new UsageError('--from and --to are checkpoints of different logs', 'consistency');
    if (from.size > to.size) {
      // A log only grows: a later tree smaller than an earlier one is a rollback, or the files were swapped.
      io.stderr.write(
        `custodian: the --to checkpoint has ${to.size} events, fewer than the ${from.size} of --from: no log that only grows has both (if --from is the newer one, swap them)\n`,
      );
      return EXIT.findings;
    }
    const log = await logUpTo(opened, to.size, io, json);
    const mismatch = logMismatch(log, from, opened.label) ?? logMismatch(log, to, opened.label);
    if (mismatch !== undefined) {
      io.stderr.write(`custodian: ${showControls(mismatch)}\n`);
      return EXIT.findings;
    }
    const proof = log.tree.consistencyProof(from.size, to.size);
    if (json) io.stdout.write(toJson({ origin: from.origin, from: from.size, to: to.size, proof: proof.map((hash) => Buffer.from(hash).toString('base64')) }));
    else io.stdout.write(formatConsistencyProof(proof));
    return EXIT.ok;
  },
};
