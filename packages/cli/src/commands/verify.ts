import { brokenWords, verifyStore, type VerifyResult } from '@custodian/core';
import { toJson } from '../output/json';
import { createProgress } from '../output/progress';
import { count, table } from '../output/table';
import { readCheckpointNotes, readVerifierKeys } from '../transparency-input';
import { stringOption, UsageError } from '../usage';
import { EXIT, type Command } from './command';

/** Said whenever no checkpoint was checked: the chains alone cannot see the latest events removed. */
export const TAIL_UNVERIFIED =
  'Not checked: whether the latest events of a stream, or whole streams, were removed. Per-stream chains cannot show that; only a signed checkpoint can (pass --checkpoint <file> --public-key <key>).';

export const verify: Command = {
  name: 'verify',
  summary: "check every stream's hash chain, and the log against a signed checkpoint",
  description:
    "Reads every event in global order and checks that each record matches its hash, links to the one before it in its stream, and that no revision is missing; on SQLite, that no position is missing. With --checkpoint (a signed checkpoint, or a folder of them as a witness or publisher keeps them) and --public-key, it also checks that the log's first events hash to each checkpoint's root: that no event the checkpoint covers was removed, reordered, changed or put in since, and names where the log first differs. Without a checkpoint, removal of the latest events or of whole streams cannot be ruled out (see docs/privacy-model.md).",
  positionals: [],
  options: {
    checkpoint: { type: 'string', value: '<file|folder>', description: 'a signed checkpoint of the log, or a folder of them' },
    'public-key': { type: 'string', value: '<vkey|file>', description: "the log's verifier key (name+keyid+base64), or a file of them" },
  },
  examples: [
    'custodian verify',
    'custodian verify --checkpoint witness/custodian.example%2Fledger.checkpoint --public-key ledger.vkey',
    'custodian verify --db ledger.db --json',
    'custodian verify --eventstore "esdb://localhost:2113?tls=false"',
  ],
  findings: 'a link is broken, a position is missing, or the log no longer matches a checkpoint',
  async run({ io, json, opened, values }) {
    const checkpointPath = stringOption(values, 'checkpoint');
    const keyValue = stringOption(values, 'public-key');
    if (checkpointPath !== undefined && keyValue === undefined)
      throw new UsageError('--checkpoint needs --public-key <vkey|file>: an unsigned checkpoint proves nothing', 'verify');
    if (checkpointPath === undefined && keyValue !== undefined) throw new UsageError('--public-key is for checking a --checkpoint <file>', 'verify');
    const checkpoints = checkpointPath === undefined ? [] : readCheckpointNotes(io.cwd, checkpointPath, 'verify').notes;
    const publicKey = keyValue === undefined ? undefined : readVerifierKeys(io.cwd, keyValue, 'verify');
    const progress = createProgress({ stream: io.stderr, label: 'Verifying', total: opened.countEvents?.(), enabled: !json, delayMs: io.progressDelayMs });
    const result = await verifyStore(opened.store, {
      onProgress: (checked) => progress.update(checked),
      checkpoints,
      ...(publicKey && { publicKey }),
    });
    progress.finish();
    if (json) {
      io.stdout.write(
        toJson({
          ledger: opened.label,
          ok: result.ok,
          checked: result.checked,
          broken: result.broken.map((b) => ({ ...b, explanation: brokenWords(b.reason) })),
          positionGaps: result.positionGaps,
          ...(result.checkpoint && { checkpoint: result.checkpoint }),
          tailUnverified: result.tailUnverified,
        }),
      );
    } else io.stdout.write(plain(result, opened.label));
    return result.ok ? EXIT.ok : EXIT.findings;
  },
};

function plain(result: VerifyResult, label: string): string {
  const lines: string[] = [];
  if (result.broken.length === 0) lines.push(`Chain intact: ${count(result.checked, 'event')} checked in ${label}, no link broken.`);
  else {
    lines.push(`Chain BROKEN: ${count(result.checked, 'event')} checked in ${label}; ${count(result.broken.length, 'stream')} with a broken link.\n`);
    lines.push(
      table(
        [
          { header: 'stream', value: (b) => b.stream },
          { header: 'revision', value: (b) => String(b.revision), align: 'right' },
          { header: 'position', value: (b) => String(b.position), align: 'right' },
          { header: 'event', value: (b) => b.eventId },
          { header: 'what is wrong', value: (b) => `${b.reason}: ${brokenWords(b.reason)}` },
        ],
        result.broken,
      ).replace(/\n$/, ''),
    );
    lines.push('\nNothing after a broken link of a stream can be trusted.');
  }
  for (const gap of result.positionGaps)
    lines.push(
      `Positions MISSING: ${gap.missing === 1n ? `position ${gap.position} is` : `positions ${gap.position} to ${gap.position + gap.missing - 1n} are`} gone from a store whose positions have no gap: records were deleted.`,
    );
  if (result.checkpoint) lines.push(`${result.checkpoint.matches ? 'Checkpoint matches' : 'Checkpoint MISMATCH'}: ${result.checkpoint.established}`);
  if (result.tailUnverified) lines.push(TAIL_UNVERIFIED);
  return `${lines.join('\n')}\n`;
}
