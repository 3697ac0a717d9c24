import { describe, expect, it } from '@jest/globals';
import { daysLeft, endOfDay, isOverdue, longestExtension, requestDeadline } from './deadline';

const due = (receivedAt: string) => requestDeadline(new Date(receivedAt)).toISOString();
const longest = (receivedAt: string) => longestExtension(new Date(receivedAt)).toISOString();

describe('the deadline of a request (Art. 12(3)): one calendar month, to the end of the day', () => {
  it.each([
    ['the same day of the next month', '2026-03-05T09:30:00.000Z', '2026-04-05T23:59:59.999Z'],
    ['received at the first moment of a day', '2026-03-05T00:00:00.000Z', '2026-04-05T23:59:59.999Z'],
    ['received at the last moment of a day', '2026-03-05T23:59:59.999Z', '2026-04-05T23:59:59.999Z'],
    ['31 January: the last day of February', '2026-01-31T12:00:00.000Z', '2026-02-28T23:59:59.999Z'],
    ['30 January: still the last day of February, not a day of March', '2026-01-30T12:00:00.000Z', '2026-02-28T23:59:59.999Z'],
    ['31 January of a leap year: 29 February', '2028-01-31T12:00:00.000Z', '2028-02-29T23:59:59.999Z'],
    ['29 February: 29 March', '2028-02-29T12:00:00.000Z', '2028-03-29T23:59:59.999Z'],
    ['28 February: 28 March, not the end of March', '2026-02-28T12:00:00.000Z', '2026-03-28T23:59:59.999Z'],
    ['31 March: 30 April', '2026-03-31T12:00:00.000Z', '2026-04-30T23:59:59.999Z'],
    ['31 December: 31 January of the next year', '2026-12-31T12:00:00.000Z', '2027-01-31T23:59:59.999Z'],
  ])('%s', (_case, receivedAt, expected) => {
    expect(due(receivedAt)).toBe(expected);
  });

  it('counts UTC days: a request received late in the evening east of UTC is on the UTC day it was recorded', () => {
    // 00:30 in Berlin on 1 April is 22:30 UTC on 31 March.
    expect(due('2026-04-01T00:30:00.000+02:00')).toBe('2026-04-30T23:59:59.999Z');
  });
});

describe('the longest extension: two further months, three calendar months from receipt', () => {
  it.each([
    ['5 March: 5 June', '2026-03-05T09:30:00.000Z', '2026-06-05T23:59:59.999Z'],
    ['30 November: the last day of February', '2026-11-30T12:00:00.000Z', '2027-02-28T23:59:59.999Z'],
    ['30 November before a leap year: 29 February', '2027-11-30T12:00:00.000Z', '2028-02-29T23:59:59.999Z'],
    // Counted from receipt, not from the first deadline (28 February + 2 months would be 28 April).
    ['31 January: 30 April', '2026-01-31T12:00:00.000Z', '2026-04-30T23:59:59.999Z'],
  ])('%s', (_case, receivedAt, expected) => {
    expect(longest(receivedAt)).toBe(expected);
  });
});

describe('days left and overdue', () => {
  const dueBy = '2026-04-05T23:59:59.999Z';

  it('counts whole UTC days to the day it is due: 0 on that day, negative after', () => {
    expect(daysLeft(dueBy, new Date('2026-03-05T09:30:00.000Z'))).toBe(31);
    expect(daysLeft(dueBy, new Date('2026-04-04T23:59:59.999Z'))).toBe(1);
    expect(daysLeft(dueBy, new Date('2026-04-05T00:00:00.000Z'))).toBe(0);
    expect(daysLeft(dueBy, new Date('2026-04-05T23:59:59.999Z'))).toBe(0);
    expect(daysLeft(dueBy, new Date('2026-04-06T00:00:00.000Z'))).toBe(-1);
    expect(daysLeft(dueBy, new Date('2026-05-06T12:00:00.000Z'))).toBe(-31);
  });

  it('is overdue only once the end of the day it is due has passed', () => {
    expect(isOverdue(dueBy, new Date('2026-04-05T23:59:59.999Z'))).toBe(false);
    expect(isOverdue(dueBy, new Date('2026-04-06T00:00:00.000Z'))).toBe(true);
  });

  it('takes a deadline given at any time of day to the end of that day', () => {
    expect(endOfDay(new Date('2026-05-10T08:00:00.000Z')).toISOString()).toBe('2026-05-10T23:59:59.999Z');
    expect(endOfDay(new Date('2026-05-10T23:59:59.999Z')).toISOString()).toBe('2026-05-10T23:59:59.999Z');
  });
});
