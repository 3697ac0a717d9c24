/**
 * Scale benchmark (issue 16): runs the benchmarks behind each of the issue's goals, one
 * after the other, each in a process of its own (a fresh heap, its own memory limit), and
 * prints their headline figures beside the goals in one table at the end.
 *
 *   pnpm bench:scale                  (= tsc -b && node bench/dist/scale.bench.js: the full sizes, about an hour)
 *   SCALE=quick pnpm bench:scale      (small sizes: a minute or two, to see that every part runs; its figures mean little)
 *   SCALE_ONLY=decisions,folds ...    (some of the benchmarks only)
 *
 * Each benchmark prints its own lines as it goes and hands its headline figures over through
 * the file CUSTODIAN_BENCH_FIGURES names (bench/src/figures.ts). Each builds the data it needs
 * (the backfill benchmark its 1,000,000 customers; the one-customer and audit benchmarks their
 * ledgers through the public API), so the figures are of their own ledgers, not of one shared file.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import type { Figure } from './figures';
import { scaleTable, parseFigures, planFor, type Part } from './scale-plan';

function run(part: Part, figures: string): { exit: number; seconds: number } {
  console.log(
    `\n━━ ${part.name}: node ${[...part.node, part.script, ...part.args].join(' ')}${
      Object.keys(part.env).length > 0
        ? ` (${Object.entries(part.env)
            .map(([k, v]) => `${k}=${v}`)
            .join(' ')})`
        : ''
    }`,
  );
  const started = performance.now();
  const result = spawnSync(process.execPath, [...part.node, join(__dirname, part.script), ...part.args], {
    stdio: 'inherit',
    env: { ...process.env, ...part.env, CUSTODIAN_BENCH_FIGURES: figures },
  });
  return { exit: result.status ?? 1, seconds: (performance.now() - started) / 1000 };
}

function main(): void {
  const plan = planFor(process.env.SCALE ?? 'full', process.env.SCALE_ONLY);
  const dir = mkdtempSync(join(os.tmpdir(), 'custodian-scale-bench-'));
  const file = join(dir, 'figures.jsonl');
  console.log(`scale benchmark (${plan.profile}): ${plan.parts.map((part) => part.name).join(', ')}; Node ${process.version}, ${os.cpus().length} CPUs`);
  const runs = new Map<string, { exit: number; seconds: number }>();
  try {
    for (const part of plan.parts) runs.set(part.name, run(part, file));
    let text = '';
    try {
      text = readFileSync(file, 'utf8');
    } catch {
      // No benchmark wrote a figure: every part failed, which the table says.
    }
    const figures: Figure[] = parseFigures(text);
    console.log(`\n${scaleTable(plan.parts, runs, figures)}`);
    if ([...runs.values()].some((r) => r.exit !== 0)) process.exitCode = 1;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

main();
