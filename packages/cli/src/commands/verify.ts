import { verifyChain } from '@custodian/core';
import { toJson } from '../output/json';
import { createProgress } from '../output/progress';
import { count, table } from '../output/table';
import { brokenWords } from '../report/words';
import { EXIT, type Command } from './command';

export const verify: Command = {
  name: 'verify',
  summary: "check every stream's hash chain; name the first broken link of each",
  description:
    "Reads every event in global order and checks that each record matches its hash, links to the one before it in its stream, and that no revision is missing. Proves that no recorded event was changed, removed from the middle of a stream, inserted or reordered (see docs/privacy-model.md for what it cannot prove).",
  positionals: [],
  options: {},
  examples: ['custodian verify', 'custodian verify --db ledger.db --json', 'custodian verify --eventstore "esdb://localhost:2113?tls=false"'],
  findings: 'a link is broken',
  async run({ io, json, opened }) {
    const progress = createProgress({ stream: io.stderr, label: 'Verifying', total: opened.countEvents?.(), enabled: !json, delayMs: io.progressDelayMs });
    const result = await verifyChain(opened.store, { onProgress: (checked) => progress.update(checked) });
    progress.finish();
    if (json) {
      io.stdout.write(toJson({ ledger: opened.label, ok: result.ok, checked: result.checked, broken: result.broken.map((b) => ({ ...b, explanation: brokenWords(b.reason) })) }));
    } else if (result.ok) {
      io.stdout.write(`Chain intact: ${count(result.checked, 'event')} checked in ${opened.label}, no link broken.\n`);
    } else {
      io.stdout.write(`Chain BROKEN: ${count(result.checked, 'event')} checked in ${opened.label}; ${count(result.broken.length, 'stream')} with a broken link.\n\n`);
      io.stdout.write(
        table(
          [
            { header: 'stream', value: (b) => b.stream },
            { header: 'revision', value: (b) => String(b.revision), align: 'right' },
            { header: 'position', value: (b) => String(b.position), align: 'right' },
            { header: 'event', value: (b) => b.eventId },
            { header: 'what is wrong', value: (b) => `${b.reason}: ${brokenWords(b.reason)}` },
          ],
          result.broken,
        ),
      );
      io.stdout.write('\nNothing after a broken link of a stream can be trusted.\n');
    }
    return result.ok ? EXIT.ok : EXIT.findings;
  },
};
