import { describe, expect, it } from '@jest/globals';
import { daysLeftWords, extensionWords, rightWords } from './words';

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
