import { describe, expect, it } from '@jest/globals';
import {
  z,
  createLedger,
  createReadSide,
  CustodianError,
  definePolicy,
  InMemoryEventStore,
  InMemoryKeyStore,
  NotPermittedError,
  Operation,
  categoryKeyId,
  type Actor,
  type KeyStore,
  type Ledger,
  type Policy,
} from '..';

// Every write of the ledger, for every kind of actor, holding no role, the role allowed or another
// role, under a policy that names no roles and one that names a role for every operation. The
// expected outcome is worked out here from the documented rules (docs/policy.md), not from the code.

const USES = ['use', 'access', 'share'] as const;
type Write = Operation | (typeof USES)[number];

const SUBJECT = 'cust-self';
const OTHER_SUBJECT = 'cust-other';
const RECIPIENT = 'agency-1';
const notice = { id: 'privacy-notice', version: 'v3' };

const purposes = {
  'marketing.email': { legalBasis: 'consent' as const, categories: ['contact.email'], roles: ['marketing'], sharing: true, retention: 'P2Y', optOutSignals: ['gpc' as const] },
  'order.fulfilment': { legalBasis: 'contract' as const, categories: ['contact.email', 'contact.address'], roles: ['fulfilment'], retention: 'P6Y' },
};

/** The rights the docs give the subject on their own data, whatever roles the policy names. */
const SUBJECT_RIGHTS = new Set<Write>(['grantConsent', 'withdrawConsent', 'object', 'restrict', 'requestErasure', 'requestAccess', 'applyPrivacySignal']);
/** What a recipient was asked to do, which it may confirm itself in its own name, whatever roles the policy names. */
const RECIPIENT_CONFIRMATIONS = new Set<Write>(['confirmRecipientErasure', 'confirmRecipientNotice']);
/** Writes to a recipient's stream or the application's: no subject's data, so no subject may make them. */
const ON_RECIPIENT = new Set<Write>(['registerRecipient', 'verifyRecipient', 'suspendRecipient', 'recordEvent']);
/** The application's own event type, for recordEvent. */
const events = { OrderPlaced: { schemaVersion: 1, schema: z.object({ orderId: z.string() }) } };
type TableLedger = Ledger<typeof events>;

interface PolicyCase {
  readonly name: string;
  readonly policy: Policy;
  /** The role that allows the write: the policy's for an operation, the purpose's for a use. */
  readonly allowedRole: (write: Write) => string;
  /** A role that is not enough. */
  readonly otherRole: string;
}

const USE_ROLE: Record<(typeof USES)[number], string> = { use: 'fulfilment', access: 'fulfilment', share: 'marketing' };
const isUse = (write: Write): write is (typeof USES)[number] => (USES as readonly string[]).includes(write);

const POLICIES: readonly PolicyCase[] = [
  {
    name: 'a policy that names no roles',
    policy: definePolicy({ purposes }),
    // collect is left to the roles of the purposes collected for (order.fulfilment below); the rest to privacy.
    allowedRole: (write) => (isUse(write) ? USE_ROLE[write] : write === 'collect' ? 'fulfilment' : 'privacy'),
    otherRole: 'support',
  },
  {
    name: 'a policy that names a role for every operation',
    policy: definePolicy({ purposes, permissions: Object.fromEntries(Operation.options.map((operation) => [operation, [`may-${operation}`]])) }),
    allowedRole: (write) => (isUse(write) ? USE_ROLE[write] : `may-${write}`),
    // The default role gives nothing once the policy names the roles.
    otherRole: 'privacy',
  },
];

/** Holds every role, so the history a write needs can be set up under either policy. */
const admin: Actor = { id: 'setup-admin', kind: 'employee', roles: ['privacy', 'fulfilment', 'marketing', ...Operation.options.map((operation) => `may-${operation}`)] };
const self: Actor = { id: SUBJECT, kind: 'subject', roles: [] };

