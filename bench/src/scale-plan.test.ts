import { describe, expect, it } from '@jest/globals';
import type { Figure } from './figures';
import { benchmarkNames, parseFigures, planFor, scaleTable } from './scale-plan';

const figure = (item: string, met: boolean | undefined, what = `figure ${item}`): Figure => ({ item, what, measured: '1 s', goal: '≤ 2 s', met });

describe('bench:scale', () => {
  it('runs every benchmark behind the issue at the full sizes, or some by name, and refuses a name it does not know', () => {
    expect(planFor('full').parts.map((p) => p.name)).toEqual(benchmarkNames);
    expect(planFor('full').parts.find((p) => p.name === 'decisions')?.env).toEqual({ DECISIONS_CUSTOMERS: '1000,1000000' });
    expect(planFor('quick', 'folds,backfill').parts.map((p) => [p.name, p.args, p.env])).toEqual([
      ['folds', [], { SHARES: '2000' }],
      ['backfill', ['2000'], {}],
    ]);
    expect(() => planFor('full', 'folds,fold')).toThrow('SCALE_ONLY names no benchmark: fold');
    expect(() => planFor('huge')).toThrow('SCALE must be full or quick, not "huge"');
  });

  it('reads the figures the benchmarks wrote, and stops at a line that is not one', () => {
    const text = `${JSON.stringify(figure('1', true))}\n\n${JSON.stringify(figure('6', false))}\n`;
    expect(parseFigures(text)).toEqual([figure('1', true), figure('6', false)]);
    expect(parseFigures('')).toEqual([]);
    expect(() => parseFigures(`${JSON.stringify({ item: '1', what: 'x' })}\n`)).toThrow('figure line 1 is not a figure');
    expect(() => parseFigures(`${JSON.stringify({ ...figure('1', true), met: 'yes' })}\n`)).toThrow('figure line 1');
  });

  it('prints every figure by item beside its goal, counts the goals met, and names a benchmark that failed', () => {
    const { parts } = planFor('quick', 'decisions,folds,backfill');
    const runs = new Map([
      ['decisions', { exit: 0, seconds: 12 }],
      ['folds', { exit: 3, seconds: 4 }],
    ]);
    const table = scaleTable(parts, runs, [figure('10', true), figure('2', false), figure('1', undefined)]).split('\n');
    expect(table[0]).toMatch(/^item\s+figure\s+measured\s+goal$/);
    expect(table.slice(2, 5).map((row) => row.split(/\s{2,}/)[0])).toEqual(['1', '2', '10']);
    expect(table[3]).toMatch(/MISSED$/);
    expect(table[4]).toMatch(/met$/);
    expect(table.some((row) => /folds: failed \(exit 3\) after 4 s\s+FAILED$/.test(row))).toBe(true);
    expect(table.some((row) => row.includes('backfill: not run'))).toBe(true);
    expect(table[table.length - 1]).toBe('1 of 2 goals met; decisions 12 s, folds 4 s, backfill 0 s');
  });
});
