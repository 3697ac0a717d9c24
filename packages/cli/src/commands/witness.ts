import { resolve } from 'node:path';
import { createFolderWitness, openNote, parseCheckpoint, parseConsistencyProof, type FolderWitness, type VerifierKey, type WitnessOutcome } from '@custodian/core';
import type { CliIo } from '../io';
import type { OpenedStore } from '../open-store';
import { toJson } from '../output/json';
import { readInputFile, readVerifierKeys } from '../transparency-input';
import { stringOption, UsageError } from '../usage';
import { EXIT, type LedgerlessCommand } from './command';
import { logUpTo } from './log-at';

export const witness: LedgerlessCommand = {
  name: 'witness',
  summary: 'keep the latest checkpoint of a log; refuse a rollback or a fork',
  description:
    "Acts as a witness with a folder: it keeps the latest signed checkpoint it accepted for each log (one file per origin, replaced atomically). A new checkpoint, whose signature must verify with --public-key, is accepted only if it is the one held, or a consistency proof (--proof, as 'custodian consistency' prints it) shows that its tree extends the one held. A smaller tree is refused as a rollback, and another tree of the same size, or a bigger one without a valid proof, as a fork: the log's history was rewritten. Without --proof, the proof is computed from the ledger when --db, --eventstore or --postgres names one. Nothing is written to the ledger.",
  ledger: 'optional',
  positionals: [
    { name: '<folder>', description: "the witness's folder (created if absent)" },
    { name: '<checkpoint>', description: 'the new signed checkpoint file' },
  ],
  options: {
    'public-key': { type: 'string', value: '<vkey|file>', description: "the log's verifier key, or a file of the keys of the logs witnessed" },
    proof: { type: 'string', value: '<file>', description: 'the consistency proof from the checkpoint held to the new one' },
  },
  examples: [
    'custodian witness ./witness tuesday.checkpoint --public-key ledger.vkey --proof tuesday.proof',
    'custodian witness ./witness tuesday.checkpoint --public-key ledger.vkey --db ledger.db',
  ],
  findings: 'the checkpoint was refused: a rollback or a fork',
  async run({ io, json, values, positionals, opened }) {
    const [folder = '', file = ''] = positionals;
    const keyValue = stringOption(values, 'public-key');
    if (keyValue === undefined) throw new UsageError('witness needs --public-key <vkey|file>: it accepts only checkpoints signed by the logs it follows', 'witness');
    const keys = readVerifierKeys(io.cwd, keyValue, 'witness');
    const note = readInputFile(io.cwd, file, 'checkpoint', 'witness');
    const proofFile = stringOption(values, 'proof');
    const w = createFolderWitness(resolve(io.cwd, folder), { verifierKeys: keys });
    const proof =
      proofFile !== undefined ? parseConsistencyProof(readInputFile(io.cwd, proofFile, 'consistency proof', 'witness')) : await proofFromLedger(w, note, keys, opened, io, json);
    const outcome = await w.offer(note, proof);
    if (json) io.stdout.write(toJson({ folder: w.folder, ...outcome }));
    else io.stdout.write(`${words(outcome)}\n`);
    return outcome.accepted ? EXIT.ok : EXIT.findings;
  },
};

/** The proof from the held checkpoint to the new one, as the ledger's tree gives it; undefined without a ledger or a held checkpoint. */
async function proofFromLedger(
  w: FolderWitness,
  note: string,
  keys: readonly VerifierKey[],
  opened: OpenedStore | undefined,
  io: CliIo,
  json: boolean,
): Promise<Uint8Array[] | undefined> {
  if (opened === undefined) return undefined;
  const next = parseCheckpoint(openNote(note, keys).text);
  const held = await w.held(next.origin);
  if (held === undefined) return undefined;
  const kept = parseCheckpoint(openNote(held, keys).text);
  if (kept.size === 0 || kept.size >= next.size) return undefined;
  const log = await logUpTo(opened, next.size, io, json);
  // A ledger holding fewer events than the new checkpoint cannot prove it: the witness judges it without a proof.
  return log.size < next.size ? undefined : log.tree.consistencyProof(kept.size, next.size);
}

function words(outcome: WitnessOutcome): string {
  const what = `the checkpoint of ${outcome.size} events of ${outcome.origin}`;
  if (outcome.accepted) {
    if (outcome.reason === 'first') return `Accepted ${what}: the first this witness holds for that log.`;
    if (outcome.reason === 'same') return `Accepted ${what}: the same tree as the one held.`;
    return `Accepted ${what}: a valid consistency proof shows it extends the one held of ${outcome.heldSize} events.`;
  }
  if (outcome.reason === 'rollback') return `REFUSED (rollback) ${what}: the witness holds one of ${outcome.heldSize} events; a log never shrinks.`;
  const why =
    outcome.proofFailure === undefined
      ? 'it has the same size as the one held but another root'
      : outcome.proofFailure === 'proof_missing'
        ? 'no consistency proof shows it extends the one held'
        : `the consistency proof from the one held fails (${outcome.proofFailure})`;
  return `REFUSED (fork) ${what}: ${why}, of ${outcome.heldSize} events. The log's history was rewritten, or cannot be told apart from a rewrite. The checkpoint held is kept.`;
}
