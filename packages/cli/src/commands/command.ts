import type { CliIo } from '../io';
import type { OpenedStore } from '../open-store';
import type { OptionSpecs, OptionValues, PositionalSpec } from '../usage';

export const EXIT = {
  /** All is well. */
  ok: 0,
  /** The chain is broken, or violations were found. */
  findings: 1,
  usage: 2,
  /** The ledger could not be read (a server down, a file unreadable). */
  failed: 3,
} as const;

export interface CommandContext {
  readonly io: CliIo;
  readonly values: OptionValues;
  readonly positionals: readonly string[];
  readonly json: boolean;
  readonly opened: OpenedStore;
}

/** For a command that reads a ledger only when one is named (`--db`, `--eventstore`, `--postgres`), or never. */
export type LedgerlessContext = Omit<CommandContext, 'opened'> & { readonly opened: OpenedStore | undefined };

interface CommandSpec {
  readonly name: string;
  /** One line for `custodian --help`. */
  readonly summary: string;
  /** A paragraph for `custodian <name> --help`. */
  readonly description: string;
  readonly positionals: readonly PositionalSpec[];
  /** The command's own options; the store options, --json and --help are added to every command. */
  readonly options: OptionSpecs;
  readonly examples: readonly string[];
  /** What exit code 1 means for this command, if it can end with it. */
  readonly findings?: string;
}

/** A command that reads the ledger (the default one, ./custodian.db, when none is named). */
export interface LedgerCommand extends CommandSpec {
  readonly ledger?: 'required';
  run(context: CommandContext): Promise<number>;
}

/**
 * `optional`: reads a ledger only when `--db`, `--eventstore` or `--postgres` names one; `none`: never reads
 * one; `writes`: opens the `--db` file itself, for writing (`import`).
 */
export interface LedgerlessCommand extends CommandSpec {
  readonly ledger: 'optional' | 'none' | 'writes';
  run(context: LedgerlessContext): Promise<number>;
}

export type Command = LedgerCommand | LedgerlessCommand;
