import { findViolations, refusalWords } from '@custodian/core';
import { toJson } from '../output/json';
import { createProgress } from '../output/progress';
import { count, table } from '../output/table';
import { loadPolicy } from '../policy';
import { stringOption, UsageError } from '../usage';
import { EXIT, type Command } from './command';

export const violations: Command = {
  name: 'violations',
  summary: 'every recorded use, access or share that had no valid basis at its place in history',
  description:
    'Replays every stream with the rules the ledger applies and lists each DataUsed, DataAccessed or DataShared that had no valid basis when it was recorded, including events written straight into the store around the ledger. Each decision is judged by the policy then in force, as the log records it (PolicyDefined). If the log records no policy, pass the one that was in force with --policy.',
  positionals: [],
  options: {
    policy: {
      type: 'string',
      value: '<file.json>',
      description: 'the policy (definePolicy input, as JSON) for decisions recorded before the log records one; required if it records none',
    },
  },
  examples: ['custodian violations', 'custodian violations --json', 'custodian violations --db old.db --policy policy.json'],
  findings: 'violations were found',
  async run({ io, json, opened, values }) {
    const loaded = await loadPolicy(opened.store, stringOption(values, 'policy'), io.cwd, 'violations');
    if (!loaded)
      throw new UsageError(
        'the log records no policy (no PolicyDefined event), so there is nothing to judge by: pass --policy <file.json> with the policy that was in force',
        'violations',
      );
    const progress = createProgress({ stream: io.stderr, label: 'Replaying', total: opened.countEvents?.(), enabled: !json, delayMs: io.progressDelayMs });
    const found = await findViolations(opened.store, loaded.policy, { onProgress: (read) => progress.update(read) });
    progress.finish();
    if (json) io.stdout.write(toJson({ ledger: opened.label, policy: { recordedInLog: loaded.recorded, file: loaded.file ?? null }, count: found.length, violations: found }));
    else if (found.length === 0) io.stdout.write(`No violations in ${opened.label}: every recorded use, access and share had a valid basis.\n`);
    else {
      io.stdout.write(`${count(found.length, 'violation')} in ${opened.label}:\n\n`);
      io.stdout.write(
        table(
          [
            { header: 'at', value: (v) => v.occurredAt },
            { header: 'type', value: (v) => v.type },
            { header: 'subject', value: (v) => v.subjectId },
            { header: 'actor', value: (v) => v.actorId },
            { header: 'event', value: (v) => v.eventId },
            { header: 'why it had no valid basis', value: (v) => `${v.reason}: ${v.reason === 'basis_mismatch' ? v.detail : refusalWords(v.reason)}` },
          ],
          found,
        ),
      );
    }
    return found.length === 0 ? EXIT.ok : EXIT.findings;
  },
};
