import { describe, expect, it } from '@jest/globals';
import { z } from 'zod';
import { parseOrThrow, ValidationError } from './index';

const secret = 'ann.secret@example.com';

describe('ValidationError', () => {
  it('never quotes an unknown key, even from a zod error made without the schema (as the event codec makes them)', () => {
    const result = z.strictObject({ id: z.string() }).safeParse({ id: 'x', [secret]: 1, expiresat: 2 });
    const error = ValidationError.fromZod('event', result.error as z.ZodError, 'data');
    expect(error.issues).toEqual([
      { path: expect.stringMatching(/^data\[key: 22 chars, #[0-9a-f]{6}\]$/), message: 'is not a known field' },
      { path: 'data.expiresat', message: 'is not a known field' },
    ]);
    expect(JSON.stringify(error) + String(error.stack)).not.toContain('ann.secret');
  });

  it('shows a record key by place, and an array index as a number, when it has the schema', () => {
    const schema = z.strictObject({ values: z.record(z.string().regex(/^[a-z.]+$/, 'must be dotted'), z.string().min(1)), tags: z.array(z.string().max(3)) });
    expect(() => parseOrThrow(schema, { values: { ok: '', [secret]: 'v' }, tags: ['abcd'] }, 'input')).toThrow(
      expect.objectContaining({
        issues: [
          { path: expect.stringMatching(/^values\[key 1 of 2: 2 chars, #[0-9a-f]{6}\]$/), message: 'must have at least 1 characters' },
          { path: expect.stringMatching(/^values\[key 2 of 2: 22 chars, #[0-9a-f]{6}\]$/), message: 'is not an accepted key: must be dotted' },
          { path: 'tags.0', message: 'must have at most 3 characters' },
        ],
      }),
    );
  });

  it('bounds the message to 1,000 characters and ten issues, however long or many the issues are', () => {
    const issues = Array.from({ length: 500 }, (_, i) => ({ path: `p${i}.${'x'.repeat(10_000)}`, message: 'y'.repeat(1_000_000) }));
    const error = new ValidationError('input', issues);
    expect(error.message.length).toBeLessThanOrEqual(1_000);
    expect(error.message).toMatch(/; and 490 more$/);
    expect(error.issues).toHaveLength(50);
    expect(error.issueCount).toBe(500);
    expect(Math.max(...error.issues.map((i) => i.path.length + i.message.length))).toBeLessThanOrEqual(500);
  });
});
