import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Command } from './commands';
import { renderOptions, type OptionSpecs } from './usage';

export const STORE_OPTIONS: OptionSpecs = {
  db: { type: 'string', value: '<file>', description: 'the SQLite ledger file (default ./custodian.db)' },
  eventstore: { type: 'string', value: '<connection string>', description: 'read from EventStoreDB / KurrentDB instead, e.g. "esdb://localhost:2113?tls=false"' },
  postgres: { type: 'string', value: '<url>', description: 'read from PostgreSQL instead, e.g. "postgres://auditor:secret@localhost:5432/ledger"' },
};

export const COMMON_OPTIONS: OptionSpecs = {
  json: { type: 'boolean', description: 'print JSON for machines instead of tables for people' },
  help: { type: 'boolean', short: 'h', description: 'show this help' },
};

const EXIT_CODES = (findings: string) => `Exit codes:
  0  all is well
  1  ${findings}
  2  usage error: unknown command or option, missing argument, missing file
  3  the ledger could not be read (server unreachable, file unreadable, not a Custodian ledger)`;

const LEDGER_NOTE = {
  required: '',
  optional: ' (read only when one is named)',
  none: ' (accepted, never read by this command)',
  writes: ' (written to: a SQLite file, created if missing)',
} as const;

export function commandHelp(command: Command): string {
  const args = command.positionals.map((p) => ` ${p.name}`).join('');
  const positionals = command.positionals.length ? `\nArguments:\n${command.positionals.map((p) => `  ${p.name}  ${p.description}`).join('\n')}\n` : '';
  const own = Object.keys(command.options).length ? `\nOptions:\n${renderOptions(command.options)}\n` : '';
  return `Usage: custodian ${command.name}${args} [options]

${wrap(command.description)}
${positionals}${own}
Ledger${LEDGER_NOTE[command.ledger ?? 'required']}:
${renderOptions(STORE_OPTIONS)}

Output:
${renderOptions(COMMON_OPTIONS)}

Examples:
${command.examples.map((example) => `  ${example}`).join('\n')}

${EXIT_CODES(command.findings ?? '(not used by this command)')}
`;
}

export function generalHelp(commands: readonly Command[]): string {
  const width = Math.max(...commands.map((c) => c.name.length));
  return `Usage: custodian <command> [options]

Audit a Custodian ledger: verify its hash chain, replay it to a past moment, tell one
subject's story, list uses without a valid basis, explain one decision, list what one actor
did or one recipient received, list requests past their deadline, export a subject's data, count.
Reads a SQLite ledger file (./custodian.db unless --db), EventStoreDB (--eventstore) or
PostgreSQL (--postgres).
Every command but import only reads: nothing is ever written to the ledger. import
records customers and consents already on file elsewhere (a backfill).

Commands:
${commands.map((c) => `  ${c.name.padEnd(width)}  ${c.summary}`).join('\n')}

Options for every command:
${renderOptions({ ...STORE_OPTIONS, ...COMMON_OPTIONS })}
    --version  print the version

Run 'custodian <command> --help' for a command's own options and examples.

${EXIT_CODES("the chain is broken, violations were found, or another finding the command's --help names")}
`;
}

function wrap(text: string, width = 88): string {
  const lines: string[] = [];
  let line = '';
  for (const word of text.split(/\s+/)) {
    if (line && line.length + 1 + word.length > width) {
      lines.push(line);
      line = word;
    } else line = line ? `${line} ${word}` : word;
  }
  if (line) lines.push(line);
  return lines.join('\n');
}

export function version(): string {
  // src/ in tests, dist/ once built: package.json is one folder up from either.
  const pkg = JSON.parse(readFileSync(join(__dirname, '..', 'package.json'), 'utf8')) as { version: string };
  return pkg.version;
}
