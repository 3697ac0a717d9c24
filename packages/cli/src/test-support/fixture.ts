import { plantEvent } from '@custodian/testing';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  createFileKeyStore,
  createLedger,
  definePolicy,
  InMemoryKeyStore,
  subjectStream,
  type Actor,
  type CustodianEvent,
  type EventDraft,
  type EventStore,
  type KeyStore,
  type Ledger,
} from '@custodian/core';
import { createSqliteEventStore, type SqliteEventStore } from '@custodian/sqlite';
import { overwriteRaw, rawRecords } from '@custodian/sqlite/testing';

export const SUBJECT = 'cust-4f9a2c';
export const OTHER = 'cust-7b1d0e';
export const EMAIL = 'ann@example.com';
export const ADDRESS = '12 Elm Street, Springfield';
export const MASTER_KEY = 'a1'.repeat(32);
export const START = new Date('2026-03-01T10:00:00.000Z');

export const policy = definePolicy({
  purposes: {
    'marketing.email': { legalBasis: 'consent', categories: ['contact.email'], roles: ['marketing'], sharing: true, retention: 'P2Y', description: 'offers by email' },
    'order.fulfilment': { legalBasis: 'contract', categories: ['contact.email', 'contact.address'], roles: ['fulfilment'], retention: 'P6Y' },
  },
  permissions: { registerRecipient: ['privacy'], verifyRecipient: ['privacy'], suspendRecipient: ['privacy'], erase: ['privacy'] },
});

export const actors = {
  checkout: { id: 'checkout-service', kind: 'service', roles: ['fulfilment'] },
  campaigns: { id: 'campaign-service', kind: 'service', roles: ['marketing'] },
  dpo: { id: 'dpo@retailer', kind: 'employee', roles: ['privacy'] },
  customer: { id: SUBJECT, kind: 'subject', roles: [] },
  other: { id: OTHER, kind: 'subject', roles: [] },
} satisfies Record<string, Actor>;

const notice = { id: 'privacy-notice', version: 'v3' };

export interface Story {
  readonly ledger: Ledger;
  /** The ledger's clock: one minute per step from START, so times in the log are known. */
  readonly minute: (n: number) => Date;
}

/**
 * The quickstart's story, told to the end: collected, consented, used, shared, withdrawn,
 * refused, a copy handed over, erasure asked and done. A second customer is only
 * collected and served under contract. The erasure notice to the agency is left unconfirmed.
 */
export async function tellStory(store: EventStore, keys: KeyStore = new InMemoryKeyStore()): Promise<Story> {
  let now = START;
  const minute = (n: number) => new Date(START.getTime() + n * 60_000);
  const ledger = createLedger({ store, keys, policy, clock: () => now });
  const at = (n: number) => {
    now = minute(n);
  };
  const { checkout, campaigns, dpo, customer } = actors;

  at(0);
  await ledger.collect({
    subjectId: SUBJECT,
    actor: checkout,
    source: 'checkout-form',
    purposes: ['order.fulfilment', 'marketing.email'],
    notice,
    data: { 'contact.email': EMAIL, 'contact.address': ADDRESS },
  });
  at(1);
  await ledger.grantConsent({ subjectId: SUBJECT, actor: customer, purpose: 'marketing.email', notice, method: 'checkbox', evidence: `ticked "Send me offers" as ${EMAIL}` });
  at(2);
  await ledger.use({ subjectId: SUBJECT, actor: campaigns, purpose: 'marketing.email', categories: ['contact.email'], activity: 'campaign:spring-sale' });
  at(3);
  await ledger.registerRecipient({ recipientId: 'brightmail-agency', actor: dpo, name: 'Brightmail Agency GmbH', agreement: 'dpa-2026-014', country: 'DE' });
  await ledger.verifyRecipient({ recipientId: 'brightmail-agency', actor: dpo, evidence: 'signed DPA reviewed by legal' });
  at(4);
  await ledger.share({ subjectId: SUBJECT, actor: campaigns, recipientId: 'brightmail-agency', purpose: 'marketing.email', categories: ['contact.email'] });
  at(5);
  await ledger.withdrawConsent({ subjectId: SUBJECT, actor: customer, purpose: 'marketing.email', method: 'email' });
  at(6);
  await ledger.use({ subjectId: SUBJECT, actor: campaigns, purpose: 'marketing.email', categories: ['contact.email'], activity: 'campaign:summer-sale' });
  at(7);
  await ledger.collect({
    subjectId: OTHER,
    actor: checkout,
    source: 'checkout-form',
    purposes: ['order.fulfilment'],
    notice,
    data: { 'contact.email': 'bob@example.com', 'contact.address': '1 Oak Road' },
  });
  await ledger.use({ subjectId: OTHER, actor: checkout, purpose: 'order.fulfilment', categories: ['contact.address'], activity: 'ship:order-1001' });
  at(8);
  await ledger.requestAccess({ subjectId: SUBJECT, actor: customer, right: 'access' });
  at(9);
  await ledger.requestErasure({ subjectId: SUBJECT, actor: customer, reason: `please forget ${EMAIL}` });
  at(10);
  await ledger.erase({ subjectId: SUBJECT, actor: dpo });
  return { ledger, minute };
}

/** What a service writing around the ledger would leave: a correctly chained event the rules never saw. */
export function plant(store: EventStore, subjectId: string, draft: EventDraft, actor: Actor, at: Date, id?: string): Promise<CustodianEvent> {
  return plantEvent(store, subjectStream(subjectId), draft, { actor, subjectId, occurredAt: at, ...(id && { id }) });
}

export interface Workspace {
  readonly dir: string;
  readonly db: string;
  readonly keys: string;
  /** Opens the ledger file (created on first open). */
  open(): SqliteEventStore;
  fileKeys(): KeyStore;
  remove(): void;
}

export function workspace(): Workspace {
  const dir = mkdtempSync(join(tmpdir(), 'custodian-cli-'));
  const db = join(dir, 'custodian.db');
  const keys = join(dir, 'keys');
  return {
    dir,
    db,
    keys,
    open: () => createSqliteEventStore({ path: db }),
    fileKeys: () => createFileKeyStore({ directory: keys, masterKey: Buffer.from(MASTER_KEY, 'hex') }),
    remove: () => rmSync(dir, { recursive: true, force: true }),
  };
}

/** A ledger file with the whole story in it, keys in a key folder. */
export async function storyFile(): Promise<Workspace & { minute: (n: number) => Date }> {
  const ws = workspace();
  const store = ws.open();
  try {
    const { minute } = await tellStory(store, ws.fileKeys());
    return { ...ws, minute };
  } finally {
    await store.close();
  }
}

/** Changes one byte of a stored record's data, as someone with write access to the file could. */
export async function tamper(ws: Workspace, stream: string, revision: bigint): Promise<void> {
  const store = ws.open();
  try {
    const record = rawRecords(store).find((r) => r.stream === stream && r.revision === revision);
    if (!record) throw new Error(`no record ${stream}@${revision}`);
    const before = Buffer.from(record.bytes).toString('utf8');
    const text = before.replace('"campaign:spring-sale"', '"campaign:spring-sole"');
    if (text === before) throw new Error(`${stream}@${revision} is not the spring campaign's use`);
    overwriteRaw(store, stream, revision, Buffer.from(text, 'utf8'));
  } finally {
    await store.close();
  }
}
