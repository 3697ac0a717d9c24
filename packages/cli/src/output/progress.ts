export interface ProgressStream {
  write(chunk: string): unknown;
  readonly isTTY?: boolean;
  readonly columns?: number;
}

export interface ProgressOptions {
  readonly stream: ProgressStream;
  readonly label: string;
  /** Events in the ledger, when known: a bar with a percentage; otherwise a running count. */
  readonly total?: number | undefined;
  /** False with --json, or when stderr is not a terminal: then nothing is ever drawn. */
  readonly enabled: boolean;
  /** What is counted; `events` unless told. */
  readonly unit?: string | undefined;
  /** A replay shorter than this shows nothing at all. */
  readonly delayMs?: number | undefined;
  readonly now?: () => number;
}

export interface Progress {
  update(done: number): void;
  /** Clears the bar, so what the command prints next starts on a clean line. */
  finish(): void;
}

const REDRAW_MS = 100;
const BAR_WIDTH = 24;

/** A progress bar on stderr for replays that take more than a moment. */
export function createProgress(options: ProgressOptions): Progress {
  if (!options.enabled || options.stream.isTTY !== true) return { update: () => undefined, finish: () => undefined };
  const now = options.now ?? Date.now;
  const started = now();
  const delayMs = options.delayMs ?? 300;
  let drawnAt: number | undefined;
  return {
    update(done) {
      const t = now();
      if (t - started < delayMs) return;
      if (drawnAt !== undefined && t - drawnAt < REDRAW_MS) return;
      drawnAt = t;
      options.stream.write(`\r\x1b[2K${render(options.label, done, options.total, t - started, options.stream.columns, options.unit)}`);
    },
    finish() {
      if (drawnAt !== undefined) options.stream.write('\r\x1b[2K');
    },
  };
}

export function render(label: string, done: number, total: number | undefined, elapsedMs: number, columns?: number, unit = 'events'): string {
  // A terminal that reports no size (0 columns) gets the classic 80.
  const width = columns && columns > 20 ? columns : 80;
  const seconds = `${(elapsedMs / 1000).toFixed(1)}s`;
  const events = `${done.toLocaleString('en-US')}${total ? `/${total.toLocaleString('en-US')}` : ''} ${unit}`;
  if (!total) return `${label} ${events} ${seconds}`.slice(0, width - 1);
  const ratio = Math.min(1, done / total);
  const filled = Math.round(ratio * BAR_WIDTH);
  const bar = `[${'#'.repeat(filled)}${'-'.repeat(BAR_WIDTH - filled)}]`;
  return `${label} ${bar} ${String(Math.floor(ratio * 100)).padStart(3)}% ${events} ${seconds}`.slice(0, width - 1);
}
