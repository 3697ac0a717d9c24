import type { CustodianEvent, Notice } from '../events';
import { bySubject, type ReadModel } from './read-model';

export interface ConsentRecord {
  readonly status: 'granted' | 'withdrawn' | 'opted-out';
  readonly since: string;
  /** The notice of the latest grant; absent only where a signal opted the subject out of a purpose she never consented to. */
  readonly notice?: Notice | undefined;
  /** The event that set this status (the grant, the withdrawal, or the `PrivacySignalApplied`). */
  readonly eventId: string;
  /** How: the consent method, or the signal (`gpc`) that opted her out. */
  readonly method: string;
  readonly expiresAt?: string | undefined;
}

export type ConsentStatus = 'granted' | 'withdrawn' | 'expired' | 'opted-out';

/** `ledger.consentState()`: one entry per purpose ever consented to, or opted out of by a signal. */
export type ConsentState = Readonly<
  Record<string, { status: ConsentStatus; since: string; notice?: Notice | undefined; eventId: string; method: string; expiresAt?: string | undefined }>
>;

export const consentProjection: ReadModel<Readonly<Record<string, ConsentRecord>>> = {
  name: 'consent_state',
  initial: () => ({}),
  keysOf: bySubject,
  evolve(state, event: CustodianEvent) {
    switch (event.type) {
      case 'ConsentGranted':
        return {
          ...state,
          [event.data.purpose]: {
            status: 'granted',
            since: event.occurredAt,
            notice: event.data.notice,
            eventId: event.id,
            method: event.data.method,
            expiresAt: event.data.expiresAt,
          },
        };
      case 'ConsentWithdrawn': {
        const held = state[event.data.purpose];
        // An opt-out by signal stands whatever happens to the consent under it, as it does for the rules.
        if (!held || held.status === 'opted-out') return state;
        return { ...state, [event.data.purpose]: { ...held, status: 'withdrawn', since: event.occurredAt, eventId: event.id, method: event.data.method ?? held.method } };
      }
      case 'PrivacySignalApplied': {
        const next = { ...state };
        for (const purpose of event.data.purposes)
          next[purpose] = { status: 'opted-out', since: event.occurredAt, notice: state[purpose]?.notice, eventId: event.id, method: event.data.signal };
        return next;
      }
      default:
        return state;
    }
  },
};

/** The consent records as seen at `now`: a granted consent past its expiry reads as expired. */
export function consentStateAt(records: Readonly<Record<string, ConsentRecord>>, now: Date): ConsentState {
  const out: Record<string, ConsentState[string]> = {};
  for (const [purpose, record] of Object.entries(records)) {
    const expired = record.status === 'granted' && record.expiresAt !== undefined && Date.parse(record.expiresAt) <= now.getTime();
    out[purpose] = expired ? { ...record, status: 'expired', since: record.expiresAt as string } : record;
  }
  return out;
}
