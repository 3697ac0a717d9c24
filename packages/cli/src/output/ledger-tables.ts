import { changeWords, type ConsentState, type HistoryEntry, type Inventory, type RecipientEntry } from '@custodian/core';
import { table, writeTable, type Column } from './table';
import { showControls } from './terminal';

// The read side's answers as tables, shared by replay and export.

export interface ConsentRow {
  readonly subjectId: string;
  readonly purpose?: string;
  readonly record?: ConsentState[string];
}

export const consentRows = (subjectId: string, state: ConsentState): ConsentRow[] => {
  const rows = Object.entries(state).map(([purpose, record]) => ({ subjectId, purpose, record }));
  return rows.length > 0 ? rows : [{ subjectId }];
};

const consentColumns = (withSubject: boolean): Column<ConsentRow>[] => [
  ...(withSubject ? [{ header: 'subject', value: (r: ConsentRow) => r.subjectId }] : []),
  { header: 'purpose', value: (r: ConsentRow) => r.purpose ?? '(no consent recorded)' },
  { header: 'status', value: (r: ConsentRow) => r.record?.status ?? '' },
  { header: 'since', value: (r: ConsentRow) => r.record?.since ?? '' },
  { header: 'notice', value: (r: ConsentRow) => (r.record?.notice ? `${r.record.notice.id} ${r.record.notice.version}` : '') },
  { header: 'method', value: (r: ConsentRow) => r.record?.method ?? '' },
  { header: 'expires', value: (r: ConsentRow) => r.record?.expiresAt ?? '' },
];

export function consentTable(rows: readonly ConsentRow[], withSubject = true): string {
  return table(consentColumns(withSubject), withSubject || rows.some((r) => r.purpose) ? rows : [], 'no consent recorded');
}

/** Every subject's consent, written as it is rendered: a replay of the whole log has a row per customer. */
export function writeConsentTable(write: (chunk: string) => void, rows: () => Iterable<ConsentRow>): void {
  writeTable(write, consentColumns(true), rows, 'no consent recorded');
}

export function historyTable(history: readonly HistoryEntry[]): string {
  return table(
    [
      { header: 'at', value: (h) => h.at },
      { header: 'actor', value: (h) => h.actor.id },
      { header: 'kind', value: (h) => h.kind },
      { header: 'categories', value: (h) => h.categories.join(', ') },
      { header: 'purpose', value: (h) => h.purpose },
      { header: 'activity / recipient', value: (h) => [h.activity, h.recipientId && `-> ${h.recipientId}`].filter(Boolean).join(' ') },
      {
        header: 'basis or reason',
        value: (h) => (h.kind === 'denied' ? `refused: ${h.reason ?? ''}` : `${h.basis?.legalBasis ?? ''}${h.basis?.consentEventId ? ` (${h.basis.consentEventId})` : ''}`),
      },
    ],
    history,
    'no use, access, share or refusal recorded',
  );
}

export function inventoryText(inventory: Inventory): string {
  const held = table(
    [
      { header: 'category', value: (c) => c.category },
      { header: 'source', value: (c) => c.source },
      { header: 'purposes', value: (c) => c.purposes.join(', ') },
      { header: 'collected', value: (c) => c.collectedAt },
      { header: 'retain until', value: (c) => c.retainUntil },
    ],
    inventory.categories,
    'nothing collected',
  );
  const copies = table(
    [
      { header: 'copy at', value: (r) => r.recipientId },
      { header: 'categories', value: (r) => r.categories.join(', ') },
      { header: 'purposes', value: (r) => r.purposes.join(', ') },
      { header: 'first shared', value: (r) => r.firstSharedAt },
      { header: 'revoked', value: (r) => r.revokedAt ?? '' },
      { header: 'erasure', value: (r) => r.erasure },
    ],
    inventory.recipients,
    'no copies at recipients',
  );
  const erasure = inventory.erased
    ? `  erased at ${showControls(inventory.erasedAt ?? '?')}${inventory.pendingErasureConfirmations.length ? `; waiting for ${showControls(inventory.pendingErasureConfirmations.join(', '))} to confirm` : ''}\n`
    : `  erased: no${inventory.erasureRequestedAt ? ` (erasure requested at ${showControls(inventory.erasureRequestedAt)})` : ''}\n`;
  const owed = inventory.recipientNotices.filter((n) => n.status === 'pending');
  const notices = owed.length
    ? `  notices owed: ${showControls(owed.map((n) => `${n.recipientId} (${changeWords(n)}, since ${n.owedAt})`).join('; '))}\n`
    : '  notices owed: none\n';
  return `${held}\n${copies}\n${erasure}${notices}`;
}

export function recipientsTable(registry: readonly RecipientEntry[]): string {
  return table(
    [
      { header: 'recipient', value: (r) => r.recipientId },
      { header: 'name', value: (r) => r.name ?? '' },
      { header: 'status', value: (r) => r.status },
      { header: 'country', value: (r) => r.country ?? '' },
      { header: 'agreement', value: (r) => r.agreement ?? '' },
      { header: 'shares', value: (r) => String(r.received.length), align: 'right' },
      { header: 'subjects', value: (r) => String(new Set(r.received.map((x) => x.subjectId)).size), align: 'right' },
      {
        header: 'erasure notices',
        value: (r) => (r.erasureNotices.length ? `${r.erasureNotices.length} (${r.erasureNotices.filter((n) => !n.confirmed).length} unconfirmed)` : ''),
      },
    ],
    registry,
    'no recipients',
  );
}
