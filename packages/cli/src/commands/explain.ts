import { EventNotFoundError, explainDecision, NotADecisionError, ValidationError } from '@custodian/core';
import { explanationWords, type ExplanationWords } from '../output/explain-words';
import { toJson } from '../output/json';
import { table } from '../output/table';
import { showControls as s } from '../output/terminal';
import { loadPolicy } from '../policy';
import { stringOption, UsageError } from '../usage';
import { EXIT, type Command } from './command';

export const explain: Command = {
  name: 'explain',
  summary: 'why one recorded use, access, share or refusal was decided as it was, in words',
  description:
    "Replays the rules against the history as it stood just before one recorded decision (DataUsed, DataAccessed, DataShared or UseDenied) and tells, in words, who acted and what they did, what was recorded, what the rules give when replayed and whether the two agree, the purpose rule in force, the roles of the actor, and the evidence: the policy in force, the consent and collection it rested on, the recipient's registration and verification, or what refused it. The decision is judged by the policy the log records before it; for a log that records none, pass the policy in force with --policy.",
  positionals: [{ name: '<eventId>', description: 'the recorded decision to explain' }],
  options: {
    policy: { type: 'string', value: '<file.json>', description: 'the policy (definePolicy input, as JSON) for a decision recorded before the log records one' },
  },
  examples: ['custodian explain 0190f3a2-7c1e-7000-8000-4b2d9e1f0a11', 'custodian explain 0190f3a2-7c1e-7000-8000-4b2d9e1f0a11 --json'],
  findings: 'the recorded decision is not what the rules give when replayed',
  async run({ io, json, opened, values, positionals }) {
    const eventId = positionals[0] ?? '';
    const loaded = await loadPolicy(opened.store, stringOption(values, 'policy'), io.cwd, 'explain');
    if (!loaded)
      throw new UsageError(
        'the log records no policy (no PolicyDefined event), so there is nothing to judge by: pass --policy <file.json> with the policy that was in force',
        'explain',
      );
    const explanation = await explainDecision(opened.store, loaded.policy, eventId).catch((error: unknown) => {
      if (error instanceof ValidationError) throw new UsageError('<eventId> must be an event id (a UUID)', 'explain');
      if (error instanceof EventNotFoundError || error instanceof NotADecisionError) throw new UsageError(error.message, 'explain');
      throw error;
    });
    const words = explanationWords(explanation, loaded.policy);
    if (json) io.stdout.write(toJson({ ledger: opened.label, policy: { recordedInLog: loaded.recorded, file: loaded.file ?? null }, explanation, words }));
    else io.stdout.write(textExplanation(words));
    return explanation.consistent ? EXIT.ok : EXIT.findings;
  },
};

function textExplanation(w: ExplanationWords): string {
  const lines = [
    s(w.headline),
    `  who:       ${s(w.who)}`,
    `  what:      ${s(w.what)}`,
    `  recorded:  ${s(w.recorded)}`,
    `  replayed:  ${s(w.replayed)}`,
    `  ${s(w.verdict)}`,
    `  purpose:   ${s(w.purpose)}`,
    `  actor:     ${s(w.roles)}`,
  ];
  const evidence = table(
    [
      { header: 'at (UTC)', value: (e) => e.at },
      { header: 'event', value: (e) => e.eventType },
      { header: 'what', value: (e) => e.what },
      { header: 'event id', value: (e) => e.eventId },
    ],
    w.evidence,
    'no event: the rules alone decided it',
  );
  return `${lines.join('\n')}\n\nEvidence, oldest first:\n${evidence}`;
}
