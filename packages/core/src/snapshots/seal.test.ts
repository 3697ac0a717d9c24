import { describe, expect, it } from '@jest/globals';
import { randomBytes } from 'node:crypto';
import { v7 as uuidv7 } from 'uuid';
import { initialSubjectState, type CollectedCategory, type SubjectState } from '../decider';
import { EventIdSet } from '../events';
import { openSnapshot, sealSnapshot, type Snapshot } from './seal';
import { recipientStateCodec, subjectStateCodec } from './state-codec';

// Pure: no store, no ledger. Each attack edits the sealed bytes the way someone with write
// access to the snapshot store could, without the ledger's secret.

const secret = randomBytes(32);
const grantId = uuidv7();
const withdrawalId = uuidv7();
const withdrawn: SubjectState = {
  ...initialSubjectState,
  consents: new Map([
    ['marketing.email', { status: 'withdrawn', eventId: withdrawalId, grantEventId: grantId, notice: { id: 'n', version: 'v1' }, since: '2026-01-02T00:00:00.000Z' }],
  ]),
};
const idsOf = (...ids: string[]) => {
  const set = new EventIdSet();
  ids.forEach((id, revision) => set.add(id, revision));
  return set;
};
const snapshot: Snapshot<SubjectState> = { stream: 'subject-alice', revision: 1n, hash: 'a'.repeat(64), ids: idsOf(grantId, withdrawalId), state: withdrawn };
const open = (bytes: Uint8Array, stream = 'subject-alice') => openSnapshot(bytes, { stream, codec: subjectStateCodec, secret });
const text = (bytes: Uint8Array) => Buffer.from(bytes).toString('utf8');

