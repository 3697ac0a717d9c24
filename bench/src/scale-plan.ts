import type { Figure } from './figures';

/** One benchmark run by `bench:scale`: its built script (beside this file), Node's flags, its arguments and environment. */
export interface Part {
  readonly name: string;
  readonly script: string;
  readonly node: readonly string[];
  readonly args: readonly string[];
  readonly env: Readonly<Record<string, string>>;
}

type Sizes = { readonly args?: readonly string[]; readonly env?: Readonly<Record<string, string>> };

/** Each benchmark at the sizes (full) and at sizes that only show every part runs (quick). */
const benchmarks: readonly { name: string; script: string; node?: readonly string[]; full: Sizes; quick: Sizes }[] = [
  {
    name: 'decisions',
    script: 'decisions.bench.js',
    // A million customers in the in-memory store with their keys and states take several GB.
    node: ['--max-old-space-size=12000'],
    full: { env: { DECISIONS_CUSTOMERS: '1000,1000000' } },
    quick: { env: { DECISIONS_CUSTOMERS: '200,2000', DECISIONS_COUNT: '2000', DECISIONS_STREAMS: '100' } },
  },
  { name: 'group-commit', script: 'group-commit.bench.js', full: {}, quick: { args: ['--subjects', '200', '--decisions', '1000'] } },
  { name: 'folds', script: 'folds.bench.js', node: ['--expose-gc'], full: { env: { SHARES: '225000' } }, quick: { env: { SHARES: '2000' } } },
  { name: 'subject', script: 'subject.bench.js', full: { env: { N: '1000000' } }, quick: { env: { N: '5000', SQLITE_N: '2000', SAMPLES: '20' } } },
  { name: 'audits', script: 'audits.bench.js', full: { env: { EVENTS: '1000000' } }, quick: { env: { EVENTS: '4000' } } },
  { name: 'sql-projections', script: 'sql-projections.bench.js', full: {}, quick: { args: ['--subjects', '300'] } },
  { name: 'backfill', script: 'backfill.bench.js', full: {}, quick: { args: ['2000'] } },
];

export const benchmarkNames: readonly string[] = benchmarks.map((b) => b.name);

/** The parts to run: every benchmark, or those `only` names (comma-separated), at the sizes of `profile` (full or quick). */
export function planFor(profile: string, only?: string): { profile: 'full' | 'quick'; parts: Part[] } {
  if (profile !== 'full' && profile !== 'quick') throw new Error(`SCALE must be full or quick, not "${profile}"`);
  const names = (only ?? '').split(',').filter(Boolean);
  const unknown = names.filter((name) => !benchmarkNames.includes(name));
  if (unknown.length > 0) throw new Error(`SCALE_ONLY names no benchmark: ${unknown.join(', ')}; known: ${benchmarkNames.join(', ')}`);
  const chosen = names.length === 0 ? benchmarks : benchmarks.filter((b) => names.includes(b.name));
  return {
    profile,
    parts: chosen.map((b) => ({ name: b.name, script: b.script, node: b.node ?? [], args: b[profile].args ?? [], env: b[profile].env ?? {} })),
  };
}

/** The figures the benchmarks wrote, one JSON object a line; a line that is not one is an error (a benchmark's bug, not data to drop). */
export function parseFigures(text: string): Figure[] {
  return text
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line, i) => {
      const value: unknown = JSON.parse(line);
      const figure = value as Partial<Figure>;
      const ok = typeof figure.item === 'string' && typeof figure.what === 'string' && typeof figure.measured === 'string' && typeof figure.goal === 'string';
      if (!ok || !(figure.met === undefined || typeof figure.met === 'boolean')) throw new Error(`figure line ${i + 1} is not a figure: ${line}`);
      return figure as Figure;
    });
}

const verdict = (met: boolean | undefined) => (met === undefined ? '' : met ? 'met' : 'MISSED');

/** The table bench:scale ends with: every figure by item, beside its goal, and a row for each part that failed or gave none. */
export function scaleTable(parts: readonly Part[], runs: ReadonlyMap<string, { exit: number; seconds: number }>, figures: readonly Figure[]): string {
  const rows: string[][] = [...figures].sort((a, b) => a.item.localeCompare(b.item, 'en', { numeric: true })).map((f) => [f.item, f.what, f.measured, f.goal, verdict(f.met)]);
  for (const part of parts) {
    const r = runs.get(part.name);
    if (!r) rows.push(['', `${part.name}: not run`, '', '', '']);
    else if (r.exit !== 0) rows.push(['', `${part.name}: failed (exit ${r.exit}) after ${r.seconds.toFixed(0)} s`, '', '', 'FAILED']);
  }
  const header = ['item', 'figure', 'measured', 'goal', ''];
  const widths = header.map((h, c) => Math.max(h.length, ...rows.map((row) => (row[c] ?? '').length)));
  const line = (row: readonly string[]) =>
    row
      .map((cell, c) => cell.padEnd(widths[c] ?? 0))
      .join('  ')
      .trimEnd();
  const met = figures.filter((f) => f.met === true).length;
  const judged = figures.filter((f) => f.met !== undefined).length;
  const took = parts.map((part) => `${part.name} ${(runs.get(part.name)?.seconds ?? 0).toFixed(0)} s`).join(', ');
  return [line(header), line(widths.map((w) => '-'.repeat(w))), ...rows.map(line), '', `${met} of ${judged} goals met; ${took}`].join('\n');
}
