import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';
import { plantEvent } from '@custodian/testing';
import {
  catalog,
  definePolicy,
  EnvelopeMeta,
  Operation,
  eventTypes,
  policyRecord,
  POLICY_STREAM,
  applicationStream,
  recipientStream,
  subjectStream,
  type Actor,
  type CatalogEntry,
  type CustodianEvent,
  type EventDraft,
  type EventType,
} from '@custodian/core';
import { cli } from './test-support/capture';
import { START, workspace, type Workspace } from './test-support/fixture';

// A service that writes around the ledger controls every free-text field of what it writes.
// Each field gets markup that would run in the HTML report, terminal sequences that would
// clear the auditor's screen and paint a verdict, bidi overrides, and a line break that
// would start a forged line; its own name goes first, so a failure says which field leaked.
const hostile = (field: string) => `${field}|<script>x</script>"><img src=x onerror=x>\x1b[2J\x1b[1;1HChain intact\x9b2J\u202eevil\u202c\u2066x\u2069\x7f\x00\r\nFORGED`;
// For fields of at most 50 (a notice version) or 100 characters (roles).
const hostileShort = (field: string) => `${field}|"><img src=x onerror=x>\x1b[2J\u202e\x9b\r\nFORGED`;
const PROBE = hostileShort('probe');
const isHostile = (value: unknown) => typeof value === 'string' && value.includes('"><img src=x onerror=x>');

const SUBJECT = 'cust-hostile';
const RECIPIENT = 'hostile-agency';
const SEALED = 'gcm1.AAAAAAAAAAAAAAAA.BBBBBBBBBBBBBBBBBBBBBB';
const at = (minute: number) => new Date(START.getTime() + minute * 60_000);
const id = () => randomUUID();

const actorOf = (type: string): Actor => ({ id: hostile(`${type}.actor.id`), kind: 'service', roles: [hostileShort(`${type}.role`)] });

const policy = definePolicy({
  purposes: {
    'marketing.email': {
      legalBasis: 'consent',
      categories: ['contact.email'],
      roles: [hostileShort('policy.role')],
      sharing: true,
      retention: 'P2Y',
      description: hostile('policy.description'),
    },
  },
  permissions: Object.fromEntries(Operation.options.map((operation) => [operation, [hostileShort(`permission.${operation}`)]])),
});

const ids = { consent: id(), access: id(), erased: id(), used: id() };
const notice = (type: string) => ({ id: hostile(`${type}.notice.id`), version: hostileShort(`${type.replace(/[a-z]/g, '')}.version`) });
const basis = { legalBasis: 'consent' as const, consentEventId: ids.consent };