const collected = async (ledger: TableLedger) => {
  await ledger.collect({
    subjectId: SUBJECT,
    actor: admin,
    source: 'checkout-form',
    purposes: ['order.fulfilment', 'marketing.email'],
    notice,
    data: { 'contact.email': 'ann@example.com' },
  });
};
const consented = async (ledger: TableLedger) => {
  await collected(ledger);
  await ledger.grantConsent({ subjectId: SUBJECT, actor: self, purpose: 'marketing.email', notice, method: 'checkbox' });
};
const registered = async (ledger: TableLedger) => {
  await ledger.registerRecipient({ recipientId: RECIPIENT, actor: admin, name: 'Agency GmbH', agreement: 'dpa-7', country: 'DE' });
};
const verified = async (ledger: TableLedger) => {
  await registered(ledger);
  await ledger.verifyRecipient({ recipientId: RECIPIENT, actor: admin });
};
const shared = async (ledger: TableLedger) => {
  await consented(ledger);
  await verified(ledger);
  await ledger.share({ subjectId: SUBJECT, actor: admin, recipientId: RECIPIENT, purpose: 'marketing.email', categories: ['contact.email'] });
};

interface WriteCase {
  /** The history that lets the write succeed when it is permitted; `keys` is the ledger's key store. */
  readonly given: (ledger: TableLedger, keys: KeyStore) => Promise<void>;
  readonly when: (ledger: TableLedger, actor: Actor) => Promise<unknown>;
}

const subjectId = SUBJECT;
const recipientId = RECIPIENT;
const WRITES: Record<Write, WriteCase> = {
  collect: {
    given: async () => undefined,
    when: (ledger, actor) => ledger.collect({ subjectId, actor, source: 'checkout-form', purposes: ['order.fulfilment'], notice, data: { 'contact.email': 'ann@example.com' } }),
  },
  rectify: { given: collected, when: (ledger, actor) => ledger.rectify({ subjectId, actor, data: { 'contact.email': 'ann.new@example.com' } }) },
  grantConsent: { given: collected, when: (ledger, actor) => ledger.grantConsent({ subjectId, actor, purpose: 'marketing.email', notice, method: 'checkbox' }) },
  withdrawConsent: { given: consented, when: (ledger, actor) => ledger.withdrawConsent({ subjectId, actor, purpose: 'marketing.email' }) },
  object: { given: collected, when: (ledger, actor) => ledger.object({ subjectId, actor }) },
  // A service passes on the signal its customer's browser sent: a subject right it needs a role for, as an agent does.
  applyPrivacySignal: {
    given: collected,
    when: (ledger, actor) => ledger.applyPrivacySignal({ subjectId, actor, signal: 'gpc', source: { kind: 'http-header', origin: 'https://shop.example' } }),
  },
  restrict: { given: collected, when: (ledger, actor) => ledger.restrict({ subjectId, actor }) },
  liftRestriction: {
    given: async (ledger) => {
      await collected(ledger);
      await ledger.restrict({ subjectId, actor: self });
    },
    when: (ledger, actor) => ledger.liftRestriction({ subjectId, actor }),
  },
  registerRecipient: {
    given: async () => undefined,
    when: (ledger, actor) => ledger.registerRecipient({ recipientId, actor, name: 'Agency GmbH', agreement: 'dpa-7', country: 'DE' }),
  },
  verifyRecipient: { given: registered, when: (ledger, actor) => ledger.verifyRecipient({ recipientId, actor }) },
  suspendRecipient: { given: verified, when: (ledger, actor) => ledger.suspendRecipient({ recipientId, actor, reason: 'failed its audit' }) },
  revokeShare: { given: shared, when: (ledger, actor) => ledger.revokeShare({ subjectId, actor, recipientId }) },
  confirmRecipientErasure: {
    given: async (ledger) => {
      await shared(ledger);
      await ledger.erase({ subjectId, actor: admin });
    },
    when: (ledger, actor) => ledger.confirmRecipientErasure({ subjectId, actor, recipientId }),
  },
  confirmRecipientNotice: {
    given: async (ledger) => {
      await shared(ledger);
      await ledger.restrict({ subjectId, actor: self });
    },
    when: async (ledger, actor) => {
      const [owed] = (await ledger.inventory(subjectId)).recipientNotices;
      return ledger.confirmRecipientNotice({ subjectId, actor, recipientId, changeEventId: owed?.changeEventId ?? '' });
    },
  },
  requestErasure: { given: collected, when: (ledger, actor) => ledger.requestErasure({ subjectId, actor }) },
  erase: { given: collected, when: (ledger, actor) => ledger.erase({ subjectId, actor }) },
  enforceRetention: {
    // Collected seven years ago: every retention has run out.
    given: async (ledger, keys) => collected(createLedger({ store: ledger.store, keys, policy: ledger.policy, events, clock: () => new Date(Date.now() - 7 * 366 * 86_400_000) })),
    when: (ledger, actor) => ledger.enforceRetention({ actor, subjectId }),
  },
  requestAccess: { given: collected, when: (ledger, actor) => ledger.requestAccess({ subjectId, actor, right: 'access' }) },
  extendRequestDeadline: {
    given: async (ledger) => {
      await collected(ledger);
      await ledger.requestErasure({ subjectId, actor: self });
    },
    when: async (ledger, actor) => {
      const [request] = await ledger.openRequests();
      return ledger.extendRequestDeadline({ subjectId, actor, requestEventId: request?.requestEventId ?? '', reason: 'complexity' });
    },
  },
  recordEvent: { given: async () => undefined, when: (ledger, actor) => ledger.recordEvent({ stream: 'orders', actor, type: 'OrderPlaced', data: { orderId: 'o-1' } }) },
  use: { given: collected, when: (ledger, actor) => ledger.use({ subjectId, actor, purpose: 'order.fulfilment', categories: ['contact.email'], activity: 'ship:order-1' }) },
  access: { given: collected, when: (ledger, actor) => ledger.access({ subjectId, actor, purpose: 'order.fulfilment', categories: ['contact.email'] }) },
  share: {
    given: async (ledger) => {
      await consented(ledger);
      await verified(ledger);
    },
    when: (ledger, actor) => ledger.share({ subjectId, actor, recipientId, purpose: 'marketing.email', categories: ['contact.email'] }),
  },
};

