/** Where the command writes and what it reads from its surroundings, so tests can run it in-process. */
export interface CliIo {
  readonly stdout: { write(chunk: string): unknown };
  readonly stderr: { write(chunk: string): unknown; readonly isTTY?: boolean; readonly columns?: number };
  readonly env: Readonly<Record<string, string | undefined>>;
  /** Relative paths (`--db`, `--html`, `--keys`, `--policy`) are resolved against it. */
  readonly cwd: string;
  /** How long a replay runs before a progress bar appears on a terminal; 300 ms unless set. */
  readonly progressDelayMs?: number;
}

export function processIo(): CliIo {
  return { stdout: process.stdout, stderr: process.stderr, env: process.env, cwd: process.cwd() };
}