/** One event of every type in the catalog, every free-text field hostile. */
const SUBJECT_EVENTS: { [T in EventType]?: { data: Extract<EventDraft, { type: T }>['data']; id?: string } } = {
  DataCollected: {
    data: {
      categories: ['contact.email'],
      source: hostile('DataCollected.source'),
      purposes: ['marketing.email'],
      legalBases: { 'marketing.email': 'consent' },
      notice: notice('DataCollected'),
      retainUntil: '2030-01-01T00:00:00.000Z',
      values: { 'contact.email': SEALED },
    },
  },
  ConsentGranted: {
    id: ids.consent,
    data: { purpose: 'marketing.email', notice: notice('ConsentGranted'), method: 'checkbox', evidence: SEALED, expiresAt: '2031-01-01T00:00:00.000Z' },
  },
  DataAccessed: { data: { purpose: 'marketing.email', categories: ['contact.email'], basis } },
  DataUsed: { id: ids.used, data: { purpose: 'marketing.email', categories: ['contact.email'], activity: hostile('DataUsed.activity'), basis } },
  DataShared: { data: { recipientId: RECIPIENT, categories: ['contact.email'], purpose: 'marketing.email', agreement: hostile('DataShared.agreement'), basis } },
  UseDenied: {
    data: {
      operation: 'share',
      purpose: hostile('UseDenied.purpose'),
      categories: [hostile('UseDenied.category')],
      activity: hostile('UseDenied.activity'),
      recipientId: RECIPIENT,
      reason: 'recipient_suspended',
      detail: hostile('UseDenied.detail'),
    },
  },
  DataRectified: { data: { categories: ['contact.email'], values: { 'contact.email': SEALED } } },
  ObjectionRaised: { data: { purposes: ['marketing.email'], reason: SEALED } },
  PrivacySignalApplied: {
    data: { signal: 'gpc', source: { kind: 'http-header', origin: 'https://shop.example' }, purposes: ['marketing.email'], receivedAt: '2026-01-01T00:00:00.000Z' },
  },
  ProcessingRestricted: { data: { reason: SEALED } },
  RestrictionLifted: { data: {} },
  ShareRevoked: { data: { recipientId: RECIPIENT, reason: SEALED } },
  ConsentWithdrawn: { data: { purpose: 'marketing.email', method: 'email' } },
  AccessRequestReceived: { id: ids.access, data: { right: 'portability' } },
  RequestDeadlineExtended: { data: { requestEventId: ids.access, until: '2026-05-01T23:59:59.999Z', reason: 'complexity', note: SEALED } },
  AccessRequestFulfilled: { data: { requestEventId: ids.access, format: 'application/json', digest: 'a'.repeat(64) } },
  ErasureRequested: { data: { reason: SEALED } },
  DataErased: { id: ids.erased, data: { scope: 'all', method: 'crypto-shred', recipientsNotified: [RECIPIENT] } },
  RecipientErasureConfirmed: { data: { recipientId: RECIPIENT, erasureEventId: ids.erased } },
  RecipientNoticeOwed: { data: { recipientId: RECIPIENT, reason: 'consent_withdrawn', changeEventId: ids.erased, categories: ['contact.email'], purpose: 'marketing.email' } },
  RecipientNoticeConfirmed: { data: { recipientId: RECIPIENT, changeEventId: ids.erased } },
};
const RECIPIENT_EVENTS: { [T in EventType]?: { data: Extract<EventDraft, { type: T }>['data'] } } = {
  RecipientRegistered: { data: { recipientId: RECIPIENT, name: hostile('RecipientRegistered.name'), agreement: hostile('RecipientRegistered.agreement'), country: 'DE' } },
  RecipientVerified: { data: { recipientId: RECIPIENT, evidence: hostile('RecipientVerified.evidence') } },
  RecipientSuspended: { data: { recipientId: RECIPIENT, reason: hostile('RecipientSuspended.reason') } },
};

// Free-text fields no output can show: the event's type picks its schema (a type outside
// the catalog makes the record unreadable), and definePolicy refuses a permission for an
// operation it does not know, so a policy record holding one is never used. A record's
// `stream` must be the stream it is stored in (else it is reported as moved), so hostile text
// there is a hostile stream name, which the garbage-record ledger below plants.
const NOT_SHOWN = new Set(['type', 'stream', 'data.permissions{key}']);

type Schema = CatalogEntry['schema'];
type Def = { type: string; shape?: Record<string, Schema>; innerType?: Schema; element?: Schema; keyType?: Schema; valueType?: Schema };
const defOf = (schema: Schema) => (schema as unknown as { _zod: { def: Def } })._zod.def;

/** The free-text fields of a schema (those that take the hostile probe) that `value` does not fill with hostile text. */
function tameFields(schema: Schema, value: unknown, path: string): string[] {
  const def = defOf(schema);
  switch (def.type) {
    case 'optional':
    case 'default':
      return value === undefined ? (tameFields(def.innerType as Schema, undefined, path).length > 0 ? [`${path} (absent)`] : []) : tameFields(def.innerType as Schema, value, path);
    case 'object':
      return Object.entries(def.shape ?? {}).flatMap(([key, field]) => tameFields(field, (value as Record<string, unknown> | undefined)?.[key], path ? `${path}.${key}` : key));
    case 'array': {
      const items = Array.isArray(value) ? value : [];
      const element = def.element as Schema;
      if (items.length === 0) return tameFields(element, undefined, `${path}[]`).length > 0 ? [`${path}[] (empty)`] : [];
      return items.flatMap((item, i) => tameFields(element, item, `${path}[${i}]`));
    }
    case 'record': {
      const entries = Object.entries((value as Record<string, unknown> | undefined) ?? {});
      const keys = `${path}{key}`;
      const tameKeys = !NOT_SHOWN.has(keys) && (def.keyType as Schema).safeParse(PROBE).success && !entries.some(([key]) => isHostile(key)) ? [keys] : [];
      return [...tameKeys, ...entries.flatMap(([key, item]) => tameFields(def.valueType as Schema, item, `${path}{${key}}`))];
    }
    default:
      return !NOT_SHOWN.has(path) && schema.safeParse(PROBE).success && !isHostile(value) ? [path] : [];
  }
}

