import { describe, expect, it } from '@jest/globals';
import type { z } from 'zod';
import { InMemoryKeyStore } from '../crypto';
import { parseOrThrow, ValidationError } from '../errors';
import type { Actor } from '../events';
import { definePolicy } from '../policy';
import { InMemoryEventStore } from '../store';
import * as commands from './commands';
import { createLedger } from './create-ledger';
import { InvalidClockError } from './errors';

const policy = definePolicy({
  purposes: {
    'marketing.email': { legalBasis: 'consent', categories: ['contact.email'], roles: ['marketing'], retention: 'P2Y' },
    'order.fulfilment': { legalBasis: 'contract', categories: ['contact.email', 'contact.address'], roles: ['fulfilment'], retention: 'P6Y' },
  },
});
const actor: Actor = { id: 'agent-7', kind: 'employee', roles: ['marketing', 'fulfilment', 'privacy'] };
const notice = { id: 'n-1', version: 'v1' };
const subjectId = 's-1';
const GRANT_TIME = new Date('2026-06-01T09:00:00.000Z');

function setUp(clock: () => Date = () => GRANT_TIME) {
  const store = new InMemoryEventStore();
  return { store, ledger: createLedger({ store, keys: new InMemoryKeyStore(), policy, clock }) };
}

async function recordCount(store: InMemoryEventStore): Promise<number> {
  let count = 0;
  for await (const _ of store.readAll()) count++;
  return count;
}

/** The error an attempt rejects with; fails the test if it resolves. */
async function refusal(attempt: Promise<unknown>): Promise<ValidationError> {
  const outcome = await attempt.then(
    () => undefined,
    (error: unknown) => error,
  );
  expect(outcome).toBeInstanceOf(ValidationError);
  return outcome as ValidationError;
}