describe('sealSnapshot / openSnapshot', () => {
  it('opens what it sealed to the same stream, revision, hash, ids and state', () => {
    const opened = open(sealSnapshot(snapshot, subjectStateCodec, secret));
    if (!opened.ok) throw new Error(`refused: ${opened.fault}`);
    const { ids, ...rest } = opened.snapshot;
    expect(rest).toEqual({ stream: 'subject-alice', revision: 1n, hash: 'a'.repeat(64), state: withdrawn });
    expect(rest.state.consents).toBeInstanceOf(Map);
    expect([ids.add(grantId, 5), ids.add(withdrawalId, 5), ids.add(uuidv7(), 5)]).toEqual([0, 1, undefined]);
  });

  it('carries each purpose’s retention, each value’s key, the categories erased on their own and the key generations', () => {
    const partlyErased: SubjectState = {
      ...withdrawn,
      collected: new Map<string, CollectedCategory>([
        [
          'contact.email',
          {
            eventId: grantId,
            collectedAt: '2026-01-01T00:00:00.000Z',
            source: 'checkout',
            purposes: ['fraud.prevention', 'marketing.email'],
            retainUntil: '2028-01-01T00:00:00.000Z',
            retention: { 'fraud.prevention': '2026-01-31T00:00:00.000Z', 'marketing.email': '2028-01-01T00:00:00.000Z' },
            sealed: 'gcm1.a.b',
            key: 1,
          },
        ],
        [
          'contact.phone',
          {
            eventId: grantId,
            collectedAt: '2025-01-01T00:00:00.000Z',
            source: 'crm',
            purposes: [],
            retainUntil: '2030-01-01T00:00:00.000Z',
            retention: {},
            sealed: '',
            key: 'subject',
          },
        ],
      ]),
      erasedCategories: new Map([['contact.address', withdrawalId]]),
      keyGenerations: new Map([
        ['contact.address', 1],
        ['contact.email', 1],
      ]),
      subjectKeyHolds: ['contact.phone'],
    };
    const opened = open(sealSnapshot({ ...snapshot, state: partlyErased }, subjectStateCodec, secret));
    if (!opened.ok) throw new Error(`refused: ${opened.fault}`);
    expect(opened.snapshot.state).toEqual(partlyErased);
    expect(subjectStateCodec.name).toBe('subject-state/3');
  });

  it('keeps the opt-outs by signal and the lifted objections, as maps', () => {
    const opted: SubjectState = {
      ...withdrawn,
      optOuts: new Map([['ads.retargeting', { eventId: withdrawalId, signal: 'gpc' }]]),
      objectionOverrides: new Map([['marketing.email', grantId]]),
    };
    const opened = open(sealSnapshot({ ...snapshot, state: opted }, subjectStateCodec, secret));
    if (!opened.ok) throw new Error(`refused: ${opened.fault}`);
    expect(opened.snapshot.state).toEqual(opted);
    expect(opened.snapshot.state.optOuts).toBeInstanceOf(Map);
    expect(opened.snapshot.state.objectionOverrides).toBeInstanceOf(Map);
  });

  it('does not read a snapshot of the codec before opt-outs: the stream is folded from its events instead', () => {
    const older = sealSnapshot(snapshot, { ...subjectStateCodec, name: 'subject-state/1' }, secret);
    expect(text(older)).toContain('"codec":"subject-state/1"');
    expect(open(older)).toEqual({ ok: false, fault: 'other_codec' });
  });

  it('keeps ids that are no UUID at their revisions', () => {
    const opened = open(sealSnapshot({ ...snapshot, ids: idsOf('legacy-1', withdrawalId) }, subjectStateCodec, secret));
    if (!opened.ok) throw new Error(`refused: ${opened.fault}`);
    expect([opened.snapshot.ids.add('legacy-1', 5), opened.snapshot.ids.add(withdrawalId, 5), opened.snapshot.ids.add(grantId, 5)]).toEqual([0, 1, undefined]);
  });

  it('writes one state as the same bytes every time, whatever order its objects were built in', () => {
    const reordered: SubjectState = {
      openRequests: new Map(),
      subjectKeyHolds: [],
      keyGenerations: new Map(),
      erasedCategories: new Map(),
      recipientNotices: new Map(),
      sharedOnConsent: new Map(),
      erasureConfirmations: new Map(),
      objectionOverrides: new Map(),
      optOuts: new Map(),
      shares: new Map(),
      objections: [],
      consents: withdrawn.consents,
      collected: new Map(),
    };
    expect(text(sealSnapshot({ ...snapshot, state: reordered }, subjectStateCodec, secret))).toBe(text(sealSnapshot(snapshot, subjectStateCodec, secret)));
  });

  it('refuses a state edited to grant the withdrawn consent', () => {
    const forged = text(sealSnapshot(snapshot, subjectStateCodec, secret)).replace('"status":"withdrawn"', '"status":"granted"');
    expect(forged).toContain('"status":"granted"');
    expect(open(Buffer.from(forged))).toEqual({ ok: false, fault: 'mac_mismatch' });
  });

  it('refuses a revision moved back, so the events after it would be folded twice or not at all', () => {
    const forged = text(sealSnapshot(snapshot, subjectStateCodec, secret)).replace('"revision":"1"', '"revision":"0"');
    expect(open(Buffer.from(forged))).toEqual({ ok: false, fault: 'mac_mismatch' });
  });

  it('refuses a hash swapped for another record', () => {
    const forged = text(sealSnapshot(snapshot, subjectStateCodec, secret)).replace('a'.repeat(64), 'b'.repeat(64));
    expect(open(Buffer.from(forged))).toEqual({ ok: false, fault: 'mac_mismatch' });
  });

  it('refuses a MAC made with another secret, and a MAC edited by one digit', () => {
    expect(open(sealSnapshot(snapshot, subjectStateCodec, randomBytes(32)))).toEqual({ ok: false, fault: 'mac_mismatch' });
    const sealed = Buffer.from(sealSnapshot(snapshot, subjectStateCodec, secret));
    sealed[0] = sealed[0] === 0x30 ? 0x31 : 0x30;
    expect(open(sealed)).toEqual({ ok: false, fault: 'mac_mismatch' });
  });

  it("refuses another stream's snapshot, whole and with its own valid MAC", () => {
    expect(open(sealSnapshot(snapshot, subjectStateCodec, secret), 'subject-eve')).toEqual({ ok: false, fault: 'other_stream' });
  });

  it("refuses a recipient's snapshot read as a subject's, under the same stream name", () => {
    const recipient = sealSnapshot({ ...snapshot, state: {} }, recipientStateCodec, secret);
    expect(open(recipient)).toEqual({ ok: false, fault: 'other_codec' });
  });

  it('refuses bytes too short, or not JSON after a valid MAC, without throwing', () => {
    expect(open(Buffer.from('abc'))).toEqual({ ok: false, fault: 'malformed' });
    expect(open(new Uint8Array(0))).toEqual({ ok: false, fault: 'malformed' });
  });

  it('will not seal a snapshot without the id of each event up to its revision', () => {
    expect(() => sealSnapshot({ ...snapshot, ids: idsOf(grantId) }, subjectStateCodec, secret)).toThrow(RangeError);
  });

  it('refuses a sealed state its codec cannot read', () => {
    const odd = { ...subjectStateCodec, encode: () => ({ collected: 'not pairs' }) };
    expect(open(sealSnapshot(snapshot, odd, secret))).toEqual({ ok: false, fault: 'unreadable_state' });
  });
});
