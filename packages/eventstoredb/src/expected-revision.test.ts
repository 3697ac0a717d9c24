import { describe, expect, it } from '@jest/globals';
import { toActualRevision, toClientExpectedRevision } from './expected-revision';

describe('expected revisions', () => {
  it("speaks the clients' words: only 'exists' differs", () => {
    expect(toClientExpectedRevision('exists')).toBe('stream_exists');
    expect(toClientExpectedRevision('no_stream')).toBe('no_stream');
    expect(toClientExpectedRevision('any')).toBe('any');
    expect(toClientExpectedRevision(0n)).toBe(0n);
    expect(toClientExpectedRevision(41n)).toBe(41n);
  });

  it("reads an actual revision, -1 and 'no_stream' alike meaning no stream", () => {
    expect(toActualRevision(7n)).toBe(7n);
    expect(toActualRevision(0n)).toBe(0n);
    expect(toActualRevision(-1n)).toBe('no_stream');
    expect(toActualRevision('no_stream')).toBe('no_stream');
    expect(toActualRevision(3)).toBe(3n);
    expect(toActualRevision(undefined)).toBe('no_stream');
  });
});
