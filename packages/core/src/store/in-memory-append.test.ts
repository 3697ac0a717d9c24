import { describe, expect, it } from '@jest/globals';
import { collect, testEvent } from '@custodian/testing';
import { ValidationError } from '../errors';
import { InMemoryEventStore, validateAppend, WrongExpectedRevisionError, type EventToAppend, type ExpectedRevision } from './index';

const ok = (): EventToAppend => testEvent('Noted');
const STREAM = 'must be a non-empty string';
const EVENTS = 'must hold at least one event';
const ID = 'must be a string of 1 to 255 bytes';
const TYPE = 'must be a non-empty string';
const DATA = 'must be a Uint8Array';

/** What the append was, and the issues its ValidationError must list, in order. */
type Malformed = [label: string, stream: unknown, events: () => unknown, issues: { path: string; message: string }[]];

const malformed: Malformed[] = [
  ['a stream that is a number', 42, () => [ok()], [{ path: 'stream', message: STREAM }]],
  ['an empty stream name', '', () => [ok()], [{ path: 'stream', message: STREAM }]],
  ['no stream at all', undefined, () => [ok()], [{ path: 'stream', message: STREAM }]],
  ['no events', 's', () => [], [{ path: 'events', message: EVENTS }]],
  ['events that are null', 's', () => null, [{ path: 'events', message: EVENTS }]],
  ['events that are a string', 's', () => 'events', [{ path: 'events', message: EVENTS }]],
  ['events that only look like an array', 's', () => ({ length: 1, 0: ok() }), [{ path: 'events', message: EVENTS }]],
  [
    'an empty stream name and no events',
    '',
    () => [],
    [
      { path: 'stream', message: STREAM },
      { path: 'events', message: EVENTS },
    ],
  ],
  [
    'a null event',
    's',
    () => [null],
    [
      { path: 'events.0.id', message: ID },
      { path: 'events.0.type', message: TYPE },
      { path: 'events.0.data', message: DATA },
    ],
  ],
  [
    'a number among the events',
    's',
    () => [ok(), 7],
    [
      { path: 'events.1.id', message: ID },
      { path: 'events.1.type', message: TYPE },
      { path: 'events.1.data', message: DATA },
    ],
  ],
  ['an id that is a number', 's', () => [{ ...ok(), id: 5 }], [{ path: 'events.0.id', message: ID }]],
  ['an empty id', 's', () => [{ ...ok(), id: '' }], [{ path: 'events.0.id', message: ID }]],
  ['an id of 256 ASCII bytes', 's', () => [{ ...ok(), id: 'a'.repeat(256) }], [{ path: 'events.0.id', message: ID }]],
  ['an id of 86 three-byte characters (258 bytes)', 's', () => [{ ...ok(), id: '€'.repeat(86) }], [{ path: 'events.0.id', message: ID }]],
  ['an id of 128 two-byte characters (256 bytes)', 's', () => [{ ...ok(), id: 'é'.repeat(128) }], [{ path: 'events.0.id', message: ID }]],
  ['a type that is a number', 's', () => [{ ...ok(), type: 5 }], [{ path: 'events.0.type', message: TYPE }]],
  ['an empty type', 's', () => [ok(), { ...ok(), type: '' }], [{ path: 'events.1.type', message: TYPE }]],
  ['data that is a string', 's', () => [{ ...ok(), data: 'not bytes' }], [{ path: 'events.0.data', message: DATA }]],
  ['data that is an array of numbers', 's', () => [{ ...ok(), data: [1, 2, 3] }], [{ path: 'events.0.data', message: DATA }]],
  ['data that is an ArrayBuffer', 's', () => [{ ...ok(), data: new ArrayBuffer(3) }], [{ path: 'events.0.data', message: DATA }]],
  [
    'an event wrong in every field, after a good one',
    's',
    () => [ok(), { id: '', type: '', data: null }],
    [
      { path: 'events.1.id', message: ID },
      { path: 'events.1.type', message: TYPE },
      { path: 'events.1.data', message: DATA },
    ],
  ],
];

async function refusalOf(attempt: () => Promise<unknown>): Promise<unknown> {
  return attempt().then(
    (result) => result,
    (error: unknown) => error,
  );
}

const factsOf = (error: unknown) =>
  error instanceof ValidationError ? { code: error.code, what: error.what, issues: error.issues } : error instanceof Error ? `${error.name}: ${error.message}` : error;

describe('InMemoryEventStore.append, given a malformed append', () => {
  it.each(malformed)('refuses %s with a ValidationError listing each issue, and appends nothing', async (_label, stream, events, issues) => {
    const store = new InMemoryEventStore();
    await store.append('kept', [ok()], 'no_stream');

    for (const expected of ['any', 'no_stream'] as const) {
      const error = await refusalOf(() => store.append(stream as string, events() as EventToAppend[], expected));
      expect(factsOf(error)).toEqual({ code: 'VALIDATION_FAILED', what: 'append', issues });
    }

    expect((await collect(store.readAll())).map((e) => e.stream)).toEqual(['kept']);
    expect((await store.append('kept', [ok()], 'any')).position).toBe(1n);
  });

  it.each(malformed)('validateAppend refuses %s alike', (_label, stream, events, issues) => {
    let thrown: unknown;
    try {
      validateAppend(stream as string, events() as EventToAppend[]);
    } catch (error) {
      thrown = error;
    }
    expect(factsOf(thrown)).toEqual({ code: 'VALIDATION_FAILED', what: 'append', issues });
  });
});