describe('strict commands', () => {
  it('every command schema, and the actor and notice in it, refuses an unknown field by name', () => {
    const schemas = Object.entries(commands as unknown as Record<string, z.ZodObject>).filter(([name]) => name.endsWith('Input'));
    expect(schemas).toHaveLength(23);
    for (const [name, schema] of schemas) {
      const paths = (() => {
        try {
          parseOrThrow(schema, { bogus: 1, actor: { ...actor, bogus: 1 }, notice: { ...notice, bogus: 1 } }, name);
        } catch (error) {
          return (error as ValidationError).issues.map((issue) => issue.path);
        }
        return [];
      })();
      expect({ name, paths }).toEqual({ name, paths: expect.arrayContaining(['bogus', 'actor.bogus']) });
      if ('notice' in schema.shape) expect({ name, paths }).toEqual({ name, paths: expect.arrayContaining(['notice.bogus']) });
    }
  });

  it('refuses a misspelt expiresat instead of granting a consent that never expires, and appends nothing', async () => {
    const { store, ledger } = setUp();
    const error = await refusal(
      ledger.grantConsent({ subjectId, actor, purpose: 'marketing.email', notice, method: 'checkbox', expiresat: '2027-01-01T00:00:00Z' } as commands.GrantConsentInput),
    );
    expect(error.issues).toEqual([{ path: 'expiresat', message: 'is not a known field; did you mean expiresAt?' }]);
    expect(await recordCount(store)).toBe(0);
  });

  it('refuses object({ method }) instead of dropping the method', async () => {
    const { store, ledger } = setUp();
    const error = await refusal(ledger.object({ subjectId, actor, method: 'gpc' } as commands.ObjectInput));
    expect(error.issues.map((issue) => issue.path)).toEqual(['method']);
    expect(await recordCount(store)).toBe(0);
  });

  it('shows an unknown field that is not shaped like a field name by place, length and tag, never by name', async () => {
    const { store, ledger } = setUp();
    const error = await refusal(ledger.restrict({ subjectId, actor, 'ann.secret@example.com': true } as commands.RestrictInput));
    expect(error.issues).toEqual([{ path: expect.stringMatching(/^\[key 3 of 3: 22 chars, #[0-9a-f]{6}\]$/), message: expect.stringContaining('is not a known field') }]);
    expect(error.message).not.toContain('ann.secret');
    expect(await recordCount(store)).toBe(0);
  });

  it('refuses a consent that expires at or before its grant, by the ledger clock, naming expiresAt', async () => {
    const { store, ledger } = setUp();
    const grant = (expiresAt: Date | string) => ledger.grantConsent({ subjectId, actor, purpose: 'marketing.email', notice, method: 'checkbox', expiresAt });
    for (const expiresAt of [GRANT_TIME, new Date(GRANT_TIME.getTime() - 1), '2020-01-01T00:00:00Z', new Date('not a date')]) {
      const error = await refusal(grant(expiresAt));
      expect(error.issues.map((issue) => issue.path)).toEqual(['expiresAt']);
    }
    expect(await recordCount(store)).toBe(0);
    const granted = await grant(new Date(GRANT_TIME.getTime() + 1));
    expect(granted).toMatchObject({ type: 'ConsentGranted', data: { expiresAt: '2026-06-01T09:00:00.001Z' } });
  });

  it('refuses a list over 64 entries, or naming an entry twice, naming the field; nothing is appended', async () => {
    const { store, ledger } = setUp();
    const many = Array.from({ length: 65 }, (_, i) => `contact.c${i}`);
    const cases: [string, () => Promise<unknown>, string][] = [
      ['use, 65 categories', () => ledger.use({ subjectId, actor, purpose: 'order.fulfilment', categories: many, activity: 'ship' }), 'categories'],
      [
        'use, a category twice',
        () => ledger.use({ subjectId, actor, purpose: 'order.fulfilment', categories: ['contact.email', 'contact.email'], activity: 'ship' }),
        'categories.1',
      ],
      [
        'access, a category twice',
        () => ledger.access({ subjectId, actor, purpose: 'order.fulfilment', categories: ['contact.address', 'contact.email', 'contact.address'] }),
        'categories.2',
      ],
      [
        'share, a category twice',
        () => ledger.share({ subjectId, actor, recipientId: 'agency-x', purpose: 'marketing.email', categories: ['contact.email', 'contact.email'] }),
        'categories.1',
      ],
      [
        'collect, a purpose twice',
        () => ledger.collect({ subjectId, actor, source: 'form', purposes: ['order.fulfilment', 'order.fulfilment'], notice, data: { 'contact.email': 'v' } }),
        'purposes.1',
      ],
      [
        'collect, 65 categories of data',
        () => ledger.collect({ subjectId, actor, source: 'form', purposes: ['order.fulfilment'], notice, data: Object.fromEntries(many.map((c) => [c, 'v'])) }),
        'data',
      ],
      ['object, 65 purposes', () => ledger.object({ subjectId, actor, purposes: many }), 'purposes'],
      ['object, a purpose twice', () => ledger.object({ subjectId, actor, purposes: ['order.fulfilment', 'order.fulfilment'] }), 'purposes.1'],
      ['restrict, an actor role twice', () => ledger.restrict({ subjectId, actor: { ...actor, roles: ['marketing', 'marketing'] } }), 'actor.roles.1'],
    ];
    for (const [what, attempt, path] of cases) {
      const error = await refusal(attempt());
      expect({ what, paths: error.issues.map((issue) => issue.path) }).toEqual({ what, paths: [path] });
      if (path.includes('.') && /\.\d+$/.test(path)) expect({ what, message: error.issues[0]?.message }).toEqual({ what, message: expect.stringMatching(/^repeats entry \d+$/) });
    }
    expect(await recordCount(store)).toBe(0);
  });

  it('refuses an invalid clock value with InvalidClockError (CLOCK_INVALID), appending nothing', async () => {
    const clocks: [string, () => Date, string][] = [
      ['an invalid Date', () => new Date('not a date'), 'an invalid Date'],
      ['a string', () => '2026-06-01T09:00:00Z' as unknown as Date, 'a value of type string'],
      ['a number', () => GRANT_TIME.getTime() as unknown as Date, 'a value of type number'],
      ['nothing', () => undefined as unknown as Date, 'undefined'],
    ];
    for (const [what, clock, received] of clocks) {
      const { store, ledger } = setUp(clock);
      const attempts: (() => Promise<unknown>)[] = [
        () => ledger.collect({ subjectId, actor, source: 'form', purposes: ['order.fulfilment'], notice, data: { 'contact.email': 'v' } }),
        () => ledger.grantConsent({ subjectId, actor, purpose: 'marketing.email', notice, method: 'checkbox' }),
        () => ledger.use({ subjectId, actor, purpose: 'order.fulfilment', categories: ['contact.email'], activity: 'ship' }),
        () => ledger.registerRecipient({ recipientId: 'agency-x', actor, name: 'Agency', agreement: 'dpa', country: 'DE' }),
      ];
      for (const attempt of attempts) {
        const error = await attempt().then(
          () => undefined,
          (e: unknown) => e,
        );
        expect({ what, error }).toEqual({ what, error: expect.any(InvalidClockError) });
        expect({ what, code: (error as InvalidClockError).code, received: (error as InvalidClockError).received }).toEqual({ what, code: 'CLOCK_INVALID', received });
      }
      expect({ what, records: await recordCount(store) }).toEqual({ what, records: 0 });
    }
  });
});
