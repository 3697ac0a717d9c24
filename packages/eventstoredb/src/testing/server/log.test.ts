import { describe, expect, it } from '@jest/globals';
import { randomUUID } from 'node:crypto';
import { EventLog, TOMBSTONE_REVISION, type LogRecord, type Proposed } from './log';

const proposed = (type = 'T'): Proposed => ({ id: randomUUID(), type, contentType: 'application/octet-stream', data: Buffer.from('{}'), customMetadata: new Uint8Array() });
const revisions = (log: EventLog, stream: string) => {
  const visible = log.visibleRecords(stream);
  return visible.kind === 'records' ? visible.records.map((r) => r.revision) : visible.kind;
};

describe('the test server log', () => {
  it('places records at growing, non-contiguous byte positions, never at 0', () => {
    const log = new EventLog();
    log.append('a', { kind: 'any' }, [proposed(), proposed()]);
    log.append('b', { kind: 'any' }, [proposed()]);
    const positions = log.records.map((r) => r.position);
    expect(positions[0]! > 0n).toBe(true);
    expect(positions[1]! - positions[0]! > 1n).toBe(true);
    expect(positions[2]! > positions[1]!).toBe(true);
    expect(log.indexAtOrAfter(positions[1]!)).toBe(1);
    expect(log.indexAtOrAfter(positions[1]! + 1n)).toBe(2);
  });

  it('checks expected revisions as EventStoreDB does', () => {
    const log = new EventLog();
    expect(log.append('s', { kind: 'exists' }, [proposed()])).toEqual({ ok: false, reason: 'wrong-expected-version', current: undefined });
    expect(log.append('s', { kind: 'no_stream' }, [proposed()])).toMatchObject({ ok: true, revision: 0n });
    expect(log.append('s', { kind: 'no_stream' }, [proposed()])).toEqual({ ok: false, reason: 'wrong-expected-version', current: 0n });
    expect(log.append('s', { kind: 'revision', revision: 0n }, [proposed(), proposed()])).toMatchObject({ ok: true, revision: 2n });
    expect(log.append('s', { kind: 'revision', revision: 5n }, [proposed()])).toEqual({ ok: false, reason: 'wrong-expected-version', current: 2n });
    expect(log.append('s', { kind: 'exists' }, [proposed()])).toMatchObject({ ok: true, revision: 3n });
  });

  it('answers a repeated append with the first result and writes nothing, whatever was expected', () => {
    const log = new EventLog();
    const first = [proposed(), proposed()];
    const done = log.append('s', { kind: 'no_stream' }, first);
    log.append('s', { kind: 'any' }, [proposed()]);
    for (const expected of [{ kind: 'no_stream' as const }, { kind: 'any' as const }, { kind: 'exists' as const }]) expect(log.append('s', expected, first)).toEqual(done);
    const second = [proposed()];
    const again = log.append('s', { kind: 'revision', revision: 2n }, second);
    expect(log.append('s', { kind: 'revision', revision: 2n }, second)).toEqual(again);
    expect(revisions(log, 's')).toEqual([0n, 1n, 2n, 3n]);
  });

  it('refuses a repeat that matches only in part', () => {
    const log = new EventLog();
    const [a, b] = [proposed(), proposed()];
    log.append('s', { kind: 'no_stream' }, [a, b]);
    expect(log.append('s', { kind: 'no_stream' }, [a, proposed()])).toEqual({ ok: false, reason: 'wrong-expected-version', current: 1n });
    expect(log.append('s', { kind: 'any' }, [a, proposed()])).toMatchObject({ ok: false, reason: 'wrong-expected-version' });
  });

  it('soft-deletes through $tb: the stream reads as missing until written again, its revisions going on', () => {
    const log = new EventLog();
    log.append('s', { kind: 'no_stream' }, [proposed(), proposed()]);
    expect(log.softDelete('s', { kind: 'revision', revision: 0n })).toMatchObject({ ok: false, current: 1n });
    expect(log.softDelete('s', { kind: 'any' })).toMatchObject({ ok: true });
    expect(revisions(log, 's')).toBe('not-found');
    expect(log.records.map((r: LogRecord) => [r.stream, r.type]).pop()).toEqual(['$$s', '$metadata']);
    expect(log.append('s', { kind: 'no_stream' }, [proposed()])).toMatchObject({ ok: true, revision: 2n });
    expect(revisions(log, 's')).toEqual([2n]);
  });

  it('tombstones for good, with a $streamDeleted record in the log', () => {
    const log = new EventLog();
    log.append('s', { kind: 'no_stream' }, [proposed()]);
    expect(log.tombstone('s', { kind: 'any' })).toMatchObject({ ok: true, revision: TOMBSTONE_REVISION });
    expect(log.records.at(-1)).toMatchObject({ stream: 's', type: '$streamDeleted' });
    expect(revisions(log, 's')).toBe('deleted');
    expect(log.append('s', { kind: 'any' }, [proposed()])).toEqual({ ok: false, reason: 'stream-deleted' });
    expect(log.tombstone('s', { kind: 'any' })).toEqual({ ok: false, reason: 'stream-deleted' });
  });

  it('shows only the last $maxCount events of a stream', () => {
    const log = new EventLog();
    log.append('s', { kind: 'no_stream' }, [proposed(), proposed(), proposed()]);
    const metadata = { ...proposed('$metadata'), data: Buffer.from(JSON.stringify({ $maxCount: 1 })) };
    log.append('$$s', { kind: 'any' }, [metadata]);
    expect(revisions(log, 's')).toEqual([2n]);
    log.append('s', { kind: 'any' }, [proposed()]);
    expect(revisions(log, 's')).toEqual([3n]);
  });

  it('tells listeners of every write', () => {
    const log = new EventLog();
    let writes = 0;
    const stop = log.onWrite(() => writes++);
    log.append('s', { kind: 'any' }, [proposed()]);
    log.tombstone('t', { kind: 'any' });
    stop();
    log.append('s', { kind: 'any' }, [proposed()]);
    expect(writes).toBe(2);
  });
});