describe('InMemoryEventStore.append, given ids at the edges of their length', () => {
  const edges: [label: string, id: string][] = [
    ['one character', 'x'],
    ['85 ASCII characters', 'a'.repeat(85)],
    ['86 ASCII characters', 'b'.repeat(86)],
    ['255 ASCII bytes', 'c'.repeat(255)],
    ['85 three-byte characters (255 bytes)', '€'.repeat(85)],
    ['127 two-byte characters and one ASCII (255 bytes)', `${'é'.repeat(127)}d`],
  ];

  it.each(edges)('takes an id of %s, and reads it back and finds it whole', async (_label, id) => {
    const store = new InMemoryEventStore();
    await store.append('before', [ok()], 'no_stream');
    const result = await store.append('edge', [{ id, type: 'Edge', data: Buffer.from('{"edge":true}') }], 'no_stream');
    expect(result).toEqual({ nextRevision: 0n, position: 1n });

    const [read] = await collect(store.readStream('edge'));
    expect(read).toMatchObject({ id, type: 'Edge', revision: 0n, position: 1n });
    expect(Buffer.from(read!.data).toString()).toBe('{"edge":true}');
    expect(await store.locate(id)).toEqual({ stream: 'edge', revision: 0n, position: 1n });
    expect(() => validateAppend('edge', [{ id, type: 'Edge', data: new Uint8Array(1) }])).not.toThrow();
  });
});

describe('InMemoryEventStore.append, given an expected revision at and around the actual one', () => {
  // A stream missing, at revision 0 (one event) and at revision 1 (two events), with another
  // stream's event before, so positions and revisions differ.
  const states: [label: string, events: number][] = [
    ['missing', 0],
    ['at revision 0', 1],
    ['at revision 1', 2],
  ];
  const expectations: ExpectedRevision[] = ['any', 'no_stream', 'exists', 0n, 1n, 2n];
  const accepts = (expected: ExpectedRevision, events: number): boolean =>
    expected === 'any' || (expected === 'no_stream' ? events === 0 : expected === 'exists' ? events > 0 : Number(expected) === events - 1);

  for (const [label, count] of states) {
    it.each(expectations)(`for a stream ${label}, answers expected %p as checkExpectedRevision does, appending all or nothing`, async (expected) => {
      const store = new InMemoryEventStore();
      await store.append('other', [ok()], 'no_stream');
      if (count > 0)
        await store.append(
          'subject',
          Array.from({ length: count }, () => ok()),
          'no_stream',
        );
      const before = (await collect(store.readAll())).length;
      const appended = [ok(), ok()];

      const outcome = await refusalOf(() => store.append('subject', appended, expected));

      const stored = (await collect(store.readAll())).filter((e) => e.stream === 'subject').map((e) => [e.id, e.revision, e.position]);
      if (accepts(expected, count)) {
        expect(outcome).toEqual({ nextRevision: BigInt(count + 1), position: BigInt(before + 1) });
        expect(stored.slice(count)).toEqual(appended.map((e, i) => [e.id, BigInt(count + i), BigInt(before + i)]));
      } else {
        expect(outcome).toBeInstanceOf(WrongExpectedRevisionError);
        expect(outcome).toMatchObject({ code: 'WRONG_EXPECTED_REVISION', stream: 'subject', expected, actual: count === 0 ? 'no_stream' : BigInt(count - 1) });
        expect(stored).toHaveLength(count);
        // Nothing of the refused append took a position: the next one lands right after the last stored.
        expect((await store.append('after', [ok()], 'no_stream')).position).toBe(BigInt(before));
      }
    });
  }
});

describe('InMemoryEventStore positions', () => {
  it('stay gap-free across refused appends: a conflict, a malformed append and a repeated id take no position', async () => {
    const store = new InMemoryEventStore();
    const first = ok();
    expect(await store.append('a', [first, ok()], 'no_stream')).toEqual({ nextRevision: 1n, position: 1n });
    await expect(store.append('a', [ok()], 0n)).rejects.toBeInstanceOf(WrongExpectedRevisionError);
    await expect(store.append('b', [ok(), { ...ok(), type: '' }], 'no_stream')).rejects.toBeInstanceOf(ValidationError);
    await expect(store.append('b', [ok(), first], 'no_stream')).rejects.toMatchObject({ code: 'DUPLICATE_EVENT_ID' });
    expect(await store.append('b', [ok(), ok(), ok()], 'no_stream')).toEqual({ nextRevision: 2n, position: 4n });
    expect((await collect(store.readAll())).map((e) => [e.stream, e.revision, e.position])).toEqual([
      ['a', 0n, 0n],
      ['a', 1n, 1n],
      ['b', 0n, 2n],
      ['b', 1n, 3n],
      ['b', 2n, 4n],
    ]);
  });
});
