import { parseArgs } from 'node:util';
import {
  BadSignatureError,
  CheckpointOriginError,
  CustodianError,
  EventUnreadableError,
  MalformedTransparencyTextError,
  TamperedStreamError,
  UnknownKeyError,
} from '@custodian/core';
import { COMMANDS, EXIT, type Command } from './commands';
import { commandHelp, COMMON_OPTIONS, generalHelp, STORE_OPTIONS, version } from './help';
import { processIo, type CliIo } from './io';
import { openStore, storeChoice } from './open-store';
import { showControls, showControlsInLines } from './output/terminal';
import { parseCommandArgs, stringOption, UsageError, type OptionSpecs } from './usage';

// @custodian/sqlite's UnsupportedSchemaError and SchemaMigrationError, known by code: the
// adapter is an optional peer, loaded only to open a SQLite file (see adapters.ts).
const SCHEMA_ERRORS: ReadonlySet<string> = new Set(['UNSUPPORTED_SCHEMA', 'SCHEMA_MIGRATION_FAILED']);

/** Runs the `custodian` command line; resolves to the exit code. Tests call it with captured output. */
export async function run(argv: readonly string[], io: CliIo = processIo()): Promise<number> {
  try {
    return await dispatch(argv, io);
  } catch (error) {
    return report(error, io);
  }
}

async function dispatch(argv: readonly string[], io: CliIo): Promise<number> {
  const found = findCommand(argv);
  if (!found) {
    const { values } = parseCommandArgs('', argv, { ...STORE_OPTIONS, ...COMMON_OPTIONS, version: { type: 'boolean', description: '' } }, []);
    if (values['version'] === true) {
      io.stdout.write(`${version()}\n`);
      return EXIT.ok;
    }
    if (values['help'] === true) {
      io.stdout.write(generalHelp(COMMANDS));
      return EXIT.ok;
    }
    throw new UsageError(`missing command: one of ${COMMANDS.map((c) => c.name).join(', ')}`);
  }
  const command = COMMANDS.find((c) => c.name === found.name);
  if (!command) throw new UsageError(`unknown command '${found.name}'; the commands are ${COMMANDS.map((c) => c.name).join(', ')}`);
  const options: OptionSpecs = { ...command.options, ...STORE_OPTIONS, ...COMMON_OPTIONS };
  const { values, positionals } = parseCommandArgs(command.name, found.rest, options, command.positionals);
  if (values['help'] === true) {
    io.stdout.write(commandHelp(command));
    return EXIT.ok;
  }
  for (const name of ['db', 'eventstore', 'postgres'] as const)
    if (values[name] !== undefined && stringOption(values, name) === undefined) throw new UsageError(`--${name} needs a value`, command.name);
  return runCommand(command, io, values, positionals);
}

async function runCommand(command: Command, io: CliIo, values: Readonly<Record<string, string | boolean | undefined>>, positionals: readonly string[]): Promise<number> {
  const choice = storeChoice(values);
  // Commands show each value from the ledger with its controls escaped; this guard makes
  // sure no control character but a line break reaches the terminal whatever they print.
  const guarded: CliIo = { ...io, stdout: { write: (chunk: string) => io.stdout.write(showControlsInLines(chunk)) } };
  const context = { io: guarded, values, positionals, json: values['json'] === true };
  if (
    command.ledger === 'none' ||
    command.ledger === 'writes' ||
    (command.ledger === 'optional' && choice.db === undefined && choice.eventstore === undefined && choice.postgres === undefined)
  )
    return command.run({ ...context, opened: undefined });
  const opened = await openStore(choice, io.cwd, command.name);
  try {
    return await command.run({ ...context, opened });
  } finally {
    await opened.close();
  }
}

/** The command is the first argument that is neither an option nor an option's value, so global options may come first. */
function findCommand(argv: readonly string[]): { name: string; rest: string[] } | undefined {
  const { tokens } = parseArgs({
    args: [...argv],
    options: Object.fromEntries(Object.entries({ ...STORE_OPTIONS, ...COMMON_OPTIONS }).map(([name, spec]) => [name, { type: spec.type }])),
    strict: false,
    allowPositionals: true,
    tokens: true,
  });
  const first = tokens.find((token) => token.kind === 'positional');
  if (!first || first.kind !== 'positional') return undefined;
  return { name: first.value, rest: argv.filter((_, i) => i !== first.index) };
}

function report(error: unknown, io: CliIo): number {
  // Messages may quote the ledger (an event id, a stream name): shown with their controls escaped.
  const message = showControls(error instanceof Error ? error.message : String(error));
  if (error instanceof UsageError) {
    io.stderr.write(`custodian: ${message}\nRun 'custodian${error.command ? ` ${error.command}` : ''} --help' for usage.\n`);
    return EXIT.usage;
  }
  if (error instanceof CustodianError && SCHEMA_ERRORS.has(error.code)) {
    io.stderr.write(`custodian: ${message}\n`);
    return EXIT.usage;
  }
  if (error instanceof MalformedTransparencyTextError || error instanceof UnknownKeyError || error instanceof BadSignatureError || error instanceof CheckpointOriginError) {
    // A checkpoint, proof or key handed to the command is at fault, not the ledger.
    io.stderr.write(`custodian: ${message}\n`);
    return EXIT.usage;
  }
  if (error instanceof EventUnreadableError || error instanceof TamperedStreamError) {
    // A record that cannot be read was altered or damaged: the same finding as a broken chain.
    io.stderr.write(`custodian: ${message}\nThe log was altered or damaged; run 'custodian verify' to find where.\n`);
    return EXIT.findings;
  }
  io.stderr.write(`custodian: ${message}\n`);
  return EXIT.failed;
}
