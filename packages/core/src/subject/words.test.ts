import { describe, expect, it } from '@jest/globals';
import { changeWords, daysLeftWords, extensionWords, rightWords } from './words';

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
