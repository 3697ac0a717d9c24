import { describe, expect, it } from '@jest/globals';
import { z } from 'zod';
import { InMemoryKeyStore } from '../crypto';
import { CustodianError } from '../errors';
import { Actor, Notice } from '../events';
import { definePolicy, Operation, PurposeRule, type PolicyInput } from '../policy';
import { InMemoryEventStore } from '../store';
import * as commands from './commands';
import { createLedger, type Ledger } from './create-ledger';

/**
 * Personal data fed into every field and every key of every command and of a policy must
 * not come back in the error: not in its message, stack, JSON or any property.
 */

const MEGABYTE = 1_048_576;

/** Each secret with the pieces of it that must not appear anywhere in an error. */
const SECRETS = [
  { name: 'an email address', text: 'ann.secret@example.com', needles: ['ann.secret', 'example.com'] },
  { name: 'a phone number', text: '+44 7700 900123', needles: ['7700 900123'] },
  { name: 'a card number', text: '4111 1111 1111 1111', needles: ['1111 1111'] },
  { name: 'a card number without spaces', text: '4111111111111111', needles: ['41111111'] },
  { name: 'a phone number without spaces', text: '447700900123', needles: ['7700900123'] },
  // Passes the purpose, category and identifier shapes: only a message that never echoes hides it.
  { name: 'an address in dotted words', text: 'ann.secret.example.com', needles: ['ann.secret'], dotted: true },
  { name: 'a 1 MB key', text: `ann.secret@example.com${'x'.repeat(MEGABYTE)}`, needles: ['ann.secret', 'x'.repeat(32)] },
] as const;

type Json = string | number | boolean | Json[] | { [key: string]: Json };
type Path = readonly (string | number)[];

/** Where a secret goes: a value replaced, a key renamed, a key added to an object, an element added to a list. */
interface Placement {
  readonly label: string;
  readonly path: Path;
  readonly kind: 'value' | 'rename' | 'extra key' | 'extra element';
}

/** Walks an input's shape, so a field added to a sample is attacked without a new line here. */
function* placements(value: Json, path: Path = []): Generator<Placement> {
  const label = path.join('.') || '(root)';
  if (Array.isArray(value)) {
    for (const [i, element] of value.entries()) yield* placements(element, [...path, i]);
    yield { label: `${label} (extra element)`, path, kind: 'extra element' };
  } else if (typeof value === 'object') {
    for (const [key, inner] of Object.entries(value)) {
      yield* placements(inner, [...path, key]);
      yield { label: `${[...path, key].join('.')} (key renamed)`, path: [...path, key], kind: 'rename' };
    }
    yield { label: `${label} (extra key)`, path, kind: 'extra key' };
  } else yield { label, path, kind: 'value' };
}

function place(input: Json, at: Placement, secret: string): Json {
  const copy = structuredClone(input);
  if (at.path.length === 0 && at.kind === 'value') return secret;
  const parentPath = at.kind === 'value' || at.kind === 'rename' ? at.path.slice(0, -1) : at.path;
  let parent: Json | undefined = copy;
  for (const step of parentPath) parent = (parent as Record<string | number, Json> | undefined)?.[step];
  if (typeof parent !== 'object' || parent === null) return copy;
  const last = at.path[at.path.length - 1] as string | number;
  const container = parent as Record<string | number, Json> & Json[];
  if (at.kind === 'value') container[last] = secret;
  else if (at.kind === 'extra element') container.push(secret);
  else if (at.kind === 'extra key') container[secret] = 'v';
  else {
    const renamed = Object.fromEntries(Object.entries(container).map(([key, inner]) => [key === last ? secret : key, inner]));
    for (const key of Object.keys(container)) delete container[key];
    Object.assign(container, renamed);
  }
  return copy;
}

/** Every string reachable from the error: own properties (enumerable or not, stack and message included), their names, and its JSON. */
function textsOf(error: unknown): string[] {
  const texts: string[] = [];
  const seen = new Set<object>();
  const visit = (value: unknown): void => {
    if (typeof value === 'string') texts.push(value);
    if ((typeof value !== 'object' && typeof value !== 'function') || value === null || seen.has(value)) return;
    seen.add(value);
    for (const key of Reflect.ownKeys(value)) {
      texts.push(String(key));
      visit((value as Record<PropertyKey, unknown>)[key]);
    }
  };
  visit(error);
  if (error instanceof Error) texts.push(String(error.stack), error.message);
  texts.push(JSON.stringify(error) ?? '');
  return texts;
}

