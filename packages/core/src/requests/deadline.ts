/**
 * The statutory deadlines of a subject's requests (GDPR Art. 12(3)): one month from receipt,
 * extendable once by two further months. A month is a calendar month, counted as Regulation
 * 1182/71 counts one: the period ends with the day of the later month that has the same
 * number as the day of receipt, or with that month's last day when it has no such day (a
 * request of 31 January is due by the end of 28 February, of 29 February 2028 by the end of
 * 29 March). Days are UTC days, and a deadline is the end of its day. A deadline falling on a
 * weekend or a public holiday is not moved: the law may give until the next working day, and
 * the earlier date is the safe one.
 */

const DAY_MS = 86_400_000;

/** The end (23:59:59.999 UTC) of the day `months` calendar months after `from`'s day, clamped to the later month's last day. */
export function endOfDayMonthsLater(from: Date, months: number): Date {
  const year = from.getUTCFullYear();
  const month = from.getUTCMonth() + months;
  // Day 0 of the month after is the last day of the month wanted.
  const lastDay = new Date(Date.UTC(year, month + 1, 0)).getUTCDate();
  return new Date(Date.UTC(year, month, Math.min(from.getUTCDate(), lastDay), 23, 59, 59, 999));
}

/** The end (23:59:59.999 UTC) of `at`'s own day. */
export const endOfDay = (at: Date): Date => new Date(Date.UTC(at.getUTCFullYear(), at.getUTCMonth(), at.getUTCDate(), 23, 59, 59, 999));

/** When a request received at `receivedAt` must be answered: one calendar month later (Art. 12(3)). */
export const requestDeadline = (receivedAt: Date): Date => endOfDayMonthsLater(receivedAt, 1);

/** The latest an extension may set: two further months, so three calendar months from receipt. */
export const longestExtension = (receivedAt: Date): Date => endOfDayMonthsLater(receivedAt, 3);

const dayNumber = (at: Date): number => Math.floor(at.getTime() / DAY_MS);

/** Whole UTC days from `now`'s day to the deadline's day: 0 on the day it is due, negative once it has passed. */
export const daysLeft = (dueBy: string, now: Date): number => dayNumber(new Date(dueBy)) - dayNumber(now);

/** Past its deadline at `now`: the deadline is the end of its day, so a request due today is not yet overdue. */
export const isOverdue = (dueBy: string, now: Date): boolean => now.getTime() > Date.parse(dueBy);
