import { describe, expect, it } from '@jest/globals';
import { conformancePolicy } from '@custodian/testing';
import { InMemoryKeyStore } from '../crypto';
import { subjectStream, type Actor } from '../events';
import { InMemoryEventStore, WrongExpectedRevisionError, type EventStore } from '../store';
import { createLedger, type Ledger } from './create-ledger';
import { ContentionTimeoutError } from './retry';

const checkout: Actor = { id: 'checkout', kind: 'service', roles: ['fulfilment'] };
const marketer: Actor = { id: 'campaigns', kind: 'service', roles: ['marketing'] };
const dpo: Actor = { id: 'dpo', kind: 'employee', roles: ['privacy'] };
const notice = { id: 'privacy-notice', version: 'v3' };
const MAX_ATTEMPTS = 3;
/** The conformance policy, with a purpose a privacy signal opts out of. */
const policy = {
  ...conformancePolicy,
  purposes: new Map([...conformancePolicy.purposes].map(([purpose, rule]) => [purpose, purpose === 'marketing.email' ? { ...rule, optOutSignals: ['gpc' as const] } : rule])),
};

/**
 * A store on which another writer wins the subject's next `losses` appends, as a busy
 * process on the same file would. Only the appends count: the state read stays the same.
 */
function contendedStore(subjectId: string) {
  const inner = new InMemoryEventStore();
  const contention = { losses: 0, tried: 0 };
  const store: EventStore = {
    async append(stream, toAppend, expected) {
      if (stream === subjectStream(subjectId)) {
        contention.tried++;
        if (contention.losses > 0) {
          contention.losses--;
          throw new WrongExpectedRevisionError(stream, expected, 9_999n);
        }
      }
      return inner.append(stream, toAppend, expected);
    },
    readStream: (stream, options) => inner.readStream(stream, options),
    readAll: (options) => inner.readAll(options),
    close: () => inner.close(),
  };
  return { store, contention };
}

async function setUp(rightsDeadlineMs = 30_000) {
  const subjectId = 'ann-7f3a';
  const { store, contention } = contendedStore(subjectId);
  const ledger = createLedger({ store, keys: new InMemoryKeyStore(), policy, maxAttempts: MAX_ATTEMPTS, rightsDeadlineMs });
  const subject: Actor = { id: subjectId, kind: 'subject', roles: [] };
  await ledger.collect({
    subjectId,
    actor: checkout,
    source: 'checkout-form',
    purposes: ['marketing.email', 'order.fulfilment'],
    notice,
    data: { 'contact.email': 'ann@example.com' },
  });
  await ledger.grantConsent({ subjectId, actor: subject, purpose: 'marketing.email', notice, method: 'checkbox' });
  return { ledger, subjectId, subject, contention };
}

const rights: [string, (ledger: Ledger, subjectId: string, subject: Actor) => Promise<unknown>][] = [
  ['withdrawConsent', (l, subjectId, actor) => l.withdrawConsent({ subjectId, actor, purpose: 'marketing.email' })],
  ['grantConsent', (l, subjectId, actor) => l.grantConsent({ subjectId, actor, purpose: 'marketing.email', notice, method: 'web-form' })],
  ['object', (l, subjectId, actor) => l.object({ subjectId, actor, purposes: ['marketing.email'] })],
  ['restrict', (l, subjectId, actor) => l.restrict({ subjectId, actor })],
  ['applyPrivacySignal', (l, subjectId, actor) => l.applyPrivacySignal({ subjectId, actor, signal: 'gpc', source: { kind: 'dom' } })],
  ['requestErasure', (l, subjectId, actor) => l.requestErasure({ subjectId, actor })],
  ['requestAccess', (l, subjectId, actor) => l.requestAccess({ subjectId, actor, right: 'access' })],
  ['erase', (l, subjectId) => l.erase({ subjectId, actor: dpo })],
];

describe('retries after a concurrent append', () => {
  it.each(rights)('keeps retrying %s past maxAttempts until the other writer lets it through', async (_, exercise) => {
    const { ledger, subjectId, subject, contention } = await setUp();
    contention.losses = 3 * (MAX_ATTEMPTS + 1);
    contention.tried = 0;
    await expect(exercise(ledger, subjectId, subject)).resolves.toBeDefined();
    expect(contention.losses).toBe(0);
    expect(contention.tried).toBeGreaterThan(3 * (MAX_ATTEMPTS + 1));
  });

  it('under the same contention gives up on a use after maxAttempts, and on a right only at the deadline, with a ContentionTimeoutError', async () => {
    const { ledger, subjectId, subject, contention } = await setUp(150);
    contention.losses = Number.POSITIVE_INFINITY;
    contention.tried = 0;
    const refused = await ledger.use({ subjectId, actor: marketer, purpose: 'marketing.email', categories: ['contact.email'], activity: 'campaign' }).catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(WrongExpectedRevisionError);
    expect(contention.tried).toBe(MAX_ATTEMPTS + 1);

    contention.tried = 0;
    const started = Date.now();
    const error = await ledger.withdrawConsent({ subjectId, actor: subject, purpose: 'marketing.email' }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ContentionTimeoutError);
    expect(error).toMatchObject({ code: 'CONTENTION_TIMEOUT', stream: subjectStream(subjectId), attempts: contention.tried });
    expect(contention.tried).toBeGreaterThan(MAX_ATTEMPTS + 1);
    expect(Date.now() - started).toBeLessThan(2_000);
    expect((error as Error).message).not.toContain('ann@example.com');
  });
});
