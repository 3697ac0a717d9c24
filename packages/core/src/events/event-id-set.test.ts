import { describe, expect, it } from '@jest/globals';
import { v7 as uuidv7 } from 'uuid';
import { EventIdSet } from './event-id-set';

describe('EventIdSet', () => {
  it('holds every id once, with the tag it was first seen with, through many growths', () => {
    const set = new EventIdSet();
    const ids = Array.from({ length: 3_000 }, () => uuidv7());
    expect(ids.map((id, i) => set.add(id, i)).filter((held) => held !== undefined)).toEqual([]);
    expect(ids.map((id) => set.add(id, 99))).toEqual(ids.map((_, i) => i));
    expect(set.size).toBe(ids.length);
  });

  it('tells apart ids that differ in one nibble, or only in a counter', () => {
    const set = new EventIdSet();
    const counted = Array.from({ length: 2_000 }, (_, n) => `00000000-0000-7000-8000-${String(n).padStart(12, '0')}`);
    expect(counted.map((id) => set.add(id, 1)).filter((held) => held !== undefined)).toEqual([]);
    expect(set.add('00000000-0000-7000-8000-000000000001', 2)).toBe(1);
    expect(set.add('10000000-0000-7000-8000-000000000001', 2)).toBeUndefined();
  });

  it('keeps any other id as it is: an upper-case UUID is another id than its lower-case form', () => {
    const set = new EventIdSet();
    const id = uuidv7();
    expect(set.add(id, 0)).toBeUndefined();
    expect(set.add(id.toUpperCase(), 1)).toBeUndefined();
    expect(set.add('e-1', 2)).toBeUndefined();
    expect(set.add('e-1', 3)).toBe(2);
    expect(set.add(`${id.slice(0, 35)}g`, 4)).toBeUndefined();
    expect(set.size).toBe(4);
  });
});
