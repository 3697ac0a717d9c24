import { describe, expect, it } from '@jest/globals';
import { addDuration } from './duration';

const add = (from: string, duration: string) => addDuration(new Date(from), duration).toISOString();

describe('addDuration', () => {
  it('adds each unit forward, and only that unit', () => {
    const from = '2026-01-15T10:20:30.000Z';
    expect(add(from, 'P2Y')).toBe('2028-01-15T10:20:30.000Z');
    expect(add(from, 'P1M')).toBe('2026-02-15T10:20:30.000Z');
    expect(add(from, 'P1W')).toBe('2026-01-22T10:20:30.000Z');
    expect(add(from, 'P3D')).toBe('2026-01-18T10:20:30.000Z');
    expect(add(from, 'P1W2D')).toBe('2026-01-24T10:20:30.000Z');
    expect(add(from, 'PT5H')).toBe('2026-01-15T15:20:30.000Z');
    expect(add(from, 'PT50M')).toBe('2026-01-15T11:10:30.000Z');
    expect(add(from, 'PT45S')).toBe('2026-01-15T10:21:15.000Z');
    expect(add(from, 'P0D')).toBe(from);
  });

  it('adds every unit of one duration together, carrying into the next month and year', () => {
    expect(add('2026-01-15T10:20:30.000Z', 'P1Y2M3W4DT5H6M7S')).toBe('2027-04-09T15:26:37.000Z');
    expect(add('2026-12-15T00:00:00.000Z', 'P1M')).toBe('2027-01-15T00:00:00.000Z');
    expect(add('2026-12-31T23:30:00.000Z', 'PT45M')).toBe('2027-01-01T00:15:00.000Z');
    expect(add('2026-01-01T00:00:00.000Z', 'P18M')).toBe('2027-07-01T00:00:00.000Z');
  });

  it('counts days across February in leap and common years', () => {
    expect(add('2024-02-28T12:00:00.000Z', 'P1D')).toBe('2024-02-29T12:00:00.000Z');
    expect(add('2023-02-28T12:00:00.000Z', 'P1D')).toBe('2023-03-01T12:00:00.000Z');
    expect(add('2024-02-01T00:00:00.000Z', 'P4W')).toBe('2024-02-29T00:00:00.000Z');
    expect(add('2024-02-28T23:00:00.000Z', 'PT2H')).toBe('2024-02-29T01:00:00.000Z');
  });

  // A day that the target month lacks runs on into the next month, as JavaScript's Date does:
  // the retention ends a few days late rather than early.
  it('runs a month-end or 29 February past the shorter month instead of clamping it', () => {
    expect(add('2026-01-31T00:00:00.000Z', 'P1M')).toBe('2026-03-03T00:00:00.000Z');
    expect(add('2024-01-31T00:00:00.000Z', 'P1M')).toBe('2024-03-02T00:00:00.000Z');
    expect(add('2024-02-29T00:00:00.000Z', 'P1Y')).toBe('2025-03-01T00:00:00.000Z');
    expect(add('2024-02-29T00:00:00.000Z', 'P4Y')).toBe('2028-02-29T00:00:00.000Z');
  });

  it('refuses what is not an ISO 8601 duration', () => {
    expect(() => addDuration(new Date(), '2 years')).toThrow();
    expect(() => addDuration(new Date(), 'P')).toThrow();
  });
});
