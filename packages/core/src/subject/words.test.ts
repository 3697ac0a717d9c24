import { describe, expect, it } from '@jest/globals';
import { changeWords, clockWords, dayWords, daysLeftWords, extensionWords, rightWords, timeWords } from './words';

describe('the words of a request and its deadline', () => {
  it.each([
    [31, '31 days left'],
    [1, '1 day left'],
    [0, 'due today'],
    [-1, '1 day overdue'],
    [-12, '12 days overdue'],
  ])('%i days left reads "%s"', (days, words) => expect(daysLeftWords(days)).toBe(words));

  it('names the right and the reason of an extension in words, and a code it does not know as it is', () => {
    expect([rightWords('access'), rightWords('portability'), rightWords('erasure'), rightWords('other')]).toEqual([
      'a copy of their data (Art. 15)',
      'their data in a portable form (Art. 20)',
      'erasure (Art. 17)',
      'other',
    ]);
    expect([extensionWords('complexity'), extensionWords('number_of_requests'), extensionWords('some_new_reason')]).toEqual([
      'the complexity of the request',
      'the number of requests',
      'some new reason',
    ]);
  });
});

describe('the words of a change a recipient must be told of', () => {
  it.each([
    [{ reason: 'rectification', categories: ['contact.email', 'contact.address'] }, 'the correction of contact.email and contact.address'],
    [{ reason: 'restriction', categories: ['contact.email'] }, 'the restriction of processing'],
    [{ reason: 'consent_withdrawn', categories: ['contact.email'], purpose: 'marketing.email' }, 'the withdrawal of consent to marketing.email'],
    [{ reason: 'erasure', categories: ['contact.address'] }, 'the erasure of contact.address'],
    [{ reason: 'opted_out', categories: ['contact.email'] }, 'the opt-out, by a privacy signal, of the sale or sharing it received the data for'],
  ] as const)('%j reads "%s"', (notice, words) => expect(changeWords(notice)).toBe(words));
});

describe('the words of a time', () => {
  const day = new Intl.DateTimeFormat('en-GB', { day: 'numeric', month: 'short', year: 'numeric', timeZone: 'UTC' });
  const clock = new Intl.DateTimeFormat('en-GB', { hour: '2-digit', minute: '2-digit', second: '2-digit', hourCycle: 'h23', timeZone: 'UTC' });

  it('says every day of 1999 to 2031 and times around the clock as en-GB in UTC does', () => {
    const differ: string[] = [];
    for (let t = Date.UTC(1999, 0, 1); t < Date.UTC(2032, 0, 1); t += 86_400_000 + 3_671_001) {
      const iso = new Date(t).toISOString();
      if (dayWords(iso) !== day.format(new Date(t)) || clockWords(iso) !== `${clock.format(new Date(t))} UTC`) differ.push(iso);
    }
    expect(differ).toEqual([]);
    expect(timeWords('2026-09-05T07:08:09.000+02:00')).toBe('5 Sept 2026, 05:08:09 UTC');
    expect([dayWords('0999-03-04T00:00:00Z'), dayWords('+010000-01-01T00:00:00Z'), dayWords('-000005-01-01T00:00:00Z')]).toEqual(
      ['0999-03-04T00:00:00Z', '+010000-01-01T00:00:00Z', '-000005-01-01T00:00:00Z'].map((iso) => day.format(new Date(iso))),
    );
  });

  it('refuses what is no time, as Intl does', () => {
    expect(() => dayWords('not a time')).toThrow(RangeError);
    expect(() => clockWords('not a time')).toThrow(RangeError);
  });
});
