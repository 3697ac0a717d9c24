import { createHmac, randomBytes } from 'node:crypto';

/**
 * Keyed per process: a plain hash of a phone number could be reversed by hashing every
 * phone number, a keyed one only tells two strings apart within one run's logs.
 */
const TAG_KEY = randomBytes(32);

/** Six hex digits that tell a caller's string apart from another without showing it. */
export function tagOf(text: string): string {
  return createHmac('sha256', TAG_KEY).update(text).digest('hex').slice(0, 6);
}

/** A key the caller chose, shown by its place, its length and a tag, never by its text: `[key 1 of 2: 22 chars, #a1b2c3]`. */
export function describeKey(key: string, index: number, count: number): string {
  const place = index >= 0 ? `key ${index + 1} of ${count}` : 'key';
  return `[${place}: ${key.length} chars, #${tagOf(key)}]`;
}

/** Short enough and plain enough to be a misspelt field name rather than data. */
const FIELD_NAME = /^[A-Za-z][A-Za-z0-9_]{0,39}$/;

/** An unknown field's name when it looks like one (`expiresat`); otherwise `describeKey`. */
export function describeField(key: string, index: number, count: number): string {
  return FIELD_NAME.test(key) ? `.${key}` : describeKey(key, index, count);
}

/** Cuts a text to at most `max` characters, marking the cut. */
export function clip(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
}