const privacy = { id: 'agent-7', kind: 'employee', roles: ['privacy'] };
const notice = { id: 'n-1', version: 'v1' };
const tracing = { correlationId: 'c-1', causationId: 'c-0' };
const onSubject = { subjectId: 's-1', actor: privacy, ...tracing };
const onRecipient = { recipientId: 'agency-x', actor: privacy, ...tracing };

/** One valid command per operation, every optional field filled in. */
const samples = {
  collect: { ...onSubject, source: 'checkout-form', purposes: ['marketing.email'], notice, data: { 'contact.email': 'v' } },
  rectify: { ...onSubject, data: { 'contact.email': 'w' } },
  grantConsent: { ...onSubject, purpose: 'marketing.email', notice, method: 'checkbox', evidence: 'ticked', expiresAt: '2099-01-01T00:00:00Z' },
  withdrawConsent: { ...onSubject, purpose: 'marketing.email', method: 'checkbox' },
  object: { ...onSubject, purposes: ['order.fulfilment'], reason: 'no' },
  applyPrivacySignal: { ...onSubject, signal: 'gpc', source: { kind: 'http-header', origin: 'https://shop.example' }, receivedAt: '2026-01-01T00:00:00Z' },
  restrict: { ...onSubject, reason: 'disputed' },
  liftRestriction: onSubject,
  use: { ...onSubject, purpose: 'marketing.email', categories: ['contact.email'], activity: 'send-newsletter' },
  access: { ...onSubject, purpose: 'marketing.email', categories: ['contact.email'] },
  share: { ...onSubject, recipientId: 'agency-x', purpose: 'marketing.email', categories: ['contact.email'] },
  revokeShare: { ...onSubject, recipientId: 'agency-x', reason: 'ended' },
  registerRecipient: { ...onRecipient, recipientId: 'agency-r', name: 'Agency', agreement: 'dpa-1', country: 'DE' },
  verifyRecipient: { ...onRecipient, evidence: 'audited' },
  suspendRecipient: { ...onRecipient, reason: 'breach' },
  requestErasure: { ...onSubject, reason: 'leaving' },
  erase: { ...onSubject, categories: ['contact.address'] },
  enforceRetention: { actor: privacy, now: '2026-01-01T00:00:00Z', subjectId: 's-1', ...tracing },
  confirmRecipientErasure: { ...onSubject, recipientId: 'agency-x', erasureEventId: '00000000-0000-7000-8000-0000000000e2' },
  confirmRecipientNotice: { ...onSubject, recipientId: 'agency-x', changeEventId: '00000000-0000-7000-8000-0000000000c1' },
  requestAccess: { ...onSubject, right: 'portability' },
  extendRequestDeadline: {
    ...onSubject,
    requestEventId: '01930000-0000-7000-8000-0000000000e1',
    until: '2099-01-01T00:00:00Z',
    reason: 'complexity',
    note: 'many systems to search',
  },
  recordEvent: { stream: 'orders', actor: privacy, ...tracing, type: 'OrderPlaced', data: { orderId: 'o-1', note: 'gift wrap' }, subjectId: 'cust-77' },
} satisfies Record<string, Json>;
type CommandName = keyof typeof samples;

const schemaOf = (name: string) => (commands as Record<string, unknown>)[`${name[0]?.toUpperCase()}${name.slice(1)}Input`] as z.ZodObject | undefined;

const policy = definePolicy({
  purposes: {
    'marketing.email': { legalBasis: 'consent', categories: ['contact.email'], roles: ['privacy'], sharing: true, retention: 'P2Y', optOutSignals: ['gpc'] },
    'order.fulfilment': { legalBasis: 'contract', categories: ['contact.email', 'contact.address'], roles: ['privacy'], retention: 'P6Y' },
  },
  // Every operation needs a role, so an actor without one is refused with NotPermittedError.
  permissions: Object.fromEntries(Operation.options.map((operation) => [operation, ['privacy']])),
});

/** The application's own event type, so that recordEvent's data is checked by a schema of strings. */
const events = { OrderPlaced: { schemaVersion: 1, schema: z.object({ orderId: z.string(), note: z.string() }) } };

interface World {
  readonly ledger: Ledger<typeof events>;
  readonly store: InMemoryEventStore;
}

/** A ledger that has recorded its policy and registered `agency-r`, so later refusals append nothing of their own. */
async function freshWorld(): Promise<World> {
  const store = new InMemoryEventStore();
  const ledger = createLedger({ store, keys: new InMemoryKeyStore(), policy, events });
  await ledger.registerRecipient({ recipientId: 'agency-r', actor: privacy as Actor, name: 'Agency', agreement: 'dpa-1', country: 'DE' });
  return { ledger, store };
}

