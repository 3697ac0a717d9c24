import type { CliIo } from '../io';
import { run } from '../run';

export interface Captured {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

export interface CaptureOptions {
  readonly cwd: string;
  readonly env?: Readonly<Record<string, string | undefined>>;
  /** Pretend stderr is a terminal (progress bars). */
  readonly tty?: boolean;
  readonly progressDelayMs?: number;
}

/** Runs the CLI in-process with its output captured. */
export async function cli(argv: readonly string[], options: CaptureOptions): Promise<Captured> {
  let stdout = '';
  let stderr = '';
  const io: CliIo = {
    stdout: { write: (chunk: string) => (stdout += chunk) },
    stderr: { write: (chunk: string) => (stderr += chunk), isTTY: options.tty ?? false, columns: 100 },
    env: options.env ?? {},
    cwd: options.cwd,
    progressDelayMs: options.progressDelayMs,
  };
  const code = await run(argv, io);
  return { code, stdout, stderr };
}