let ws: Workspace;
let broken: Workspace;
const stored: CustodianEvent[] = [];
beforeAll(async () => {
  ws = workspace();
  broken = workspace();
  for (const target of [ws, broken]) {
    const store = target.open();
    let minute = 0;
    const plant = async (stream: string, type: EventType, data: unknown, subjectId?: string, eventId?: string) => {
      // The envelope's own free text is planted too.
      const draft = { type, data } as unknown as EventDraft;
      const envelopeText = { correlationId: hostile(`${type}.correlationId`), causationId: hostile(`${type}.causationId`) };
      const event = await plantEvent(store, stream, draft, {
        actor: actorOf(type),
        occurredAt: at(minute++),
        ...envelopeText,
        ...(subjectId && { subjectId }),
        ...(eventId && { id: eventId }),
      });
      if (target === ws) stored.push(event);
    };
    await plant(POLICY_STREAM, 'PolicyDefined', policyRecord(policy));
    // An application's own event: its data is the application's JSON, shown by no Custodian output.
    await plant(applicationStream('hostile-orders'), 'ApplicationEventRecorded', { type: 'OrderPlaced', schemaVersion: 1, data: hostile('ApplicationEventRecorded.data') });
    for (const [type, { data }] of Object.entries(RECIPIENT_EVENTS)) await plant(recipientStream(RECIPIENT), type as EventType, data);
    for (const [type, { data, id: eventId }] of Object.entries(SUBJECT_EVENTS)) await plant(subjectStream(SUBJECT), type as EventType, data, SUBJECT, eventId);
    if (target === broken) {
      // A record that is not an event, in a stream and under an id the writer chose.
      await store.append(
        hostile('stream'),
        [{ id: hostile('record.id'), type: 'Nope', data: Buffer.from(JSON.stringify({ id: hostile('record.json.id'), type: 'Nope' })) }],
        'no_stream',
      );
    }
    await store.close();
  }
});
afterAll(() => {
  ws.remove();
  broken.remove();
});