async function countRecords(store: InMemoryEventStore): Promise<number> {
  let count = 0;
  for await (const _ of store.readAll()) count++;
  return count;
}

/** What is done to the sample besides the secret, so that every attempt is refused. */
const DEFECTS = {
  /** Nothing: the secret alone; a command it leaves valid is not an error case. */
  none: (input: Json) => input,
  /** Fails the schema elsewhere. */
  'an unknown actor kind': (input: Json) => ({ ...(input as Record<string, Json>), actor: { ...privacy, kind: 'robot' } }),
  /** Passes the schema, refused by the policy's permissions. */
  'an actor without the role': (input: Json) => ({ ...(input as Record<string, Json>), actor: { ...privacy, roles: [] } }),
} as const;
type Defect = keyof typeof DEFECTS;

/** Identifiers are opaque by contract (refused when they look like an address or a phone number), so the dotted secret is a valid one there. */
const isIdentifier = (path: Path) => ['subjectId', 'recipientId'].includes(String(path[0])) || (path[0] === 'actor' && path[1] === 'id');

type Attempt = () => Promise<unknown>;

/**
 * Runs one attempt and says what was wrong with it: a secret in the error, an unbounded
 * message, an untyped error, or something appended. `mustFail`: a resolved attempt is wrong too.
 */
async function attack(world: World, attempt: Attempt, secret: (typeof SECRETS)[number], mustFail: boolean): Promise<{ problem?: string; resolved: boolean }> {
  const before = await countRecords(world.store);
  let error: unknown;
  try {
    await attempt();
    return { resolved: true, ...(mustFail && { problem: 'was accepted' }) };
  } catch (caught) {
    error = caught;
  }
  if (!(error instanceof CustodianError)) return { resolved: false, problem: `threw an untyped ${String((error as Error)?.name)}` };
  const texts = textsOf(error);
  const leaked = secret.needles.find((needle) => texts.some((text) => text.includes(needle)));
  if (leaked !== undefined) return { resolved: false, problem: `${error.code} holds the secret: ${error.message.slice(0, 300)}` };
  if (error.message.length > 1_000) return { resolved: false, problem: `${error.code} message is ${error.message.length} chars` };
  if ((await countRecords(world.store)) !== before) return { resolved: false, problem: `${error.code}, but something was appended` };
  return { resolved: false };
}

