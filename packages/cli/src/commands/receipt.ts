import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import {
  CheckpointMismatchError,
  createLogTree,
  EventNotInLogError,
  issueReceipt,
  MalformedTransparencyTextError,
  NoReceiptForEventError,
  parseTlogProof,
  ValidationError,
  type Receipt,
} from '@custodian/core';
import { toJson } from '../output/json';
import { createProgress } from '../output/progress';
import { showControls } from '../output/terminal';
import { stringOption, UsageError } from '../usage';
import { EXIT, type Command } from './command';

async function readCheckpoint(file: string, cwd: string): Promise<string> {
  const path = resolve(cwd, file);
  try {
    return await readFile(path, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new UsageError(code === 'ENOENT' ? `no checkpoint file at ${path}` : `cannot read the checkpoint file ${path}: ${(error as Error).message}`, 'receipt');
  }
}

function describe(receipt: Receipt): string {
  const lines = [
    `Receipt for ${receipt.eventType} ${receipt.recordId} of subject ${receipt.piiPrincipalId}, at ${receipt.consentTimestamp}`,
    ...(receipt.purposes ? [`  purposes:   ${receipt.purposes.join(', ')}`] : []),
    ...(receipt.notice ? [`  notice:     ${receipt.notice.noticeId} ${receipt.notice.noticeVersion}`] : []),
    ...(receipt.collectionMethod ? [`  method:     ${receipt.collectionMethod}`] : []),
    ...(receipt.expiresAt ? [`  expires:    ${receipt.expiresAt}`] : []),
    ...(receipt.right ? [`  right:      ${receipt.right}`] : []),
    `  recorded by ${receipt.recordedBy.kind} ${receipt.recordedBy.id} at ${receipt.recordedAt}`,
    `  leaf data:  ${receipt.leaf.data}`,
  ];
  return lines.map(showControls).join('\n');
}

export const receipt: Command = {
  name: 'receipt',
  summary: "a customer's receipt for one of her acts, with its inclusion proof against a checkpoint",
  description:
    "Issues the receipt of a consent, withdrawal, objection, restriction, erasure request, erasure or access request (format custodian.receipt/1, described in docs/transparency.md): the stored record, the fields of the consent record, and, with --checkpoint <file> holding a signed checkpoint that covers the event, its c2sp.org/tlog-proof@v1. The customer verifies it offline with the company's verifier key alone. Nothing is written.",
  positionals: [{ name: '<eventId>', description: 'the event to issue the receipt for' }],
  options: {
    checkpoint: {
      type: 'string',
      value: '<file>',
      description: 'a signed checkpoint of this ledger (a checkpointer publishes them); the proof is included if it covers the event',
    },
  },
  examples: [
    'custodian receipt 0190f3a2-7c1e-7000-8000-4b2d9e1f0a11 --json > receipt.json',
    'custodian receipt 0190f3a2-7c1e-7000-8000-4b2d9e1f0a11 --checkpoint checkpoints/custodian.example%2Fledger/1200.checkpoint --json',
  ],
  findings: 'the ledger no longer matches the checkpoint given',
  async run({ io, json, opened, values, positionals }) {
    const eventId = positionals[0] ?? '';
    const file = stringOption(values, 'checkpoint');
    if (values['checkpoint'] !== undefined && file === undefined) throw new UsageError('--checkpoint needs a file', 'receipt');
    const checkpoint = file === undefined ? undefined : await readCheckpoint(file, io.cwd);
    const progress = createProgress({ stream: io.stderr, label: 'Reading the log', total: opened.countEvents?.(), enabled: !json, delayMs: io.progressDelayMs });
    const log = createLogTree(opened.store);
    await log.catchUp({ onProgress: (size) => progress.update(size) });
    progress.finish();
    let issued: Receipt;
    try {
      issued = await issueReceipt({ store: opened.store, eventId, log, ...(checkpoint !== undefined && { checkpoint }) });
    } catch (error) {
      if (error instanceof ValidationError) throw new UsageError('<eventId> must be an event id (a UUID)', 'receipt');
      if (error instanceof EventNotInLogError || error instanceof NoReceiptForEventError) throw new UsageError(error.message, 'receipt');
      if (error instanceof MalformedTransparencyTextError) throw new UsageError(`--checkpoint: ${error.message}`, 'receipt');
      if (error instanceof CheckpointMismatchError) {
        io.stderr.write(
          `custodian: ${showControls(error.message)}\nThe ledger was cut, rewritten or reordered since that checkpoint was signed; run 'custodian verify' with it to find where.\n`,
        );
        return EXIT.findings;
      }
      throw error;
    }
    if (json) {
      io.stdout.write(toJson(issued));
      return EXIT.ok;
    }
    io.stdout.write(`${describe(issued)}\n\n`);
    if (issued.proof !== undefined) {
      const { index } = parseTlogProof(issued.proof);
      const [origin = '', size = ''] = issued.proof.slice(issued.proof.indexOf('\n\n') + 2).split('\n');
      io.stdout.write(`Included in checkpoint ${showControls(origin)} of size ${showControls(size)}, as leaf ${index}.\n`);
    } else if (checkpoint !== undefined) {
      io.stdout.write('Not covered by that checkpoint yet: issue the receipt again with a later one to include its proof.\n');
    } else {
      io.stdout.write('No checkpoint given, so no inclusion proof: pass --checkpoint <file> to include one.\n');
    }
    io.stdout.write('Pass --json for the receipt to hand to the customer.\n');
    return EXIT.ok;
  },
};