/** Writes that are another form of an operation: judged by that operation's permission. */
const VARIANTS: Record<string, WriteCase & { readonly operation: Operation }> = {
  'erase of some categories': { operation: 'erase', given: collected, when: (ledger, actor) => ledger.erase({ subjectId, actor, categories: ['contact.email'] }) },
};

const ACTOR_KINDS = {
  employee: (roles: string[]): Actor => ({ id: 'employee-7', kind: 'employee', roles }),
  service: (roles: string[]): Actor => ({ id: 'some-service', kind: 'service', roles }),
  recipient: (roles: string[]): Actor => ({ id: RECIPIENT, kind: 'recipient', roles }),
  'subject-self': (roles: string[]): Actor => ({ id: SUBJECT, kind: 'subject', roles }),
  'subject-other': (roles: string[]): Actor => ({ id: OTHER_SUBJECT, kind: 'subject', roles }),
};
type ActorKind = keyof typeof ACTOR_KINDS;
type Holding = 'no role' | 'the role allowed' | 'another role';
const HOLDINGS: readonly Holding[] = ['no role', 'the role allowed', 'another role'];

/** allowed: it happens; denied: a use refused by its purpose, recorded as UseDenied; refused: NotPermittedError, nothing appended. */
type Outcome = 'allowed' | 'denied' | { refused: 'not_own_data' | 'role_missing' };

function expected(write: Write, kind: ActorKind, holding: Holding): Outcome {
  if (kind === 'subject-other') return { refused: 'not_own_data' };
  if (kind === 'subject-self' && ON_RECIPIENT.has(write)) return { refused: 'not_own_data' };
  if (kind === 'subject-self' && SUBJECT_RIGHTS.has(write)) return 'allowed';
  // The recipient actor below is the one the command names.
  if (kind === 'recipient' && RECIPIENT_CONFIRMATIONS.has(write)) return 'allowed';
  if (holding === 'the role allowed') return 'allowed';
  return isUse(write) ? 'denied' : { refused: 'role_missing' };
}

