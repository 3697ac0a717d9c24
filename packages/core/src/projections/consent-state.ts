import type { CustodianEvent, Notice } from '../events';
import { bySubject, type ReadModel } from './read-model';

export interface ConsentRecord {
  readonly status: 'granted' | 'withdrawn';
  readonly since: string;
  readonly notice: Notice;
  /** The event that set this status (the grant, or the withdrawal). */
  readonly eventId: string;
  readonly method: string;
  readonly expiresAt?: string | undefined;
}

export type ConsentStatus = 'granted' | 'withdrawn' | 'expired';

/** `ledger.consentState()`: one entry per purpose ever consented to. */
export type ConsentState = Readonly<Record<string, { status: ConsentStatus; since: string; notice: Notice; eventId: string; method: string; expiresAt?: string | undefined }>>;

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
        if (!held) return state;
        return { ...state, [event.data.purpose]: { ...held, status: 'withdrawn', since: event.occurredAt, eventId: event.id, method: event.data.method ?? held.method } };
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