describe('no personal data in error messages', () => {
  it('has a sample for every command, holding every field of its schema, of the actor and of the notice', () => {
    const schemas = Object.entries(commands).filter(([name]) => name.endsWith('Input'));
    expect(schemas.map(([name]) => name).sort()).toEqual(
      Object.keys(samples)
        .map((name) => schemaOf(name) && `${name[0]?.toUpperCase()}${name.slice(1)}Input`)
        .sort(),
    );
    for (const [name, sample] of Object.entries(samples))
      expect({ name, fields: Object.keys(sample).sort() }).toEqual({ name, fields: Object.keys(schemaOf(name)?.shape ?? {}).sort() });
    expect(Object.keys(privacy).sort()).toEqual(Object.keys(Actor.shape).sort());
    expect(Object.keys(notice).sort()).toEqual(Object.keys(Notice.shape).sort());
  });

  for (const name of Object.keys(samples) as CommandName[]) {
    it(`${name}: a secret in any field or key never comes back in the error, and nothing is appended`, async () => {
      const sample = samples[name];
      const problems: string[] = [];
      let world = await freshWorld();
      let refused = 0;
      for (const at of placements(sample)) {
        for (const secret of SECRETS) {
          if ('dotted' in secret && isIdentifier(at.path)) continue;
          for (const defect of Object.keys(DEFECTS) as Defect[]) {
            // use, access and share check no operation permission: a refusal there is a recorded decision.
            if (defect === 'an actor without the role' && ['use', 'access', 'share'].includes(name)) continue;
            const command = place(DEFECTS[defect](sample), at, secret.text);
            const run = (world.ledger[name] as (input: unknown) => Promise<unknown>).bind(world.ledger);
            const outcome = await attack(world, () => run(command), secret, defect !== 'none');
            if (outcome.problem) problems.push(`${at.label} ← ${secret.name} with ${defect}: ${outcome.problem}`);
            if (outcome.resolved) world = await freshWorld();
            else refused++;
          }
        }
      }
      expect(problems).toEqual([]);
      expect(refused).toBeGreaterThan(50);
    });
  }

  it('exportSubject: a secret as the subject id never comes back in the error', async () => {
    const world = await freshWorld();
    const problems: string[] = [];
    for (const secret of SECRETS.filter((s) => !('dotted' in s))) {
      const outcome = await attack(world, () => world.ledger.exportSubject(secret.text), secret, true);
      if (outcome.problem) problems.push(`${secret.name}: ${outcome.problem}`);
    }
    expect(problems).toEqual([]);
  });

  it('audit.explain: a secret as the event id never comes back in the error', async () => {
    const world = await freshWorld();
    const problems: string[] = [];
    for (const secret of SECRETS) {
      const outcome = await attack(world, () => world.ledger.audit.explain(secret.text), secret, true);
      if (outcome.problem) problems.push(`${secret.name}: ${outcome.problem}`);
    }
    expect(problems).toEqual([]);
  });

  it("names a caller's record key by place, length and tag: data[key 1 of 2: 22 chars, #......]", async () => {
    const { ledger } = await freshWorld();
    const error = await ledger.collect({ ...samples.collect, data: { 'ann.secret@example.com': 'v', 'contact.email': 'v' } } as commands.CollectInput).catch((e: unknown) => e);
    expect(error).toMatchObject({
      code: 'VALIDATION_FAILED',
      issues: [{ path: expect.stringMatching(/^data\[key 1 of 2: 22 chars, #[0-9a-f]{6}\]$/), message: expect.stringContaining('lowercase dotted words') }],
    });
  });

  it('bounds the message and the issues list however many keys are wrong, saying how many more there were', async () => {
    const { ledger } = await freshWorld();
    const data = Object.fromEntries(Array.from({ length: 5_000 }, (_, i) => [`ann.secret${i}@example.com`, 'v']));
    const error = (await ledger.collect({ ...samples.collect, data } as commands.CollectInput).catch((e: unknown) => e)) as {
      message: string;
      issues: unknown[];
      issueCount: number;
    };
    expect(error.message.length).toBeLessThanOrEqual(1_000);
    expect(error.message).toMatch(/; and \d+ more$/);
    expect(error.issues.length).toBeLessThanOrEqual(50);
    expect(error.issueCount).toBeGreaterThanOrEqual(5_000);
  });
});

describe('no personal data in policy errors', () => {
  const rule = {
    legalBasis: 'consent',
    categories: ['contact.email'],
    roles: ['privacy'],
    sharing: true,
    retention: 'P2Y',
    description: 'newsletter',
    optOutSignals: ['gpc'],
    directMarketing: true,
  };
  const byName = { purposes: { 'marketing.email': rule }, permissions: { erase: ['privacy'] } };
  const asList = { purposes: [{ name: 'marketing.email', ...rule }], permissions: { erase: ['privacy'] } };
  /** A second purpose with a bad retention, so a policy the secret leaves valid is still refused. */
  const withDefect = (policyInput: Json): Json => {
    const copy = structuredClone(policyInput) as { purposes?: Json };
    const broken = { ...rule, retention: '2 years' };
    if (Array.isArray(copy.purposes)) copy.purposes.push({ name: 'zz.defect', ...broken });
    else if (typeof copy.purposes === 'object') (copy.purposes as Record<string, Json>)['zz.defect'] = broken;
    return copy as Json;
  };

  it('has a sample rule holding every field of a purpose rule', () => {
    expect(Object.keys(rule).sort()).toEqual(Object.keys(PurposeRule.shape).sort());
  });

  for (const [form, sample] of [
    ['purposes by name', byName],
    ['purposes as a list', asList],
  ] as const) {
    it(`definePolicy with ${form}: a secret as a purpose key, category, role, permission key or any value never comes back`, async () => {
      const problems: string[] = [];
      const world = await freshWorld();
      let refused = 0;
      for (const at of placements(sample)) {
        // A purpose's name is the policy's own word, recorded in plaintext by PolicyDefined; a valid one is named.
        const namesPurpose = at.path[0] === 'purposes' && ((at.kind === 'extra key' && at.path.length === 1) || (at.kind === 'rename' && at.path.length === 2));
        for (const secret of SECRETS) {
          if ('dotted' in secret && namesPurpose) continue;
          for (const defective of [false, true]) {
            const input = place(defective ? withDefect(sample) : sample, at, secret.text) as PolicyInput;
            const outcome = await attack(world, async () => definePolicy(input), secret, defective);
            if (outcome.problem) problems.push(`${at.label} ← ${secret.name}${defective ? ' with a bad retention' : ''}: ${outcome.problem}`);
            if (!outcome.resolved) refused++;
          }
        }
      }
      expect(problems).toEqual([]);
      expect(refused).toBeGreaterThan(50);
    });
  }
});
