import { describe, expect, it } from '@jest/globals';
import type { TimelineItem } from '@custodian/core';
import type { CenterPage } from './model';
import { timelineSection } from './sections';

const item = (what: string): TimelineItem => ({
  kind: 'used',
  at: '2026-03-01T10:00:05.000Z',
  eventId: 'e-1',
  eventType: 'DataUsed',
  what,
  who: 'campaign-service (a service)',
  why: 'you consented',
  actor: { id: 'campaign-service', kind: 'service', roles: ['marketing'] },
  purposes: ['marketing.email'],
  categories: ['contact.email'],
  recipients: [],
});
const pageWith = (timeline: readonly TimelineItem[]) => ({ timeline }) as unknown as CenterPage;

describe('her timeline in words', () => {
  it('is put in words once for the same items, and again for other items', () => {
    let worded = 0;
    const counted = item('Used your email address <b>for offers</b>');
    const items = [Object.defineProperty({ ...counted }, 'what', { get: () => (worded++, counted.what) })];
    const first = timelineSection(pageWith(items));
    expect(timelineSection(pageWith(items))).toBe(first);
    expect(worded).toBe(1);
    expect(first).toContain('Used your email address &lt;b&gt;for offers&lt;/b&gt;.');
    const other = timelineSection(pageWith([item('Used your email address for a survey')]));
    expect(other).toContain('Used your email address for a survey.');
    expect(other).not.toContain('offers');
  });
});