async function recordIds(store: InMemoryEventStore): Promise<string[]> {
  const ids: string[] = [];
  for await (const record of store.readAll()) ids.push(record.id);
  return ids;
}

describe('the permission table', () => {
  it('covers every write the ledger has, and every operation the policy knows', () => {
    const store = new InMemoryEventStore();
    const ledger = createLedger({ store, keys: new InMemoryKeyStore(), policy: definePolicy({ purposes }) });
    // receipt writes nothing: it reads one record and proves it; cacheStats reads counters; the histories read the log; readEvents reads the application's events back.
    const reads = new Set([...Object.keys(createReadSide(store, () => new Date())), 'exportSubject', 'receipt', 'cacheStats', 'actorHistory', 'recipientHistory', 'readEvents']);
    // backfill records collections and consents, each checked under collect's, grantConsent's and withdrawConsent's permission (backfill.test.ts).
    const composite = new Set(['backfill']);
    const writes = Object.entries(ledger)
      .filter(([name, member]) => typeof member === 'function' && !reads.has(name) && !composite.has(name))
      .map(([name]) => name);
    expect(writes.sort()).toEqual(Object.keys(WRITES).sort());
    expect([...Operation.options, ...USES].sort()).toEqual(Object.keys(WRITES).sort());
  });

  describe.each(POLICIES)('under $name', ({ policy, allowedRole, otherRole }) => {
    const writes: [string, Write, WriteCase][] = [
      ...(Object.keys(WRITES) as Write[]).map((write): [string, Write, WriteCase] => [write, write, WRITES[write]]),
      ...Object.entries(VARIANTS).map(([name, variant]): [string, Write, WriteCase] => [name, variant.operation, variant]),
    ];
    const cases = writes.flatMap(([name, write, run]) =>
      (Object.keys(ACTOR_KINDS) as ActorKind[]).flatMap((kind) => HOLDINGS.map((holding) => ({ name, write, run, kind, holding, outcome: expected(write, kind, holding) }))),
    );

    it.each(cases)('$name by $kind holding $holding', async ({ write, run, kind, holding, outcome }) => {
      const store = new InMemoryEventStore();
      const keys = new InMemoryKeyStore();
      const ledger = createLedger({ store, keys, policy, events });
      await run.given(ledger, keys);
      const roles = holding === 'no role' ? [] : [holding === 'the role allowed' ? allowedRole(write) : otherRole];
      const actor = ACTOR_KINDS[kind](roles);
      const before = await recordIds(store);
      const emailKey = categoryKeyId(SUBJECT, 'contact.email', 0);
      const keyBefore = await keys.get(emailKey);

      const result = await run.when(ledger, actor).then(
        (value) => ({ value }),
        (error: unknown) => ({ error }),
      );
      const after = await recordIds(store);

      if (outcome === 'allowed' || outcome === 'denied') {
        if ('error' in result) throw result.error;
        if (isUse(write)) expect(result.value).toMatchObject(outcome === 'allowed' ? { allowed: true } : { allowed: false, reason: 'role_not_allowed' });
        expect(after.slice(0, before.length)).toEqual(before);
        expect(after.length).toBeGreaterThan(before.length);
        return;
      }
      expect(result).toEqual({ error: expect.any(NotPermittedError) });
      const error = (result as { error: NotPermittedError }).error;
      expect(error).toBeInstanceOf(CustodianError);
      expect({ code: error.code, operation: error.operation, actorId: error.actorId, reason: error.reason }).toEqual({
        code: 'NOT_PERMITTED',
        operation: write,
        actorId: actor.id,
        reason: outcome.refused,
      });
      if (outcome.refused === 'role_missing') expect(error.requiredRoles).toEqual([allowedRole(write)]);
      expect(after).toEqual(before);
      // A refused erasure must not have shredded the key either.
      expect(await keys.get(emailKey)).toEqual(keyBefore);
    });
  });
});
