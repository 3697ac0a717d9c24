import { parseArgs } from 'node:util';

/** What the user typed cannot be run: exit 2, say what is wrong and where the help is. */
export class UsageError extends Error {
  constructor(
    message: string,
    /** The command whose help to point to; the general help when absent. */
    readonly command?: string,
  ) {
    super(message);
    this.name = 'UsageError';
  }
}

export interface OptionSpec {
  readonly type: 'string' | 'boolean';
  readonly short?: string;
  /** The value's placeholder in the help: `<file>`. */
  readonly value?: string;
  readonly description: string;
}
export type OptionSpecs = Readonly<Record<string, OptionSpec>>;

export interface PositionalSpec {
  readonly name: string;
  readonly description: string;
}

export type OptionValues = Readonly<Record<string, string | boolean | undefined>>;

export interface ParsedArgs {
  readonly values: OptionValues;
  readonly positionals: readonly string[];
}

/** Parses one command's arguments strictly; every failure becomes a UsageError that names the culprit. */
export function parseCommandArgs(command: string, args: readonly string[], options: OptionSpecs, positionals: readonly PositionalSpec[]): ParsedArgs {
  let parsed: { values: Record<string, string | boolean | undefined>; positionals: string[] };
  try {
    parsed = parseArgs({
      args: [...args],
      options: Object.fromEntries(Object.entries(options).map(([name, spec]) => [name, spec.short ? { type: spec.type, short: spec.short } : { type: spec.type }])),
      allowPositionals: true,
      strict: true,
    });
  } catch (error) {
    throw new UsageError(describeParseError(error, options), command);
  }
  if (parsed.values['help'] === true) return parsed;
  const missing = positionals.slice(parsed.positionals.length);
  if (missing[0]) throw new UsageError(`${command} needs ${missing[0].name}: ${missing[0].description}`, command);
  const extra = parsed.positionals.slice(positionals.length);
  if (extra[0] !== undefined) throw new UsageError(`unexpected argument '${extra[0]}'`, command);
  return parsed;
}

// node's own messages are long and suggest `--` tricks; say the essential in our words.
function describeParseError(error: unknown, options: OptionSpecs): string {
  const code = (error as { code?: string }).code;
  const message = error instanceof Error ? error.message : String(error);
  const named = /'(-[^' ]+)/.exec(message)?.[1] ?? '';
  if (code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION') return `unknown option '${named}'`;
  if (code === 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE') {
    const name = named.replace(/^-+/, '').split('=')[0] ?? '';
    const spec = options[name] ?? Object.values(options).find((o) => o.short === name);
    return spec?.type === 'boolean' ? `option '${named.split('=')[0]}' takes no value` : `option '${named}' needs a value${spec?.value ? ` (${spec.value})` : ''}`;
  }
  return message;
}

/** A string option's value, or undefined; an empty string counts as missing. */
export function stringOption(values: OptionValues, name: string): string | undefined {
  const value = values[name];
  return typeof value === 'string' && value !== '' ? value : undefined;
}

export function renderOptions(options: OptionSpecs): string {
  const rows = Object.entries(options).map(
    ([name, spec]) => [`${spec.short ? `-${spec.short}, ` : '    '}--${name}${spec.value ? ` ${spec.value}` : ''}`, spec.description] as const,
  );
  const width = Math.max(...rows.map(([flag]) => flag.length));
  return rows.map(([flag, description]) => `  ${flag.padEnd(width)}  ${description}`).join('\n');
}
