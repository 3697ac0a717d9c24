import { formatTlogProof, openNote } from '@custodian/core';
import { toJson } from '../output/json';
import { showControls } from '../output/terminal';
import { checkpointBody, readInputFile, readVerifierKeys } from '../transparency-input';
import { stringOption, UsageError } from '../usage';
import { EXIT, type Command } from './command';
import { logMismatch, logUpTo } from './log-at';

export const prove: Command = {
  name: 'prove',
  summary: 'print the inclusion proof (c2sp.org/tlog-proof@v1) of an event against a checkpoint',
  description:
    "Proves that an event is in the log a signed checkpoint covers: prints a c2sp.org/tlog-proof@v1 (the event's leaf index, its RFC 9162 inclusion proof, and the checkpoint verbatim) that anyone can check offline with the log's verifier key (docs/transparency.md). With --public-key the checkpoint's signature is checked first. If the log no longer matches the checkpoint, no proof can be made: exit 1.",
  positionals: [{ name: '<eventId>', description: 'the event to prove' }],
  options: {
    checkpoint: { type: 'string', value: '<file>', description: 'the signed checkpoint to prove against' },
    'public-key': { type: 'string', value: '<vkey|file>', description: "check the checkpoint's signature with this verifier key first" },
  },
  examples: ['custodian prove 0192f0c1-7a2b-7c3d-8e4f-5a6b7c8d9e0f --checkpoint checkpoints/latest > withdrawal.tlog-proof'],
  findings: 'the log no longer matches the checkpoint',
  async run({ io, json, values, positionals, opened }) {
    const eventId = positionals[0] ?? '';
    const file = stringOption(values, 'checkpoint');
    if (file === undefined) throw new UsageError('prove needs --checkpoint <file>', 'prove');
    const note = readInputFile(io.cwd, file, 'checkpoint', 'prove');
    const keys = stringOption(values, 'public-key');
    if (keys !== undefined) openNote(note, readVerifierKeys(io.cwd, keys, 'prove'));
    const checkpoint = checkpointBody(note);
    const log = await logUpTo(opened, checkpoint.size, io, json);
    const mismatch = logMismatch(log, checkpoint, opened.label);
    if (mismatch !== undefined) {
      io.stderr.write(`custodian: ${showControls(mismatch)}\n`);
      return EXIT.findings;
    }
    const index = log.indexOf(eventId);
    if (index === undefined) throw new UsageError(`event ${eventId} is not among the ${checkpoint.size} events of the checkpoint: it is not in the log, or came after it`, 'prove');
    const proof = formatTlogProof({ index, proof: log.tree.inclusionProof(index, checkpoint.size), checkpoint: note });
    if (json) io.stdout.write(toJson({ eventId, index, origin: checkpoint.origin, size: checkpoint.size, proof }));
    else io.stdout.write(proof);
    return EXIT.ok;
  },
};
