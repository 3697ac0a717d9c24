import { describe, expect, it } from '@jest/globals';
import { count, table } from './table';

describe('table', () => {
  const columns = [
    { header: 'name', value: (r: { name: string; n: number }) => r.name },
    { header: 'n', value: (r: { name: string; n: number }) => String(r.n), align: 'right' as const },
    { header: 'note', value: () => 'line one\nline two' },
  ];

  it('pads columns to their widest cell, right-aligns numbers, and keeps each row on one line', () => {
    expect(
      table(columns, [
        { name: 'a', n: 1000 },
        { name: 'longer', n: 2 },
      ]),
    ).toBe(['  name       n  note', '  a       1000  line one line two', '  longer     2  line one line two', ''].join('\n'));
  });

  it('says when there is nothing to show', () => {
    expect(table(columns, [])).toBe('  (none)\n');
    expect(table(columns, [], 'no recipients')).toBe('  no recipients\n');
  });

  it('counts in words', () => {
    expect(count(1, 'event')).toBe('1 event');
    expect(count(12345, 'event')).toBe('12,345 events');
    expect(count(2, 'category', 'categories')).toBe('2 categories');
  });
});
