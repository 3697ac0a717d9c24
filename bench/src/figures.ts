import { appendFileSync } from 'node:fs';

/**
 * A benchmark's headline figure beside its goal: what `bench:scale` gathers from the
 * benchmarks it runs into one table. Each benchmark still prints its own lines; a figure is
 * also written, one JSON line, to the file `CUSTODIAN_BENCH_FIGURES` names, when it is set.
 */
export interface Figure {
  /** The item the figure answers, e.g. "1" or "5". */
  readonly item: string;
  readonly what: string;
  readonly measured: string;
  readonly goal: string;
  /** Undefined when the figure has no goal of its own (printed for context). */
  readonly met: boolean | undefined;
}

export function reportFigure(figure: Figure): void {
  const file = process.env.CUSTODIAN_BENCH_FIGURES;
  if (file) appendFileSync(file, `${JSON.stringify(figure)}\n`);
}