// What a terminal obeys: every C0 control but the line feed, DEL, C1, bidi marks, embeddings, overrides and isolates.
const RAW_CONTROL = /[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/;

function expectTame(output: string, where: string): void {
  const control = RAW_CONTROL.exec(output);
  expect({
    where,
    control:
      control &&
      `U+${control[0].charCodeAt(0).toString(16).padStart(4, '0')} at ${control.index}: ${JSON.stringify(output.slice(Math.max(0, control.index - 60), control.index + 20))}`,
  }).toEqual({ where, control: null });
  // A line break in a value must not start a line of its own.
  expect({ where, forged: /^\s*FORGED/m.test(output) }).toEqual({ where, forged: false });
}

describe('hostile text in every free-text field', () => {
  it('is planted in every event type of the catalog, in every field that takes free text', () => {
    expect(new Set(stored.map((e) => e.type))).toEqual(new Set(eventTypes));
    const tame = stored.flatMap((event) => [
      ...tameFields(EnvelopeMeta, event, '').map((path) => `${event.type}: ${path}`),
      ...tameFields(catalog[event.type].schema, event.data, 'data').map((path) => `${event.type}: ${path}`),
    ]);
    expect(tame).toEqual([]);
  });

  const PLAIN: readonly (readonly string[])[] = [
    ['report', SUBJECT],
    ['replay', '--at', '100'],
    ['replay', '--at', '100', '--subject', SUBJECT],
    ['export', SUBJECT],
    ['stats'],
    ['violations'],
    ['verify'],
    ['requests'],
    ['requests', '--overdue', '--now', '2030-01-01'],
    ['history', '--actor', hostile('DataUsed.actor.id')],
    ['history', '--actor', hostile('RecipientRegistered.actor.id')],
    ['history', '--recipient', RECIPIENT],
    ['explain', ids.used],
  ];

  it.each(PLAIN.map((argv) => [argv.join(' '), argv] as const))('reaches no terminal raw through `%s`, plain or --json', async (_name, argv) => {
    const plain = await cli(argv, { cwd: ws.dir });
    expect(plain.code).toBeLessThanOrEqual(1);
    expectTame(plain.stdout + plain.stderr, argv.join(' '));
    const json = await cli([...argv, '--json'], { cwd: ws.dir });
    expect(json.code).toBeLessThanOrEqual(1);
    expectTame(json.stdout + json.stderr, `${argv.join(' ')} --json`);
    expect(() => JSON.parse(json.stdout) as unknown).not.toThrow();
  });

  it('shows the hostile text escaped, so the auditor sees what was written', async () => {
    const { stdout } = await cli(['report', SUBJECT], { cwd: ws.dir });
    expect(stdout).toContain('DataUsed.activity|<script>x</script>"><img src=x onerror=x>\\x1b[2J\\x1b[1;1HChain intact\\x9b2J\\u202eevil\\u202c\\u2066x\\u2069\\x7f\\x00');
    const json = (await cli(['report', SUBJECT, '--json'], { cwd: ws.dir })).stdout;
    expect(json).toContain('\\u009b2J\\u202eevil\\u202c');
    const report = JSON.parse(json) as { items: { activity?: string }[] };
    expect(report.items.map((item) => item.activity)).toContain(hostile('DataUsed.activity'));
  });

  it("shows the hostile text escaped in the auditors' answers across subjects", async () => {
    const escaped = (field: string) => `${field}|<script>x</script>"><img src=x onerror=x>\\x1b[2J\\x1b[1;1HChain intact\\x9b2J\\u202eevil\\u202c\\u2066x\\u2069\\x7f\\x00`;
    const byActor = (await cli(['history', '--actor', hostile('DataUsed.actor.id')], { cwd: ws.dir })).stdout;
    expect(byActor).toContain(`Everything actor ${escaped('DataUsed.actor.id')}\\r\\nFORGED did in`);
    expect(byActor).toContain(escaped('DataUsed.activity'));
    const byRecipient = (await cli(['history', '--recipient', RECIPIENT], { cwd: ws.dir })).stdout;
    expect(byRecipient).toContain(escaped('RecipientRegistered.name'));
    expect(byRecipient).toContain(escaped('RecipientSuspended.reason'));
    const explained = (await cli(['explain', ids.used], { cwd: ws.dir })).stdout;
    for (const field of ['DataUsed.actor.id', 'DataUsed.activity', 'policy.description']) expect(explained).toContain(escaped(field));
    const json = JSON.parse((await cli(['history', '--actor', hostile('DataUsed.actor.id'), '--json'], { cwd: ws.dir })).stdout) as {
      actor: string;
      entries: { activity?: string }[];
    };
    expect(json.actor).toBe(hostile('DataUsed.actor.id'));
    expect(json.entries.map((entry) => entry.activity)).toEqual([hostile('DataUsed.activity')]);
  });

  it('reaches no terminal raw where a broken or unreadable record is reported', async () => {
    for (const argv of [['verify'], ['stats'], ['replay', '--at', '100'], ['violations']]) {
      for (const json of [[], ['--json']]) {
        const { code, stdout, stderr } = await cli([...argv, ...json], { cwd: broken.dir });
        expect(code).toBe(1);
        expectTame(stdout + stderr, `${argv.join(' ')} ${json.join('')} on the broken ledger`);
      }
    }
    expect((await cli(['verify'], { cwd: broken.dir })).stdout).toContain('stream|<script>x</script>');
  });

  it('reaches the HTML report as text only, in every field the report shows', async () => {
    const { code } = await cli(['report', SUBJECT, '--html', 'report.html'], { cwd: ws.dir });
    expect(code).toBe(0);
    const html = readFileSync(join(ws.dir, 'report.html'), 'utf8');
    expect(html).not.toMatch(/<script|<img/i);
    expectTame(html, 'the HTML report');
    // Each field the report shows arrived, escaped: the markup above was not merely left out.
    const shown = new Set([...html.matchAll(/([A-Za-z.]+)\|(?:&lt;script&gt;|&quot;&gt;&lt;img)/g)].map((m) => m[1]));
    const expected = [
      ...Object.keys(SUBJECT_EVENTS).flatMap((type) => [`${type}.actor.id`, `${type}.role`]),
      ...['DataCollected.source', 'DataCollected.notice.id', 'DC.version', 'ConsentGranted.notice.id', 'CG.version', 'DataUsed.activity', 'DataShared.agreement'],
      ...['UseDenied.purpose', 'UseDenied.category', 'UseDenied.activity', 'UseDenied.detail', 'RecipientRegistered.name', 'RecipientRegistered.agreement', 'policy.description'],
    ];
    expect([...shown].sort()).toEqual(expected.sort());
  });
});
